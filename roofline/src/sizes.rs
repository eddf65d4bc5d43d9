//! Problem sizes and repetitions of one run: small for `--quick`, full
//! otherwise, and the memory roofs' array sizes from the machine's caches.

use crate::machine::Machine;

/// Problem sizes and repetitions of one run.
pub(crate) struct Sizes {
    /// Points per kernel measurement.
    pub kernel_n: usize,
    /// Points in the seed workload, the scaling runs and the tile sweep.
    pub seed_n: usize,
    /// Points for the argsort port (it is 50-100x slower).
    pub argsort_n: usize,
    /// Timed repetitions per measurement (median reported).
    pub reps: usize,
    /// Best-of repetitions for STREAM and the FMA peaks.
    pub roof_reps: usize,
    /// Bytes in each STREAM array, all threads together.
    pub stream_bytes: usize,
    /// Bytes each thread moves per working-set sweep timing.
    pub sweep_bytes: usize,
    /// Iterations of the FMA chains per timing.
    pub fma_iters: u64,
    /// Tile lengths of the sweep.
    pub tile_lens: Vec<usize>,
    /// Points for the numpy script.
    pub numpy_n: usize,
    /// Best-of repetitions for the numpy script.
    pub numpy_reps: usize,
    /// The per-thread L2 size, below which the working-set sweep never
    /// stops.
    l2: usize,
}

/// The smallest working set of the sweep, per thread.
const SWEEP_MIN: usize = 8 << 10;

impl Sizes {
    pub(crate) fn new(quick: bool, machine: &Machine) -> Sizes {
        // Arrays at least 4x all the last-level caches together, and never
        // less than 64 MiB, so STREAM cannot run from cache.
        let stream_bytes = (4 * machine.llc_total).max(64 << 20);
        let l2 = machine.caches.l2;
        if quick {
            Sizes {
                kernel_n: 1 << 20,
                seed_n: 1 << 20,
                argsort_n: 1 << 18,
                reps: 3,
                roof_reps: 2,
                stream_bytes,
                sweep_bytes: 8 << 20,
                fma_iters: 2_000_000,
                tile_lens: vec![1 << 10, 1 << 14, 1 << 18],
                numpy_n: 1 << 18,
                numpy_reps: 1,
                l2,
            }
        } else {
            Sizes {
                kernel_n: 10_000_000,
                seed_n: 10_000_000,
                argsort_n: 10_000_000,
                reps: 15,
                roof_reps: 10,
                stream_bytes,
                sweep_bytes: 64 << 20,
                fma_iters: 20_000_000,
                tile_lens: (8..=20).step_by(2).map(|s| 1 << s).collect(),
                numpy_n: 10_000_000,
                numpy_reps: 3,
                l2,
            }
        }
    }

    /// The working sets per thread of the sweep at `threads`: 8 KiB up to
    /// the STREAM arrays over all threads (the DRAM end), doubling, so the
    /// memory used does not grow with threads; always past twice the L2.
    pub(crate) fn sweep_working_sets(&self, threads: usize) -> Vec<usize> {
        let max = (self.stream_bytes / threads)
            .max(2 * self.l2)
            .max(SWEEP_MIN);
        std::iter::successors(Some(SWEEP_MIN), |&b| b.checked_mul(2))
            .take_while(|&b| b <= max)
            .collect()
    }
}
