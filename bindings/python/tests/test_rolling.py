"""sa.rolling_mean against a direct numpy reference, and its precision
against pandas' rolling mean on a long random walk."""

import math

import numpy as np
import pytest

import splitapply as sa


def direct(data, w):
    """The mean of each edge-padded window, summed directly."""
    if data.size == 0:
        return np.zeros(0)
    padded = np.pad(data.astype(np.float64), w, mode="edge")
    kernel = np.ones(2 * w + 1)
    return np.convolve(padded, kernel, mode="valid") / (2 * w + 1)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_against_direct_sums(dtype):
    rng = np.random.default_rng(1)
    for n in [0, 1, 2, 5, 31, 32, 33, 1000, 100_003]:
        data = rng.normal(size=n).astype(dtype)
        for w in [0, 1, 3, 10, 64, 500]:
            got = sa.rolling_mean(data, w)
            assert got.dtype == dtype and got.shape == (n,)
            tol = 1e-12 if dtype == np.float64 else 2e-6
            np.testing.assert_allclose(got, direct(data, w).astype(dtype), rtol=tol, atol=tol, err_msg=f"n={n} w={w}")


def test_out_threads_and_layouts():
    data = np.random.default_rng(2).normal(size=300_000)
    want = sa.rolling_mean(data, 40, threads=1)
    out = np.empty_like(data)
    assert sa.rolling_mean(data, 40, out=out, threads=2) is out
    assert np.array_equal(out, want)
    assert np.array_equal(sa.rolling_mean(data, 40), want)
    assert np.array_equal(sa.rolling_mean(data[::-1].copy()[::-1], 40), want)
    in_place = data.copy()
    sa.rolling_mean(in_place, 40, out=in_place)
    assert np.array_equal(in_place, want)
    with pytest.raises(ValueError, match="data must be 1-D"):
        sa.rolling_mean(data.reshape(3, -1), 4)
    with pytest.raises(TypeError, match="out has dtype"):
        sa.rolling_mean(data, 4, out=np.empty(data.size, np.float32))


def test_precision_on_a_random_walk_next_to_pandas():
    """Both are at the rounding floor on a long random walk: pandas divides
    a Kahan-compensated running sum (about 1 rounding from exact),
    splitapply multiplies by a rounded 1/(2w+1) (2-3 roundings). The bound
    asserted is splitapply's own; both figures are printed for the notes."""
    pd = pytest.importorskip("pandas")
    n, w = 2_000_000, 10
    rng = np.random.default_rng(3)
    walk = 1e6 + np.cumsum(rng.normal(size=n))
    ours = sa.rolling_mean(walk, w)
    theirs = pd.Series(walk).rolling(2 * w + 1, center=True).mean().to_numpy()
    # Exact window means (math.fsum) at interior points spread over the walk.
    at = np.linspace(n // 2, n - w - 1, 3000).astype(np.int64)
    exact = np.array([math.fsum(walk[i - w : i + w + 1]) / (2 * w + 1) for i in at])
    ours_err = np.max(np.abs(ours[at] - exact) / np.abs(exact))
    theirs_err = np.max(np.abs(theirs[at] - exact) / np.abs(exact))
    print(f"worst relative error: splitapply {ours_err:.2e}, pandas {theirs_err:.2e}")
    assert ours_err <= 1e-15
