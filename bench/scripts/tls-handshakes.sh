#!/usr/bin/env bash
# Server CPU per full TLS 1.3 handshake, Weft beside Netty: openssl s_time -new against each TLS kind.
# See bench/HARNESS.md ("What tls-handshakes.sh does").
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
DEFAULT_JVM_OPTS="-Xms64m -Xmx512m"

usage() {
  cat <<USAGE
usage: bench/scripts/tls-handshakes.sh [-k KINDS] [-r ROUNDS] [-d SECONDS] [-w SECONDS]

Build first: ./mvnw -B -q -pl bench -am package -DskipTests
  -k KINDS    comma-separated TLS kinds (default: netty-tls-nio,weft-tls-nio,netty-tls-epoll,weft-tls-epoll),
              run in this order, reversed on even rounds
  -r ROUNDS   rounds (default 3)
  -d SECONDS  measured openssl s_time run (default 10)
  -w SECONDS  warm-up s_time run, not measured (default 5)
Each run: openssl s_time -connect 127.0.0.1:PORT -new -tls1_3 (a full handshake per connection,
no resumption, then close_notify and close), one connection at a time, pinned to CLIENT_CPU (default 0);
the server to SERVER_CPU (default 1). JVM_OPTS as compare.sh (default: $DEFAULT_JVM_OPTS).
Prints per run: handshakes, handshakes/s, server CPU µs per handshake; then the medians per kind.
USAGE
}

kinds="netty-tls-nio weft-tls-nio netty-tls-epoll weft-tls-epoll" rounds=3 duration=10 warmup=5
while getopts "k:r:d:w:h" opt; do
  case "$opt" in
    k) kinds="${OPTARG//,/ }" ;;
    r) rounds="$OPTARG" ;;
    d) duration="$OPTARG" ;;
    w) warmup="$OPTARG" ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
jvm_opts="${JVM_OPTS:-$DEFAULT_JVM_OPTS}"
server_cpu="${SERVER_CPU:-1}" client_cpu="${CLIENT_CPU:-0}"
. "$here/servers.sh"
clk_tck="$(getconf CLK_TCK)"

s_time() {  # s_time SECONDS -> the number of connections made
  taskset -c "$client_cpu" openssl s_time -connect "127.0.0.1:$port" -new -tls1_3 -time "$1" 2>/dev/null \
    | sed -n 's/^\([0-9]*\) connections in .* real seconds.*/\1/p' | tail -1
}

rows="$work/rows.csv"
echo "round,kind,handshakes,handshakes_per_s,cpu_us_per_handshake" | tee "$rows"
order=($kinds)
for ((round = 1; round <= rounds; round++)); do
  this_round=("${order[@]}")
  if ((round % 2 == 0)); then
    this_round=()
    for ((i = ${#order[@]} - 1; i >= 0; i--)); do this_round+=("${order[i]}"); done
  fi
  for kind in "${this_round[@]}"; do
    start_error=""
    if ! check_kind "$kind" || ! start_server "$kind"; then
      echo "round $round $kind: did not start ($start_error)" >&2
      continue
    fi
    s_time "$warmup" >/dev/null
    before="$(cpu_ticks)"
    count="$(s_time "$duration")"
    after="$(cpu_ticks)"
    stop_server
    awk -v r="$round" -v k="$kind" -v n="${count:-0}" -v d="$duration" -v t=$((after - before)) -v hz="$clk_tck" 'BEGIN {
      printf "%d,%s,%d,%.1f,%s\n", r, k, n, n / d, n ? sprintf("%.1f", t * 1e6 / hz / n) : "" }' | tee -a "$rows"
  done
done
echo
echo "| kind | rounds | median handshakes/s (one client connection at a time) | median server CPU µs per handshake |"
echo "|---|---|---|---|"
python3 - "$rows" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for kind in dict.fromkeys(r["kind"] for r in rows):
    mine = [r for r in rows if r["kind"] == kind and r["cpu_us_per_handshake"]]
    if mine:
        print(f"| {kind} | {len(mine)} | {statistics.median(float(r['handshakes_per_s']) for r in mine):,.1f} | "
              f"{statistics.median(float(r['cpu_us_per_handshake']) for r in mine):,.1f} |")
PY
