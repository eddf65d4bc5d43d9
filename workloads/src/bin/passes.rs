//! One workload's apply, on one thread, repeated over the same input: a
//! driver for instruction counts (`valgrind --tool=callgrind`) and for the
//! in-cache cost of a strategy. Counting instructions is repeatable on a
//! noisy machine, so two builds can be compared pass by pass.
//!
//! ```text
//! cargo build --release -p splitapply-workloads --bin passes
//! valgrind --tool=callgrind target/release/passes W8 bucket 16384 1
//! valgrind --tool=callgrind target/release/passes W8 bucket 16384 11
//! ```
//!
//! Arguments: WORKLOAD STRATEGY N REPS [PATH]. The difference of the two totals,
//! divided by 10 * N, is the apply's instructions per point, with the
//! set-up (building the table and the input) cancelled out. STRATEGY is
//! `auto`, `bucket`, `bucket_by_type`, `runs`, `select`,
//! `select_by_type`, `stream_family`, `stream_closures` or `plan` (a reused
//! `Plan`, built outside the repeats). PATH forces the grouping passes'
//! instruction-set path (`portable`, `avx2`, `avx512`; default: the
//! detected one; valgrind runs no AVX-512). Without valgrind the driver
//! prints the median time per point of the repeats.

use std::time::Instant;

use splitapply::{Engine, GroupingPath, Plan, Strategy};
use splitapply_workloads::{NAMES, workload};

fn usage() -> ! {
    eprintln!(
        "usage: passes WORKLOAD STRATEGY N REPS [portable|avx2|avx512]\n  WORKLOAD: one of {}\n  STRATEGY: \
         auto|bucket|bucket_by_type|runs|select|select_by_type|stream_family|stream_closures|plan",
        NAMES.join(", ")
    );
    std::process::exit(2)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (name, strategy, n, reps, path) = match &args[..] {
        [name, strategy, n, reps] => (name, strategy, n, reps, None),
        [name, strategy, n, reps, path] => (name, strategy, n, reps, Some(path.as_str())),
        _ => usage(),
    };
    let path = match path {
        None => GroupingPath::detected(),
        Some("portable") => GroupingPath::Portable,
        Some("avx2") => GroupingPath::Avx2,
        Some("avx512") => GroupingPath::Avx512,
        Some(_) => usage(),
    };
    let n: usize = n.parse().unwrap_or_else(|_| usage());
    let reps: usize = reps.parse().unwrap_or_else(|_| usage());
    let name = NAMES
        .iter()
        .find(|w| w.eq_ignore_ascii_case(name))
        .unwrap_or_else(|| usage());
    let w = workload(name, n).expect("a catalogue name");
    let strategy = match strategy.as_str() {
        "auto" | "plan" => Strategy::Auto,
        "bucket" => Strategy::Bucket,
        "runs" => Strategy::Runs,
        "select" => Strategy::Select,
        "select_by_type" | "blend" => Strategy::SelectByType,
        "bucket_by_type" | "codes" => Strategy::BucketByType,
        "stream_family" => Strategy::StreamFamily,
        "stream_closures" => Strategy::StreamClosures,
        _ => usage(),
    };
    let plan = (args[1] == "plan").then(|| Plan::new(&w.idx, w.table.len()).expect("valid"));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a pool");
    let mut out = vec![0.0; n];
    let mut times = Vec::with_capacity(reps);
    pool.install(|| {
        for _ in 0..reps {
            let start = Instant::now();
            match &plan {
                Some(plan) => plan.apply_into(&w.table, &w.x, &mut out),
                None => Engine::new()
                    .strategy(strategy)
                    .grouping_path(path)
                    .apply_into(&w.table, &w.idx, &w.x, &mut out),
            }
            .unwrap_or_else(|e| {
                eprintln!("{e}");
                std::process::exit(1)
            });
            times.push(start.elapsed().as_secs_f64() * 1e9 / n as f64);
        }
    });
    times.sort_by(f64::total_cmp);
    let checksum: f64 = out.iter().sum();
    match times.get(times.len() / 2) {
        Some(t) => println!(
            "{name} {} {path:?} n={n}: {t:.3} ns/point (checksum {checksum:e})",
            args[1]
        ),
        None => println!("{name} {} n={n}: no repeats", args[1]),
    }
}
