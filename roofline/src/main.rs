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
//! One file per concern:
//! - what to run: `cli` (options), `sizes` (problem sizes), `plan` (the
//!   list of steps), `run` (runs them, keeping what steps share);
//! - what is measured: `machine` (what it ran on), `memory` (STREAM and
//!   the working-set sweep), `compute` (FMA peaks), `kernels` (every
//!   built-in kernel as a map and inside `apply`), `seed` and `numpy` (the
//!   seed workload against its baselines), `sweeps` (tile sweep and thread
//!   scaling of the workloads member's catalogue), `timing`;
//! - what it means and how it is written: `results` (all measurements),
//!   `roofs` (which roof binds each point), `report` (Markdown, JSON, the
//!   summary on stdout), `plots` (SVG, one file per figure), `labels` and
//!   `paths` (how quantities and paths are written).
//!
//! A new measurement is a variant of `plan::Step` (listed in `plan::steps`,
//! run in `run.rs`), a field of `results::Results`, and its rows in
//! `report/markdown/`, `report/json.rs` and, with a figure, `plots/`.

mod cli;
mod compute;
mod kernels;
mod labels;
mod machine;
mod memory;
mod numpy;
mod paths;
mod plan;
mod plots;
mod report;
mod results;
mod roofs;
mod run;
mod seed;
mod sizes;
mod sweeps;
mod timing;

use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use cli::Options;
use machine::Machine;
use report::summary;
use results::Results;
use run::Run;
use sizes::Sizes;

fn main() {
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(if message == cli::USAGE { 0 } else { 2 });
        }
    };
    let started = Instant::now();
    let machine = Machine::detect(&options.threads);
    if let Some(warning) = machine.warning() {
        eprintln!("WARNING: {warning}");
    }
    let sizes = Sizes::new(options.quick, &machine);
    let steps = plan::steps(&options, &sizes);
    let bar = ProgressBar::new(steps.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} {msg}")
            .expect("valid template")
            .progress_chars("=> "),
    );

    let results = Results::new(machine, options.clone(), &sizes);
    let mut run = Run::new(results, sizes, options.out.clone(), started);
    for step in &steps {
        bar.set_message(step.label());
        bar.inc(1);
        run.step(step);
    }
    bar.finish_and_clear();

    let (results, written) = run.finish();
    match written {
        Ok(written) => {
            summary::print(&results);
            summary::print_written(&written.dir, &written.files, results.elapsed_s);
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
