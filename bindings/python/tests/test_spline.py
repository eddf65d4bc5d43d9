"""t.spline against scipy.interpolate.PPoly: random piecewise cubics, the
zero-width end pieces of PPoly.from_spline, and extrapolation."""

import numpy as np
import pytest

import splitapply as sa

interpolate = pytest.importorskip("scipy.interpolate")


def relative_error(got, want):
    """Worst |got - want| / |want|, on data chosen to stay away from zero."""
    return float(np.max(np.abs(got - want) / np.abs(want)))


def positive_profile(x):
    return 2.0 + np.sin(x) + 0.1 * x


def test_from_spline_matches_ppoly():
    """A cubic B-spline through a profile, ported with PPoly.from_spline
    (repeated breaks, so zero-width pieces at both ends), as halotools
    tables are."""
    knots_x = np.linspace(0.0, 10.0, 40)
    tck = interpolate.splrep(knots_x, positive_profile(knots_x), k=3)
    p = interpolate.PPoly.from_spline(tck)
    assert np.any(np.diff(p.x) == 0), "from_spline should give zero-width pieces"
    t = sa.Table()
    j = t.spline(p.x, p.c)
    x = np.concatenate([np.random.default_rng(1).uniform(-0.5, 10.5, 200_000), p.x, [0.0, 10.0]])
    got = sa.apply(t, np.full(x.shape, j), x)
    want = p(x)
    assert relative_error(got, want) <= 1e-14
    # At a break both evaluate the chosen piece at d = 0: its constant
    # coefficient exactly, so the piece choice must agree bit for bit.
    at_breaks = slice(len(x) - len(p.x) - 2, len(x) - 2)
    assert np.array_equal(got[at_breaks], want[at_breaks])


@pytest.mark.parametrize("m", [1, 3, 16, 17, 100])
def test_random_piecewise_cubics(m):
    rng = np.random.default_rng(m)
    breaks = np.sort(rng.uniform(-3, 3, m + 1))
    # Positive and dominated by the constant term, so relative error is
    # meaningful everywhere (extrapolation included).
    c = rng.uniform(-0.05, 0.05, (4, m))
    c[3] = rng.uniform(5.0, 10.0, m)
    p = interpolate.PPoly(c, breaks)
    x = rng.uniform(breaks[0] - 0.5, breaks[-1] + 0.5, 100_000)
    t = sa.Table()
    t.exp()
    j = t.spline(breaks, c)
    idx = rng.integers(0, 2, x.size) * j
    got = sa.apply(t, idx, x)
    sel = idx == j
    assert relative_error(got[sel], p(x[sel])) <= 1e-14
    assert np.array_equal(got[~sel], sa.apply(t, np.zeros(x.size, np.int64), x)[~sel])


def test_float32_spline_is_close_to_ppoly():
    knots_x = np.linspace(0.0, 10.0, 25)
    p = interpolate.PPoly.from_spline(interpolate.splrep(knots_x, positive_profile(knots_x), k=3))
    t = sa.Table(np.float32)
    t.spline(p.x, p.c)
    x = np.linspace(0.0, 10.0, 10_001).astype(np.float32)
    got = sa.apply(t, np.zeros(x.size, np.uint8), x)
    assert got.dtype == np.float32
    assert relative_error(got.astype(np.float64), p(x.astype(np.float64))) <= 2e-5


def test_nan_gives_nan():
    t = sa.Table()
    t.spline([0.0, 1.0], np.ones((4, 1)))
    assert np.isnan(sa.apply(t, [0], np.array([np.nan]))[0])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_error_is_within_4_ulps_of_the_terms_magnitude(dtype):
    """The documented bound, on data that crosses zero: |got - PPoly| <=
    4 ulps (of the table's float type) of sum_k |c_k (x - x_i)^k|. PPoly
    sums the powers; the kernel uses Horner's rule with fused
    multiply-adds, so near a zero crossing the relative error can be
    large while the error stays at the rounding level of the terms."""
    eps = np.finfo(dtype).eps
    crossings = 0
    for seed in range(20):
        rng = np.random.default_rng(100 + seed)
        m = int(rng.integers(1, 150))
        breaks = np.sort(rng.uniform(-5, 5, m + 1)).astype(dtype).astype(np.float64)
        c = (rng.normal(0, 1, (4, m)) * 10.0 ** rng.uniform(-3, 3, (4, 1))).astype(dtype)
        c = c.astype(np.float64)
        p = interpolate.PPoly(c, breaks)
        x = rng.uniform(breaks[0] - 1, breaks[-1] + 1, 50_000).astype(dtype)
        t = sa.Table(dtype)
        t.spline(breaks, c)
        got = sa.apply(t, np.zeros(x.size, np.int8), x).astype(np.float64)
        xd = x.astype(np.float64)
        i = np.clip(np.searchsorted(breaks, xd, side="right") - 1, 0, m - 1)
        d = xd - breaks[i]
        terms = sum(np.abs(c[3 - k, i]) * np.abs(d) ** k for k in range(4))
        want = p(xd)
        assert np.all(np.abs(got - want) <= 4 * eps * terms), (dtype, seed)
        crossings += np.count_nonzero(np.diff(np.sign(want[np.argsort(xd)])))
    # The data crosses zero, where no relative bound would hold.
    assert crossings > 100
