//! Compiled callables as kernels: a numba `cfunc` of signature
//! `float64(float64)` or a `scipy.LowLevelCallable` of C signature
//! `double (double)` is a plain C function pointer, called once per point
//! from the Rust workers, without the GIL, so it scales with threads.
//!
//! The pointer is only valid while the Python object that owns the machine
//! code lives; the table keeps that object for as long as it keeps the
//! kernel (`table.rs`). A float32 table converts each point to f64 and the
//! result back.

use std::ffi::{CString, c_void};
use std::ptr::NonNull;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyCapsuleMethods};
use splitapply::{Float, Kernel};

/// The C signature every compiled entry has.
type CFn = unsafe extern "C" fn(f64) -> f64;

/// A C function `double f(double)`, called per point.
#[derive(Clone, Copy)]
pub(crate) struct CFunction {
    f: CFn,
}

impl CFunction {
    /// The function at `address`, which must be the address of machine
    /// code with the C signature `double (double)`.
    ///
    /// # Safety
    /// `address` must point to a function of the C signature
    /// `double (double)` that is safe to call from any thread, at any time,
    /// with any value, and it must stay valid for as long as the returned
    /// kernel is used: its owner (the numba `cfunc` or the
    /// `LowLevelCallable`) must outlive the kernel.
    unsafe fn at(address: NonNull<c_void>) -> CFunction {
        // SAFETY: a data pointer and a function pointer have the same size
        // and representation on every platform PyO3 supports, and the
        // caller guarantees that this one points to a `double (double)`
        // function.
        let f = unsafe { std::mem::transmute::<*mut c_void, CFn>(address.as_ptr()) };
        CFunction { f }
    }

    /// The kernel of an entry that `splitapply._callables.classify` found
    /// compiled: `("compiled", "numba", address)` or `("compiled",
    /// "capsule", capsule, signature)`.
    ///
    /// The caller keeps `owner` (the callable) alive for as long as the
    /// kernel is in its table.
    pub(crate) fn from_classified(classified: &Bound<'_, PyAny>) -> PyResult<CFunction> {
        let kind: String = classified.get_item(1)?.extract()?;
        let payload = classified.get_item(2)?;
        let address = match kind.as_str() {
            "numba" => {
                let address: usize = payload.extract()?;
                NonNull::new(address as *mut c_void)
                    .ok_or_else(|| PyTypeError::new_err("the numba cfunc has no address"))?
            }
            "capsule" => {
                // The capsule's name is its C signature (`classify` passes
                // it along, checked); the pointer is only handed out under
                // that name.
                let signature: String = classified.get_item(3)?.extract()?;
                let name = CString::new(signature)
                    .map_err(|_| PyTypeError::new_err("a C signature cannot hold a NUL byte"))?;
                payload.cast::<PyCapsule>()?.pointer_checked(Some(&name))?
            }
            other => {
                return Err(PyTypeError::new_err(format!(
                    "unknown compiled callable kind {other:?}"
                )));
            }
        };
        // SAFETY: `classify` checked the signature (numba's `float64(float64)`
        // is `double (double)` in C, with no exception channel; a
        // LowLevelCallable declares its C signature in its capsule's name,
        // which was checked and carries no user data), and the caller
        // keeps the owning object for as long as the kernel.
        Ok(unsafe { CFunction::at(address) })
    }

    #[inline(always)]
    fn call(&self, x: f64) -> f64 {
        // SAFETY: `CFunction::at`'s contract: a `double (double)` function,
        // alive while this kernel is.
        unsafe { (self.f)(x) }
    }
}

impl<T: Float> Kernel<T> for CFunction {
    fn eval_in_place(&self, xs: &mut [T]) {
        for x in xs {
            *x = T::from_f64(self.call(x.to_f64()));
        }
    }

    fn eval(&self, src: &[T], dst: &mut [T]) {
        for (d, s) in dst.iter_mut().zip(src) {
            *d = T::from_f64(self.call(s.to_f64()));
        }
    }

    fn name(&self) -> &str {
        "compiled"
    }
}
