"""splitapply: ``out[i] = f[idx[i]](x[i])`` for numpy arrays.

Build a :class:`Table` of functions, then :func:`apply` it with an index
array. The work runs in Rust (a tiled counting sort and SIMD kernels) on
all cores, with the GIL released. Tables pickle, so they travel to
``multiprocessing`` and Dask workers.

>>> import numpy as np, splitapply as sa
>>> t = sa.Table()
>>> t.affine(2.0, 1.0), t.sqrt()
(0, 1)
>>> sa.apply(t, np.array([0, 1, 0]), np.array([1.0, 4.0, 3.0]))
array([3., 2., 7.])
"""

from ._splitapply import (
    Plan,
    Table,
    __version__,
    apply,
    rolling_mean,
    simd_info,
)
__all__ = ["Table", "Plan", "apply", "rolling_mean", "simd_info", "__version__"]
