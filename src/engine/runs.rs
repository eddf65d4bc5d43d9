//! The runs strategy: evaluate each run of equal indices in place in `out`.
//!
//! For sorted or grouped indices a tile holds a few long runs. Each run is
//! one [`Kernel::eval`] call from `x` straight into `out`: no gather, no
//! combine, no extra copy.

use crate::float::Float;
use crate::index::Index;
use crate::table::Functions;

/// How far ahead, in points, the functions' parameters are prefetched;
/// where each is stored (its box, for a boxed kernel) is prefetched twice
/// as far ahead and its table entry three times, so that no step of the
/// chain waits on a miss. The distance only has to cover a miss's latency;
/// it is not sensitive (perf-notes.md, "W6 prefetch").
const PREFETCH_AHEAD: usize = 16;

/// Indices tested at once when looking for the end of a run.
const RUN_BLOCK: usize = 32;

/// Number of maximal runs of equal values in `idx` (0 when empty).
/// Branch-free so it vectorises.
pub(super) fn count_runs<I: Index>(idx: &[I]) -> usize {
    if idx.is_empty() {
        return 0;
    }
    let changes: usize = idx
        .iter()
        .zip(&idx[1..])
        .map(|(a, b)| usize::from(a.raw() != b.raw()))
        .sum();
    changes + 1
}

/// Evaluates one tile run by run: `out[run] = kernel(x[run])`.
pub(super) fn run_tile<T: Float, I: Index>(
    kernels: Functions<'_, T>,
    idx: &[I],
    x: &[T],
    out: &mut [T],
) {
    run_while(kernels, idx, x, out, None);
}

/// When [`run_while`] stops: at the end of the first run after which the
/// runs so far average fewer than `min_average` points, counting `grace`
/// extra points in their favour (so that a short run or two at the start
/// does not decide).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ShortRuns {
    pub min_average: usize,
    pub grace: usize,
}

/// How the runs loop reaches functions: through the table's entries (any
/// table), or straight into one code's typed functions (a table of one
/// code, where the kernel call is static).
pub(crate) trait RunFunctions<T> {
    /// [`Kernel::eval`](crate::Kernel::eval) of function `j`.
    fn eval(&self, j: usize, src: &[T], dst: &mut [T]);
    /// The three prefetch steps for function `j`, farthest ahead first:
    /// each may read what the previous one brought in.
    fn prefetch_far(&self, j: usize);
    fn prefetch_mid(&self, j: usize);
    fn prefetch_near(&self, j: usize);
}

/// Like [`run_tile`], but stops where `until` says the runs have turned
/// short, and returns how many points it evaluated. `None` never stops.
/// A table of one code runs its own monomorphised copy of this loop
/// ([`Code::run_while`](crate::code::Code::run_while)).
pub(super) fn run_while<T: Float, I: Index>(
    kernels: Functions<'_, T>,
    idx: &[I],
    x: &[T],
    out: &mut [T],
    until: Option<ShortRuns>,
) -> usize {
    if kernels.code_count() == 1 {
        return kernels
            .code(0)
            .run_while(crate::index::as_slice(idx), x, out, until);
    }
    run_while_with(&kernels, idx, x, out, until)
}

/// The runs loop over any way of reaching the functions.
#[inline]
pub(crate) fn run_while_with<T: Float, I: Index, F: RunFunctions<T>>(
    kernels: &F,
    idx: &[I],
    x: &[T],
    out: &mut [T],
    until: Option<ShortRuns>,
) -> usize {
    let n = idx.len();
    let mut start = 0;
    let mut runs = 0usize;
    while start < n {
        if let Some(rule) = until
            && runs.saturating_mul(rule.min_average) > start + rule.grace
        {
            return start;
        }
        // Huge tables: the kernels of the next runs, and the objects behind
        // them (a closure's captures), are cache misses; asking for both
        // ahead overlaps them with the current run's work (perf-notes.md,
        // "W6 object prefetch").
        if let Some(ahead) = idx.get(start + 3 * PREFETCH_AHEAD) {
            kernels.prefetch_far(ahead.to_usize());
        }
        if let Some(ahead) = idx.get(start + 2 * PREFETCH_AHEAD) {
            kernels.prefetch_mid(ahead.to_usize());
        }
        if let Some(ahead) = idx.get(start + PREFETCH_AHEAD) {
            kernels.prefetch_near(ahead.to_usize());
        }
        let j = idx[start].raw();
        let mut end = start + 1;
        // Long runs: skip whole blocks with a branch-free test that LLVM
        // vectorises, then finish one index at a time.
        // (Most runs of a huge table are one point long: test the next index
        // alone before a whole block.)
        while end + RUN_BLOCK <= n
            && idx[end].raw() == j
            && idx[end..end + RUN_BLOCK]
                .iter()
                .fold(true, |all, i| all & (i.raw() == j))
        {
            end += RUN_BLOCK;
        }
        while end < n && idx[end].raw() == j {
            end += 1;
        }
        kernels.eval(j as usize, &x[start..end], &mut out[start..end]);
        start = end;
        runs += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    //! Also run under Miri (`cargo +nightly miri test --lib engine::runs`),
    //! for the raw-pointer prefetch.

    use super::*;
    use crate::kernel::{FnKernel, Kernel};
    use crate::table::FuncTable;

    #[test]
    fn runs_match_the_kernels_with_objects_of_every_size() {
        // Capturing closures (objects with data behind the box) and a
        // non-capturing one (a zero-sized object: its pointer is dangling,
        // and the prefetch must still be harmless).
        // Pushed boxed: their prefetch goes through the object pointer.
        let mut table = FuncTable::new();
        for j in 0..5 {
            let scale = j as f64 + 1.0;
            table.push_boxed(
                Box::new(FnKernel::new(move |x: f64| x * scale)) as Box<dyn Kernel<f64>>
            );
        }
        table.push_boxed(Box::new(FnKernel::new(|x: f64| -x)));
        let idx: Vec<u32> = (0..100u32).map(|p| (p * 7 / 3) % 6).collect();
        let x: Vec<f64> = (0..100).map(|p| p as f64 + 0.5).collect();
        let mut out = vec![f64::NAN; 100];
        run_tile(table.functions(), &idx, &x, &mut out);
        for (p, (&j, &o)) in idx.iter().zip(&out).enumerate() {
            let want = if j == 5 {
                -x[p]
            } else {
                x[p] * (j as f64 + 1.0)
            };
            assert_eq!(o, want, "point {p}");
        }
    }

    #[test]
    fn counts_runs() {
        assert_eq!(count_runs::<u8>(&[]), 0);
        assert_eq!(count_runs(&[3u8]), 1);
        assert_eq!(count_runs(&[1u32, 1, 2, 2, 2, 1]), 3);
        assert_eq!(count_runs(&[-1i64, 0, -1]), 3);
    }
}
