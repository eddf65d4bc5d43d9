"""splitapply on a Dask cluster: the same code scales from one machine to
many.

Each chunk of ``idx`` and ``x`` becomes one ``sa.apply`` call on a worker;
the table travels to the workers by pickle (as its list of kernel specs).
Inside a worker, ``sa.apply`` uses all of that worker's cores, so give each
worker one Dask thread and let splitapply fill the cores: a chunk of 10^6
points or more keeps every core busy with whole tiles.

Run it as a script to start a local cluster of two worker processes:

    python examples/dask_cluster.py

On a real cluster, connect a ``distributed.Client`` to its scheduler
instead of ``LocalCluster`` and keep the rest.
"""

import numpy as np

import splitapply as sa


def build_table():
    """250 functions f_j(x) = j * x, the seed workload."""
    t = sa.Table()
    t.affine_many(np.arange(250.0), np.zeros(250))
    return t


def run(client, n=4_000_000, chunk=1_000_000, seed=0):
    """``sa.apply`` over Dask chunks on ``client``'s cluster; returns the
    result and the inputs, as numpy arrays."""
    import dask.array as da

    rng = np.random.default_rng(seed)
    idx_np = rng.integers(0, 250, n).astype(np.int32)
    x_np = rng.uniform(0.0, 1.0, n)
    table = build_table()
    idx = da.from_array(idx_np, chunks=chunk)
    x = da.from_array(x_np, chunks=chunk)
    out = da.map_blocks(lambda i, v: sa.apply(table, i, v), idx, x, dtype=np.float64)
    return client.compute(out).result(), idx_np, x_np


def main():
    from distributed import Client, LocalCluster

    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        host="127.0.0.1",
    ) as cluster, Client(cluster) as client:
        out, idx, x = run(client)
    want = idx.astype(np.float64) * x
    assert np.array_equal(out, want), "the cluster's result differs from numpy's"
    print(f"{len(out):,} points on 2 worker processes: equal to numpy's idx * x")


if __name__ == "__main__":
    main()
