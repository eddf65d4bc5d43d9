//! Everything one run measured, and what follows from it (the roofs at
//! each thread count, theoretical peaks): what the report, the summary and
//! the figures are written from.

use crate::cli::Options;
use crate::compute::{self, Compute};
use crate::kernels::KernelPoint;
use crate::machine::Machine;
use crate::memory::{Stream, SweepPoint};
use crate::numpy::Numpy;
use crate::roofs::Roofs;
use crate::seed::Baseline;
use crate::sizes::Sizes;
use crate::sweeps::{ScalingPoint, TilePoint};

/// All measurements of one run.
pub(crate) struct Results {
    pub machine: Machine,
    pub options: Options,
    pub kernel_n: usize,
    pub seed_n: usize,
    pub auto_tile_len: usize,
    pub fma_pipes: (usize, bool),
    pub streams: Vec<Stream>,
    pub sweep: Vec<SweepPoint>,
    pub computes: Vec<Compute>,
    pub kernels: Vec<KernelPoint>,
    pub baselines: Vec<Baseline>,
    pub numpy: Numpy,
    pub tiles: Vec<TilePoint>,
    pub scaling: Vec<ScalingPoint>,
    pub elapsed_s: f64,
}

impl Results {
    pub(crate) fn new(machine: Machine, options: Options, sizes: &Sizes) -> Results {
        Results {
            machine,
            options,
            kernel_n: sizes.kernel_n,
            seed_n: sizes.seed_n,
            auto_tile_len: splitapply::Engine::new().effective_tile_len::<f64, u32>(),
            fma_pipes: compute::fma_pipes(),
            streams: Vec::new(),
            sweep: Vec::new(),
            computes: Vec::new(),
            kernels: Vec::new(),
            baselines: Vec::new(),
            numpy: Numpy::NotMeasured("not run".into()),
            tiles: Vec::new(),
            scaling: Vec::new(),
            elapsed_s: 0.0,
        }
    }

    /// The roofs at every thread count.
    pub(crate) fn roofs(&self) -> Vec<Roofs> {
        self.streams
            .iter()
            .zip(&self.computes)
            .map(|(s, c)| Roofs::new(s, &self.sweep, c, &self.machine.caches))
            .collect()
    }

    pub(crate) fn max_threads(&self) -> usize {
        self.options.max_threads()
    }

    /// Theoretical FMA peak (GFLOP/s) for `lanes` at `threads`, if the clock
    /// is known.
    /// Threads beyond the physical cores (SMT siblings) add no FMA pipes.
    pub(crate) fn theoretical(&self, lanes: usize, threads: usize) -> Option<f64> {
        let (ghz, _) = self.machine.clock_ghz?;
        let cores = threads.min(self.machine.physical_cores).max(1);
        Some(compute::theoretical(lanes, self.fma_pipes.0, ghz, cores))
    }

    /// The seed baseline `name` at `threads`.
    pub(crate) fn baseline(&self, name: &str, threads: usize) -> Option<&Baseline> {
        self.baselines
            .iter()
            .find(|b| b.name == name && b.threads == threads)
    }
}
