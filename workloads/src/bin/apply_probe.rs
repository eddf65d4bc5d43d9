//! The workloads of the performance plan (the catalogue of
//! `splitapply-workloads`, as in `benches/apply.rs`), each contender timed
//! in turn within every round, so that all of them share the machine's
//! state; then each target ratio per round. Criterion groups run minutes
//! apart, and on a shared machine their ratios move more than the effects
//! being measured.
//!
//! ```text
//! cargo run --release -p splitapply-workloads --bin apply_probe -- [WORKLOADS] [THREADS] [N] [REPS] [ROUNDS]
//! cargo run --release -p splitapply-workloads --bin apply_probe             # all, all threads, N = 10^7
//! cargo run --release -p splitapply-workloads --bin apply_probe -- W4 2
//! cargo run --release -p splitapply-workloads --bin apply_probe -- W1,W6 1 10000000 9 5
//! ```
//!
//! WORKLOADS is `all` or a comma-separated list of catalogue names (`W1`,
//! `W8h`, ...; any case); targets that compare two workloads (W6 against W1) need
//! both. Every contender is checked once against the naive loop before
//! timing, except the bounds (`bound`: the fused `out[i] = idx[i] * x[i]`
//! loop, the same traffic as an apply; `bound_exp_map`: `Exp` over every
//! point). Each time is the median of REPS runs, in ns per point.

use splitapply_workloads::*;

use std::collections::BTreeMap;
use std::time::Instant;

use splitapply::{Engine, Plan, Strategy};

/// A run writing its result into the buffer.
type Run<'a> = Box<dyn Fn(&mut [f64]) + Send + Sync + 'a>;

/// A contender: its label ("W1 auto") and its run.
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
    let mut list: Vec<(String, Run<'a>)> = Vec::new();
    if let Some(plan) = plan {
        list.push((
            "plan".into(),
            Box::new(move |o| plan.apply_into(table, x, o).unwrap()),
        ));
        list.push(("no_plan".into(), Box::new(engine(Strategy::Auto))));
    } else {
        list.push(("auto".into(), Box::new(engine(Strategy::Auto))));
        for &s in w.forced {
            list.push((strategy_name(s), Box::new(engine(s))));
        }
        list.push((
            "dyn_fn".into(),
            Box::new(move |o| dyn_loop_parallel(boxed, idx, x, o)),
        ));
    }
    let want = reference(boxed, idx, x);
    let mut out = vec![0.0; x.len()];
    for (name, run) in &list {
        run(&mut out);
        check(&format!("{} {name}", w.name), &out, &want, w.max_rel);
    }
    for &bound in w.bounds {
        list.push((bound.name().into(), Box::new(move |o| bound.run(idx, x, o))));
    }
    list.into_iter()
        .map(|(name, run)| (format!("{} {name}", w.name), run))
        .collect()
}

fn usage() -> ! {
    eprintln!(
        "usage: apply_probe [all|W1,W8h,...] [THREADS] [N] [REPS] [ROUNDS] \
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
        None | Some("all") => NAMES.to_vec(),
        Some(list) => list
            .split(',')
            .map(|s| {
                *NAMES
                    .iter()
                    .find(|w| w.eq_ignore_ascii_case(s))
                    .unwrap_or_else(|| usage())
            })
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

    let workloads: Vec<Workload> = names
        .iter()
        .map(|&name| workload(name, n).expect("a catalogue name"))
        .collect();
    let plans: Vec<Option<Plan>> = workloads
        .iter()
        .map(|w| {
            w.through_plan
                .then(|| Plan::new(&w.idx, w.table.len()).expect("valid"))
        })
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
    for target in TARGETS {
        let ratios: Vec<f64> = by_round
            .iter()
            .filter_map(|t| Some(t.get(target.numerator)? / t.get(target.denominator)?))
            .collect();
        if ratios.is_empty() {
            continue;
        }
        let met = ratios.iter().filter(|&&r| target.met(r)).count();
        let shown: Vec<String> = ratios.iter().map(|r| format!("{r:.2}")).collect();
        println!(
            "  {:<44} {}  (met in {met} of {} rounds)",
            target.text,
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
