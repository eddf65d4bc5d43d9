//! The workloads of the performance plan (W1-W7 of `benches/apply.rs`),
//! each contender timed in turn within every round, so that all of them
//! share the machine's state; then each target ratio per round. Criterion
//! groups run minutes apart, and on a shared machine their ratios move
//! more than the effects being measured.
//!
//! ```text
//! cargo run --release --example apply_probe -- [WORKLOADS] [THREADS] [N] [REPS] [ROUNDS]
//! cargo run --release --example apply_probe                 # all, all threads, N = 10^7
//! cargo run --release --example apply_probe -- w4 2
//! cargo run --release --example apply_probe -- w1,w6 1 10000000 9 5
//! ```
//!
//! WORKLOADS is `all` or a comma-separated list of `w1 w1a w2 w3 w4 w5 w6
//! w7`; targets that compare two workloads (W6 and W7 against W1) need both.
//! Every contender is checked once against the naive loop before timing,
//! except the bounds: `bound` is the fused `out[i] = idx[i] * x[i]` loop,
//! the same traffic as an apply (for W4 a traffic bound only, not W4's
//! function), and `bound_exp_map` is `Exp` over every point.
//! Each time is the median of REPS runs, in ns per point.

use splitapply_workloads::*;

use std::collections::BTreeMap;
use std::time::Instant;

use rayon::prelude::*;
use splitapply::kernels::Exp;
use splitapply::{Engine, FuncTable, Kernel, Plan, Strategy};

const K: usize = 250;
const ALL: [&str; 8] = ["w1", "w1a", "w2", "w3", "w4", "w5", "w6", "w7"];

/// One workload's inputs, as in `benches/apply.rs`.
struct Workload {
    name: &'static str,
    table: FuncTable<f64>,
    boxed: Vec<DynFn>,
    idx: Vec<u32>,
    x: Vec<f64>,
    max_rel: f64,
}

fn workload(name: &'static str, n: usize) -> Workload {
    let (table, boxed, idx, x, max_rel) = match name {
        "w1" | "w1a" => {
            let (idx, x) = uniform_input(n, K, 1);
            let (closures, boxed) = linear_closures(K);
            let table = if name == "w1" {
                closures
            } else {
                linear_affine(K)
            };
            (table, boxed, idx, x, 0.0)
        }
        "w2" | "w5" => {
            let (idx, x) = uniform_input(n, K, 2);
            let (table, boxed) = exp_poly(K);
            (table, boxed, idx, x, 4.0 * f64::EPSILON)
        }
        "w3" => {
            let (idx, x) = sorted_input(n, K, 3);
            let (table, boxed) = linear_closures(K);
            (table, boxed, idx, x, 0.0)
        }
        "w4" => {
            let (idx, x) = piecewise_input(n, 4);
            let (table, boxed) = piecewise();
            (table, boxed, idx, x, W4_MAX_REL)
        }
        "w6" => {
            let (idx, x) = uniform_input(n, 100_000, 6);
            let (table, boxed) = linear_closures(100_000);
            (table, boxed, idx, x, 0.0)
        }
        "w7" => {
            let (idx, x) = zipf_input(n, K, 7);
            let (table, boxed) = linear_closures(K);
            (table, boxed, idx, x, 0.0)
        }
        _ => usage(),
    };
    Workload {
        name,
        table,
        boxed,
        idx,
        x,
        max_rel,
    }
}

/// A run writing its result into the buffer.
type Run<'a> = Box<dyn Fn(&mut [f64]) + Send + Sync + 'a>;

/// A contender: its label ("w1 auto") and its run.
type Contender<'a> = (String, Run<'a>);

/// The contenders of one workload, each checked against the naive loop.
fn contenders<'a>(w: &'a Workload, plan: Option<&'a Plan>) -> Vec<Contender<'a>> {
    let (table, idx, x, boxed) = (&w.table, &w.idx[..], &w.x[..], &w.boxed[..]);
    let engine = move |strategy: Strategy| {
        move |out: &mut [f64]| {
            Engine::new()
                .strategy(strategy)
                .apply_into(table, idx, x, out)
                .expect("valid input")
        }
    };
    let mut list: Vec<(&str, Run<'a>)> = Vec::new();
    if w.name == "w5" {
        let plan = plan.expect("w5 has a plan");
        list.push((
            "plan",
            Box::new(move |o| plan.apply_into(table, x, o).unwrap()),
        ));
        list.push(("no_plan", Box::new(engine(Strategy::Auto))));
    } else {
        list.push(("auto", Box::new(engine(Strategy::Auto))));
    }
    match w.name {
        "w1" | "w3" => list.push(("bucket", Box::new(engine(Strategy::Bucket)))),
        "w4" => list.push(("select", Box::new(engine(Strategy::Select)))),
        "w6" => list.push(("runs", Box::new(engine(Strategy::Runs)))),
        _ => {}
    }
    if w.name != "w5" {
        list.push((
            "dyn_fn",
            Box::new(move |o| dyn_loop_parallel(boxed, idx, x, o)),
        ));
    }
    let want = reference(boxed, idx, x);
    let mut out = vec![0.0; x.len()];
    for (name, run) in &list {
        run(&mut out);
        check(&format!("{} {name}", w.name), &out, &want, w.max_rel);
    }
    match w.name {
        "w1" | "w1a" | "w3" | "w4" => {
            list.push(("bound", Box::new(move |o| fused_linear(idx, x, o))));
        }
        "w2" => {
            let map = move |o: &mut [f64]| {
                o.par_chunks_mut(1 << 14)
                    .zip(x.par_chunks(1 << 14))
                    .for_each(|(o, x)| Exp::new().eval(x, o))
            };
            list.push(("bound_exp_map", Box::new(map)));
        }
        _ => {}
    }
    list.into_iter()
        .map(|(name, run)| (format!("{} {name}", w.name), run))
        .collect()
}

/// The targets of the plan: (text, numerator, denominator, limit, whether
/// the ratio must be at least the limit rather than at most).
const TARGETS: [(&str, &str, &str, f64, bool); 9] = [
    (
        "W1: dyn Fn / splitapply >= 1.5",
        "w1 dyn_fn",
        "w1 auto",
        1.5,
        true,
    ),
    (
        "W1a: splitapply / fused bound <= 1.2",
        "w1a auto",
        "w1a bound",
        1.2,
        false,
    ),
    (
        "W2: dyn Fn / splitapply >= 3",
        "w2 dyn_fn",
        "w2 auto",
        3.0,
        true,
    ),
    (
        "W2: splitapply / Exp map <= 1.3",
        "w2 auto",
        "w2 bound_exp_map",
        1.3,
        false,
    ),
    (
        "W3: splitapply / fused bound <= 1.15",
        "w3 auto",
        "w3 bound",
        1.15,
        false,
    ),
    (
        "W4: splitapply / fused bound <= 1.3",
        "w4 auto",
        "w4 bound",
        1.3,
        false,
    ),
    (
        "W5: no plan / plan >= 1.3",
        "w5 no_plan",
        "w5 plan",
        1.3,
        true,
    ),
    ("W6: W6 / W1 <= 1.5", "w6 auto", "w1 auto", 1.5, false),
    ("W7: W7 / W1 <= 1.2", "w7 auto", "w1 auto", 1.2, false),
];

fn usage() -> ! {
    eprintln!(
        "usage: apply_probe [all|w1,w1a,w2,w3,w4,w5,w6,w7] [THREADS] [N] [REPS] [ROUNDS] \
         (THREADS and N at least 1)"
    );
    std::process::exit(2)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize, default: usize| match args.get(i) {
        Some(s) => s.parse().unwrap_or_else(|_| usage()),
        None => default,
    };
    let names: Vec<&'static str> = match args.first().map(String::as_str) {
        None | Some("all") => ALL.to_vec(),
        Some(list) => list
            .split(',')
            .map(|s| *ALL.iter().find(|&&w| w == s).unwrap_or_else(|| usage()))
            .collect(),
    };
    let threads = number(1, rayon::current_num_threads());
    let (n, reps, rounds) = (number(2, 10_000_000), number(3, 9), number(4, 3));
    if threads == 0 || n == 0 {
        usage();
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a rayon pool");

    let workloads: Vec<Workload> = names.iter().map(|&name| workload(name, n)).collect();
    let plans: Vec<Option<Plan>> = workloads
        .iter()
        .map(|w| (w.name == "w5").then(|| Plan::new(&w.idx, w.table.len()).expect("valid")))
        .collect();
    let all: Vec<Contender> = pool.install(|| {
        workloads
            .iter()
            .zip(&plans)
            .flat_map(|(w, plan)| contenders(w, plan.as_ref()))
            .collect()
    });

    println!("N = {n}, {threads} thread(s), median of {reps} runs, ns/point:");
    let mut out = vec![0.0; n];
    let mut by_round: Vec<BTreeMap<String, f64>> = Vec::new();
    for round in 0..rounds {
        let times: BTreeMap<String, f64> = pool.install(|| {
            all.iter()
                .map(|(label, run)| (label.clone(), median_ns(reps, n, || run(&mut out))))
                .collect()
        });
        let cells: Vec<String> = all
            .iter()
            .map(|(label, _)| format!("{label} {:.3}", times[label]))
            .collect();
        println!("round {round}: {}", cells.join(", "));
        by_round.push(times);
    }
    println!("\ntargets (ratio in each round):");
    for (text, num, den, limit, at_least) in TARGETS {
        let ratios: Vec<f64> = by_round
            .iter()
            .filter_map(|t| Some(t.get(num)? / t.get(den)?))
            .collect();
        if ratios.is_empty() {
            continue;
        }
        let met = ratios
            .iter()
            .filter(|&&r| if at_least { r >= limit } else { r <= limit })
            .count();
        let shown: Vec<String> = ratios.iter().map(|r| format!("{r:.2}")).collect();
        println!(
            "  {text:<40} {}  (met in {met} of {} rounds)",
            shown.join(" "),
            ratios.len()
        );
    }
}

fn median_ns(reps: usize, n: usize, mut run: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..reps.max(1))
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed().as_secs_f64() * 1e9 / n as f64
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}
