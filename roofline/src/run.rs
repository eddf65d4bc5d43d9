//! Runs the steps of the plan one at a time, keeping what several steps
//! share: the thread pool of the current thread count, and the inputs of
//! a group of steps, built by the first step that needs them and dropped
//! at the first step that does not (so that the large inputs of one part
//! of the run never share memory with those of the next).

use std::path::PathBuf;
use std::time::Instant;

use crate::compute;
use crate::kernels::{self, FloatType, KernelInputs};
use crate::memory;
use crate::numpy;
use crate::plan::Step;
use crate::report::{self, Written};
use crate::results::Results;
use crate::seed::Seed;
use crate::sizes::Sizes;
use crate::sweeps::{self, SweepWorkloads};
use crate::timing::pool;

/// The rayon pool of the thread count the current step runs at; a new
/// count replaces it.
#[derive(Default)]
struct Pools {
    current: Option<rayon::ThreadPool>,
}

impl Pools {
    fn get(&mut self, threads: usize) -> &rayon::ThreadPool {
        if self
            .current
            .as_ref()
            .is_none_or(|p| p.current_num_threads() != threads)
        {
            // The old pool's threads end before the new pool's start, so
            // that idle workers never share the cores with a measurement.
            self.current = None;
            self.current = Some(pool(threads));
        }
        self.current.as_ref().expect("just built")
    }
}

/// The state of a run between its steps.
pub(crate) struct Run {
    sizes: Sizes,
    out: PathBuf,
    started: Instant,
    results: Results,
    pools: Pools,
    inputs: Option<KernelInputs>,
    seed: Option<Seed>,
    workloads: Option<SweepWorkloads>,
    written: Option<std::io::Result<Written>>,
}

impl Run {
    /// A run that fills `results` and writes the report to `out`; the
    /// report counts its run time from `started`.
    pub(crate) fn new(results: Results, sizes: Sizes, out: PathBuf, started: Instant) -> Run {
        Run {
            sizes,
            out,
            started,
            results,
            pools: Pools::default(),
            inputs: None,
            seed: None,
            workloads: None,
            written: None,
        }
    }

    /// Runs one step of the plan.
    pub(crate) fn step(&mut self, step: &Step) {
        if !step.uses_kernel_inputs() {
            self.inputs = None;
        }
        if !step.uses_seed() {
            self.seed = None;
        }
        if !step.uses_workloads() {
            self.workloads = None;
        }
        let sizes = &self.sizes;
        let r = &mut self.results;
        match *step {
            Step::Stream { threads } => {
                let pool = self.pools.get(threads);
                r.streams
                    .push(memory::stream(pool, sizes.stream_bytes, sizes.roof_reps));
            }
            Step::Sweep { threads, bytes } => {
                let pool = self.pools.get(threads);
                r.sweep.push(memory::sweep_point(
                    pool,
                    bytes,
                    sizes.sweep_bytes,
                    sizes.reps.min(5),
                ));
            }
            Step::ComputePeaks { threads } => {
                let pool = self.pools.get(threads);
                r.computes.push(compute::peaks(
                    pool,
                    sizes.fma_iters,
                    sizes.roof_reps.min(4),
                ));
            }
            Step::Kernel {
                threads,
                ref kernel,
                float,
            } => {
                let pool = self.pools.get(threads);
                let inputs = self
                    .inputs
                    .get_or_insert_with(|| KernelInputs::new(sizes.kernel_n));
                r.kernels.extend(match float {
                    FloatType::F64 => {
                        kernels::measure_kernel(pool, kernel, &inputs.f64, sizes.reps)
                    }
                    FloatType::F32 => {
                        kernels::measure_kernel(pool, kernel, &inputs.f32, sizes.reps)
                    }
                });
            }
            Step::Rolling {
                threads,
                half_width,
                float,
            } => {
                let pool = self.pools.get(threads);
                let inputs = self
                    .inputs
                    .get_or_insert_with(|| KernelInputs::new(sizes.kernel_n));
                r.kernels.push(match float {
                    FloatType::F64 => {
                        kernels::measure_rolling(pool, half_width, &inputs.f64, sizes.reps)
                    }
                    FloatType::F32 => {
                        kernels::measure_rolling(pool, half_width, &inputs.f32, sizes.reps)
                    }
                });
            }
            Step::SeedParallel { threads } => {
                let pool = self.pools.get(threads);
                let seed = self.seed.get_or_insert_with(|| Seed::new(sizes.seed_n));
                r.baselines.extend(seed.parallel(pool, sizes.reps));
            }
            Step::SeedSerial => {
                let seed = self.seed.get_or_insert_with(|| Seed::new(sizes.seed_n));
                r.baselines.push(seed.serial(sizes.reps));
            }
            Step::SeedArgsort => {
                let seed = self.seed.get_or_insert_with(|| Seed::new(sizes.seed_n));
                r.baselines.push(seed.argsort(sizes.argsort_n, sizes.reps));
            }
            Step::Numpy => r.numpy = numpy::numpy(sizes.numpy_n, sizes.numpy_reps),
            Step::BuildWorkloads => self.workloads = Some(SweepWorkloads::new(sizes.seed_n)),
            Step::Tile { workload, tile_len } => {
                let pool = self.pools.get(r.options.max_threads());
                let workloads = self.workloads.as_mut().expect("built by an earlier step");
                r.tiles.push(sweeps::tile_point(
                    pool, workloads, workload, tile_len, sizes.reps,
                ));
            }
            Step::Scaling { threads, workload } => {
                let pool = self.pools.get(threads);
                let workloads = self.workloads.as_mut().expect("built by an earlier step");
                r.scaling
                    .push(sweeps::scaling_point(pool, workloads, workload, sizes.reps));
            }
            Step::StreamAgain { threads } => {
                let pool = self.pools.get(threads);
                let again = memory::stream(pool, sizes.stream_bytes, sizes.roof_reps);
                r.streams
                    .iter_mut()
                    .find(|s| s.threads == threads)
                    .expect("STREAM ran at every thread count")
                    .merge_best(&again);
            }
            Step::WriteReport => {
                self.pools = Pools::default();
                r.elapsed_s = self.started.elapsed().as_secs_f64();
                self.written = Some(report::write(r, &self.out));
            }
        }
    }

    /// The results, and what writing the report gave.
    pub(crate) fn finish(self) -> (Results, std::io::Result<Written>) {
        let written = self
            .written
            .expect("the plan's last step writes the report");
        (self.results, written)
    }
}
