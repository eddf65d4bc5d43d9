//! Anchors: a window sum computed directly from the data (its values plus
//! the padded copies of the end values), with a bound on its error, and the
//! window's sum of magnitudes with a bound on that; and the windows'
//! geometry (their length, the edge padding).
//!
//! The values are summed in sub-blocks of [`SUB_BLOCK`], each in eight
//! lanes of Neumaier's compensated addition; each sub-block's lanes, then
//! the sub-blocks and the padded copies (exact products), go into one
//! scalar compensated sum. Neumaier's addition captures each rounding error
//! exactly; what is lost is only the rounding of the compensation itself,
//! second order in `u` (see [`Anchor::error`]).

use wide::f64x8;

use super::certificate::{BOUND_U, U};
use super::compensated::Compensated;
use crate::float::Float;

/// Lanes of the anchors' compensated direct sums.
const ANCHOR_LANES: usize = 8;

/// Values per sub-block: at most 2^12 additions per lane, which keeps the
/// second-order error of each lane's compensation small.
const SUB_BLOCK: usize = 1 << 15;

/// Distance between anchors on the sliding path: at least sixteen windows,
/// so the anchor's direct sum costs under a sixteenth of an add per
/// output.
pub(super) fn anchor_spacing(w: usize) -> usize {
    // Windows beyond 2^23 points get the spacing of that one: it keeps the
    // chunk arithmetic far from overflow (also on 32-bit targets), and such
    // windows already cover any realistic data.
    let window = w.min(1 << 22).saturating_mul(2).saturating_add(1);
    window.saturating_mul(16).next_power_of_two().max(4096)
}

/// `2w + 1` as `f64`: exact for any realistic `w`, and never overflows.
pub(super) fn window_len(w: usize) -> f64 {
    2.0 * w as f64 + 1.0
}

/// `data[i]` with `i` clamped to the data: the edge padding.
#[inline(always)]
pub(super) fn at<T: Float>(data: &[T], i: isize) -> f64 {
    let last = data.len() as isize - 1;
    data[i.clamp(0, last) as usize].to_f64()
}

/// A window sum computed directly.
#[derive(Clone, Copy, Debug)]
pub(super) struct Anchor {
    /// The sum, `hi + lo`.
    pub(super) sum: Compensated,
    /// A bound on `|sum.hi + sum.lo - S|`, `S` the exact window sum.
    pub(super) error: f64,
    /// The sum of the window's magnitudes, computed plainly.
    pub(super) abs: f64,
    /// A bound on `|abs - A|`, `A` the exact sum of magnitudes.
    pub(super) abs_error: f64,
}

/// The window sum at output `i`, summed directly with compensation (see the
/// module doc), with its error bound and the sum of magnitudes. NaN or
/// infinite values (or an overflow) make `sum` and the bounds non-finite.
///
/// Error bound (first-order terms, each rounding bounded by `u` times the
/// magnitude of its result): a lane of `m <= 2^12` Neumaier additions loses
/// only its compensation's roundings, `u |lo_k|` with `|lo_k| <= k u A_lane`,
/// so at most `(m^2 / 2) u^2 A_lane`; the eight lanes together at most
/// `2^23 u^2 A`. The scalar sum then takes `k = 16 b + r + 4` terms (`b`
/// sub-blocks, `r < 8` leftover values, two exact products of two parts)
/// whose magnitudes sum to at most `A (1 + 2^13 u)`, losing at most
/// `(k^2 / 2) u^2` times that. So `|hi + lo - S| <= (2^23 + k^2) u^2 A`,
/// and with `A <= abs + abs_error` that is what [`Anchor::error`] holds
/// (with 1% to spare for the roundings of the bound itself).
pub(super) fn anchor<T: Float>(data: &[T], w: usize, i: usize) -> Anchor {
    let (in_range, left_pad, right_pad) = window(data.len(), w, i);
    let values = &data[in_range];
    let mut sum = Compensated::<f64>::default();
    let mut abs = 0.0f64;
    let mut terms = 0usize;
    let mut sub_blocks = 0usize;
    for block in values.chunks(SUB_BLOCK) {
        // Eight compensated lanes (a scalar chain would wait on every add),
        // then the lanes and the tail into the scalar sum.
        let mut chunks = block.chunks_exact(ANCHOR_LANES);
        let mut lanes = Compensated::<f64x8>::default();
        let mut abs_lanes = f64x8::ZERO;
        for chunk in &mut chunks {
            let v = load8(chunk);
            lanes.add(v);
            abs_lanes += v.abs();
        }
        for (hi, lo) in lanes.hi.to_array().into_iter().zip(lanes.lo.to_array()) {
            sum.add(hi);
            sum.add(lo);
        }
        abs += abs_lanes.reduce_add();
        for &v in chunks.remainder() {
            sum.add(v.to_f64());
            abs += v.to_f64().abs();
        }
        terms += 2 * ANCHOR_LANES + chunks.remainder().len();
        sub_blocks += 1;
    }
    // The padded copies as exact products: `x * k` for a whole `k` is a
    // multiple of `x`'s last place, so its rounding error `fma(x, k, -p)` is
    // representable (unless `p` overflows).
    for (x, copies) in [
        (data[0].to_f64(), left_pad),
        (data[data.len() - 1].to_f64(), right_pad),
    ] {
        if copies > 0 {
            let k = copies as f64;
            let p = x * k;
            sum.add(p);
            sum.add(x.mul_add(k, -p));
            abs += x.abs() * k;
            terms += 2;
        }
    }
    // Each plain addition of `abs` errs by at most `u` times the running
    // total: a lane adds at most 2^12 values, and the folds add the lanes,
    // leftovers and copies.
    let abs_error = BOUND_U * (4096.0 + 16.0 + (sub_blocks + terms) as f64) * abs;
    let k = terms as f64;
    let error = BOUND_U * U * ((1u64 << 23) as f64 + k * k) * (abs + abs_error) * 1.01;
    Anchor {
        sum,
        error,
        abs,
        abs_error,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact sum of `xs` as an integer multiple of 2^-1074 (test-only
    /// big-integer accumulator, enough for the small values used here).
    fn exact(xs: &[f64]) -> f64 {
        // Values here are multiples of 2^-30 below 2^30: i128 holds them.
        let s: i128 = xs.iter().map(|&x| (x * (1u64 << 30) as f64) as i128).sum();
        s as f64 / (1u64 << 30) as f64
    }

    #[test]
    fn anchors_hold_their_bounds_and_the_padding() {
        let data: Vec<f64> = (0..70_000)
            .map(|i| {
                ((i * 7919 % 1000) as f64 - 500.0) * 0.25 + if i % 3 == 0 { 1e6 } else { -1e6 }
            })
            .collect();
        for (w, i) in [
            (3usize, 0usize),
            (40_000, 10),
            (500, 20_000),
            (5, 69_999),
            (100_000, 35_000),
        ] {
            let a = anchor(&data, w, i);
            let (range, l, r) = window(data.len(), w, i);
            let mut all: Vec<f64> = data[range].to_vec();
            all.extend(std::iter::repeat_n(data[0], l));
            all.extend(std::iter::repeat_n(data[data.len() - 1], r));
            let s = exact(&all);
            let abs: f64 = all.iter().map(|v| v.abs()).sum();
            let got = a.sum.hi + a.sum.lo;
            assert!(
                (got - s).abs() <= a.error.max(0.0) + s.abs() * U,
                "w={w} i={i}: {got} vs {s}"
            );
            assert!(
                (a.abs - abs).abs() <= a.abs_error + abs * 1e-12,
                "w={w} i={i}"
            );
            assert!(a.error < 1e-20 * abs, "w={w} i={i}: bound {}", a.error);
        }
    }
}
