#!/usr/bin/env bash
# Side-by-side load comparison of Weft's servers and their peers, one loop thread each.
# See bench/HARNESS.md for what every server kind is and how the figures are computed.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

usage() {
  cat <<USAGE
usage: bench/scripts/compare.sh [options]

Build first (this script builds nothing):
  ./mvnw -B -q -pl bench -am package -DskipTests      # bench/target/bench-servers.jar
  ./mvnw -B -q -pl samples -am package -DskipTests    # samples/target/weft-http.jar (weft-http-* kinds)

options:
  -k KINDS      server kinds, comma-separated (default: all; kinds that cannot start are dropped
                with a note, e.g. weft-http-* without its jar, *-iouring where io_uring is disabled)
                  default: $DEFAULT_KINDS
                  also: netty-http-iouring, weft-vt-nio|epoll|iouring, weft-http-iouring,
                        weft-http-bare-nio|epoll|iouring (--no-metrics), weft-http-vt-nio|epoll|iouring (--style vthreads)
                        weft-tls-nio|epoll, netty-tls-nio|epoll (the minimal handler over TLS 1.3; wrk speaks https),
                        weft-https-nio|epoll (the http sample with --tls-cert/--tls-key)
  -r ROUNDS     rounds (default 5); every kind runs every workload once per round
  -d SECONDS    measured duration of each wrk run (default 10)
  -w SECONDS    warm-up before each measured run, same workload, not measured (default 2)
  -c CONNS      wrk connections (default 64)
  -p DEPTH      requests per pipelined batch (default 16)
  -W WORKLOADS  comma-separated: keepalive,pipelined (default both)
  -o FILE       report file (default bench/results/<date>-compare.md; raw rows also in <same>.csv)
  -u PATH       the path wrk requests (default /; the raw kinds answer any path)
  -n NOTE       a line put at the top of the report (e.g. "noisy trial on a shared machine")
environment:
  JVM_OPTS      flags of every server JVM (default: $DEFAULT_JVM_OPTS)
  JVM_EXTRA_OPTS  flags added to those (profile.sh adds its recording here)
  SERVER_CPU    CPU the server is pinned to (default 1); CLIENT_CPU for wrk (default 0)
USAGE
}

# The default set; servers.sh knows every kind (also weft-http-bare-*, weft-http-vt-*).
DEFAULT_KINDS="weft-nio weft-epoll weft-iouring netty-nio netty-epoll netty-iouring netty-http-nio netty-http-epoll jdk-vthreads weft-http-nio weft-http-epoll c-epoll"
DEFAULT_JVM_OPTS="-Xms64m -Xmx512m"

kinds="$DEFAULT_KINDS" rounds=5 duration=10 warmup=2 conns=64 depth=16 workloads="keepalive,pipelined"
stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
out="$root/bench/results/$stamp-compare.md" note="" path="/"
while getopts "k:r:d:w:c:p:W:o:u:n:h" opt; do
  case "$opt" in
    k) kinds="${OPTARG//,/ }" ;;
    r) rounds="$OPTARG" ;;
    d) duration="$OPTARG" ;;
    w) warmup="$OPTARG" ;;
    c) conns="$OPTARG" ;;
    p) depth="$OPTARG" ;;
    W) workloads="${OPTARG//,/ }" ;;
    o) out="$OPTARG" ;;
    u) path="$OPTARG" ;;
    n) note="$OPTARG" ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
workloads="${workloads//,/ }"
jvm_opts="${JVM_OPTS:-$DEFAULT_JVM_OPTS}${JVM_EXTRA_OPTS:+ $JVM_EXTRA_OPTS}"
server_cpu="${SERVER_CPU:-1}" client_cpu="${CLIENT_CPU:-0}"

. "$here/servers.sh"
command -v wrk >/dev/null || "$root/scripts/install-tools.sh" bench
command -v taskset >/dev/null || { echo "taskset (util-linux) is missing" >&2; exit 1; }
clk_tck="$(getconf CLK_TCK)"

run_wrk() {  # run_wrk WORKLOAD SECONDS -> the WRK-RESULT line
  local workload="$1" seconds="$2"
  local -a args=(-t1 "-c$conns" "-d${seconds}s")
  if [[ "$workload" == pipelined ]]; then
    args+=(-s "$here/wrk-pipeline.lua" "$scheme://127.0.0.1:$port$path" -- "$depth")
  else
    args+=(-s "$here/wrk-report.lua" "$scheme://127.0.0.1:$port$path")
  fi
  taskset -c "$client_cpu" wrk "${args[@]}" | grep '^WRK-RESULT' || echo "WRK-RESULT requests=0 bytes=0 duration_us=1 errors=-1 status_errors=-1 p50_us=0 p99_us=0"
}
field() { sed -n "s/.*[[:space:]]$1=\\([-0-9]*\\).*/\\1/p" <<<" $2"; }

# Preflight: drop the kinds that cannot run here, saying why.
notes=()
runnable=()
for kind in $kinds; do
  start_error=""
  case " $ALL_KINDS " in *" $kind "*) ;; *) echo "unknown kind: $kind" >&2; usage >&2; exit 2 ;; esac
  if ! check_kind "$kind"; then
    notes+=("$kind skipped: $start_error")
    continue
  fi
  if start_server "$kind"; then
    stop_server
    runnable+=("$kind")
  else
    notes+=("$kind skipped: it did not start: ${start_error:-no 'listening on' within 30 s}")
  fi
done
for n in "${notes[@]}"; do echo "note: $n" >&2; done
((${#runnable[@]})) || { echo "no server kind can run" >&2; exit 1; }

# Alternate peers and Weft kinds within a round (peer, Weft, peer, Weft...), reversed on odd
# rounds, so that a slow drift of the machine does not favour one side.
peers=() wefts=()
for kind in "${runnable[@]}"; do
  if [[ "$kind" == weft-* ]]; then wefts+=("$kind"); else peers+=("$kind"); fi
done
order=()
for ((i = 0; i < ${#peers[@]} || i < ${#wefts[@]}; i++)); do
  ((i < ${#peers[@]})) && order+=("${peers[i]}")
  ((i < ${#wefts[@]})) && order+=("${wefts[i]}")
done

mkdir -p "$(dirname "$out")"
csv="${out%.md}.csv"
echo "round,workload,kind,requests,duration_us,req_per_s,cpu_ticks,cpu_us_per_req,bytes_per_req,errors,status_errors,p50_us,p99_us,user_us_per_req,sys_us_per_req" >"$csv"
echo "kinds in order: ${order[*]}; $rounds round(s), ${warmup}s warm-up + ${duration}s measured, -c$conns, pipeline depth $depth" >&2

for ((round = 1; round <= rounds; round++)); do
  this_round=("${order[@]}")
  if ((round % 2 == 0)); then
    this_round=()
    for ((i = ${#order[@]} - 1; i >= 0; i--)); do this_round+=("${order[i]}"); done
  fi
  for workload in $workloads; do
    for kind in "${this_round[@]}"; do
      if ! start_server "$kind"; then
        echo "round $round $workload $kind: did not start ($start_error)" >&2
        continue
      fi
      ((warmup > 0)) && run_wrk "$workload" "$warmup" >/dev/null
      read -r user_before sys_before < <(cpu_ticks_split)
      result="$(run_wrk "$workload" "$duration")"
      read -r user_after sys_after < <(cpu_ticks_split)
      stop_server
      requests="$(field requests "$result")" duration_us="$(field duration_us "$result")"
      user=$((user_after - user_before)) sys=$((sys_after - sys_before))
      row="$(awk -v r="$requests" -v d="$duration_us" -v t=$((user + sys)) -v hz="$clk_tck" \
        -v b="$(field bytes "$result")" 'BEGIN {
          if (r > 0) printf "%.1f,%d,%.3f,%.1f", r * 1e6 / d, t, t * 1e6 / hz / r, b / r;
          else printf "0,%d,,", t }')"
      split="$(awk -v r="$requests" -v u="$user" -v s="$sys" -v hz="$clk_tck" 'BEGIN {
          if (r > 0) printf "%.3f,%.3f", u * 1e6 / hz / r, s * 1e6 / hz / r; else printf "," }')"
      line="$round,$workload,$kind,$requests,$duration_us,$row,$(field errors "$result"),$(field status_errors "$result"),$(field p50_us "$result"),$(field p99_us "$result"),$split"
      echo "$line" >>"$csv"
      echo "$line" >&2
    done
  done
done

{
  echo "# Weft side-by-side comparison, $stamp"
  echo
  [[ -n "$note" ]] && { echo "**$note**"; echo; }
  echo "- machine: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(uname -sr); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- server pinned to CPU $server_cpu, wrk (-t1) to CPU $client_cpu; $("$java" -version 2>&1 | head -1); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
  echo "- server JVM flags: \`$jvm_opts -Djdk.virtualThreadScheduler.parallelism=1\`"
  echo "- $rounds round(s); each run: ${warmup} s warm-up (not measured), ${duration} s measured, $conns connections, GET $path; pipelined: $depth requests per batch"
  echo "- commit: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- bench 2>/dev/null || echo ' (with uncommitted changes in bench/)')"
  for n in "${notes[@]}"; do echo "- $n"; done
  echo
  python3 "$here/compare-report.py" "$csv"
} >"$out"
cat "$out"
echo "report: $out (raw rows: $csv)" >&2
