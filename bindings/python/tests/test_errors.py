"""Every refusal: the right exception, a message that names the problem,
and `out` (or the table) left exactly as it was."""

import numpy as np
import pytest

import splitapply as sa


def table(k=3, dtype=np.float64):
    t = sa.Table(dtype)
    for j in range(k):
        t.affine(float(j), 1.0)
    return t


def untouched_out(n, dtype=np.float64):
    out = np.arange(n, dtype=dtype) * 1.5 - 3.0
    return out, out.copy()


@pytest.mark.parametrize("idt", [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64])
def test_index_too_large(idt):
    t = table(3)
    idx = np.array([0, 1, 2, 7, 1, 9], dtype=idt)
    out, before = untouched_out(6)
    with pytest.raises(ValueError, match=r"position 3 is 7, but the table has only 3 functions"):
        sa.apply(t, idx, np.ones(6), out=out)
    assert np.array_equal(out, before)
    with pytest.raises(ValueError, match=r"position 3 is 7"):
        sa.Plan(idx, 3)


def test_negative_index():
    t = table(3)
    out, before = untouched_out(4)
    with pytest.raises(ValueError, match=r"position 2 is negative \(-1\)"):
        sa.apply(t, np.array([0, 1, -1, 2]), np.ones(4), out=out)
    assert np.array_equal(out, before)
    # Past the first tile and worker, too.
    idx = np.zeros(1_000_000, dtype=np.int64)
    idx[777_777] = -5
    out, before = untouched_out(1_000_000)
    with pytest.raises(ValueError, match=r"position 777777 is negative \(-5\)"):
        sa.apply(t, idx, np.ones(1_000_000), out=out)
    assert np.array_equal(out, before)


def test_mismatched_lengths():
    t = table(3)
    out, before = untouched_out(4)
    with pytest.raises(ValueError, match=r"idx has shape \(3,\) but x has shape \(4,\)"):
        sa.apply(t, [0, 1, 2], np.ones(4), out=out)
    with pytest.raises(ValueError, match=r"out has shape \(4,\), but the result has shape \(5,\)"):
        sa.apply(t, [0] * 5, np.ones(5), out=out)
    assert np.array_equal(out, before)


def test_empty_table():
    out, before = untouched_out(2)
    with pytest.raises(ValueError, match="the function table is empty but there are 2 points"):
        sa.apply(sa.Table(), [0, 0], np.ones(2), out=out)
    assert np.array_equal(out, before)


def test_plan_on_a_table_of_another_length():
    plan = sa.Plan([0, 1, 1], 2)
    out, before = untouched_out(3)
    with pytest.raises(ValueError, match="built for a table of 2 functions, but this table has 3"):
        plan.apply(table(3), np.ones(3), out=out)
    with pytest.raises(ValueError, match=r"built for shape \(3,\), but x has shape \(4,\)"):
        plan.apply(table(2), np.ones(4))
    assert np.array_equal(out, before)


def test_invalid_kernel_parameters_leave_the_table_as_it_was():
    t = table(2)
    bad = [
        (lambda: t.interp([0.0, 2.0, 1.0], [0.0, 1.0, 2.0]), "strictly increasing"),
        (lambda: t.interp([0.0, 1.0], [0.0]), "2 knots but 1 values"),
        (lambda: t.clamp(2.0, 1.0), "Clamp"),
        (lambda: t.spline([0.0, 2.0, 1.0], np.zeros((4, 2))), "non-decreasing, but break 1"),
        (lambda: t.spline([0.0, 1.0, 2.0], np.zeros((4, 3))), r"3 breaks need coeffs of shape \(4, 2\), got \(4, 3\)"),
        (lambda: t.spline([0.0, 1.0, 2.0], np.zeros((3, 2))), r"need coeffs of shape \(4, 2\)"),
        (lambda: t.spline([0.0, 1.0], np.zeros(4)), r"need coeffs of shape \(4, 1\), got \(4,\)"),
        (lambda: t.affine_many([1.0, 2.0], [0.0]), "a has 2 values but b has 1"),
        (lambda: t.poly([[1.0, 2.0]]), "coeffs must be 1-D"),
    ]
    for call, message in bad:
        with pytest.raises(ValueError, match=message):
            call()
    assert len(t) == 2
    with pytest.raises(TypeError):
        t.poly(["a", "b"])
    assert len(t) == 2


def test_wrong_dtypes_are_type_errors():
    t = table(2)
    with pytest.raises(TypeError, match="idx must hold integers, but has dtype float64"):
        sa.apply(t, np.array([0.0, 1.0]), np.ones(2))
    with pytest.raises(TypeError, match="idx must hold integers"):
        sa.apply(t, np.array([True, False]), np.ones(2))
    with pytest.raises(TypeError, match="x has dtype float32, but float64 is needed"):
        sa.apply(t, [0, 1], np.ones(2, np.float32))
    with pytest.raises(TypeError, match="x has dtype int64, but float64 is needed"):
        sa.apply(t, [0, 1], np.ones(2, np.int64))
    with pytest.raises(TypeError, match="x has dtype float64, but float32 is needed"):
        sa.apply(table(2, np.float32), [0, 1], np.ones(2))
    with pytest.raises(TypeError, match="out has dtype float32, but float64 is needed"):
        sa.apply(t, [0, 1], np.ones(2), out=np.zeros(2, np.float32))
    with pytest.raises(TypeError, match="out must be a numpy array of float64, got list"):
        sa.apply(t, [0, 1], np.ones(2), out=[0.0, 0.0])
    with pytest.raises(TypeError, match="float32 or float64"):
        sa.Table(np.int32)


def test_out_that_cannot_be_written_in_place():
    t = table(2)
    base, before = untouched_out(8)
    with pytest.raises(ValueError, match="out must be C-contiguous"):
        sa.apply(t, [0, 1, 0, 1], np.ones(4), out=base[::2])
    readonly = base.copy()
    readonly.flags.writeable = False
    with pytest.raises(ValueError, match="out is read-only"):
        sa.apply(t, [0] * 8, np.ones(8), out=readonly)
    raw = np.zeros(8 * 4 + 1, np.uint8)
    unaligned = raw[1:].view(np.float64)
    with pytest.raises(ValueError, match="out must be aligned to its 8-byte values"):
        sa.apply(t, [0, 1, 0, 1], np.ones(4), out=unaligned)
    assert np.array_equal(base, before) and np.array_equal(readonly, before)
    assert not raw.any()


def test_bad_counts_and_windows():
    for threads in [0, -1, 1025]:
        with pytest.raises(ValueError, match=f"threads must be from 1 to 1024, got {threads}"):
            sa.apply(table(1), [0], np.ones(1), threads=threads)
    with pytest.raises(ValueError, match="half_window must be >= 0, got -1"):
        sa.rolling_mean(np.ones(4), -1)
    with pytest.raises(ValueError, match="k must be >= 0, got -2"):
        sa.Plan([0], -2)


def test_type_errors_leave_out_untouched():
    out, before = untouched_out(3)
    with pytest.raises(TypeError):
        sa.apply(table(2), [0, 1, 0], np.ones(3, np.float32), out=out)
    with pytest.raises(TypeError):
        sa.apply(table(2), np.array([0.0, 1.0, 0.0]), np.ones(3), out=out)
    assert np.array_equal(out, before)


def test_idx_sharing_memory_with_out_is_refused():
    buf = np.zeros(8, np.int64)
    out = buf.view(np.float64)
    with pytest.raises(ValueError, match="idx shares memory with out"):
        sa.apply(table(2), buf, np.ones(8), out=out)
    assert not buf.any()


def test_objects_with_their_own_dtype_are_checked_not_converted():
    pd = pytest.importorskip("pandas")
    with pytest.raises(TypeError, match="x has dtype float32, but float64 is needed"):
        sa.apply(table(2), [0, 1], pd.Series([1.0, 2.0], dtype=np.float32))
    with pytest.raises(TypeError, match="idx must hold integers"):
        sa.apply(table(2), pd.Series([0.0, 1.0]), np.ones(2))
    # A float32 Series selects the float32 rolling mean.
    assert sa.rolling_mean(pd.Series([1.0, 2.0, 3.0], dtype=np.float32), 1).dtype == np.float32
