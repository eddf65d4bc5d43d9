//! Every kernel row (`kernel_rows`: the registry's samples, then the
//! 128-piece splines and interpolations) mapped alone over N points, each
//! timed alternately with a copy of the same arrays (`out[i] = x[i] + 0`,
//! the least traffic a map can make), then the ratio kernel / copy per
//! round and its median over the rounds. A quicker, focused twin of the
//! roofline report's kernel rows.
//!
//! ```text
//! cargo run --release -p splitapply-workloads --bin kernel_probe -- [ROWS] [THREADS] [N] [REPS] [ROUNDS] [f64|f32|both]
//! cargo run --release -p splitapply-workloads --bin kernel_probe -- all 2 10000000 7 5
//! cargo run --release -p splitapply-workloads --bin kernel_probe -- spline,interp 1 1000000 9 5 f64
//! ```
//!
//! ROWS is `all` or a comma-separated list of parts of row labels (any
//! case: `spline` picks every spline row). Each time is the median of
//! REPS runs, in ns per point; every kernel's map is checked bitwise
//! against the kernel evaluated one point at a time before it is timed.

use std::time::Instant;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;
use splitapply::{Float, Kernel};
use splitapply_workloads::{KernelRow, kernel_rows};

/// Chunk of the parallel map (as the roofline report's).
const CHUNK: usize = 1 << 14;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        0.5 * (v[m - 1] + v[m])
    }
}

fn copy<T: Float>(x: &[T], out: &mut [T]) {
    out.par_chunks_mut(CHUNK)
        .zip(x.par_chunks(CHUNK))
        .for_each(|(o, x)| o.iter_mut().zip(x).for_each(|(o, &x)| *o = x + T::ZERO));
}

fn map<T: Float>(kernel: &dyn Kernel<T>, x: &[T], out: &mut [T]) {
    out.par_chunks_mut(CHUNK)
        .zip(x.par_chunks(CHUNK))
        .for_each(|(o, x)| kernel.eval(x, o));
}

/// Seconds of one run of `f`.
fn time(f: &mut impl FnMut()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64()
}

/// Per round: the median of `reps` kernel runs and of `reps` copies,
/// alternated. Returns (kernel ns/pt, copy ns/pt) per round.
fn rounds<T: Float>(
    kernel: &dyn Kernel<T>,
    x: &[T],
    reps: usize,
    rounds: usize,
) -> Vec<(f64, f64)> {
    let n = x.len() as f64;
    let mut out = vec![T::ZERO; x.len()];
    let mut spare = vec![T::ZERO; x.len()];
    map(kernel, x, &mut out);
    let step = (x.len() / 4096).max(1);
    for i in (0..x.len()).step_by(step) {
        let mut one = [x[i]];
        kernel.eval_in_place(&mut one);
        assert!(
            one[0].to_bits_u64() == out[i].to_bits_u64() || (one[0].is_nan() && out[i].is_nan()),
            "the map differs from the kernel alone at {i}"
        );
    }
    (0..rounds)
        .map(|_| {
            let mut k = Vec::with_capacity(reps);
            let mut c = Vec::with_capacity(reps);
            for _ in 0..reps {
                k.push(time(&mut || map(kernel, x, &mut out)));
                c.push(time(&mut || copy(x, &mut spare)));
            }
            (median(k) * 1e9 / n, median(c) * 1e9 / n)
        })
        .collect()
}

fn report<T: Float>(row: &KernelRow, x: &[T], reps: usize, nrounds: usize) {
    let kernel = row.spec(0).to_kernel::<T>().expect("valid rows");
    let per_round = rounds(kernel.as_ref(), x, reps, nrounds);
    let ratios: Vec<f64> = per_round.iter().map(|(k, c)| k / c).collect();
    let (lo, hi) = ratios.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &r| {
        (lo.min(r), hi.max(r))
    });
    let kern = median(per_round.iter().map(|p| p.0).collect());
    let ctrl = median(per_round.iter().map(|p| p.1).collect());
    let flops = kernel.flops_per_element().unwrap_or(0.0);
    println!(
        "{:<22} {:<4} {:>8.3} {:>8.3} {:>7.2} ({:.2}-{:.2}) {:>6.1}%  {:>7.1} GFLOP/s",
        row.label,
        if T::BYTES == 8 { "f64" } else { "f32" },
        kern,
        ctrl,
        median(ratios.clone()),
        lo,
        hi,
        100.0 / median(ratios),
        flops / kern,
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: &str| args.get(i).cloned().unwrap_or(default.into());
    let rows = arg(0, "all").to_lowercase();
    let threads: usize = arg(1, "0").parse().expect("THREADS");
    let n: usize = arg(2, "10000000").parse().expect("N");
    let reps: usize = arg(3, "7").parse().expect("REPS");
    let nrounds: usize = arg(4, "5").parse().expect("ROUNDS");
    let floats = arg(5, "both");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a pool");
    let mut rng = StdRng::seed_from_u64(11);
    let x64: Vec<f64> = (0..n).map(|_| 0.1 + 2.0 * rng.random::<f64>()).collect();
    let x32: Vec<f32> = x64.iter().map(|&v| v as f32).collect();
    let chosen: Vec<KernelRow> = kernel_rows()
        .into_iter()
        .filter(|r| {
            rows == "all"
                || rows
                    .split(',')
                    .any(|p| r.label.to_lowercase().contains(p.trim()))
        })
        .collect();
    println!(
        "{} threads, N = {n}, {reps} reps, {nrounds} rounds; ns/point: kernel, copy, \
         ratio median (range), copy/kernel, GFLOP/s",
        pool.current_num_threads()
    );
    pool.install(|| {
        for row in &chosen {
            if floats != "f32" {
                report(row, &x64, reps, nrounds);
            }
            if floats != "f64" {
                report(row, &x32, reps, nrounds);
            }
        }
    });
}
