//! The bucket strategy for one tile: the grouping passes
//! (`grouping.rs`) by function number, one kernel call per segment, and the
//! combine; and the two-function form, which fills one buffer from both
//! ends and needs neither histogram nor stored slots.

use super::grouping::{Grouping, combine};
use crate::float::Float;
use crate::index::Index;
use crate::table::Functions;

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

    /// Evaluates one tile: `out[i] = f[idx[i]](x[i])`.
    ///
    /// `idx` must already be validated against `functions.len()`: an invalid
    /// index (say, one changed by another thread) gives wrong values, never
    /// an access out of bounds.
    pub(super) fn run_tile<I: Index>(
        &mut self,
        functions: Functions<'_, T>,
        idx: &[I],
        x: &[T],
        out: &mut [T],
    ) {
        let n = idx.len();
        debug_assert!(x.len() == n && out.len() == n && n <= self.buf.len());
        let buf = &mut self.buf[..n];
        if functions.len() == 2 {
            return two_way_tile(functions, idx, x, out, buf);
        }
        let dest = &mut self.dest[..n];
        self.grouping.group_and_gather(idx, x, buf, dest);

        // 4. One kernel call per segment.
        self.grouping
            .segments(|j, segment| functions.eval_in_place(j, &mut buf[segment]));

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
    functions: Functions<'_, T>,
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
        functions.eval_in_place(0, first);
    }
    if !second.is_empty() {
        functions.eval_in_place(1, second);
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

    fn check(k: usize, tile_len: usize, idx: &[u32]) {
        let table = table(k);
        let functions = table.functions();
        let x: Vec<f64> = (0..idx.len()).map(|i| i as f64).collect();
        let mut scratch = BucketScratch::new(k, tile_len);
        let mut out = vec![f64::NAN; idx.len()];
        for ((i, x), o) in idx
            .chunks(tile_len)
            .zip(x.chunks(tile_len))
            .zip(out.chunks_mut(tile_len))
        {
            scratch.run_tile(functions, i, x, o);
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
}
