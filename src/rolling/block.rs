//! The plain block arithmetic of the sliding path, for data whose window
//! sums are large next to their changes (walks, offsets, smooth signals):
//! one rounding per change and prefix sum, and a check that the block's
//! means still meet the accuracy guarantee (`certificate.rs`).
//!
//! ```text
//! changes    d = enter - leave, transposed (4x4) so that lane r follows row r
//! prefix     P_j = d_0 + ... + d_j along each row, three rounds of adds
//! offsets    the rows' totals, summed in order: each row's offset, the block's total
//! each row   rb = hi + (lo + offset); mean_j = P_{j-1} * (1/n) + rb / n
//! check      |rb| >= 4 D + 0.3 E / u on every row (D = sum |d|, E the state's bound)
//! state      (hi, lo) += total with a two-sum; E += 7.1 u D + 2.02 u |lo|
//! ```
//!
//! Only the block's total enters the compensated running sum: one two-sum
//! per [`BLOCK`] outputs. The means are fused where the target has FMA, and
//! one division per row keeps `1 / n`'s rounding off the (large) row sums.

use super::certificate::{Budget, block_error};
use super::compensated::{Compensated, two_sum};
use super::lanes::{Lanes, load_lanes, transpose_lanes};
use super::walk::{
    Arithmetic, BLOCK, BLOCK_ROWS, BLOCK_VECTORS, BlockVectors, Context, ROW_STEPS, ROW_VECTORS,
    Walk,
};
use crate::float::Float;

/// The plain block arithmetic.
pub(super) struct Plain;

/// What a plain block needs from its window changes, before the running
/// sum: each row's prefix sums (`prefix[j]`: its first `j + 1` changes,
/// lane `r` for row `r`) and the sum of the changes' magnitudes.
#[derive(Clone, Copy)]
pub(super) struct Partials {
    pub(super) prefix: [Lanes; ROW_STEPS],
    pub(super) magnitude: f64,
}

impl Arithmetic for Plain {
    type Ahead = Partials;

    #[inline(always)]
    fn ahead<V: Float>(enter: &[V; BLOCK], leave: &[V; BLOCK]) -> Partials {
        let load = |v: &[V; BLOCK], k: usize| load_lanes(&v[k * BLOCK_ROWS..]);
        let steps = rows(std::array::from_fn(|k| load(enter, k) - load(leave, k)));
        let m = steps.map(|s| s.abs());
        let [m0, m1, m2, m3] = sum_vectors(m).to_array();
        Partials {
            prefix: prefix_sums(steps),
            magnitude: (m0 + m1) + (m2 + m3),
        }
    }

    #[inline(always)]
    fn means<T, V: Float>(
        walk: &mut Walk,
        ctx: &Context<T>,
        p: &Partials,
        _: &[V; BLOCK],
        _: &[V; BLOCK],
    ) -> Option<BlockVectors> {
        let (rb, total) = row_bases(walk.sum, p);
        if !certified(&ctx.budget, p, rb, walk.error) {
            return None;
        }
        let (hi, e) = two_sum(walk.sum.hi, total);
        let lo = walk.sum.lo + e;
        walk.sum = Compensated { hi, lo };
        walk.error += block_error(p.magnitude, lo);
        walk.fresh = false;
        let scaled = rb / ctx.window;
        let mut means = [scaled; ROW_STEPS];
        for (m, partial) in means[1..].iter_mut().zip(&p.prefix) {
            *m = partial.mul_add(ctx.inv_window, scaled);
        }
        Some(unrows(means))
    }
}

/// A block's steps, in order and [`BLOCK_ROWS`] to a vector, transposed so
/// that lane `r` follows row `r`: `out[j]` lane `r` is step `r * ROW_STEPS
/// + j`. Row `r` is vectors `r * ROW_VECTORS ..` of the input.
#[inline(always)]
pub(super) fn rows(block: BlockVectors) -> [Lanes; ROW_STEPS] {
    let mut steps = [Lanes::ZERO; ROW_STEPS];
    for v in 0..ROW_VECTORS {
        let group = std::array::from_fn(|r| block[r * ROW_VECTORS + v]);
        steps[v * BLOCK_ROWS..][..BLOCK_ROWS].copy_from_slice(&transpose_lanes(group));
    }
    steps
}

/// [`rows`] undone: the block's results back in order.
#[inline(always)]
pub(super) fn unrows(steps: [Lanes; ROW_STEPS]) -> BlockVectors {
    let mut out = [Lanes::ZERO; BLOCK_VECTORS];
    for v in 0..ROW_VECTORS {
        let group = transpose_lanes(std::array::from_fn(|j| steps[v * BLOCK_ROWS + j]));
        for (r, means) in group.into_iter().enumerate() {
            out[r * ROW_VECTORS + v] = means;
        }
    }
    out
}

/// The sum of eight vectors in three rounds.
#[inline(always)]
pub(super) fn sum_vectors(m: [Lanes; 8]) -> Lanes {
    ((m[0] + m[1]) + (m[2] + m[3])) + ((m[4] + m[5]) + (m[6] + m[7]))
}

/// The sums at the start of each row, `hi + (lo + offset)`, and the
/// block's total.
#[inline(always)]
pub(super) fn row_bases(sum: Compensated, p: &Partials) -> (Lanes, f64) {
    let (offsets, total) = row_offsets(p.prefix[ROW_STEPS - 1]);
    let offsets = Lanes::splat(sum.lo) + offsets;
    (Lanes::splat(sum.hi) + offsets, total)
}

/// Each row's offset (the totals of the rows before it, added in order)
/// and the block's total, from the rows' totals.
#[inline(always)]
pub(super) fn row_offsets(totals: Lanes) -> (Lanes, f64) {
    let [t0, t1, t2, t3] = totals.to_array();
    let before_row2 = t0 + t1;
    let before_row3 = before_row2 + t2;
    let total = before_row3 + t3;
    (Lanes::from([0.0, t0, before_row2, before_row3]), total)
}

/// The accuracy check of `certificate.rs` for a plain block whose rows
/// start from `rb`, against the walk's error bound `error` (with
/// `error = 0` it tells whether a fresh anchor could pass): every row sum
/// large next to the block's changes and the bound.
#[inline(always)]
pub(super) fn certified(b: &Budget, p: &Partials, rb: Lanes, error: f64) -> bool {
    let rb = rb.abs();
    let finite = rb.simd_le(Lanes::splat(f64::MAX));
    (rb.simd_ge(Lanes::splat(b.fast_need(p.magnitude, error))) & finite).all()
}

/// Inclusive prefix sums of eight values in three rounds of adds
/// (Sklansky's order): a sequential sum would put seven dependent adds on
/// each block's critical path, and the blocks in flight are limited by the
/// out-of-order window. Every value passes through at most three adds.
#[inline(always)]
pub(super) fn prefix_sums<V: Copy + std::ops::Add<Output = V>>(
    s: [V; ROW_STEPS],
) -> [V; ROW_STEPS] {
    // Pairs.
    let p01 = s[0] + s[1];
    let p23 = s[2] + s[3];
    let p45 = s[4] + s[5];
    let p67 = s[6] + s[7];
    // Quads, and the prefixes inside each half.
    let p02 = p01 + s[2];
    let p03 = p01 + p23;
    let p46 = p45 + s[6];
    let p47 = p45 + p67;
    // The second half on top of the first.
    [
        s[0],
        p01,
        p02,
        p03,
        p03 + s[4],
        p03 + p45,
        p03 + p46,
        p03 + p47,
    ]
}
