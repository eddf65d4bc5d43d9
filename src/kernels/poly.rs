//! `Poly`: a polynomial by Horner's rule.

use crate::float::{Float, FloatVector, map_lanes, map_lanes_into};
use crate::kernel::Kernel;

/// A polynomial `c[0] + c[1] x + c[2] x^2 + ...`, coefficients lowest degree
/// first, evaluated by Horner's rule with one fused multiply-add per degree.
///
/// An empty coefficient list is the zero polynomial.
///
/// Accuracy: 0 ULP against the scalar Horner recurrence with
/// [`f64::mul_add`] (the same operations in the same order). Against the
/// exact polynomial the error is that of Horner's rule itself, which depends
/// on the coefficients.
///
/// # Examples
///
/// ```
/// use splitapply::{Kernel, kernels::Poly};
/// let mut xs = [0.0f64, 1.0, 2.0];
/// Poly::new(vec![1.0, 0.5, 0.25]).eval_in_place(&mut xs); // 1 + x/2 + x^2/4
/// assert_eq!(xs, [1.0, 1.75, 3.0]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Poly<T> {
    coeffs: Vec<T>,
}

impl<T: Float> Poly<T> {
    /// The polynomial with these coefficients, lowest degree first.
    pub fn new(coeffs: Vec<T>) -> Self {
        Poly { coeffs }
    }

    /// The coefficients, lowest degree first.
    pub fn coeffs(&self) -> &[T] {
        &self.coeffs
    }

    /// The degree (0 for constants and for the zero polynomial).
    pub fn degree(&self) -> usize {
        self.coeffs.len().saturating_sub(1)
    }
}

impl<T: Float> Kernel<T> for Poly<T> {
    fn eval_in_place(&self, xs: &mut [T]) {
        let Some((&top, rest)) = self.coeffs.split_last() else {
            xs.fill(T::ZERO);
            return;
        };
        if rest.is_empty() {
            xs.fill(top);
            return;
        }
        let top = T::splat(top);
        map_lanes(xs, |x| horner(top, rest, x));
    }

    fn eval(&self, src: &[T], dst: &mut [T]) {
        match self.coeffs.split_last() {
            Some((&top, rest)) if !rest.is_empty() => {
                map_lanes_into(src, dst, |x| horner(T::splat(top), rest, x))
            }
            _ => {
                dst.copy_from_slice(src);
                self.eval_in_place(dst);
            }
        }
    }

    fn is_pure(&self) -> bool {
        true
    }

    fn name(&self) -> &str {
        "poly"
    }

    fn flops_per_element(&self) -> Option<f64> {
        Some(2.0 * self.degree() as f64)
    }
}

/// Horner's rule from the top coefficient down, one fused multiply-add per
/// degree.
#[inline(always)]
fn horner<T: Float>(top: T::Vector, rest: &[T], x: T::Vector) -> T::Vector {
    rest.iter()
        .rev()
        .fold(top, |acc, &c| acc.mul_add(x, T::splat(c)))
}
