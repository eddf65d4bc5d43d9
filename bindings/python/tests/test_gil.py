"""The GIL is released while Rust works: another Python thread keeps
running during a long apply."""

import threading
import time

import numpy as np

import splitapply as sa


def timed_call(t, idx, x):
    start = time.perf_counter()
    sa.apply(t, idx, x, threads=1)
    return time.perf_counter() - start


def test_other_threads_run_during_apply():
    # A long polynomial makes one call last long enough to tell on one
    # thread, leaving a core for the Python thread below; it is made longer
    # until a call takes at least 0.2 s.
    x = np.random.default_rng(0).uniform(0, 1, 1_000_000)
    idx = np.zeros(x.size, np.int32)
    degree = 500
    while True:
        t = sa.Table()
        t.poly(np.full(degree, 1e-4))
        if timed_call(t, idx, x) >= 0.2 or degree >= 64_000:
            break
        degree *= 2
    done = threading.Event()
    timing = {}

    def work():
        timing["apply"] = timed_call(t, idx, x)
        done.set()

    worker = threading.Thread(target=work)
    ticks, longest_gap = 0, 0.0
    last = time.perf_counter()
    worker.start()
    while not done.is_set():
        now = time.perf_counter()
        longest_gap = max(longest_gap, now - last)
        last = now
        ticks += 1
    worker.join()
    # Holding the GIL would stall this loop for the whole call.
    assert longest_gap < 0.5 * timing["apply"], (longest_gap, timing["apply"])
    assert ticks > 1000


def test_other_threads_run_while_rust_groups_for_python_callables():
    """With Python callables in the table, the grouping, the gather and
    the scatter run in Rust with the GIL released: only the calls hold
    it, and an identity callable holds it for no time."""
    n = 10_000_000
    x = np.random.default_rng(1).uniform(0, 1, n)
    idx = (np.arange(n) % 3).astype(np.int32)
    funcs = [lambda v: v, lambda v: v, lambda v: v]
    start = time.perf_counter()
    sa.apply(funcs, idx, x, threads=1)
    alone = time.perf_counter() - start
    done = threading.Event()
    timing = {}

    def work():
        begin = time.perf_counter()
        timing["out"] = sa.apply(funcs, idx, x, threads=1)
        timing["apply"] = time.perf_counter() - begin
        done.set()

    worker = threading.Thread(target=work)
    ticks, longest_gap = 0, 0.0
    last = time.perf_counter()
    worker.start()
    while not done.is_set():
        now = time.perf_counter()
        longest_gap = max(longest_gap, now - last)
        last = now
        ticks += 1
    worker.join()
    assert np.array_equal(timing["out"], x)
    assert alone > 0.05, "the call must last long enough to tell"
    assert longest_gap < 0.5 * timing["apply"], (longest_gap, timing["apply"])
    assert ticks > 1000
