#!/usr/bin/env bash
# The reliability scenarios: reliability/run.sh [--reduced] [SCENARIO...]
#
# Starts each sample jar on loopback (port 0) with -Dweft.poller=nio|epoll|iouring, in each style it has,
# drives it with the Java load client in reliability/src (WeftLoad), prints one RESULT line per run
# and a summary; exits 1 if any run failed or a server did not exit 0 after its SIGTERM. --reduced is the CI size (a few minutes in all). With
# SCENARIO names (churn keepalive fdexhaust slowhead slowbody noread halfclose resets echo shortecho
# kv kvflood graceful) only those run; WEFT_POLLERS="epoll" runs one poller (default: nio, epoll and,
# where the kernel allows it, iouring). Results: reliability/target/results.txt; server logs beside it.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
. "$root/.mvn/jdk25.sh"
java="$JAVA_HOME/bin/java"
. "$here/running.sh"

reduced=false
if [[ "${1:-}" == "--reduced" ]]; then reduced=true; shift; fi
only=("$@")
size() { if $reduced; then echo "$2"; else echo "$1"; fi; }   # size FULL REDUCED

out="$here/target"
mkdir -p "$out/classes"
results="$out/results.txt"
: > "$results"

jars="$root/samples/target"
if [[ ! -f "$jars/weft-http.jar" || ! -f "$jars/weft-echo.jar" || ! -f "$jars/weft-kv.jar" ]]; then
  echo "building the sample jars (package, tests skipped)"
  (cd "$root" && ./mvnw -B -q -o -pl samples -am package -DskipTests) || exit 1
fi
"$JAVA_HOME/bin/javac" -d "$out/classes" "$here"/src/*.java || exit 1

ulimit -n "$(ulimit -Hn)"   # 10 000 connections need the fds (the hard limit here is 20 000)
server_pid=""
server_port=""
trap 'if [[ -n "$server_pid" ]] && running "$server_pid"; then kill -KILL "$server_pid"; fi' EXIT
client_timeout="$(size 900 240)"   # seconds one client may take: a hang is a finding, not a stuck run

# start_server SAMPLE LOG FD_LIMIT(- to inherit) [JVM_OPTION...] -- SAMPLE_OPTION...: starts a sample, waits (<= 60 s) for its banner.
start_server() {
  local sample="$1" log="$2" fdlimit="$3"; shift 3
  local jvm=()
  rm -f "$log"   # an old log's banner would give an old port
  while [[ "$1" != "--" ]]; do jvm+=("$1"); shift; done
  shift
  ( if [[ "$fdlimit" != - ]]; then ulimit -n "$fdlimit"; fi; exec "$java" -XX:NativeMemoryTracking=summary "${jvm[@]}" -jar "$jars/weft-$sample.jar" --port 0 "$@" ) \
    > "$log" 2>&1 &
  server_pid=$!
  local i
  for ((i = 0; i < 600; i++)); do
    server_port="$(sed -n 's/.* listening on [^ ]*:\([0-9]*\) .*/\1/p' "$log" 2>/dev/null | head -1)"
    [[ -n "$server_port" ]] && return 0
    running "$server_pid" || break
    sleep 0.1   # a script polling a log file, not a test: bounded to 60 s
  done
  echo "server $sample did not start; log $log:" >&2
  cat "$log" >&2
  return 1
}


# dump_threads PID: what keeps a server alive: each thread's name, state and kernel wait channel,
# then a Java thread dump if the JVM still answers (<= 5 s).
dump_threads() {
  local t
  echo "--- run.sh: still running 10 s after SIGTERM; its threads (name, state, wait channel):"
  for t in /proc/"$1"/task/*; do
    echo "$(cat "$t/comm" 2>/dev/null) $(sed 's/.*) \(.\).*/\1/' "$t/stat" 2>/dev/null) $(cat "$t/wchan" 2>/dev/null)"
  done
  echo "process: $(cut -d' ' -f1-5 "/proc/$1/stat" 2>/dev/null); kernel stack:"
  cat "/proc/$1/stack" 2>/dev/null || echo "(unreadable)"
  timeout 5 "$JAVA_HOME/bin/jcmd" "$1" Thread.print 2>&1 || echo "(no Java thread dump)"
}

# stop_server LOG: SIGTERM, then at most 15 s for it to exit (its threads dumped to LOG at 10 s), then SIGKILL.
# Sets exit_status ("killed" only if the SIGKILL found it); writes the time from SIGTERM to exit to LOG.
stop_server() {
  local i start=$EPOCHREALTIME
  if running "$server_pid"; then kill -TERM "$server_pid" 2>/dev/null; fi
  for ((i = 0; i < 150; i++)); do
    running "$server_pid" || break
    ((i == 100)) && dump_threads "$server_pid" >> "$1" 2>&1  # 10 s: while it is surely still there
    sleep 0.1
  done
  if ((i == 150)) && kill -KILL "$server_pid" 2>/dev/null; then
    wait "$server_pid" 2>/dev/null
    exit_status=killed
  else
    wait "$server_pid" 2>/dev/null
    exit_status=$?
  fi
  local end=$EPOCHREALTIME
  echo "--- run.sh: exit $exit_status $(( (${end/./} - ${start/./}) / 1000 )) ms after SIGTERM" >> "$1"
}

wanted() {
  [[ ${#only[@]} -eq 0 ]] && return 0
  local s
  for s in "${only[@]}"; do [[ "$s" == "$1" ]] && return 0; done
  return 1
}

failures=0
unclean_exits=0
# scenario NAME SAMPLE POLLER STYLE FD_LIMIT "JVM_OPTIONS" "SAMPLE_OPTIONS" CLIENT_OPTION...
scenario() {
  local name="$1" sample="$2" poller="$3" style="$4" fdlimit="$5" jvmopts="$6" sampleopts="$7"; shift 7
  wanted "$name" || return 0
  local label="$sample/$poller/$style"
  local log="$out/$name-${label//\//-}.log"
  local styleopt=()
  case "$style" in
    loop) ;;
    vthreads) styleopt=(--style vthreads) ;;
    loop-carrier) styleopt=(--carrier loop) ;;
    pool-carrier) styleopt=(--carrier pool) ;;
  esac
  # shellcheck disable=SC2086 # the option strings are word lists
  if ! start_server "$sample" "$log" "$fdlimit" -Dweft.poller="$poller" $jvmopts -- --poller "$poller" "${styleopt[@]}" $sampleopts; then
    echo "RESULT $name $label verdict=FAIL (server did not start)" | tee -a "$results"
    failures=$((failures + 1))
    return
  fi
  local line rc
  line="$(timeout "$client_timeout" "$java" -cp "$out/classes" WeftLoad "$name" --port "$server_port" --pid "$server_pid" --label "$label" "$@" 2>"$log.client" | grep '^RESULT')"
  rc=${PIPESTATUS[0]}
  stop_server "$log"
  if [[ -z "$line" ]]; then
    if [[ $rc -eq 124 ]]; then line="RESULT $name $label verdict=FAIL (client still waiting after ${client_timeout}s: a hang)"
    else line="RESULT $name $label verdict=FAIL (client crashed, see $log.client)"; fi
  fi
  echo "$line serverExit=$exit_status" | tee -a "$results"
  if [[ $rc -ne 0 || "$line" != *verdict=PASS* ]]; then failures=$((failures + 1)); fi
  # A clean graceful stop on SIGTERM exits 0 (as nginx and redis-server do); anything else is counted.
  if [[ "$exit_status" != 0 ]]; then unclean_exits=$((unclean_exits + 1)); fi
}

# io_uring joins where the kernel allows it (io_uring_disabled absent or 0); WEFT_POLLERS overrides.
default_pollers="nio epoll"
if [[ "$(cat /proc/sys/kernel/io_uring_disabled 2>/dev/null || echo 0)" == 0 ]]; then
  default_pollers="$default_pollers iouring"
else
  echo "io_uring is disabled on this kernel (/proc/sys/kernel/io_uring_disabled): nio and epoll only"
fi
read -r -a pollers <<< "${WEFT_POLLERS:-$default_pollers}"
for p in "${pollers[@]}"; do
  for s in loop vthreads; do
    scenario churn http "$p" "$s" - "" "" --n "$(size 100000 20000)" --conc 64
    scenario keepalive http "$p" "$s" - "" "" --n "$(size 10000 1000)" --rounds 3
    scenario fdexhaust http "$p" "$s" 128 "" "" --n 300
    scenario slowhead http "$p" "$s" - "" "--idle-timeout 2" --conc 8 --bound 6
    scenario slowbody http "$p" "$s" - "" "--idle-timeout 2" --conc 8 --bound 6
    scenario resets http "$p" "$s" - "" "" --n "$(size 100000 10000)" --conc 16
    scenario graceful http "$p" "$s" - "" "" --n "$(size 50000 40000)" --conc "$(size 8 4)"
  done
  scenario noread echo "$p" loop - "" "" --conc 8 --bytes "$(size 268435456 67108864)"
  scenario halfclose echo "$p" loop - "" ""
  scenario echo echo "$p" loop - "" "" --conc 16 --bytes "$(size 268435456 16777216)"
  scenario shortecho echo "$p" loop - "" "" --n "$(size 20000 2000)" --conc 128
  for c in loop-carrier pool-carrier; do
    scenario kv kv "$p" "$c" - "" "" --n "$(size 20000 10000)" --conc 128
    scenario keepalive kv "$p" "$c" - "" "" --n "$(size 10000 1000)" --rounds 3 --protocol resp
  done
  scenario kvflood kv "$p" loop-carrier - "-Xmx512m" "" --conc "$(size 8 4)" --values "$(size 12 3)"
done

echo
echo "$(grep -c 'verdict=PASS' "$results") passed, $failures failed, $unclean_exits servers did not exit 0 on SIGTERM (results: $results)"
[[ $failures -eq 0 && $unclean_exits -eq 0 ]]
