//! Elementary functions: `Exp`, `Ln`, `Sqrt`, `Sin`, `Cos`, `Pow`, `Logistic`.
//!
//! The vector algorithms of `Exp`, `Ln`, `Sqrt`, `Sin` and `Cos` are
//! `wide`'s (Cephes-style range reduction plus polynomial or rational
//! approximations); `Pow` and `Logistic` use the exponential and logarithm
//! of `exp_log.rs`, written for them. The error bounds quoted on each
//! kernel were measured against the standard library by
//! `tests/kernel_accuracy.rs`, which enforces them.

use wide::{f32x16, f64x8};

use crate::float::{
    Float, FloatVector, MAX_LANES, for_each_padded, for_each_padded_into, map_lanes,
    map_lanes_into, map_wide, map_wide_into,
};
use crate::kernel::Kernel;
use crate::kernels::exp_log::{self, Exponent};

/// Declares a parameterless unary kernel: a unit struct with `new()`,
/// `Default`, and a `Kernel` impl that maps `$body` over the lanes of
/// `$vector` vectors (`Vector` or `Wide`, see [`crate::float`]).
macro_rules! unary_kernel {
    ($(#[$doc:meta])* $name:ident, $label:literal, $flops:expr, $vector:ident, |$x:ident| $body:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct $name;

        impl $name {
            /// The kernel (it has no parameters).
            pub fn new() -> Self {
                $name
            }
        }

        impl<T: Float> Kernel<T> for $name {
            fn eval_in_place(&self, xs: &mut [T]) {
                unary_kernel!(@map $vector, xs, |$x| $body);
            }

            fn eval(&self, src: &[T], dst: &mut [T]) {
                unary_kernel!(@map_into $vector, src, dst, |$x| $body);
            }

            fn name(&self) -> &str {
                $label
            }

            fn is_pure(&self) -> bool {
                true
            }

            fn flops_per_element(&self) -> Option<f64> {
                Some($flops)
            }
        }
    };
    (@map Vector, $xs:ident, $f:expr) => { map_lanes::<T>($xs, $f) };
    (@map Wide, $xs:ident, $f:expr) => { map_wide::<T>($xs, $f) };
    (@map_into Vector, $src:ident, $dst:ident, $f:expr) => { map_lanes_into::<T>($src, $dst, $f) };
    (@map_into Wide, $src:ident, $dst:ident, $f:expr) => { map_wide_into::<T>($src, $dst, $f) };
}

unary_kernel!(
    /// `e^x`.
    ///
    /// Accuracy against [`f64::exp`] / [`f32::exp`]: at most 1 ULP for `x` in `[-700, 700]` (f64) and `[-87, 88]` (f32).
    /// Overflow gives `+inf`, underflow `0`, `-inf` gives `0`.
    ///
    /// FLOPs per element: about 30 (reduction, degree-13 polynomial, scaling).
    ///
    /// # Examples
    /// ```
    /// use splitapply::{Kernel, kernels::Exp};
    /// let mut xs = [0.0f64, 1.0];
    /// Exp::new().eval_in_place(&mut xs);
    /// assert_eq!(xs[0], 1.0);
    /// assert!((xs[1] - std::f64::consts::E).abs() < 1e-15);
    /// ```
    Exp, "exp", 30.0, Wide, |x| x.exp()
);

unary_kernel!(
    /// Natural logarithm.
    ///
    /// Accuracy against [`f64::ln`] / [`f32::ln`]: at most 1 ULP for `x` in
    /// `[1e-300, 1e300]` (f64) and `[1e-30, 1e30]` (f32). Negative `x` gives NaN, `0` gives
    /// `-inf`. Differs from std on subnormal inputs of either sign, which are
    /// treated as zero (`-inf`).
    ///
    /// FLOPs per element: about 30 (rational approximation of degree 5/5).
    ///
    /// # Examples
    /// ```
    /// use splitapply::{Kernel, kernels::Ln};
    /// let mut xs = [1.0f64, std::f64::consts::E];
    /// Ln::new().eval_in_place(&mut xs);
    /// assert_eq!(xs[0], 0.0);
    /// assert!((xs[1] - 1.0).abs() < 1e-15);
    /// ```
    Ln, "ln", 30.0, Wide, |x| x.ln()
);

unary_kernel!(
    /// Square root, correctly rounded: 0 ULP against [`f64::sqrt`] /
    /// [`f32::sqrt`] for every input (negative `x` gives NaN).
    ///
    /// FLOPs per element: 1.
    ///
    /// # Examples
    /// ```
    /// use splitapply::{Kernel, kernels::Sqrt};
    /// let mut xs = [4.0f32, 9.0];
    /// Sqrt::new().eval_in_place(&mut xs);
    /// assert_eq!(xs, [2.0, 3.0]);
    /// ```
    Sqrt, "sqrt", 1.0, Vector, |x| x.sqrt()
);

unary_kernel!(
    /// Sine (radians).
    ///
    /// Accuracy against [`f64::sin`] / [`f32::sin`]: at most 2 ULP for
    /// `|x| <= 1e6` (f64) and `|x| <= 1e4` (f32). Range reduction uses a
    /// three-part `pi/2`, so accuracy decays beyond those ranges. `±inf`
    /// gives NaN.
    ///
    /// FLOPs per element: about 30.
    ///
    /// # Examples
    /// ```
    /// use splitapply::{Kernel, kernels::Sin};
    /// let mut xs = [0.0f64, std::f64::consts::FRAC_PI_2];
    /// Sin::new().eval_in_place(&mut xs);
    /// assert_eq!(xs, [0.0, 1.0]);
    /// ```
    Sin, "sin", 30.0, Wide, |x| x.sin()
);

unary_kernel!(
    /// Cosine (radians).
    ///
    /// Accuracy against [`f64::cos`] / [`f32::cos`]: at most 2 ULP for
    /// `|x| <= 1e6` (f64) and `|x| <= 100` (f32). For f32 with
    /// `100 < |x| <= 1e4`, results near the zeros of cos are off by up to
    /// 20 ULP of the (tiny) result: an absolute error of a few `1e-11`.
    /// `±inf` gives NaN.
    ///
    /// FLOPs per element: about 30.
    ///
    /// # Examples
    /// ```
    /// use splitapply::{Kernel, kernels::Cos};
    /// let mut xs = [0.0f64];
    /// Cos::new().eval_in_place(&mut xs);
    /// assert_eq!(xs, [1.0]);
    /// ```
    Cos, "cos", 30.0, Wide, |x| x.cos()
);

/// The logistic function `1 / (1 + e^-x)`.
///
/// Accuracy against the same formula in std (`1.0 / (1.0 + (-x).exp())`):
/// at most 3 ULP (f64) and 3 ULP (f32) for `x` in `[-700, 700]` (f64) and
/// `[-87, 87]` (f32). `+inf` gives 1, `-inf` 0, NaN NaN.
///
/// FLOPs per element: 37 in f64, 24 in f32 (counted in the source, a
/// fused multiply-add as two: the exponential's reduction, a Taylor
/// polynomial of degree 13 or 7, its scaling, the sum and the quotient).
///
/// # Examples
/// ```
/// use splitapply::{Kernel, kernels::Logistic};
/// let mut xs = [0.0f64];
/// Logistic::new().eval_in_place(&mut xs);
/// assert_eq!(xs, [0.5]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Logistic;

impl Logistic {
    /// The kernel (it has no parameters).
    pub fn new() -> Self {
        Logistic
    }

    /// One wide vector of points, `src` into `dst`.
    #[inline(always)]
    fn lanes<T: Float>(src: &[T], dst: &mut [T]) {
        if T::BYTES == 8 {
            let x = f64x8::new(std::array::from_fn(|l| src[l].to_f64()));
            let y = f64x8::ONE / (f64x8::ONE + exp_log::exp_f64(-x, f64x8::ZERO));
            store(&y.to_array(), dst);
        } else {
            let x = f32x16::new(std::array::from_fn(|l| src[l].to_f64() as f32));
            let y = f32x16::ONE / (f32x16::ONE + exp_log::exp_f32(-x, f32x16::ZERO));
            for (d, v) in dst.iter_mut().zip(y.to_array()) {
                *d = T::from_f64(f64::from(v));
            }
        }
    }
}

impl<T: Float> Kernel<T> for Logistic {
    fn eval_in_place(&self, xs: &mut [T]) {
        for_each_padded(xs, T::WIDE_LANES, |lanes| {
            let src = copied(lanes);
            Logistic::lanes(&src[..T::WIDE_LANES], lanes)
        });
    }

    fn eval(&self, src: &[T], dst: &mut [T]) {
        assert_eq!(src.len(), dst.len(), "eval needs equal lengths");
        for_each_padded_into(src, dst, T::WIDE_LANES, Logistic::lanes);
    }

    fn name(&self) -> &str {
        "logistic"
    }

    fn is_pure(&self) -> bool {
        true
    }

    fn flops_per_element(&self) -> Option<f64> {
        Some(if T::BYTES == 8 { 37.0 } else { 24.0 })
    }
}

/// A wide vector's worth of points, copied (the kernels below read a
/// vector before writing it in place).
#[inline(always)]
fn copied<T: Float>(lanes: &[T]) -> [T; MAX_LANES] {
    let mut src = [T::ZERO; MAX_LANES];
    src[..lanes.len()].copy_from_slice(lanes);
    src
}

/// f64 results into the kernel's float type.
#[inline(always)]
fn store<T: Float>(values: &[f64], dst: &mut [T]) {
    for (d, &v) in dst.iter_mut().zip(values) {
        *d = T::from_f64(v);
    }
}

/// `x^p` for a fixed exponent `p`.
///
/// Accuracy against [`f64::powf`] / [`f32::powf`]: at most 1 ULP for `x`
/// in `[1e-3, 1e3]` and `p` in `[-8, 8]`. Elsewhere as std, including
/// zeros, infinities, subnormals, negative bases and `|x| = 1`, except in
/// two corners: a NaN base gives NaN even for `p = 0` (std: 1), and a
/// negative base with a non-integer `p` gives NaN for `-inf` too (std:
/// `(-inf)^2.5 = inf`).
///
/// `p ln x` is computed as a double-double (f64) or double-single (f32),
/// then its exponential.
///
/// FLOPs per element: 89 in f64, 45 in f32 (counted in the source, a
/// fused multiply-add as two: the logarithm's reduction, quotient and
/// series, the product, and the exponential's reduction, polynomial and
/// scaling).
///
/// # Examples
/// ```
/// use splitapply::{Kernel, kernels::Pow};
/// let mut xs = [2.0f64, 3.0];
/// Pow::new(2.0).eval_in_place(&mut xs);
/// assert_eq!(xs, [4.0, 9.0]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pow<T> {
    p: T,
    exponent: Exponent,
}

impl<T: Float> Pow<T> {
    /// The function `x -> x^p`.
    pub fn new(p: T) -> Self {
        Pow {
            p,
            exponent: Exponent::new(p.to_f64()),
        }
    }

    /// The exponent.
    pub fn exponent(&self) -> T {
        self.p
    }

    /// One wide vector of points, `src` into `dst`.
    #[inline(always)]
    fn lanes(&self, src: &[T], dst: &mut [T]) {
        if T::BYTES == 8 {
            let x = f64x8::new(std::array::from_fn(|l| src[l].to_f64()));
            store(&exp_log::pow_f64(x, &self.exponent).to_array(), dst);
        } else {
            let x = f32x16::new(std::array::from_fn(|l| src[l].to_f64() as f32));
            for (d, v) in dst
                .iter_mut()
                .zip(exp_log::pow_f32(x, &self.exponent).to_array())
            {
                *d = T::from_f64(f64::from(v));
            }
        }
    }
}

impl<T: Float> Kernel<T> for Pow<T> {
    fn eval_in_place(&self, xs: &mut [T]) {
        for_each_padded(xs, T::WIDE_LANES, |lanes| {
            let src = copied(lanes);
            self.lanes(&src[..T::WIDE_LANES], lanes)
        });
    }

    fn eval(&self, src: &[T], dst: &mut [T]) {
        assert_eq!(src.len(), dst.len(), "eval needs equal lengths");
        for_each_padded_into(src, dst, T::WIDE_LANES, |s, d| self.lanes(s, d));
    }

    fn name(&self) -> &str {
        "pow"
    }

    fn is_pure(&self) -> bool {
        true
    }

    fn flops_per_element(&self) -> Option<f64> {
        Some(if T::BYTES == 8 { 89.0 } else { 45.0 })
    }
}
