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
//! compensated direct sum every [`anchor_spacing`] outputs. Anchors sit at
//! fixed global positions, so every output's arithmetic is the same however
//! the work is split. Each segment between anchors is walked once, front
//! to back, in blocks of [`BLOCK`](sliding::BLOCK) consecutive outputs: one
//! stream of entering values, one of leaving values `2w + 1` behind (still
//! in L1), one of outputs.
//!
//! How a block is computed, and why that way, is in [`sliding`].
//!
//! Sums accumulate in `f64`, also for `f32` data, and are scaled by the
//! reciprocal of the window length. The work is split over the current
//! rayon pool in chunks of whole segments ([`CHUNK_MIN`]); each chunk reads
//! its own halo from the input, so nothing is copied or shared. A chunk whose
//! running sum met a NaN or an infinity is recomputed by [`nonfinite`].
//!
//! Files: this one holds the public function and the chunking;
//! `anchor.rs` the anchors' placement and direct sums; `compensated.rs`
//! the compensated sum; `sliding.rs` the block algebra and its loops, with
//! the scalar model that defines them; `lanes.rs` the instruction-set
//! helpers (transposes, lane loads and stores); `nonfinite.rs` the path for
//! chunks with NaN or infinities.

mod anchor;
mod careful;
mod certificate;
mod compensated;
mod lanes;
mod sliding;
mod tree;

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
