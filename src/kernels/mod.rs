//! Built-in SIMD kernels, each generic over `f32` and `f64`, and the one
//! list of them ([`KernelSpec`]).
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
//! The bounds hold in builds with fused multiply-add (x86-64-v3 or newer,
//! aarch64), which all compute the same bits. A build without FMA (baseline
//! x86-64) rounds every `mul_add` twice, so its results differ and only
//! the bounds of [`Exp`], [`Ln`] and [`Sqrt`] are promised there; [`simd_info()`](crate::simd_info) warns
//! about such a build when the CPU has more to offer.
//!
//! # Special values
//!
//! NaN inputs give NaN outputs for every kernel except constant functions
//! (a degree-0 [`Poly`]). `±inf` follow the standard
//! library (`Exp(-inf) = 0`, `Ln(+inf) = +inf`, `Sin(±inf) = NaN`, ...), except
//! where a kernel's docs say otherwise.
//!
//! # The registry
//!
//! [`KernelSpec`] names every built-in kernel with its parameters in `f64`.
//! It is what bindings, reports, fuzzing and tests use to build kernels by
//! name: [`KernelSpec::from_params`] checks a name and parameter list,
//! [`KernelSpec::push_to`] appends the kernel to a table with its own type
//! (so the engine sees which functions share one), and
//! [`KernelSpec::sample`] gives a representative instance for tests and
//! benchmarks. [`BUILTIN_KERNELS`] describes each kernel's parameters.
//!
//! To add a kernel: write its file here, add one entry to the
//! `builtin_kernels!` list below, and give it an accuracy test in
//! `tests/kernel_accuracy.rs` (and a line in the Python stub,
//! `bindings/python/python/splitapply/__init__.pyi`). The property
//! tests, the fuzz harness, the roofline report and the Python `Table`
//! pick it up from the list.

mod affine;
mod clamp;
mod elementary;
mod exp_log;
mod interp;
mod pieces;
mod poly;
mod spline;

pub use affine::Affine;
pub use clamp::Clamp;
pub(crate) use clamp::clamp_lanes;
pub use elementary::{Cos, Exp, Ln, Logistic, Pow, Sin, Sqrt};
pub use interp::Interp;
pub use poly::Poly;
pub use spline::Spline;

#[macro_use]
mod registry;

pub use registry::{KernelInfo, Param, ParamKind};

use crate::error::Error;
use crate::float::Float;
use crate::kernel::Kernel;
use crate::table::FuncTable;
use registry::{SampleArgs, ToFloat};

builtin_kernels! {
    Affine("affine", "Affine", "`a * x + b`, one fused multiply-add.") { a: scalar, b: scalar }
    build => Ok::<_, Error>(Affine::new(a, b));
    sample(j, s) => { a: 1.0 + s, b: s };

    Poly("poly", "Poly8", "`c[0] + c[1] x + c[2] x^2 + ...` (lowest degree first), by Horner's rule.") {
        coeffs: vector
    }
    build => Ok::<_, Error>(Poly::new(coeffs));
    sample(j, s) => { coeffs: (0..9).map(|d| 1.0 / ((d + 1 + j % 7) as f64)).collect() };

    Exp("exp", "Exp", "`e^x`.") {}
    build => Ok::<_, Error>(Exp::new());
    sample(j, s) => {};

    Ln("ln", "Ln", "The natural logarithm.") {}
    build => Ok::<_, Error>(Ln::new());
    sample(j, s) => {};

    Sqrt("sqrt", "Sqrt", "The square root.") {}
    build => Ok::<_, Error>(Sqrt::new());
    sample(j, s) => {};

    Sin("sin", "Sin", "The sine.") {}
    build => Ok::<_, Error>(Sin::new());
    sample(j, s) => {};

    Cos("cos", "Cos", "The cosine.") {}
    build => Ok::<_, Error>(Cos::new());
    sample(j, s) => {};

    Pow("pow", "Pow", "`x^p`.") { p: scalar }
    build => Ok::<_, Error>(Pow::new(p));
    sample(j, s) => { p: 0.5 + 2.0 * s };

    Logistic("logistic", "Logistic", "`1 / (1 + e^-x)`.") {}
    build => Ok::<_, Error>(Logistic::new());
    sample(j, s) => {};

    Clamp("clamp", "Clamp", "`x` limited to `[lo, hi]`.") { lo: scalar, hi: scalar }
    build => Clamp::new(lo, hi);
    sample(j, s) => { lo: 0.5 + s * 0.5, hi: 1.5 };

    Interp("interp", "Interp16", "Piecewise linear through `(xp[i], fp[i])` (`xp` strictly increasing), constant beyond the ends, as `numpy.interp`.") {
        xp: vector, fp: vector
    }
    build => Interp::new(xp, fp);
    sample(j, s) => {
        xp: (0..16).map(|i| i as f64 * 0.15).collect(),
        fp: (0..16).map(|i| ((i + j) % 16) as f64 * 0.1).collect(),
    };

    Spline("spline", "Spline16", "A piecewise cubic in `scipy.interpolate.PPoly`'s layout: `m + 1` breaks, `4 x m` coefficients.") {
        breaks: vector, coeffs: matrix4
    }
    build => Spline::new(breaks, coeffs);
    sample(j, s) => {
        breaks: (0..=16).map(|i| 0.1 + i as f64 * 0.125).collect(),
        coeffs: (0..64).map(|c| (((c + j) % 11) as f64 - 5.0) * 0.05).collect(),
    };
}
