//! Single-configuration timing of `rolling_mean`, next to a copy of the
//! same bytes, for comparing builds and for profiling
//! (`perf record ./target/release/rolling_probe ...`).
//!
//! ```text
//! cargo run --release -p splitapply-workloads --bin rolling_probe -- [N] [HALF_WIDTH] [REPS] [THREADS] [f64|f32]
//! cargo run --release -p splitapply-workloads --bin rolling_probe -- 2000000 500 30 1
//! cargo run --release -p splitapply-workloads --bin rolling_probe -- 2000000 10 30 1 f32
//! ```
//!
//! Prints the best of REPS for each, in ns per point.

use std::time::Instant;

use splitapply::Float;

fn main() {
    let arg = |i: usize, default: usize| {
        std::env::args()
            .nth(i)
            .map_or(default, |s| s.parse().expect("arguments are whole numbers"))
    };
    let (n, w, reps, threads) = (arg(1, 2_000_000), arg(2, 500), arg(3, 30), arg(4, 1));
    match std::env::args().nth(5).as_deref() {
        None | Some("f64") => probe::<f64>(n, w, reps, threads),
        Some("f32") => probe::<f32>(n, w, reps, threads),
        Some(other) => panic!("the float type is f64 or f32, not {other}"),
    }
}

fn probe<T: Float>(n: usize, w: usize, reps: usize, threads: usize) {
    let x: Vec<T> = (0..n)
        .map(|i| T::from_f64((i as f64 * 0.37).sin() * 10.0 + i as f64 * 1e-3))
        .collect();
    let mut out = vec![T::from_f64(0.0); n];
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a rayon pool");
    let best_of = |f: &mut dyn FnMut()| {
        (0..reps.max(1))
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
            * 1e9
            / n as f64
    };
    let rolling =
        pool.install(|| best_of(&mut || splitapply::rolling_mean(&x, w, &mut out).unwrap()));
    let copy = pool.install(|| {
        use rayon::prelude::*;
        best_of(&mut || {
            out.par_chunks_mut(1 << 14)
                .zip(x.par_chunks(1 << 14))
                .for_each(|(o, x)| {
                    o.iter_mut()
                        .zip(x)
                        .for_each(|(o, &v)| *o = v + T::from_f64(0.0))
                })
        })
    });
    let name = std::any::type_name::<T>();
    println!(
        "N={n} w={w} threads={threads} {name}: rolling_mean {rolling:.3} ns/point, copy {copy:.3} ns/point ({:.2}x)",
        rolling / copy
    );
}
