//! Python callables in a table: each is called once per `apply`, with all
//! of its points.
//!
//! ```text
//! plan    = idx validated and grouped per tile             (Rust, GIL released, all cores)
//! groups  = the callables' points, per function, in their original order
//! points  = a new numpy array per callable; gather x into them (Rust, GIL released, all cores)
//! for each callable j with points, in index order:         (Python, one at a time)
//!     r = f_j(points_j)               made read-only first
//!     r: a 0-d value (broadcast) or range_j's length of numbers, cast to x's dtype,
//!        copied to scratch (a new array nothing else refers to is kept as the scratch)
//! out = the kernels of every other entry, and the results  (Rust, GIL released, all cores)
//! ```
//!
//! `out` is written only in the last step, after every call has returned
//! a usable result, so an exception or a bad result leaves it untouched.
//! No Rust borrow of `x` or `out` is held while Python code runs: a
//! callable that touches them cannot alias a Rust slice; and a result a
//! later callable could still change (a view, a buffer it reuses) is
//! copied when it is returned.

use numpy::{
    Element, PyArray1, PyArrayMethods, PyReadonlyArray1, PyUntypedArray, PyUntypedArrayMethods,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use rayon::ThreadPool;
use splitapply::{Float, FuncTable, Kernel, Plan};

use crate::arrays::{FloatArray, OutArray, PyFloat, numpy, shape_str};
use crate::errors::value_error;
use crate::threads;

/// The table entry of a Python callable: a placeholder that is never
/// evaluated, because [`apply_with_calls`] takes its values from the
/// callable instead.
pub(crate) struct PythonCall;

impl<T: Float> Kernel<T> for PythonCall {
    fn eval_in_place(&self, _: &mut [T]) {
        unreachable!(
            "a Python callable's points are evaluated by calling it, never by its placeholder"
        );
    }

    fn name(&self) -> &str {
        "python"
    }
}

/// Writes `out[i] = f[idx[i]](x[i])` for the planned `idx`, calling each of
/// `calls` (function number and callable, in increasing order) once with
/// all of its points and running `table`'s kernels for every other entry.
pub(crate) fn apply_with_calls<'py, T: PyFloat>(
    py: Python<'py>,
    table: &FuncTable<T>,
    plan: &Plan,
    calls: &[(usize, Bound<'py, PyAny>)],
    x: &FloatArray<'py, T>,
    out: &OutArray<'py, T>,
    pool: &ThreadPool,
) -> PyResult<()> {
    let mut selected = vec![false; table.len()];
    for (j, _) in calls {
        selected[*j] = true;
    }
    let inline = plan.len() <= plan.tile_len();
    let groups = py.detach(|| plan.groups(|j| selected[j]));

    // One new array per callable: a callable may keep its points, so
    // they are never reused, and a kept array holds only its own points.
    let np = numpy(py)?;
    let listed: Vec<(usize, std::ops::Range<usize>)> = groups.iter().collect();
    let arrays = listed
        .iter()
        .map(|(_, range)| {
            np.call_method1("empty", (range.len(), numpy::dtype::<T>(py)))?
                .cast_into::<PyArray1<T>>()
                .map_err(PyErr::from)
        })
        .collect::<PyResult<Vec<_>>>()?;
    {
        let mut guards = arrays
            .iter()
            .map(|a| a.try_readwrite().expect("a new array is not borrowed"))
            .collect::<Vec<_>>();
        let mut buffers = guards
            .iter_mut()
            .map(|g| g.as_slice_mut().expect("a new array is contiguous"))
            .collect::<Vec<_>>();
        x.with_slice(|xs| {
            py.detach(|| threads::run(pool, inline, || groups.gather_each(xs, &mut buffers)))
                .map_err(value_error)
        })?;
    }

    // Each callable's values, and where they are among them.
    let mut values = Vec::with_capacity(listed.len());
    let mut slot = vec![usize::MAX; table.len()];
    let mut pending = calls.iter();
    for ((j, range), points) in listed.into_iter().zip(arrays) {
        let (_, func) = pending
            .find(|(i, _)| *i == j)
            .expect("every group belongs to a selected callable");
        points.getattr("flags")?.setattr("writeable", false)?;
        let result = func.call1((points,)).map_err(|e| noted(py, e, j))?;
        slot[j] = values.len();
        values.push(result_values(py, j, range.len(), &result)?);
    }
    let slices: Vec<&[T]> = values.iter().map(Values::as_slice).collect();

    let (src, mut dst) = x.borrow_with_out(out)?;
    let xs = src.as_slice();
    let dst = dst
        .as_slice_mut()
        .expect("out was checked C-contiguous and aligned");
    py.detach(|| {
        threads::run(pool, inline, || {
            groups.apply_into_each(table, xs, |j| slices[slot[j]], dst)
        })
    })
    .map_err(value_error)
}

/// True when `obj` is referred to by nothing but the reference passed in.
fn only_reference(obj: &Bound<'_, PyAny>) -> bool {
    // SAFETY: `obj` is a live object (we hold a reference to it) and the
    // thread is attached to the interpreter (a `Bound` proves both).
    unsafe { pyo3::ffi::Py_REFCNT(obj.as_ptr()) == 1 }
}

/// A callable's values as `T`: the new array it returned, or a copy.
enum Values<'py, T: Element> {
    Array(PyReadonlyArray1<'py, T>),
    Owned(Vec<T>),
}

impl<T: Element> Values<'_, T> {
    fn as_slice(&self) -> &[T] {
        match self {
            Values::Array(a) => a.as_slice().expect("checked contiguous when kept"),
            Values::Owned(v) => v,
        }
    }
}

/// The user's exception as it was raised, with a note naming the entry
/// (Python 3.11 and later; earlier versions have no notes).
fn noted(py: Python<'_>, err: PyErr, j: usize) -> PyErr {
    let value = err.value(py);
    if value.hasattr("add_note").unwrap_or(false) {
        // A failure to add the note must not replace the user's error.
        let _ = value.call_method1(
            "add_note",
            (format!("raised by the function at index {j} of the table"),),
        );
    }
    err
}

/// Callable `j`'s result for its `n` points as `T` values: a 0-d value is
/// broadcast, a 1-D array of exactly `n` numbers is converted to `T` as
/// numpy casts. Anything else is refused, naming the entry.
///
/// The values are copied into scratch, except from a new array that
/// nothing else refers to (what a numpy ufunc returns): that array is the
/// scratch, kept without a copy, since no later Python code can reach it.
fn result_values<'py, T: PyFloat>(
    py: Python<'py>,
    j: usize,
    n: usize,
    result: &Bound<'py, PyAny>,
) -> PyResult<Values<'py, T>> {
    if let Ok(array) = result.cast::<PyArray1<T>>()
        && array.len() == n
        && array.is_c_contiguous()
        && array.is_aligned()
        && only_reference(result)
        && array.getattr("base")?.is_none()
    {
        return Ok(Values::Array(array.clone().try_readonly()?));
    }
    let np = numpy(py)?;
    let array = np
        .call_method1("asarray", (result,))
        .map_err(|e| {
            PyTypeError::new_err(format!(
                "the function at index {j} returned a value that is not numbers ({e})"
            ))
        })?
        .cast_into::<PyUntypedArray>()?;
    let kind: char = array.dtype().getattr("kind")?.extract()?;
    if !matches!(kind, 'b' | 'i' | 'u' | 'f') {
        let what = if result.is_none() {
            "None".to_string()
        } else {
            format!(
                "{} of dtype {}",
                result.get_type().name()?,
                array.dtype().str()?
            )
        };
        return Err(PyTypeError::new_err(format!(
            "the function at index {j} returned {what}; it must return real numbers"
        )));
    }
    match array.shape() {
        [] => {
            let value: f64 = array
                .call_method1("astype", (numpy::dtype::<T>(py),))?
                .call_method0("item")?
                .extract()?;
            Ok(Values::Owned(vec![T::from_f64(value); n]))
        }
        [len] if *len == n => {
            let values = np
                .call_method1("ascontiguousarray", (&array, numpy::dtype::<T>(py)))?
                .cast_into::<PyArray1<T>>()?;
            Ok(Values::Owned(values.try_readonly()?.as_slice()?.to_vec()))
        }
        [len] => Err(PyValueError::new_err(format!(
            "the function at index {j} returned {len} values for its {n} points"
        ))),
        shape => Err(PyValueError::new_err(format!(
            "the function at index {j} returned an array of shape {} for its {n} points; \
             it must return {n} values or a scalar",
            shape_str(shape)
        ))),
    }
}
