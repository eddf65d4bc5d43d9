//! numpy arguments to Rust slices.
//!
//! Contiguous arrays of the right dtype are used in place. Anything else
//! that holds the right kind of values is converted first, with numpy's
//! own `ascontiguousarray` / `asarray`: strided views, Fortran order,
//! non-native byte order, Python lists. A value of the wrong kind (floats
//! for indices, float32 for a float64 table) is a `TypeError`, and an
//! `out=` that cannot be written in place is refused, before anything is
//! written.

use numpy::{
    Element, PyArrayDescrMethods, PyArrayDyn, PyArrayMethods, PyReadonlyArrayDyn,
    PyReadwriteArrayDyn, PyUntypedArray, PyUntypedArrayMethods,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyList, PyTuple};

/// A float type the module evaluates: `f32` or `f64`.
pub(crate) trait PyFloat: splitapply::Float + Element {
    /// numpy's name of the dtype, for error messages.
    const NAME: &'static str;
}

impl PyFloat for f32 {
    const NAME: &'static str = "float32";
}

impl PyFloat for f64 {
    const NAME: &'static str = "float64";
}

/// The `numpy` module, imported once.
pub(crate) fn numpy(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    static NUMPY: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    NUMPY
        .get_or_try_init(py, || py.import("numpy").map(Bound::unbind))
        .map(|m| m.bind(py))
}

/// A shape as Python writes it: `(3,)`, `(100, 200)`.
pub(crate) fn shape_str(shape: &[usize]) -> String {
    match shape {
        [n] => format!("({n},)"),
        _ => {
            let parts: Vec<String> = shape.iter().map(|n| n.to_string()).collect();
            format!("({})", parts.join(", "))
        }
    }
}

/// numpy's `kind` character of an array's dtype (`'f'`, `'i'`, `'u'`, ...).
fn kind(array: &Bound<'_, PyUntypedArray>) -> PyResult<char> {
    array.dtype().getattr("kind")?.extract()
}

fn dtype_name(array: &Bound<'_, PyUntypedArray>) -> String {
    array
        .dtype()
        .str()
        .map(|s| s.to_string())
        .unwrap_or_else(|_| "an unknown dtype".into())
}

/// True when the array's memory can be used as a Rust slice as it is:
/// C-contiguous and aligned (arrays rebuilt from pickled buffers, as Dask
/// sends them, may not be aligned).
fn usable_in_place<'py>(array: &impl PyUntypedArrayMethods<'py>) -> bool {
    array.is_c_contiguous() && array.is_aligned()
}

/// `numpy.require(obj, T, "CA")`: C-contiguous, aligned, of type `T`,
/// copied only when it is not already.
fn contiguous<'py, T: Element>(
    obj: &Bound<'py, PyAny>,
    what: &str,
) -> PyResult<Bound<'py, PyArrayDyn<T>>> {
    let py = obj.py();
    let converted = numpy(py)?.call_method1("require", (obj, numpy::dtype::<T>(py), "CA"))?;
    converted.cast_into::<PyArrayDyn<T>>().map_err(|_| {
        PyTypeError::new_err(format!("{what} could not be converted to a numeric array"))
    })
}

/// True when `obj` is a numpy array of dtype float32: the functions that
/// take either precision pick theirs by it.
pub(crate) fn is_float32(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    match array_like(obj)?.cast::<PyUntypedArray>() {
        Ok(array) => Ok(kind(array)? == 'f' && array.dtype().itemsize() == 4),
        Err(_) => Ok(false),
    }
}

/// An input array of floats of type `T`, C-contiguous.
pub(crate) struct FloatArray<'py, T: Element> {
    array: Bound<'py, PyArrayDyn<T>>,
}

impl<'py, T: PyFloat> FloatArray<'py, T> {
    /// `obj` as a C-contiguous, aligned `T` array. Anything with a dtype of
    /// its own (a numpy array, a pandas Series, a buffer) must hold floats
    /// of exactly this precision (`TypeError` otherwise); a list or tuple
    /// of numbers is converted.
    pub(crate) fn new(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Self> {
        let obj = array_like(obj)?;
        if let Ok(array) = obj.cast::<PyArrayDyn<T>>() {
            if usable_in_place(array) {
                return Ok(FloatArray {
                    array: array.clone(),
                });
            }
        } else if let Ok(array) = obj.cast::<PyUntypedArray>() {
            // Only the byte order may differ: the same precision, swapped.
            if kind(array)? != 'f' || array.dtype().itemsize() != T::BYTES {
                return Err(PyTypeError::new_err(format!(
                    "{what} has dtype {}, but {} is needed",
                    dtype_name(array),
                    T::NAME
                )));
            }
        }
        Ok(FloatArray {
            array: contiguous::<T>(&obj, what)?,
        })
    }

    pub(crate) fn shape(&self) -> &[usize] {
        self.array.shape()
    }

    /// Calls `f` with the values, borrowed read-only for the call only.
    pub(crate) fn with_slice<R>(&self, f: impl FnOnce(&[T]) -> PyResult<R>) -> PyResult<R> {
        let input = self.array.try_readonly().map_err(|_| {
            PyValueError::new_err("the input array is being written by another call")
        })?;
        f(input
            .as_slice()
            .expect("checked C-contiguous and aligned when the array was taken"))
    }

    /// A read-only view of the values and a writable view of `out`. When
    /// the two may share memory (`out=x` for an in-place call, or views of
    /// one buffer), the input is copied first, so every value is read
    /// before any is written and no slice aliases another.
    pub(crate) fn borrow_with_out(
        &self,
        out: &OutArray<'py, T>,
    ) -> PyResult<(Source<'py, T>, PyReadwriteArrayDyn<'py, T>)> {
        let input = self.array.try_readonly().map_err(|_| {
            PyValueError::new_err("the input array is being written by another call")
        })?;
        let source = if out.supplied && may_share_memory(self.array.as_any(), out.array.as_any())? {
            let copy = input
                .as_slice()
                .map_err(|e| PyValueError::new_err(e.to_string()))?
                .to_vec();
            drop(input);
            Source::Owned(copy)
        } else {
            Source::Borrowed(input)
        };
        let dst = out.array.try_readwrite().map_err(borrow_error)?;
        Ok((source, dst))
    }
}

/// `numpy.may_share_memory(a, b)`: compares the memory bounds only, so it
/// is cheap, and catches views of one buffer whatever object owns it.
pub(crate) fn may_share_memory(a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<bool> {
    numpy(a.py())?
        .call_method1("may_share_memory", (a, b))?
        .is_truthy()
}

/// `obj` itself when it is a numpy array, a list or a tuple (which are
/// converted to the needed dtype later); anything else (a pandas Series,
/// a buffer) through `numpy.asarray`, so that its own dtype is checked.
pub(crate) fn array_like<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    if obj.cast::<PyUntypedArray>().is_ok()
        || obj.cast::<PyList>().is_ok()
        || obj.cast::<PyTuple>().is_ok()
    {
        Ok(obj.clone())
    } else {
        numpy(obj.py())?.call_method1("asarray", (obj,))
    }
}

fn borrow_error(e: numpy::BorrowError) -> PyErr {
    match e {
        numpy::BorrowError::NotWriteable => PyValueError::new_err("out is read-only"),
        _ => PyValueError::new_err("out is being used by another call"),
    }
}

/// The input values: the caller's array, or a copy of it when it is also
/// the output.
pub(crate) enum Source<'py, T: Element> {
    Borrowed(PyReadonlyArrayDyn<'py, T>),
    Owned(Vec<T>),
}

impl<T: Element> Source<'_, T> {
    pub(crate) fn as_slice(&self) -> &[T] {
        match self {
            Source::Borrowed(a) => a
                .as_slice()
                .expect("checked C-contiguous and aligned when the array was taken"),
            Source::Owned(v) => v,
        }
    }
}

/// The output array: the caller's `out=`, checked, or a new one.
pub(crate) struct OutArray<'py, T: Element> {
    array: Bound<'py, PyArrayDyn<T>>,
    /// The caller's array (which may overlap the inputs), not a new one.
    supplied: bool,
}

impl<'py, T: PyFloat> OutArray<'py, T> {
    /// The caller's `out`, which must be a writable C-contiguous `T` array
    /// of exactly `shape`; or, for `None`, a new array of that shape.
    pub(crate) fn new(
        py: Python<'py>,
        out: Option<Bound<'py, PyAny>>,
        shape: &[usize],
    ) -> PyResult<Self> {
        let Some(out) = out else {
            // numpy.empty raises MemoryError when it cannot allocate; every
            // value is written before the array is returned.
            let shape = PyTuple::new(py, shape)?;
            let array = numpy(py)?.call_method1("empty", (shape, numpy::dtype::<T>(py)))?;
            return Ok(OutArray {
                array: array.cast_into::<PyArrayDyn<T>>()?,
                supplied: false,
            });
        };
        let array = match out.cast_into::<PyArrayDyn<T>>() {
            Ok(array) => array,
            Err(e) => {
                let obj = e.into_inner();
                return Err(match obj.cast::<PyUntypedArray>() {
                    Ok(a) => PyTypeError::new_err(format!(
                        "out has dtype {}, but {} is needed",
                        dtype_name(a),
                        T::NAME
                    )),
                    Err(_) => PyTypeError::new_err(format!(
                        "out must be a numpy array of {}, got {}",
                        T::NAME,
                        obj.get_type().name()?
                    )),
                });
            }
        };
        if array.shape() != shape {
            return Err(PyValueError::new_err(format!(
                "out has shape {}, but the result has shape {}",
                shape_str(array.shape()),
                shape_str(shape)
            )));
        }
        if !array.is_c_contiguous() {
            return Err(PyValueError::new_err(
                "out must be C-contiguous (results are written in place)",
            ));
        }
        if !array.is_aligned() {
            return Err(PyValueError::new_err(format!(
                "out must be aligned to its {}-byte values",
                T::BYTES
            )));
        }
        Ok(OutArray {
            array,
            supplied: true,
        })
    }

    /// True when `other` may share memory with the caller's `out`.
    pub(crate) fn overlaps(&self, other: &Bound<'py, PyAny>) -> PyResult<bool> {
        Ok(self.supplied && may_share_memory(self.array.as_any(), other)?)
    }

    pub(crate) fn into_any(self) -> Bound<'py, PyAny> {
        self.array.into_any()
    }
}

/// An index array, C-contiguous, in its own integer type.
pub(crate) enum IndexArray<'py> {
    I8(Bound<'py, PyArrayDyn<i8>>),
    I16(Bound<'py, PyArrayDyn<i16>>),
    I32(Bound<'py, PyArrayDyn<i32>>),
    I64(Bound<'py, PyArrayDyn<i64>>),
    U8(Bound<'py, PyArrayDyn<u8>>),
    U16(Bound<'py, PyArrayDyn<u16>>),
    U32(Bound<'py, PyArrayDyn<u32>>),
    U64(Bound<'py, PyArrayDyn<u64>>),
}

/// Runs `$body` with `$slice` bound to the index array's values as a slice
/// of its own integer type: one instantiation of the generic core per type.
macro_rules! with_index_slice {
    ($idx:expr, |$slice:ident| $body:expr) => {{
        use $crate::arrays::IndexArray as A;
        match $idx {
            A::I8(a) => $crate::arrays::with_readonly(a, |$slice| $body),
            A::I16(a) => $crate::arrays::with_readonly(a, |$slice| $body),
            A::I32(a) => $crate::arrays::with_readonly(a, |$slice| $body),
            A::I64(a) => $crate::arrays::with_readonly(a, |$slice| $body),
            A::U8(a) => $crate::arrays::with_readonly(a, |$slice| $body),
            A::U16(a) => $crate::arrays::with_readonly(a, |$slice| $body),
            A::U32(a) => $crate::arrays::with_readonly(a, |$slice| $body),
            A::U64(a) => $crate::arrays::with_readonly(a, |$slice| $body),
        }
    }};
}
pub(crate) use with_index_slice;

/// Calls `f` with the values of a C-contiguous array, borrowed read-only.
pub(crate) fn with_readonly<T: Element, R>(
    array: &Bound<'_, PyArrayDyn<T>>,
    f: impl FnOnce(&[T]) -> PyResult<R>,
) -> PyResult<R> {
    let view = array
        .try_readonly()
        .map_err(|_| PyValueError::new_err("idx is being written by another call"))?;
    f(view
        .as_slice()
        .expect("checked C-contiguous and aligned when the array was taken"))
}

impl<'py> IndexArray<'py> {
    /// `obj` as a C-contiguous integer array of any numpy integer dtype. A
    /// list is converted by numpy; floats and booleans are a `TypeError`.
    pub(crate) fn new(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Self> {
        let py = obj.py();
        let array = match obj.cast::<PyUntypedArray>() {
            Ok(array) => array.clone(),
            Err(_) => {
                let np = numpy(py)?;
                let mut array = np.call_method1("asarray", (obj,))?;
                // numpy makes an empty list float64; it holds no bad index.
                if array.getattr("size")?.extract::<usize>()? == 0 {
                    array = np.call_method1("asarray", (obj, numpy::dtype::<i64>(py)))?;
                }
                array
                    .cast_into::<PyUntypedArray>()
                    .map_err(|_| PyTypeError::new_err(format!("{what} must be an integer array")))?
            }
        };
        let kind = kind(&array)?;
        if kind != 'i' && kind != 'u' {
            return Err(PyTypeError::new_err(format!(
                "{what} must hold integers, but has dtype {}",
                dtype_name(&array)
            )));
        }
        let signed = kind == 'i';
        let any = array.as_any();
        Ok(match (signed, array.dtype().itemsize()) {
            (true, 1) => IndexArray::I8(typed(any, what)?),
            (true, 2) => IndexArray::I16(typed(any, what)?),
            (true, 4) => IndexArray::I32(typed(any, what)?),
            (true, 8) => IndexArray::I64(typed(any, what)?),
            (false, 1) => IndexArray::U8(typed(any, what)?),
            (false, 2) => IndexArray::U16(typed(any, what)?),
            (false, 4) => IndexArray::U32(typed(any, what)?),
            (false, 8) => IndexArray::U64(typed(any, what)?),
            (_, size) => {
                return Err(PyTypeError::new_err(format!(
                    "{what} has {size}-byte integers; 1, 2, 4 or 8 are supported"
                )));
            }
        })
    }

    pub(crate) fn as_any(&self) -> &Bound<'py, PyAny> {
        match self {
            IndexArray::I8(a) => a.as_any(),
            IndexArray::I16(a) => a.as_any(),
            IndexArray::I32(a) => a.as_any(),
            IndexArray::I64(a) => a.as_any(),
            IndexArray::U8(a) => a.as_any(),
            IndexArray::U16(a) => a.as_any(),
            IndexArray::U32(a) => a.as_any(),
            IndexArray::U64(a) => a.as_any(),
        }
    }

    pub(crate) fn shape(&self) -> &[usize] {
        match self {
            IndexArray::I8(a) => a.shape(),
            IndexArray::I16(a) => a.shape(),
            IndexArray::I32(a) => a.shape(),
            IndexArray::I64(a) => a.shape(),
            IndexArray::U8(a) => a.shape(),
            IndexArray::U16(a) => a.shape(),
            IndexArray::U32(a) => a.shape(),
            IndexArray::U64(a) => a.shape(),
        }
    }
}

/// An integer array of a known width and sign as its Rust type, converted
/// only when it is not C-contiguous in native byte order.
fn typed<'py, T: Element>(
    obj: &Bound<'py, PyAny>,
    what: &str,
) -> PyResult<Bound<'py, PyArrayDyn<T>>> {
    match obj.cast::<PyArrayDyn<T>>() {
        Ok(array) if usable_in_place(array) => Ok(array.clone()),
        _ => contiguous::<T>(obj, what),
    }
}
