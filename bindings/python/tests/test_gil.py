"""The GIL is released while Rust works: another Python thread keeps
running during a long apply."""

import threading
import time

import numpy as np

import splitapply as sa


def test_other_threads_run_during_apply():
    t = sa.Table()
    # A long polynomial makes one call last a few hundred milliseconds on
    # one thread, leaving a core for the Python thread below.
    t.poly(np.full(1500, 1e-4))
    x = np.random.default_rng(0).uniform(0, 1, 1_000_000)
    idx = np.zeros(x.size, np.int32)
    done = threading.Event()
    timing = {}

    def work():
        start = time.perf_counter()
        sa.apply(t, idx, x, threads=1)
        timing["apply"] = time.perf_counter() - start
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
    assert timing["apply"] > 0.05, f"the call was too short to tell ({timing['apply']:.3f} s)"
    # Holding the GIL would stall this loop for the whole call.
    assert longest_gap < 0.5 * timing["apply"], (longest_gap, timing["apply"])
    assert ticks > 1000
