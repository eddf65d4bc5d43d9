//! The bucketed strategy for one tile: histogram, gather, kernels, scatter.
//!
//! 1. **Histogram.** Count the points of each function. The first time a
//!    function is seen in the tile it is appended to `touched`, so the later
//!    passes visit only the functions present: the per-tile work is
//!    O(tile), never O(k), and huge tables do not fall off a cliff.
//! 2. **Offsets.** An exclusive prefix sum over the touched functions turns
//!    counts into segment starts.
//! 3. **Gather.** One pass copies each `x` into its function's segment of
//!    `buf` and records its position in the tile in `pos`.
//! 4. **Kernels.** One `eval_in_place` call per segment.
//! 5. **Scatter.** `out[pos[d]] = buf[d]`, random writes that stay in cache
//!    because the tile does.
//!
//! Afterwards the counts of the touched functions are reset to zero, so the
//! scratch is ready for the next tile without an O(k) clear.

use crate::float::Float;
use crate::index::Index;
use crate::kernel::Kernel;

/// The histogram of one tile, turned into segment cursors: the part of the
/// bucket passes that needs only `idx`. Shared by the engine and by
/// [`Plan`](crate::Plan), which stores its result.
pub struct Grouping {
    /// Per function: a count, then a segment cursor. All zero between tiles.
    counts: Vec<u32>,
    /// Functions present in the current tile, in order of first appearance.
    touched: Vec<u32>,
}

impl Grouping {
    /// A grouping for `k` functions and tiles of up to `tile_len` points.
    pub fn new(k: usize, tile_len: usize) -> Self {
        assert!(
            u32::try_from(tile_len).is_ok(),
            "tile length must fit in u32"
        );
        Grouping {
            counts: vec![0; k],
            touched: Vec::with_capacity(k.min(tile_len)),
        }
    }

    /// Passes 1 and 2: counts the tile's points per function and turns the
    /// counts into segment starts. Afterwards [`Grouping::place`] hands out
    /// destinations.
    #[inline]
    pub fn count<I: Index>(&mut self, idx: &[I]) {
        let counts = &mut self.counts[..];
        let touched = &mut self.touched;
        touched.clear();
        for &i in idx {
            let j = i.to_usize();
            if counts[j] == 0 {
                touched.push(j as u32);
            }
            counts[j] += 1;
        }
        let mut start = 0u32;
        for &j in touched.iter() {
            let c = &mut counts[j as usize];
            let len = *c;
            *c = start;
            start += len;
        }
    }

    /// The next free slot of function `j`'s segment.
    #[inline(always)]
    pub fn place(&mut self, j: usize) -> usize {
        let c = &mut self.counts[j];
        let d = *c;
        *c += 1;
        d as usize
    }

    /// Once every point is placed: visits the segments as
    /// `(function, start..end)` in order, and resets the counts to zero for
    /// the next tile.
    #[inline]
    pub fn drain_segments(&mut self, mut visit: impl FnMut(usize, std::ops::Range<usize>)) {
        let mut start = 0usize;
        for &j in self.touched.iter() {
            let c = &mut self.counts[j as usize];
            let end = *c as usize;
            *c = 0;
            visit(j as usize, start..end);
            start = end;
        }
    }
}

/// Per-worker scratch for the bucket passes, allocated once and reused for
/// every tile the worker processes.
pub struct BucketScratch<T> {
    grouping: Grouping,
    /// Gathered values, grouped by function.
    buf: Vec<T>,
    /// `pos[d]` is the position within the tile of the value in `buf[d]`.
    pos: Vec<u32>,
}

impl<T: Float> BucketScratch<T> {
    /// Scratch for tiles of up to `tile_len` points and `k` functions.
    pub fn new(k: usize, tile_len: usize) -> Self {
        BucketScratch {
            grouping: Grouping::new(k, tile_len),
            buf: vec![T::ZERO; tile_len],
            pos: vec![0; tile_len],
        }
    }

    /// Evaluates one tile: `out[i] = kernels[idx[i]](x[i])`.
    ///
    /// `idx` must already be validated against `kernels.len()` (an invalid
    /// index panics on a bounds check; it cannot cause a wrong result).
    pub fn run_tile<I: Index>(
        &mut self,
        kernels: &[Box<dyn Kernel<T>>],
        idx: &[I],
        x: &[T],
        out: &mut [T],
    ) {
        let n = idx.len();
        debug_assert!(x.len() == n && out.len() == n && n <= self.buf.len());
        self.grouping.count(idx);

        // 3. Gather.
        let buf = &mut self.buf[..n];
        let pos = &mut self.pos[..n];
        for (p, (&i, &v)) in idx.iter().zip(x).enumerate() {
            let d = self.grouping.place(i.to_usize());
            buf[d] = v;
            pos[d] = p as u32;
        }

        // 4. One kernel call per segment.
        self.grouping
            .drain_segments(|j, segment| kernels[j].eval_in_place(&mut buf[segment]));

        // 5. Scatter back to tile order.
        for (&p, &v) in pos.iter().zip(buf.iter()) {
            out[p as usize] = v;
        }
    }
}
