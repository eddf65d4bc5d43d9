"""Lowering: callables the module recognises run as built-in kernels with
the same values up to rounding (lower=True, the default), and as the
Python callables they are with lower=False; everything else stays a
Python call, with exactly the callable's values."""

import numpy as np
import pytest

import splitapply as sa
from splitapply import _callables

interpolate = pytest.importorskip("scipy.interpolate")


def kind(f):
    return _callables.classify(f)[0]


def relative_error(got, want):
    return float(np.max(np.abs(got - want) / np.abs(want)))


def one(f, x, lower=True):
    """f over every point of x, through a one-entry table."""
    return sa.apply([f], np.zeros(x.shape, np.int8), x, lower=lower)


@pytest.mark.parametrize("fdt", [np.float64, np.float32])
def test_ufuncs_are_the_built_in_kernels(fdt):
    x = np.random.default_rng(0).uniform(0.1, 20.0, 10_001).astype(fdt)
    t = sa.Table(fdt)
    builders = {np.exp: t.exp, np.log: t.ln, np.sqrt: t.sqrt, np.sin: t.sin, np.cos: t.cos}
    for ufunc, builder in builders.items():
        assert kind(ufunc) == "lowered"
        j = builder()
        kernel = sa.apply(t, np.full(x.size, j), x)
        assert np.array_equal(one(ufunc, x), kernel), ufunc.__name__
        # lower=False calls numpy itself.
        assert np.array_equal(one(ufunc, x, lower=False), ufunc(x)), ufunc.__name__
        np.testing.assert_allclose(kernel, ufunc(x), rtol=4e-16 if fdt == np.float64 else 3e-7)
    # Other ufuncs stay numpy's.
    assert kind(np.tanh) == "python"
    assert np.array_equal(one(np.tanh, x), np.tanh(x))


def positive(x):
    return 2.0 + np.sin(x) + 0.1 * x


def cubic_spline_family():
    knots = np.linspace(0.0, 10.0, 30)
    y = positive(knots)
    return {
        "PPoly": interpolate.PPoly.from_spline(interpolate.splrep(knots, y, k=3)),
        "CubicSpline": interpolate.CubicSpline(knots, y),
        "PchipInterpolator": interpolate.PchipInterpolator(knots, y),
        "Akima1DInterpolator": interpolate.Akima1DInterpolator(knots, y, extrapolate=True),
        "InterpolatedUnivariateSpline": interpolate.InterpolatedUnivariateSpline(knots, y, k=3),
        "UnivariateSpline": interpolate.UnivariateSpline(knots, y, s=0.1),
        "LSQUnivariateSpline": interpolate.LSQUnivariateSpline(knots, y, knots[3:-3:3]),
        "linear FITPACK": interpolate.InterpolatedUnivariateSpline(knots, y, k=1),
        "quadratic FITPACK": interpolate.InterpolatedUnivariateSpline(knots, y, k=2),
        "linear PPoly": interpolate.PPoly(np.array([[0.5, -0.25], [1.0, 2.0]]), np.array([0.0, 4.0, 10.0])),
    }


@pytest.mark.parametrize("name", list(cubic_spline_family()))
def test_splines_of_degree_three_or_less_are_lowered(name):
    f = cubic_spline_family()[name]
    assert kind(f) == "lowered", name
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.uniform(-1.0, 11.0, 100_000), np.linspace(0.0, 10.0, 31)])
    got = one(f, x)
    want = f(x)
    # PPoly sums powers, the kernel runs Horner's rule on the same
    # coefficients: a few ULP apart. FITPACK runs de Boor's recurrence on
    # the B-spline; the kernel evaluates PPoly.from_spline's coefficients:
    # a few ULP apart within the knots, and beyond them (the end pieces
    # extrapolated from their Taylor coefficients at the end knots) up to
    # about 1e-12 (2.4e-12 measured for the smoothing spline, one unit out).
    inside = (x >= 0.0) & (x <= 10.0)
    fitpack = isinstance(f, interpolate.UnivariateSpline)
    assert relative_error(got[inside], want[inside]) <= (4e-15 if fitpack else 2e-15), name
    assert relative_error(got, want) <= (1e-11 if fitpack else 2e-15), name
    assert np.array_equal(one(f, x, lower=False), want), "lower=False calls the object"


def test_a_ppoly_that_does_not_extrapolate_gives_nan_outside():
    knots = np.linspace(0.0, 10.0, 12)
    for f in [
        interpolate.Akima1DInterpolator(knots, positive(knots)),  # extrapolate=False by default
        interpolate.CubicSpline(knots, positive(knots), extrapolate=False),
        interpolate.PPoly.from_spline(interpolate.splrep(knots, positive(knots)), extrapolate=False),
    ]:
        assert kind(f) == "lowered"
        x = np.array([-1.0, -1e-300, 0.0, 0.5, 5.0, 10.0, 10.0000001, 50.0, np.nan])
        got, want = one(f, x), f(x)
        assert np.array_equal(np.isnan(got), np.isnan(want))
        assert np.isnan(got).sum() == 5
        ok = ~np.isnan(want)
        assert relative_error(got[ok], want[ok]) <= 4e-15


def test_what_is_not_lowered_keeps_the_callables_own_values():
    knots = np.linspace(0.0, 10.0, 20)
    y = positive(knots)
    not_lowered = {
        "periodic": interpolate.CubicSpline(knots, np.append(y[:-1], y[0]), bc_type="periodic", extrapolate="periodic"),
        "degree 5": interpolate.PPoly.from_spline(interpolate.splrep(knots, y, k=5)),
        "FITPACK degree 4": interpolate.InterpolatedUnivariateSpline(knots, y, k=4),
        "ext=1 (zeros)": interpolate.InterpolatedUnivariateSpline(knots, y, ext=1),
        "ext=3 (clamp)": interpolate.InterpolatedUnivariateSpline(knots, y, ext="const"),
        "decreasing breaks": interpolate.PPoly(np.ones((4, 2)), np.array([2.0, 1.0, 0.0])),
        "vector-valued": interpolate.CubicSpline(knots, np.stack([y, 2 * y], axis=1)),
        "complex": interpolate.PPoly(np.ones((4, 1)) * (1 + 1j), np.array([0.0, 1.0])),
    }
    for name, f in not_lowered.items():
        assert kind(f) == "python", name

    class Shifted(interpolate.CubicSpline):
        def __call__(self, x, nu=0, extrapolate=None):
            return super().__call__(x, nu, extrapolate) + 1.0

    shifted = Shifted(knots, y)
    assert kind(shifted) == "python", "a subclass that evaluates its own way"
    x = np.linspace(0.5, 9.5, 1000)
    for f in [not_lowered["periodic"], not_lowered["degree 5"], not_lowered["ext=1 (zeros)"], shifted]:
        assert np.array_equal(one(f, x), f(x))
    # ext=2 raises outside the data, and so does the table.
    raising = interpolate.InterpolatedUnivariateSpline(knots, y, ext=2)
    assert kind(raising) == "python"
    with pytest.raises(ValueError):
        one(raising, np.array([11.0]))


def test_float32_tables_lower_too():
    knots = np.linspace(0.0, 10.0, 25)
    f = interpolate.InterpolatedUnivariateSpline(knots, positive(knots))
    x = np.linspace(0.0, 10.0, 10_001).astype(np.float32)
    got = one(f, x)
    assert got.dtype == np.float32
    assert relative_error(got.astype(np.float64), f(x.astype(np.float64))) <= 2e-6


def test_infinite_points_of_a_lowered_spline():
    """Horner's rule and scipy's sums differ at +-inf (inf against NaN);
    finite points are the promise."""
    f = interpolate.CubicSpline([0.0, 1.0, 2.0], [1.0, 2.0, 0.5])
    got = one(f, np.array([-np.inf, np.inf]))
    assert not np.isfinite(got).any()


def velocity_profile_table(k=18, seed=0):
    """A table built the way halotools' NFWPhaseSpace builds its
    vel_prof_func_table: one InterpolatedUnivariateSpline (k = 3) per
    concentration bin, through 101 points log-spaced in radius from 1e-3
    to 1 (log10 abscissa), of a smooth positive dispersion profile."""
    logr = np.log10(np.logspace(-3, 0, 101))
    r = 10**logr
    table = []
    for c in np.linspace(1.0, 25.0, k):
        profile = np.sqrt(c * r / (1 + c * r) ** 2 + 0.05) + 0.01 * np.log1p(c)
        table.append(interpolate.InterpolatedUnivariateSpline(logr, profile, k=3))
    return np.array(table, dtype=object)


def test_a_halotools_style_table_passed_as_it_is():
    from reference import grouped_apply

    table = velocity_profile_table()
    rng = np.random.default_rng(4)
    idx = rng.integers(0, len(table), 300_000)
    x = np.log10(rng.uniform(1e-3, 1.0, idx.size))
    want = grouped_apply(table, idx, x)
    lowered = sa.apply(table, idx, x)
    error = relative_error(lowered, want)
    print(f"lowered FITPACK table, worst relative difference: {error:.1e}")
    assert error <= 1e-14
    assert np.array_equal(sa.apply(table, idx, x, lower=False), want)


def test_the_real_halotools_table():
    empirical = pytest.importorskip("halotools.empirical_models")
    from halotools.empirical_models.model_helpers import call_func_table

    model = empirical.NFWPhaseSpace()
    model.build_lookup_tables()
    table = model.vel_prof_func_table
    rng = np.random.default_rng(5)
    idx = rng.integers(0, len(table), 200_000)
    x = np.log10(rng.uniform(1e-3, 1.0, idx.size))
    want = call_func_table(table, x, idx)
    assert relative_error(sa.apply(table, idx, x), want) <= 1e-14
    assert np.array_equal(sa.apply(table, idx, x, lower=False), want)


def test_coefficients_are_read_when_the_callable_is_added():
    p = interpolate.PPoly(np.array([[1.0], [2.0]]), np.array([0.0, 1.0]))  # 1 * d + 2
    t = sa.Table()
    t.function(p)
    p.c[1, 0] = 5.0  # the object changes afterwards
    x = np.array([0.5])
    assert sa.apply(t, [0], x).tolist() == [2.5], "the lowered kernel keeps what it read"
    assert sa.apply(t, [0], x, lower=False).tolist() == [5.5], "a Python call sees the object as it is"
    assert sa.apply([p], [0], x).tolist() == [5.5], "a sequence is read at each call"
