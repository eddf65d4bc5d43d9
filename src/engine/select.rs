//! The select strategies: every candidate function runs over every point
//! of a block, then each point keeps its own candidate's result.
//!
//! - **By function**, for tiny `k` (at most 2) with pure kernels: two SIMD
//!   kernel passes from `x` into scratch and one pass that picks, cheaper
//!   than the histogram, gather and combine of the bucket passes when the
//!   kernels are cheap.
//! - **By type**, when every group of the table is a pure kernel type
//!   without parameters (all the `Exp` of a table are one function, all
//!   its `Sqrt` another): each group's one function runs over every point.
//!   Two groups cost two passes however many functions the table has.
//!
//! Only pure kernels that cannot panic ([`Kernel::is_pure`]) are run this
//! way, since they also see points that belong to other functions.
//!
//! The passes go block by block ([`BLOCK`] points), so that a block's `x`,
//! candidate results, choices and output stay in L1 between the passes;
//! over a whole tile they would stream several times the data through L2
//! and be bound by it.
//!
//! [`Kernel::is_pure`]: crate::Kernel::is_pure

use crate::float::Float;
use crate::index::Index;
use crate::table::Functions;

/// Points per block: with two candidates a block touches `x`, two result
/// buffers and `out` (8 bytes each for f64) plus the choices, 9 KiB at
/// 256 points, well inside a 32 KiB L1, with room for the kernels' own
/// constants.
const BLOCK: usize = 256;

/// Per-worker scratch for the select strategies: one block's group
/// numbers and every candidate's results.
pub(super) struct SelectScratch<T> {
    groups: Vec<u8>,
    results: Vec<T>,
}

impl<T: Float> SelectScratch<T> {
    /// Scratch for `candidates` candidates (functions, or groups: at most
    /// 256) and tiles of up to `tile_len` points.
    pub(super) fn new(candidates: usize, tile_len: usize) -> Self {
        let block = BLOCK.min(tile_len.max(1));
        SelectScratch {
            groups: vec![0; block],
            results: vec![T::ZERO; candidates * block],
        }
    }

    /// Selecting by function: each point keeps function `idx[p]`'s
    /// result. Every function must be pure; `idx` must be validated.
    pub(super) fn by_function<I: Index>(
        &mut self,
        functions: Functions<'_, T>,
        idx: &[I],
        x: &[T],
        out: &mut [T],
    ) {
        let candidates = functions.len();
        let blocks = idx.chunks(BLOCK).zip(x.chunks(BLOCK));
        for ((idx, x), out) in blocks.zip(out.chunks_mut(BLOCK)) {
            let results = &mut self.results[..candidates * idx.len()];
            select_block(idx, x, out, results, |j, x, r| functions.eval(j, x, r));
        }
    }

    /// Selecting by type: each point keeps its group's one function's
    /// result. Every group must have one pure function
    /// ([`TypeGroup::single_pure`](crate::table::TypeGroup::single_pure));
    /// `idx` must be validated.
    pub(super) fn by_type<I: Index>(
        &mut self,
        functions: Functions<'_, T>,
        idx: &[I],
        x: &[T],
        out: &mut [T],
    ) {
        let single = |g: usize| {
            functions
                .group(g)
                .single_pure()
                .expect("selecting by type needs one pure function per group")
        };
        let candidates = functions.group_count();
        if candidates == 1 {
            // One function however many entries: a map.
            return single(0).eval(x, out);
        }
        let entries = functions.entries();
        let last = entries.len().saturating_sub(1);
        let blocks = idx.chunks(BLOCK).zip(x.chunks(BLOCK));
        for ((idx, x), out) in blocks.zip(out.chunks_mut(BLOCK)) {
            let groups = &mut self.groups[..idx.len()];
            // Clamped: a wrong value for an index changed under the call,
            // never a wrong access.
            for (g, &i) in groups.iter_mut().zip(idx) {
                *g = entries[i.to_usize().min(last)].group as u8;
            }
            let results = &mut self.results[..candidates * idx.len()];
            select_block(&*groups, x, out, results, |g, x, r| single(g).eval(x, r));
        }
    }
}

/// One block: `eval(c, x, results_c)` for every candidate `c`, then
/// `out[p] = results_{choices[p]}[p]`. `results` holds a block's worth of
/// values per candidate; `choices` must be below the candidate count.
#[inline]
fn select_block<T: Float, C: Index>(
    choices: &[C],
    x: &[T],
    out: &mut [T],
    results: &mut [T],
    eval: impl Fn(usize, &[T], &mut [T]),
) {
    let n = choices.len();
    for (c, r) in results.chunks_exact_mut(n.max(1)).enumerate() {
        eval(c, x, r);
    }
    match results.split_at(n) {
        // Two candidates: a blend LLVM vectorises.
        (first, second) if second.len() == n => {
            for (((o, &c), &r0), &r1) in out.iter_mut().zip(choices).zip(first).zip(second) {
                *o = if c.raw() == 0 { r0 } else { r1 };
            }
        }
        _ => {
            for (p, (o, &c)) in out.iter_mut().zip(choices).enumerate() {
                *o = results[c.to_usize() * n + p];
            }
        }
    }
}
