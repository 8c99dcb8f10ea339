#!/usr/bin/env bash
# Checks running() (running.sh) as run.sh uses it: once it has said a server is not running, it
# never says running again. A JVM's first thread often ends before the others, so the process is a
# zombie for a while and is reaped while the check runs (a two-read check said "running" then in
# 7 of 30 runs here). Usage: reliability/running-test.sh [RUNS] (default 30); exits 1 on a failure.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../.mvn/jdk25.sh"
. "$here/running.sh"
runs="${1:-30}"
wrong=0
for ((k = 0; k < runs; k++)); do
  "$JAVA_HOME/bin/java" -version 2>/dev/null &
  pid=$!
  while running "$pid"; do :; done
  if running "$pid"; then wrong=$((wrong + 1)); fi
  wait "$pid"
done
echo "running-test: $wrong of $runs exited JVMs said running after not running"
[[ $wrong -eq 0 ]]
