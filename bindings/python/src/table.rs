//! `Table`: the functions, as specs that pickle and as the Rust table
//! built from them.
//!
//! Every builder method checks its parameters by constructing the kernel
//! before anything is appended, so a refused call leaves the table as it
//! was. A table pickles as its dtype and its list of specs, one tuple per
//! builder call (`("affine", a, b)`, `("spline", breaks, coeffs)`, ...), and
//! unpickles by replaying them.
//!
//! `function(f)` appends any callable (`splitapply._callables` says what
//! it is). The Rust table then holds, at its index, a native kernel where
//! there is one (a compiled C function; the built-in kernel a callable was
//! lowered to) and a placeholder for a plain Python callable, which
//! `calls.rs` calls instead. A callable pickles by value
//! (`("function", cloudpickle bytes)`), a numba cfunc as its Python
//! function and options, compiled again when unpickled.

use numpy::{PyArrayDescrMethods, PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pyclass::{PyTraverseError, PyVisit};
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyList, PyRange, PyTuple};
use splitapply::kernels::{
    Affine, Clamp, Cos, Exp, Interp, Ln, Logistic, Poly, Pow, Sin, Spline, Sqrt,
};
use splitapply::{Float, FuncTable, Kernel};

use crate::arrays::{numpy, shape_str};
use crate::calls::PythonCall;
use crate::compiled::CFunction;
use crate::lowered::SplineWithin;
use crate::value_error;

/// `splitapply._callables`, imported once.
pub(crate) fn callables(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    static MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    MODULE
        .get_or_try_init(py, || py.import("splitapply._callables").map(Bound::unbind))
        .map(|m| m.bind(py))
}

/// One builder call, with its parameters in f64 (an f32 parameter is
/// exactly representable in f64, so specs round-trip either precision).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Spec {
    Affine(f64, f64),
    AffineMany(Vec<f64>, Vec<f64>),
    Poly(Vec<f64>),
    Exp,
    Ln,
    Sqrt,
    Sin,
    Cos,
    Logistic,
    Pow(f64),
    Clamp(f64, f64),
    Interp(Vec<f64>, Vec<f64>),
    /// Breaks, and PPoly's `4 × m` coefficients in row-major order.
    Spline(Vec<f64>, Vec<f64>),
    /// The same, NaN outside the breaks: a lowered `PPoly` that does not
    /// extrapolate. Only lowering makes it; it is never pickled.
    SplineWithin(Vec<f64>, Vec<f64>),
}

fn cast<T: Float>(v: &[f64]) -> Vec<T> {
    v.iter().map(|&x| T::from_f64(x)).collect()
}

impl Spec {
    /// Appends this spec's kernels to `table`, all or none.
    fn push_to<T: Float>(&self, table: &mut FuncTable<T>) -> Result<(), splitapply::Error> {
        // Every kernel is built (and its parameters checked) before the
        // push, so an error leaves the table as it was. Kernels are pushed
        // with their own types, so the engine sees which share one (all
        // `exp` of a table are one function to it).
        let t = T::from_f64;
        match self {
            Spec::Affine(a, b) => {
                table.push(Affine::new(t(*a), t(*b)));
            }
            Spec::AffineMany(a, b) => {
                if a.len() != b.len() {
                    return Err(splitapply::Error::InvalidParameter {
                        kernel: "Affine",
                        reason: format!(
                            "affine_many: a has {} values but b has {}; they must match",
                            a.len(),
                            b.len()
                        ),
                    });
                }
                for (&a, &b) in a.iter().zip(b) {
                    table.push(Affine::new(t(a), t(b)));
                }
            }
            Spec::Poly(c) => {
                table.push(Poly::new(cast(c)));
            }
            Spec::Exp => {
                table.push(Exp::new());
            }
            Spec::Ln => {
                table.push(Ln::new());
            }
            Spec::Sqrt => {
                table.push(Sqrt::new());
            }
            Spec::Sin => {
                table.push(Sin::new());
            }
            Spec::Cos => {
                table.push(Cos::new());
            }
            Spec::Logistic => {
                table.push(Logistic::new());
            }
            Spec::Pow(p) => {
                table.push(Pow::new(t(*p)));
            }
            Spec::Clamp(lo, hi) => {
                table.push(Clamp::new(t(*lo), t(*hi))?);
            }
            Spec::Interp(xp, fp) => {
                table.push(Interp::new(cast(xp), cast(fp))?);
            }
            Spec::Spline(breaks, c) => {
                table.push(Spline::new(cast(breaks), cast(c))?);
            }
            Spec::SplineWithin(breaks, c) => {
                table.push(SplineWithin::new(Spline::new(cast(breaks), cast(c))?));
            }
        }
        Ok(())
    }

    /// The pickled form: `(name, *parameters)`.
    fn to_tuple<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        match self {
            Spec::Affine(a, b) => ("affine", a, b).into_pyobject(py),
            Spec::AffineMany(a, b) => ("affine_many", a, b).into_pyobject(py),
            Spec::Poly(c) => ("poly", c).into_pyobject(py),
            Spec::Exp => ("exp",).into_pyobject(py),
            Spec::Ln => ("ln",).into_pyobject(py),
            Spec::Sqrt => ("sqrt",).into_pyobject(py),
            Spec::Sin => ("sin",).into_pyobject(py),
            Spec::Cos => ("cos",).into_pyobject(py),
            Spec::Logistic => ("logistic",).into_pyobject(py),
            Spec::Pow(p) => ("pow", p).into_pyobject(py),
            Spec::Clamp(lo, hi) => ("clamp", lo, hi).into_pyobject(py),
            Spec::Interp(xp, fp) => ("interp", xp, fp).into_pyobject(py),
            Spec::Spline(b, c) => ("spline", b, c).into_pyobject(py),
            Spec::SplineWithin(b, c) => ("spline_within", b, c).into_pyobject(py),
        }
    }

    /// The spec of a lowered callable: a [`Spec::to_tuple`] form, where
    /// `"spline_within"` is allowed too.
    fn lowered(tuple: &Bound<'_, PyAny>) -> PyResult<Spec> {
        let name: String = tuple.get_item(0)?.extract()?;
        if name == "spline_within" {
            return Ok(Spec::SplineWithin(
                tuple.get_item(1)?.extract()?,
                tuple.get_item(2)?.extract()?,
            ));
        }
        Spec::from_tuple(tuple)
    }

    /// The inverse of [`Spec::to_tuple`].
    fn from_tuple(tuple: &Bound<'_, PyAny>) -> PyResult<Spec> {
        let name: String = tuple.get_item(0)?.extract()?;
        let f = |i: usize| -> PyResult<f64> { tuple.get_item(i)?.extract() };
        let v = |i: usize| -> PyResult<Vec<f64>> { tuple.get_item(i)?.extract() };
        Ok(match name.as_str() {
            "affine" => Spec::Affine(f(1)?, f(2)?),
            "affine_many" => Spec::AffineMany(v(1)?, v(2)?),
            "poly" => Spec::Poly(v(1)?),
            "exp" => Spec::Exp,
            "ln" => Spec::Ln,
            "sqrt" => Spec::Sqrt,
            "sin" => Spec::Sin,
            "cos" => Spec::Cos,
            "logistic" => Spec::Logistic,
            "pow" => Spec::Pow(f(1)?),
            "clamp" => Spec::Clamp(f(1)?, f(2)?),
            "interp" => Spec::Interp(v(1)?, v(2)?),
            "spline" => Spec::Spline(v(1)?, v(2)?),
            other => {
                return Err(PyValueError::new_err(format!(
                    "unknown kernel spec {other:?}"
                )));
            }
        })
    }
}

/// The Rust table in its precision.
pub(crate) enum Inner {
    F64(FuncTable<f64>),
    F32(FuncTable<f32>),
}

impl Inner {
    fn empty(&self) -> Inner {
        match self {
            Inner::F64(_) => Inner::F64(FuncTable::new()),
            Inner::F32(_) => Inner::F32(FuncTable::new()),
        }
    }

    fn len(&self) -> usize {
        match self {
            Inner::F64(t) => t.len(),
            Inner::F32(t) => t.len(),
        }
    }

    fn dtype_name(&self) -> &'static str {
        match self {
            Inner::F64(_) => "float64",
            Inner::F32(_) => "float32",
        }
    }

    /// Appends the spec's kernels, all or none.
    fn push(&mut self, spec: &Spec) -> PyResult<()> {
        fn push_all<T: Float>(table: &mut FuncTable<T>, spec: &Spec) -> PyResult<()> {
            spec.push_to(table).map_err(value_error)
        }
        match self {
            Inner::F64(t) => push_all(t, spec),
            Inner::F32(t) => push_all(t, spec),
        }
    }

    /// Appends a kernel that evaluates either precision; returns its index.
    fn push_kernel<K>(&mut self, kernel: K) -> usize
    where
        K: Kernel<f64> + Kernel<f32> + 'static,
    {
        match self {
            Inner::F64(t) => t.push(kernel),
            Inner::F32(t) => t.push(kernel),
        }
    }
}

/// One call that added entries, in order: what the table pickles as.
enum Added {
    /// A builder call.
    Kernels(Spec),
    /// `function(f)` of a callable that is not compiled; `lowered` when
    /// the Rust table holds a built-in kernel for it (else a placeholder).
    Function {
        index: usize,
        func: Py<PyAny>,
        lowered: bool,
    },
    /// `function(f)` of a compiled callable: `func` owns the machine code
    /// that the Rust table's kernel calls, so it is kept as long as the
    /// table is.
    Compiled { index: usize, func: Py<PyAny> },
}

/// The Python callables an `apply` calls: function number and callable,
/// in increasing order.
pub(crate) type Calls<'py> = Vec<(usize, Bound<'py, PyAny>)>;

/// A table of functions; `apply(table, idx, x)` evaluates
/// `table[idx[i]](x[i])`.
///
/// `Table()` evaluates in float64, `Table(numpy.float32)` in float32. Each
/// builder appends one function and returns its index. Tables pickle (as
/// their list of kernel specs and callables), so they travel to
/// `multiprocessing` and Dask workers.
///
/// A table takes part in Python's garbage collection: a callable that
/// refers back to its table (a closure over it) forms a cycle that the
/// collector can free.
#[pyclass(module = "splitapply")]
pub(crate) struct Table {
    pub(crate) inner: Inner,
    added: Vec<Added>,
}

/// Parameters as a flat `Vec<f64>` and their shape, from any array-like.
fn f64_array(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<(Vec<f64>, Vec<usize>)> {
    let py = obj.py();
    let array = numpy(py)?
        .call_method1("ascontiguousarray", (obj, numpy::dtype::<f64>(py)))
        .map_err(|e| PyTypeError::new_err(format!("{what} must be numbers: {e}")))?;
    let array = array
        .cast_into::<PyArrayDyn<f64>>()
        .map_err(|_| PyTypeError::new_err(format!("{what} must be numbers")))?;
    let shape = array.shape().to_vec();
    let values = array
        .try_readonly()
        .map_err(|_| PyValueError::new_err(format!("{what} is being written by another call")))?
        .as_slice()?
        .to_vec();
    Ok((values, shape))
}

/// A 1-D parameter list (a 0-d value is refused too).
fn f64_vector(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<f64>> {
    let (values, shape) = f64_array(obj, what)?;
    if shape.len() != 1 {
        return Err(PyValueError::new_err(format!(
            "{what} must be 1-D, got shape {}",
            shape_str(&shape)
        )));
    }
    Ok(values)
}

impl Table {
    /// Appends a spec's functions (or nothing, on error) and returns the
    /// index of the first.
    fn add(&mut self, spec: Spec) -> PyResult<usize> {
        let first = self.inner.len();
        self.inner.push(&spec)?;
        self.added.push(Added::Kernels(spec));
        Ok(first)
    }

    /// Appends any callable (see the module docs) and returns its index;
    /// `lower` false skips lowering (all but compiled callables stay
    /// Python calls). TypeError, with the table as it was, for what is not
    /// callable or is compiled with another signature.
    fn add_callable(&mut self, f: &Bound<'_, PyAny>, lower: bool) -> PyResult<usize> {
        let py = f.py();
        let classified = callables(py)?.call_method1("classify", (f, lower))?;
        let kind: String = classified.get_item(0)?.extract()?;
        let func = f.clone().unbind();
        if kind == "compiled" {
            let kernel = CFunction::from_classified(&classified)?;
            let index = self.inner.push_kernel(kernel);
            self.added.push(Added::Compiled { index, func });
            return Ok(index);
        }
        let index = self.inner.len();
        let lowered = kind == "lowered"
            && Spec::lowered(&classified.get_item(1)?)
                .and_then(|spec| self.inner.push(&spec))
                .is_ok();
        if !lowered {
            self.inner.push_kernel(PythonCall);
        }
        self.added.push(Added::Function {
            index,
            func,
            lowered,
        });
        Ok(index)
    }

    /// The Python callables a call with this `lower` makes.
    pub(crate) fn calls<'py>(&self, py: Python<'py>, lower: bool) -> Calls<'py> {
        self.added
            .iter()
            .filter_map(|a| match a {
                Added::Function {
                    index,
                    func,
                    lowered,
                } if !(lower && *lowered) => Some((*index, func.bind(py).clone())),
                _ => None,
            })
            .collect()
    }

    /// A table of the callables in `funcs` (any iterable; a numpy array of
    /// any shape in its flat order), evaluating float32 or float64.
    pub(crate) fn of_callables(
        funcs: &Bound<'_, PyAny>,
        float32: bool,
        lower: bool,
    ) -> PyResult<Table> {
        let mut table = Table {
            inner: if float32 {
                Inner::F32(FuncTable::new())
            } else {
                Inner::F64(FuncTable::new())
            },
            added: Vec::new(),
        };
        let items = if funcs.cast::<numpy::PyUntypedArray>().is_ok() {
            funcs.call_method0("ravel")?
        } else {
            funcs.clone()
        };
        let iter = items.try_iter().map_err(|_| {
            PyTypeError::new_err(format!(
                "funcs must be a splitapply.Table or a sequence of callables, got {}",
                funcs
                    .get_type()
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            ))
        })?;
        for (i, f) in iter.enumerate() {
            table.add_callable(&f?, lower).map_err(|e| {
                if e.is_instance_of::<PyTypeError>(funcs.py()) {
                    PyTypeError::new_err(format!("entry {i} of funcs: {}", e.value(funcs.py())))
                } else {
                    e
                }
            })?;
        }
        Ok(table)
    }

    fn from_dtype(dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Inner> {
        let Some(dtype) = dtype else {
            return Ok(Inner::F64(FuncTable::new()));
        };
        let py = dtype.py();
        let descr = numpy(py)?.call_method1("dtype", (dtype,))?;
        let descr = descr.cast::<numpy::PyArrayDescr>()?;
        if descr.is_equiv_to(&numpy::dtype::<f64>(py)) {
            Ok(Inner::F64(FuncTable::new()))
        } else if descr.is_equiv_to(&numpy::dtype::<f32>(py)) {
            Ok(Inner::F32(FuncTable::new()))
        } else {
            Err(PyTypeError::new_err(format!(
                "a Table evaluates float32 or float64, not {}",
                descr.str()?
            )))
        }
    }
}

#[pymethods]
impl Table {
    #[new]
    #[pyo3(signature = (dtype=None))]
    fn new(dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        Ok(Table {
            inner: Table::from_dtype(dtype)?,
            added: Vec::new(),
        })
    }

    /// The float dtype this table evaluates.
    #[getter]
    fn dtype<'py>(&self, py: Python<'py>) -> Bound<'py, numpy::PyArrayDescr> {
        match self.inner {
            Inner::F64(_) => numpy::dtype::<f64>(py),
            Inner::F32(_) => numpy::dtype::<f32>(py),
        }
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "splitapply.Table({}, {} functions)",
            self.inner.dtype_name(),
            self.inner.len()
        )
    }

    /// `a * x + b` (one fused multiply-add). Returns its index.
    fn affine(&mut self, a: f64, b: f64) -> PyResult<usize> {
        self.add(Spec::Affine(a, b))
    }

    /// `len(a)` affine functions `a[j] * x + b[j]`. Returns their indices as
    /// a `range`.
    fn affine_many<'py>(
        &mut self,
        py: Python<'py>,
        a: &Bound<'py, PyAny>,
        b: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyRange>> {
        let a = f64_vector(a, "a")?;
        let b = f64_vector(b, "b")?;
        if a.len() != b.len() {
            return Err(PyValueError::new_err(format!(
                "affine_many: a has {} values but b has {}; they must match",
                a.len(),
                b.len()
            )));
        }
        let k = a.len();
        let first = self.add(Spec::AffineMany(a, b))?;
        PyRange::new(py, first as isize, (first + k) as isize)
    }

    /// `c[0] + c[1] x + c[2] x**2 + ...` (lowest degree first), by Horner's
    /// rule. Returns its index.
    fn poly(&mut self, coeffs: &Bound<'_, PyAny>) -> PyResult<usize> {
        self.add(Spec::Poly(f64_vector(coeffs, "coeffs")?))
    }

    /// `e**x`. Returns its index.
    fn exp(&mut self) -> PyResult<usize> {
        self.add(Spec::Exp)
    }

    /// Natural logarithm. Returns its index.
    fn ln(&mut self) -> PyResult<usize> {
        self.add(Spec::Ln)
    }

    /// Square root. Returns its index.
    fn sqrt(&mut self) -> PyResult<usize> {
        self.add(Spec::Sqrt)
    }

    /// Sine. Returns its index.
    fn sin(&mut self) -> PyResult<usize> {
        self.add(Spec::Sin)
    }

    /// Cosine. Returns its index.
    fn cos(&mut self) -> PyResult<usize> {
        self.add(Spec::Cos)
    }

    /// `1 / (1 + e**-x)`. Returns its index.
    fn logistic(&mut self) -> PyResult<usize> {
        self.add(Spec::Logistic)
    }

    /// `x**p`. Returns its index.
    fn pow(&mut self, p: f64) -> PyResult<usize> {
        self.add(Spec::Pow(p))
    }

    /// `x` limited to `[lo, hi]`; `lo > hi` is a ValueError. Returns its
    /// index.
    fn clamp(&mut self, lo: f64, hi: f64) -> PyResult<usize> {
        self.add(Spec::Clamp(lo, hi))
    }

    /// Piecewise linear through `(xp[j], fp[j])`, constant beyond the ends,
    /// like `numpy.interp`. `xp` must be strictly increasing. Returns its
    /// index.
    fn interp(&mut self, xp: &Bound<'_, PyAny>, fp: &Bound<'_, PyAny>) -> PyResult<usize> {
        self.add(Spec::Interp(f64_vector(xp, "xp")?, f64_vector(fp, "fp")?))
    }

    /// Piecewise cubic in `scipy.interpolate.PPoly`'s layout: `breaks` of
    /// length m + 1 (non-decreasing) and `coeffs` of shape (4, m), so that
    /// `spline(p.x, p.c)` evaluates like `PPoly` `p`, extrapolating with the
    /// end pieces. Returns its index.
    fn spline(&mut self, breaks: &Bound<'_, PyAny>, coeffs: &Bound<'_, PyAny>) -> PyResult<usize> {
        let breaks = f64_vector(breaks, "breaks")?;
        let (c, shape) = f64_array(coeffs, "coeffs")?;
        let m = breaks.len().saturating_sub(1);
        if shape != [4, m] {
            return Err(PyValueError::new_err(format!(
                "invalid parameter for Spline: {} breaks need coeffs of shape (4, {m}), got {}",
                breaks.len(),
                shape_str(&shape)
            )));
        }
        self.add(Spec::Spline(breaks, c))
    }

    /// The callables, for the garbage collector.
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        for added in &self.added {
            if let Added::Function { func, .. } | Added::Compiled { func, .. } = added {
                visit.call(func)?;
            }
        }
        Ok(())
    }

    /// Breaks a reference cycle the collector found: the table is emptied
    /// whole, so no kernel is left calling a compiled callable that is
    /// gone.
    fn __clear__(&mut self) {
        self.inner = self.inner.empty();
        self.added.clear();
    }

    /// Appends any callable `f` and returns its index. See the stub
    /// (`__init__.pyi`) for what becomes of numpy ufuncs, scipy splines and
    /// compiled callables.
    fn function(&mut self, f: &Bound<'_, PyAny>) -> PyResult<usize> {
        self.add_callable(f, true)
    }

    /// Pickle support: rebuilt as `Table(dtype)` and its specs replayed.
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, (&'static str,), Bound<'py, PyList>)> {
        let py = slf.py();
        let this = slf.borrow();
        let module = callables(py)?;
        let specs = this
            .added
            .iter()
            .map(|a| match a {
                Added::Kernels(spec) => spec.to_tuple(py).map(Bound::into_any),
                Added::Function { func, .. } => {
                    let data = module.call_method1("dump_function", (func,))?;
                    Ok(("function", data).into_pyobject(py)?.into_any())
                }
                Added::Compiled { index, func } => {
                    let form = module.call_method1("dump_compiled", (func, index))?;
                    let head = PyTuple::new(py, ["compiled"])?;
                    Ok(head.add(form)?)
                }
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok((
            slf.get_type().into_any(),
            (this.inner.dtype_name(),),
            PyList::new(py, specs)?,
        ))
    }

    /// Replaces the table's functions with the pickled specs, all or none.
    fn __setstate__(&mut self, state: &Bound<'_, PyAny>) -> PyResult<()> {
        let py = state.py();
        let mut fresh = Table {
            inner: self.inner.empty(),
            added: Vec::new(),
        };
        for item in state.try_iter()? {
            let item = item?;
            let name: String = item.get_item(0)?.extract()?;
            match name.as_str() {
                "function" => {
                    let data = item.get_item(1)?.cast_into::<PyBytes>()?;
                    let f = callables(py)?.call_method1("load_function", (data,))?;
                    fresh.add_callable(&f, true)?;
                }
                "compiled" => {
                    let args = (item.get_item(1)?, item.get_item(2)?, item.get_item(3)?);
                    let f = callables(py)?.call_method1("load_compiled", args)?;
                    fresh.add_callable(&f, true)?;
                }
                _ => {
                    fresh.add(Spec::from_tuple(&item)?)?;
                }
            }
        }
        *self = fresh;
        Ok(())
    }
}
