//! The roofline report: measures this machine's memory and compute roofs,
//! places every splitapply kernel on them, and compares the seed workload
//! with the baselines a user would otherwise pick.
//!
//! ```text
//! cargo roofline                              # 2-4 minutes on 2 cores
//! cargo roofline --quick                      # smoke test, under 40 s
//! cargo roofline --threads 1,2,4 --out DIR
//! ```
//!
//! Thread counts default to 1, 2, 4, ... and all cores. STREAM, the FMA
//! peaks and thread scaling run at every count; the working-set sweep, the
//! kernels and the seed baselines at the first and the last only, which
//! keeps the run time bounded on many-core machines.
//!
//! Writes `report.md`, `report.json` and SVG figures to `target/roofline/`
//! (or `--out DIR`), prints a summary to stdout and a progress bar to stderr.
//!
//! One file per concern: `machine` (what it ran on), `memory` (STREAM and
//! the working-set sweep), `compute` (FMA peaks), `kernels` (every built-in
//! kernel as a map and inside `apply`), `workloads` (seed baselines, tile
//! sweep, thread scaling), `roofs` (which roof binds each point), `report`
//! (Markdown, JSON, stdout) and `plots` (SVG).

use splitapply_workloads as support;

mod cli;
mod compute;
mod kernels;
mod machine;
mod memory;
mod plots;
mod report;
mod roofs;
mod timing;
mod workloads;

use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use cli::Options;
use kernels::{Inputs, KERNELS, ROLLING_HALF_WIDTHS};
use report::Results;
use timing::pool;

/// Problem sizes and repetitions of one run.
pub struct Sizes {
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
}

impl Sizes {
    fn new(quick: bool) -> Sizes {
        if quick {
            Sizes {
                kernel_n: 1 << 20,
                seed_n: 1 << 20,
                argsort_n: 1 << 18,
                reps: 3,
                roof_reps: 2,
                sweep_bytes: 8 << 20,
                fma_iters: 2_000_000,
                tile_lens: vec![1 << 10, 1 << 14, 1 << 18],
                numpy_n: 1 << 18,
                numpy_reps: 1,
            }
        } else {
            Sizes {
                kernel_n: 10_000_000,
                seed_n: 10_000_000,
                argsort_n: 10_000_000,
                reps: 15,
                roof_reps: 10,
                sweep_bytes: 64 << 20,
                fma_iters: 20_000_000,
                tile_lens: (8..=20).step_by(2).map(|s| 1 << s).collect(),
                numpy_n: 10_000_000,
                numpy_reps: 3,
            }
        }
    }
}

fn main() {
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(if message == cli::USAGE { 0 } else { 2 });
        }
    };
    let started = Instant::now();
    let sizes = Sizes::new(options.quick);
    let machine = machine::Machine::detect(&options.threads);
    if let Some(warning) = machine.warning() {
        eprintln!("WARNING: {warning}");
    }
    let caches = machine.caches;
    // Arrays at least 4x all the last-level caches together, and never less
    // than 64 MiB, so STREAM cannot run from cache.
    let stream_bytes = (4 * machine.llc_total).max(64 << 20);
    let threads = options.threads.clone();
    let ends = options.end_threads();
    let t_count = threads.len() as u64;
    let e_count = ends.len() as u64;

    // Sweep sizes: 8 KiB per thread up to the STREAM arrays over all threads
    // (the DRAM end), so the memory used does not grow with threads.
    let sweep_min = 8 << 10;
    let sweep_max = |t: usize| (stream_bytes / t).max(2 * caches.l2).max(sweep_min);
    let sweep_steps: u64 = ends
        .iter()
        .map(|&t| (sweep_max(t) / sweep_min).ilog2() as u64 + 1)
        .sum();
    let steps = t_count * 2
        + sweep_steps
        + e_count * 2 * (KERNELS.len() + ROLLING_HALF_WIDTHS.len()) as u64
        + e_count
        + 4
        + 2 * sizes.tile_lens.len() as u64
        + 8 * t_count
        + t_count
        + 1;
    let bar = ProgressBar::new(steps);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} {msg}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    let step = |msg: &str| {
        bar.set_message(msg.to_string());
        bar.inc(1);
    };

    let mut results = Results::new(machine, options.clone(), &sizes);

    for &t in &threads {
        let pool = pool(t);
        step(&format!("STREAM, {t} threads"));
        results
            .streams
            .push(memory::stream(&pool, stream_bytes, sizes.roof_reps));
        if ends.contains(&t) {
            results.sweep.extend(memory::working_set_sweep(
                &pool,
                sweep_min,
                sweep_max(t),
                sizes.sweep_bytes,
                sizes.reps.min(5),
                || step(&format!("working-set sweep, {t} threads")),
            ));
        }
        step(&format!("FMA peaks, {t} threads"));
        results.computes.push(compute::peaks(
            &pool,
            sizes.fma_iters,
            sizes.roof_reps.min(4),
        ));
    }

    let inputs64 = Inputs::<f64>::new(sizes.kernel_n, 11);
    let inputs32 = Inputs::<f32>::new(sizes.kernel_n, 12);
    for &t in &ends {
        let pool = pool(t);
        for kernel in KERNELS {
            let name = kernel.sample_label;
            step(&format!("{name} f64, {t} threads"));
            results.kernels.extend(kernels::measure_kernel(
                &pool, kernel, &inputs64, sizes.reps,
            ));
            step(&format!("{name} f32, {t} threads"));
            results.kernels.extend(kernels::measure_kernel(
                &pool, kernel, &inputs32, sizes.reps,
            ));
        }
        for &w in ROLLING_HALF_WIDTHS {
            step(&format!("rolling mean w={w} f64, {t} threads"));
            results
                .kernels
                .push(kernels::measure_rolling(&pool, w, &inputs64, sizes.reps));
            step(&format!("rolling mean w={w} f32, {t} threads"));
            results
                .kernels
                .push(kernels::measure_rolling(&pool, w, &inputs32, sizes.reps));
        }
    }
    drop((inputs64, inputs32));

    results.baselines =
        workloads::seed_baselines(&ends, sizes.seed_n, sizes.argsort_n, sizes.reps, step);
    step("numpy original (python3)");
    results.numpy = workloads::numpy(sizes.numpy_n, sizes.numpy_reps);

    step("building the workloads");
    let workloads = workloads::workloads(sizes.seed_n);
    let all = pool(options.max_threads());
    results.tiles = workloads::tile_sweep(&all, &workloads, &sizes.tile_lens, sizes.reps, step);
    results.scaling = workloads::scaling(&threads, &workloads, sizes.reps, step);
    drop(workloads);

    for (&t, first) in threads.iter().zip(&mut results.streams) {
        step(&format!("STREAM again, {t} threads"));
        first.merge_best(&memory::stream(&pool(t), stream_bytes, sizes.roof_reps));
    }

    step("writing the report");
    results.elapsed_s = started.elapsed().as_secs_f64();
    let written = report::write(&results, &options.out).and_then(|mut files| {
        files.extend(plots::draw(&results, &options.out)?);
        Ok(files)
    });
    bar.finish_and_clear();
    match written {
        Ok(files) => {
            report::print_summary(&results);
            println!(
                "\nwrote {} files to {}:",
                files.len(),
                options.out.display()
            );
            for f in files {
                println!("  {}", f.display());
            }
            println!("measured in {:.0} s", results.elapsed_s);
        }
        Err(e) => {
            eprintln!(
                "error: writing the report to {}: {e}",
                options.out.display()
            );
            std::process::exit(1);
        }
    }
}
