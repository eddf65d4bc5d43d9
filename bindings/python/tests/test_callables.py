"""Python callables in a table: sa.apply(funcs, ...) with a sequence of
callables or a Table with t.function entries. Each semantic point of the
API, and each refusal with out left untouched."""

import sys

import numpy as np
import pytest

import splitapply as sa
from reference import builtin_table, grouped_apply

INDEX_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]


def scaled(k):
    """The seed's table as Python closures: f_j(v) = j * v."""
    return [lambda v, j=j: j * v for j in range(k)]


class Recorder:
    """A callable that records every call: the array it got (a copy, and
    whether it was 1-D, read-only and of what dtype), then returns
    ``2 * v + j``."""

    def __init__(self, j, log):
        self.j, self.log = j, log

    def __call__(self, v):
        self.log.append((self.j, np.array(v), type(v) is np.ndarray and v.ndim == 1, v.flags.writeable, v.dtype))
        return 2 * v + self.j


def untouched_out(n, dtype=np.float64):
    out = np.arange(n, dtype=dtype) * 1.5 - 3.0
    return out, out.copy()


@pytest.mark.parametrize("idt", INDEX_DTYPES)
@pytest.mark.parametrize("fdt", [np.float64, np.float32])
def test_a_sequence_of_closures_matches_the_numpy_idiom(idt, fdt):
    rng = np.random.default_rng(1)
    k = 37
    funcs = scaled(k)
    for n in [0, 1, 7, 1000, 70_001]:
        idx = rng.integers(0, k, n).astype(idt)
        x = rng.uniform(0.1, 2.0, n).astype(fdt)
        out = sa.apply(funcs, idx, x)
        assert out.dtype == fdt and out.shape == (n,)
        assert np.array_equal(out, grouped_apply(funcs, idx, x))


def test_each_callable_is_called_once_with_its_points_in_order():
    rng = np.random.default_rng(2)
    k, n = 9, 300_001  # several tiles; functions 3 and 7 get no point
    idx = rng.choice([j for j in range(k) if j not in (3, 7)], n)
    x = rng.normal(size=n)
    log = []
    funcs = [Recorder(j, log) for j in range(k)]
    for threads in [1, 2, None]:
        log.clear()
        out = sa.apply(funcs, idx, x, threads=threads)
        assert [entry[0] for entry in log] == [0, 1, 2, 4, 5, 6, 8], "once each, in index order"
        for j, got, one_d, writeable, dtype in log:
            assert one_d and not writeable and dtype == np.float64
            assert np.array_equal(got, x[idx == j]), "its points, in their original order"
        assert np.array_equal(out, 2 * x + idx)


def test_a_kept_view_stays_valid_and_read_only():
    kept = []

    def keep(v):
        kept.append(v)
        return v * 3

    x = np.linspace(0.0, 1.0, 1000)
    idx = np.arange(1000) % 2
    out = sa.apply([keep, np.negative], idx, x)
    assert np.array_equal(out, np.where(idx == 0, x * 3, -x))
    (view,) = kept
    with pytest.raises(ValueError):
        view[0] = 1.0
    del out, x
    import gc

    gc.collect()
    assert np.array_equal(view, np.linspace(0.0, 1.0, 1000)[::2])


def test_scalar_results_are_broadcast_and_results_cast_to_x_dtype():
    x = np.array([1.5, 2.5, 3.5, 4.5, 5.5])
    idx = np.array([0, 1, 2, 3, 4])
    funcs = [
        lambda v: 7,  # a Python int
        lambda v: np.float32(0.25),  # a numpy scalar
        lambda v: np.array(-1.0),  # a 0-d array
        lambda v: v > 4,  # booleans
        lambda v: (v * 2).astype(np.int64),  # integers
    ]
    out = sa.apply(funcs, np.repeat(idx, 2), np.repeat(x, 2))
    assert np.array_equal(out, np.repeat([7.0, 0.25, -1.0, 1.0, 11.0], 2))
    # float32 x: float32 results, whatever the callables return.
    x32 = np.array([0.1, 0.2, 0.3], np.float32)
    out = sa.apply([lambda v: v.astype(np.float64) * 3.0, lambda v: [1.0 / 3.0]], [0, 0, 1], x32)
    assert out.dtype == np.float32
    assert np.array_equal(out, np.array([np.float64(x32[0]) * 3.0, np.float64(x32[1]) * 3.0, 1.0 / 3.0], np.float32))
    # Lists and other sequences of numbers of the right length.
    assert sa.apply([lambda v: [float(a) + 1 for a in v]], [0, 0], np.array([1.0, 2.0])).tolist() == [2.0, 3.0]


def test_a_result_that_is_a_view_of_out_or_x():
    x = np.linspace(1.0, 2.0, 10)
    idx = np.arange(10) % 2
    out = np.zeros(10)
    # Returning a view of out (all zeros, then) or of its own input.
    got = sa.apply([lambda v: out[: len(v)], lambda v: v], idx, x, out=out)
    assert got is out
    assert np.array_equal(out, np.where(idx == 0, 0.0, x))
    # In place: out=x.
    y = x.copy()
    sa.apply(scaled(2), idx, y, out=y)
    assert np.array_equal(y, idx * x)


def test_results_are_collected_when_returned():
    """Callables that return their values in one buffer they all reuse, or
    that change an earlier result in place: each result counts as it was
    when its callable returned."""
    buf = np.zeros(100)
    returned = []

    def reuse(j):
        def f(v):
            buf[: len(v)] = v * j
            return buf[: len(v)]

        return f

    def spoil(v):
        for r in returned:
            r[:] = -1.0
        return v

    def keep(v):
        r = v * 10
        returned.append(r)
        return r

    x = np.linspace(1.0, 2.0, 60)
    idx = np.arange(60) % 4
    out = sa.apply([reuse(1), keep, reuse(3), spoil], idx, x)
    assert np.array_equal(out, np.choose(idx, [x, x * 10, x * 3, x]))


def test_errors_name_the_function_and_leave_out_untouched():
    x, idx = np.ones(6), np.array([0, 1, 1, 2, 2, 2])
    cases = [
        (lambda v: v[:-1], ValueError, r"the function at index 2 returned 2 values for its 3 points"),
        (lambda v: np.ones((len(v), 1)), ValueError, r"index 2 returned an array of shape \(3, 1\) for its 3 points"),
        (lambda v: np.ones(0), ValueError, r"index 2 returned 0 values for its 3 points"),
        (lambda v: None, TypeError, r"index 2 returned None; it must return real numbers"),
        (lambda v: np.array(["a"] * len(v)), TypeError, r"index 2 returned ndarray of dtype <U1"),
        (lambda v: v * 1j, TypeError, r"index 2 returned ndarray of dtype complex(128|64)"),
        (lambda v: [object()] * len(v), TypeError, r"index 2 returned list of dtype object"),
    ]
    plan = sa.Plan(idx, 3)
    for bad, error, message in cases:
        for funcs in ([np.sqrt, lambda v: v, bad], table_of([np.sqrt, lambda v: v, bad])):
            out, before = untouched_out(6)
            with pytest.raises(error, match=message):
                sa.apply(funcs, idx, x, out=out)
            assert np.array_equal(out, before)
            with pytest.raises(error, match=message):
                plan.apply(funcs, x, out=out)
            assert np.array_equal(out, before)
        # float32 too, and in place (out=x).
        x32, before32 = untouched_out(6, np.float32)
        with pytest.raises(error, match=message):
            sa.apply([np.sqrt, lambda v: v, bad], idx, x32, out=x32)
        assert np.array_equal(x32, before32)


def table_of(funcs, dtype=np.float64):
    t = sa.Table(dtype)
    for f in funcs:
        t.function(f)
    return t


def test_user_exceptions_propagate_unchanged_with_a_note():
    class Custom(Exception):
        pass

    def fails(v):
        raise Custom("the message", 42)

    out, before = untouched_out(4)
    with pytest.raises(Custom) as info:
        sa.apply([np.exp, fails], [0, 1, 0, 1], np.ones(4), out=out)
    assert info.value.args == ("the message", 42)
    assert np.array_equal(out, before)
    if sys.version_info >= (3, 11):
        assert info.value.__notes__ == ["raised by the function at index 1 of the table"]
    # A later callable's failure: earlier calls happened, out is still untouched.
    calls = []
    out, before = untouched_out(4)
    with pytest.raises(ZeroDivisionError):
        sa.apply([lambda v: calls.append(0) or v, lambda v: 1 / 0], [0, 1, 0, 1], np.ones(4), out=out)
    assert calls == [0] and np.array_equal(out, before)


def test_entries_that_are_not_callable():
    out, before = untouched_out(3)
    with pytest.raises(TypeError, match=r"entry 1 of funcs: a table entry must be callable, got int"):
        sa.apply([np.exp, 3, np.log], [0, 0, 0], np.ones(3), out=out)
    assert np.array_equal(out, before)
    with pytest.raises(TypeError, match=r"funcs must be a splitapply.Table or a sequence of callables, got float"):
        sa.apply(1.5, [0], np.ones(1))
    t = sa.Table()
    t.exp()
    with pytest.raises(TypeError, match="must be callable, got str"):
        t.function("exp")
    assert len(t) == 1


def test_index_errors_as_for_kernels():
    funcs = scaled(3)
    for table in (funcs, table_of(funcs)):
        out, before = untouched_out(4)
        with pytest.raises(ValueError, match=r"position 2 is 7, but the table has only 3 functions"):
            sa.apply(table, np.array([0, 1, 7, 2]), np.ones(4), out=out)
        with pytest.raises(ValueError, match=r"position 1 is negative \(-1\)"):
            sa.apply(table, np.array([0, -1, 1, 2]), np.ones(4), out=out)
        with pytest.raises(ValueError, match=r"idx has shape \(3,\) but x has shape \(4,\)"):
            sa.apply(table, [0, 1, 2], np.ones(4), out=out)
        assert np.array_equal(out, before)
    with pytest.raises(ValueError, match="the function table is empty but there are 2 points"):
        sa.apply([], [0, 0], np.ones(2))
    assert sa.apply([], [], np.ones(0)).shape == (0,)


def test_an_index_array_rewritten_during_the_calls_changes_nothing():
    """The indices are validated and grouped before any call; a callable
    that rewrites idx (as another thread could) cannot steer the scatter."""
    idx = np.array([0, 1, 0, 1, 1] * 1000)
    x = np.linspace(0.0, 1.0, idx.size)
    want = np.where(idx == 0, -x, 2 * x)
    original = idx.copy()

    def vandal(v):
        idx[:] = 10**9
        return -v

    assert np.array_equal(sa.apply([vandal, lambda v: 2 * v], idx, x), want)
    idx[:] = original
    t = table_of([vandal, lambda v: 2 * v])
    plan = sa.Plan(idx, 2)
    assert np.array_equal(plan.apply(t, x), want)


@pytest.mark.parametrize("fdt", [np.float64, np.float32])
def test_mixed_tables_with_apply_and_plan(fdt):
    t, funcs = builtin_table(sa, fdt, k=20)
    log = []
    for j in range(3):
        funcs.append(Recorder(len(funcs), log))
        assert t.function(funcs[-1]) == len(funcs) - 1
    t.exp()
    funcs.append(np.exp)
    rng = np.random.default_rng(5)
    idx = rng.integers(0, len(t), 200_000)
    x = rng.uniform(0.1, 2.1, 200_000).astype(fdt)
    want_builtin = sa.apply(builtin_table(sa, fdt, k=20)[0], np.where(idx < 32, idx, 0), x)
    out = sa.apply(t, idx, x)
    python = (idx >= 32) & (idx < 35)
    assert np.array_equal(out[python], (2 * x + idx.astype(fdt))[python])
    builtin = idx < 32
    assert np.array_equal(out[builtin], want_builtin[builtin]), "kernels give the bits they give alone"
    plan = sa.Plan(idx, len(t))
    for threads in [1, 2]:
        assert np.array_equal(plan.apply(t, x, threads=threads), out)
        assert np.array_equal(sa.apply(t, idx, x, threads=threads), out)
    # A plan with a plain sequence of callables.
    closures = [lambda v, j=j: v * j for j in range(len(t))]
    assert np.array_equal(plan.apply(closures, x), sa.apply(closures, idx, x))
    assert np.array_equal(plan.apply(closures, x), x * idx.astype(fdt))
    with pytest.raises(ValueError, match="built for a table of 36 functions, but this table has 3"):
        plan.apply(funcs[:3], x)


def test_huge_k_of_closures_and_a_numpy_array_of_callables():
    rng = np.random.default_rng(9)
    k = 3000
    funcs = np.empty((60, 50), dtype=object)  # a 2-D table, as halotools builds some
    for j in range(k):
        funcs.flat[j] = lambda v, j=j: v + j
    idx = rng.integers(0, k, 100_000)
    x = rng.normal(size=100_000)
    assert np.array_equal(sa.apply(funcs, idx.reshape(400, 250), x.reshape(400, 250)), (x + idx).reshape(400, 250))


def test_a_callable_may_call_apply_but_not_change_the_table():
    t = sa.Table()
    inner = sa.Table()
    inner.affine(10.0, 0.0)
    t.function(lambda v: sa.apply(inner, np.zeros(len(v), np.int8), v) + sa.apply([np.negative], [0] * len(v), v))
    assert sa.apply(t, [0, 0], np.array([1.0, 2.0])).tolist() == [9.0, 18.0]
    t.function(lambda v: t.exp())
    out, before = untouched_out(2)
    with pytest.raises(RuntimeError):
        sa.apply(t, [1, 1], np.ones(2), out=out)
    assert np.array_equal(out, before) and len(t) == 2


def test_an_index_array_rewritten_by_another_thread_never_crashes():
    """While Rust validates and groups idx with the GIL released, another
    thread keeps writing valid and invalid values into it. As for
    kernels, a call may then give wrong values or refuse (an index error,
    or the bounds-checked panic caught at the boundary), but it never
    reads or writes out of bounds: every call returns or raises, and
    what it returns is initialised memory (finite values here, where
    every point and result is finite)."""
    import threading

    n = 1_000_000
    idx = np.zeros(n, np.int64)
    x = np.linspace(1.0, 2.0, n)
    funcs = [lambda v: v, lambda v: -v]
    stop = threading.Event()

    def scribble():
        while not stop.is_set():
            idx[::3] = 1
            idx[1::7] = 5  # out of range for k = 2
            idx[::3] = 0
            idx[1::7] = 0

    writer = threading.Thread(target=scribble)
    writer.start()
    outcomes = {"values": 0, "refused": 0}
    try:
        for _ in range(30):
            try:
                out = sa.apply(funcs, idx, x)
            except ValueError:
                outcomes["refused"] += 1
                continue
            except BaseException as e:  # pyo3's PanicException is a BaseException
                if type(e).__name__ != "PanicException":
                    raise
                outcomes["refused"] += 1
                continue
            assert out.shape == x.shape
            assert np.all(np.isfinite(out))
            outcomes["values"] += 1
    finally:
        stop.set()
        writer.join()
    assert sum(outcomes.values()) == 30
    # Left alone again, the same call is exact.
    idx[:] = np.arange(n) % 2
    assert np.array_equal(sa.apply(funcs, idx, x), np.where(idx == 0, x, -x))


def test_a_table_and_a_closure_over_it_are_collected():
    import gc
    import weakref

    t = sa.Table()

    def f(v):
        return v * len(t)  # refers back to the table: a cycle

    t.function(f)
    assert sa.apply(t, [0], np.array([2.0])).tolist() == [2.0]
    gone = weakref.ref(f)
    del f, t
    gc.collect()
    assert gone() is None


def test_a_builder_called_from_another_thread_during_apply_raises():
    """The stub: a builder called while the table is being applied, from
    any thread, raises RuntimeError and leaves the table as it was. The
    callable starts the other thread and waits for it, so the call is
    sure to fall inside the apply."""
    import threading

    t = sa.Table()
    outcome = []

    def other():
        try:
            t.exp()
            outcome.append("added")
        except RuntimeError:
            outcome.append("refused")

    def f(v):
        if not outcome:
            thread = threading.Thread(target=other)
            thread.start()
            thread.join()
        return v * 2.0

    t.function(f)
    out = sa.apply(t, [0, 0], np.array([1.0, 2.0]))
    assert outcome == ["refused"] and len(t) == 1
    assert out.tolist() == [2.0, 4.0]
    t.exp()  # after the call, the table can grow again
    assert len(t) == 2
