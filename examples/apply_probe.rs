//! Side-by-side timing of one workload of the performance plan: splitapply
//! next to its baselines and bound, each contender timed in turn within
//! every round, so that they share the machine's state. Criterion groups
//! run minutes apart; on a shared machine this is the fairer ratio.
//!
//! ```text
//! cargo run --release --example apply_probe -- WORKLOAD [THREADS] [N] [REPS] [ROUNDS]
//! cargo run --release --example apply_probe -- w4 2
//! cargo run --release --example apply_probe -- w1 1 10000000 15 3
//! ```
//!
//! Workloads (as in `benches/apply.rs`, k = 250 unless said):
//! - `w1`: closures `j * x`; contenders: auto, forced bucket, a reused
//!   `Plan`, the `dyn Fn` loop on rayon, the fused `idx * x` bound;
//! - `w2`: half `Exp`, half degree-8 `Poly`; auto, `Plan`, `dyn Fn`, the
//!   single-kernel `Exp` map;
//! - `w4`: k = 2 piecewise (`Poly` / `Affine` by x >= 0.5); auto, forced
//!   select, the `dyn Fn` loop, the fused `idx * x` bound.
//!
//! Every contender is checked once against the naive loop first. Prints the
//! median of REPS per contender and round, in ns per point.

#[path = "../benches/support/mod.rs"]
mod support;

use std::time::Instant;

use rayon::prelude::*;
use splitapply::kernels::Exp;
use splitapply::{Engine, FuncTable, Kernel, Plan, Strategy};
use support::*;

/// A named contender: writes its result into the given buffer.
type Contender<'a> = (&'static str, Box<dyn Fn(&mut [f64]) + Sync + 'a>);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = || -> ! {
        eprintln!("usage: apply_probe w1|w2|w4 [THREADS] [N] [REPS] [ROUNDS]");
        std::process::exit(2)
    };
    let workload = args.first().cloned().unwrap_or_else(|| usage());
    let number = |i: usize, default: usize| match args.get(i) {
        Some(s) => s.parse().unwrap_or_else(|_| usage()),
        None => default,
    };
    let (threads, n, reps, rounds) = (
        number(1, 2),
        number(2, 10_000_000),
        number(3, 15),
        number(4, 3),
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a rayon pool");

    let (table, boxed, idx, x, max_rel) = match workload.as_str() {
        "w1" => {
            let (idx, x) = uniform_input(n, 250, 1);
            let (table, boxed) = linear_closures(250);
            (table, boxed, idx, x, 0.0)
        }
        "w2" => {
            let (idx, x) = uniform_input(n, 250, 2);
            let (table, boxed) = exp_poly(250);
            (table, boxed, idx, x, 4.0 * f64::EPSILON)
        }
        "w4" => {
            let (_, x) = uniform_input(n, 2, 4);
            let idx: Vec<u32> = x.iter().map(|&v| u32::from(v >= 0.5)).collect();
            let (table, boxed) = piecewise();
            (table, boxed, idx, x, W4_MAX_REL)
        }
        _ => usage(),
    };
    let (table, idx, x): (&FuncTable<f64>, &[u32], &[f64]) = (&table, &idx, &x);
    let want = reference(&boxed, idx, x);
    let k = table.len();
    let plan = Plan::new(idx, k).expect("valid indices");

    let engine = |strategy: Strategy| {
        move |out: &mut [f64]| {
            Engine::new()
                .strategy(strategy)
                .apply_into(table, idx, x, out)
                .expect("valid input")
        }
    };
    let mut contenders: Vec<Contender> = vec![("auto", Box::new(engine(Strategy::Auto)))];
    match workload.as_str() {
        "w1" => {
            contenders.push(("bucket", Box::new(engine(Strategy::Bucket))));
            contenders.push(("plan", Box::new(|o| plan.apply_into(table, x, o).unwrap())));
        }
        "w2" => {
            contenders.push(("plan", Box::new(|o| plan.apply_into(table, x, o).unwrap())));
        }
        _ => contenders.push(("select", Box::new(engine(Strategy::Select)))),
    }
    contenders.push((
        "dyn_fn_rayon",
        Box::new(|o| dyn_loop_parallel(&boxed, idx, x, o)),
    ));
    let bound: Contender = if workload == "w2" {
        let map = |o: &mut [f64]| {
            o.par_chunks_mut(1 << 14)
                .zip(x.par_chunks(1 << 14))
                .for_each(|(o, x)| Exp::new().eval(x, o))
        };
        ("bound_exp_map", Box::new(map))
    } else {
        ("bound_fused", Box::new(|o| fused_linear(idx, x, o)))
    };

    let mut out = vec![0.0; n];
    pool.install(|| {
        for (name, run) in &contenders {
            run(&mut out);
            check(name, &out, &want, max_rel);
        }
    });
    contenders.push(bound);
    println!("{workload}, N = {n}, {threads} thread(s), median of {reps} (ns/point):");
    for round in 0..rounds {
        let times: Vec<f64> = pool.install(|| {
            contenders
                .iter()
                .map(|(_, run)| median_ns_per_point(reps, n, || run(&mut out)))
                .collect()
        });
        let cells: Vec<String> = contenders
            .iter()
            .zip(&times)
            .map(|((name, _), t)| format!("{name} {t:.3}"))
            .collect();
        let (auto, bound) = (times[0], times[times.len() - 1]);
        println!(
            "round {round}: {} | auto/bound {:.2}x, dyn/auto {:.2}x",
            cells.join(", "),
            auto / bound,
            times[times.len() - 2] / auto
        );
    }
}

fn median_ns_per_point(reps: usize, n: usize, mut run: impl FnMut()) -> f64 {
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
