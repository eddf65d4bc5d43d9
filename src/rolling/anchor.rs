//! Anchors: where the sliding path restarts from a direct sum, and that
//! sum (the window's values plus its padded copies of the end values,
//! compensated, in eight lanes).

use wide::f64x8;

use super::compensated::Compensated;
use crate::float::Float;

/// Lanes of the anchors' compensated direct sums.
const ANCHOR_LANES: usize = 8;

/// Distance between anchors on the sliding path: at least sixteen windows,
/// so the anchor's direct sum costs under a sixteenth of an add per
/// output; the compensated running sum does not drift measurably over it
/// (perf-notes.md, "Rolling mean", for the errors at eight and sixteen).
pub(super) fn anchor_spacing(w: usize) -> usize {
    // Windows beyond 2^23 points get the spacing of that one: it keeps the
    // chunk arithmetic far from overflow (also on 32-bit targets), and such
    // windows already cover any realistic data.
    let window = w.min(1 << 22).saturating_mul(2).saturating_add(1);
    window.saturating_mul(16).next_power_of_two().max(4096)
}

/// `data[i]` with `i` clamped to the data: the edge padding.
#[inline(always)]
pub(super) fn at<T: Float>(data: &[T], i: isize) -> f64 {
    let last = data.len() as isize - 1;
    data[i.clamp(0, last) as usize].to_f64()
}

/// The window sum at output `i`, summed directly with compensation: the
/// in-range part plus the padded copies of the end values.
pub(super) fn anchor<T: Float>(data: &[T], w: usize, i: usize) -> Compensated {
    let (in_range, left_pad, right_pad) = window(data.len(), w, i);
    // Eight compensated lanes (a scalar chain would wait on every add),
    // then the lanes and the tail in one compensated sum.
    let mut chunks = data[in_range].chunks_exact(ANCHOR_LANES);
    let mut lanes = Compensated::<f64x8>::default();
    for chunk in &mut chunks {
        lanes.add(load8(chunk));
    }
    let mut sum = Compensated::<f64>::default();
    for (hi, lo) in lanes.hi.to_array().into_iter().zip(lanes.lo.to_array()) {
        sum.add(hi);
        sum.add(lo);
    }
    for &v in chunks.remainder() {
        sum.add(v.to_f64());
    }
    sum.add(data[0].to_f64() * left_pad as f64);
    sum.add(data[data.len() - 1].to_f64() * right_pad as f64);
    sum
}

/// The window of output `i` in data of length `n` (not empty): the indices
/// it covers, and how many padded copies of the first and of the last value
/// it holds.
pub(super) fn window(
    n: usize,
    w: usize,
    i: usize,
) -> (std::ops::RangeInclusive<usize>, usize, usize) {
    let in_range = i.saturating_sub(w)..=i.saturating_add(w).min(n - 1);
    let left_pad = w.saturating_sub(i);
    let right_pad = i.saturating_add(w).saturating_sub(n - 1);
    (in_range, left_pad, right_pad)
}

/// The first eight values of `xs` as `f64` (the anchors' lanes).
#[inline(always)]
fn load8<T: Float>(xs: &[T]) -> f64x8 {
    let x = &xs[..8];
    f64x8::from([
        x[0].to_f64(),
        x[1].to_f64(),
        x[2].to_f64(),
        x[3].to_f64(),
        x[4].to_f64(),
        x[5].to_f64(),
        x[6].to_f64(),
        x[7].to_f64(),
    ])
}
