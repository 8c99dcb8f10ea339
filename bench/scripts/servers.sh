# Sourced by compare.sh and idle-memory.sh: starts and stops one bench server at a time.
# Expects $root, $jvm_opts and $server_cpu; sets java, servers_jar, http_jar, work, server_pid, port,
# scheme (https for the *-tls-* kinds, which get the throw-away certificate of tls_certs).
# shellcheck shell=bash

ALL_BENCH_KINDS="weft-nio weft-epoll weft-iouring netty-nio netty-epoll netty-iouring netty-http-nio netty-http-epoll netty-http-iouring jdk-vthreads weft-vt-nio weft-vt-epoll weft-vt-iouring"
# The minimal handler over TLS 1.3 (JDK provider, one certificate): Weft's TlsServer, Netty's SslHandler.
TLS_KINDS="weft-tls-nio weft-tls-epoll netty-tls-nio netty-tls-epoll"
ALL_BENCH_KINDS="$ALL_BENCH_KINDS $TLS_KINDS"
# weft-http-*: the http sample (metrics bound, its default); -bare: --no-metrics; -vt: --style vthreads.
# weft-https-*: the http sample serving HTTPS (--tls-cert/--tls-key, the certificate of tls_certs).
ALL_KINDS="$ALL_BENCH_KINDS weft-http-nio weft-http-epoll weft-http-iouring weft-http-bare-nio weft-http-bare-epoll weft-http-bare-iouring weft-http-vt-nio weft-http-vt-epoll weft-http-vt-iouring weft-https-nio weft-https-epoll c-epoll"

. "$root/.mvn/jdk25.sh"
java="$JAVA_HOME/bin/java"
servers_jar="$root/bench/target/bench-servers.jar"
http_jar="$root/samples/target/weft-http.jar"
[[ -f "$servers_jar" ]] || { echo "no $servers_jar: run ./mvnw -B -q -pl bench -am package -DskipTests first" >&2; exit 1; }

work="$(mktemp -d)"
server_pid=""
cleanup_servers() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup_servers EXIT

# check_kind KIND: fails, with the reason in $start_error, when KIND is unknown or its jar is missing.
check_kind() {
  case " $ALL_KINDS " in *" $1 "*) ;; *) start_error="unknown kind (known: $ALL_KINDS)"; return 1 ;; esac
  if [[ "$1" == c-epoll ]] && ! build_c_peer; then
    start_error="gcc could not build bench/peers/epoll_server.c"
    return 1
  fi
  if [[ "$1" == weft-http* && ! -f "$http_jar" ]]; then
    start_error="no $http_jar (build samples first)"
    return 1
  fi
}

# tls_certs: the throw-away CA and server certificate (P-256) of scripts/make-test-certs.sh, made
# once per run in $work/tls; every TLS kind gets the same server.pem / server.key, clients ca.pem.
tls_dir="$work/tls"
tls_certs() {
  [[ -f "$tls_dir/server.key" ]] || bash "$root/scripts/make-test-certs.sh" "$tls_dir" >/dev/null
}

# The C peer (bench/peers/epoll_server.c): the floor a runtime on epoll can reach.
c_peer="$root/bench/target/epoll_server"
build_c_peer() {
  [[ -x "$c_peer" && "$c_peer" -nt "$root/bench/peers/epoll_server.c" ]] && return 0
  gcc -O2 -o "$c_peer" "$root/bench/peers/epoll_server.c"
}

port=18100 scheme=http
# start_server KIND: starts it pinned on $server_cpu, waits for "listening on"; sets server_pid, port, scheme.
start_server() {
  port=$((port + 1))  # a fresh port per start: no wait on the previous server's TIME_WAITs
  while ss -ltnH "sport = :$port" | grep -q .; do port=$((port + 1)); done  # another run's server holds it
  # A fresh log per start, created here: the background job's own redirection may truncate it only
  # after the wait below has already read the previous server's "listening on".
  local kind="$1" log="$work/server-$port.log"
  : >"$log"
  local -a cmd
  scheme=http
  case "$kind" in
    *-tls-*) tls_certs; scheme=https
      cmd=("$java" $jvm_opts -Djdk.virtualThreadScheduler.parallelism=1 -jar "$servers_jar" "$kind" "$port" "$tls_dir/server.pem" "$tls_dir/server.key") ;;
    weft-https-*) tls_certs; scheme=https
      cmd=("$java" $jvm_opts -jar "$http_jar" --port "$port" --loops 1 --poller "${kind#weft-https-}" --tls-cert "$tls_dir/server.pem" --tls-key "$tls_dir/server.key") ;;
    weft-http-bare-*) cmd=("$java" $jvm_opts -jar "$http_jar" --port "$port" --loops 1 --no-metrics --poller "${kind#weft-http-bare-}") ;;
    weft-http-vt-*) cmd=("$java" $jvm_opts -jar "$http_jar" --port "$port" --loops 1 --style vthreads --poller "${kind#weft-http-vt-}") ;;
    weft-http-*) cmd=("$java" $jvm_opts -jar "$http_jar" --port "$port" --loops 1 --poller "${kind#weft-http-}") ;;
    c-epoll) cmd=("$c_peer" "$port") ;;
    # parallelism=1: jdk-vthreads gets one carrier thread; the other kinds ignore it (same flags for all).
    *) cmd=("$java" $jvm_opts -Djdk.virtualThreadScheduler.parallelism=1 -jar "$servers_jar" "$kind" "$port") ;;
  esac
  taskset -c "$server_cpu" "${cmd[@]}" >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 300); do
    grep -q "listening on" "$log" && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  start_error="$(grep -m1 -E 'Exception|Error|error' "$log" || tail -1 "$log")"
  stop_server
  return 1
}
stop_server() {
  [[ -n "$server_pid" ]] || return 0
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
# CPU time (user + system, all threads, dead ones included) of the server, in clock ticks.
cpu_ticks() { sed 's/^.*) //' "/proc/$server_pid/stat" | awk '{ print $12 + $13 }'; }
# The same, split: "USER SYSTEM" clock ticks (the kernel's share shows what no user-space change can save).
cpu_ticks_split() { sed 's/^.*) //' "/proc/$server_pid/stat" | awk '{ print $12, $13 }'; }

