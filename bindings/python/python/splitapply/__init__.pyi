"""Type stubs for splitapply: ``out[i] = f[idx[i]](x[i])`` for numpy arrays."""

from typing import Any, Callable, Optional, Sequence, TypedDict, Union

import numpy as np
import numpy.typing as npt

__version__: str

_Floats = Union[npt.NDArray[np.float32], npt.NDArray[np.float64]]
_Indices = Union[npt.NDArray[np.integer[Any]], Sequence[int]]
_Params = Union[npt.ArrayLike, Sequence[float]]
_Funcs = Union["Table", Sequence[Any], npt.NDArray[np.object_]]

class Table:
    """The functions that indices refer to, in float64 (``Table()``) or
    float32 (``Table(numpy.float32)``). Each builder appends one function
    and returns its index (``affine_many`` appends several and returns their
    range). A builder whose parameters are invalid raises ValueError and
    leaves the table as it was. ``function`` appends any callable.

    Tables pickle as their list of kernel specs and callables: closures and
    lambdas by value (cloudpickle), a numba cfunc as its Python function
    and options (compiled again when unpickled, which needs numba there);
    pickling a table that holds a ``scipy.LowLevelCallable`` raises
    ``pickle.PicklingError`` naming the entry. A builder called while an
    ``apply`` uses the table (from another thread, or from one of its
    callables) raises RuntimeError (the table is borrowed for the call).
    """

    def __init__(self, dtype: npt.DTypeLike = None) -> None: ...
    @property
    def dtype(self) -> np.dtype[Any]:
        """The float dtype this table evaluates."""
    def __len__(self) -> int: ...
    def affine(self, a: float, b: float) -> int:
        """``a * x + b``, with one fused multiply-add."""
    def affine_many(self, a: _Params, b: _Params) -> range:
        """``len(a)`` functions ``a[j] * x + b[j]``; returns their indices."""
    def poly(self, coeffs: _Params) -> int:
        """``c[0] + c[1] x + c[2] x**2 + ...``, lowest degree first (Horner)."""
    def exp(self) -> int:
        """``e**x``."""
    def ln(self) -> int:
        """Natural logarithm."""
    def sqrt(self) -> int:
        """Square root."""
    def sin(self) -> int:
        """Sine."""
    def cos(self) -> int:
        """Cosine."""
    def logistic(self) -> int:
        """``1 / (1 + e**-x)``."""
    def pow(self, p: float) -> int:
        """``x**p``."""
    def clamp(self, lo: float, hi: float) -> int:
        """``x`` limited to ``[lo, hi]``; ``lo > hi`` raises ValueError."""
    def interp(self, xp: _Params, fp: _Params) -> int:
        """Piecewise linear through ``(xp[j], fp[j])``, constant beyond the
        ends, like ``numpy.interp``; ``xp`` strictly increasing."""
    def spline(self, breaks: _Params, coeffs: npt.ArrayLike) -> int:
        """Piecewise cubic in ``scipy.interpolate.PPoly``'s layout: ``breaks``
        of length m + 1 (non-decreasing; repeated breaks allowed) and
        ``coeffs`` of shape (4, m), cubic coefficients first. ``spline(p.x,
        p.c)`` evaluates like the PPoly ``p``, extrapolating with the end
        pieces."""
    def function(self, f: Any) -> int:
        """Appends any callable ``f`` and returns its index; TypeError (the
        table as it was) when ``f`` is not callable.

        ``apply`` calls ``f`` once, with a read-only 1-D array of all the
        points whose index is this one (in their original order), when
        there is at least one. ``f`` returns as many numbers, or one number
        (broadcast); they are cast to the table's dtype.

        Recognised callables need no Python call:

        - lowered (unless ``apply(..., lower=False)``): ``numpy.exp``,
          ``log``, ``sqrt``, ``sin`` and ``cos`` run as the built-in
          kernels; ``scipy.interpolate.PPoly`` and its subclasses
          (``CubicSpline``, ``Akima1DInterpolator``, ``PchipInterpolator``)
          of degree <= 3 with 2-D coefficients, increasing breaks and
          ``extrapolate`` True or False, and FITPACK splines
          (``InterpolatedUnivariateSpline``, ``UnivariateSpline``,
          ``LSQUnivariateSpline``) of degree 1 to 3 with ``ext=0``, run as
          ``Spline`` kernels (FITPACK's through ``PPoly.from_spline``).
          For finite points the values are the callable's up to rounding:
          within 4 ulps of the terms' magnitude of ``PPoly``'s (2e-15
          relative where values stay away from zero); within 4e-15 of FITPACK's
          ``splev`` inside the knots, within 1e-11 where its end
          pieces extrapolate. The coefficients are read when ``f`` is
          added.
        - compiled: a numba ``cfunc`` of signature ``float64(float64)`` or
          a ``scipy.LowLevelCallable`` of C signature ``double (double)``
          (without user data) is called per point from the Rust workers,
          without the GIL; the table keeps ``f`` alive. Another signature
          is a TypeError.
        """

class Plan:
    """``idx`` validated against a table of ``k`` functions and grouped by
    function once; ``apply`` then skips both. Raises ValueError naming the
    position and value of the first bad index."""

    def __init__(self, idx: _Indices, k: int, threads: Optional[int] = None) -> None: ...
    def __len__(self) -> int:
        """The number of points planned (``idx.size``)."""
    @property
    def k(self) -> int:
        """The table length the plan was built for."""
    @property
    def nbytes(self) -> int:
        """The memory the plan holds."""
    def apply(
        self,
        funcs: _Funcs,
        x: _Floats,
        out: Optional[_Floats] = None,
        threads: Optional[int] = None,
        lower: bool = True,
    ) -> _Floats:
        """The same results as ``apply(funcs, idx, x, lower=lower)`` for the
        planned ``idx``; ``funcs`` must have ``k`` functions."""

def apply(
    funcs: _Funcs,
    idx: _Indices,
    x: Union[_Floats, Sequence[float]],
    out: Optional[_Floats] = None,
    threads: Optional[int] = None,
    lower: bool = True,
) -> _Floats:
    """``out[i] = funcs[idx[i]](x[i])``.

    ``funcs``: a :class:`Table`, or any sequence of callables (a numpy
    array of callables of any shape counts in its flat order), which
    evaluates ``x``'s dtype (float32 or float64) as a table of
    ``Table.function`` entries would. ``idx``: any integer dtype, or a
    list; the same shape as ``x``. ``x``: the table's float dtype (other
    layouts and byte orders are converted first). ``out``: a writable,
    C-contiguous, aligned array of that dtype and shape, returned; by
    default a new array. ``out=x`` works in place (``x`` is copied first);
    ``idx`` must not share memory with ``out``. ``threads``: worker
    threads, 1 to 1024 (default: one per core); results are bitwise
    identical for every count. ``lower=False`` calls every Python callable
    as Python, lowered ones included (compiled callables stay compiled).

    Python callables: the points are grouped by function in Rust (O(N +
    k), no sort) with the GIL released; each callable with points is
    called once, in index order, one at a time, with a read-only 1-D array
    of its points in their original order; its values are cast to ``x``'s
    dtype, and ``out`` is written (in Rust, all cores) only after every
    call has succeeded.

    Raises, with nothing written: ValueError for an index that is negative
    or not below ``len(funcs)``, naming its position and value; for shapes
    that differ; for an empty table with points to evaluate; for a
    callable that returns another number of values than it got points
    (naming the function's index, its points and the length returned).
    TypeError for wrong dtypes, for an entry that is not callable, for a
    result that is not real numbers. An exception raised by a callable
    propagates as it is; on Python 3.11 and later it carries a note naming
    the function's index. The GIL is released while Rust works.
    """

def rolling_mean(
    data: Union[_Floats, Sequence[float]],
    half_window: int,
    out: Optional[_Floats] = None,
    threads: Optional[int] = None,
) -> _Floats:
    """Centred moving average with edge padding: ``out[i]`` is the mean of
    ``data[i - half_window : i + half_window + 1]`` with the end values
    repeated past the ends (``np.pad(mode='edge')``). 1-D float32 or
    float64; deterministic for every thread count."""

class _SimdInfo(TypedDict):
    level: Optional[str]
    cpu_level: Optional[str]
    build: str
    compiled: list[str]
    available: list[str]
    missed: list[str]
    warning: Optional[str]
    grouping_path: str

def simd_info() -> _SimdInfo:
    """``level``: the x86-64 level the loaded build was compiled for
    (``"x86-64-v3"`` and the like; None off x86-64). ``cpu_level``: the
    highest level this CPU runs. ``build``: which build of a multi-level
    wheel was loaded (``"x86-64-v2"``, ``-v3`` or ``-v4``: the highest the
    CPU runs, capped by the environment variable ``SPLITAPPLY_X86_LEVEL``),
    or ``"source"`` for a package built from source (one build, for the
    CPU it was built on; the variable is ignored). ``compiled``,
    ``available``, ``missed``: the instruction sets the build uses, those
    this CPU offers, those missed; ``warning``: a string when the build
    misses any, else None. ``grouping_path``: the instruction-set path the
    grouping passes chose at run time (``"Portable"``, ``"Avx2"`` or
    ``"Avx512"``), whatever the build."""
