"""Type stubs for splitapply: ``out[i] = f[idx[i]](x[i])`` for numpy arrays."""

from typing import Any, Optional, Sequence, TypedDict, Union

import numpy as np
import numpy.typing as npt

__version__: str

_Floats = Union[npt.NDArray[np.float32], npt.NDArray[np.float64]]
_Indices = Union[npt.NDArray[np.integer[Any]], Sequence[int]]
_Params = Union[npt.ArrayLike, Sequence[float]]

class Table:
    """The functions that indices refer to, in float64 (``Table()``) or
    float32 (``Table(numpy.float32)``). Each builder appends one function
    and returns its index (``affine_many`` appends several and returns their
    range). A builder whose parameters are invalid raises ValueError and
    leaves the table as it was. Tables pickle as their list of kernel specs.
    A builder called while another thread's ``apply`` uses the table raises
    RuntimeError (the table is borrowed for the call).
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
        self, table: Table, x: _Floats, out: Optional[_Floats] = None, threads: Optional[int] = None
    ) -> _Floats:
        """The same results as ``apply(table, idx, x)`` for the planned ``idx``."""

def apply(
    table: Table,
    idx: _Indices,
    x: Union[_Floats, Sequence[float]],
    out: Optional[_Floats] = None,
    threads: Optional[int] = None,
) -> _Floats:
    """``out[i] = table[idx[i]](x[i])``.

    ``idx``: any integer dtype, or a list; the same shape as ``x``.
    ``x``: the table's float dtype (other layouts and byte orders are
    converted first). ``out``: a writable, C-contiguous, aligned array of
    that dtype and shape, returned; by default a new array. ``out=x`` works
    in place (``x`` is copied first); ``idx`` must not share memory with
    ``out``. ``threads``: worker threads, 1 to 1024 (default: one per
    core); results are bitwise identical for every count.

    Raises ValueError (nothing written) for an index that is negative or not
    below ``len(table)``, naming its position and value; for shapes that
    differ; for an empty table with points to evaluate. Raises TypeError for
    wrong dtypes. The GIL is released while the work runs.
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
    compiled: list[str]
    available: list[str]
    missed: list[str]
    warning: Optional[str]

def simd_info() -> _SimdInfo:
    """The instruction sets the extension was compiled for, those this CPU
    offers, those missed, and a warning when the build misses any."""
