//! The sliding path: one segment at a time from its anchor, in blocks of
//! [`BLOCK`] outputs; the block algebra and the loops over interior and
//! edge blocks. The scalar model in the tests defines the arithmetic bit
//! for bit.
//!
//! - A block is [`BLOCK_ROWS`] rows of [`ROW_STEPS`] steps. Its window
//!   changes are loaded as contiguous vectors and transposed in registers
//!   (4x4) so that lane `r` follows row `r`: one vector add per step then
//!   gives every row's partial sums at once.
//! - The rows' totals, summed in order, give each row's offset and the
//!   block's total. Only that total enters the compensated running sum:
//!   one compensated addition per [`BLOCK`] steps. Each mean is
//!   `partial * inv + (base + offset) * inv`, fused where the target has
//!   FMA, and a second transpose turns the means back for contiguous
//!   stores.
//! - The running sum's dependency chain is one add per block, so one
//!   segment at a time keeps the core busy. What limits the loop is how
//!   many blocks the out-of-order window holds, so the prefix sums take
//!   three rounds of adds, and each block's loads and prefix sums are
//!   issued one block ahead of its means (software pipelining). Cost
//!   barely grows with `w`: each value is read twice, `2w + 1` points
//!   apart, and both streams are sequential (perf-notes.md, "Rolling
//!   mean").

use super::anchor::{anchor, anchor_spacing, at};
use super::compensated::Compensated;
use super::lanes::{LANES, Lanes, load_lanes, store_lanes, transpose_lanes};
use crate::float::Float;

/// Rows of a block: the lanes of [`Lanes`].
const BLOCK_ROWS: usize = LANES;

/// Consecutive steps per row of a block: two vectors.
const ROW_STEPS: usize = 8;

/// Vectors per row of a block.
const ROW_VECTORS: usize = ROW_STEPS / BLOCK_ROWS;

/// Vectors per block.
const BLOCK_VECTORS: usize = BLOCK_ROWS * ROW_VECTORS;

/// Consecutive outputs per step of the sliding path: four rows of eight,
/// held in eight registers (see [`advance`]).
pub(super) const BLOCK: usize = BLOCK_ROWS * ROW_STEPS;

/// Sliding path for `out = means[start .. start + out.len()]`; `start` is a
/// multiple of the anchor spacing. Returns false when a NaN or an infinity
/// reached a running sum: the chunk must then be recomputed.
///
/// One segment at a time, from its anchor, in blocks of [`BLOCK`]
/// consecutive outputs ([`advance`]). Blocks whose windows stay inside the
/// data load their window changes as contiguous vectors; the others (at the
/// ends of the data, and a short last block) use clamped scalar loads and
/// the same arithmetic, so the path taken never changes a result.
pub(super) fn sliding_chunk<T: Float>(
    data: &[T],
    w: usize,
    inv_window: f64,
    start: usize,
    out: &mut [T],
) -> bool {
    let spacing = anchor_spacing(w);
    let n = data.len();
    // How far the window changes reach into the data. Clamped indices make
    // every half-width from `n` up read the same values, and `reach` keeps
    // the index arithmetic below from overflowing for absurd ones. (The
    // anchors and the divisor still use the true `w`.)
    let reach = w.min(n);
    let mut finite = true;
    for (s, segment) in out.chunks_mut(spacing).enumerate() {
        let first = start + s * spacing;
        let mut state = anchor(data, w, first);
        // Blocks [lo, hi) of this segment read only inside the data: their
        // first output is at least `reach`, and their last output plus
        // `reach + 1` is below `n`.
        let blocks = segment.len() / BLOCK;
        let lo = reach.saturating_sub(first).div_ceil(BLOCK).min(blocks);
        let hi = (n.saturating_sub(first + reach + 1) / BLOCK).clamp(lo, blocks);
        let (head, rest) = segment.split_at_mut(lo * BLOCK);
        let (body, tail) = rest.split_at_mut((hi - lo) * BLOCK);
        edge_blocks(data, reach, inv_window, first, head, &mut state);
        interior_blocks(
            data,
            reach,
            inv_window,
            first + lo * BLOCK,
            body,
            &mut state,
        );
        edge_blocks(
            data,
            reach,
            inv_window,
            first + hi * BLOCK,
            tail,
            &mut state,
        );
        // A NaN or infinity that reached the running sum never leaves it,
        // so the final sum tells whether every output of the segment is
        // sound.
        finite &= state.value().is_finite();
    }
    finite
}

/// [`BLOCK`] steps of the running sum `state`. `block` holds the window
/// changes of the steps in order, [`BLOCK_ROWS`] to a vector, so row `r`
/// (steps `r * ROW_STEPS ..`) is vectors `r * ROW_VECTORS ..`; returns the
/// window mean before each step, in the same layout.
///
/// Each group of four vectors (one from every row) is transposed so that
/// lane `r` follows row `r`: adds across steps then give every row's
/// partial sums at once. The rows' totals, summed in order, give each row's
/// offset in the block and the block's total, which alone enters the
/// compensated state. Each mean is `partial * inv + (base + offset) * inv`,
/// with `base` the compensated state rounded once: one compensated addition
/// per [`BLOCK`] steps, and per output a few roundings of partial sums of
/// at most [`BLOCK`] changes.
#[inline(always)]
fn advance(
    state: &mut Compensated,
    inv_window: Lanes,
    block: [Lanes; BLOCK_VECTORS],
) -> [Lanes; BLOCK_VECTORS] {
    block_means(state, inv_window, block_partials(block))
}

/// The first half of [`advance`], which does not need the running sum: the
/// changes transposed so that lane `r` follows row `r`, and their prefix
/// sums along each row (`partial[j]`: the first `j + 1` changes).
#[inline(always)]
fn block_partials(block: [Lanes; BLOCK_VECTORS]) -> [Lanes; ROW_STEPS] {
    let mut steps = [Lanes::ZERO; ROW_STEPS];
    for v in 0..ROW_VECTORS {
        let group = std::array::from_fn(|r| block[r * ROW_VECTORS + v]);
        steps[v * BLOCK_ROWS..][..BLOCK_ROWS].copy_from_slice(&transpose_lanes(group));
    }
    prefix_sums(steps)
}

/// The second half of [`advance`]: the rows' offsets and the block's total,
/// the running sum's update, and the means, transposed back to the block's
/// layout.
#[inline(always)]
fn block_means(
    state: &mut Compensated,
    inv_window: Lanes,
    partial: [Lanes; ROW_STEPS],
) -> [Lanes; BLOCK_VECTORS] {
    let [t0, t1, t2, t3] = partial[ROW_STEPS - 1].to_array();
    let before_row2 = t0 + t1;
    let before_row3 = before_row2 + t2;
    let total = before_row3 + t3;
    let row_base = Lanes::splat(state.value()) + Lanes::from([0.0, t0, before_row2, before_row3]);
    state.add_two_sum(total);
    // The means as `partial * inv + row_base * inv`, one fused step each
    // where the target has FMA: an add per output fewer than
    // `(row_base + partial) * inv`, with as many roundings.
    let scaled_base = row_base * inv_window;
    let mut means = [scaled_base; ROW_STEPS];
    for j in 1..ROW_STEPS {
        means[j] = partial[j - 1].mul_add(inv_window, scaled_base);
    }
    let mut out = [Lanes::ZERO; BLOCK_VECTORS];
    for v in 0..ROW_VECTORS {
        let group = transpose_lanes(std::array::from_fn(|j| means[v * BLOCK_ROWS + j]));
        for (r, means) in group.into_iter().enumerate() {
            out[r * ROW_VECTORS + v] = means;
        }
    }
    out
}

/// Inclusive prefix sums of eight values in three rounds of adds
/// (Sklansky's order): a sequential sum would put seven dependent adds on
/// each block's critical path, and the blocks in flight are limited by the
/// out-of-order window.
#[inline(always)]
fn prefix_sums<V: Copy + std::ops::Add<Output = V>>(s: [V; ROW_STEPS]) -> [V; ROW_STEPS] {
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

/// Blocks of `out` (a multiple of [`BLOCK`] long, first output `first`)
/// whose windows never reach past either end of the data: contiguous
/// vector loads and stores, slices checked once, no branches in the loop.
fn interior_blocks<T: Float>(
    data: &[T],
    reach: usize,
    inv_window: f64,
    first: usize,
    out: &mut [T],
    state: &mut Compensated,
) {
    if out.is_empty() {
        return;
    }
    let inv = Lanes::splat(inv_window);
    let len = out.len();
    let (enter, _) = data[first + reach + 1..][..len].as_chunks::<BLOCK>();
    let (leave, _) = data[first - reach..][..len].as_chunks::<BLOCK>();
    let (outs, _) = out.as_chunks_mut::<BLOCK>();
    let partials = |enter: &[T; BLOCK], leave: &[T; BLOCK]| {
        block_partials(std::array::from_fn(|k| {
            let at = k * BLOCK_ROWS;
            load_lanes(&enter[at..]) - load_lanes(&leave[at..])
        }))
    };
    // Software-pipelined: the next block's loads and prefix sums come
    // before this block's means in program order, so that the out-of-order
    // window holds more of the work that does not wait for the running sum.
    let mut pending = partials(&enter[0], &leave[0]);
    let blocks = outs.len();
    for (k, out) in outs.iter_mut().enumerate() {
        let next = (k + 1 < blocks).then(|| partials(&enter[k + 1], &leave[k + 1]));
        for (v, means) in block_means(state, inv, pending).into_iter().enumerate() {
            store_lanes(
                means,
                out[v * BLOCK_ROWS..]
                    .first_chunk_mut::<BLOCK_ROWS>()
                    .unwrap(),
            );
        }
        if let Some(next) = next {
            pending = next;
        }
    }
}

/// Blocks of `out` (first output `first`) whose windows may reach past an
/// end of the data, and a last block shorter than [`BLOCK`]: clamped
/// scalar loads (the edge padding); steps past the end of `out` change
/// nothing and store nothing.
#[inline(never)]
fn edge_blocks<T: Float>(
    data: &[T],
    reach: usize,
    inv_window: f64,
    first: usize,
    out: &mut [T],
    state: &mut Compensated,
) {
    let r = reach as isize;
    for (b, out) in out.chunks_mut(BLOCK).enumerate() {
        let block_first = first + b * BLOCK;
        let mut changes = [0.0f64; BLOCK];
        for (t, change) in changes.iter_mut().enumerate().take(out.len()) {
            let i = (block_first + t) as isize;
            *change = at(data, i + r + 1) - at(data, i - r);
        }
        let changes = std::array::from_fn(|k| load_lanes(&changes[k * BLOCK_ROWS..]));
        let means = advance(state, Lanes::splat(inv_window), changes);
        for (o, m) in out.iter_mut().zip(means.iter().flat_map(|v| v.to_array())) {
            *o = T::from_f64(m);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rolling::rolling_mean;

    /// The sliding path's definition in scalars: every segment starts from
    /// its anchor; each block of [`BLOCK`] steps is [`BLOCK_ROWS`] rows of
    /// [`ROW_STEPS`] changes (zero past the segment's end), summed plainly
    /// along each row; the rows' totals, in order, give each row's offset
    /// and the block's total, which is added with scalar Neumaier
    /// compensation.
    fn scalar_model<T: Float>(data: &[T], w: usize) -> Vec<T> {
        let n = data.len();
        let spacing = anchor_spacing(w);
        let inv_window = 1.0 / (2.0 * w as f64 + 1.0);
        let wi = w as isize;
        let mut out = vec![T::from_f64(0.0); n];
        for begin in (0..n).step_by(spacing) {
            let mut sum = anchor(data, w, begin);
            let end = (begin + spacing).min(n);
            for block in (begin..end).step_by(BLOCK) {
                let change = |t: usize| {
                    let i = (block + t) as isize;
                    if block + t < end {
                        at(data, i + wi + 1) - at(data, i - wi)
                    } else {
                        0.0
                    }
                };
                // partial[r][j]: the first j + 1 changes of row r.
                let partial: [[f64; ROW_STEPS]; BLOCK_ROWS] = std::array::from_fn(|r| {
                    prefix_sums(std::array::from_fn(|j| change(r * ROW_STEPS + j)))
                });
                // Row 1's offset is row 0's total itself, not `0.0 + total`
                // (which would turn a -0.0 into 0.0), as in `block_means`.
                let last = ROW_STEPS - 1;
                let mut offset = [0.0f64; BLOCK_ROWS];
                offset[1] = partial[0][last];
                for r in 2..BLOCK_ROWS {
                    offset[r] = offset[r - 1] + partial[r - 1][last];
                }
                let total = offset[BLOCK_ROWS - 1] + partial[BLOCK_ROWS - 1][last];
                let base = sum.value();
                for t in 0..BLOCK.min(end - block) {
                    let (r, j) = (t / ROW_STEPS, t % ROW_STEPS);
                    let scaled_base = (base + offset[r]) * inv_window;
                    let mean = if j == 0 {
                        scaled_base
                    } else {
                        fused_like_lanes(partial[r][j - 1], inv_window, scaled_base)
                    };
                    out[block + t] = T::from_f64(mean);
                }
                sum.add(total);
            }
        }
        out
    }

    /// `a * b + c` exactly as the lanes compute it: fused where the
    /// target has FMA, else a multiply and an add.
    fn fused_like_lanes(a: f64, b: f64, c: f64) -> f64 {
        Lanes::splat(a)
            .mul_add(Lanes::splat(b), Lanes::splat(c))
            .to_array()[0]
    }

    fn check_against_model<T: Float>(n: usize, w: usize) {
        let data: Vec<T> = (0..n)
            .map(|i| {
                let i = i as f64;
                T::from_f64((i * 0.61).sin() * 1e3 + (i * 0.013).cos() * 1e-3 + i * 1e-2)
            })
            .collect();
        let mut got = vec![T::from_f64(0.0); n];
        rolling_mean(&data, w, &mut got).unwrap();
        let want = scalar_model(&data, w);
        for (i, (g, m)) in got.iter().zip(&want).enumerate() {
            assert_eq!(
                g.to_bits_u64(),
                m.to_bits_u64(),
                "n={n} w={w} i={i}: {g} vs {m}"
            );
        }
    }

    #[test]
    fn both_sliding_paths_match_the_scalar_model_bitwise() {
        // Long enough for interior blocks (contiguous loads) in several
        // segments, with edge blocks at both ends of the data and ragged
        // last blocks (clamped loads), on rough data with large and small
        // values; then short data, where every block is an edge block, and
        // windows wider than the data.
        let cases = [
            (40_000usize, 2usize),
            (150_001, 7),
            (300_000, 500),
            (4_097, 2),
            (17, 3),
            (1_000, 600),
            (33, 40),
        ];
        for &(n, w) in &cases {
            check_against_model::<f64>(n, w);
            check_against_model::<f32>(n, w);
        }
    }
}
