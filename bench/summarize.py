#!/usr/bin/env python3
"""Median of per-iteration scores per (benchmark, mode, impl), across all given JMH JSON files;
prints a markdown table with each Weft impl, Netty on the same poller and the ratio (Weft/Netty
for throughput, Netty/Weft for times, so > 1 always means Weft is better)."""
import json, sys, statistics, collections
vals = collections.defaultdict(list)   # key -> all iteration scores
rounds = collections.defaultdict(list) # key -> per-file medians
units = {}
for f in sys.argv[1:]:
    for b in json.load(open(f)):
        name = b["benchmark"].split(".")[-2] + "." + b["benchmark"].split(".")[-1]
        mode = b["mode"]; impl = b["params"]["impl"]; pm = b["primaryMetric"]
        key = (name, mode, impl)
        units[(name, mode)] = pm["scoreUnit"]
        if mode == "sample":
            p50 = pm["scorePercentiles"]["50.0"]; p99 = pm["scorePercentiles"]["99.0"]
            vals[key].append(p50); rounds[key].append(p50)
            vals[key + ("p99",)].append(p99)
        else:
            it = [x for fork in pm["rawData"] for x in fork]
            vals[key] += it; rounds[key].append(statistics.median(it))
print("| benchmark | mode | unit | Weft (median) | Netty (median) | Weft vs Netty | per-round medians Weft / Netty |")
print("|---|---|---|---|---|---|---|")
seen = []
for (name, mode, impl) in [k for k in vals if len(k) == 3]:
    if (name, mode) in seen: continue
    seen.append((name, mode))
    w = [k for k in vals if len(k) == 3 and k[0] == name and k[1] == mode and k[2].startswith("weft")]
    for wk in w:
        n = (name, mode, "netty-" + wk[2].split("-", 1)[1])  # the peer on the same poller: weft-epoll -> netty-epoll
        wm = statistics.median(vals[wk]); nm = statistics.median(vals[n]) if n in vals else float("nan")
        better = wm / nm if mode == "thrpt" else nm / wm
        label = "p50" if mode == "sample" else "median"
        rr = " ; ".join("%.3g" % x for x in rounds[wk]) + " / " + " ; ".join("%.3g" % x for x in rounds.get(n, []))
        print("| %s (%s) | %s %s | %s | %.3g | %.3g | %.2fx %s | %s |" % (name, wk[2], mode, label, units[(name, mode)], wm, nm, better, "better" if better >= 1 else "worse", rr))
        if mode == "sample":
            wp = statistics.median(vals[wk + ("p99",)]); np_ = statistics.median(vals[n + ("p99",)])
            print("| %s (%s) | sample p99 | %s | %.3g | %.3g | %.2fx %s | |" % (name, wk[2], units[(name, mode)], wp, np_, np_/wp, "better" if np_/wp >= 1 else "worse"))
