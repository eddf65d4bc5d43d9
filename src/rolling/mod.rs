//! Centred rolling mean with edge padding, parallel and at memory speed.
//!
//! `out[i]` is the mean of the `2w + 1` values centred on `i` of the data
//! padded with `w` copies of its first and last values, exactly as
//! `np.pad(data, w, mode='edge')` followed by a window mean.
//!
//! # Algorithm
//!
//! A running window sum, `S[i+1] = S[i] + x[i+w+1] - x[i-w]` (indices
//! clamped to the data, which is the edge padding), re-anchored with a
//! compensated direct sum every `anchor_spacing(w)` outputs. Anchors sit at
//! fixed global positions, so every output's arithmetic is the same however
//! the work is split. Each segment between anchors is walked once, front to
//! back, in blocks of [`BLOCK`] consecutive outputs: one stream of entering
//! values, one of leaving values `2w + 1` behind (still in L1), one of
//! outputs.
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
//!
//! Sums accumulate in `f64`, also for `f32` data, and are scaled by the
//! reciprocal of the window length. The work is split over the current
//! rayon pool in chunks of whole segments ([`CHUNK_MIN`]); each chunk reads its
//! own halo from the input, so nothing is copied or shared. A chunk whose
//! running sum met a NaN or an infinity is recomputed by [`nonfinite`].

mod nonfinite;

use rayon::prelude::*;

use crate::error::Error;
use wide::{f64x4, f64x8};

use crate::float::Float;

/// Rows of a block on the sliding path: the lanes of [`Lanes`].
const BLOCK_ROWS: usize = 4;

/// Consecutive steps per row of a block: two vectors.
const ROW_STEPS: usize = 8;

/// Vectors per row of a block.
const ROW_VECTORS: usize = ROW_STEPS / BLOCK_ROWS;

/// Vectors per block.
const BLOCK_VECTORS: usize = BLOCK_ROWS * ROW_VECTORS;

/// Consecutive outputs per step of the sliding path: four rows of eight,
/// held in eight registers (see [`advance`]).
const BLOCK: usize = BLOCK_ROWS * ROW_STEPS;

/// The vector whose lanes are the rows of a block.
type Lanes = f64x4;

/// Lanes of the anchors' compensated direct sums.
const ANCHOR_LANES: usize = 8;

/// Outputs per parallel chunk on the sliding path, at least: whole anchored
/// segments, four of them up to half-width 127 and one from 256 up. Small
/// enough that a call of a few million points makes many chunks, so an
/// uneven share between threads stays a small part of the time; large
/// enough that each chunk's anchors and halo stay a small share.
const CHUNK_MIN: usize = 1 << 14;

/// Centred rolling mean of `data` with half-width `half_window`, edges padded
/// with the first and last values, written to `out`.
///
/// - `half_window = 0` copies the data.
/// - A window wider than the data still follows the edge rule.
/// - Results are bitwise identical for every thread count.
///
/// Precision: sums are accumulated in `f64` with compensation; the
/// relative error against direct `f64` summation is below `1e-12` (checked
/// in `tests/rolling.rs` on a 10^7-step random walk and on data with large
/// offsets). The running sum also carries a residue of about `1e-15` times
/// the largest window sum it has passed over since its last anchor: it only
/// shows where a window sums to about zero next to much larger values
/// (windows of zeros after values up to 600 gave means up to `6e-13`
/// instead of `0` at `half_window = 2`).
///
/// NaN and infinities behave as in direct summation, and only in the
/// windows that hold them: such a window's mean is NaN when it holds a NaN
/// or infinities of both signs, else the infinity. (Finite values whose
/// window sum overflows `f64` are the exception: the overflow can spread
/// up to the next anchor, a few thousand outputs.)
///
/// # Errors
/// [`Error::LengthMismatch`] when `out.len() != data.len()`; nothing is
/// written then.
///
/// # Examples
/// ```
/// let data = [1.0f64, 2.0, 3.0, 4.0, 10.0];
/// let mut out = [0.0; 5];
/// splitapply::rolling_mean(&data, 1, &mut out)?;
/// // Padded: [1, 1, 2, 3, 4, 10, 10]; windows of 3.
/// let want = [4.0 / 3.0, 2.0, 3.0, 17.0 / 3.0, 8.0];
/// for (o, w) in out.iter().zip(want) {
///     assert!((o - w).abs() <= 1e-15 * w);
/// }
/// # Ok::<(), splitapply::Error>(())
/// ```
pub fn rolling_mean<T: Float>(data: &[T], half_window: usize, out: &mut [T]) -> Result<(), Error> {
    if out.len() != data.len() {
        return Err(Error::LengthMismatch {
            what: "out",
            expected: data.len(),
            actual: out.len(),
        });
    }
    if data.is_empty() {
        return Ok(());
    }
    if half_window == 0 {
        out.copy_from_slice(data);
        return Ok(());
    }
    let w = half_window;
    // 2w + 1 as f64: exact for any realistic w, and never overflows. Dividing
    // costs as much as the rest of a step; one multiply by the reciprocal
    // adds at most an ulp.
    let inv_window = 1.0 / (2.0 * w as f64 + 1.0);
    // Both are powers of two, so this is a whole number of segments.
    let chunk = anchor_spacing(w).max(CHUNK_MIN);
    let n = data.len();
    let threads = rayon::current_num_threads();
    let run = |start: usize, out: &mut [T]| {
        // A NaN or infinity poisons a running sum up to the next anchor:
        // redo such chunks with the non-finite values kept apart.
        if !sliding_chunk(data, w, inv_window, start, out) {
            nonfinite::careful_chunk(data, w, inv_window, start, out);
        }
    };
    if threads == 1 || n <= chunk {
        for (c, out) in out.chunks_mut(chunk).enumerate() {
            run(c * chunk, out);
        }
    } else {
        out.par_chunks_mut(chunk)
            .enumerate()
            .for_each(|(c, out)| run(c * chunk, out));
    }
    Ok(())
}

/// Distance between anchors on the sliding path: at least sixteen windows,
/// so the anchor's direct sum costs under a sixteenth of an add per
/// output; the compensated running sum does not drift measurably over it
/// (perf-notes.md, "Rolling mean", for the errors at eight and sixteen).
fn anchor_spacing(w: usize) -> usize {
    // Windows beyond 2^23 points get the spacing of that one: it keeps the
    // chunk arithmetic far from overflow (also on 32-bit targets), and such
    // windows already cover any realistic data.
    let window = w.min(1 << 22).saturating_mul(2).saturating_add(1);
    window.saturating_mul(16).next_power_of_two().max(4096)
}

/// `data[i]` with `i` clamped to the data: the edge padding.
#[inline(always)]
fn at<T: Float>(data: &[T], i: isize) -> f64 {
    let last = data.len() as isize - 1;
    data[i.clamp(0, last) as usize].to_f64()
}

/// A compensated (Neumaier) sum: `hi + lo` carries about twice the
/// precision of `f64`.
#[derive(Clone, Copy, Default)]
struct Compensated {
    hi: f64,
    lo: f64,
}

impl Compensated {
    #[inline(always)]
    fn add(&mut self, v: f64) {
        let t = self.hi + v;
        // Branch-free: whichever operand is larger in magnitude loses the
        // low-order bits of the other, which are recovered here.
        let big_hi = (self.hi - t) + v;
        let big_v = (v - t) + self.hi;
        self.lo += if self.hi.abs() >= v.abs() {
            big_hi
        } else {
            big_v
        };
        self.hi = t;
    }
}

/// The window sum at output `i`, summed directly with compensation: the
/// in-range part plus the padded copies of the end values.
fn anchor<T: Float>(data: &[T], w: usize, i: usize) -> Compensated {
    let (in_range, left_pad, right_pad) = window(data.len(), w, i);
    // Eight compensated lanes (a scalar chain would wait on every add),
    // then the lanes and the tail in one compensated sum.
    let mut chunks = data[in_range].chunks_exact(ANCHOR_LANES);
    let mut lanes = (f64x8::ZERO, f64x8::ZERO);
    for chunk in &mut chunks {
        lanes = neumaier_step8(lanes, load8(chunk));
    }
    let mut sum = Compensated::default();
    for (hi, lo) in lanes.0.to_array().into_iter().zip(lanes.1.to_array()) {
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
fn window(n: usize, w: usize, i: usize) -> (std::ops::RangeInclusive<usize>, usize, usize) {
    let in_range = i.saturating_sub(w)..=i.saturating_add(w).min(n - 1);
    let left_pad = w.saturating_sub(i);
    let right_pad = i.saturating_add(w).saturating_sub(n - 1);
    (in_range, left_pad, right_pad)
}

/// Sliding path for `out = means[start .. start + out.len()]`; `start` is a
/// multiple of the anchor spacing. Returns false when a NaN or an infinity
/// reached a running sum: the chunk must then be recomputed.
///
/// One segment at a time, from its anchor, in blocks of [`BLOCK`]
/// consecutive outputs ([`advance`]). Blocks whose windows stay inside the
/// data load their window changes as contiguous vectors; the others (at the
/// ends of the data, and a short last block) use clamped scalar loads and
/// the same arithmetic, so the path taken never changes a result.
fn sliding_chunk<T: Float>(
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
        let anchor = anchor(data, w, first);
        let mut state = (anchor.hi, anchor.lo);
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
        finite &= (state.0 + state.1).is_finite();
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
    state: &mut (f64, f64),
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
    state: &mut (f64, f64),
    inv_window: Lanes,
    partial: [Lanes; ROW_STEPS],
) -> [Lanes; BLOCK_VECTORS] {
    let [t0, t1, t2, t3] = partial[ROW_STEPS - 1].to_array();
    let before_row2 = t0 + t1;
    let before_row3 = before_row2 + t2;
    let total = before_row3 + t3;
    let row_base =
        Lanes::splat(state.0 + state.1) + Lanes::from([0.0, t0, before_row2, before_row3]);
    *state = compensated_step(*state, total);
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
    state: &mut (f64, f64),
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
    state: &mut (f64, f64),
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

/// Transposes a 4x4 block: `out[j]` lane `i` is `rows[i]` lane `j`. With
/// AVX, four in-lane unpacks and four 128-bit lane permutes.
#[cfg(all(target_arch = "x86_64", target_feature = "avx"))]
#[inline(always)]
fn transpose_lanes(rows: [Lanes; BLOCK_ROWS]) -> [Lanes; BLOCK_ROWS] {
    use safe_arch::{m256d, permute2z_m256d, unpack_hi_m256d, unpack_lo_m256d};
    let r = rows.map(|v| m256d::from(v.to_array()));
    // Pairs of rows interleaved: (r_i[c], r_{i+1}[c]) for even c (lo) or
    // odd c (hi), one pair per 128-bit lane.
    let t0 = unpack_lo_m256d(r[0], r[1]);
    let t1 = unpack_hi_m256d(r[0], r[1]);
    let t2 = unpack_lo_m256d(r[2], r[3]);
    let t3 = unpack_hi_m256d(r[2], r[3]);
    // Low 128-bit lanes of both (columns 0, 1) or high ones (2, 3).
    let cols = [
        permute2z_m256d::<0x20>(t0, t2),
        permute2z_m256d::<0x20>(t1, t3),
        permute2z_m256d::<0x31>(t0, t2),
        permute2z_m256d::<0x31>(t1, t3),
    ];
    cols.map(|c| Lanes::from(<[f64; 4]>::from(c)))
}

/// Portable transpose: see the AVX version above.
#[cfg(not(all(target_arch = "x86_64", target_feature = "avx")))]
#[inline(always)]
fn transpose_lanes(rows: [Lanes; BLOCK_ROWS]) -> [Lanes; BLOCK_ROWS] {
    let r = rows.map(|v| v.to_array());
    std::array::from_fn(|j| Lanes::from(std::array::from_fn(|i| r[i][j])))
}

/// The first [`BLOCK_ROWS`] values of `xs` as `f64`.
#[inline(always)]
fn load_lanes<T: Float>(xs: &[T]) -> Lanes {
    let x = &xs[..BLOCK_ROWS];
    Lanes::from([x[0].to_f64(), x[1].to_f64(), x[2].to_f64(), x[3].to_f64()])
}

/// Stores the lanes of `v` into `xs` (exactly [`BLOCK_ROWS`] long).
///
/// For `f32` with AVX, one `vcvtpd2ps` per vector: from the generic loop
/// LLVM merges neighbouring vectors into 512-bit conversions with extra
/// `vpermt2pd` shuffles, which cost more than they save.
#[inline(always)]
fn store_lanes<T: Float>(v: Lanes, xs: &mut [T; BLOCK_ROWS]) {
    #[cfg(all(target_arch = "x86_64", target_feature = "avx"))]
    if let Some(xs) = (xs as &mut dyn std::any::Any).downcast_mut::<[f32; BLOCK_ROWS]>() {
        use safe_arch::{convert_to_m128_from_m256d, m256d};
        *xs = convert_to_m128_from_m256d(m256d::from(v.to_array())).to_array();
        return;
    }
    for (x, &v) in xs.iter_mut().zip(v.as_array()) {
        *x = T::from_f64(v);
    }
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

/// One compensated addition of `v` to `(hi, lo)` in every lane: the
/// vector form of [`Compensated::add`].
#[inline(always)]
fn neumaier_step8((hi, lo): (f64x8, f64x8), v: f64x8) -> (f64x8, f64x8) {
    let t = hi + v;
    let big_hi = (hi - t) + v;
    let big_v = (v - t) + hi;
    let hi_larger = hi.abs().simd_ge(v.abs());
    (t, lo + hi_larger.select(big_hi, big_v))
}

/// One compensated addition of `v` to `(hi, lo)`. Knuth's branch-free
/// two-sum rather than Neumaier's comparison: both add the exact rounding
/// error of `hi + v` to `lo`, so the bits equal [`Compensated::add`]'s for
/// finite values, and this form needs no magnitude test, so no compare
/// and select in the loop.
#[inline(always)]
fn compensated_step((hi, lo): (f64, f64), v: f64) -> (f64, f64) {
    let t = hi + v;
    let v_part = t - hi;
    let hi_part = t - v_part;
    let error = (hi - hi_part) + (v - v_part);
    (t, lo + error)
}

#[cfg(test)]
mod tests {
    use super::*;

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
                let base = sum.hi + sum.lo;
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

    #[test]
    fn register_transpose_is_a_transpose() {
        let rows: [Lanes; BLOCK_ROWS] =
            std::array::from_fn(|i| Lanes::from(std::array::from_fn(|j| (10 * i + j) as f64)));
        let cols = transpose_lanes(rows);
        for (j, col) in cols.iter().enumerate() {
            for (i, &v) in col.to_array().iter().enumerate() {
                assert_eq!(v, (10 * i + j) as f64);
            }
        }
    }
}
