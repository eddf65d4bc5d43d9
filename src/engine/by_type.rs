//! The by-type strategy: the grouping passes (`grouping.rs`) over group
//! numbers (one per Rust type) instead of function numbers, for tables of
//! closures. A table of 8 closure types and 100,000 captures has 8
//! segments per tile, not up to 100,000; each segment is streamed with its
//! points' positions in their group, the closure body inlined.

use super::grouping::{Grouping, combine};
use super::partition;
use crate::float::Float;
use crate::grouping_path::GroupingPath;
use crate::index::Index;
use crate::table::Functions;

/// Per-worker scratch for the by-type strategy, allocated once and reused
/// for every tile of the worker.
pub(super) struct ByTypeScratch<T> {
    /// The partition passes for at most [`partition::MAX_GROUPS`] groups,
    /// else the counting-sort passes.
    few: Option<GroupingPath>,
    grouping: Grouping,
    /// Per point of the tile: its group, and its position in the group.
    groups: Vec<u8>,
    positions: Vec<u32>,
    /// Gathered values and their positions, grouped by group.
    buf: Vec<T>,
    buf_positions: Vec<u32>,
    /// The counting-sort passes' slots (empty on the partition passes).
    dest: Vec<u32>,
}

/// The by-type strategy numbers the groups of a tile with `u8`.
pub(super) const MAX_GROUPS: usize = 256;

impl<T: Float> ByTypeScratch<T> {
    /// Scratch for tiles of up to `tile_len` points and `groups` groups
    /// (at most [`MAX_GROUPS`]), partitioned on `path` when they are few.
    pub(super) fn new(groups: usize, tile_len: usize, path: GroupingPath) -> Self {
        assert!(groups <= MAX_GROUPS, "group numbers are u8");
        let few = (groups <= partition::MAX_GROUPS).then_some(path);
        let buf_len = match few {
            Some(_) => partition::buffer_len(tile_len, groups),
            None => tile_len,
        };
        ByTypeScratch {
            few,
            grouping: Grouping::new(if few.is_some() { 0 } else { groups }, tile_len),
            groups: vec![0; tile_len],
            positions: vec![0; tile_len],
            buf: vec![T::ZERO; buf_len],
            buf_positions: vec![0; buf_len],
            dest: vec![0; if few.is_some() { 0 } else { tile_len }],
        }
    }

    /// Evaluates one tile: `out[i] = f[idx[i]](x[i])`, grouped by type.
    /// `idx` must be validated and every group of `functions` must stream
    /// (closures, a kernel family) or be one pure function (a
    /// parameterless kernel type).
    pub(super) fn run_tile<I: Index>(
        &mut self,
        functions: Functions<'_, T>,
        idx: &[I],
        x: &[T],
        out: &mut [T],
    ) {
        let n = idx.len();
        debug_assert!(x.len() == n && out.len() == n && n <= self.groups.len());
        let groups = &mut self.groups[..n];
        let positions = &mut self.positions[..n];
        groups_and_positions(functions, idx, groups, positions);
        // A group of one pure function ignores the positions.
        let stream = |g: usize, positions: &[u32], xs: &mut [T]| {
            let group = functions.group(g);
            match (group.streaming(), group.single_pure()) {
                (Some(s), _) => s.stream_in_place(positions, xs),
                (None, Some(f)) => f.eval_in_place(xs),
                (None, None) => unreachable!("bucketing by type needs groups that stream"),
            }
        };
        if let Some(path) = self.few {
            let (buf, buf_positions) = (&mut self.buf[..], &mut self.buf_positions[..]);
            let count = functions.group_count();
            let segments = partition::partition(
                path,
                groups,
                count,
                x,
                buf,
                Some((positions, buf_positions)),
            );
            segments
                .each(|g, segment| stream(g, &buf_positions[segment.clone()], &mut buf[segment]));
            partition::combine(groups, &segments, buf, out);
            return;
        }
        let buf = &mut self.buf[..n];
        let buf_positions = &mut self.buf_positions[..n];
        let dest = &mut self.dest[..n];
        self.grouping.count(&*groups);
        let values = x.iter().copied().zip(positions.iter().copied());
        self.grouping
            .assign_slots(&*groups, dest, values, |slot, (v, p)| {
                buf[slot] = v;
                buf_positions[slot] = p;
            });
        self.grouping
            .segments(|g, segment| stream(g, &buf_positions[segment.clone()], &mut buf[segment]));
        combine(dest, buf, out);
    }
}

/// Each point's group and its position within the group. `idx` must be
/// validated; an index out of range is clamped (a wrong value, never a
/// wrong access).
#[inline]
fn groups_and_positions<T: Float, I: Index>(
    functions: Functions<'_, T>,
    idx: &[I],
    groups: &mut [u8],
    positions: &mut [u32],
) {
    let entries = functions.entries();
    let last = entries.len().saturating_sub(1);
    for ((g, p), &i) in groups.iter_mut().zip(positions.iter_mut()).zip(idx) {
        let e = entries[i.to_usize().min(last)];
        *g = e.group as u8;
        *p = e.pos;
    }
}

#[cfg(test)]
mod tests {
    //! Also run under Miri.

    use super::*;
    use crate::table::FuncTable;

    /// `k` functions of three closure types, interleaved, so that positions
    /// within a group differ from function numbers: function `j` is
    /// `x + j`, `x * j` or `j - x` as `j % 3` is 0, 1 or 2.
    fn three_closure_types(k: usize) -> FuncTable<f64> {
        let mut table = FuncTable::new();
        for j in 0..k {
            let a = j as f64;
            match j % 3 {
                0 => table.push_fn(move |x: f64| x + a),
                1 => table.push_fn(move |x: f64| x * a),
                _ => table.push_fn(move |x: f64| a - x),
            };
        }
        table
    }

    /// Indices past the table give wrong values or a panic, never an
    /// access out of bounds (which Miri would report).
    #[test]
    fn indices_past_the_table_stay_in_bounds() {
        let table = three_closure_types(6);
        let idx: Vec<u32> = (0..20u32)
            .map(|i| match i % 4 {
                0 => 6,
                1 => u32::MAX,
                _ => i % 6,
            })
            .collect();
        let x: Vec<f64> = (0..20).map(f64::from).collect();
        for path in GroupingPath::available() {
            let mut scratch = ByTypeScratch::new(3, 8, path);
            let mut out = vec![f64::NAN; idx.len()];
            for ((i, x), o) in idx.chunks(8).zip(x.chunks(8)).zip(out.chunks_mut(8)) {
                let run =
                    std::panic::AssertUnwindSafe(|| scratch.run_tile(table.functions(), i, x, o));
                // A panic is allowed; the scratch is then rebuilt.
                if std::panic::catch_unwind(run).is_err() {
                    scratch = ByTypeScratch::new(3, 8, path);
                }
            }
        }
    }

    #[test]
    fn grouping_by_type_matches_the_closures() {
        let table = three_closure_types(12);
        let want = |j: u32, x: f64| match j % 3 {
            0 => x + j as f64,
            1 => x * j as f64,
            _ => j as f64 - x,
        };
        let idx: Vec<u32> = (0..100u32).map(|p| (p * 5 + p / 7) % 12).collect();
        let x: Vec<f64> = (0..100).map(|p| p as f64 * 0.25).collect();
        // Every partition path, and the counting-sort passes (which the
        // engine uses above 16 groups).
        let paths = GroupingPath::available().into_iter().map(Some);
        for few in paths.chain([None]) {
            for tile_len in [1, 7, 64, 100] {
                let mut scratch = ByTypeScratch::new(3, tile_len, GroupingPath::Portable);
                if let Some(path) = few {
                    scratch = ByTypeScratch::new(3, tile_len, path);
                } else {
                    scratch.few = None;
                    scratch.grouping = Grouping::new(3, tile_len);
                    scratch.dest = vec![0; tile_len];
                }
                let mut out = vec![f64::NAN; 100];
                for ((i, x), o) in idx
                    .chunks(tile_len)
                    .zip(x.chunks(tile_len))
                    .zip(out.chunks_mut(tile_len))
                {
                    scratch.run_tile(table.functions(), i, x, o);
                }
                for (p, (&j, &o)) in idx.iter().zip(&out).enumerate() {
                    assert_eq!(o, want(j, x[p]), "{few:?} tile {tile_len} point {p}");
                }
            }
        }
    }
}
