#!/usr/bin/env bash
# Installs the Debian packages Weft's tests and benchmarks use, when they are missing.
# Usage: scripts/install-tools.sh [test|bench]   (default: test)
#   test  - what `scripts/test` (./mvnw verify) needs beyond the JDK
#   bench - also the load generators and peers of bench/
set -euo pipefail

test_packages=(prometheus redis-tools openssl curl)  # promtool: loop-metrics checks its Prometheus scrape; redis-cli, redis-benchmark: samples kv; openssl: TLS tests; curl: the http sample jar test
bench_packages=(wrk redis-server)

wanted=("${test_packages[@]}")
if [[ "${1:-test}" == bench ]]; then
  wanted+=("${bench_packages[@]}")
fi

missing=()
for package in "${wanted[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
