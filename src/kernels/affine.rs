//! `Affine`: `a * x + b`.

use crate::float::{Float, FloatVector, map_lanes, map_lanes_into};
use crate::kernel::{Family, Kernel};

/// `a * x + b`, computed with one fused multiply-add (one rounding).
///
/// Accuracy: 0 ULP against `a.mul_add(x, b)` for every input (exact).
///
/// # Examples
///
/// ```
/// use splitapply::{Kernel, kernels::Affine};
/// let mut xs = [1.0f64, 2.0, 3.0];
/// Affine::new(2.0, 1.0).eval_in_place(&mut xs);
/// assert_eq!(xs, [3.0, 5.0, 7.0]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Affine<T> {
    a: T,
    b: T,
}

impl<T: Float> Affine<T> {
    /// The function `x -> a * x + b`.
    pub fn new(a: T, b: T) -> Self {
        Affine { a, b }
    }

    /// The slope `a`.
    pub fn slope(&self) -> T {
        self.a
    }

    /// The intercept `b`.
    pub fn intercept(&self) -> T {
        self.b
    }
}

impl<T: Float> Kernel<T> for Affine<T> {
    fn eval_in_place(&self, xs: &mut [T]) {
        let (a, b) = (T::splat(self.a), T::splat(self.b));
        map_lanes(xs, |x| x.mul_add(a, b));
    }

    fn eval(&self, src: &[T], dst: &mut [T]) {
        let (a, b) = (T::splat(self.a), T::splat(self.b));
        map_lanes_into(src, dst, |x| x.mul_add(a, b));
    }

    fn name(&self) -> &str {
        "affine"
    }

    fn flops_per_element(&self) -> Option<f64> {
        Some(2.0)
    }

    fn family(&self) -> Option<Family<T>> {
        Some(Family::Affine {
            a: self.a,
            b: self.b,
        })
    }

    fn is_pure(&self) -> bool {
        true
    }
}
