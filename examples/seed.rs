//! The seed workload: k = 250 functions f_j(x) = j * x over N random points
//! with uniform random function numbers, as in the numpy discussion that
//! started this project.
//!
//! ```text
//! cargo run --release --example seed            # N = 1,000,000
//! cargo run --release --example seed -- 10000000
//! ```
//!
//! Checks splitapply against the obvious loop, then prints the median time
//! per point for splitapply and for the per-element `Box<dyn Fn>` loop (one
//! thread and all threads of the rayon pool), and their ratio.

use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;
use splitapply::{FuncTable, apply_into};

const K: usize = 250;
const REPEATS: usize = 11;

fn main() {
    let n: usize = match std::env::args().nth(1) {
        Some(arg) => arg.parse().unwrap_or_else(|_| {
            eprintln!("usage: seed [N]   (N must be a positive integer, got {arg:?})");
            std::process::exit(2)
        }),
        None => 1_000_000,
    };

    let mut rng = StdRng::seed_from_u64(2026);
    let x: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
    let idx: Vec<u32> = (0..n).map(|_| rng.random_range(0..K as u32)).collect();

    let mut table = FuncTable::<f64>::with_capacity(K);
    let mut boxed: Vec<Box<dyn Fn(f64) -> f64 + Send + Sync>> = Vec::with_capacity(K);
    for j in 0..K {
        table.push_fn(move |x: f64| j as f64 * x);
        boxed.push(Box::new(move |x: f64| j as f64 * x));
    }

    // Correctness first: against the obvious loop.
    let mut out = vec![0.0; n];
    apply_into(&table, &idx, &x, &mut out).expect("valid input");
    for i in 0..n {
        assert_eq!(out[i], idx[i] as f64 * x[i], "mismatch at {i}");
    }

    let threads = rayon::current_num_threads();
    let per_point = |d: Duration| d.as_secs_f64() * 1e9 / n as f64;
    let ours = median_time(|| apply_into(&table, &idx, &x, &mut out).unwrap());
    let dyn_serial = median_time(|| {
        for ((o, &i), &v) in out.iter_mut().zip(&idx).zip(&x) {
            *o = boxed[i as usize](v);
        }
    });
    let dyn_parallel = median_time(|| {
        out.par_iter_mut()
            .zip(idx.par_iter())
            .zip(x.par_iter())
            .for_each(|((o, &i), &v)| *o = boxed[i as usize](v));
    });
    std::hint::black_box(&out);

    println!("seed workload: k = {K}, N = {n}, {threads} threads, median of {REPEATS}");
    println!("{}", splitapply::simd_info());
    println!(
        "splitapply apply_into      {:8.3} ns/point",
        per_point(ours)
    );
    println!(
        "dyn Fn loop, 1 thread      {:8.3} ns/point  ({:.2}x splitapply's time)",
        per_point(dyn_serial),
        dyn_serial.as_secs_f64() / ours.as_secs_f64()
    );
    println!(
        "dyn Fn loop, {threads} threads     {:8.3} ns/point  ({:.2}x splitapply's time)",
        per_point(dyn_parallel),
        dyn_parallel.as_secs_f64() / ours.as_secs_f64()
    );
}

/// Median wall time of `REPEATS` runs after one warm-up.
fn median_time(mut f: impl FnMut()) -> Duration {
    f();
    let mut times: Vec<Duration> = (0..REPEATS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[REPEATS / 2]
}
