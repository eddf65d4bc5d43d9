"""splitapply: ``out[i] = f[idx[i]](x[i])`` for numpy arrays.

Build a :class:`Table` of functions (or pass any sequence of callables),
then :func:`apply` it with an index array. The work runs in Rust (a tiled
counting sort and SIMD kernels) on all cores, with the GIL released.
Tables pickle, so they travel to ``multiprocessing`` and Dask workers.

>>> import numpy as np, splitapply as sa
>>> t = sa.Table()
>>> t.affine(2.0, 1.0), t.sqrt(), t.function(lambda v: v - 1)
(0, 1, 2)
>>> sa.apply(t, np.array([0, 1, 2]), np.array([1.0, 4.0, 3.0]))
array([3., 2., 2.])
"""

import inspect as _inspect

from ._loader import load as _load

_extension, _build = _load(__name__)

Plan = _extension.Plan
Table = _extension.Table
apply = _extension.apply


def _builder(name, summary, params):
    """``Table.<name>(*params)``: appends built-in kernel ``name`` and
    returns its index (the library's registry lists the kernels)."""
    signature = _inspect.Signature(
        [_inspect.Parameter("self", _inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        + [_inspect.Parameter(p, _inspect.Parameter.POSITIONAL_OR_KEYWORD) for p in params]
    )

    def build(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        return self._kernel(name, *list(bound.arguments.values())[1:])

    build.__name__ = build.__qualname__ = name
    build.__doc__ = summary.replace("`", "``") + " Returns its index."
    build.__signature__ = signature
    return build


# One builder method per built-in kernel: t.affine(a, b), t.exp(), ...
for _name, _summary, _params in _extension.builtin_kernels():
    setattr(Table, _name, _builder(_name, _summary, _params))
rolling_mean = _extension.rolling_mean
__version__ = _extension.__version__


def simd_info():
    """What the loaded build was compiled for next to what this CPU offers:
    ``level`` (the x86-64 level of the build), ``cpu_level`` (the highest
    level this CPU runs), ``grouping_path`` (the instruction-set path the
    grouping passes chose at run time: ``"Portable"``, ``"Avx2"`` or
    ``"Avx512"``), ``build`` (``"x86-64-v2"``, ``-v3`` or ``-v4``,
    the build a multi-level wheel loaded, or ``"source"`` for a package
    built from source), ``compiled``, ``available`` and ``missed`` (feature
    names) and ``warning`` (a string when the build misses features this
    CPU has, else None)."""
    info = _extension.simd_info()
    info["build"] = _build
    return info


__all__ = ["Table", "Plan", "apply", "rolling_mean", "simd_info", "__version__"]
