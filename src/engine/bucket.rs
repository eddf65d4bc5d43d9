//! The bucketed strategy for one tile: histogram, gather, kernels, combine.
//!
//! 1. **Histogram.** Count the points of each function (see [`Grouping`] for
//!    how huge tables avoid O(k) work per tile).
//! 2. **Offsets.** An exclusive prefix sum turns counts into segment starts.
//! 3. **Gather.** One pass copies each `x` into its function's segment of
//!    `buf` and records where it went in `dest`.
//! 4. **Kernels.** One `eval_in_place` call per segment.
//! 5. **Combine.** `out[p] = buf[dest[p]]`. This gather form writes `out`
//!    sequentially; the scatter form (`out[pos[d]] = buf[d]`) writes it at
//!    random, and since the `out` tile is not yet in cache each write then
//!    waits on a read-for-ownership from DRAM. Measured: the scatter form made
//!    the whole apply about 1.5x slower (see perf-notes.md).
//!
//! Afterwards the counts are back to zero, so the scratch is ready for the
//! next tile.

use crate::float::Float;
use crate::index::Index;
use crate::kernel::Kernel;

/// The histogram of one tile, turned into segment cursors: the part of the
/// bucket passes that needs only `idx`. Shared by the engine and by
/// [`Plan`](crate::Plan), which stores its result.
///
/// Two layouts, chosen once from `k` and the tile length:
/// - **dense** (`k <= tile_len`): a plain histogram over all `k` functions;
///   the O(k) prefix sum and segment walk cost at most O(tile).
/// - **sparse** (`k > tile_len`): the first time a function is seen in the
///   tile it is appended to `touched`, and only touched functions are
///   visited, so huge tables cost O(tile) per tile, not O(k).
pub struct Grouping {
    /// Per function: a count, then a segment cursor. All zero between tiles.
    counts: Vec<u32>,
    /// Sparse layout only: functions present in the current tile, in order of
    /// first appearance.
    touched: Vec<u32>,
    sparse: bool,
}

impl Grouping {
    /// A grouping for `k` functions and tiles of up to `tile_len` points.
    pub fn new(k: usize, tile_len: usize) -> Self {
        assert!(
            u32::try_from(tile_len).is_ok(),
            "tile length must fit in u32"
        );
        let sparse = k > tile_len;
        Grouping {
            counts: vec![0; k],
            touched: Vec::with_capacity(if sparse { tile_len } else { 0 }),
            sparse,
        }
    }

    /// Passes 1 and 2: counts the tile's points per function and turns the
    /// counts into segment starts. Afterwards [`Grouping::place`] hands out
    /// destinations.
    #[inline]
    pub fn count<I: Index>(&mut self, idx: &[I]) {
        let counts = &mut self.counts[..];
        let mut start = 0u32;
        let mut to_start = |c: &mut u32| {
            let len = *c;
            *c = start;
            start += len;
        };
        if self.sparse {
            let touched = &mut self.touched;
            touched.clear();
            for &i in idx {
                let j = i.to_usize();
                if counts[j] == 0 {
                    touched.push(j as u32);
                }
                counts[j] += 1;
            }
            for &j in touched.iter() {
                to_start(&mut counts[j as usize]);
            }
        } else {
            for &i in idx {
                counts[i.to_usize()] += 1;
            }
            counts.iter_mut().for_each(to_start);
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

    /// Once every point is placed: visits the non-empty segments as
    /// `(function, start..end)` in order, and resets the counts to zero for
    /// the next tile.
    #[inline]
    pub fn drain_segments(&mut self, mut visit: impl FnMut(usize, std::ops::Range<usize>)) {
        let mut start = 0usize;
        let mut drain = |j: usize, c: &mut u32| {
            let end = *c as usize;
            *c = 0;
            if end > start {
                visit(j, start..end);
                start = end;
            }
        };
        if self.sparse {
            for &j in self.touched.iter() {
                drain(j as usize, &mut self.counts[j as usize]);
            }
        } else {
            for (j, c) in self.counts.iter_mut().enumerate() {
                drain(j, c);
            }
        }
    }
}

/// Per-worker scratch for the bucket passes, allocated once and reused for
/// every tile the worker processes.
pub struct BucketScratch<T> {
    grouping: Grouping,
    /// Gathered values, grouped by function.
    buf: Vec<T>,
    /// `dest[p]` is where the tile's point `p` went in `buf`.
    dest: Vec<u32>,
}

impl<T: Float> BucketScratch<T> {
    /// Scratch for tiles of up to `tile_len` points and `k` functions.
    pub fn new(k: usize, tile_len: usize) -> Self {
        BucketScratch {
            grouping: Grouping::new(k, tile_len),
            buf: vec![T::ZERO; tile_len],
            dest: vec![0; tile_len],
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

        // 3. Gather: `x` and `dest` are walked in order; the scattered
        //    writes land in `buf`, which stays in cache.
        let buf = &mut self.buf[..n];
        let dest = &mut self.dest[..n];
        for ((d, &i), &v) in dest.iter_mut().zip(idx).zip(x) {
            let slot = self.grouping.place(i.to_usize());
            buf[slot] = v;
            *d = slot as u32;
        }

        // 4. One kernel call per segment.
        self.grouping
            .drain_segments(|j, segment| kernels[j].eval_in_place(&mut buf[segment]));

        // 5. Combine in gather form, `out[p] = buf[dest[p]]`: `out` is written
        //    in order (streaming to DRAM), the random reads hit cache.
        for (o, &d) in out.iter_mut().zip(dest.iter()) {
            *o = buf[d as usize];
        }
    }
}
