//! Centred rolling mean with edge padding, parallel and at memory speed.
//!
//! `out[i]` is the mean of the `2w + 1` values centred on `i` of the data
//! padded with `w` copies of its first and last values, exactly as
//! `np.pad(data, w, mode='edge')` followed by a window mean.
//!
//! # Algorithm
//!
//! Two paths, chosen from the window length alone (so the choice never
//! depends on the thread count):
//!
//! - **Direct** (`w = 1` only, where it measured faster): each output is the
//!   plain sum of its window in `f64`, in ascending order, computed for
//!   [`DIRECT_BLOCK`] consecutive outputs at once so LLVM vectorises across
//!   outputs. Cost grows with `w`.
//! - **Sliding** (`w >= 2`): a running window sum,
//!   `S[i+1] = S[i] + x[i+w+1] - x[i-w]` (indices clamped to the data, which
//!   is the edge padding). The window changes of [`LOCKSTEP`] consecutive
//!   steps are summed plainly into a partial sum, whose outputs are
//!   `base + partial`, and the partial sum is then added to the running sum
//!   with compensation: one compensated addition per [`LOCKSTEP`] steps
//!   instead of one per step. A partial sum's own roundings (at most three,
//!   each about an ulp of a four-step change) go into the running sum
//!   uncompensated, like the rounding of each change always did. The
//!   running sum is re-anchored
//!   with a compensated direct sum every `anchor_spacing(w)` outputs. Anchors
//!   sit at fixed global positions, so every output's arithmetic is the same
//!   however the work is split. Anchored segments advance in lockstep as
//!   the lanes of one vector, which hides the latency of the running sum's
//!   dependency chain. Four segments (`f64x4`) go together: four steps of
//!   each are loaded as contiguous vectors, a 4x4 transpose in registers
//!   turns them into four steps of all segments, and a second transpose turns
//!   the sums back for contiguous stores. Cost barely grows with `w`.
//!
//! Both paths accumulate in `f64` (also for `f32` data) and multiply once by
//! the reciprocal of the window length. The work is split over the current rayon pool in
//! chunks that are whole multiples of the anchor spacing; each chunk reads
//! its own halo from the input, so nothing is copied or shared.

mod nonfinite;

use rayon::prelude::*;

use crate::error::Error;
use wide::{f64x4, f64x8};

use crate::float::Float;

/// Windows up to this length (`2w + 1`) use the direct path. Measured
/// (N = 2e6, 1 thread, `examples/rolling_probe.rs`): the sliding path costs
/// 0.66-0.70 ns/point at w = 1, 0.68-0.79 for w = 2..100 and 0.88-0.91 at
/// w = 500 and 2000; the direct path 0.61 at w = 1, 1.16 at w = 2 and 2.40
/// at w = 10. Direct wins only at w = 1.
pub(crate) const DIRECT_MAX_WINDOW: usize = 3;

/// Outputs computed together on the direct path: 64 `f64` accumulators are
/// eight independent AVX-512 (sixteen AVX2) addition chains. (16 outputs
/// measured the same on Zen 4, where the loop is bound by add throughput;
/// the longer block leaves headroom on cores with longer add latency.)
const DIRECT_BLOCK: usize = 64;

/// Segments advanced in lockstep on the sliding path: the lanes of
/// [`Lanes`]. Four 256-bit lanes measured faster than eight 512-bit ones:
/// the 8x8 transposes ran out of registers and spilled (`perf`), while the
/// dependency chain needs only one add per step.
const LOCKSTEP: usize = 4;

/// The vector whose lanes are the lockstep segments.
type Lanes = f64x4;

/// Lanes of the anchors' compensated direct sums.
const ANCHOR_LANES: usize = 8;

/// Added to the power-of-two anchor spacing so that the lockstep segments'
/// streams do not all fall in the same L1 sets.
const ALIAS_PAD: usize = 8;

/// Centred rolling mean of `data` with half-width `half_window`, edges padded
/// with the first and last values, written to `out`.
///
/// - `half_window = 0` copies the data.
/// - A window wider than the data still follows the edge rule.
/// - Results are bitwise identical for every thread count.
///
/// Precision: sums are accumulated in `f64` (compensated on the sliding
/// path); the relative error against direct `f64` summation is below `1e-12`
/// (checked in `tests/rolling.rs` on a 10^7-step random walk and on data with
/// large offsets). On the sliding path (`half_window >= 2`) the running sum
/// also carries a residue below `1e-15` times the largest magnitude it has
/// passed over since its last anchor: it only shows where a window sums to
/// about zero next to much larger values (an all-zero window after values
/// near 300 gave `1.7e-17` instead of `0`).
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
    let direct = w < DIRECT_MAX_WINDOW / 2 + 1;
    let chunk = if direct {
        1 << 14
    } else {
        anchor_spacing(w) * LOCKSTEP
    };
    let n = data.len();
    let threads = rayon::current_num_threads();
    let run = |start: usize, out: &mut [T]| {
        if direct {
            direct_chunk(data, w, inv_window, start, out);
        } else {
            // A NaN or infinity poisons a running sum up to the next anchor:
            // redo such chunks with the non-finite values kept apart.
            if !sliding_chunk(data, w, inv_window, start, out) {
                nonfinite::careful_chunk(data, w, inv_window, start, out);
            }
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

/// Distance between anchors on the sliding path: at least eight windows,
/// so the anchor's direct sum costs under an eighth of an add per output;
/// the compensated running sum does not drift measurably over it. (Four
/// times shorter measured no faster at w = 500.)
fn anchor_spacing(w: usize) -> usize {
    // Windows beyond 2^23 points get the spacing of that one: it keeps the
    // chunk arithmetic far from overflow (also on 32-bit targets), and such
    // windows already cover any realistic data.
    let window = w.min(1 << 22).saturating_mul(2).saturating_add(1);
    // Plus a pad: the segments advanced together are
    // `spacing` apart, and a power of two would put all their streams in the
    // same L1 sets (every 4 KiB apart aliases), more streams than ways.
    window.saturating_mul(8).next_power_of_two().max(4096) + ALIAS_PAD
}

/// `data[i]` with `i` clamped to the data: the edge padding.
#[inline(always)]
fn at<T: Float>(data: &[T], i: isize) -> f64 {
    let last = data.len() as isize - 1;
    data[i.clamp(0, last) as usize].to_f64()
}

/// Direct path for `out = means[start .. start + out.len()]`.
fn direct_chunk<T: Float>(data: &[T], w: usize, inv_window: f64, start: usize, out: &mut [T]) {
    let n = data.len();
    let wi = w as isize;
    for (b, block) in out.chunks_mut(DIRECT_BLOCK).enumerate() {
        let first = start + b * DIRECT_BLOCK;
        let mut acc = [0.0f64; DIRECT_BLOCK];
        let interior = first >= w && first + DIRECT_BLOCK + w <= n && block.len() == DIRECT_BLOCK;
        if interior {
            // No clamping needed: contiguous loads, vectorised across outputs.
            let base = first - w;
            for d in 0..=2 * w {
                let src = &data[base + d..base + d + DIRECT_BLOCK];
                for (a, &v) in acc.iter_mut().zip(src) {
                    *a += v.to_f64();
                }
            }
        } else {
            // Same additions in the same order, with clamped indices.
            for d in -wi..=wi {
                for (l, a) in acc.iter_mut().enumerate().take(block.len()) {
                    *a += at(data, (first + l) as isize + d);
                }
            }
        }
        for (o, a) in block.iter_mut().zip(acc) {
            *o = T::from_f64(a * inv_window);
        }
    }
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
/// [`LOCKSTEP`] anchored segments are the lanes of [`Lanes`]. [`LOCKSTEP`] steps of
/// every segment's window changes are loaded as contiguous vectors (clamped
/// scalar loads only where a window reaches past an end of the data),
/// transposed so that the lanes are the segments, stepped through
/// [`advance`], and transposed back for contiguous stores. Per lane this is
/// exactly the scalar recurrence of the unit tests' model, so the grouping
/// does not change any result. (Staging the
/// changes in strided buffers instead compiles to AVX-512 scatters and
/// gathers, which cost half the time.)
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
    let len = out.len();
    let segments = len.div_ceil(spacing);
    for first_seg in (0..segments).step_by(LOCKSTEP) {
        // Segment g covers outputs begin[g] .. begin[g] + live[g] of this
        // chunk; missing segments of the last group have live = 0.
        let mut begin = [0usize; LOCKSTEP];
        let mut live = [0usize; LOCKSTEP];
        let mut hi = [0.0f64; LOCKSTEP];
        let mut lo = [0.0f64; LOCKSTEP];
        for g in 0..LOCKSTEP.min(segments - first_seg) {
            begin[g] = (first_seg + g) * spacing;
            live[g] = spacing.min(len - begin[g]);
            let anchor = anchor(data, w, start + begin[g]);
            (hi[g], lo[g]) = (anchor.hi, anchor.lo);
        }
        let state = (Lanes::from(hi), Lanes::from(lo));
        let group_start = start + begin[0];
        let interior = live[LOCKSTEP - 1] == spacing
            && group_start >= reach
            && group_start + LOCKSTEP * spacing + reach < n;
        let (hi, lo) = if interior {
            let outputs = &mut out[begin[0]..begin[0] + LOCKSTEP * spacing];
            sliding_group_interior(
                data,
                reach,
                inv_window,
                group_start,
                spacing,
                outputs,
                state,
            )
        } else {
            sliding_group_edges(data, reach, inv_window, start, &begin, &live, out, state)
        };
        // A NaN or infinity that reached a running sum never leaves it, so
        // the final sums tell whether every output of the group is sound.
        finite &= (hi + lo).to_array().iter().all(|s| s.is_finite());
    }
    finite
}

/// [`LOCKSTEP`] steps of the running sums: `changes[g]` holds segment `g`'s
/// next window changes; returns each segment's window sums
/// before those changes, in the same layout.
///
/// Within the block the changes go into a plain partial sum and each
/// output is `base + partial`; only the block's total enters the
/// compensated state. This halves the additions per step against a
/// compensated step each (measured 0.635 -> 0.557 ns/point, N = 2e6,
/// w = 10, 1 thread). The price: 0-3 more roundings per output (1.5 on
/// average), and up to three per block of four steps that reach the
/// running sum uncompensated; the measured worst relative error went from
/// 2.2e-16 to 4.3e-16 (perf-notes.md).
#[inline(always)]
fn advance(state: &mut (Lanes, Lanes), changes: [Lanes; LOCKSTEP]) -> [Lanes; LOCKSTEP] {
    let base = state.0 + state.1;
    let mut partial = Lanes::ZERO;
    let mut sums = [Lanes::ZERO; LOCKSTEP];
    for (sum, change) in sums.iter_mut().zip(transpose_lanes(changes)) {
        *sum = base + partial;
        partial += change;
    }
    *state = compensated_step_lanes(*state, partial);
    transpose_lanes(sums)
}

/// A full group of segments, `spacing` outputs each from output
/// `group_start`, whose windows never reach past either end of the data:
/// straight vector loads and stores, no per-segment branches, so that
/// everything stays in registers.
fn sliding_group_interior<T: Float>(
    data: &[T],
    w: usize,
    inv_window: f64,
    group_start: usize,
    spacing: usize,
    out: &mut [T],
    mut state: (Lanes, Lanes),
) -> (Lanes, Lanes) {
    let inv = Lanes::splat(inv_window);
    let blocks = spacing / LOCKSTEP;
    // Each segment's entering values, leaving values and outputs as blocks
    // of [`LOCKSTEP`], checked once here so the loop below needs no bounds checks.
    let segment = |g: usize, from: usize| -> &[[T; LOCKSTEP]] {
        let (blocks_of, _) = data[from + g * spacing..][..spacing].as_chunks::<LOCKSTEP>();
        blocks_of
    };
    let enter: [&[[T; LOCKSTEP]]; LOCKSTEP] =
        std::array::from_fn(|g| segment(g, group_start + w + 1));
    let leave: [&[[T; LOCKSTEP]]; LOCKSTEP] = std::array::from_fn(|g| segment(g, group_start - w));
    let (out_blocks, _) = out.as_chunks_mut::<LOCKSTEP>();
    assert!(enter.iter().chain(&leave).all(|s| s.len() == blocks));
    assert!(out_blocks.len() >= LOCKSTEP * blocks);
    for b in 0..blocks {
        let mut changes = [Lanes::ZERO; LOCKSTEP];
        for (g, change) in changes.iter_mut().enumerate() {
            *change = load_lanes(&enter[g][b]) - load_lanes(&leave[g][b]);
        }
        for (g, sums) in advance(&mut state, changes).into_iter().enumerate() {
            store_lanes(sums * inv, &mut out_blocks[g * blocks + b]);
        }
    }
    state
}

/// A group that touches an end of the data or of the chunk: the first group
/// of the data (its windows start in the left padding), the last ones, and
/// short final segments. Clamped scalar loads where needed; steps past a
/// segment's end change nothing and store nothing.
#[allow(clippy::too_many_arguments)]
fn sliding_group_edges<T: Float>(
    data: &[T],
    w: usize,
    inv_window: f64,
    start: usize,
    begin: &[usize; LOCKSTEP],
    live: &[usize; LOCKSTEP],
    out: &mut [T],
    mut state: (Lanes, Lanes),
) -> (Lanes, Lanes) {
    let n = data.len();
    let inv = Lanes::splat(inv_window);
    // The first segment is the longest.
    for t0 in (0..live[0]).step_by(LOCKSTEP) {
        let full = t0 + LOCKSTEP <= live[LOCKSTEP - 1];
        let first = start + begin[0] + t0;
        let last = start + begin[LOCKSTEP - 1] + t0;
        let changes = if full && first >= w && last + LOCKSTEP + w < n {
            let mut changes = [Lanes::ZERO; LOCKSTEP];
            for (g, change) in changes.iter_mut().enumerate() {
                let first = start + begin[g] + t0;
                *change = load_lanes(&data[first + w + 1..]) - load_lanes(&data[first - w..]);
            }
            changes
        } else {
            edge_changes(data, w, start, begin, live, t0)
        };
        let sums = advance(&mut state, changes);
        if full {
            for (g, sums) in sums.into_iter().enumerate() {
                let at = begin[g] + t0;
                store_lanes(sums * inv, &mut out[at..at + LOCKSTEP]);
            }
        } else {
            ragged_store(out, &sums, inv_window, begin, live, t0);
        }
    }
    state
}

/// Stores the means of the steps from `t0` of the segments that still
/// have outputs there.
#[inline(never)]
fn ragged_store<T: Float>(
    out: &mut [T],
    sums: &[Lanes; LOCKSTEP],
    inv_window: f64,
    begin: &[usize; LOCKSTEP],
    live: &[usize; LOCKSTEP],
    t0: usize,
) {
    for (g, sums) in sums.iter().enumerate() {
        let steps = live[g].saturating_sub(t0).min(LOCKSTEP);
        if steps == 0 {
            continue;
        }
        let at = begin[g] + t0;
        for (o, &s) in out[at..at + steps].iter_mut().zip(sums.as_array()) {
            *o = T::from_f64(s * inv_window);
        }
    }
}

/// The window changes of the steps from `t0` of every segment, with
/// clamped indices (the edge padding); steps past a segment's end change
/// nothing.
#[inline(never)]
fn edge_changes<T: Float>(
    data: &[T],
    w: usize,
    start: usize,
    begin: &[usize; LOCKSTEP],
    live: &[usize; LOCKSTEP],
    t0: usize,
) -> [Lanes; LOCKSTEP] {
    let wi = w as isize;
    let mut changes = [Lanes::ZERO; LOCKSTEP];
    for (g, change) in changes.iter_mut().enumerate() {
        let steps = live[g].saturating_sub(t0).min(LOCKSTEP);
        let mut d = [0.0f64; LOCKSTEP];
        for (t, d) in d.iter_mut().enumerate().take(steps) {
            let i = (start + begin[g] + t0 + t) as isize;
            *d = at(data, i + wi + 1) - at(data, i - wi);
        }
        *change = Lanes::from(d);
    }
    changes
}

/// Transposes a 4x4 block: `out[j]` lane `i` is `rows[i]` lane `j`. With
/// AVX, four in-lane unpacks and four 128-bit lane permutes.
#[cfg(all(target_arch = "x86_64", target_feature = "avx"))]
#[inline(always)]
fn transpose_lanes(rows: [Lanes; LOCKSTEP]) -> [Lanes; LOCKSTEP] {
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
fn transpose_lanes(rows: [Lanes; LOCKSTEP]) -> [Lanes; LOCKSTEP] {
    let r = rows.map(|v| v.to_array());
    std::array::from_fn(|j| Lanes::from(std::array::from_fn(|i| r[i][j])))
}

/// The first [`LOCKSTEP`] values of `xs` as `f64`.
#[inline(always)]
fn load_lanes<T: Float>(xs: &[T]) -> Lanes {
    let x = &xs[..LOCKSTEP];
    Lanes::from([x[0].to_f64(), x[1].to_f64(), x[2].to_f64(), x[3].to_f64()])
}

/// Stores the lanes of `v` into `xs` (exactly [`LOCKSTEP`] long).
#[inline(always)]
fn store_lanes<T: Float>(v: Lanes, xs: &mut [T]) {
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

/// One compensated addition of `v` to `(hi, lo)` in every lane. Knuth's
/// branch-free two-sum rather than Neumaier's comparison: both add the
/// exact rounding error of `hi + v` to `lo`, so the bits equal
/// [`Compensated::add`]'s for finite values, and this form needs no
/// magnitude test or blend (measured 4% faster, N = 2e6, w = 10 and 500).
#[inline(always)]
fn compensated_step_lanes((hi, lo): (Lanes, Lanes), v: Lanes) -> (Lanes, Lanes) {
    let t = hi + v;
    let v_part = t - hi;
    let hi_part = t - v_part;
    let error = (hi - hi_part) + (v - v_part);
    (t, lo + error)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sliding path's definition, one output at a time: every segment
    /// starts from its anchor; each block of [`LOCKSTEP`] steps sums its
    /// window changes plainly and adds the total with scalar Neumaier
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
            for block in (begin..end).step_by(LOCKSTEP) {
                let base = sum.hi + sum.lo;
                let mut partial = 0.0;
                let block_end = end.min(block + LOCKSTEP);
                for (i, o) in out.iter_mut().enumerate().take(block_end).skip(block) {
                    *o = T::from_f64((base + partial) * inv_window);
                    let ii = i as isize;
                    partial += at(data, ii + wi + 1) - at(data, ii - wi);
                }
                sum.add(partial);
            }
        }
        out
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
        // Long enough for interior groups (the register-transpose path: not
        // the first group, whose windows reach the left edge) and with
        // ragged ends (the general path), on rough data with large and
        // small values.
        for &(n, w) in &[(40_000usize, 2usize), (150_001, 7), (300_000, 500)] {
            check_against_model::<f64>(n, w);
            check_against_model::<f32>(n, w);
        }
    }

    #[test]
    fn register_transpose_is_a_transpose() {
        let rows: [Lanes; LOCKSTEP] =
            std::array::from_fn(|i| Lanes::from(std::array::from_fn(|j| (10 * i + j) as f64)));
        let cols = transpose_lanes(rows);
        for (j, col) in cols.iter().enumerate() {
            for (i, &v) in col.to_array().iter().enumerate() {
                assert_eq!(v, (10 * i + j) as f64);
            }
        }
    }
}
