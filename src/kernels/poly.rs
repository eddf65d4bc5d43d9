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
        let (main, tail) = split_blocks_mut::<T>(xs);
        for block in main.chunks_exact_mut(INTERLEAVE * T::LANES) {
            let x = load_block::<T>(block);
            store_block::<T>(horner_block::<T>(top, rest, x), block);
        }
        let top = T::splat(top);
        map_lanes(tail, |x| horner(top, rest, x));
    }

    fn eval(&self, src: &[T], dst: &mut [T]) {
        match self.coeffs.split_last() {
            Some((&top, rest)) if !rest.is_empty() => {
                assert_eq!(src.len(), dst.len(), "eval needs equal lengths");
                let (dst_main, dst_tail) = split_blocks_mut::<T>(dst);
                let (src_main, src_tail) = src.split_at(dst_main.len());
                let block = INTERLEAVE * T::LANES;
                for (s, d) in src_main
                    .chunks_exact(block)
                    .zip(dst_main.chunks_exact_mut(block))
                {
                    store_block::<T>(horner_block::<T>(top, rest, load_block::<T>(s)), d);
                }
                map_lanes_into(src_tail, dst_tail, |x| horner(T::splat(top), rest, x))
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

    fn prefetch(&self) {
        if let Some(c) = self.coeffs.first() {
            crate::prefetch::prefetch(c);
        }
    }

    fn name(&self) -> &str {
        "poly"
    }

    fn flops_per_element(&self) -> Option<f64> {
        Some(2.0 * self.degree() as f64)
    }
}

/// Vectors evaluated together by [`horner_block`]: independent Horner
/// chains hide the fused multiply-add latency a single chain waits on, and
/// share one pass over the coefficients.
const INTERLEAVE: usize = 4;

/// `xs` cut into a prefix of whole blocks of [`INTERLEAVE`] vectors and the
/// rest.
fn split_blocks_mut<T: Float>(xs: &mut [T]) -> (&mut [T], &mut [T]) {
    let block = INTERLEAVE * T::LANES;
    xs.split_at_mut(xs.len() / block * block)
}

/// [`INTERLEAVE`] vectors from a block of exactly that many.
#[inline(always)]
fn load_block<T: Float>(xs: &[T]) -> [T::Vector; INTERLEAVE] {
    std::array::from_fn(|v| T::load(&xs[v * T::LANES..(v + 1) * T::LANES]))
}

#[inline(always)]
fn store_block<T: Float>(vs: [T::Vector; INTERLEAVE], xs: &mut [T]) {
    for (v, lanes) in vs.into_iter().zip(xs.chunks_exact_mut(T::LANES)) {
        T::store(v, lanes);
    }
}

/// [`horner`] on [`INTERLEAVE`] vectors at once: per lane the same fused
/// multiply-adds in the same order, so the same bits.
#[inline(always)]
fn horner_block<T: Float>(
    top: T,
    rest: &[T],
    x: [T::Vector; INTERLEAVE],
) -> [T::Vector; INTERLEAVE] {
    let mut acc = [T::splat(top); INTERLEAVE];
    for &c in rest.iter().rev() {
        let c = T::splat(c);
        for (a, &x) in acc.iter_mut().zip(&x) {
            *a = a.mul_add(x, c);
        }
    }
    acc
}

/// Horner's rule from the top coefficient down, one fused multiply-add per
/// degree.
#[inline(always)]
fn horner<T: Float>(top: T::Vector, rest: &[T], x: T::Vector) -> T::Vector {
    rest.iter()
        .rev()
        .fold(top, |acc, &c| acc.mul_add(x, T::splat(c)))
}
