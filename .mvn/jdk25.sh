# Sourced by ./mvnw, .ci/run and the run scripts: leaves JAVA_HOME pointing at a JDK 25 or newer.
# Keeps JAVA_HOME when it already is one; otherwise looks at the java on PATH, then under /usr/lib/jvm.
weft_java_feature() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
weft_is_jdk25() { [ -x "$1/bin/javac" ] && [ "$(weft_java_feature "$1")" -ge 25 ] 2>/dev/null; }
if [ -z "${JAVA_HOME-}" ] || ! weft_is_jdk25 "$JAVA_HOME"; then
  set +f  # ./mvnw runs with globbing off
  for weft_candidate in "$(dirname "$(dirname "$(readlink -f "$(command -v javac || echo /nonexistent)")")")" /usr/lib/jvm/*; do
    if weft_is_jdk25 "$weft_candidate"; then JAVA_HOME="$weft_candidate"; export JAVA_HOME; break; fi
  done
fi
if [ -z "${JAVA_HOME-}" ] || ! weft_is_jdk25 "$JAVA_HOME"; then
  echo "Weft needs a JDK 25 or newer: set JAVA_HOME to one (none found on PATH or under /usr/lib/jvm)." >&2
  exit 1
fi
