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

import os as _os

from ._splitapply import (
    Plan,
    Table,
    __version__,
    apply,
    rolling_mean,
    simd_info,
)
from ._splitapply import forget_pools_after_fork as _forget_pools_after_fork

# A forked child must not use the parent's worker threads: they do not
# exist there. It starts its own on first use.
if hasattr(_os, "register_at_fork"):
    _os.register_at_fork(after_in_child=_forget_pools_after_fork)

__all__ = ["Table", "Plan", "apply", "rolling_mean", "simd_info", "__version__"]
