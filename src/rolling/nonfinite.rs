//! The rolling mean of chunks that hold NaN or infinite values.
//!
//! A running sum cannot recover from a non-finite value: once NaN or an
//! infinity enters, `S + enter - leave` stays non-finite until the next
//! anchor, so windows that never saw the value would come out non-finite
//! too. The fast path therefore checks its outputs, and a chunk with any
//! non-finite output is recomputed here. Each window keeps a compensated
//! sum of its finite values and a count of its NaNs and infinities, both
//! slid in O(1) per output, and the mean is what direct summation gives:
//! NaN when the window holds a NaN or infinities of both signs, the
//! infinity when it holds one sign only, else the finite mean.
//!
//! (A window whose finite values overflow `f64` still turns the running sum
//! infinite up to the next anchor; that needs values near `f64::MAX`.)

use super::anchor::{anchor_spacing, at, window};
use super::compensated::Compensated;
use crate::float::Float;

/// Non-finite values in a window, by kind.
#[derive(Clone, Copy, Default)]
struct Counts {
    nan: usize,
    pos_inf: usize,
    neg_inf: usize,
}

impl Counts {
    /// Counts `times` copies of `v` in (`adding`) or out of the window if it
    /// is not finite, and returns its finite part (0 for a non-finite `v`).
    #[inline]
    fn track(&mut self, v: f64, times: usize, adding: bool) -> f64 {
        let slot = if v.is_nan() {
            &mut self.nan
        } else if v == f64::INFINITY {
            &mut self.pos_inf
        } else if v == f64::NEG_INFINITY {
            &mut self.neg_inf
        } else {
            return v;
        };
        if adding {
            *slot += times;
        } else {
            *slot -= times;
        }
        0.0
    }

    /// The mean of a window with finite sum `sum`, as direct summation
    /// would give it.
    fn mean(&self, sum: &Compensated, inv_window: f64) -> f64 {
        if self.nan > 0 || (self.pos_inf > 0 && self.neg_inf > 0) {
            f64::NAN
        } else if self.pos_inf > 0 {
            f64::INFINITY
        } else if self.neg_inf > 0 {
            f64::NEG_INFINITY
        } else {
            sum.value() * inv_window
        }
    }
}

/// Recomputes `out = means[start .. start + out.len()]`, re-anchored at the
/// fast path's anchor positions, tracking non-finite values apart from the
/// sums. The arithmetic is not the fast path's (a compensated step per
/// output, its own direct sums at the anchors), so the finite outputs of a
/// recomputed chunk can differ from the fast path's in the last bits; which
/// chunks are recomputed depends only on the data, never on the threads.
pub(super) fn careful_chunk<T: Float>(
    data: &[T],
    w: usize,
    inv_window: f64,
    start: usize,
    out: &mut [T],
) {
    let spacing = anchor_spacing(w);
    // As on the fast path: clamped indices read the same from n on.
    let reach = w.min(data.len()) as isize;
    for (s, segment) in out.chunks_mut(spacing).enumerate() {
        let first = start + s * spacing;
        let (mut sum, mut counts) = window_at(data, w, first);
        for (t, o) in segment.iter_mut().enumerate() {
            *o = T::from_f64(counts.mean(&sum, inv_window));
            let i = (first + t) as isize;
            let enter = counts.track(at(data, i + reach + 1), 1, true);
            let leave = counts.track(at(data, i - reach), 1, false);
            sum.add(enter - leave);
        }
    }
}

/// The window of output `i` summed directly: the finite part with
/// compensation, the non-finite values counted (end values repeat as the
/// padding).
fn window_at<T: Float>(data: &[T], w: usize, i: usize) -> (Compensated, Counts) {
    let (in_range, left_pad, right_pad) = window(data.len(), w, i);
    let mut sum = Compensated::<f64>::default();
    let mut counts = Counts::default();
    for &v in &data[in_range] {
        sum.add(counts.track(v.to_f64(), 1, true));
    }
    for (v, pad) in [
        (data[0].to_f64(), left_pad),
        (data[data.len() - 1].to_f64(), right_pad),
    ] {
        if pad > 0 {
            sum.add(counts.track(v, pad, true) * pad as f64);
        }
    }
    (sum, counts)
}
