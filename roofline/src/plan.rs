//! The steps of one run, listed before any of them runs: the progress bar
//! counts this list, so its total cannot drift from what runs.
//!
//! In order: at each thread count STREAM, the working-set sweep (at the
//! first and the last count only) and the FMA peaks; every kernel in f64
//! and f32 at the first and the last count; the seed workload against its
//! baselines, and numpy; the tile sweep on all threads and the thread
//! scaling of every workload; STREAM again at each count (the roof keeps
//! the better of the two runs); then the report is written.

use splitapply_workloads::KernelRow;

use crate::cli::Options;
use crate::kernels::{FloatType, ROLLING_HALF_WIDTHS, kernel_rows};
use crate::labels::{bytes_label, threads_label};
use crate::sizes::Sizes;
use crate::sweeps::{TILE_WORKLOADS, sweep_names};

/// One step of the run: one measurement, or writing the report.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    /// STREAM at a thread count.
    Stream { threads: usize },
    /// One working set of the Triad sweep, in bytes per thread.
    Sweep { threads: usize, bytes: usize },
    /// The FMA peaks at a thread count.
    ComputePeaks { threads: usize },
    /// A kernel row as a map and inside `apply`.
    Kernel {
        threads: usize,
        kernel: KernelRow,
        float: FloatType,
    },
    /// The rolling mean with one half-width.
    Rolling {
        threads: usize,
        half_width: usize,
        float: FloatType,
    },
    /// The seed workload's parallel contenders at a thread count.
    SeedParallel { threads: usize },
    /// The serial `dyn Fn` loop on the seed workload.
    SeedSerial,
    /// The argsort port on the seed workload.
    SeedArgsort,
    /// The numpy originals (a python3 child process).
    Numpy,
    /// Building the workloads of the tile sweep and the scaling runs.
    BuildWorkloads,
    /// One workload at one tile length, on all threads.
    Tile {
        workload: &'static str,
        tile_len: usize,
    },
    /// One workload at one thread count.
    Scaling {
        threads: usize,
        workload: &'static str,
    },
    /// STREAM at a thread count once more, at the end.
    StreamAgain { threads: usize },
    /// Writing report.md, report.json and the figures.
    WriteReport,
}

impl Step {
    /// What the progress bar says while the step runs.
    pub(crate) fn label(&self) -> String {
        let on = |t: &usize| threads_label(*t);
        match self {
            Step::Stream { threads } => format!("STREAM, {}", on(threads)),
            Step::Sweep { threads, bytes } => {
                format!(
                    "working-set sweep, {}, {}",
                    bytes_label(*bytes),
                    on(threads)
                )
            }
            Step::ComputePeaks { threads } => format!("FMA peaks, {}", on(threads)),
            Step::Kernel {
                threads,
                kernel,
                float,
            } => format!("{} {}, {}", kernel.label, float.name(), on(threads)),
            Step::Rolling {
                threads,
                half_width,
                float,
            } => format!(
                "rolling mean w={half_width} {}, {}",
                float.name(),
                on(threads)
            ),
            Step::SeedParallel { threads } => {
                format!("seed: splitapply, dyn Fn loop, bound on {}", on(threads))
            }
            Step::SeedSerial => "seed: dyn Fn loop (serial)".into(),
            Step::SeedArgsort => "seed: argsort port (serial)".into(),
            Step::Numpy => "numpy original (python3)".into(),
            Step::BuildWorkloads => "building the workloads".into(),
            Step::Tile { workload, tile_len } => {
                format!("tile sweep: {workload} tile {tile_len}")
            }
            Step::Scaling { threads, workload } => {
                format!("scaling: {workload} on {}", on(threads))
            }
            Step::StreamAgain { threads } => format!("STREAM again, {}", on(threads)),
            Step::WriteReport => "writing the report".into(),
        }
    }

    /// True for the steps that read the kernels' inputs.
    pub(crate) fn uses_kernel_inputs(&self) -> bool {
        matches!(self, Step::Kernel { .. } | Step::Rolling { .. })
    }

    /// True for the steps that time the seed workload.
    pub(crate) fn uses_seed(&self) -> bool {
        matches!(
            self,
            Step::SeedParallel { .. } | Step::SeedSerial | Step::SeedArgsort
        )
    }

    /// True for the steps that build or time the sweeps' workloads.
    pub(crate) fn uses_workloads(&self) -> bool {
        matches!(
            self,
            Step::BuildWorkloads | Step::Tile { .. } | Step::Scaling { .. }
        )
    }
}

/// Every step of a run with these options and sizes, in order.
pub(crate) fn steps(options: &Options, sizes: &Sizes) -> Vec<Step> {
    let threads = &options.threads;
    let ends = options.end_threads();
    let mut steps = Vec::new();
    for &t in threads {
        steps.push(Step::Stream { threads: t });
        if ends.contains(&t) {
            steps.extend(
                sizes
                    .sweep_working_sets(t)
                    .into_iter()
                    .map(|bytes| Step::Sweep { threads: t, bytes }),
            );
        }
        steps.push(Step::ComputePeaks { threads: t });
    }
    for &t in &ends {
        for kernel in kernel_rows() {
            for float in [FloatType::F64, FloatType::F32] {
                steps.push(Step::Kernel {
                    threads: t,
                    kernel,
                    float,
                });
            }
        }
        for &half_width in ROLLING_HALF_WIDTHS {
            for float in [FloatType::F64, FloatType::F32] {
                steps.push(Step::Rolling {
                    threads: t,
                    half_width,
                    float,
                });
            }
        }
    }
    steps.extend(ends.iter().map(|&t| Step::SeedParallel { threads: t }));
    steps.extend([Step::SeedSerial, Step::SeedArgsort, Step::Numpy]);
    steps.push(Step::BuildWorkloads);
    for workload in TILE_WORKLOADS {
        for &tile_len in &sizes.tile_lens {
            steps.push(Step::Tile { workload, tile_len });
        }
    }
    for &t in threads {
        for workload in sweep_names() {
            steps.push(Step::Scaling {
                threads: t,
                workload,
            });
        }
    }
    steps.extend(threads.iter().map(|&t| Step::StreamAgain { threads: t }));
    steps.push(Step::WriteReport);
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::Machine;

    fn options(threads: &[usize]) -> Options {
        let mut args = vec!["--quick".to_string(), "--threads".to_string()];
        args.push(
            threads
                .iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(","),
        );
        Options::parse(args).expect("valid arguments")
    }

    fn count(steps: &[Step], what: impl Fn(&Step) -> bool) -> usize {
        steps.iter().filter(|s| what(s)).count()
    }

    #[test]
    fn every_measurement_is_a_step() {
        let options = options(&[1, 2, 4]);
        let sizes = Sizes::new(true, &Machine::detect(&options.threads));
        let steps = steps(&options, &sizes);
        let (all, ends) = (3, 2);
        let sweep_points: usize = [1, 4]
            .iter()
            .map(|&t| sizes.sweep_working_sets(t).len())
            .sum();
        assert_eq!(count(&steps, |s| matches!(s, Step::Stream { .. })), all);
        assert_eq!(
            count(&steps, |s| matches!(s, Step::Sweep { threads: 2, .. })),
            0,
            "the sweep runs at the first and the last thread count only"
        );
        assert_eq!(
            count(&steps, |s| matches!(s, Step::Sweep { .. })),
            sweep_points
        );
        assert_eq!(
            count(&steps, |s| matches!(s, Step::Kernel { .. })),
            ends * kernel_rows().len() * 2
        );
        assert_eq!(
            count(&steps, |s| matches!(s, Step::Rolling { .. })),
            ends * ROLLING_HALF_WIDTHS.len() * 2
        );
        assert_eq!(
            count(&steps, |s| s.uses_seed()),
            ends + 2,
            "the parallel contenders at each end, the serial loop and the argsort port"
        );
        assert_eq!(
            count(&steps, |s| matches!(s, Step::Tile { .. })),
            TILE_WORKLOADS.len() * sizes.tile_lens.len()
        );
        // Every catalogue workload an engine can apply, and the rolling mean.
        let catalogue = splitapply_workloads::NAMES.len() - 1;
        assert_eq!(sweep_names().len(), catalogue + 1);
        assert_eq!(
            count(&steps, |s| matches!(s, Step::Scaling { .. })),
            all * (catalogue + 1)
        );
        assert_eq!(
            count(&steps, |s| matches!(s, Step::StreamAgain { .. })),
            all
        );
        assert!(matches!(steps.last(), Some(Step::WriteReport)));
        assert_eq!(count(&steps, |s| matches!(s, Step::WriteReport)), 1);
    }

    #[test]
    fn shared_inputs_are_used_by_consecutive_steps() {
        // The run builds each group's inputs at its first step and drops
        // them at the first step outside it: each group must be one stretch.
        let options = options(&[1, 2]);
        let sizes = Sizes::new(true, &Machine::detect(&options.threads));
        let steps = steps(&options, &sizes);
        let uses: [fn(&Step) -> bool; 3] = [
            Step::uses_kernel_inputs,
            Step::uses_seed,
            Step::uses_workloads,
        ];
        for uses in uses {
            let at: Vec<usize> = (0..steps.len()).filter(|&i| uses(&steps[i])).collect();
            assert!(!at.is_empty());
            assert_eq!(at.last().unwrap() - at[0] + 1, at.len(), "{at:?}");
        }
        assert!(matches!(
            steps.iter().find(|s| s.uses_workloads()),
            Some(Step::BuildWorkloads)
        ));
    }
}
