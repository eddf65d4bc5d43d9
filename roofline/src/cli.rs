//! Command-line options of the roofline report.

use std::path::PathBuf;

use crate::paths::default_out_dir;

/// What to measure and where to write it.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// Small sizes and few repetitions: a smoke test that finishes in
    /// well under a minute (what CI runs).
    pub quick: bool,
    /// Thread counts to measure at, ascending; the last is "all threads".
    pub threads: Vec<usize>,
    /// Output folder for report.md, report.json and the SVG figures.
    pub out: PathBuf,
}

pub(crate) const USAGE: &str = "\
cargo roofline [OPTIONS]

Measures this machine's memory and compute roofs, places every splitapply
kernel on them, and writes report.md, report.json and SVG figures.

OPTIONS:
  --quick            small sizes, few repetitions (under 40 s; used by CI)
  --threads LIST     comma-separated thread counts, e.g. 1,2,4
                     (default: 1, 2, 4, ... and all available cores).
                     STREAM, FMA peaks and thread scaling run at every
                     count; the working-set sweep, the kernels and the
                     seed baselines at the first and the last
  --out DIR          output folder (default: target/roofline)
  -h, --help         this text";

impl Options {
    /// Parses the arguments after the program name. `cargo bench` adds
    /// `--bench`, which is accepted and ignored.
    pub(crate) fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut options = Options {
            quick: false,
            threads: default_threads(cores),
            out: default_out_dir(),
        };
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--quick" => options.quick = true,
                "--bench" => {}
                "--threads" => {
                    let list = args.next().ok_or("--threads needs a list, e.g. 1,2,4")?;
                    options.threads = parse_threads(&list)?;
                }
                "--out" => {
                    options.out = args.next().ok_or("--out needs a folder")?.into();
                }
                "-h" | "--help" => return Err(USAGE.to_string()),
                other => return Err(format!("unknown argument {other:?}\n\n{USAGE}")),
            }
        }
        Ok(options)
    }

    /// The largest thread count: "all threads" in the report.
    pub(crate) fn max_threads(&self) -> usize {
        *self.threads.last().expect("at least one thread count")
    }

    /// The first and the last thread count (one when they are equal): where
    /// the per-kernel measurements run, to keep the report's run time
    /// bounded on many-core machines.
    pub(crate) fn end_threads(&self) -> Vec<usize> {
        let mut ends = vec![self.threads[0], self.max_threads()];
        ends.dedup();
        ends
    }
}

/// Powers of two below `cores`, then `cores`.
fn default_threads(cores: usize) -> Vec<usize> {
    let mut threads: Vec<usize> = std::iter::successors(Some(1usize), |t| t.checked_mul(2))
        .take_while(|&t| t < cores)
        .collect();
    threads.push(cores.max(1));
    threads
}

fn parse_threads(list: &str) -> Result<Vec<usize>, String> {
    let mut threads = Vec::new();
    for part in list.split(',') {
        let t: usize = part
            .trim()
            .parse()
            .map_err(|_| format!("--threads: {part:?} is not a thread count"))?;
        if t == 0 {
            return Err("--threads: thread counts start at 1".into());
        }
        threads.push(t);
    }
    threads.sort_unstable();
    threads.dedup();
    Ok(threads)
}
