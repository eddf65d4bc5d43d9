//! The inputs of the workloads: seeded points and function numbers.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// Uniform random points in [0, 1) and function numbers in 0..k.
pub fn uniform_input(n: usize, k: usize, seed: u64) -> (Vec<u32>, Vec<f64>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let x = (0..n).map(|_| rng.random::<f64>()).collect();
    let idx = (0..n).map(|_| rng.random_range(0..k as u32)).collect();
    (idx, x)
}

/// W3's inputs: those of `uniform_input`, indices sorted (long runs).
pub fn sorted_input(n: usize, k: usize, seed: u64) -> (Vec<u32>, Vec<f64>) {
    let (mut idx, x) = uniform_input(n, k, seed);
    idx.sort_unstable();
    (idx, x)
}

/// W4's inputs: uniform points, each choosing its piece of `piecewise` by
/// itself (`x >= 0.5`), as `np.piecewise` does.
pub fn piecewise_input(n: usize, seed: u64) -> (Vec<u32>, Vec<f64>) {
    let (_, x) = uniform_input(n, 2, seed);
    let idx = x.iter().map(|&v| u32::from(v >= 0.5)).collect();
    (idx, x)
}

/// W10's inputs: `uniform_input`'s points spread over `[lo, hi)` (log
/// radii).
pub fn log_r_input(n: usize, k: usize, (lo, hi): (f64, f64), seed: u64) -> (Vec<u32>, Vec<f64>) {
    let (idx, x) = uniform_input(n, k, seed);
    (idx, x.into_iter().map(|u| lo + (hi - lo) * u).collect())
}

/// W7's inputs: uniform points and `zipf_indices`.
pub fn zipf_input(n: usize, k: usize, seed: u64) -> (Vec<u32>, Vec<f64>) {
    let (_, x) = uniform_input(n, k, seed);
    (zipf_indices(n, k, seed), x)
}

/// Function numbers drawn with probability proportional to 1/(j+1).
pub fn zipf_indices(n: usize, k: usize, seed: u64) -> Vec<u32> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut cdf = Vec::with_capacity(k);
    let mut acc = 0.0;
    for j in 0..k {
        acc += 1.0 / (j as f64 + 1.0);
        cdf.push(acc);
    }
    (0..n)
        .map(|_| {
            let u = rng.random::<f64>() * acc;
            cdf.partition_point(|&c| c < u).min(k - 1) as u32
        })
        .collect()
}

/// The rolling mean's input: a random walk of uniform steps in [0, 1)
/// (`np.random.rand(n).cumsum()`), the first `n` draws of `seed`.
pub fn random_walk(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut sum = 0.0;
    (0..n)
        .map(|_| {
            sum += rng.random::<f64>();
            sum
        })
        .collect()
}
