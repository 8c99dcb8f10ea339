#!/usr/bin/env bash
# Checks that the published artifacts are reproducible: builds the library modules of the working
# tree twice, in two fresh copies at two different paths, and compares every jar (classes, sources,
# javadoc, test kit) byte for byte; project.build.outputTimestamp pins the archive times.
# Prints the jars that differ and exits 1 if any does.
# Usage: scripts/check-reproducible.sh [extra Maven arguments, e.g. -o]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

build() {
  local name="$1" copy="$work/$1"
  shift
  mkdir -p "$copy"
  # The files git would commit (tracked and new, not ignored): no target/ leftovers.
  (cd "$root" && git ls-files -z --cached --others --exclude-standard | xargs -0 tar -cf - --) | tar -xf - -C "$copy"
  (cd "$copy" && ./mvnw -B -q -DskipTests -pl "$libraries" -am "$@" package)
  (cd "$copy" && find . -path '*/target/*.jar' -print0 | sort -z | xargs -0 sha256sum) >"$work/$name.sha256"
}

libraries=loop-bom,loop-core,loop-epoll,loop-vthreads,loop-metrics  # what is deployed
build first "$@"
build second "$@"
count=$(wc -l <"$work/first.sha256")
if ! diff "$work/first.sha256" "$work/second.sha256"; then
  echo "NOT reproducible: the jars above differ between two builds" >&2
  exit 1
fi
echo "reproducible: $count jars byte-identical across two builds"
