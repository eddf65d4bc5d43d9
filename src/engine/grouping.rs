//! The grouping passes shared by the bucket strategies and by
//! [`Plan`](super::Plan): histogram, offsets, slot placement (steps 1–3 of
//! the sketch in the [engine's module doc](super)), and the combine
//! (step 5).
//!
//! Each pass exists once, here, generic over the slot type ([`Slot`]): the
//! engine runs them all per tile with `u32` slots; a plan runs the grouping
//! once ([`Grouping::group`], `u16` slots) and the gather and combine per
//! call ([`gather_by_slots`], [`combine`]), so a plan gives the engine's
//! bits by construction. What is grouped is a function number (the bucket
//! strategy, `bucket.rs`) or a group number (the by-type strategy,
//! `by_type.rs`).
//!
//! The placement clamps its two data-dependent indices instead of
//! bounds-checking them (see [`Grouping::assign_slots`]): the clamps never
//! change a value the count has vouched for, and keep every write in bounds
//! even if `idx` changes under the call.

use crate::alloc;
use crate::error::Error;
use crate::index::Index;

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
pub(super) struct Grouping {
    /// Per function: a count, then a segment cursor. All zero between tiles.
    counts: Vec<u32>,
    /// Sparse layout only: functions present in the current tile, in order of
    /// first appearance.
    touched: Vec<u32>,
    sparse: bool,
}

impl Grouping {
    /// A grouping for `k` functions and tiles of up to `tile_len` points.
    pub(super) fn new(k: usize, tile_len: usize) -> Self {
        Self::with_counts(vec![0; k], tile_len)
    }

    /// [`Grouping::new`], or an error when the `k` counters cannot be
    /// allocated (a plan's `k` comes from the caller).
    pub(super) fn try_new(k: usize, tile_len: usize) -> Result<Self, Error> {
        Ok(Self::with_counts(
            alloc::zeroed(k, "a plan's per-function counters")?,
            tile_len,
        ))
    }

    fn with_counts(counts: Vec<u32>, tile_len: usize) -> Self {
        assert!(
            u32::try_from(tile_len).is_ok(),
            "tile length must fit in u32"
        );
        let sparse = counts.len() > tile_len;
        Grouping {
            counts,
            touched: Vec::with_capacity(if sparse { tile_len } else { 0 }),
            sparse,
        }
    }

    /// Passes 1 and 2: counts the tile's points per function and turns the
    /// counts into segment starts, which the placement then hands out as
    /// slots.
    ///
    /// Kept out of line: inlined into a tile's passes, it leaves the
    /// placement loop that follows worse register allocation (one more
    /// instruction per point).
    #[inline(never)]
    pub(super) fn count<I: Index>(&mut self, idx: &[I]) {
        // Start from zero whatever the previous tile left (it may have been
        // cut short by a panicking kernel): the slot bound that
        // `group_and_gather` relies on needs exact counts.
        if self.sparse {
            for &j in &self.touched {
                self.counts[j as usize] = 0;
            }
        } else {
            self.counts.fill(0);
        }
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

    /// Number of distinct functions in `idx`, i.e. the number of segments
    /// the tile will have. The next [`Grouping::count`] starts afresh.
    pub(super) fn count_distinct<I: Index>(&mut self, idx: &[I]) -> usize {
        self.count(idx);
        if self.sparse {
            return self.touched.len();
        }
        // Dense: the counts are now segment starts, so a function is present
        // exactly when the next start (or the tile's end) exceeds its own.
        let end = idx.len() as u32;
        let ends = self.counts[1..].iter().copied().chain(std::iter::once(end));
        self.counts
            .iter()
            .zip(ends)
            .filter(|&(&start, end)| end > start)
            .count()
    }

    /// Passes 1–3 for one tile: counts `idx`, then copies each `x[p]` into
    /// its function's segment of `buf` and records the slot in `dest[p]`.
    /// Every slot written to `dest` is below `idx.len()`.
    ///
    /// # Panics
    /// If an index is `>= k`, or the slices are shorter than `idx`.
    #[inline]
    pub(super) fn group_and_gather<T: Copy, I: Index, S: Slot>(
        &mut self,
        idx: &[I],
        x: &[T],
        buf: &mut [T],
        dest: &mut [S],
    ) {
        let n = idx.len();
        assert!(x.len() == n && buf.len() >= n);
        self.count(idx);
        self.assign_slots(idx, dest, x.iter().copied(), |slot, v| buf[slot] = v);
    }

    /// Passes 1–3 without the values, for a [`Plan`](super::Plan): counts
    /// `idx` and records each point's slot in `dest`, as
    /// [`Grouping::group_and_gather`] would.
    ///
    /// # Panics
    /// If an index is `>= k`, or `dest` is shorter than `idx`.
    pub(super) fn group<I: Index, S: Slot>(&mut self, idx: &[I], dest: &mut [S]) {
        self.count(idx);
        self.assign_slots(idx, dest, std::iter::repeat(()), |_, ()| {});
    }

    /// Pass 3's placement, shared by both forms: hands each point the next
    /// slot of its function's segment, records it in `dest` and gives it
    /// with the point's value to `store`. Needs a fresh [`Grouping::count`]
    /// of the same `idx`.
    #[inline(always)]
    pub(super) fn assign_slots<I: Index, S: Slot, V>(
        &mut self,
        idx: &[I],
        dest: &mut [S],
        values: impl Iterator<Item = V>,
        mut store: impl FnMut(usize, V),
    ) {
        let n = idx.len();
        assert!(dest.len() >= n && n.saturating_sub(1) <= S::MAX_SLOT);
        let last_function = self.counts.len().saturating_sub(1);
        for ((d, &i), v) in dest.iter_mut().zip(idx).zip(values) {
            // Clamped, though `count` has just indexed these same values and
            // the clamps then change nothing: `idx` may be memory another
            // thread can write (a numpy array with the GIL released), and a
            // changed index must give wrong values, never a write out of
            // bounds. Two conditional moves cost less than two bounds-check
            // branches.
            let j = i.to_usize().min(last_function);
            let cursor = &mut self.counts[j];
            let slot = (*cursor as usize).min(n - 1);
            *cursor += 1;
            store(slot, v);
            *d = S::from_slot(slot);
        }
    }

    /// Once every point is placed: visits the non-empty segments as
    /// `(function, start..end)` in order.
    #[inline]
    pub(super) fn segments(&self, mut visit: impl FnMut(usize, std::ops::Range<usize>)) {
        let mut start = 0usize;
        let mut step = |j: usize, end: u32| {
            let end = end as usize;
            if end > start {
                visit(j, start..end);
                start = end;
            }
        };
        if self.sparse {
            for &j in &self.touched {
                step(j as usize, self.counts[j as usize]);
            }
        } else {
            for (j, &end) in self.counts.iter().enumerate() {
                step(j, end);
            }
        }
    }
}

/// Pass 5: `out[p] = buf[dest[p]]`, writing `out` in order.
///
/// Bounds-checked on purpose: without the checks LLVM turns this loop into
/// AVX-512 gathers, which are slower than scalar loads on Zen 4, and the
/// unchecked form gained nothing over the whole apply.
#[inline]
pub(super) fn combine<T: Copy, S: Slot>(dest: &[S], buf: &[T], out: &mut [T]) {
    for (o, &d) in out.iter_mut().zip(dest) {
        *o = buf[d.slot()];
    }
}

/// Pass 3 from recorded slots: `buf[dest[p]] = x[p]`, for a
/// [`Plan`](super::Plan), whose slots were assigned once by
/// [`Grouping::group`].
#[inline]
pub(super) fn gather_by_slots<T: Copy, S: Slot>(dest: &[S], x: &[T], buf: &mut [T]) {
    for (&d, &v) in dest.iter().zip(x) {
        buf[d.slot()] = v;
    }
}

/// A point's slot in its tile's grouped buffer: `u32` in the engine,
/// whose tiles may be set to any length; `u16` in a [`Plan`](super::Plan),
/// which stores one per point and caps its tiles at 65,536 points.
pub(super) trait Slot: Copy + Send + Sync {
    /// The largest slot this type holds.
    const MAX_SLOT: usize;
    /// `slot` as this type; `slot <= MAX_SLOT`.
    fn from_slot(slot: usize) -> Self;
    /// The slot as an index into the grouped buffer.
    fn slot(self) -> usize;
}

impl Slot for u16 {
    const MAX_SLOT: usize = u16::MAX as usize;
    #[inline(always)]
    fn from_slot(slot: usize) -> Self {
        slot as u16
    }
    #[inline(always)]
    fn slot(self) -> usize {
        self as usize
    }
}

impl Slot for u32 {
    const MAX_SLOT: usize = u32::MAX as usize;
    #[inline(always)]
    fn from_slot(slot: usize) -> Self {
        slot as u32
    }
    #[inline(always)]
    fn slot(self) -> usize {
        self as usize
    }
}

#[cfg(test)]
mod tests {
    //! The grouping's own invariants; these also run under Miri.

    use super::*;

    #[test]
    fn a_tile_after_an_interrupted_one_starts_clean() {
        // Simulate a tile whose kernels never ran (e.g. one panicked): the
        // counts are left as cursors. The next tile must not see them.
        for (k, tile) in [(4usize, 16usize), (40, 4)] {
            let mut g = Grouping::new(k, tile);
            let idx = [1u32, 3, 3, 0];
            let mut buf = [0.0f64; 4];
            let mut dest = [0u32; 4];
            g.group_and_gather(&idx, &[1.0, 2.0, 3.0, 4.0], &mut buf, &mut dest);
            // No `segments` call: state is dirty. Next tile:
            let idx = [2u32, 2, 1];
            let mut buf = [0.0f64; 3];
            let mut dest = [0u32; 3];
            g.group_and_gather(&idx, &[5.0, 6.0, 7.0], &mut buf, &mut dest);
            assert!(dest.iter().all(|&d| d < 3), "k={k}: {dest:?}");
            let mut segs = Vec::new();
            g.segments(|j, r| segs.push((j, r)));
            let total: usize = segs.iter().map(|(_, r)| r.len()).sum();
            assert_eq!(total, 3, "k={k}: {segs:?}");
        }
    }

    #[test]
    #[should_panic]
    fn an_index_out_of_range_panics_before_the_gather() {
        let mut g = Grouping::new(3, 8);
        let mut buf = [0.0f64; 2];
        let mut dest = [0u32; 2];
        g.group_and_gather(&[0u32, 3], &[1.0, 2.0], &mut buf, &mut dest);
    }
}
