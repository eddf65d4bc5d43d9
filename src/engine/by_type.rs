//! The by-type strategy: the grouping passes (`grouping.rs`) over group
//! numbers (one per Rust type) instead of function numbers, for tables of
//! closures. A table of 8 closure types and 100,000 captures has 8
//! segments per tile, not up to 100,000; each segment is streamed with its
//! points' positions in their group, the closure body inlined.

use super::grouping::{Grouping, combine};
use crate::float::Float;
use crate::index::Index;
use crate::table::Functions;

/// Per-worker scratch for the by-type strategy, allocated once and reused
/// for every tile of the worker.
pub(super) struct ByTypeScratch<T> {
    grouping: Grouping,
    /// Per point of the tile: its group, and its position in the group.
    groups: Vec<u8>,
    positions: Vec<u32>,
    /// Gathered values and their positions, grouped by group.
    buf: Vec<T>,
    buf_positions: Vec<u32>,
    dest: Vec<u32>,
}

/// The by-type strategy numbers the groups of a tile with `u8`.
pub(super) const MAX_GROUPS: usize = 256;

impl<T: Float> ByTypeScratch<T> {
    /// Scratch for tiles of up to `tile_len` points and `groups` groups
    /// (at most [`MAX_GROUPS`]).
    pub(super) fn new(groups: usize, tile_len: usize) -> Self {
        assert!(groups <= MAX_GROUPS, "group numbers are u8");
        ByTypeScratch {
            grouping: Grouping::new(groups, tile_len),
            groups: vec![0; tile_len],
            positions: vec![0; tile_len],
            buf: vec![T::ZERO; tile_len],
            buf_positions: vec![0; tile_len],
            dest: vec![0; tile_len],
        }
    }

    /// Evaluates one tile: `out[i] = f[idx[i]](x[i])`, grouped by type.
    /// `idx` must be validated and every group of `functions` must be
    /// closures.
    pub(super) fn run_tile<I: Index>(
        &mut self,
        functions: Functions<'_, T>,
        idx: &[I],
        x: &[T],
        out: &mut [T],
    ) {
        let n = idx.len();
        debug_assert!(x.len() == n && out.len() == n && n <= self.buf.len());
        let groups = &mut self.groups[..n];
        let positions = &mut self.positions[..n];
        let buf = &mut self.buf[..n];
        let buf_positions = &mut self.buf_positions[..n];
        let dest = &mut self.dest[..n];
        groups_and_positions(functions, idx, groups, positions);
        self.grouping.count(&*groups);
        let values = x.iter().copied().zip(positions.iter().copied());
        self.grouping
            .assign_slots(&*groups, dest, values, |slot, (v, p)| {
                buf[slot] = v;
                buf_positions[slot] = p;
            });
        self.grouping.segments(|g, segment| {
            functions
                .group(g)
                .closures()
                .expect("the by-type strategy runs only on tables of closures")
                .stream_in_place(&buf_positions[segment.clone()], &mut buf[segment])
        });
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

    #[test]
    fn grouping_by_type_matches_the_closures() {
        // Three closure types, functions interleaved, so that positions
        // within a group differ from function numbers.
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
            let mut scratch = ByTypeScratch::new(3, tile_len);
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
