"""Tables pickle, so they reach multiprocessing and Dask workers: the
exact failure of the original numpy/multiprocessing code."""

import functools
import multiprocessing
import os
import pickle
import sys

import numpy as np
import pytest

import splitapply as sa
from reference import builtin_table

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "examples"))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_round_trip_gives_the_same_bits(dtype):
    t, _ = builtin_table(sa, dtype, k=1000)
    clone = pickle.loads(pickle.dumps(t))
    assert type(clone) is sa.Table and len(clone) == len(t) and clone.dtype == dtype
    rng = np.random.default_rng(4)
    idx = rng.integers(0, len(t), 50_000)
    x = rng.uniform(0.1, 2.1, 50_000).astype(dtype)
    assert np.array_equal(sa.apply(clone, idx, x), sa.apply(t, idx, x))
    # Appending after unpickling continues the numbering.
    assert clone.exp() == len(t)


def test_empty_table_and_deepcopy():
    import copy

    empty = pickle.loads(pickle.dumps(sa.Table(np.float32)))
    assert len(empty) == 0 and empty.dtype == np.float32
    t, _ = builtin_table(sa, np.float64)
    clone = copy.deepcopy(t)
    clone.exp()
    assert len(clone) == len(t) + 1
    x = np.linspace(0.1, 2.0, 100)
    idx = np.arange(100) % len(t)
    assert np.array_equal(sa.apply(clone, idx, x), sa.apply(t, idx, x))


def test_a_corrupt_pickle_is_refused_whole():
    t = sa.Table()
    t.exp()
    with pytest.raises(ValueError, match="a has 2 values but b has 1"):
        t.__setstate__([("affine", 1.0, 2.0), ("affine_many", [1.0, 2.0], [0.0])])
    with pytest.raises(ValueError, match="unknown kernel spec"):
        t.__setstate__([("tan",)])
    assert len(t) == 1


def chunks(n, size, seed=0):
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, 250, n)
    x = rng.uniform(0.0, 1.0, n)
    return idx, x, [(idx[s : s + size], x[s : s + size]) for s in range(0, n, size)]


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_multiprocessing_pool(method):
    """Pool.starmap over chunks. With fork, the parent has used its worker
    threads first; the children must start their own, not hang."""
    t = sa.Table()
    t.affine_many(np.arange(250.0), np.zeros(250))
    idx, x, parts = chunks(400_000, 50_000)
    want = sa.apply(t, idx, x)
    with multiprocessing.get_context(method).Pool(2) as pool:
        # A child stuck on its parent's threads must fail the test, not hang it.
        pending = pool.starmap_async(functools.partial(sa.apply, t), parts, chunksize=1)
        results = pending.get(timeout=120)
    assert np.array_equal(np.concatenate(results), want)
    assert np.array_equal(want, idx * x)


def test_dask_local_cluster_example():
    pytest.importorskip("dask.array")
    distributed = pytest.importorskip("distributed")
    import dask_cluster

    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
    ) as cluster, distributed.Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        out, idx, x = dask_cluster.run(client, n=2_000_000, chunk=250_000)
    assert np.array_equal(out, idx.astype(np.float64) * x)


def closure_table(k=250):
    """The seed's table as it was first written: k closures, f_j(v) = j * v."""
    t = sa.Table()
    for j in range(k):
        assert t.function(lambda v, j=j: j * v) == j
    return t


def test_a_table_of_closures_pickles_with_the_standard_module():
    t = closure_table()
    t.exp()
    clone = pickle.loads(pickle.dumps(t))
    assert len(clone) == 251
    idx, x, _ = chunks(100_000, 100_000)
    idx[::7] = 250
    assert np.array_equal(sa.apply(clone, idx, x), sa.apply(t, idx, x))
    assert np.array_equal(sa.apply(clone, idx, x)[idx < 250], (idx * x)[idx < 250])
    # Functions of importable modules go by reference, and ufuncs too.
    t = sa.Table()
    t.function(np.hypot.reduce)
    t.function(functools.partial(np.multiply, 3.0))
    clone = pickle.loads(pickle.dumps(t))
    assert np.array_equal(sa.apply(clone, [1, 1], np.array([1.0, 2.0])), [3.0, 6.0])


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_multiprocessing_pool_with_a_table_of_closures(method):
    """The seed's PicklingError, gone: the table of closures reaches the
    workers and gives what a direct call gives."""
    t = closure_table()
    idx, x, parts = chunks(400_000, 50_000)
    want = sa.apply(t, idx, x)
    assert np.array_equal(want, idx * x)
    with multiprocessing.get_context(method).Pool(2) as pool:
        pending = pool.starmap_async(functools.partial(sa.apply, t), parts, chunksize=1)
        results = pending.get(timeout=120)
    assert np.array_equal(np.concatenate(results), want)


def test_dask_local_cluster_with_a_table_of_closures():
    da = pytest.importorskip("dask.array")
    distributed = pytest.importorskip("distributed")
    t = closure_table()
    idx_np, x_np, _ = chunks(1_000_000, 1_000_000)
    want = sa.apply(t, idx_np, x_np)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
    ) as cluster, distributed.Client(cluster) as client:
        idx = da.from_array(idx_np, chunks=250_000)
        x = da.from_array(x_np, chunks=250_000)
        out = da.map_blocks(lambda i, v: sa.apply(t, i, v), idx, x, dtype=np.float64)
        got = client.compute(out).result()
    assert np.array_equal(got, want)
