//! Single-configuration timing of `rolling_mean`, next to a copy of the
//! same bytes, for comparing builds and for profiling
//! (`perf record ./target/release/rolling_probe ...`).
//!
//! ```text
//! cargo run --release -p splitapply-workloads --bin rolling_probe -- [N] [HALF_WIDTH] [REPS] [THREADS] [f64|f32] [DATA]
//! cargo run --release -p splitapply-workloads --bin rolling_probe -- 2000000 500 30 1
//! cargo run --release -p splitapply-workloads --bin rolling_probe -- 2000000 10 30 1 f32
//! cargo run --release -p splitapply-workloads --bin rolling_probe -- 65536 100 100 1 f64 noise
//! ```
//!
//! DATA (default `wave`): `wave`, a sine of amplitude 10 on a slow ramp;
//! `walk`, `np.random.rand(n).cumsum()`; `walk0`, a walk of steps in
//! [-1, 1) around zero; `noise`, uniform in [-1, 1); `spikes`, 1e12 every
//! 97 points among noise; `offset`, 1e9 plus noise; `halves`, noise
//! times 1e10 in the first half, plain noise in the second; `steps`,
//! segments of 100 points at 1e8, 1 and 1e-8 in turn (times 1 plus noise).
//! These are the adversarial shapes of `tests/rolling.rs`.
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
    let data = std::env::args().nth(6).unwrap_or_else(|| "wave".into());
    match std::env::args().nth(5).as_deref() {
        None | Some("f64") => probe::<f64>(n, w, reps, threads, &data),
        Some("f32") => probe::<f32>(n, w, reps, threads, &data),
        Some(other) => panic!("the float type is f64 or f32, not {other}"),
    }
}

/// The probe's data: see the module doc.
fn data(name: &str, n: usize) -> Vec<f64> {
    // A xorshift generator: the same values on every machine.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut uniform = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut at = 0.0;
    (0..n)
        .map(|i| match name {
            "wave" => (i as f64 * 0.37).sin() * 10.0 + i as f64 * 1e-3,
            "walk" => {
                at += uniform();
                at
            }
            "walk0" => {
                at += 2.0 * uniform() - 1.0;
                at
            }
            "noise" => 2.0 * uniform() - 1.0,
            "spikes" if i % 97 == 13 => 1e12,
            "spikes" => 2.0 * uniform() - 1.0,
            "offset" => 1e9 + 2.0 * uniform() - 1.0,
            "halves" if i < n / 2 => 1e10 * (2.0 * uniform() - 1.0),
            "halves" => 2.0 * uniform() - 1.0,
            "steps" => [1e8, 1.0, 1e-8][i / 100 % 3] * (1.0 + 2.0 * uniform() - 1.0),
            other => {
                panic!("no data {other}: wave, walk, walk0, noise, spikes, offset, halves or steps")
            }
        })
        .collect()
}

fn probe<T: Float>(n: usize, w: usize, reps: usize, threads: usize, name: &str) {
    let x: Vec<T> = data(name, n).into_iter().map(T::from_f64).collect();
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
    let ty = std::any::type_name::<T>();
    println!(
        "N={n} w={w} threads={threads} {ty} {name}: rolling_mean {rolling:.3} ns/point, copy {copy:.3} ns/point ({:.2}x)",
        rolling / copy
    );
}
