# Sourced by run.sh and running-test.sh.
# running PID: the process exists and is not a zombie (an exited child not yet waited for). One
# read of its stat: bash reaps a child whenever it exits, and a check that first saw the file and
# then read nothing called a process that had just gone "running" (and run.sh SIGKILLed a process that was gone).
running() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ -n "$stat" && "${stat:0:1}" != Z ]]
}
