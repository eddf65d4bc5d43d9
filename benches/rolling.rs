//! Criterion suite for the rolling mean: splitapply against a naive
//! per-window loop and the bandwidth bound (a streaming pass that reads the
//! data and writes the output, 16 B/element for f64). Results are checked
//! before timing.
//!
//! ```text
//! cargo bench --bench rolling                          # N = 2e6 and 1e8
//! SPLITAPPLY_ROLLING_NS=2000000 SPLITAPPLY_ROLLING_WS=6,12,13,20 cargo bench --bench rolling
//! ```

#[allow(unused)]
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;
use splitapply::rolling_mean;

/// `np.random.rand(n).cumsum()`.
fn random_walk(n: usize) -> Vec<f64> {
    let mut rng = StdRng::seed_from_u64(5);
    let mut acc = 0.0;
    (0..n)
        .map(|_| {
            acc += rng.random::<f64>();
            acc
        })
        .collect()
}

/// The obvious loop: each window summed on its own (edge padded), in parallel.
fn naive(data: &[f64], w: usize, out: &mut [f64]) {
    let n = data.len() as isize;
    let window = (2 * w + 1) as f64;
    out.par_iter_mut().enumerate().for_each(|(i, o)| {
        let mut s = 0.0;
        for d in -(w as isize)..=(w as isize) {
            s += data[(i as isize + d).clamp(0, n - 1) as usize];
        }
        *o = s / window;
    });
}

/// Bandwidth bound: read `data`, write `out`, nothing else.
fn stream_bound(data: &[f64], out: &mut [f64]) {
    out.par_iter_mut()
        .zip(data.par_iter())
        .with_min_len(1 << 14)
        .for_each(|(o, &v)| *o = v * 0.5);
}

fn sizes() -> Vec<usize> {
    std::env::var("SPLITAPPLY_ROLLING_NS")
        .ok()
        .map(|s| s.split(',').filter_map(|v| v.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![2_000_000, 100_000_000])
}

/// Half-widths: `SPLITAPPLY_ROLLING_WS` (comma-separated) or 10 and 500.
fn half_windows() -> Vec<usize> {
    std::env::var("SPLITAPPLY_ROLLING_WS")
        .ok()
        .map(|s| s.split(',').filter_map(|v| v.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10, 500])
}

fn rolling(c: &mut Criterion) {
    for n in sizes() {
        let data = random_walk(n);
        let mut out = vec![0.0; n];
        let mut want = vec![0.0; n];
        for w in half_windows() {
            let mut g = c.benchmark_group(format!("rolling_n{n}_w{w}"));
            g.throughput(Throughput::Elements(n as u64));
            g.sample_size(10);
            g.warm_up_time(Duration::from_millis(500));
            g.measurement_time(Duration::from_secs(3));
            rolling_mean(&data, w, &mut out).unwrap();
            // Check against the naive loop on a sample (all of it when small).
            let step = if n <= 2_000_000 { 1 } else { 9973 };
            naive_sample(&data, w, &mut want, step);
            for i in (0..n).step_by(step) {
                let rel = ((out[i] - want[i]) / want[i]).abs();
                assert!(rel <= 1e-12, "n={n} w={w} i={i}: relative error {rel:e}");
            }
            g.bench_function("splitapply", |b| {
                b.iter(|| rolling_mean(&data, w, &mut out).unwrap())
            });
            if n <= 2_000_000 {
                g.bench_function("naive_per_window", |b| {
                    b.iter(|| naive(&data, w, &mut want))
                });
            }
            g.bench_function("bound_stream", |b| b.iter(|| stream_bound(&data, &mut out)));
            g.finish();
        }
    }
}

/// The naive result at every `step`-th position (all when `step == 1`).
fn naive_sample(data: &[f64], w: usize, out: &mut [f64], step: usize) {
    if step == 1 {
        naive(data, w, out);
        return;
    }
    let n = data.len() as isize;
    for i in (0..data.len()).step_by(step) {
        let mut s = 0.0;
        for d in -(w as isize)..=(w as isize) {
            s += data[(i as isize + d).clamp(0, n - 1) as usize];
        }
        out[i] = s / (2 * w + 1) as f64;
    }
}

criterion_group!(benches, rolling);
criterion_main!(benches);
