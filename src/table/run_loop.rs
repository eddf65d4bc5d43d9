//! The loop over runs of equal indices: `out[run] = f_j(x[run])`, one batch
//! call per run, straight from `x` into `out`.
//!
//! It sits below the table because each group of one Rust type
//! instantiates it for its own functions (a static call per run), and the
//! table's view instantiates it for any table (a dynamic call per run). The
//! engine's runs strategy decides when to use it (`engine/runs.rs`).

use crate::float::Float;
use crate::index::Index;

/// How far ahead, in points, the functions' parameters are prefetched;
/// where each is stored (its box, for a boxed kernel) is prefetched twice
/// as far ahead and its table entry three times, so that no step of the
/// chain waits on a miss. The distance only has to cover a miss's latency,
/// so it is not sensitive.
const PREFETCH_AHEAD: usize = 16;

/// Indices tested at once when looking for the end of a run.
const RUN_BLOCK: usize = 32;

/// When [`run_while_with`] stops: at the end of the first run after which
/// the runs so far average fewer than `min_average` points, counting
/// `grace` extra points in their favour (so that a short run or two at the
/// start does not decide).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ShortRuns {
    pub(crate) min_average: usize,
    pub(crate) grace: usize,
}

/// How the runs loop reaches functions: through the table's entries (any
/// table), or straight into one group's typed functions (a table of one
/// Rust type, where the call is static).
pub(crate) trait RunFunctions<T> {
    /// [`Kernel::eval`](crate::Kernel::eval) of function `j`.
    fn eval(&self, j: usize, src: &[T], dst: &mut [T]);
    /// The three prefetch steps for function `j`, farthest ahead first:
    /// each may read what the previous one brought in.
    fn prefetch_far(&self, j: usize);
    fn prefetch_mid(&self, j: usize);
    fn prefetch_near(&self, j: usize);
}

/// Evaluates `out[p] = f_{idx[p]}(x[p])` run by run, stopping where
/// `until` says the runs have turned short; returns how many points it
/// evaluated (`idx.len()` when `until` is `None`). `idx` must be
/// validated.
#[inline]
pub(crate) fn run_while_with<T: Float, I: Index, F: RunFunctions<T>>(
    functions: &F,
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
        // Huge tables: the functions of the next runs, and the objects
        // behind them (a closure's captures), are cache misses; asking for
        // both ahead overlaps them with the current run's work.
        if let Some(ahead) = idx.get(start + 3 * PREFETCH_AHEAD) {
            functions.prefetch_far(ahead.to_usize());
        }
        if let Some(ahead) = idx.get(start + 2 * PREFETCH_AHEAD) {
            functions.prefetch_mid(ahead.to_usize());
        }
        if let Some(ahead) = idx.get(start + PREFETCH_AHEAD) {
            functions.prefetch_near(ahead.to_usize());
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
        functions.eval(j as usize, &x[start..end], &mut out[start..end]);
        start = end;
        runs += 1;
    }
    n
}
