//! The exact block arithmetic of the sliding path, for windows that cancel
//! (noise, walks around zero) and windows whose magnitude jumps (spikes,
//! steps): every window change split into a part that sums exactly and a
//! remainder too small to matter, so that the block's means err only by a
//! few roundings of the window sums themselves, however large the changes.
//!
//! ```text
//! M          the sum of the block's entering and leaving values' magnitudes
//! sigma      a power of two above 64 M
//! split      x = h + x', h = (sigma + x) - sigma, x' = x - h     (both exact)
//! changes    d = h_enter - h_leave (exact), d' = x'_enter - x'_leave
//! prefix     P_j, P'_j along each row as in the plain block; the rows' offsets
//! each row   c = (lo + offset') * (1/n)
//! each mean  a = hi + (offset + P_{j-1})
//!            mean = a * (1/n) + (P'_{j-1} * (1/n) + c)        (fused where possible)
//! check      E + u (7.1 |lo| + 1026 u sigma) <= 2.48 u F      (F: a lower bound on
//!            every window's sum of magnitudes in the block)
//! state      (hi, lo) += (total, total') with a two-sum;
//!            E += u (449 u sigma + |e + total'| + |lo|); the magnitudes slide too
//! ```
//!
//! Every `h` is a multiple of `u sigma` below `sigma / 32`, so every sum of
//! up to 64 of them is exact: the changes, their prefix sums, the rows'
//! offsets and the block's total carry no rounding at all. The remainders
//! are at most `u sigma` each, so their roundings are second order. What is
//! left is the rounding of `a`, of the multiplications by `1 / n` and of
//! the mean, each relative to the window's own sum: about `4 u` of its
//! magnitude, checked once per block against a lower bound on the windows'
//! magnitudes (`certificate.rs` derives the constants). The check fails
//! only when the running state's bound or the spread of the block's values
//! is large next to its windows' magnitudes (values about 10^10
//! times the windows'), or on values that are not finite.

use super::block::{prefix_sums, row_offsets, rows, sum_vectors, unrows};
use super::certificate::{BOUND_U, U, exact_block_error, exact_spread, lo_error, magnitude_error};
use super::compensated::{Compensated, two_sum};
use super::lanes::{Lanes, load_lanes};
use super::walk::{
    Arithmetic, BLOCK, BLOCK_ROWS, BLOCK_VECTORS, BlockVectors, Context, ROW_STEPS, Walk,
};
use crate::float::Float;

/// The exact block arithmetic.
pub(super) struct Exact;

/// What an exact block needs from its values, before the running sum and
/// the check: the splitting power of two and the sums of the entering and
/// the leaving values' magnitudes.
#[derive(Clone, Copy)]
pub(super) struct Scale {
    pub(super) sigma: f64,
    pub(super) entering: f64,
    pub(super) leaving: f64,
}

/// `2^e`, for `e` in the normal range.
const fn power_of_two(e: i32) -> f64 {
    f64::from_bits(((1023 + e) as u64) << 52)
}

/// The largest `sigma` the split takes, so that nothing overflows.
pub(super) const SIGMA_MAX: f64 = power_of_two(1000);

/// The smallest `sigma`, so that the split stays in the normal range.
const SIGMA_MIN: f64 = power_of_two(-1000);

/// The largest running sum an exact block starts from: adding changes of
/// at most `SIGMA_MAX` to it cannot overflow.
pub(super) const SUM_MAX: f64 = power_of_two(1019);

/// A power of two above 64 times `m` (and at least [`SIGMA_MIN`]): the
/// exponent of `m (1 + 2^-10)`, plus seven. The factor keeps `m` clear of
/// the next power of two, so that `64 (m + u sigma) <= sigma`. Not finite
/// when `m` is not.
#[inline(always)]
pub(super) fn splitter(m: f64) -> f64 {
    const EXPONENT: u64 = 0x7ff0_0000_0000_0000;
    let above = m * (1.0 + 1.0 / 1024.0);
    (f64::from_bits(above.to_bits() & EXPONENT) * 128.0).max(SIGMA_MIN)
}

impl Arithmetic for Exact {
    type Ahead = Scale;

    #[inline(always)]
    fn ahead<V: Float>(enter: &[V; BLOCK], leave: &[V; BLOCK]) -> Scale {
        let magnitudes = |v: &[V; BLOCK]| lanes_sum(sum_vectors(load_block(v).map(|v| v.abs())));
        let (entering, leaving) = (magnitudes(enter), magnitudes(leave));
        Scale {
            // Every magnitude is at most the sums of magnitudes (rounding
            // is monotone). NaN or infinities make them fail the check.
            sigma: splitter(entering + leaving),
            entering,
            leaving,
        }
    }

    #[inline(always)]
    fn means<T, V: Float>(
        walk: &mut Walk,
        ctx: &Context<T>,
        scale: &Scale,
        enter: &[V; BLOCK],
        leave: &[V; BLOCK],
    ) -> Option<BlockVectors> {
        if !certified(ctx.budget.exact, walk, scale) {
            return None;
        }
        let (prefix_hi, prefix_lo) = split_prefix_sums(scale.sigma, enter, leave);
        let (offsets_hi, total_hi) = row_offsets(prefix_hi[ROW_STEPS - 1]);
        let (offsets_lo, total_lo) = row_offsets(prefix_lo[ROW_STEPS - 1]);
        let hi = Lanes::splat(walk.sum.hi);
        let inv = ctx.inv_window;
        // Each row's share of the compensation and the remainders, over n.
        let base_lo = (Lanes::splat(walk.sum.lo) + offsets_lo) * inv;
        let mut means = [(hi + offsets_hi).mul_add(inv, base_lo); ROW_STEPS];
        for (j, m) in means.iter_mut().enumerate().skip(1) {
            let lo = prefix_lo[j - 1].mul_add(inv, base_lo);
            *m = (hi + (offsets_hi + prefix_hi[j - 1])).mul_add(inv, lo);
        }
        let (sum_hi, e) = two_sum(walk.sum.hi, total_hi);
        let carry = e + total_lo;
        let sum_lo = walk.sum.lo + carry;
        walk.error += exact_block_error(scale.sigma, carry, sum_lo);
        // Renormalised (exactly), so that `lo` stays within `u |hi|`: after
        // the sum cancels, the compensation of a larger one would weigh on
        // the check.
        let (hi, lo) = two_sum(sum_hi, sum_lo);
        walk.sum = Compensated { hi, lo };
        walk.fresh = false;
        let grown = walk.abs + scale.entering;
        walk.abs = grown - scale.leaving;
        walk.abs_error += magnitude_error(grown, walk.abs, scale.entering, scale.leaving);
        // Sums well clear of the values coming and going: the plain
        // arithmetic will pass from here, once per segment.
        let changes = scale.entering + scale.leaving;
        if walk.may_turn_plain && hi.abs() >= 10.0 * changes + (0.31 / U) * walk.error {
            walk.exact = false;
            walk.may_turn_plain = false;
            walk.error += lo_error(lo);
        }
        Some(unrows(means))
    }
}

/// A block's values, in order, [`BLOCK_ROWS`] to a vector.
#[inline(always)]
fn load_block<V: Float>(v: &[V; BLOCK]) -> BlockVectors {
    std::array::from_fn(|k| load_lanes(&v[k * BLOCK_ROWS..]))
}

/// The sum of a vector's lanes, in two rounds.
#[inline(always)]
fn lanes_sum(v: Lanes) -> f64 {
    let [a, b, c, d] = v.to_array();
    (a + b) + (c + d)
}

/// The block's changes split at `sigma` into exact parts and remainders,
/// and each part's prefix sums along the rows (lane `r` for row `r`).
#[inline(always)]
fn split_prefix_sums<V: Float>(
    sigma: f64,
    enter: &[V; BLOCK],
    leave: &[V; BLOCK],
) -> ([Lanes; ROW_STEPS], [Lanes; ROW_STEPS]) {
    let s = Lanes::splat(sigma);
    let (enter, leave) = (load_block(enter), load_block(leave));
    let mut hi = [Lanes::ZERO; BLOCK_VECTORS];
    let mut lo = [Lanes::ZERO; BLOCK_VECTORS];
    for k in 0..BLOCK_VECTORS {
        let enter_hi = (s + enter[k]) - s;
        let leave_hi = (s + leave[k]) - s;
        hi[k] = enter_hi - leave_hi;
        lo[k] = (enter[k] - enter_hi) - (leave[k] - leave_hi);
    }
    (prefix_sums(rows(hi)), prefix_sums(rows(lo)))
}

/// The accuracy check of `certificate.rs` for an exact block, against the
/// walk's error bounds; `room` is the budget's coefficient for exact
/// blocks.
#[inline(always)]
fn certified(room: f64, walk: &Walk, p: &Scale) -> bool {
    // Every window of the block holds at least the tracked magnitude less
    // the leaving values' (and less the tracked magnitude's error).
    let floor = walk.abs - p.leaving * (1.0 + 40.0 * BOUND_U) - walk.abs_error;
    // `sigma` is not finite where the magnitudes' sums are not.
    let in_range = p.sigma <= SIGMA_MAX && walk.sum.hi.abs() <= SUM_MAX && floor <= f64::MAX;
    in_range && walk.error + exact_spread(p.sigma, walk.sum.lo) <= room * floor
}
