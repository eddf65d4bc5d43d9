//! Built-in SIMD kernels, each generic over `f32` and `f64`.
//!
//! Every kernel evaluates whole vectors through the maps of
//! [`crate::float`] (`map_lanes`, or `map_wide` for the transcendental
//! ones; `Poly` takes four vectors at a time with the same per-lane
//! arithmetic), padding the tail of a batch into a full vector, so a
//! value's result never depends on its position in the batch.
//!
//! # Accuracy
//!
//! Each kernel's docs state the worst-case error against the standard library
//! measured over a stated domain; `tests/kernel_accuracy.rs` enforces those
//! bounds. Errors are in ULPs of the result (units in the last place).
//!
//! # Special values
//!
//! NaN inputs give NaN outputs for every kernel except constant functions
//! (a degree-0 [`Poly`]). `±inf` follow the standard
//! library (`Exp(-inf) = 0`, `Ln(+inf) = +inf`, `Sin(±inf) = NaN`, ...), except
//! where a kernel's docs say otherwise.

mod affine;
mod clamp;
mod elementary;
mod interp;
mod poly;
mod spline;

pub use affine::Affine;
pub use clamp::Clamp;
pub use elementary::{Cos, Exp, Ln, Logistic, Pow, Sin, Sqrt};
pub use interp::Interp;
pub use poly::Poly;
pub use spline::Spline;
