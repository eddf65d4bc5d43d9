//! The sliding path's definition in scalars, and the tests that hold the
//! vector code to it bit for bit on data that takes every path (plain
//! blocks, re-anchors, exact blocks, the careful path, NaN).

use super::anchor::{Anchor, anchor, anchor_spacing, at, window_len};
use super::block::prefix_sums;
use super::careful::Careful;
use super::certificate::{
    BOUND_U, Budget, U, block_error, exact_block_error, exact_spread, lo_error, magnitude_error,
};
use super::compensated::{Compensated, two_sum};
use super::exact::{SIGMA_MAX, SUM_MAX, splitter};
use super::lanes::Lanes;
use super::rolling_mean;
use super::walk::{BLOCK, BLOCK_ROWS, BLOCK_VECTORS, ROW_STEPS};
use crate::float::Float;

/// The scalar model's running state: as `walk.rs`'s.
struct ModelWalk {
    sum: Compensated,
    error: f64,
    fresh: bool,
    exact: bool,
    may_turn_plain: bool,
    abs: f64,
    abs_error: f64,
    anchored_at: usize,
    careful: Option<(usize, Careful)>,
}

impl ModelWalk {
    fn set(&mut self, a: &Anchor) {
        (self.sum, self.error, self.fresh) = (a.sum, a.error + lo_error(a.sum.lo), true);
        (self.abs, self.abs_error) = (a.abs, a.abs_error);
    }

    fn re_anchor<T: Float>(&mut self, data: &[T], w: usize, i: usize) {
        self.set(&anchor(data, w, i));
        self.anchored_at = i;
    }
}

/// The sum of the magnitudes of a block's values as the vectors take it:
/// vectors of four, summed across vectors in three rounds, then across
/// lanes.
fn model_magnitude_sum(v: &[f64; BLOCK]) -> f64 {
    let lane = |l: usize| {
        let m: [f64; BLOCK_VECTORS] = std::array::from_fn(|k| v[k * BLOCK_ROWS + l].abs());
        ((m[0] + m[1]) + (m[2] + m[3])) + ((m[4] + m[5]) + (m[6] + m[7]))
    };
    (lane(0) + lane(1)) + (lane(2) + lane(3))
}

/// Each row's offset and the block's total from the rows' totals, added
/// in order.
fn model_offsets(totals: [f64; BLOCK_ROWS]) -> ([f64; BLOCK_ROWS], f64) {
    let mut offset = [0.0f64; BLOCK_ROWS];
    offset[1] = totals[0];
    for r in 2..BLOCK_ROWS {
        offset[r] = offset[r - 1] + totals[r - 1];
    }
    (offset, offset[BLOCK_ROWS - 1] + totals[BLOCK_ROWS - 1])
}

/// Each row's prefix sums (`[r][j]`: its first `j + 1` values), in
/// Sklansky's order, of the block's steps `f(t)`.
fn model_rows(f: impl Fn(usize) -> f64) -> [[f64; ROW_STEPS]; BLOCK_ROWS] {
    std::array::from_fn(|r| prefix_sums(std::array::from_fn(|j| f(r * ROW_STEPS + j))))
}

/// How many blocks took each path, in the scalar model.
#[derive(Default, Debug)]
struct Paths {
    plain: usize,
    plain_re_anchored: usize,
    exact: usize,
    exact_re_anchored: usize,
    turned_plain: usize,
    careful: usize,
}

/// `a * b + c` exactly as the lanes compute it: fused where the target has
/// FMA, else a multiply and an add.
fn fused_like_lanes(a: f64, b: f64, c: f64) -> f64 {
    Lanes::splat(a)
        .mul_add(Lanes::splat(b), Lanes::splat(c))
        .to_array()[0]
}

/// The sliding path's definition in scalars: every segment starts from its
/// anchor; each block of [`BLOCK`] steps is [`BLOCK_ROWS`] rows of
/// [`ROW_STEPS`] (steps past the segment's end change nothing).
///
/// - Plain: the changes `enter - leave` summed along each row in
///   Sklansky's order; the rows' totals, in order, give each row's offset
///   and the block's total, added with Knuth's two-sum. A row starts from
///   `hi + (lo + offset)`; the block passes if every row sum is large next
///   to the block's change magnitudes and the state's bound.
/// - Exact: each value split at a power of two above 64 times the block's
///   largest magnitude into an exact part and a remainder; both parts'
///   changes summed as the plain ones; each mean from `hi + (offset +
///   prefix)` and `(lo + offset') + prefix'`; the block passes if the
///   state's bound and the split's spread are small next to the tracked
///   sum of magnitudes less the leaving values'.
/// - A block that fails: as `rescue.rs` (a fresh anchor, the walk turning
///   exact, or the careful path).
fn scalar_model<T: Float>(data: &[T], w: usize, paths: &mut Paths) -> Vec<T> {
    let n = data.len();
    let spacing = anchor_spacing(w);
    let inv = 1.0 / window_len(w);
    let budget = Budget::for_bytes(T::BYTES);
    let wi = w.min(n) as isize;
    let mut out = vec![T::from_f64(0.0); n];
    for begin in (0..n).step_by(spacing) {
        let mut walk = ModelWalk {
            sum: Compensated::default(),
            error: 0.0,
            fresh: true,
            exact: false,
            may_turn_plain: true,
            abs: 0.0,
            abs_error: 0.0,
            anchored_at: begin,
            careful: None,
        };
        walk.set(&anchor(data, w, begin));
        let end = (begin + spacing).min(n);
        for block in (begin..end).step_by(BLOCK) {
            let len = BLOCK.min(end - block);
            let mut enter = [0.0f64; BLOCK];
            let mut leave = [0.0f64; BLOCK];
            for t in 0..len {
                let i = (block + t) as isize;
                enter[t] = at(data, i + wi + 1);
                leave[t] = at(data, i - wi);
            }
            let outs = &mut out[block..block + len];

            // The plain arithmetic.
            let change = |t: usize| enter[t] - leave[t];
            let partial = model_rows(change);
            let magnitude: [f64; BLOCK_ROWS] = std::array::from_fn(|r| {
                let m: [f64; ROW_STEPS] = std::array::from_fn(|j| change(r * ROW_STEPS + j).abs());
                ((m[0] + m[1]) + (m[2] + m[3])) + ((m[4] + m[5]) + (m[6] + m[7]))
            });
            let d = (magnitude[0] + magnitude[1]) + (magnitude[2] + magnitude[3]);
            let (offset, total) = model_offsets(std::array::from_fn(|r| partial[r][7]));
            let row_sums = |walk: &ModelWalk| -> [f64; BLOCK_ROWS] {
                std::array::from_fn(|r| walk.sum.hi + (walk.sum.lo + offset[r]))
            };
            let plain_passes = |walk: &ModelWalk, error: f64| {
                let need = budget.fast_need(d, error);
                row_sums(walk)
                    .iter()
                    .all(|b| b.abs() >= need && b.abs() <= f64::MAX)
            };
            let plain = |walk: &mut ModelWalk, outs: &mut [T]| -> bool {
                if !plain_passes(walk, walk.error) {
                    return false;
                }
                let rb = row_sums(walk);
                for (t, o) in outs.iter_mut().enumerate() {
                    let (r, j) = (t / ROW_STEPS, t % ROW_STEPS);
                    let scaled = rb[r] / window_len(w);
                    let mean = if j == 0 {
                        scaled
                    } else {
                        fused_like_lanes(partial[r][j - 1], inv, scaled)
                    };
                    *o = T::from_f64(mean);
                }
                let (hi, e) = two_sum(walk.sum.hi, total);
                let lo = walk.sum.lo + e;
                walk.sum = Compensated { hi, lo };
                walk.error += block_error(d, lo);
                walk.fresh = false;
                true
            };

            // The exact arithmetic.
            let (entering, leaving) = (model_magnitude_sum(&enter), model_magnitude_sum(&leave));
            let sigma = splitter(entering + leaving);
            let split = |x: f64| {
                let h = (sigma + x) - sigma;
                (h, x - h)
            };
            let split_change = |t: usize| {
                let ((eh, el), (lh, ll)) = (split(enter[t]), split(leave[t]));
                (eh - lh, el - ll)
            };
            let exact_hi = model_rows(|t| split_change(t).0);
            let exact_lo = model_rows(|t| split_change(t).1);
            let (offset_hi, total_hi) = model_offsets(std::array::from_fn(|r| exact_hi[r][7]));
            let (offset_lo, total_lo) = model_offsets(std::array::from_fn(|r| exact_lo[r][7]));
            let exact_passes = |walk: &ModelWalk| {
                let floor = walk.abs - leaving * (1.0 + 40.0 * BOUND_U) - walk.abs_error;
                sigma <= SIGMA_MAX
                    && walk.sum.hi.abs() <= SUM_MAX
                    && floor <= f64::MAX
                    && walk.error + exact_spread(sigma, walk.sum.lo) <= budget.exact * floor
            };
            let exact = |walk: &mut ModelWalk, outs: &mut [T]| -> bool {
                if !exact_passes(walk) {
                    return false;
                }
                for (t, o) in outs.iter_mut().enumerate() {
                    let (r, j) = (t / ROW_STEPS, t % ROW_STEPS);
                    let c = (walk.sum.lo + offset_lo[r]) * inv;
                    let (a, b) = if j == 0 {
                        (walk.sum.hi + offset_hi[r], c)
                    } else {
                        let ph = offset_hi[r] + exact_hi[r][j - 1];
                        let b = fused_like_lanes(exact_lo[r][j - 1], inv, c);
                        (walk.sum.hi + ph, b)
                    };
                    *o = T::from_f64(fused_like_lanes(a, inv, b));
                }
                let (hi, e) = two_sum(walk.sum.hi, total_hi);
                let carry = e + total_lo;
                let lo = walk.sum.lo + carry;
                walk.error += exact_block_error(sigma, carry, lo);
                let (hi, lo) = two_sum(hi, lo);
                walk.sum = Compensated { hi, lo };
                walk.fresh = false;
                let grown = walk.abs + entering;
                walk.abs = grown - leaving;
                walk.abs_error += magnitude_error(grown, walk.abs, entering, leaving);
                let changes = entering + leaving;
                if walk.may_turn_plain && hi.abs() >= 10.0 * changes + (0.31 / U) * walk.error {
                    walk.exact = false;
                    walk.may_turn_plain = false;
                    walk.error += lo_error(lo);
                }
                true
            };

            // The block, and what happens when it fails.
            let was_exact = walk.exact;
            if was_exact && exact(&mut walk, outs) {
                paths.exact += 1;
                paths.turned_plain += usize::from(!walk.exact);
                continue;
            }
            if !was_exact && plain(&mut walk, outs) {
                paths.plain += 1;
                continue;
            }
            let due = !walk.fresh && block - walk.anchored_at > 2 * w;
            if !walk.exact {
                if due && plain_passes(&walk, 0.0) {
                    walk.re_anchor(data, w, block);
                    if plain(&mut walk, outs) {
                        paths.plain_re_anchored += 1;
                        continue;
                    }
                } else if !walk.fresh {
                    walk.re_anchor(data, w, block);
                }
                walk.exact = true;
                if exact(&mut walk, outs) {
                    paths.exact += 1;
                    continue;
                }
            } else if due {
                walk.re_anchor(data, w, block);
                if exact(&mut walk, outs) {
                    paths.exact_re_anchored += 1;
                    continue;
                }
            }
            paths.careful += 1;
            let mut careful = match walk.careful.take() {
                Some((at, c)) if at == block => c,
                _ => {
                    let state = Anchor {
                        sum: walk.sum,
                        error: walk.error,
                        abs: walk.abs,
                        abs_error: walk.abs_error,
                    };
                    Careful::from_anchor_at(state, data, w, block)
                }
            };
            careful.run(data, w, block, outs, &budget);
            walk.set(&careful.finite_state().unwrap_or(NAN_ANCHOR));
            walk.careful = Some((block + len, careful));
        }
    }
    out
}

/// The state the sliding path takes while the careful path's window holds
/// NaN or infinities.
const NAN_ANCHOR: Anchor = Anchor {
    sum: Compensated {
        hi: f64::NAN,
        lo: 0.0,
    },
    error: f64::INFINITY,
    abs: f64::NAN,
    abs_error: f64::INFINITY,
};

fn check_against_model<T: Float>(data: &[T], w: usize, paths: &mut Paths) {
    let n = data.len();
    let mut got = vec![T::from_f64(0.0); n];
    rolling_mean(data, w, &mut got).unwrap();
    let want = scalar_model(data, w, paths);
    for (i, (g, m)) in got.iter().zip(&want).enumerate() {
        assert!(
            g.to_bits_u64() == m.to_bits_u64() || (g.is_nan() && m.is_nan()),
            "n={n} w={w} i={i}: {g} vs {m}"
        );
    }
}

fn rough<T: Float>(n: usize) -> Vec<T> {
    (0..n)
        .map(|i| {
            let i = i as f64;
            T::from_f64((i * 0.61).sin() * 1e3 + (i * 0.013).cos() * 1e-3 + i * 1e-2)
        })
        .collect()
}

/// Rough data with spikes, steps of magnitude, zeros, stretches of noise
/// and a NaN: every way out of the plain arithmetic.
fn hostile<T: Float>(n: usize) -> Vec<T> {
    (0..n)
        .map(|i| {
            let base = ((i * 7919) % 1000) as f64 * 0.01 - 5.0;
            let v = match i % 1500 {
                7 => 1e12,
                50 => -1e200,
                300..=420 => base * 1e-9,
                600..=700 => 0.0,
                900..=1000 => base * 1e8,
                1200 if i > 5000 && i < 7000 => f64::NAN,
                1100..=1300 => base,
                _ => base + 20.0,
            };
            T::from_f64(v)
        })
        .collect()
}

#[test]
fn rough_data_matches_the_scalar_model_bitwise() {
    // Long enough for interior blocks (contiguous loads) in several
    // segments, with edge blocks at both ends of the data and ragged last
    // blocks (clamped loads), on rough data with large and small values
    // (an oscillation on a slow ramp: windows that cancel early on, and do
    // not later); then short data, where every block is an edge block, and
    // windows wider than the data.
    let cases = [
        (40_000usize, 32usize),
        (150_001, 45),
        (300_000, 500),
        (4_097, 32),
        (17, 40),
        (1_000, 600),
        (33, 40),
    ];
    let mut paths = Paths::default();
    for &(n, w) in &cases {
        check_against_model::<f64>(&rough(n), w, &mut paths);
        check_against_model::<f32>(&rough(n), w, &mut paths);
    }
    let Paths {
        plain,
        plain_re_anchored,
        exact,
        turned_plain,
        ..
    } = paths;
    assert!(
        [plain, plain_re_anchored, exact, turned_plain]
            .iter()
            .all(|&p| p > 0),
        "{paths:?}"
    );
}

#[test]
fn every_fallback_matches_the_scalar_model_bitwise() {
    let mut paths = Paths::default();
    for &(n, w) in &[
        (20_000usize, 32usize),
        (20_000, 33),
        (30_000, 100),
        (9_000, 700),
    ] {
        check_against_model::<f64>(&hostile(n), w, &mut paths);
        check_against_model::<f32>(&hostile(n), w, &mut paths);
    }
    // Values around zero turn the walk exact, values far from zero turn
    // it plain again, and the spikes and steps of magnitude need fresh
    // anchors and the careful path.
    let Paths {
        plain,
        exact,
        exact_re_anchored,
        turned_plain,
        careful,
        ..
    } = paths;
    assert!(
        [plain, exact, exact_re_anchored, turned_plain, careful]
            .iter()
            .all(|&p| p > 0),
        "{paths:?}"
    );
}
