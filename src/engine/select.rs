//! The select strategy for tiny `k`: run every kernel over the tile, then
//! let each point pick its own function's result.
//!
//! With `k <= 2` this is two SIMD kernel passes from `x` into scratch and one
//! blend pass: cheaper than the histogram, gather and combine of the bucket
//! passes when the kernels are cheap. Only used with kernels that are pure
//! and cannot panic ([`Kernel::is_pure`]), since they also see points that
//! belong to other functions.
//!
//! The same idea by code ([`BlendScratch`]): when every code of a table is
//! a pure kernel type without parameters (all the `Exp` of a table are one
//! function, all its `Sqrt` another), each code runs over every point and
//! each point keeps its own code's result. Two codes cost two passes
//! however many functions the table has, and no bucketing.
//!
//! The passes go block by block ([`BLOCK`] points), so that a block's `x`,
//! kernel results, indices and output stay in L1 between the passes; over a
//! whole tile they stream several times the data through L2 and are bound
//! by it (perf-notes.md, "W4 select in 256-point blocks").

use crate::float::Float;
use crate::index::Index;
use crate::table::Functions;

/// Points per block: with `k = 2` a block touches `x`, two result buffers
/// and `out` (8 bytes each for f64) plus the indices, 9 KiB at 256 points,
/// well inside a 32 KiB L1, with room for the kernels' own constants.
const BLOCK: usize = 256;

/// The scratch [`run_tile`] needs for `k` kernels and tiles of `tile_len`
/// points.
pub(super) fn scratch_len(k: usize, tile_len: usize) -> usize {
    k * BLOCK.min(tile_len.max(1))
}

/// Evaluates one tile. `bufs` must hold at least
/// [`scratch_len`]`(kernels.len(), idx.len())` values; `idx` must be
/// validated.
pub(super) fn run_tile<T: Float, I: Index>(
    kernels: Functions<'_, T>,
    idx: &[I],
    x: &[T],
    out: &mut [T],
    bufs: &mut [T],
) {
    let blocks = idx.chunks(BLOCK).zip(x.chunks(BLOCK));
    for ((idx, x), out) in blocks.zip(out.chunks_mut(BLOCK)) {
        run_block(kernels, idx, x, out, bufs);
    }
}

/// The select passes over one block of at most [`BLOCK`] points.
fn run_block<T: Float, I: Index>(
    kernels: Functions<'_, T>,
    idx: &[I],
    x: &[T],
    out: &mut [T],
    bufs: &mut [T],
) {
    let n = idx.len();
    let bufs = &mut bufs[..kernels.len() * n];
    for (j, buf) in bufs.chunks_exact_mut(n.max(1)).enumerate() {
        kernels.eval(j, x, buf);
    }
    match bufs.split_at(n) {
        // k = 2: a blend LLVM vectorises.
        (first, second) if second.len() == n => {
            for (((o, &i), &f0), &f1) in out.iter_mut().zip(idx).zip(first).zip(second) {
                *o = if i.raw() == 0 { f0 } else { f1 };
            }
        }
        _ => {
            for (p, (o, &i)) in out.iter_mut().zip(idx).enumerate() {
                *o = bufs[i.to_usize() * n + p];
            }
        }
    }
}

/// Per-worker scratch for blending by code: one block's codes and per-code
/// results.
pub(super) struct BlendScratch<T> {
    codes: Vec<u8>,
    bufs: Vec<T>,
}

impl<T: Float> BlendScratch<T> {
    /// Scratch for a table of `codes` codes (at most 256).
    pub(super) fn new(codes: usize) -> Self {
        assert!(codes <= 256, "blending numbers codes with u8");
        BlendScratch {
            codes: vec![0; BLOCK],
            bufs: vec![T::ZERO; codes * BLOCK],
        }
    }

    /// Evaluates one tile: every code over every point of each block, each
    /// point keeping its own code's result. Every code of `functions` must
    /// blend; `idx` must be validated.
    pub(super) fn run_tile<I: Index>(
        &mut self,
        functions: Functions<'_, T>,
        idx: &[I],
        x: &[T],
        out: &mut [T],
    ) {
        if functions.code_count() == 1 {
            // One function however many entries: a map.
            return functions.code(0).eval_all(x, out);
        }
        let blocks = idx.chunks(BLOCK).zip(x.chunks(BLOCK));
        for ((idx, x), out) in blocks.zip(out.chunks_mut(BLOCK)) {
            self.run_block(functions, idx, x, out);
        }
    }

    fn run_block<I: Index>(
        &mut self,
        functions: Functions<'_, T>,
        idx: &[I],
        x: &[T],
        out: &mut [T],
    ) {
        let n = idx.len();
        let codes = &mut self.codes[..n];
        functions.codes_of(idx, codes);
        let count = functions.code_count();
        let bufs = &mut self.bufs[..count * n];
        for (c, buf) in bufs.chunks_exact_mut(n.max(1)).enumerate() {
            functions.code(c).eval_all(x, buf);
        }
        match bufs.split_at(n) {
            // Two codes: a blend LLVM vectorises.
            (first, second) if second.len() == n => {
                for (((o, &c), &r0), &r1) in out.iter_mut().zip(&*codes).zip(first).zip(second) {
                    *o = if c == 0 { r0 } else { r1 };
                }
            }
            _ => {
                for (p, (o, &c)) in out.iter_mut().zip(&*codes).enumerate() {
                    *o = bufs[usize::from(c) * n + p];
                }
            }
        }
    }
}
