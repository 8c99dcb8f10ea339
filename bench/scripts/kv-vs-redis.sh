#!/usr/bin/env bash
# Runs redis-benchmark against the kv sample and a real redis-server, alternating, each server
# pinned to CPU 1 and the client to CPU 0; prints requests/s per round and the medians.
# Usage: bench/scripts/kv-vs-redis.sh [ROUNDS] [REQUESTS]   (build first: ./mvnw -B -q -DskipTests package)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
. "$root/.mvn/jdk25.sh"
"$root/scripts/install-tools.sh" bench
rounds="${1:-3}" requests="${2:-200000}"
kv_jar="$root/samples/target/weft-kv.jar"
[[ -f "$kv_jar" ]] || { echo "no $kv_jar: run ./mvnw -B -q -DskipTests package first" >&2; exit 1; }
port=16390
results="$(mktemp)"
trap 'rm -f "$results"; kill $(jobs -p) 2>/dev/null || true' EXIT

run_bench() { # name
  taskset -c 0 redis-benchmark -p "$port" -q -n "$requests" -P 16 -t set,get 2>/dev/null |
    tr '\r' '\n' | awk -v name="$1" '/requests per second/ { sub(":", "", $1); print name, $1, $2 }' >>"$results"
}
wait_port() { for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }

for ((r = 1; r <= rounds; r++)); do
  port=$((port + 1))
  taskset -c 1 redis-server --port "$port" --save "" --appendonly no >/dev/null 2>&1 &
  pid=$!; wait_port; run_bench redis-server; kill "$pid"; wait "$pid" 2>/dev/null || true
  port=$((port + 1))
  taskset -c 1 "$JAVA_HOME/bin/java" -Xms64m -Xmx512m -jar "$kv_jar" --port "$port" --loops 1 --poller epoll >/dev/null 2>&1 &
  pid=$!; wait_port; run_bench weft-kv; kill "$pid"; wait "$pid" 2>/dev/null || true
done
echo "| server | test | median requests/s | rounds |"
echo "|---|---|---|---|"
sort "$results" | awk '{ key = $1 " " $2; v[key] = v[key] " " $3 } END { for (k in v) print k, v[k] }' |
  while read -r server test values; do
    median="$(tr ' ' '\n' <<<"$values" | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')"
    echo "| $server | $test | $median | $values |"
  done | sort
