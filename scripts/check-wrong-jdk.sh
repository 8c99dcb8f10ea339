#!/usr/bin/env bash
# Checks what a user sees who runs plain `mvn` on a JDK older than 25: the build's own message
# naming JDK 25, not the JVM's "Unrecognized option" from .mvn/jvm.config.
# Usage: scripts/check-wrong-jdk.sh [OLD_JAVA_HOME]   (default: the first JDK < 25 under /usr/lib/jvm)
# Needs a `mvn` on PATH (any 3.x). Exits 0 when the message is right, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

old_jdk="${1:-}"
if [[ -z "$old_jdk" ]]; then
  for candidate in /usr/lib/jvm/*; do
    version=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p') || continue
    if [[ -n "$version" && "${version%%.*}" -lt 25 ]]; then old_jdk="$candidate"; break; fi
  done
fi
[[ -n "$old_jdk" ]] || { echo "no JDK older than 25 found: pass one as the first argument" >&2; exit 1; }
command -v mvn >/dev/null || { echo "no mvn on PATH" >&2; exit 1; }

output=$(JAVA_HOME="$old_jdk" mvn -B -o -N validate 2>&1 || true)
if grep -q "Unrecognized option" <<<"$output" || ! grep -q "Weft needs a JDK 25" <<<"$output"; then
  echo "FAIL: plain mvn on $old_jdk did not name the JDK needed:" >&2
  echo "$output" >&2
  exit 1
fi
echo "OK: plain mvn on $old_jdk says: $(grep -m1 -o 'Weft needs a JDK 25[^.]*' <<<"$output")"
