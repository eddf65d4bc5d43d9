//! The bucket strategy's passes for one tile: histogram, gather, kernels,
//! combine (steps 1–5 of the sketch in the [engine's module doc](super)).
//!
//! Each pass exists once, here, generic over the slot type ([`Slot`]): the
//! engine runs them all per tile with `u32` slots; a [`Plan`](super::Plan)
//! runs the grouping once ([`Grouping::group`], `u16` slots) and the gather
//! and combine per call ([`gather_by_slots`], [`combine`]), so a plan gives
//! the engine's bits by construction.
//!
//! The placement clamps its two data-dependent indices instead of
//! bounds-checking them (see [`Grouping::group_and_gather`] and
//! perf-notes.md, "Safety of the gather"): the clamps never change a value
//! the count has vouched for, and keep every write in bounds even if `idx`
//! changes under the call.

use crate::float::Float;
use crate::index::Index;
use crate::table::Functions;

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
    /// counts into segment starts, which the placement then hands out as
    /// slots.
    #[inline]
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
    fn assign_slots<I: Index, S: Slot, V>(
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
            // branches (perf-notes.md, "Safety of the gather").
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
/// unchecked form gained nothing over the whole apply (perf-notes.md,
/// "What was tried").
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

/// Per-worker scratch for the bucket passes, allocated once and reused for
/// every tile the worker processes.
pub(super) struct BucketScratch<T> {
    grouping: Grouping,
    /// Gathered values, grouped by function.
    buf: Vec<T>,
    /// `dest[p]` is where the tile's point `p` went in `buf` (empty for
    /// `k = 2`, whose two-ended passes store no slots).
    dest: Vec<u32>,
}

impl<T: Float> BucketScratch<T> {
    /// Scratch for tiles of up to `tile_len` points and `k` functions.
    pub(super) fn new(k: usize, tile_len: usize) -> Self {
        BucketScratch {
            grouping: Grouping::new(k, tile_len),
            buf: vec![T::ZERO; tile_len],
            dest: vec![0; if k == 2 { 0 } else { tile_len }],
        }
    }

    /// Evaluates one tile: `out[i] = kernels[idx[i]](x[i])`.
    ///
    /// `idx` must already be validated against `kernels.len()`: an invalid
    /// index (say, one changed by another thread) gives wrong values, never
    /// an access out of bounds.
    pub(super) fn run_tile<I: Index>(
        &mut self,
        kernels: Functions<'_, T>,
        idx: &[I],
        x: &[T],
        out: &mut [T],
    ) {
        let n = idx.len();
        debug_assert!(x.len() == n && out.len() == n && n <= self.buf.len());
        let buf = &mut self.buf[..n];
        if kernels.len() == 2 {
            return two_way_tile(kernels, idx, x, out, buf);
        }
        let dest = &mut self.dest[..n];
        self.grouping.group_and_gather(idx, x, buf, dest);

        // 4. One kernel call per segment.
        self.grouping
            .segments(|j, segment| kernels.eval_in_place(j, &mut buf[segment]));

        // 5. Combine.
        combine(dest, buf, out);
    }
}

/// The bucket passes for `k = 2`, in two passes instead of four: function
/// 0's points fill `buf` from the front and function 1's from the back, so
/// the segment boundary needs no histogram; and the combine walks `idx`
/// again with the same two cursors, so no slot is stored per point. Each
/// point is still evaluated alone by its own function's kernel call over
/// its segment, so the bits are those of every other path.
fn two_way_tile<T: Float, I: Index>(
    kernels: Functions<'_, T>,
    idx: &[I],
    x: &[T],
    out: &mut [T],
    buf: &mut [T],
) {
    let n = idx.len();
    let Some(last) = n.checked_sub(1) else {
        return;
    };
    // Both ends are written for every point; the end whose cursor does not
    // move is overwritten later (until the cursors meet, both lie in the
    // unfilled middle). The clamps keep every access in bounds even if
    // `idx` changes under the call (see the module doc).
    let (mut front, mut back) = (0usize, last);
    for (&i, &v) in idx.iter().zip(x) {
        let second = usize::from(i.raw() != 0);
        buf[front.min(last)] = v;
        buf[back.min(last)] = v;
        front += 1 - second;
        back = back.wrapping_sub(second);
    }
    let split = front.min(n);
    let (first, second) = buf.split_at_mut(split);
    // Kernels are never called on an empty segment, as on every other path.
    if !first.is_empty() {
        kernels.eval_in_place(0, first);
    }
    if !second.is_empty() {
        kernels.eval_in_place(1, second);
    }
    let (mut front, mut back) = (0usize, last);
    for (o, &i) in out.iter_mut().zip(idx) {
        let second = usize::from(i.raw() != 0);
        let from_back = buf[back.min(last)];
        let from_front = buf[front.min(last)];
        *o = if second == 1 { from_back } else { from_front };
        front += 1 - second;
        back = back.wrapping_sub(second);
    }
}

/// Per-worker scratch for routing by code: the bucket passes over code
/// numbers instead of function numbers, for tables whose codes all stream
/// (closures). A table of 8 closure types and 100,000 captures has 8
/// segments per tile, not up to 100,000; each segment is streamed with its
/// points' positions, the closure body inlined.
pub(super) struct CodeScratch<T> {
    grouping: Grouping,
    /// Per point of the tile: its code, and its position in the code.
    codes: Vec<u8>,
    positions: Vec<u32>,
    /// Gathered values and their positions, grouped by code.
    buf: Vec<T>,
    buf_positions: Vec<u32>,
    dest: Vec<u32>,
}

impl<T: Float> CodeScratch<T> {
    /// Scratch for tiles of up to `tile_len` points and `codes` codes
    /// (at most 256).
    pub(super) fn new(codes: usize, tile_len: usize) -> Self {
        assert!(codes <= 256, "routing by code numbers codes with u8");
        CodeScratch {
            grouping: Grouping::new(codes, tile_len),
            codes: vec![0; tile_len],
            positions: vec![0; tile_len],
            buf: vec![T::ZERO; tile_len],
            buf_positions: vec![0; tile_len],
            dest: vec![0; tile_len],
        }
    }

    /// Evaluates one tile: `out[i] = f[idx[i]](x[i])`, grouped by code.
    /// `idx` must be validated and every code of `functions` must stream.
    pub(super) fn run_tile<I: Index>(
        &mut self,
        functions: Functions<'_, T>,
        idx: &[I],
        x: &[T],
        out: &mut [T],
    ) {
        let n = idx.len();
        debug_assert!(x.len() == n && out.len() == n && n <= self.buf.len());
        let codes = &mut self.codes[..n];
        let positions = &mut self.positions[..n];
        let buf = &mut self.buf[..n];
        let buf_positions = &mut self.buf_positions[..n];
        let dest = &mut self.dest[..n];
        functions.codes_and_positions(idx, codes, positions);
        self.grouping.count(&*codes);
        let values = x.iter().copied().zip(positions.iter().copied());
        self.grouping
            .assign_slots(&*codes, dest, values, |slot, (v, p)| {
                buf[slot] = v;
                buf_positions[slot] = p;
            });
        self.grouping.segments(|c, segment| {
            functions
                .code(c)
                .stream_in_place(&buf_positions[segment.clone()], &mut buf[segment])
        });
        combine(dest, buf, out);
    }
}

#[cfg(test)]
mod tests {
    //! Small cases for the clamped gather (and the passes around it); these also run under Miri
    //! (`cargo +nightly miri test --lib engine::bucket`).

    use super::*;
    use crate::table::FuncTable;

    fn table(k: usize) -> FuncTable<f64> {
        let mut table = FuncTable::with_capacity(k);
        for j in 0..k {
            table.push_fn(move |x: f64| x * 10.0 + j as f64);
        }
        table
    }

    fn check(k: usize, tile_len: usize, idx: &[u32]) {
        let table = table(k);
        let kernels = table.functions();
        let x: Vec<f64> = (0..idx.len()).map(|i| i as f64).collect();
        let mut scratch = BucketScratch::new(k, tile_len);
        let mut out = vec![f64::NAN; idx.len()];
        for ((i, x), o) in idx
            .chunks(tile_len)
            .zip(x.chunks(tile_len))
            .zip(out.chunks_mut(tile_len))
        {
            scratch.run_tile(kernels, i, x, o);
        }
        for (p, (&j, &o)) in idx.iter().zip(&out).enumerate() {
            assert_eq!(o, p as f64 * 10.0 + j as f64, "k={k} tile={tile_len} p={p}");
        }
    }

    #[test]
    fn dense_and_sparse_groupings_are_exact() {
        let idx: Vec<u32> = (0..37u32).map(|i| (i * 7 + 3) % 5).collect();
        check(5, 8, &idx); // dense: k <= tile
        check(5, 37, &idx);
        check(50, 4, &idx.iter().map(|j| j * 9).collect::<Vec<_>>()); // sparse: k > tile
        check(1, 3, &[0; 10]);
        check(3, 1, &[2, 0, 1, 1]);
    }

    #[test]
    fn two_functions_fill_from_both_ends() {
        let idx: Vec<u32> = (0..41u32).map(|i| (i * 5 + i / 3) % 2).collect();
        for tile in [1, 2, 7, 41] {
            check(2, tile, &idx);
        }
        check(2, 8, &[0; 9]);
        check(2, 8, &[1; 9]);
        check(2, 3, &[1, 0, 0, 1, 1]);
    }

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

    #[test]
    fn routing_by_code_matches_the_closures() {
        // Three closure types, functions interleaved, so that positions
        // within a code differ from function numbers.
        let mut table = FuncTable::<f64>::new();
        for j in 0..12 {
            let a = j as f64;
            match j % 3 {
                0 => table.push_fn(move |x: f64| x + a),
                1 => table.push_fn(move |x: f64| x * a),
                _ => table.push_fn(move |x: f64| a - x),
            };
        }
        let want = |j: u32, x: f64| match j % 3 {
            0 => x + j as f64,
            1 => x * j as f64,
            _ => j as f64 - x,
        };
        let idx: Vec<u32> = (0..100u32).map(|p| (p * 5 + p / 7) % 12).collect();
        let x: Vec<f64> = (0..100).map(|p| p as f64 * 0.25).collect();
        for tile_len in [1, 7, 64, 100] {
            let mut scratch = CodeScratch::new(3, tile_len);
            let mut out = vec![f64::NAN; 100];
            for ((i, x), o) in idx
                .chunks(tile_len)
                .zip(x.chunks(tile_len))
                .zip(out.chunks_mut(tile_len))
            {
                scratch.run_tile(table.functions(), i, x, o);
            }
            for (p, (&j, &o)) in idx.iter().zip(&out).enumerate() {
                assert_eq!(o, want(j, x[p]), "tile {tile_len} point {p}");
            }
        }
    }
}
