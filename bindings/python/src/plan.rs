//! `Plan`: an index array validated and bucketed once, applied to many `x`.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::arrays::{FloatArray, IndexArray, OutArray, PyFloat, shape_str, with_index_slice};
use crate::errors::value_error;
use crate::funcs::{Funcs, one_tile};
use crate::table::{Calls, Inner};
use crate::{calls, threads};

/// `idx` checked against a table of `k` functions and grouped by function,
/// once; `plan.apply(table, x)` then skips the checks and the grouping.
///
/// Raises ValueError, naming the position and the value, for an index that
/// is negative or not below `k`.
#[pyclass(module = "splitapply")]
pub(crate) struct Plan {
    plan: splitapply::Plan,
    shape: Vec<usize>,
}

#[pymethods]
impl Plan {
    #[new]
    #[pyo3(signature = (idx, k, threads=None))]
    fn new(py: Python<'_>, idx: &Bound<'_, PyAny>, k: i64, threads: Option<i64>) -> PyResult<Self> {
        let k = usize::try_from(k)
            .map_err(|_| PyValueError::new_err(format!("k must be >= 0, got {k}")))?;
        let pool = threads::pool(threads)?;
        let idx = IndexArray::new(idx, "idx")?;
        let plan = with_index_slice!(&idx, |ids| {
            let inline = one_tile::<f64, _>(ids);
            py.detach(|| threads::run(&pool, inline, || splitapply::Plan::new(ids, k)))
                .map_err(value_error)
        })?;
        Ok(Plan {
            plan,
            shape: idx.shape().to_vec(),
        })
    }

    /// Number of points planned.
    fn __len__(&self) -> usize {
        self.plan.len()
    }

    /// The table length the plan was built for.
    #[getter]
    fn k(&self) -> usize {
        self.plan.num_functions()
    }

    /// The memory the plan holds, in bytes.
    #[getter]
    fn nbytes(&self) -> usize {
        self.plan.memory_bytes()
    }

    fn __repr__(&self) -> String {
        format!(
            "splitapply.Plan({} points, k = {})",
            self.plan.len(),
            self.plan.num_functions()
        )
    }

    /// Evaluates `funcs[idx[i]](x[i])` for the planned `idx`; the same
    /// results as `apply(funcs, idx, x)`. `funcs` (a `Table` or a sequence
    /// of callables) must have `k` functions and `x` the planned shape.
    /// `out`, `threads` and `lower` as for `apply`.
    #[pyo3(signature = (funcs, x, out=None, threads=None, lower=true))]
    fn apply<'py>(
        &self,
        py: Python<'py>,
        funcs: &Bound<'py, PyAny>,
        x: &Bound<'py, PyAny>,
        out: Option<Bound<'py, PyAny>>,
        threads: Option<i64>,
        lower: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let table = Funcs::new(funcs, x, lower)?;
        let calls = table.calls(py, lower);
        match &table.inner {
            Inner::F64(t) => self.apply_typed(py, t, &calls, x, out, threads),
            Inner::F32(t) => self.apply_typed(py, t, &calls, x, out, threads),
        }
    }
}

impl Plan {
    fn apply_typed<'py, T: PyFloat>(
        &self,
        py: Python<'py>,
        table: &splitapply::FuncTable<T>,
        calls: &Calls<'py>,
        x: &Bound<'py, PyAny>,
        out: Option<Bound<'py, PyAny>>,
        threads: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let pool = threads::pool(threads)?;
        if table.len() != self.plan.num_functions() {
            return Err(PyValueError::new_err(format!(
                "the plan was built for a table of {} functions, but this table has {}",
                self.plan.num_functions(),
                table.len()
            )));
        }
        let x = FloatArray::<T>::new(x, "x")?;
        if x.shape() != self.shape {
            return Err(PyValueError::new_err(format!(
                "the plan was built for shape {}, but x has shape {}",
                shape_str(&self.shape),
                shape_str(x.shape())
            )));
        }
        let out = OutArray::<T>::new(py, out, x.shape())?;
        if !calls.is_empty() {
            calls::apply_with_calls(py, table, &self.plan, calls, &x, &out, &pool)?;
            return Ok(out.into_any());
        }
        {
            let (src, mut dst) = x.borrow_with_out(&out)?;
            let xs = src.as_slice();
            let dst = dst
                .as_slice_mut()
                .expect("out was checked C-contiguous and aligned");
            let plan = &self.plan;
            let inline = xs.len() <= plan.tile_len();
            py.detach(|| threads::run(&pool, inline, || plan.apply_into(table, xs, dst)))
                .map_err(value_error)?;
        }
        Ok(out.into_any())
    }
}
