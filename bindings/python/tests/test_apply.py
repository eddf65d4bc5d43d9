"""sa.apply and sa.Plan against the numpy grouping idiom, and against
themselves bit for bit (each point alone, every thread count)."""

import numpy as np
import pytest

import splitapply as sa
from reference import builtin_table, grouped_apply

INDEX_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
FLOAT_DTYPES = [np.float64, np.float32]
TOL = {np.float64: dict(rtol=1e-13, atol=1e-14), np.float32: dict(rtol=2e-6, atol=1e-6)}


def points(n, dtype, seed):
    return np.random.default_rng(seed).uniform(0.1, 2.1, n).astype(dtype)


def each_point_alone(t, idx, x):
    """Every function over all of x, then each point's own: the value a
    point gets when it is evaluated with no other function around."""
    idx = np.asarray(idx)
    want = np.empty_like(x)
    for j in np.unique(idx):
        mask = idx == j
        want[mask] = sa.apply(t, np.full(idx.shape, j, dtype=idx.dtype), x)[mask]
    return want


def assert_bitwise(got, want):
    """The same bits everywhere (a NaN only has to be a NaN)."""
    assert got.dtype == want.dtype and got.shape == want.shape
    g, w = np.ascontiguousarray(got).ravel(), np.ascontiguousarray(want).ravel()
    nan = np.isnan(g)
    assert np.array_equal(nan, np.isnan(w))
    bits = np.uint64 if g.dtype == np.float64 else np.uint32
    assert np.array_equal(g[~nan].view(bits), w[~nan].view(bits))


@pytest.mark.parametrize("fdt", FLOAT_DTYPES)
@pytest.mark.parametrize("idt", INDEX_DTYPES)
def test_every_index_and_float_dtype(idt, fdt):
    t, funcs = builtin_table(sa, fdt)
    rng = np.random.default_rng(7)
    for n in [0, 1, 3, 7, 8, 9, 17, 1000, 70_001]:
        idx = rng.integers(0, len(t), n).astype(idt)
        x = points(n, fdt, n)
        out = sa.apply(t, idx, x)
        assert out.dtype == fdt and out.shape == (n,)
        np.testing.assert_allclose(out, grouped_apply(funcs, idx, x), **TOL[fdt])
        assert_bitwise(out, each_point_alone(t, idx, x))


@pytest.mark.parametrize("fdt", FLOAT_DTYPES)
def test_distributions(fdt):
    """k = 1, sorted, runs, skewed (Zipf) and uniform indices."""
    t, funcs = builtin_table(sa, fdt)
    k, n = len(t), 200_003
    rng = np.random.default_rng(3)
    x = points(n, fdt, 1)
    cases = {
        "one function": np.full(n, 5, dtype=np.int64),
        "sorted": np.sort(rng.integers(0, k, n)),
        "runs": np.repeat(rng.integers(0, k, n // 500 + 1), 500)[:n],
        "zipf": np.minimum(rng.zipf(1.3, n) - 1, k - 1),
        "uniform": rng.integers(0, k, n),
    }
    for name, idx in cases.items():
        out = sa.apply(t, idx, x)
        np.testing.assert_allclose(out, grouped_apply(funcs, idx, x), err_msg=name, **TOL[fdt])
        assert_bitwise(out, each_point_alone(t, idx, x))


def test_scalars_and_zero_dimensional_arrays():
    t, _ = builtin_table(sa, np.float64)
    out = sa.apply(t, np.int64(4), np.array(9.0))
    assert out.shape == () and out == 3.0


def test_k_equals_one():
    t = sa.Table()
    t.sqrt()
    x = points(1001, np.float64, 2)
    assert_bitwise(sa.apply(t, np.zeros(1001, np.uint8), x), np.sqrt(x))


def test_huge_k():
    """100,000 affine functions from two arrays."""
    k, n = 100_000, 300_000
    rng = np.random.default_rng(11)
    a, b = rng.normal(size=k), rng.normal(size=k)
    t = sa.Table()
    r = t.affine_many(a, b)
    assert r == range(0, k) and len(t) == k
    idx = rng.integers(0, k, n)
    x = rng.normal(size=n)
    out = sa.apply(t, idx, x)
    np.testing.assert_allclose(out, a[idx] * x + b[idx], rtol=1e-14, atol=1e-14)
    # affine_many after other functions returns the later range.
    assert t.affine_many([1.0], [2.0]) == range(k, k + 1)


def test_empty_input():
    t, _ = builtin_table(sa, np.float64)
    out = sa.apply(t, np.array([], dtype=np.int64), np.array([]))
    assert out.shape == (0,) and out.dtype == np.float64
    # An empty table is fine with no points.
    assert sa.apply(sa.Table(), [], np.array([])).shape == (0,)


@pytest.mark.parametrize("fdt", FLOAT_DTYPES)
def test_non_contiguous_and_other_layouts(fdt):
    t, funcs = builtin_table(sa, fdt)
    rng = np.random.default_rng(5)
    idx = rng.integers(0, len(t), 20_000)
    x = points(20_000, fdt, 9)
    want = sa.apply(t, idx, x)
    # Strided views.
    assert_bitwise(sa.apply(t, idx[::2], x[::2]), want[::2])
    assert_bitwise(sa.apply(t, idx[::-1], x[::-1]), want[::-1])
    # Other integer widths of the same values, byte-swapped values.
    assert_bitwise(sa.apply(t, idx.astype(">i4"), x.astype(x.dtype.newbyteorder(">"))), want)
    # Unaligned memory, as arrays rebuilt from pickled buffers can be.
    raw = np.zeros(x.nbytes + 1, np.uint8)
    unaligned = raw[1:].view(x.dtype)
    unaligned[:] = x
    assert not unaligned.flags.aligned
    assert_bitwise(sa.apply(t, idx, unaligned), want)
    # A list of indices, a list of points.
    assert_bitwise(sa.apply(t, list(idx[:50]), [float(v) for v in x[:50]]), want[:50])
    # 2-D, C and Fortran order: the result has x's shape.
    i2, x2 = idx.reshape(100, 200), x.reshape(100, 200)
    assert_bitwise(sa.apply(t, i2, x2), want.reshape(100, 200))
    got = sa.apply(t, np.asfortranarray(i2), np.asfortranarray(x2))
    assert_bitwise(got, want.reshape(100, 200))


def test_out_argument_and_in_place():
    t, funcs = builtin_table(sa, np.float64)
    rng = np.random.default_rng(1)
    idx = rng.integers(0, len(t), 5000)
    x = points(5000, np.float64, 4)
    want = sa.apply(t, idx, x)
    buf = np.full(5000, -7.0)
    assert sa.apply(t, idx, x, out=buf) is buf
    assert_bitwise(buf, want)
    # out=x: every point is read before it is overwritten.
    y = x.copy()
    assert sa.apply(t, idx, y, out=y) is y
    assert_bitwise(y, want)
    # Partial overlap: out is x shifted by one point.
    buf = np.concatenate([x, [0.0]])
    shifted_out = buf[:-1]
    sa.apply(t, idx, buf[1:], out=shifted_out)
    assert_bitwise(shifted_out, sa.apply(t, idx, np.concatenate([x, [0.0]])[1:]))
    # The same through two different objects viewing one buffer.
    other_view = np.frombuffer(memoryview(buf), dtype=np.float64)[1:]
    buf[:] = np.concatenate([x, [0.0]])
    sa.apply(t, idx, other_view, out=buf[:-1])
    assert_bitwise(buf[:-1], sa.apply(t, idx, np.concatenate([x, [0.0]])[1:]))


def test_every_thread_count_gives_the_same_bits():
    t, _ = builtin_table(sa, np.float64, k=300)
    rng = np.random.default_rng(2)
    idx = rng.integers(0, len(t), 400_000)
    x = points(400_000, np.float64, 6)
    want = sa.apply(t, idx, x, threads=1)
    for threads in [2, 3, 8, None]:
        assert_bitwise(sa.apply(t, idx, x, threads=threads), want)
    # Small calls run on the calling thread, not in a pool: the same bits.
    for n in [1, 10, 1000, 5000]:
        assert_bitwise(sa.apply(t, idx[:n], x[:n]), want[:n])
        assert_bitwise(sa.Plan(idx[:n], len(t)).apply(t, x[:n]), want[:n])


@pytest.mark.parametrize("fdt", FLOAT_DTYPES)
def test_plan_matches_apply(fdt):
    t, _ = builtin_table(sa, fdt, k=40)
    rng = np.random.default_rng(8)
    idx = rng.integers(0, len(t), 100_000).astype(np.int32)
    plan = sa.Plan(idx, len(t))
    assert len(plan) == 100_000 and plan.k == len(t) and plan.nbytes > 0
    for seed in range(3):
        x = points(100_000, fdt, seed)
        want = sa.apply(t, idx, x)
        assert_bitwise(plan.apply(t, x), want)
        out = np.empty_like(x)
        assert plan.apply(t, x, out=out, threads=1) is out
        assert_bitwise(out, want)


def test_float32_table():
    t = sa.Table(np.float32)
    assert t.dtype == np.float32 and sa.Table().dtype == np.float64
    t.affine(0.5, 0.25)
    out = sa.apply(t, [0, 0], np.array([1.0, 2.0], np.float32))
    assert out.dtype == np.float32 and out.tolist() == [0.75, 1.25]
    assert repr(t) == "splitapply.Table(float32, 1 functions)"


def test_simd_info():
    info = sa.simd_info()
    assert set(info) == {
        "level", "cpu_level", "build", "compiled", "available", "missed", "warning", "grouping_path",
    }
    assert info["grouping_path"] in {"Portable", "Avx2", "Avx512"}
    assert all(isinstance(f, str) for f in info["compiled"])
    levels = {"x86-64", "x86-64-v2", "x86-64-v3", "x86-64-v4"}
    assert info["level"] in levels and info["cpu_level"] in levels
    assert info["level"] <= info["cpu_level"], "a build never needs more than the CPU has"
    assert (info["warning"] is None) == (not info["missed"])


def test_contiguous_aligned_inputs_are_not_copied():
    """README: contiguous, aligned arrays are used without copying. numpy
    reports its allocations to tracemalloc, so a copy of x or idx would
    show as a peak of its size; a strided x must show one (the check can
    fail)."""
    import tracemalloc

    t, _ = builtin_table(sa, np.float64)
    n = 1_000_000
    idx = np.random.default_rng(3).integers(0, len(t), n)
    x = points(2 * n, np.float64, 4)
    out = np.empty(n)

    def peak(call):
        tracemalloc.start()
        try:
            call()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    contiguous = peak(lambda: sa.apply(t, idx, x[:n], out=out))
    strided = peak(lambda: sa.apply(t, idx, x[::2], out=out))
    assert contiguous < n * 8 // 10, contiguous
    assert strided >= n * 8, strided
