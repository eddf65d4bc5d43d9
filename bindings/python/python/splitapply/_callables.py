"""What a table entry added with ``Table.function`` is, and how it pickles.

The extension asks :func:`classify` once per callable:

- a **compiled** callable (a numba ``cfunc`` of signature
  ``float64(float64)``, or a ``scipy.LowLevelCallable`` of C signature
  ``double (double)``) becomes a C function pointer that the Rust workers
  call per point, without the GIL;
- a callable the module can **lower** (``numpy.exp``, ``log``, ``sqrt``,
  ``sin``, ``cos``; scipy's piecewise polynomials and FITPACK splines of
  degree <= 3 that extrapolate) becomes the spec of a built-in kernel that
  computes the same values up to rounding;
- anything else stays a **Python** call, made once per ``apply`` with all
  of its points.

Only modules the caller has already imported are looked at (numba and
scipy are never imported here): an object of theirs cannot exist
otherwise.
"""

import pickle
import sys

import numpy as np

#: The numpy ufuncs with a built-in kernel, and that kernel's spec.
_UFUNCS = {
    np.exp: ("exp",),
    np.log: ("ln",),
    np.sqrt: ("sqrt",),
    np.sin: ("sin",),
    np.cos: ("cos",),
}

#: The C signature a LowLevelCallable must declare.
_C_SIGNATURE = "double (double)"


def classify(f, lower=True):
    """``("compiled", "numba", address)``, ``("compiled", "capsule",
    capsule, signature)``, ``("lowered", spec)`` (only when ``lower``) or
    ``("python", None)``. Raises TypeError for what cannot be a table
    entry: an object that is not callable, a compiled callable of another
    signature."""
    compiled = _compiled(f)
    if compiled is not None:
        return ("compiled",) + compiled
    if not callable(f):
        raise TypeError(f"a table entry must be callable, got {_name(f)}")
    if lower:
        spec = lowered(f)
        if spec is not None:
            return ("lowered", spec)
    return ("python", None)


def _name(f):
    """``f``'s type as an error message names it: ``int``,
    ``scipy._lib._ccallback.LowLevelCallable``."""
    kind = type(f)
    if kind.__module__ == "builtins":
        return kind.__name__
    return f"{kind.__module__}.{kind.__qualname__}"


def _compiled(f):
    ccallback = sys.modules.get("numba.core.ccallback")
    if ccallback is not None and isinstance(f, ccallback.CFunc):
        sig = f._sig
        if str(sig.return_type) != "float64" or [str(a) for a in sig.args] != ["float64"]:
            raise TypeError(
                f"a numba cfunc in a table must have the signature float64(float64), "
                f"but {f.__name__!r} has {sig}"
            )
        return ("numba", int(f.address))
    scipy = sys.modules.get("scipy")
    llc = getattr(scipy, "LowLevelCallable", None) if scipy is not None else None
    if llc is not None and isinstance(f, llc):
        if f.user_data is not None:
            raise TypeError("a scipy.LowLevelCallable in a table cannot carry user_data")
        if " ".join(f.signature.replace("(", " (").split()) != _C_SIGNATURE:
            raise TypeError(
                f"a scipy.LowLevelCallable in a table must have the C signature "
                f"{_C_SIGNATURE!r}, got {f.signature!r}"
            )
        return ("capsule", tuple.__getitem__(f, 0), f.signature)
    return None


def lowered(f):
    """The spec of a built-in kernel that computes what ``f`` computes, up
    to rounding, or None: ``("exp",)`` and the like for the numpy ufuncs,
    ``("spline", breaks, coeffs)`` (extrapolating) or ``("spline_within",
    breaks, coeffs)`` (NaN outside the breaks) for splines."""
    if isinstance(f, np.ufunc):
        return _UFUNCS.get(f)
    interpolate = sys.modules.get("scipy.interpolate")
    if interpolate is None:
        return None
    # Subclasses that evaluate in their own way are not lowered.
    if isinstance(f, interpolate.PPoly) and type(f).__call__ is interpolate.PPoly.__call__:
        if f.extrapolate is True or f.extrapolate is np.True_:
            return _ppoly("spline", f.x, f.c)
        if f.extrapolate is False or f.extrapolate is np.False_:
            return _ppoly("spline_within", f.x, f.c)
        return None  # 'periodic'
    if (
        isinstance(f, interpolate.UnivariateSpline)
        and type(f).__call__ is interpolate.UnivariateSpline.__call__
        and getattr(f, "ext", None) == 0  # extrapolate (1: zeros, 2: raise, 3: clamp)
    ):
        t, c, k = f._eval_args
        if not 1 <= k <= 3:
            return None
        p = interpolate.PPoly.from_spline((t, c, k))
        return _ppoly("spline", p.x, p.c)
    return None


def _ppoly(kind, breaks, c):
    """A PPoly's breaks and coefficients as a cubic ``Spline`` spec: c of
    shape (degree + 1, m) with degree <= 3, real and finite, breaks
    increasing; lower degrees get zero rows on top (the same Horner
    steps, exactly)."""
    c = np.asarray(c)
    breaks = np.asarray(breaks)
    if c.ndim != 2 or c.dtype.kind != "f" or not 1 <= c.shape[0] <= 4 or breaks.dtype.kind != "f":
        return None
    m = c.shape[1]
    if breaks.shape != (m + 1,) or m < 1 or not np.all(np.isfinite(c)) or not np.all(np.isfinite(breaks)):
        return None
    if np.any(np.diff(breaks) < 0):
        return None  # decreasing breaks: PPoly allows them, the kernel does not
    coeffs = np.zeros((4, m))
    coeffs[4 - c.shape[0] :] = c
    return (kind, breaks.astype(np.float64).tolist(), coeffs.ravel().tolist())


def dump_function(f):
    """A Python callable as bytes: by value where it cannot be imported
    (closures, lambdas, functions of ``__main__``), by reference where it
    can, as cloudpickle does."""
    import cloudpickle

    return cloudpickle.dumps(f)


def load_function(data):
    return pickle.loads(data)


def dump_compiled(f, index):
    """A compiled entry's pickled form: a numba cfunc as its Python
    function and compile options, compiled again when loaded; a
    LowLevelCallable cannot be pickled."""
    ccallback = sys.modules.get("numba.core.ccallback")
    if ccallback is not None and isinstance(f, ccallback.CFunc):
        import cloudpickle

        options = dict(getattr(f._compiler, "targetoptions", {}))
        return ("numba", cloudpickle.dumps(f._pyfunc), options)
    raise pickle.PicklingError(
        f"entry {index} of the table is a {_name(f)}, a C function pointer that cannot be "
        f"pickled; add it to the table again where it is unpickled"
    )


def load_compiled(kind, data, options):
    if kind != "numba":
        raise ValueError(f"unknown compiled callable kind {kind!r}")
    import numba

    return numba.cfunc("float64(float64)", **options)(pickle.loads(data))
