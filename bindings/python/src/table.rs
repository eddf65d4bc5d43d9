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
    Affine, BUILTIN_KERNELS, KernelInfo, KernelSpec, Param, ParamKind, Spline,
};
use splitapply::{Float, FuncTable, Kernel};

use crate::arrays::{numpy, shape_str};
use crate::calls::PythonCall;
use crate::compiled::CFunction;
use crate::errors::value_error;
use crate::lowered::SplineWithin;

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
    /// A built-in kernel, by the library's registry
    /// (`splitapply::kernels::BUILTIN_KERNELS`).
    Kernel(KernelSpec),
    /// `affine_many(a, b)`: many affine functions at once.
    AffineMany(Vec<f64>, Vec<f64>),
    /// A spline, NaN outside its breaks: a lowered `PPoly` that does not
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
        match self {
            Spec::Kernel(spec) => {
                spec.push_to(table)?;
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
                let t = T::from_f64;
                // Sized by the caller's arrays: reserved first, so running
                // out of memory is a MemoryError, not an abort.
                table.try_extend(a.iter().zip(b).map(|(&a, &b)| Affine::new(t(a), t(b))))?;
            }
            Spec::SplineWithin(breaks, c) => {
                table.push(SplineWithin::new(Spline::new(cast(breaks), cast(c))?));
            }
        }
        Ok(())
    }

    /// The pickled form: `(name, *parameters)`, a matrix parameter as its
    /// flat row-major list.
    fn to_tuple<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        match self {
            Spec::Kernel(spec) => {
                let mut items = vec![spec.name().into_pyobject(py)?.into_any()];
                for param in spec.params() {
                    items.push(match param {
                        Param::Scalar(v) => v.into_pyobject(py)?.into_any(),
                        Param::Vector(v) => v.into_pyobject(py)?.into_any(),
                    });
                }
                PyTuple::new(py, items)
            }
            Spec::AffineMany(a, b) => ("affine_many", a, b).into_pyobject(py),
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
        if name == "affine_many" {
            return Ok(Spec::AffineMany(
                tuple.get_item(1)?.extract()?,
                tuple.get_item(2)?.extract()?,
            ));
        }
        let info = registry_entry(&name)
            .ok_or_else(|| PyValueError::new_err(format!("unknown kernel spec {name:?}")))?;
        let params = info
            .params
            .iter()
            .enumerate()
            .map(|(i, &(_, kind))| {
                let item = tuple.get_item(i + 1)?;
                Ok(match kind {
                    ParamKind::Scalar => Param::Scalar(item.extract()?),
                    _ => Param::Vector(item.extract()?),
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        KernelSpec::from_params(&name, params)
            .map(Spec::Kernel)
            .map_err(value_error)
    }

    /// The spec of builder call `name(*args)`, each argument converted as
    /// the registry says: a number, a 1-D array, or a matrix of the given
    /// number of rows (flattened row-major).
    fn from_call(name: &str, args: &Bound<'_, PyTuple>) -> PyResult<Spec> {
        let info = registry_entry(name).ok_or_else(|| {
            PyValueError::new_err(format!("no built-in kernel is named {name:?}"))
        })?;
        if args.len() != info.params.len() {
            let names: Vec<&str> = info.params.iter().map(|p| p.0).collect();
            return Err(PyTypeError::new_err(format!(
                "{name}() takes {} arguments ({}), got {}",
                names.len(),
                names.join(", "),
                args.len()
            )));
        }
        let mut params: Vec<Param> = Vec::with_capacity(args.len());
        for (&(what, kind), arg) in info.params.iter().zip(args.iter()) {
            let param = match kind {
                ParamKind::Scalar => Param::Scalar(arg.extract().map_err(|_| {
                    PyTypeError::new_err(format!("{name}(): {what} must be a number"))
                })?),
                ParamKind::Vector => Param::Vector(f64_vector(&arg, what)?),
                ParamKind::Matrix { rows } => {
                    // One column per interval of the list before it.
                    let (values, shape) = f64_array(&arg, what)?;
                    let before = params.len().checked_sub(1);
                    let intervals = before.map(|b| match &params[b] {
                        Param::Vector(v) => v.len().saturating_sub(1),
                        Param::Scalar(_) => 0,
                    });
                    if shape.len() != 2 || shape[0] != rows || Some(shape[1]) != intervals {
                        let (list, n) = before
                            .map(|b| (info.params[b].0, intervals.unwrap_or(0) + 1))
                            .unwrap_or(("values", 0));
                        return Err(PyValueError::new_err(format!(
                            "invalid parameter for {}: {n} {list} need {what} of shape ({rows}, {}), got {}",
                            info.type_name,
                            intervals.unwrap_or(0),
                            shape_str(&shape)
                        )));
                    }
                    Param::Vector(values)
                }
            };
            params.push(param);
        }
        KernelSpec::from_params(name, params)
            .map(Spec::Kernel)
            .map_err(value_error)
    }
}

/// The registry's entry for kernel `name`.
fn registry_entry(name: &str) -> Option<&'static KernelInfo> {
    BUILTIN_KERNELS.iter().find(|k| k.name == name)
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

    /// Appends built-in kernel `name` with these parameters (as the
    /// library's registry lists them) and returns its index: what the
    /// builder methods (`t.affine(a, b)`, `t.exp()`, ...; see
    /// `splitapply/__init__.py`) call.
    #[pyo3(signature = (name, *params))]
    fn _kernel(&mut self, name: &str, params: &Bound<'_, PyTuple>) -> PyResult<usize> {
        self.add(Spec::from_call(name, params)?)
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
