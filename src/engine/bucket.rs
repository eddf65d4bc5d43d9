//! The bucket strategy for one tile: the points grouped by function, one
//! kernel call per segment, and the results put back. Tables of at most
//! [`MAX_GROUPS`] functions use the partition passes (`partition/`), the
//! others the counting-sort passes (`grouping.rs`).

use super::grouping::{Grouping, combine};
use super::partition::{self, MAX_GROUPS};
use crate::float::Float;
use crate::grouping_path::GroupingPath;
use crate::index::Index;
use crate::table::Functions;

/// Per-worker scratch for the bucket passes, allocated once and reused for
/// every tile the worker processes: the partition passes for tables of at
/// most [`MAX_GROUPS`] functions, the counting-sort passes for the rest.
pub(super) enum BucketScratch<T> {
    Few {
        path: GroupingPath,
        /// Each point's function, as a partition id.
        ids: Vec<u8>,
        /// The functions' segments.
        buf: Vec<T>,
    },
    Many {
        grouping: Grouping,
        /// Gathered values, grouped by function.
        buf: Vec<T>,
        /// `dest[p]` is where the tile's point `p` went in `buf`.
        dest: Vec<u32>,
    },
}

impl<T: Float> BucketScratch<T> {
    /// Scratch for tiles of up to `tile_len` points and `k` functions.
    pub(super) fn new(k: usize, tile_len: usize, path: GroupingPath) -> Self {
        if k <= MAX_GROUPS {
            BucketScratch::Few {
                path,
                ids: vec![0; tile_len],
                buf: vec![T::ZERO; partition::buffer_len(tile_len, k)],
            }
        } else {
            BucketScratch::Many {
                grouping: Grouping::new(k, tile_len),
                buf: vec![T::ZERO; tile_len],
                dest: vec![0; tile_len],
            }
        }
    }

    /// Evaluates one tile: `out[i] = f[idx[i]](x[i])`.
    ///
    /// `idx` must already be validated against `functions.len()`: an invalid
    /// index (say, one changed by another thread) gives wrong values or a
    /// panic, never an access out of bounds.
    pub(super) fn run_tile<I: Index>(
        &mut self,
        functions: Functions<'_, T>,
        idx: &[I],
        x: &[T],
        out: &mut [T],
    ) {
        let n = idx.len();
        debug_assert!(x.len() == n && out.len() == n);
        match self {
            BucketScratch::Few { path, ids, buf } => {
                let k = functions.len();
                let ids = &mut ids[..n];
                // Clamped: an index changed under the call gives a wrong
                // value, never a wrong access.
                let last = k.saturating_sub(1);
                for (id, &i) in ids.iter_mut().zip(idx) {
                    *id = i.to_usize().min(last) as u8;
                }
                let segments = partition::partition(*path, ids, k, x, buf, None);
                segments.each(|j, segment| functions.eval_in_place(j, &mut buf[segment]));
                partition::combine(ids, &segments, buf, out);
            }
            BucketScratch::Many {
                grouping,
                buf,
                dest,
            } => {
                let buf = &mut buf[..n];
                let dest = &mut dest[..n];
                grouping.group_and_gather(idx, x, buf, dest);
                // 4. One kernel call per segment.
                grouping.segments(|j, segment| functions.eval_in_place(j, &mut buf[segment]));
                // 5. Combine.
                combine(dest, buf, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! Small cases for the clamped gather (and the passes around it); these
    //! also run under Miri (`cargo +nightly miri test --lib engine::`).

    use super::*;
    use crate::table::FuncTable;

    fn table(k: usize) -> FuncTable<f64> {
        let mut table = FuncTable::with_capacity(k);
        for j in 0..k {
            table.push_fn(move |x: f64| x * 10.0 + j as f64);
        }
        table
    }

    /// Runs `tile` on each tile's indices, values and outputs in turn.
    fn in_tiles(
        tile_len: usize,
        idx: &[u32],
        x: &[f64],
        out: &mut [f64],
        mut tile: impl FnMut(&[u32], &[f64], &mut [f64]),
    ) {
        let tiles = idx.chunks(tile_len).zip(x.chunks(tile_len));
        for ((i, x), o) in tiles.zip(out.chunks_mut(tile_len)) {
            tile(i, x, o);
        }
    }

    fn check(k: usize, tile_len: usize, idx: &[u32]) {
        let table = table(k);
        let functions = table.functions();
        let x: Vec<f64> = (0..idx.len()).map(|i| i as f64).collect();
        for path in GroupingPath::available() {
            let mut scratch = BucketScratch::new(k, tile_len, path);
            let mut out = vec![f64::NAN; idx.len()];
            in_tiles(tile_len, idx, &x, &mut out, |i, x, o| {
                scratch.run_tile(functions, i, x, o)
            });
            for (p, (&j, &o)) in idx.iter().zip(&out).enumerate() {
                assert_eq!(
                    o,
                    p as f64 * 10.0 + j as f64,
                    "{path:?} k={k} tile={tile_len} p={p}"
                );
            }
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

    /// Indices past the table (as another thread could write them after
    /// validation) give wrong values or a panic, never an access out of
    /// bounds: under Miri, such an access would be reported.
    #[test]
    fn indices_past_the_table_stay_in_bounds() {
        for (k, tile_len) in [(1usize, 8usize), (2, 8), (5, 8), (17, 8), (50, 4)] {
            let table = table(k);
            let idx: Vec<u32> = (0..20u32)
                .map(|i| match i % 4 {
                    0 => k as u32,
                    1 => u32::MAX,
                    _ => i % k as u32,
                })
                .collect();
            let x: Vec<f64> = (0..20).map(f64::from).collect();
            for path in GroupingPath::available() {
                let mut scratch = BucketScratch::new(k, tile_len, path);
                let mut out = vec![f64::NAN; idx.len()];
                in_tiles(tile_len, &idx, &x, &mut out, |i, x, o| {
                    let run = std::panic::AssertUnwindSafe(|| {
                        scratch.run_tile(table.functions(), i, x, o)
                    });
                    // A panic is allowed; the scratch is then rebuilt.
                    if std::panic::catch_unwind(run).is_err() {
                        scratch = BucketScratch::new(k, tile_len, path);
                    }
                });
            }
        }
    }

    #[test]
    fn few_functions_are_partitioned() {
        let idx: Vec<u32> = (0..41u32).map(|i| (i * 5 + i / 3) % 2).collect();
        for tile in [1, 2, 7, 41] {
            check(2, tile, &idx);
        }
        check(2, 8, &[0; 9]);
        check(2, 8, &[1; 9]);
        check(2, 3, &[1, 0, 0, 1, 1]);
        // Up to the partition's limit, and one past it (counting sort).
        for k in [3u32, 8, 16, 17] {
            let idx: Vec<u32> = (0..300u32).map(|i| (i * 7 + i / 5) % k).collect();
            for tile in [1, 9, 64, 300] {
                check(k as usize, tile, &idx);
            }
        }
    }
}
