#!/usr/bin/env bash
# Resident memory of each server kind holding N idle TCP connections. See bench/HARNESS.md.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
DEFAULT_JVM_OPTS="-Xms64m -Xmx512m"

usage() {
  cat <<USAGE
usage: bench/scripts/idle-memory.sh [-k KINDS] [-n CONNECTIONS] [-o FILE]

Build first: ./mvnw -B -q -pl bench -am package -DskipTests
  -k KINDS   comma-separated (default: weft-nio,weft-epoll,weft-iouring,netty-nio,netty-epoll,netty-iouring;
             kinds that cannot start, e.g. *-iouring where io_uring is disabled, are skipped with a note)
             weft-tls-*,netty-tls-*: idle TLS 1.3 connections, handshakes done
  -n N       idle connections (default 10000)
  -o FILE    report (default bench/results/<date>-idle-memory.md)
JVM_OPTS (default: $DEFAULT_JVM_OPTS) is the same for every server. The server is pinned to
SERVER_CPU (default 1), the Python asyncio client (idle-clients.py) to CLIENT_CPU (default 0).
USAGE
}

kinds="weft-nio weft-epoll weft-iouring netty-nio netty-epoll netty-iouring" count=10000
out="$root/bench/results/$(date -u +%Y-%m-%dT%H%M%SZ)-idle-memory.md"
while getopts "k:n:o:h" opt; do
  case "$opt" in
    k) kinds="${OPTARG//,/ }" ;;
    n) count="$OPTARG" ;;
    o) out="$OPTARG" ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
jvm_opts="${JVM_OPTS:-$DEFAULT_JVM_OPTS}"
server_cpu="${SERVER_CPU:-1}" client_cpu="${CLIENT_CPU:-0}"
. "$here/servers.sh"

# Server and client each hold one descriptor per connection.
want=$((count + 1000))
if (($(ulimit -n) < want)); then
  ulimit -n "$want" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fi
(($(ulimit -n) >= want)) || { echo "ulimit -n is $(ulimit -n), need $want: raise the hard limit" >&2; exit 1; }

rss_kib() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$server_pid/status"; }
open_fds() { find "/proc/$server_pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
# A full GC, so that heap garbage does not count as per-connection memory; RSS is read after it.
full_gc() { "$JAVA_HOME/bin/jcmd" "$server_pid" GC.run >/dev/null 2>&1 || true; sleep 1; }
# Java heap in use (KiB, all generations, not metaspace) as GC.heap_info reports it: read after a
# full GC it is the live heap, the part of the memory that a connection's Java objects take.
heap_used_kib() {
  "$JAVA_HOME/bin/jcmd" "$server_pid" GC.heap_info 2>/dev/null | grep -v -i -E 'metaspace|class space' \
    | sed -n 's/.* used \([0-9]*\)K.*/\1/p' | awk '{ s += $1 } END { print s + 0 }'
}

rows=() notes=()
for kind in $kinds; do
  start_error=""
  if ! check_kind "$kind" || ! start_server "$kind"; then
    notes+=("$kind skipped: $start_error")
    echo "note: $kind skipped: $start_error" >&2
    continue
  fi
  sleep 2
  full_gc
  before="$(rss_kib)" heap_before="$(heap_used_kib)" fds_before="$(open_fds)"
  ca=""
  [[ "$scheme" == https ]] && ca="$tls_dir/ca.pem"  # the *-tls-* kinds: idle TLS 1.3 connections, handshake done
  coproc CLIENT { taskset -c "$client_cpu" python3 "$here/idle-clients.py" "$count" 127.0.0.1 "$port" $ca; }
  client_pid=$CLIENT_PID
  read -r line <&"${CLIENT[0]}" || line=""
  # Wait until the server has accepted them all (its descriptor count), then let it settle.
  for _ in $(seq 300); do
    (($(open_fds) - fds_before >= count)) && break
    sleep 0.1
  done
  accepted=$(($(open_fds) - fds_before))
  sleep 2
  after="$(rss_kib)"
  full_gc
  after_gc="$(rss_kib)" heap_after_gc="$(heap_used_kib)"
  kill "$client_pid" 2>/dev/null || true
  wait "$client_pid" 2>/dev/null || true
  stop_server
  row="$(awk -v k="$kind" -v n="$accepted" -v b="$before" -v a="$after" -v g="$after_gc" \
    -v hb="$heap_before" -v hg="$heap_after_gc" 'BEGIN {
    printf "| %s | %d | %.1f | %.1f | %.1f | %.2f | %.2f | %.0f | %.2f |", k, n, b / 1024, a / 1024, g / 1024,
      n ? (a - b) / n : 0, n ? (g - b) / n : 0, n ? (hg - hb) * 1024 / n : 0, (hg - hb) / 1024 }')"
  echo "$kind: client said '$line'; $row" >&2
  rows+=("$row")
done

mkdir -p "$(dirname "$out")"
{
  echo "# Idle-connection memory, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "- $count idle connections from idle-clients.py (Python asyncio, CPU $client_cpu) to a server pinned to CPU $server_cpu"
  echo "- server JVM flags, same for all: \`$jvm_opts -Djdk.virtualThreadScheduler.parallelism=1\`; $("$java" -version 2>&1 | head -1)"
  echo "- RSS is VmRSS of /proc/PID/status; *before* after start-up and a full GC (jcmd GC.run); *after* 2 s after the last accept; *after GC* after another full GC"
  echo "- live heap: the used heap of jcmd GC.heap_info (all generations, no metaspace) after a full GC, before and after the connections; it is exact where RSS moves with the GC's page touching"
  echo "- machine: $(nproc) CPUs, $(uname -sr); commit $(git -C "$root" rev-parse --short HEAD)"
  for n in "${notes[@]}"; do echo "- $n"; done
  echo
  echo "| kind | accepted | RSS before (MiB) | RSS after (MiB) | RSS after GC (MiB) | RSS KiB/conn | RSS KiB/conn after GC | live heap bytes/conn | live heap growth (MiB) |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for r in "${rows[@]}"; do echo "$r"; done
} >"$out"
cat "$out"
echo "report: $out" >&2
