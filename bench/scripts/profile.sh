#!/usr/bin/env bash
# Where one server kind spends its CPU under load: a JFR recording (settings=profile) of the
# measured part of one compare.sh run, printed as the hottest methods (self samples, every thread).
# usage: bench/scripts/profile.sh KIND [keepalive|pipelined] [SECONDS]   (default: pipelined, 20)
# Writes bench/results/<date>-profile-KIND-WORKLOAD.{jfr,txt}; the compare.sh row of the same run is
# in the .txt too, so the profile comes with the CPU per request it was taken at.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
kind="${1:?usage: bench/scripts/profile.sh KIND [keepalive|pipelined] [SECONDS]}"
workload="${2:-pipelined}" seconds="${3:-20}"
((seconds >= 8)) || { echo "SECONDS must be at least 8 (the recording skips the first seconds)" >&2; exit 2; }
. "$root/.mvn/jdk25.sh"

base="$root/bench/results/$(date -u +%Y-%m-%dT%H%M%SZ)-profile-$kind-$workload"
mkdir -p "$(dirname "$base")"
# The server starts, gets 5 s of warm-up load, then the measured run: record from 7 s on, for the
# measured seconds less a margin at each end.
recording="delay=7s,duration=$((seconds - 3))s,filename=$base.jfr,settings=profile"
JVM_EXTRA_OPTS="-XX:StartFlightRecording=$recording" \
  "$here/compare.sh" -k "$kind" -W "$workload" -r 1 -w 5 -d "$seconds" -o "$base-compare.md" \
  -n "profiled run (JFR settings=profile): CPU per request includes the recording's cost"
[[ -f "$base.jfr" ]] || { echo "no recording at $base.jfr (did $kind start? it must be a JVM kind)" >&2; exit 1; }
{
  echo "# $kind, $workload: JFR hot methods (self samples, all threads)"
  tail -n +2 "$base-compare.csv"
  "$JAVA_HOME/bin/jfr" view --width 200 hot-methods "$base.jfr"
} | tee "$base.txt"
