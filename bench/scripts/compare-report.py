#!/usr/bin/env python3
"""Turns compare.sh's raw CSV into markdown: per workload, medians per server kind and their ratios
against every Weft kind, then the raw per-round rows. Usage: compare-report.py RAW.csv"""
import csv
import statistics
import sys


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def num(text):
    return float(text) if text not in ("", None) else None


def fmt(value, digits):
    return "n/a" if value is None else f"{value:,.{digits}f}"


def ratio(a, b):
    return None if a is None or not b else a / b


def main(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    workloads = list(dict.fromkeys(r["workload"] for r in rows))
    for workload in workloads:
        mine = [r for r in rows if r["workload"] == workload]
        kinds = list(dict.fromkeys(r["kind"] for r in mine))
        wefts = [k for k in kinds if k.startswith("weft-")]
        stats = {}
        for kind in kinds:
            runs = [r for r in mine if r["kind"] == kind]
            stats[kind] = {
                "rounds": len(runs),
                "rps": median(num(r["req_per_s"]) for r in runs),
                "cpu": median(num(r["cpu_us_per_req"]) for r in runs),
                "user": median(num(r.get("user_us_per_req")) for r in runs),
                "sys": median(num(r.get("sys_us_per_req")) for r in runs),
                "p99": median(num(r["p99_us"]) for r in runs),
                "bytes": median(num(r["bytes_per_req"]) for r in runs),
                "errors": sum(int(r["errors"] or 0) + int(r["status_errors"] or 0) for r in runs),
            }
        print(f"## {workload}\n")
        header = ["kind", "rounds", "median req/s", "median CPU µs/req", "user / sys µs/req", "median p99 µs",
                  "bytes/resp", "errors"]
        for w in wefts:
            header += [f"{w} ÷ row, req/s", f"{w} ÷ row, CPU/req"]
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for kind in kinds:
            s = stats[kind]
            cells = [kind, str(s["rounds"]), fmt(s["rps"], 0), fmt(s["cpu"], 2),
                     f'{fmt(s["user"], 2)} / {fmt(s["sys"], 2)}', fmt(s["p99"], 0),
                     fmt(s["bytes"], 1), str(s["errors"])]
            for w in wefts:
                cells += [fmt(ratio(stats[w]["rps"], s["rps"]), 2), fmt(ratio(stats[w]["cpu"], s["cpu"]), 2)]
            print("| " + " | ".join(cells) + " |")
        print()
        if wefts:
            print(f"Read a ratio column as *Weft kind ÷ this row*: `{wefts[0]} ÷ row, CPU/req` below 1 means "
                  f"{wefts[0]} spends less server CPU per request than that row's server.\n")
    print("## Raw rows, per round\n")
    columns = list(rows[0].keys()) if rows else []
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for r in rows:
        print("| " + " | ".join(r[c] for c in columns) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
