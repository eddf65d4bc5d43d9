//! The careful path: a running window sum kept exact, one output at a time,
//! for the blocks the sliding path cannot certify (above the half-widths of
//! `tree.rs`) and for windows that hold NaN or infinities.
//!
//! ```text
//! state: hi + lo (the finite values' sum), its error bound E,
//!        abs (their magnitudes' sum) and its error bound, counts of NaN, +inf, -inf
//! each output: mean from the counts if any, else fl(fl(hi + lo) / n) if E is
//!              within budget of (abs - its error), else re-anchor here first
//! each step:   two-sum the entering value in and the leaving value out,
//!              and fold lo into the new hi (another two-sum)
//! ```
//!
//! A two-sum is exact, so the only errors are the roundings of `lo` (at most
//! `u |lo|` each, second order: `lo` stays within about `u |hi|`) and, for
//! the sum of magnitudes, one rounding per step. NaN and infinities are counted, not summed: a window's mean is
//! NaN when it holds a NaN or infinities of both signs, the infinity when
//! it holds one sign only, as direct summation gives.

use super::anchor::{Anchor, anchor, at, window, window_len};
use super::certificate::{BOUND_U, Budget};
use super::compensated::{Compensated, two_sum};
use super::lanes::FUSED;
use crate::float::Float;

/// Non-finite values in a window, by kind.
#[derive(Clone, Copy, Default, Debug)]
struct Counts {
    nan: usize,
    pos_inf: usize,
    neg_inf: usize,
}

impl Counts {
    /// Counts `times` copies of the non-finite `v` into (`adding`) or out of
    /// the window.
    fn track(&mut self, v: f64, times: usize, adding: bool) {
        let slot = if v.is_nan() {
            &mut self.nan
        } else if v > 0.0 {
            &mut self.pos_inf
        } else {
            &mut self.neg_inf
        };
        if adding {
            *slot += times;
        } else {
            *slot -= times;
        }
    }

    fn any(&self) -> bool {
        self.nan + self.pos_inf + self.neg_inf > 0
    }

    /// The mean of a window holding these non-finite values (any).
    fn mean(&self) -> f64 {
        if self.nan > 0 || (self.pos_inf > 0 && self.neg_inf > 0) {
            f64::NAN
        } else if self.pos_inf > 0 {
            f64::INFINITY
        } else {
            f64::NEG_INFINITY
        }
    }
}

/// The careful path's running state at one output.
#[derive(Clone, Copy, Debug)]
pub(super) struct Careful {
    sum: Compensated,
    error: f64,
    abs: f64,
    abs_error: f64,
    counts: Counts,
}

impl Careful {
    /// The state at output `i`, from a direct sum of its window.
    pub(super) fn anchored<T: Float>(data: &[T], w: usize, i: usize) -> Careful {
        Careful::from_anchor_at(anchor(data, w, i), data, w, i)
    }

    /// The state at output `i`, from `a`, the anchor at `i`.
    pub(super) fn from_anchor_at<T: Float>(a: Anchor, data: &[T], w: usize, i: usize) -> Careful {
        if a.sum.hi.is_finite() && a.sum.lo.is_finite() && a.error.is_finite() {
            return Careful::from_anchor(a);
        }
        // NaN or infinities in the window, or finite values whose sum
        // overflows: count the non-finite values, sum the rest one by one
        // (a direct sum like the anchor's, in one lane).
        let (in_range, left_pad, right_pad) = window(data.len(), w, i);
        let mut c = Careful::from_anchor(Anchor {
            sum: Compensated::default(),
            error: 0.0,
            abs: 0.0,
            abs_error: 0.0,
        });
        let pads = [
            (data[0].to_f64(), left_pad),
            (data[data.len() - 1].to_f64(), right_pad),
        ];
        let values = data[in_range].iter().map(|v| (v.to_f64(), 1usize));
        for (v, times) in values.chain(pads) {
            if times == 0 {
                continue;
            }
            if !v.is_finite() {
                c.counts.track(v, times, true);
                continue;
            }
            let k = times as f64;
            let p = v * k;
            c.add(p, true);
            c.add(v.mul_add(k, -p), true);
        }
        c
    }

    fn from_anchor(a: Anchor) -> Careful {
        Careful {
            sum: a.sum,
            error: a.error,
            abs: a.abs,
            abs_error: a.abs_error,
            counts: Counts::default(),
        }
    }

    /// The running sum and sum of magnitudes with their bounds, when the
    /// window holds only finite values: for the sliding path to carry on
    /// from.
    pub(super) fn finite_state(&self) -> Option<Anchor> {
        (!self.counts.any()).then_some(Anchor {
            sum: self.sum,
            error: self.error,
            abs: self.abs,
            abs_error: self.abs_error,
        })
    }

    /// The window's mean, when the state is accurate enough for it.
    #[inline(always)]
    fn mean(&self, n: f64, inv: f64, budget: &Budget) -> Option<f64> {
        if self.counts.any() {
            return Some(self.counts.mean());
        }
        let floor = self.abs - self.abs_error;
        let sound = self.error <= budget.careful * floor
            && self.sum.hi.is_finite()
            && self.sum.lo.is_finite();
        sound.then(|| divide(self.sum.value(), n, inv))
    }

    /// One step of the window: `enter` comes in, `leave` goes out. Their
    /// difference is taken exactly (a two-sum), then added exactly.
    #[inline(always)]
    fn step(&mut self, enter: f64, leave: f64) {
        if !(enter.is_finite() && leave.is_finite()) {
            return self.step_with_non_finite(enter, leave);
        }
        let (hi, lo) = exact_step(self.sum, enter, leave, &mut self.error);
        self.sum = Compensated { hi, lo };
        let growth = enter.abs() - leave.abs();
        self.abs += growth;
        self.abs_error += BOUND_U * (growth.abs() + self.abs.abs());
    }

    /// [`Careful::step`] when either value is NaN or infinite.
    #[cold]
    fn step_with_non_finite(&mut self, enter: f64, leave: f64) {
        for (v, adding) in [(enter, true), (leave, false)] {
            if v.is_finite() {
                self.add(v, adding);
            } else {
                self.counts.track(v, 1, adding);
            }
        }
    }

    /// Adds (or removes) `v` (finite) exactly to the running sum, and its
    /// magnitude to (or from) the magnitudes' sum, with their error
    /// bounds: the anchors' and the non-finite steps' one-value form.
    fn add(&mut self, v: f64, adding: bool) {
        let (v, magnitude) = if adding { (v, v.abs()) } else { (-v, -v.abs()) };
        let (hi, e) = two_sum(self.sum.hi, v);
        let lo = self.sum.lo + e;
        self.sum = Compensated { hi, lo };
        self.error += BOUND_U * lo.abs();
        self.abs += magnitude;
        self.abs_error += BOUND_U * self.abs.abs();
    }

    /// `out = means[first .. first + out.len()]`, this state being at
    /// `first`; leaves it at `first + out.len()`.
    pub(super) fn run<T: Float>(
        &mut self,
        data: &[T],
        w: usize,
        first: usize,
        out: &mut [T],
        budget: &Budget,
    ) {
        let n = window_len(w);
        let inv = 1.0 / n;
        // Clamped indices read the same from `data.len()` on.
        let reach = w.min(data.len()) as isize;
        let mut t = 0;
        while t < out.len() {
            // Finite windows whose state meets the budget: a tight loop on
            // plain local values.
            t = self.run_finite(data, reach, first, t, out, budget, n, inv);
            if t == out.len() {
                break;
            }
            // The rest: NaN or infinities in the window, or a re-anchor.
            let i = first + t;
            let mean = match self.mean(n, inv, budget) {
                Some(m) => m,
                None => {
                    *self = Careful::anchored(data, w, i);
                    // A fresh anchor meets the budget unless the window's
                    // finite values overflow (the documented exception) or
                    // it holds more than about 2^40 values: its direct sum
                    // is then the answer.
                    self.mean(n, inv, budget).unwrap_or(self.sum.value() / n)
                }
            };
            out[t] = T::from_f64(mean);
            let i = i as isize;
            self.step(at(data, i + reach + 1), at(data, i - reach));
            t += 1;
        }
    }

    /// [`Careful::run`]'s outputs from `t` on while the window holds only
    /// finite values and the state meets the budget; returns where it
    /// stopped. A NaN or infinity that enters makes the running sum
    /// non-finite, which stops the loop at the next output: the general
    /// path then re-anchors there and counts it.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn run_finite<T: Float>(
        &mut self,
        data: &[T],
        reach: isize,
        first: usize,
        mut t: usize,
        out: &mut [T],
        budget: &Budget,
        n: f64,
        inv: f64,
    ) -> usize {
        if self.counts.any() {
            return t;
        }
        let Compensated { mut hi, mut lo } = self.sum;
        let (mut error, mut abs, mut abs_error) = (self.error, self.abs, self.abs_error);
        // Outputs whose window changes read inside the data need no
        // clamping: those from `reach` to `data.len() - reach - 1`.
        let inside = (reach as usize)..data.len().saturating_sub(reach as usize + 1);
        while t < out.len() {
            let sum = hi + lo;
            let sound = error <= budget.careful * (abs - abs_error) && sum.is_finite();
            if !sound {
                break;
            }
            out[t] = T::from_f64(divide(sum, n, inv));
            let i = first + t;
            let (enter, leave) = if inside.contains(&i) {
                let r = reach as usize;
                (data[i + r + 1].to_f64(), data[i - r].to_f64())
            } else {
                let i = i as isize;
                (at(data, i + reach + 1), at(data, i - reach))
            };
            (hi, lo) = exact_step(Compensated { hi, lo }, enter, leave, &mut error);
            let growth = enter.abs() - leave.abs();
            abs += growth;
            abs_error += BOUND_U * (growth.abs() + abs.abs());
            t += 1;
        }
        self.sum = Compensated { hi, lo };
        (self.error, self.abs, self.abs_error) = (error, abs, abs_error);
        t
    }
}

/// `sum + enter - leave`, with the change taken exactly (a two-sum) and
/// added exactly (another), and the compensation folded into the new `hi`
/// exactly (a third), so that `lo` stays within `u |hi|` even where the sum
/// cancels. Only the two roundings of the new `lo` err; `error` grows by
/// their bound.
#[inline(always)]
fn exact_step(sum: Compensated, enter: f64, leave: f64, error: &mut f64) -> (f64, f64) {
    let (change, change_error) = two_sum(enter, -leave);
    let (h, e) = two_sum(sum.hi, change);
    let (hi, folded) = two_sum(h, sum.lo);
    let carry = change_error + e;
    let lo = folded + carry;
    *error += BOUND_U * (carry.abs() + lo.abs());
    (hi, lo)
}

/// `s / n` within about one rounding: the quotient by the reciprocal,
/// corrected by its exact residual `s - q n` where the target has FMA (a
/// plain division, correctly rounded, where it does not). Non-finite `s`
/// gives the plain quotient.
#[inline(always)]
fn divide(s: f64, n: f64, inv: f64) -> f64 {
    if FUSED && s.is_finite() {
        let q = s * inv;
        (-q).mul_add(n, s).mul_add(inv, q)
    } else {
        s / n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn careful_means_survive_spikes_and_count_non_finite_values() {
        let mut data = vec![1.0f64; 200];
        data[50] = 1e300;
        data[51] = -1e300;
        data[120] = f64::NAN;
        data[150] = f64::INFINITY;
        let w = 20;
        let mut out = vec![0.0; data.len()];
        let budget = Budget::for_bytes(8);
        let mut c = Careful::anchored(&data, w, 0);
        c.run(&data, w, 0, &mut out, &budget);
        for (i, &o) in out.iter().enumerate() {
            let lo = i.saturating_sub(w);
            let hi = (i + w).min(data.len() - 1);
            let holds = |k: usize| (lo..=hi).contains(&k);
            if holds(120) {
                assert!(o.is_nan(), "i={i}: {o}");
            } else if holds(150) {
                assert_eq!(o, f64::INFINITY, "i={i}");
            } else if holds(50) || holds(51) {
                // The spikes' sum is far beyond the budget of a mean near 1.
                assert!(o.is_finite(), "i={i}");
            } else {
                assert_eq!(o, 1.0, "i={i}: {o}");
            }
        }
    }
}
