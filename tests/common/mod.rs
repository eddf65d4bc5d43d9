//! Helpers shared by the integration tests: seeded inputs, the naive
//! reference, and ULP distances.
#![allow(dead_code)]

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use splitapply::{Float, FuncTable, Index};

/// A seeded RNG, so every failure is reproducible.
pub(crate) fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// Distance in units in the last place between two values of the same float
/// type: 0 for identical bits or two NaNs, `u64::MAX` when exactly one is NaN.
pub(crate) fn ulps<T: Float>(a: T, b: T) -> u64 {
    if a.is_nan() || b.is_nan() {
        return if a.is_nan() && b.is_nan() {
            0
        } else {
            u64::MAX
        };
    }
    // Map the sign-magnitude bit patterns onto a monotonic integer line.
    let key = |v: T| -> i128 {
        let bits = v.to_bits_u64() as i128;
        let sign_bit: i128 = 1 << (T::BYTES * 8 - 1);
        if bits & sign_bit != 0 {
            -(bits & (sign_bit - 1))
        } else {
            bits
        }
    };
    (key(a) - key(b)).unsigned_abs() as u64
}

/// The obvious loop: one dynamic call per point, on a batch of one.
pub(crate) fn reference<T: Float, I: Index>(table: &FuncTable<T>, idx: &[I], x: &[T]) -> Vec<T> {
    idx.iter()
        .zip(x)
        .map(|(&i, &v)| {
            let mut one = [v];
            table
                .get(i.to_usize())
                .expect("reference needs valid indices")
                .eval_in_place(&mut one);
            one[0]
        })
        .collect()
}

/// Bitwise equality of two slices, naming the first difference. Any NaN
/// matches any NaN: Rust leaves NaN sign and payload unspecified (LLVM may
/// commute the operands of a multiply or FMA), and the library documents
/// its bitwise guarantee for non-NaN results only. The fuzzer found such a
/// case: `Affine(inf, NaN)` at 0 gave +NaN through the fused strategy and
/// -NaN through the kernel.
pub(crate) fn assert_bitwise_eq<T: Float>(got: &[T], want: &[T], context: &str) {
    assert_eq!(got.len(), want.len(), "{context}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            g.to_bits_u64() == w.to_bits_u64() || (g.is_nan() && w.is_nan()),
            "{context}: position {i}: got {g:?}, want {w:?}"
        );
    }
}

/// Index distributions the engine must handle.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Dist {
    Uniform,
    Sorted,
    /// Runs of random function numbers with random lengths up to 200.
    Runs,
    /// Zipf-like: function j drawn with probability proportional to 1/(j+1).
    Zipf,
    AllEqual,
    /// Long runs (100 to 2,000 points) for the first two thirds, then
    /// uniform: tiles that start out run-friendly and stop being so.
    LongThenShort,
}

pub(crate) const DISTS: [Dist; 5] = [
    Dist::Uniform,
    Dist::Sorted,
    Dist::Runs,
    Dist::Zipf,
    Dist::AllEqual,
];

/// `n` function numbers below `k` with distribution `dist`, as `usize`.
pub(crate) fn indices(n: usize, k: usize, dist: Dist, rng: &mut StdRng) -> Vec<usize> {
    match dist {
        Dist::Uniform => (0..n).map(|_| rng.random_range(0..k)).collect(),
        Dist::Sorted => {
            let mut v: Vec<usize> = (0..n).map(|_| rng.random_range(0..k)).collect();
            v.sort_unstable();
            v
        }
        Dist::Runs => {
            let mut v = Vec::with_capacity(n);
            while v.len() < n {
                let j = rng.random_range(0..k);
                let len = rng.random_range(1..=200).min(n - v.len());
                v.extend(std::iter::repeat_n(j, len));
            }
            v
        }
        Dist::Zipf => {
            // Inverse-CDF sampling over the harmonic weights.
            let cdf: Vec<f64> = (0..k)
                .scan(0.0, |acc, j| {
                    *acc += 1.0 / (j as f64 + 1.0);
                    Some(*acc)
                })
                .collect();
            let total = cdf[k - 1];
            (0..n)
                .map(|_| {
                    let u = rng.random::<f64>() * total;
                    cdf.partition_point(|&c| c < u).min(k - 1)
                })
                .collect()
        }
        Dist::AllEqual => vec![rng.random_range(0..k); n],
        Dist::LongThenShort => {
            let long = 2 * n / 3;
            let mut v = Vec::with_capacity(n);
            while v.len() < long {
                let j = rng.random_range(0..k);
                let len = rng.random_range(100..=2000).min(long - v.len());
                v.extend(std::iter::repeat_n(j, len));
            }
            v.extend((long..n).map(|_| rng.random_range(0..k)));
            v
        }
    }
}
