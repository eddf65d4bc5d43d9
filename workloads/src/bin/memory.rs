//! Peak memory of `apply_into` and of a `Plan`, for measuring with
//! `/usr/bin/time -v` (look at "Maximum resident set size"):
//!
//! ```text
//! cargo build --release -p splitapply-workloads --bin memory
//! /usr/bin/time -v target/release/memory inputs 100000000
//! /usr/bin/time -v target/release/memory apply 100000000
//! /usr/bin/time -v target/release/memory plan 100000000
//! /usr/bin/time -v target/release/memory plan-huge-k 100000000
//! ```
//!
//! `inputs` only allocates and fills `idx`, `x` and `out` (the baseline);
//! `apply` adds one `apply_into` (k = 250 closures); `plan` adds building a
//! `Plan` and applying it once. The differences are splitapply's own memory.

use splitapply::{FuncTable, Plan, apply_into};

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "apply".into());
    let n: usize = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000_000);
    // `plan-huge-k` uses a million functions: about one segment per point,
    // the worst case for a plan's size.
    let k: u32 = if mode == "plan-huge-k" {
        1_000_000
    } else {
        250
    };
    // Cheap deterministic inputs, touched once so they are resident.
    let idx: Vec<u32> = (0..n as u32)
        .map(|i| i.wrapping_mul(2_654_435_761) % k)
        .collect();
    let x: Vec<f64> = (0..n).map(|i| (i % 1000) as f64 * 1e-3).collect();
    let mut out = vec![0.0f64; n];
    out.iter_mut().for_each(|o| *o = 1.0);
    let mut table = FuncTable::<f64>::new();
    for j in 0..k {
        table.push_fn(move |x: f64| j as f64 * x);
    }
    let inputs = n * (4 + 8 + 8);
    match mode.as_str() {
        "inputs" => {}
        "apply" => apply_into(&table, &idx, &x, &mut out).expect("valid input"),
        "plan" | "plan-huge-k" => {
            let plan = Plan::new(&idx, table.len()).expect("valid input");
            plan.apply_into(&table, &x, &mut out)
                .expect("matching shapes");
            println!(
                "plan heap bytes: {} ({:.3} per point)",
                plan.memory_bytes(),
                plan.memory_bytes() as f64 / n as f64
            );
        }
        other => {
            eprintln!("unknown mode {other:?}: use inputs, apply, plan or plan-huge-k");
            std::process::exit(2);
        }
    }
    if mode != "inputs" {
        assert_eq!(out[n - 1], idx[n - 1] as f64 * x[n - 1]);
    }
    println!(
        "mode {mode}, N = {n}, inputs and output: {:.1} MiB",
        inputs as f64 / (1 << 20) as f64
    );
}
