//! The runs strategy: evaluate each run of equal indices in place in `out`.
//!
//! For sorted or grouped indices a tile holds a few long runs. Each run is
//! one [`Kernel::eval`](crate::Kernel::eval) call from `x` straight into
//! `out`: no gather, no combine, no extra copy. The loop itself belongs to
//! the table (`table/run_loop.rs`), which instantiates it per group; this
//! file decides which instance runs.

use crate::float::Float;
use crate::index::Index;
use crate::table::Functions;
use crate::table::run_loop::{ShortRuns, run_while_with};

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

/// Evaluates one tile run by run: `out[run] = f_j(x[run])`.
pub(super) fn run_tile<T: Float, I: Index>(
    functions: Functions<'_, T>,
    idx: &[I],
    x: &[T],
    out: &mut [T],
) {
    run_while(functions, idx, x, out, None);
}

/// Like [`run_tile`], but stops where `until` says the runs have turned
/// short, and returns how many points it evaluated. `None` never stops.
/// A table of one Rust type runs its group's own monomorphised copy of
/// the loop, where each run's call is static.
pub(super) fn run_while<T: Float, I: Index>(
    functions: Functions<'_, T>,
    idx: &[I],
    x: &[T],
    out: &mut [T],
    until: Option<ShortRuns>,
) -> usize {
    if functions.group_count() == 1 {
        return functions
            .group(0)
            .run_while(crate::index::as_slice(idx), x, out, until);
    }
    run_while_with(&functions, idx, x, out, until)
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
