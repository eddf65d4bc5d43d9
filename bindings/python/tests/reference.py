"""The numpy reference the tests judge splitapply by: the argsort /
searchsorted grouping idiom that splitapply replaces, with one numpy
function per table entry."""

import numpy as np


def grouped_apply(funcs, idx, x):
    """``out[i] = funcs[idx[i]](x[i])`` the numpy way: sort the points by
    function, find each function's group with searchsorted, call each
    function once on its group, and put the results back in order."""
    idx = np.asarray(idx).ravel()
    x = np.asarray(x)
    flat = x.ravel()
    out = np.empty_like(flat)
    order = np.argsort(idx, kind="stable")
    bounds = np.searchsorted(idx[order], np.arange(len(funcs) + 1))
    for j, f in enumerate(funcs):
        group = order[bounds[j] : bounds[j + 1]]
        if len(group):
            out[group] = f(flat[group])
    return out.reshape(x.shape)


def builtin_table(sa, dtype, k=None):
    """A table with one of every builder, and the numpy twin of each entry."""
    t = sa.Table(dtype)
    funcs = []
    c = np.asarray

    def add(index, f):
        assert index == len(funcs)
        funcs.append(f)

    add(t.affine(2.0, 1.0), lambda x: c(2.0, x.dtype) * x + c(1.0, x.dtype))
    add(t.poly([1.0, 0.5, 0.25]), lambda x: np.polynomial.polynomial.polyval(x, c([1.0, 0.5, 0.25], x.dtype)))
    add(t.exp(), np.exp)
    add(t.ln(), np.log)
    add(t.sqrt(), np.sqrt)
    add(t.sin(), np.sin)
    add(t.cos(), np.cos)
    add(t.logistic(), lambda x: 1 / (1 + np.exp(-x)))
    add(t.pow(1.5), lambda x: np.power(x, c(1.5, x.dtype)))
    add(t.clamp(0.25, 1.5), lambda x: np.clip(x, c(0.25, x.dtype), c(1.5, x.dtype)))
    xp, fp = [0.0, 0.5, 2.0, 3.0], [1.0, -1.0, 0.5, 2.0]
    add(t.interp(xp, fp), lambda x: np.interp(x, c(xp, x.dtype), c(fp, x.dtype)).astype(x.dtype))
    breaks = np.array([0.0, 0.5, 1.0, 2.5])
    coeffs = np.array([[0.5, -1.0, 0.25], [1.0, 0.0, -0.5], [-0.5, 2.0, 1.0], [1.0, 1.5, 0.0]])
    add(t.spline(breaks, coeffs), lambda x: ppoly_eval(breaks, coeffs, x))
    if k is not None:
        r = t.affine_many(np.linspace(-2, 2, k), np.linspace(1, 0, k))
        a, b = np.linspace(-2, 2, k), np.linspace(1, 0, k)
        for j, e in enumerate(r):
            add(e, (lambda a, b: lambda x: c(a, x.dtype) * x + c(b, x.dtype))(a[j], b[j]))
    return t, funcs


def ppoly_eval(breaks, coeffs, x):
    """PPoly's rule without scipy: the last break <= x that starts a piece,
    the powers of d summed."""
    m = len(breaks) - 1
    i = np.clip(np.searchsorted(breaks, x, side="right") - 1, 0, m - 1)
    d = x - breaks[i].astype(x.dtype)
    c = coeffs.astype(x.dtype)
    return ((c[0, i] * d + c[1, i]) * d + c[2, i]) * d + c[3, i]
