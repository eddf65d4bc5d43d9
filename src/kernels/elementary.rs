//! Elementary functions: `Exp`, `Ln`, `Sqrt`, `Sin`, `Cos`, `Pow`, `Logistic`.
//!
//! The vector algorithms are `wide`'s (Cephes-style range reduction plus
//! polynomial or rational approximations). The error bounds quoted on each
//! kernel were measured against the standard library by
//! `tests/kernel_accuracy.rs`, which enforces them.

use crate::float::{Float, FloatVector, map_lanes, map_lanes_into, map_wide, map_wide_into};
use crate::kernel::Kernel;

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

unary_kernel!(
    /// The logistic function `1 / (1 + e^-x)`.
    ///
    /// Accuracy against the same formula in std (`1.0 / (1.0 + (-x).exp())`):
    /// at most 3 ULP (f64) and 3 ULP (f32) for `x` in `[-700, 700]`
    /// (f64) and `[-87, 87]` (f32).
    ///
    /// FLOPs per element: about 33.
    ///
    /// # Examples
    /// ```
    /// use splitapply::{Kernel, kernels::Logistic};
    /// let mut xs = [0.0f64];
    /// Logistic::new().eval_in_place(&mut xs);
    /// assert_eq!(xs, [0.5]);
    /// ```
    Logistic, "logistic", 33.0, Wide, |x| {
        let one = T::splat_wide(T::from_f64(1.0));
        one / (one + (-x).exp())
    }
);

/// `x^p` for a fixed exponent `p`.
///
/// Accuracy against [`f64::powf`] / [`f32::powf`]: at most 2 ULP for `x` in `[1e-3, 1e3]` and `p` in `[-8, 8]`.
/// Differs from std in two corners: a NaN base gives NaN even for `p = 0`
/// (std: 1), and a negative base with a non-integer `p` gives NaN for
/// `-inf` too (std: `(-inf)^2.5 = inf`).
///
/// FLOPs per element: about 60 (a logarithm, a product and an exponential).
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
}

impl<T: Float> Pow<T> {
    /// The function `x -> x^p`.
    pub fn new(p: T) -> Self {
        Pow { p }
    }

    /// The exponent.
    pub fn exponent(&self) -> T {
        self.p
    }
}

impl<T: Float> Kernel<T> for Pow<T> {
    fn eval_in_place(&self, xs: &mut [T]) {
        let p = T::splat_wide(self.p);
        map_wide(xs, |x| x.pow(p));
    }

    fn eval(&self, src: &[T], dst: &mut [T]) {
        let p = T::splat_wide(self.p);
        map_wide_into(src, dst, |x| x.pow(p));
    }

    fn name(&self) -> &str {
        "pow"
    }

    fn is_pure(&self) -> bool {
        true
    }

    fn flops_per_element(&self) -> Option<f64> {
        Some(60.0)
    }
}
