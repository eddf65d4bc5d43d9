//! Core errors as the Python exceptions users expect.

use pyo3::PyErr;
use pyo3::exceptions::{PyMemoryError, PyValueError};

/// A core error as a Python exception: `MemoryError` when memory sized by
/// the input could not be had, `ValueError` otherwise.
pub(crate) fn value_error(e: splitapply::Error) -> PyErr {
    match e {
        splitapply::Error::AllocationFailed { .. } => PyMemoryError::new_err(e.to_string()),
        _ => PyValueError::new_err(e.to_string()),
    }
}
