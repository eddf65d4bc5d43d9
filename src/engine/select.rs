//! The select strategy for tiny `k`: run every kernel over the whole tile,
//! then let each point pick its own function's result.
//!
//! With `k <= 2` this is two SIMD kernel passes from `x` into scratch and one
//! blend pass, all in cache: cheaper than the histogram, gather and combine
//! of the bucket passes when the kernels are cheap. Only used with kernels
//! that are pure and cannot panic ([`Kernel::is_pure`]), since they also see
//! points that belong to other functions.

use crate::float::Float;
use crate::index::Index;
use crate::kernel::Kernel;

/// Evaluates one tile. `bufs` must hold at least `kernels.len() * idx.len()`
/// values; `idx` must be validated.
pub fn run_tile<T: Float, I: Index>(
    kernels: &[Box<dyn Kernel<T>>],
    idx: &[I],
    x: &[T],
    out: &mut [T],
    bufs: &mut [T],
) {
    let n = idx.len();
    let bufs = &mut bufs[..kernels.len() * n];
    for (kernel, buf) in kernels.iter().zip(bufs.chunks_exact_mut(n.max(1))) {
        kernel.eval(x, buf);
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
