//! Centred rolling mean with edge padding, parallel, within 8 ulps of
//! each window's mean magnitude on any finite data (windows of fewer than
//! 2^40 values).
//!
//! `out[i]` is the mean of the `2w + 1` values centred on `i` of the data
//! padded with `w` copies of its first and last values, exactly as
//! `np.pad(data, w, mode='edge')` followed by a window mean.
//!
//! # Algorithm
//!
//! Two paths, by half-width, both in `f64` also for `f32` data:
//!
//! - **Up to half-width 31** ([`tree`]): each window summed pairwise from
//!   its own values, four outputs at a time from sums of four and eight
//!   kept in registers. Nothing is carried from one window to the next, so
//!   no value outside a window can disturb its mean, and no check is
//!   needed.
//! - **Wider windows** ([`sliding`]): a running window sum,
//!   `S[i+1] = S[i] + x[i+w+1] - x[i-w]` (indices clamped to the data, which
//!   is the edge padding), started from a compensated direct sum (an
//!   anchor, [`anchor`]) every [`anchor_spacing`] outputs. Each segment
//!   between anchors is walked once, front to back, in blocks of
//!   [`BLOCK`](walk::BLOCK) consecutive outputs: one stream of entering
//!   values, one of leaving values `2w + 1` behind (still in L1), one of
//!   outputs. Before a block's means are used, one comparison checks that
//!   they meet the bound ([`certificate`]). The plain arithmetic
//!   ([`block`]) serves windows whose sums are large next to their changes
//!   (walks, offsets, smooth signals). Where it cannot, the walk turns to
//!   the exact arithmetic ([`exact`]: every change split at a power of two
//!   into a part that sums exactly and a remainder too small to matter),
//!   which certifies windows that cancel and windows after spikes, for
//!   about twice the work. A block that fails even that ([`rescue`]) is
//!   redone from a fresh anchor, or by the careful path ([`careful`]: a
//!   running sum kept exact with two-sums, one output at a time, which
//!   counts NaN and infinities apart and re-anchors wherever its window's
//!   magnitude dropped far below what it carried).
//!
//! Why each path meets the bound, operation by operation, is in
//! [`certificate`]. Anchors and every decision to re-anchor, to change
//! arithmetic or to fall back depend only on the data and on fixed global
//! positions, so every output's arithmetic is the same however the work is
//! split, and results are the same bits for any thread count. The work is
//! split over the current rayon pool in chunks of whole segments
//! ([`CHUNK_MIN`]); each chunk reads its own halo from the input, so
//! nothing is copied or shared.
//!
//! Files: this one holds the public function and the chunking; `tree.rs`
//! the narrow windows; `anchor.rs` the anchors' placement and direct sums
//! and the windows' geometry; `compensated.rs` the compensated sum;
//! `sliding.rs` the segments' loops; `walk.rs` the state they carry and
//! the block layout; `block.rs` and `exact.rs` the two block arithmetics
//! with their checks; `rescue.rs` what happens to a refused block;
//! `careful.rs` the exact fallback; `certificate.rs` the error bounds and
//! the checks' coefficients; `lanes.rs` the instruction-set helpers
//! (transposes, lane loads and stores); `model.rs` (tests) the scalar
//! model that defines the sliding path bit for bit.

mod anchor;
mod block;
mod careful;
mod certificate;
mod compensated;
mod exact;
mod lanes;
#[cfg(test)]
mod model;
mod rescue;
mod sliding;
mod tree;
mod walk;

use rayon::prelude::*;

use crate::error::Error;
use crate::float::Float;

use anchor::anchor_spacing;
use sliding::sliding_chunk;
use tree::{TREE_MAX_HALF_WIDTH, tree_chunk};

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
/// Precision: on any finite data, for windows of fewer than 2^40 values
/// (beyond, the direct sum's own error is what bounds it), every mean is
/// within 8 units in the last place of its window's mean magnitude: with `S` the exact sum of the
/// window's `2w + 1` values (padding included) and `A` the exact sum of
/// their magnitudes, `|out[i] - S / (2w + 1)| <= 8 ulp(A / (2w + 1))`, in
/// ulps of the output type (and at least its smallest subnormal). So a
/// window of zeros gives exactly 0, whatever came before it, and a window
/// after a spike of 1e12, or of values near 1e-8 after values near 1e8, is
/// as accurate as if they had never been there. `tests/rolling.rs` checks
/// every output against exact sums on spikes, offsets, cancelling signs,
/// steps over sixteen decades and random walks, and the fuzz target on
/// arbitrary magnitudes.
///
/// Cost: narrow windows (`half_window <= 31`) cost the same on any data.
/// Wider windows of data whose window sums do not cancel (random walks,
/// offsets, smooth signals) take the cheapest arithmetic; windows that
/// cancel (noise, walks around zero) or that follow spikes take an exact
/// one with about twice the work; blocks of 32 outputs whose values span
/// more than about ten decades more than their windows' (a value of 1e8
/// entering windows of values near 1e-8) take a slower path, one output at
/// a time.
///
/// NaN and infinities behave as in direct summation, and only in the
/// windows that hold them: such a window's mean is NaN when it holds a NaN
/// or infinities of both signs, else the infinity. Finite values whose
/// sums exceed `f64::MAX` give an infinity or NaN in the windows whose
/// values sum past it (in some order), and only there.
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
    // Both are powers of two, so this is a whole number of segments.
    let chunk = anchor_spacing(w).max(CHUNK_MIN);
    let n = data.len();
    let threads = rayon::current_num_threads();
    let run = |start: usize, out: &mut [T]| {
        if w <= TREE_MAX_HALF_WIDTH {
            tree_chunk(data, w, start, out);
        } else {
            sliding_chunk(data, w, start, out);
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
