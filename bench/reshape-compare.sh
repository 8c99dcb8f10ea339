#!/usr/bin/env bash
# Issue 9's criterion: the loop-core JMH rows (execute, timers, million timers) before the reshape
# (7b7bc22) and after it (this working tree), in one run, the two jars alternating, medians printed.
#
#   bench/reshape-compare.sh [rounds] [extra JMH options...]     # default 4 rounds, ~2.5 min each
#
# The "before" jar is built once from `git archive` into $OUT (never installed); the "after" jar is
# this tree's bench jar (package only). Rounds alternate the order (before first, then after first)
# so a machine that gets busier or quieter does not favour one side. Every round's JSON stays in
# $OUT. Set SIDES="before after other" to add a jar $OUT/other.jar to the rotation, BUILD=0 to
# reuse $OUT/after.jar.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-4}
shift $(( $# > 0 ? 1 : 0 ))
BEFORE=${BEFORE:-7b7bc22}
OUT=${OUT:-/tmp/weft-reshape-compare}
SIDES=${SIDES:-before after}
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
mkdir -p "$OUT"

if [ ! -f "$OUT/before.jar" ]; then
    rm -rf "$OUT/src" && mkdir -p "$OUT/src"
    git archive "$BEFORE" | tar -x -C "$OUT/src"
    (cd "$OUT/src" && ./mvnw -B -o -q -pl bench -am package -DskipTests)
    cp "$OUT/src/bench/target/benchmarks.jar" "$OUT/before.jar"
fi
if [ "${BUILD:-1}" != 0 ]; then
    ./mvnw -B -o -q -pl bench -am package -DskipTests
    cp bench/target/benchmarks.jar "$OUT/after.jar"
fi

for round in $(seq "$ROUNDS"); do
    order=$SIDES
    if (( round % 2 == 0 )); then order=$(echo "$SIDES" | tr ' ' '\n' | tac | tr '\n' ' '); fi
    for side in $order; do
        echo "round $round: $side (load $(cut -d' ' -f1 /proc/loadavg))"
        "$JAVA" -jar "$OUT/$side.jar" 'ExecuteThroughputBenchmark|TimerBenchmark|MillionTimersBenchmark' \
            -f 1 -wi 2 -i 3 -r 2 -w 2 -p impl=weft-nio "$@" \
            -rf json -rff "$OUT/$side-$round.json" > "$OUT/$side-$round.log"
    done
done

python3 - "$OUT" "$ROUNDS" $SIDES <<'EOF'
import json, statistics, sys
out, rounds, sides = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
rows = {}  # (benchmark, unit) -> side -> per-round medians
for side in sides:
    for r in range(1, rounds + 1):
        for b in json.load(open(f"{out}/{side}-{r}.json")):
            key = (b["benchmark"].split(".", 3)[-1], b["primaryMetric"]["scoreUnit"])
            raw = [x for fork in b["primaryMetric"]["rawData"] for x in fork]
            rows.setdefault(key, {}).setdefault(side, []).append(statistics.median(raw))
base = sides[0]
print("| benchmark | unit | " + " | ".join(f"{s}, per round" for s in sides) + " | "
      + " | ".join(f"median {s}" for s in sides) + " | " + " | ".join(f"{s}/{base}" for s in sides[1:]) + " |")
print("|---" * (2 + 2 * len(sides) + len(sides) - 1) + "|")
for (name, unit), by_side in sorted(rows.items()):
    med = {s: statistics.median(by_side[s]) for s in sides}
    cells = [", ".join(f"{v:.3g}" for v in by_side[s]) for s in sides]
    print(f"| {name} | {unit} | " + " | ".join(cells) + " | " + " | ".join(f"{med[s]:.3g}" for s in sides)
          + " | " + " | ".join(f"{med[s] / med[base]:.2f}" for s in sides[1:]) + " |")
print("\nops/us: higher is better; ms/op (single shot): lower is better.")
EOF
