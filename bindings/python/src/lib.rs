//! The `splitapply` Python module: numpy arrays in and out over the Rust
//! engine.
//!
//! - [`table`]: `Table`, a picklable list of kernel specs and callables,
//!   and the `FuncTable` built from them;
//! - [`calls`]: Python callables, called once per `apply` with all of
//!   their points, grouped and scattered in Rust;
//! - [`compiled`]: numba cfuncs and `scipy.LowLevelCallable`s as kernels;
//! - [`lowered`]: kernels for lowered scipy objects beyond the built-in
//!   ones;
//! - [`arrays`]: numpy arguments to slices (index dtypes, contiguity,
//!   `out=` checks) with precise `TypeError`s and `ValueError`s;
//! - [`threads`]: the `threads=` argument, as cached rayon pools;
//! - [`plan`]: `Plan`, validate and bucket once;
//! - [`funcs`]: a call's functions, a `Table` or a sequence of callables;
//! - [`errors`]: core errors as Python exceptions.
//!
//! Every call checks all of its arguments before it writes, and runs the
//! Rust work with the GIL released.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

mod arrays;
mod calls;
mod compiled;
mod errors;
mod funcs;
mod level;
mod lowered;
mod plan;
mod table;
mod threads;

use arrays::{FloatArray, IndexArray, OutArray, shape_str, with_index_slice};
use errors::value_error;
use funcs::{Funcs, one_tile};
use table::{Inner, Table};

/// Below this many points a rolling mean is not worth splitting across
/// threads, so it stays on the calling thread.
const ROLLING_INLINE_BELOW: usize = 1 << 14;

/// Evaluates `out[i] = funcs[idx[i]](x[i])` for every `i`.
///
/// `funcs` is a `Table` or any sequence of callables. `idx` may be any
/// integer dtype (or a list); `x` must have the table's float dtype.
/// `out`, when given, must be a writable C-contiguous array of that dtype
/// and `x`'s shape; it is returned. On any error nothing is written.
/// `threads=None` uses all cores; `lower=False` calls every Python
/// callable as Python.
#[pyfunction]
#[pyo3(signature = (funcs, idx, x, out=None, threads=None, lower=true))]
fn apply<'py>(
    py: Python<'py>,
    funcs: &Bound<'py, PyAny>,
    idx: &Bound<'py, PyAny>,
    x: &Bound<'py, PyAny>,
    out: Option<Bound<'py, PyAny>>,
    threads: Option<i64>,
    lower: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let table = Funcs::new(funcs, x, lower)?;
    let calls = table.calls(py, lower);
    match &table.inner {
        Inner::F64(t) => apply_typed(py, t, &calls, idx, x, out, threads),
        Inner::F32(t) => apply_typed(py, t, &calls, idx, x, out, threads),
    }
}

fn apply_typed<'py, T: arrays::PyFloat>(
    py: Python<'py>,
    table: &splitapply::FuncTable<T>,
    calls: &table::Calls<'py>,
    idx: &Bound<'py, PyAny>,
    x: &Bound<'py, PyAny>,
    out: Option<Bound<'py, PyAny>>,
    threads: Option<i64>,
) -> PyResult<Bound<'py, PyAny>> {
    let pool = threads::pool(threads)?;
    let idx = IndexArray::new(idx, "idx")?;
    let x = FloatArray::<T>::new(x, "x")?;
    if idx.shape() != x.shape() {
        return Err(PyValueError::new_err(format!(
            "idx has shape {} but x has shape {}; they must match",
            shape_str(idx.shape()),
            shape_str(x.shape())
        )));
    }
    let out = OutArray::<T>::new(py, out, x.shape())?;
    if out.overlaps(idx.as_any())? {
        return Err(PyValueError::new_err(
            "idx shares memory with out; pass a copy of one of them",
        ));
    }
    if !calls.is_empty() {
        let plan = with_index_slice!(&idx, |ids| {
            let inline = one_tile::<T, _>(ids);
            py.detach(|| threads::run(&pool, inline, || splitapply::Plan::new(ids, table.len())))
                .map_err(value_error)
        })?;
        calls::apply_with_calls(py, table, &plan, calls, &x, &out, &pool)?;
        return Ok(out.into_any());
    }
    {
        let (src, mut dst) = x.borrow_with_out(&out)?;
        let xs = src.as_slice();
        let dst = dst
            .as_slice_mut()
            .expect("out was checked C-contiguous and aligned");
        with_index_slice!(&idx, |ids| {
            let inline = one_tile::<T, _>(ids);
            py.detach(|| {
                threads::run(&pool, inline, || {
                    splitapply::apply_into(table, ids, xs, dst)
                })
            })
            .map_err(value_error)
        })?;
    }
    Ok(out.into_any())
}

/// Centred moving average with edge padding: `out[i]` is the mean of
/// `data[i - half_window ..= i + half_window]`, with the first and last
/// values repeated past the ends (`np.pad(mode='edge')`).
///
/// `data` is a 1-D float32 or float64 array; `out`, when given, a writable
/// contiguous array of the same dtype and length. `threads=None` uses all
/// cores.
#[pyfunction]
#[pyo3(signature = (data, half_window, out=None, threads=None))]
fn rolling_mean<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    half_window: i64,
    out: Option<Bound<'py, PyAny>>,
    threads: Option<i64>,
) -> PyResult<Bound<'py, PyAny>> {
    let half_window = usize::try_from(half_window).map_err(|_| {
        PyValueError::new_err(format!("half_window must be >= 0, got {half_window}"))
    })?;
    if arrays::is_float32(data)? {
        rolling_typed::<f32>(py, data, half_window, out, threads)
    } else {
        rolling_typed::<f64>(py, data, half_window, out, threads)
    }
}

fn rolling_typed<'py, T: arrays::PyFloat>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    half_window: usize,
    out: Option<Bound<'py, PyAny>>,
    threads: Option<i64>,
) -> PyResult<Bound<'py, PyAny>> {
    let pool = threads::pool(threads)?;
    let data = FloatArray::<T>::new(data, "data")?;
    if data.shape().len() != 1 {
        return Err(PyValueError::new_err(format!(
            "data must be 1-D, got shape {}",
            shape_str(data.shape())
        )));
    }
    let out = OutArray::<T>::new(py, out, data.shape())?;
    {
        let (src, mut dst) = data.borrow_with_out(&out)?;
        let xs = src.as_slice();
        let dst = dst
            .as_slice_mut()
            .expect("out was checked C-contiguous and aligned");
        let inline = xs.len() < ROLLING_INLINE_BELOW;
        py.detach(|| {
            threads::run(&pool, inline, || {
                splitapply::rolling_mean(xs, half_window, dst)
            })
        })
        .map_err(value_error)?;
    }
    Ok(out.into_any())
}

/// What the extension was compiled for next to what this CPU offers:
/// a dict with `level` (the x86-64 level of this build), `cpu_level` (the
/// highest one this CPU runs), `compiled`, `available` and `missed` (lists
/// of feature names), `warning` (a string when the build misses
/// features this CPU has, else None) and `grouping_path` (the
/// instruction-set path the grouping passes chose at run time). The
/// package adds `build`.
#[pyfunction]
fn simd_info(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let info = splitapply::simd_info();
    let dict = PyDict::new(py);
    dict.set_item("level", level::compiled())?;
    dict.set_item("cpu_level", level::detected())?;
    dict.set_item("compiled", info.compiled())?;
    dict.set_item("available", info.available())?;
    dict.set_item("missed", info.missed())?;
    dict.set_item("warning", info.warning())?;
    dict.set_item("grouping_path", format!("{:?}", info.grouping_path()))?;
    Ok(dict)
}

/// The library's built-in kernels, for `splitapply/__init__.py`, which
/// gives `Table` one builder method per kernel: a list of `(name,
/// summary, parameter names)`.
#[pyfunction]
fn builtin_kernels() -> Vec<(&'static str, &'static str, Vec<&'static str>)> {
    splitapply::kernels::BUILTIN_KERNELS
        .iter()
        .map(|k| (k.name, k.summary, k.params.iter().map(|p| p.0).collect()))
        .collect()
}

/// The native module; `splitapply/__init__.py` re-exports it.
///
/// Declared as needing the GIL: the thread pools' fork handling assumes
/// that a fork and a pool lookup never run at once.
#[pymodule(gil_used = true)]
fn _splitapply(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Table>()?;
    m.add_class::<plan::Plan>()?;
    m.add_function(wrap_pyfunction!(apply, m)?)?;
    m.add_function(wrap_pyfunction!(rolling_mean, m)?)?;
    m.add_function(wrap_pyfunction!(simd_info, m)?)?;
    m.add_function(wrap_pyfunction!(builtin_kernels, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    threads::register_fork_handler(m.py())
}
