#!/usr/bin/env python3
"""The Python module against what a numpy user has today, in one process,
on the same arrays, every contender timed in turn within each round.

    pip install ./bindings/python pandas bottleneck   # bottleneck is optional
    python3 benches/python_vs_numpy.py [--n 10000000] [--k 250] [--rounds 5]

1. The seed workload (k functions f_j(x) = j * x, uniform uint32 indices):
   the numpy idiom (argsort, searchsorted, one fancy-indexed call per
   function), sa.apply on 1 thread and on all cores, and numpy's own
   streaming `idx * x` (one pass over the same bytes: the memory bound as
   numpy sees it). Every result is checked against `idx * x` first.
   The seed's table is all affine, which the engine streams in one pass
   (the fused strategy); a mixed table of 125 Exp and 125 degree-8 Poly,
   which goes through the counting-sort buckets, is timed the same way,
   against the numpy idiom with np.exp and Horner's rule per group.
2. Per-call overhead: sa.apply on 10 points, with and without out=.
3. Rolling mean, w = 10 (a 21-point centred window): sa.rolling_mean
   against pandas' rolling(center=True).mean() and bottleneck's move_mean
   (a trailing window, shifted), with each one's worst relative error
   against exact sums (math.fsum) on a random walk.
4. Python callables (``--sections closures halotools cfunc overlap``):
   - the seed workload as k Python closures ``lambda v, j=j: j * v``,
     passed to sa.apply as a list and as a Table, against the numpy idiom;
   - halotools' ``vel_prof_func_table`` of NFWPhaseSpace (18
     InterpolatedUnivariateSpline objects; when halotools is not
     installed, a table built the same way, labelled so) passed as it is,
     N = 2*10^6 log radii, against halotools' ``call_func_table``: lowered
     to Spline kernels, and with lower=False;
   - 64 numba cfuncs, N = 4*10^6, on 1 and 2 threads (same bits checked);
   - whether calling the callables from two Python threads at once pays
     (numpy ufuncs release the GIL), timed on the calls alone.

Prints each round, then the median of each ratio over the rounds.
"""
import argparse
import math
import os
import statistics
import time

# OpenBLAS worker threads spin for a while after a BLAS call (halotools
# and scipy make some), taking a core from the threads being timed.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import splitapply as sa  # noqa: E402


def seconds(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def numpy_idiom(func_table, idx, x):
    """The original split-apply-combine (benches/numpy_baseline.py)."""
    order = idx.argsort()
    ranges = list(np.searchsorted(idx[order], range(len(func_table))))
    ranges.append(None)
    out = np.zeros_like(x)
    for i in range(len(func_table)):
        ix = order[ranges[i] : ranges[i + 1]]
        out[ix] = func_table[i](x[ix])
    return out


def seed(args):
    rng = np.random.default_rng(1)
    n, k = args.n, args.k
    x = rng.random(n)
    idx = rng.integers(0, k, n).astype(np.uint32)
    funcs = [(lambda j: (lambda v: j * v))(j) for j in range(k)]
    t = sa.Table()
    t.affine_many(np.arange(float(k)), np.zeros(k))
    want = idx * x
    out = np.empty_like(x)
    assert np.array_equal(numpy_idiom(funcs, idx, x), want), "numpy idiom is wrong"
    assert np.array_equal(sa.apply(t, idx, x, threads=1), want), "splitapply is wrong"
    assert np.array_equal(sa.apply(t, idx, x), want), "splitapply is wrong"
    contenders = {
        "numpy idiom": lambda: numpy_idiom(funcs, idx, x),
        "sa 1 thread": lambda: sa.apply(t, idx, x, out=out, threads=1),
        "sa all cores": lambda: sa.apply(t, idx, x, out=out),
        "numpy idx*x": lambda: np.multiply(idx, x, out=out),
    }
    print(f"seed workload: N = {n:,}, k = {k}, f64, uint32 indices; ns/point per round")
    timed_rounds(
        args.rounds,
        n,
        contenders,
        {
            "numpy / sa 1 thread": ("numpy idiom", "sa 1 thread"),
            "numpy / sa all cores": ("numpy idiom", "sa all cores"),
            "sa all cores / numpy idx*x": ("sa all cores", "numpy idx*x"),
        },
    )


def timed_rounds(rounds, n, contenders, ratios):
    """Times every contender in turn, `rounds` times; prints each round's
    ns/point and the median of each ratio (name: (numerator, denominator))
    over the rounds."""
    values = {name: [] for name in ratios}
    for r in range(rounds):
        ns = {name: seconds(fn) * 1e9 / n for name, fn in contenders.items()}
        for name, (top, bottom) in ratios.items():
            values[name].append(ns[top] / ns[bottom])
        print(f"  round {r + 1}: " + ", ".join(f"{name} {v:.2f}" for name, v in ns.items()))
    for name, vs in values.items():
        print(f"  median {name}: {statistics.median(vs):.1f}x  (rounds: {', '.join(f'{v:.1f}' for v in vs)})")


def horner(coeffs):
    def f(v):
        acc = np.full_like(v, coeffs[-1])
        for c in coeffs[-2::-1]:
            acc = acc * v + c
        return acc

    return f


def mixed(args):
    rng = np.random.default_rng(3)
    n, k = args.n, args.k
    x = rng.uniform(0.1, 2.1, n)
    idx = rng.integers(0, k, n).astype(np.uint32)
    t = sa.Table()
    funcs = []
    for j in range(k):
        if j % 2 == 0:
            t.exp()
            funcs.append(np.exp)
        else:
            coeffs = [1.0 / (d + 1 + j % 7) for d in range(9)]
            t.poly(coeffs)
            funcs.append(horner(coeffs))
    out = np.empty_like(x)
    np.testing.assert_allclose(sa.apply(t, idx, x), numpy_idiom(funcs, idx, x), rtol=1e-13)
    contenders = {
        "numpy idiom": lambda: numpy_idiom(funcs, idx, x),
        "sa 1 thread": lambda: sa.apply(t, idx, x, out=out, threads=1),
        "sa all cores": lambda: sa.apply(t, idx, x, out=out),
    }
    zeros = np.zeros(n, np.uint32)  # every point to function 0, Exp: a plain map
    contenders["exp map alone, all cores"] = lambda: sa.apply(t, zeros, x, out=out)
    print(f"mixed table: N = {n:,}, k = {k} (half Exp, half degree-8 Poly), f64, uint32 indices; ns/point per round")
    timed_rounds(
        args.rounds,
        n,
        contenders,
        {
            "numpy / sa 1 thread": ("numpy idiom", "sa 1 thread"),
            "numpy / sa all cores": ("numpy idiom", "sa all cores"),
            "sa all cores / exp map": ("sa all cores", "exp map alone, all cores"),
        },
    )


def overhead(args):
    t = sa.Table()
    t.affine_many(np.arange(250.0), np.zeros(250))
    idx = np.arange(10, dtype=np.int64) * 7
    x = np.linspace(0, 1, 10)
    out = np.empty(10)
    calls = 20_000
    rows = {"sa.apply, new array": lambda: sa.apply(t, idx, x), "sa.apply, out=": lambda: sa.apply(t, idx, x, out=out)}
    rows["numpy idx * x (for scale)"] = lambda: idx * x
    print(f"per-call cost on 10 points, median of {args.rounds} rounds of {calls:,} calls, µs/call")
    for name, fn in rows.items():
        per_round = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            for _ in range(calls):
                fn()
            per_round.append((time.perf_counter() - start) / calls * 1e6)
        print(f"  {name}: {statistics.median(per_round):.2f}  (rounds: {', '.join(f'{v:.2f}' for v in per_round)})")


def worst_relative_error(got, walk, w, at):
    exact = np.array([math.fsum(walk[i - w : i + w + 1]) / (2 * w + 1) for i in at])
    return float(np.max(np.abs(got[at] - exact) / np.abs(exact)))


def rolling(args):
    try:
        import pandas as pd
    except ImportError:
        print("rolling mean: pandas not installed, skipped")
        return
    try:
        import bottleneck as bn
    except ImportError:
        bn = None
    n, w = args.n, 10
    rng = np.random.default_rng(2)
    walk = 1e6 + np.cumsum(rng.normal(size=n))
    series = pd.Series(walk)
    out = np.empty_like(walk)
    contenders = {
        "sa all cores": lambda: sa.rolling_mean(walk, w, out=out),
        "sa 1 thread": lambda: sa.rolling_mean(walk, w, out=out, threads=1),
        "pandas": lambda: series.rolling(2 * w + 1, center=True).mean().to_numpy(),
    }
    if bn is not None:
        contenders["bottleneck"] = lambda: bn.move_mean(walk, 2 * w + 1)
    at = np.linspace(w, n - w - 1, 3000).astype(np.int64)
    errors = {
        "sa": worst_relative_error(sa.rolling_mean(walk, w), walk, w, at),
        "pandas": worst_relative_error(contenders["pandas"](), walk, w, at),
    }
    if bn is not None:
        # move_mean's window ends at i; centred, it ends at i + w.
        shifted = np.empty_like(walk)
        shifted[: n - w] = bn.move_mean(walk, 2 * w + 1)[w:]
        errors["bottleneck"] = worst_relative_error(shifted, walk, w, at[at < n - 2 * w])
    print(f"rolling mean: N = {n:,}, w = {w} (21-point window), random walk around 1e6; ns/point per round")
    ratios = {"pandas / sa all cores": [], "pandas / sa 1 thread": []}
    if bn is not None:
        ratios["bottleneck / sa all cores"] = []
    for r in range(args.rounds):
        ns = {name: seconds(fn) * 1e9 / n for name, fn in contenders.items()}
        ratios["pandas / sa all cores"].append(ns["pandas"] / ns["sa all cores"])
        ratios["pandas / sa 1 thread"].append(ns["pandas"] / ns["sa 1 thread"])
        if bn is not None:
            ratios["bottleneck / sa all cores"].append(ns["bottleneck"] / ns["sa all cores"])
        print(f"  round {r + 1}: " + ", ".join(f"{name} {v:.2f}" for name, v in ns.items()))
    for name, values in ratios.items():
        print(f"  median {name}: {statistics.median(values):.1f}x  (rounds: {', '.join(f'{v:.1f}' for v in values)})")
    print("  worst relative error against exact sums: " + ", ".join(f"{k} {v:.1e}" for k, v in errors.items()))


def closures(args):
    rng = np.random.default_rng(1)
    n, k = args.n, args.k
    x = rng.random(n)
    idx = rng.integers(0, k, n).astype(np.uint32)
    funcs = [lambda v, j=j: j * v for j in range(k)]
    t = sa.Table()
    for f in funcs:
        t.function(f)
    want = idx * x
    out = np.empty_like(x)
    assert np.array_equal(numpy_idiom(funcs, idx, x), want), "numpy idiom is wrong"
    for table in (funcs, t):
        assert np.array_equal(sa.apply(table, idx, x, threads=1), want), "splitapply is wrong"
    contenders = {
        "numpy idiom": lambda: numpy_idiom(funcs, idx, x),
        "sa list 1 thread": lambda: sa.apply(funcs, idx, x, out=out, threads=1),
        "sa Table 1 thread": lambda: sa.apply(t, idx, x, out=out, threads=1),
        "sa Table all cores": lambda: sa.apply(t, idx, x, out=out),
    }
    print(f"seed workload as {k} Python closures: N = {n:,}, f64, uint32 indices; ns/point per round")
    timed_rounds(
        args.rounds,
        n,
        contenders,
        {
            "numpy / sa list 1 thread": ("numpy idiom", "sa list 1 thread"),
            "numpy / sa Table 1 thread": ("numpy idiom", "sa Table 1 thread"),
            "numpy / sa Table all cores": ("numpy idiom", "sa Table all cores"),
        },
    )


def velocity_table():
    """halotools' vel_prof_func_table of NFWPhaseSpace and its
    call_func_table; without halotools, a table built the way
    NFWPhaseSpace builds it (one InterpolatedUnivariateSpline of degree 3
    per concentration bin through 101 log radii) and the numpy idiom."""
    try:
        from halotools.empirical_models import NFWPhaseSpace
        from halotools.empirical_models.model_helpers import call_func_table
    except ImportError:
        from scipy.interpolate import InterpolatedUnivariateSpline

        logr = np.log10(np.logspace(-3, 0, 101))
        r = 10**logr
        table = []
        for c in np.linspace(1.0, 25.0, 18):
            profile = np.sqrt(c * r / (1 + c * r) ** 2 + 0.05) + 0.01 * np.log1p(c)
            table.append(InterpolatedUnivariateSpline(logr, profile, k=3))
        label = "halotools-style table (halotools not installed; built as NFWPhaseSpace builds it)"
        return np.array(table, dtype=object), lambda table, x, idx: numpy_idiom(table, idx, x), label
    model = NFWPhaseSpace()
    model.build_lookup_tables()
    return model.vel_prof_func_table, call_func_table, "halotools NFWPhaseSpace().vel_prof_func_table"


def halotools(args):
    n = 2_000_000
    table, call_func_table, label = velocity_table()
    rng = np.random.default_rng(4)
    idx = rng.integers(0, len(table), n)
    x = np.log10(rng.uniform(1e-3, 1.0, n))  # log10 of scaled radii, as halotools passes them
    want = call_func_table(table, x, idx)
    lowered = sa.apply(table, idx, x, threads=1)
    worst = float(np.max(np.abs(lowered - want) / np.abs(want)))
    assert worst <= 1e-12, worst
    assert np.array_equal(sa.apply(table, idx, x, threads=1, lower=False), want), "lower=False must be exact"
    out = np.empty_like(x)
    contenders = {
        "call_func_table": lambda: call_func_table(table, x, idx),
        "sa lowered 1 thread": lambda: sa.apply(table, idx, x, out=out, threads=1),
        "sa lower=False 1 thread": lambda: sa.apply(table, idx, x, out=out, threads=1, lower=False),
        "sa lowered all cores": lambda: sa.apply(table, idx, x, out=out),
    }
    print(f"{label}: k = {len(table)}, N = {n:,}; ns/point per round")
    print(f"  lowered against call_func_table: worst relative difference {worst:.1e}; lower=False: identical")
    timed_rounds(
        args.rounds,
        n,
        contenders,
        {
            "call_func_table / sa lowered 1 thread": ("call_func_table", "sa lowered 1 thread"),
            "call_func_table / sa lower=False 1 thread": ("call_func_table", "sa lower=False 1 thread"),
            "call_func_table / sa lowered all cores": ("call_func_table", "sa lowered all cores"),
        },
    )


def cfuncs(args):
    try:
        import numba
    except ImportError:
        print("numba cfuncs: numba not installed, skipped")
        return
    n, k = 4_000_000, 64

    def make(a, b):
        @numba.cfunc("float64(float64)")
        def f(v):
            return a * np.exp(-b * v) + np.sqrt(v)

        return f

    funcs = [make(1.0 + j, 0.5 + 0.01 * j) for j in range(k)]
    t = sa.Table()
    for f in funcs:
        t.function(f)
    rng = np.random.default_rng(5)
    idx = rng.integers(0, k, n).astype(np.uint32)
    x = rng.uniform(0.0, 4.0, n)
    one = sa.apply(t, idx, x, threads=1)
    assert np.array_equal(sa.apply(t, idx, x, threads=2), one), "threads must not change a bit"
    sample = rng.integers(0, n, 2000)
    assert all(one[i] == funcs[idx[i]].ctypes(x[i]) for i in sample), "the C functions' own values"
    out = np.empty_like(x)
    contenders = {
        "sa 1 thread": lambda: sa.apply(t, idx, x, out=out, threads=1),
        "sa 2 threads": lambda: sa.apply(t, idx, x, out=out, threads=2),
    }
    print(f"{k} numba cfuncs float64(float64), N = {n:,}; ns/point per round")
    timed_rounds(args.rounds, n, contenders, {"1 thread / 2 threads": ("sa 1 thread", "sa 2 threads")})


def overlap(args):
    """The calls alone, on the groups sa.apply would hand them: one after
    the other, and spread over two Python threads (numpy releases the GIL
    inside a ufunc loop of more than a few hundred elements); and the
    whole sa.apply on one thread, to project what overlapping the calls
    would save of it."""
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(6)
    print("Python calls alone, k closures on their groups, one thread vs two; ns/point per round")
    for n, k, body in [
        (args.n, args.k, "j * v"),
        (args.n, args.k, "np.exp(v) * j"),
        (args.n, 2500, "j * v"),
    ]:
        funcs = [eval(f"lambda v, j={j}: {body}", {"np": np}) for j in range(k)]
        x = rng.random(n)
        idx = rng.integers(0, k, n).astype(np.uint32)
        order = np.argsort(idx, kind="stable")
        bounds = np.searchsorted(idx[order], np.arange(k + 1))
        groups = [x[order[bounds[j] : bounds[j + 1]]] for j in range(k)]
        out = np.empty_like(x)
        pool = ThreadPoolExecutor(2)

        def serial():
            return [f(g) for f, g in zip(funcs, groups)]

        def threaded():
            return list(pool.map(lambda fg: fg[0](fg[1]), zip(funcs, groups)))

        contenders = {
            "calls serial": serial,
            "calls two threads": threaded,
            "sa.apply 1 thread": lambda: sa.apply(funcs, idx, x, out=out, threads=1),
        }
        print(f"  k = {k}, N = {n:,}, f_j(v) = {body}:")
        values = {"calls: serial / two threads": [], "sa.apply projected with overlapped calls": []}
        for r in range(args.rounds):
            ns = {name: seconds(fn) * 1e9 / n for name, fn in contenders.items()}
            values["calls: serial / two threads"].append(ns["calls serial"] / ns["calls two threads"])
            whole = ns["sa.apply 1 thread"]
            overlapped = whole - ns["calls serial"] + ns["calls two threads"]
            values["sa.apply projected with overlapped calls"].append(whole / overlapped)
            print(f"  round {r + 1}: " + ", ".join(f"{name} {v:.2f}" for name, v in ns.items()))
        for name, vs in values.items():
            print(f"  median {name}: {statistics.median(vs):.2f}x  (rounds: {', '.join(f'{v:.2f}' for v in vs)})")
        pool.shutdown()


SECTIONS = {
    "seed": seed,
    "mixed": mixed,
    "overhead": overhead,
    "rolling": rolling,
    "closures": closures,
    "halotools": halotools,
    "cfunc": cfuncs,
    "overlap": overlap,
}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=10_000_000)
    p.add_argument("--k", type=int, default=250)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--sections", nargs="+", choices=list(SECTIONS), default=list(SECTIONS))
    args = p.parse_args()
    info = sa.simd_info()
    print(
        f"splitapply {sa.__version__}, numpy {np.__version__}; build {info['build']} "
        f"({info['level']}), compiled for {', '.join(info['compiled'])}"
    )
    for name in args.sections:
        SECTIONS[name](args)


if __name__ == "__main__":
    main()
