//! `Clamp`: restrict values to `[lo, hi]`.

use crate::error::Error;
use crate::float::{Float, FloatVector, map_lanes, map_lanes_into};
use crate::kernel::Kernel;

/// `x` restricted to `[lo, hi]`; NaN stays NaN (like [`f64::clamp`]).
///
/// Accuracy: exact (0 ULP against [`f64::clamp`]).
///
/// # Examples
/// ```
/// use splitapply::{Kernel, kernels::Clamp};
/// let mut xs = [-5.0f64, 0.5, 5.0, f64::NAN];
/// Clamp::new(0.0, 1.0)?.eval_in_place(&mut xs);
/// assert_eq!(&xs[..3], &[0.0, 0.5, 1.0]);
/// assert!(xs[3].is_nan());
/// assert!(Clamp::new(1.0, 0.0).is_err());
/// # Ok::<(), splitapply::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Clamp<T> {
    lo: T,
    hi: T,
}

impl<T: Float> Clamp<T> {
    /// The function `x -> x.clamp(lo, hi)`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when either bound is NaN or `lo > hi`.
    pub fn new(lo: T, hi: T) -> Result<Self, Error> {
        if lo.is_nan() || hi.is_nan() {
            return Err(Error::InvalidParameter {
                kernel: "Clamp",
                reason: format!("bounds must not be NaN (lo = {lo}, hi = {hi})"),
            });
        }
        if lo > hi {
            return Err(Error::InvalidParameter {
                kernel: "Clamp",
                reason: format!("lo must be <= hi (lo = {lo}, hi = {hi})"),
            });
        }
        Ok(Clamp { lo, hi })
    }

    /// The lower bound.
    pub fn lo(&self) -> T {
        self.lo
    }

    /// The upper bound.
    pub fn hi(&self) -> T {
        self.hi
    }
}

impl<T: Float> Kernel<T> for Clamp<T> {
    fn eval_in_place(&self, xs: &mut [T]) {
        let (lo, hi) = (T::splat(self.lo), T::splat(self.hi));
        map_lanes(xs, |x| clamp_lanes(x, lo, hi));
    }

    fn eval(&self, src: &[T], dst: &mut [T]) {
        let (lo, hi) = (T::splat(self.lo), T::splat(self.hi));
        map_lanes_into(src, dst, |x| clamp_lanes(x, lo, hi));
    }

    fn is_pure(&self) -> bool {
        true
    }

    fn name(&self) -> &str {
        "clamp"
    }

    fn flops_per_element(&self) -> Option<f64> {
        Some(2.0)
    }
}

/// `x` limited to `[lo, hi]` lane by lane, the one arithmetic of `Clamp`
/// (also per lane, when a table of clamps streams). Comparisons with NaN
/// are false, so NaN lanes stay `x`.
#[inline(always)]
pub(crate) fn clamp_lanes<V: FloatVector>(x: V, lo: V, hi: V) -> V {
    let below = x.select_lt(lo, lo, x);
    below.select_gt(hi, hi, below)
}
