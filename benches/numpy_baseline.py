#!/usr/bin/env python3
"""Times the numpy originals that splitapply replaces, for side-by-side
comparison with the criterion benches (same N, k and window sizes).

    python3 benches/numpy_baseline.py [--n 10000000] [--k 250] [--repeats 3] [--json]

1. The seed's split-apply-combine: argsort the function indices, find each
   function's range with searchsorted, fancy-index each group through its
   function (f_j(x) = j * x), N points, k functions.
2. The rolling-mean idiom: np.pad(mode='edge'), cumsum, difference, for
   half-widths 10 and 500 on a random walk (np.random.rand(n).cumsum()),
   with its relative error against direct summation on a sample.

Prints ns/element (best of --repeats), or with --json one JSON object (what
the roofline report reads). Exits 0 with a clear message when numpy is not
installed.
"""
import argparse
import json
import sys
import time

try:
    import numpy as np
except ImportError:
    np = None


def best_of(repeats, fn):
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def seed_numpy(func_table, func_indices, abcissa):
    """The original algorithm, as in the discussion that started the project."""
    func_argsort = func_indices.argsort()
    func_ranges = list(np.searchsorted(func_indices[func_argsort], range(len(func_table))))
    func_ranges.append(None)
    out = np.zeros_like(abcissa)
    for i in range(len(func_table)):
        ix = func_argsort[func_ranges[i]:func_ranges[i + 1]]
        out[ix] = func_table[i](abcissa[ix])
    return out


def rolling_cumsum(data, w):
    padded = np.pad(data, w, mode="edge")
    c = np.concatenate(([0.0], np.cumsum(padded)))
    return (c[2 * w + 1:] - c[: -2 * w - 1]) / (2 * w + 1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=10_000_000)
    p.add_argument("--k", type=int, default=250)
    p.add_argument("--rolling-n", type=int, default=2_000_000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    a = p.parse_args()
    if np is None:
        reason = "numpy not installed (pip install numpy)"
        print(json.dumps({"not_measured": reason}) if a.json else f"numpy baseline: not measured: {reason}")
        sys.exit(0)
    report = {"n": a.n, "k": a.k, "rolling_n": a.rolling_n, "rolling": []}

    rng = np.random.default_rng(1)
    x = rng.random(a.n)
    idx = rng.integers(0, a.k, a.n).astype(np.uint32)
    table = [(lambda j: (lambda v: j * v))(j) for j in range(a.k)]
    out = seed_numpy(table, idx, x)
    assert np.array_equal(out, idx * x), "numpy seed result is wrong"
    t = best_of(a.repeats, lambda: seed_numpy(table, idx, x))
    report["seed_ns_per_element"] = t * 1e9 / a.n
    if not a.json:
        print(f"numpy seed split-apply-combine   N={a.n} k={a.k}: {t * 1e9 / a.n:8.2f} ns/element")

    walk = rng.random(a.rolling_n).cumsum()
    for w in (10, 500):
        got = rolling_cumsum(walk, w)
        sample = rng.integers(0, a.rolling_n, 2000)
        padded = np.pad(walk, w, mode="edge")
        direct = np.array([np.sum(padded[i : i + 2 * w + 1]) / (2 * w + 1) for i in sample])
        rel = np.max(np.abs(got[sample] - direct) / np.abs(direct))
        t = best_of(a.repeats, lambda: rolling_cumsum(walk, w))
        report["rolling"].append(
            {"half_window": w, "ns_per_element": t * 1e9 / a.rolling_n, "max_rel_error": float(rel)}
        )
        if not a.json:
            print(
                f"numpy rolling mean (cumsum idiom) N={a.rolling_n} w={w}: "
                f"{t * 1e9 / a.rolling_n:8.2f} ns/element, max relative error {rel:.1e}"
            )
    if a.json:
        print(json.dumps(report))


if __name__ == "__main__":
    main()
