"""Compiled callables: a numba cfunc float64(float64) or a
scipy.LowLevelCallable "double (double)" in a table is a C function
called per point from the Rust workers, without the GIL."""

import ctypes
import gc
import pickle
import threading
import time

import numpy as np
import pytest

import splitapply as sa
from splitapply import _callables

numba = pytest.importorskip("numba")


def make_cfunc(a, b):
    """A compiled function with a branch (numba freezes a and b)."""

    @numba.cfunc("float64(float64)")
    def f(v):
        return a * v * v - b if v > 0.5 else np.sin(a * v)

    return f


def make_cfuncs(k):
    """k compiled functions, each with other constants."""
    return [make_cfunc(0.5 + j, float(j % 5)) for j in range(k)]


def per_point(f, x):
    """The C function called per point through ctypes: the reference."""
    c = f.ctypes
    return np.array([c(float(v)) for v in x])


def test_cfunc_entries_give_the_functions_own_values_on_every_thread_count():
    funcs = make_cfuncs(6)
    assert all(_callables.classify(f)[0] == "compiled" for f in funcs)
    rng = np.random.default_rng(0)
    idx = rng.integers(0, 6, 200_001)
    x = rng.uniform(0.0, 1.0, idx.size)
    t = sa.Table()
    for f in funcs:
        t.function(f)
    want = np.empty_like(x)
    for j, f in enumerate(funcs):
        want[idx == j] = per_point(f, x[idx == j])
    for threads in [1, 2, 3]:
        assert np.array_equal(sa.apply(t, idx, x, threads=threads), want)
        assert np.array_equal(sa.apply(funcs, idx, x, threads=threads), want)
    # lower=False does not change compiled entries: they are C either way.
    assert np.array_equal(sa.apply(funcs, idx, x, lower=False), want)
    # With Python callables and kernels in the same table.
    t.function(lambda v: v + 100.0)
    t.exp()
    idx2 = np.where(idx == 5, 6, np.where(idx == 4, 7, idx))
    got = sa.apply(t, idx2, x)
    assert np.array_equal(got[idx2 < 4], want[idx2 < 4])
    assert np.array_equal(got[idx2 == 6], x[idx2 == 6] + 100.0)
    plan = sa.Plan(idx2, len(t))
    assert np.array_equal(plan.apply(t, x, threads=2), got)


def test_float32_tables_call_in_double():
    (f,) = make_cfuncs(1)
    x = np.linspace(0.0, 1.0, 1001).astype(np.float32)
    got = sa.apply([f], np.zeros(x.size, np.int32), x)
    assert got.dtype == np.float32
    assert np.array_equal(got, per_point(f, x.astype(np.float64)).astype(np.float32))


def test_low_level_callables():
    scipy = pytest.importorskip("scipy")
    (f,) = make_cfuncs(1)
    llc = scipy.LowLevelCallable(f.ctypes)
    assert llc.signature == "double (double)"
    assert _callables.classify(llc)[0] == "compiled"
    x = np.linspace(0.0, 1.0, 5000)
    assert np.array_equal(sa.apply([llc], np.zeros(5000, np.uint8), x), per_point(f, x))
    with pytest.raises(TypeError, match="cannot carry user_data"):
        sa.Table().function(scipy.LowLevelCallable(f.ctypes, user_data=ctypes.c_void_p(1)))


def test_other_signatures_are_refused():
    @numba.cfunc("float32(float32)")
    def single(v):
        return v

    @numba.cfunc("float64(float64, float64)")
    def two(v, w):
        return v

    t = sa.Table()
    for f in (single, two):
        with pytest.raises(TypeError, match=r"must have the signature float64\(float64\)"):
            t.function(f)
    scipy = pytest.importorskip("scipy")
    proto = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_double, ctypes.c_double)
    llc = scipy.LowLevelCallable(proto(two.address))
    with pytest.raises(TypeError, match=r"must have the C signature 'double \(double\)', got 'double \(double, double\)'"):
        t.function(llc)
    assert len(t) == 0


def test_the_table_keeps_the_compiled_object_alive():
    t = sa.Table()
    t.function(make_cfuncs(3)[2])  # no other reference to it
    gc.collect()
    x = np.linspace(0.0, 1.0, 100)
    want = np.where(x > 0.5, 2.5 * x * x - 2.0, np.sin(2.5 * x))
    np.testing.assert_allclose(sa.apply(t, np.zeros(100, np.int64), x), want, rtol=1e-15)


def test_cfunc_tables_pickle_and_low_level_callables_refuse_clearly():
    funcs = make_cfuncs(3)
    t = sa.Table()
    t.exp()
    for f in funcs:
        t.function(f)
    clone = pickle.loads(pickle.dumps(t))
    x = np.random.default_rng(1).uniform(0.0, 1.0, 10_000)
    idx = np.arange(10_000) % 4
    assert np.array_equal(sa.apply(clone, idx, x), sa.apply(t, idx, x))
    scipy = pytest.importorskip("scipy")
    t.function(scipy.LowLevelCallable(funcs[0].ctypes))
    with pytest.raises(pickle.PicklingError, match="entry 4 of the table is a scipy._lib._ccallback.LowLevelCallable"):
        pickle.dumps(t)


def test_compiled_entries_run_without_the_gil():
    """A slow C function on many points: another Python thread keeps
    running meanwhile."""

    @numba.cfunc("float64(float64)")
    def slow(v):
        acc = v
        for _ in range(2000):
            acc = np.sqrt(acc + 1.0)
        return acc

    x = np.linspace(0.0, 1.0, 100_000)
    idx = np.zeros(x.size, np.int32)
    done = threading.Event()
    timing = {}

    def work():
        start = time.perf_counter()
        sa.apply([slow], idx, x, threads=1)
        timing["apply"] = time.perf_counter() - start
        done.set()

    worker = threading.Thread(target=work)
    ticks, longest_gap, last = 0, 0.0, time.perf_counter()
    worker.start()
    while not done.is_set():
        now = time.perf_counter()
        longest_gap, last = max(longest_gap, now - last), now
        ticks += 1
    worker.join()
    assert timing["apply"] > 0.05, "the call must last long enough to tell"
    assert longest_gap < 0.5 * timing["apply"], (longest_gap, timing["apply"])
    assert ticks > 1000
