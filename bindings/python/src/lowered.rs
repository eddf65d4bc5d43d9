//! Kernels that lowered scipy objects need beyond the built-in ones.
//!
//! A `PPoly` built with `extrapolate=False` (the default of
//! `Akima1DInterpolator`) gives NaN outside its breaks; [`SplineWithin`] is
//! the built-in `Spline` with that rule. It evaluates in blocks of
//! [`BLOCK`] points: the block's values are kept, the spline runs over the
//! block in place, and every point outside `[breaks[0], breaks[m]]` becomes
//! NaN. The spline's result for a point does not depend on the block it is
//! in (the `Kernel` contract), so neither does this kernel's.

use splitapply::kernels::Spline;
use splitapply::{Float, Kernel};

/// Points per block: the kept values stay in registers or L1.
const BLOCK: usize = 64;

/// A `Spline` that gives NaN outside its first and last break, as
/// `scipy.interpolate.PPoly(..., extrapolate=False)` does.
pub(crate) struct SplineWithin<T> {
    spline: Spline<T>,
    lo: T,
    hi: T,
}

impl<T: Float> SplineWithin<T> {
    pub(crate) fn new(spline: Spline<T>) -> Self {
        let breaks = spline.breaks();
        let (lo, hi) = (breaks[0], breaks[breaks.len() - 1]);
        SplineWithin { spline, lo, hi }
    }
}

impl<T: Float> Kernel<T> for SplineWithin<T> {
    fn eval_in_place(&self, xs: &mut [T]) {
        let mut kept = [T::ZERO; BLOCK];
        for block in xs.chunks_mut(BLOCK) {
            let kept = &mut kept[..block.len()];
            kept.copy_from_slice(block);
            self.spline.eval_in_place(block);
            for (y, &x) in block.iter_mut().zip(kept.iter()) {
                if x < self.lo || x > self.hi {
                    *y = T::from_f64(f64::NAN);
                }
            }
        }
    }

    fn is_pure(&self) -> bool {
        true
    }

    fn name(&self) -> &str {
        "spline within its breaks"
    }
}
