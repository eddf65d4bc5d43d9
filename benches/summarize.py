#!/usr/bin/env python3
"""Summarise the latest criterion run as ns/element and ratios.

Reads target/criterion/<group>/<bench>/new/estimates.json (median) and
benchmark.json (throughput), prints one table per group with each
contender's ns per element and its time relative to splitapply.

    python3 benches/summarize.py [GROUP_PREFIX ...]
"""
import json
import pathlib
import sys

root = pathlib.Path("target/criterion")
prefixes = sys.argv[1:]
for group in sorted(p for p in root.iterdir() if p.is_dir() and p.name != "report"):
    if prefixes and not any(group.name.startswith(x) for x in prefixes):
        continue
    rows = {}
    for bench in sorted(group.iterdir()):
        est = bench / "new" / "estimates.json"
        meta = bench / "new" / "benchmark.json"
        if not est.exists():
            continue
        median_ns = json.loads(est.read_text())["median"]["point_estimate"]
        thr = json.loads(meta.read_text()).get("throughput") or {}
        n = thr.get("Elements") or 1
        rows[bench.name] = median_ns / n
    if not rows:
        continue
    ref = rows.get("splitapply") or rows.get("splitapply_plan") or next(iter(rows.values()))
    print(f"{group.name}")
    for name, ns in rows.items():
        print(f"  {name:28s} {ns:8.3f} ns/elem   {ns / ref:6.2f}x splitapply's time")
