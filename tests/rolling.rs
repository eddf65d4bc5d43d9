//! Rolling mean against a direct reference: edge semantics for many (N, w)
//! pairs, precision on a long random walk and on large offsets, bitwise
//! identical results for every thread count, and error handling.

mod common;

use common::rng;
use rand::RngExt;
use splitapply::{Error, Float, rolling_mean};

/// `np.pad(data, w, mode='edge')` then the mean of each window of `2w + 1`,
/// summed in f64 in ascending order.
fn reference_at<T: Float>(data: &[T], w: usize, i: usize) -> f64 {
    let n = data.len() as isize;
    let mut sum = 0.0f64;
    for d in -(w as isize)..=(w as isize) {
        sum += data[(i as isize + d).clamp(0, n - 1) as usize].to_f64();
    }
    sum / (2 * w + 1) as f64
}

/// Mean of the absolute values in the window: the scale for relative errors
/// when the mean itself is near zero.
fn scale_at<T: Float>(data: &[T], w: usize, i: usize) -> f64 {
    let n = data.len() as isize;
    let mut sum = 0.0f64;
    for d in -(w as isize)..=(w as isize) {
        sum += data[(i as isize + d).clamp(0, n - 1) as usize]
            .to_f64()
            .abs();
    }
    sum / (2 * w + 1) as f64
}

fn check_positions<T: Float>(
    data: &[T],
    w: usize,
    out: &[T],
    positions: impl Iterator<Item = usize>,
    tol: f64,
) {
    for i in positions {
        let want = reference_at(data, w, i);
        let got = out[i].to_f64();
        let scale = scale_at(data, w, i).max(f64::MIN_POSITIVE);
        let rel = (got - want).abs() / scale;
        assert!(
            rel <= tol,
            "n={} w={w} i={i}: got {got}, want {want} (relative error {rel:e})",
            data.len()
        );
    }
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

/// Every output for many (N, w), including N < w, w = 1 and windows wider
/// than the data.
#[test]
fn edge_semantics_for_many_sizes_and_windows() {
    let mut r = rng(1);
    for n in [1usize, 2, 3, 7, 16, 17, 33, 100, 1000, 5000] {
        let data: Vec<f64> = (0..n).map(|_| r.random_range(-5.0..5.0)).collect();
        let data32: Vec<f32> = data.iter().map(|&v| v as f32).collect();
        for w in [0usize, 1, 2, 5, 10, 15, 16, 50, 500, 2 * n, 10 * n + 3] {
            let mut out = vec![f64::NAN; n];
            rolling_mean(&data, w, &mut out).unwrap();
            check_positions(&data, w, &out, 0..n, 1e-12);
            let mut out32 = vec![f32::NAN; n];
            rolling_mean(&data32, w, &mut out32).unwrap();
            // f32 outputs: one rounding of an f64 mean.
            check_positions(&data32, w, &out32, 0..n, 1e-7);
        }
    }
}

#[test]
fn half_window_zero_copies_and_empty_is_fine() {
    let data = [1.5f64, -2.0, f64::MAX];
    let mut out = [0.0; 3];
    rolling_mean(&data, 0, &mut out).unwrap();
    assert_eq!(out, data);
    let mut empty: [f32; 0] = [];
    rolling_mean(&[] as &[f32], 7, &mut empty).unwrap();
}

#[test]
fn wrong_output_length_is_refused_untouched() {
    let data = vec![1.0f64; 10];
    let mut out = vec![-3.0; 9];
    let err = rolling_mean(&data, 2, &mut out).unwrap_err();
    assert_eq!(
        err,
        Error::LengthMismatch {
            what: "out",
            expected: 10,
            actual: 9
        }
    );
    assert!(out.iter().all(|&v| v == -3.0));
}

/// The seed's data: `np.random.rand(n).cumsum()`, 10^7 steps.
#[test]
fn precise_on_a_long_random_walk() {
    let mut r = rng(2);
    let n = 10_000_000;
    let mut acc = 0.0;
    let walk: Vec<f64> = (0..n)
        .map(|_| {
            acc += r.random::<f64>();
            acc
        })
        .collect();
    let mut out = vec![0.0; n];
    let positions: Vec<usize> = (0..20_000)
        .map(|_| r.random_range(0..n))
        .chain(0..600)
        .chain(n - 600..n)
        .collect();
    for w in [10usize, 500] {
        rolling_mean(&walk, w, &mut out).unwrap();
        check_positions(&walk, w, &out, positions.iter().copied(), 1e-12);
    }
}

#[test]
fn precise_with_large_offsets() {
    let mut r = rng(3);
    for offset in [1e6, 1e9, 1e12, -1e12] {
        let n = 300_000;
        let data: Vec<f64> = (0..n).map(|_| offset + r.random_range(-1.0..1.0)).collect();
        let mut out = vec![0.0; n];
        for w in [3usize, 10, 500, 4000] {
            rolling_mean(&data, w, &mut out).unwrap();
            let positions = (0..n).step_by(37).chain(n - 50..n);
            check_positions(&data, w, &out, positions, 1e-12);
            // Relative to the mean itself, too.
            for i in (0..n).step_by(997) {
                let want = reference_at(&data, w, i);
                assert!(
                    ((out[i] - want) / want).abs() <= 1e-12,
                    "offset {offset} w={w} i={i}"
                );
            }
        }
    }
}

#[test]
fn bitwise_identical_for_every_thread_count() {
    let mut r = rng(4);
    let n = 1_000_003;
    let data: Vec<f64> = (0..n).map(|_| r.random_range(0.0..100.0)).collect();
    let data32: Vec<f32> = data.iter().map(|&v| v as f32).collect();
    for w in [1usize, 10, 15, 16, 500, 100_000] {
        let mut first: Option<(Vec<f64>, Vec<f32>)> = None;
        for threads in 1..=3 {
            let (out, out32) = pool(threads).install(|| {
                let mut out = vec![0.0; n];
                let mut out32 = vec![0.0f32; n];
                rolling_mean(&data, w, &mut out).unwrap();
                rolling_mean(&data32, w, &mut out32).unwrap();
                (out, out32)
            });
            match &first {
                None => first = Some((out, out32)),
                Some((a, b)) => {
                    assert!(
                        a.iter().zip(&out).all(|(x, y)| x.to_bits() == y.to_bits()),
                        "f64 w={w} threads={threads}"
                    );
                    assert!(
                        b.iter()
                            .zip(&out32)
                            .all(|(x, y)| x.to_bits() == y.to_bits()),
                        "f32 w={w} threads={threads}"
                    );
                }
            }
        }
    }
}

/// NaN and infinities stay in the windows that hold them, as with direct
/// summation: a running sum would carry them to the next anchor.
#[test]
fn non_finite_values_only_affect_their_own_windows() {
    fn check<T: Float>(poison: &[(usize, f64)], n: usize, w: usize, threads: usize) {
        let mut data: Vec<T> = (0..n)
            .map(|i| T::from_f64((i as f64 * 0.7).sin() * 10.0 + 100.0))
            .collect();
        for &(at, v) in poison {
            data[at % n] = T::from_f64(v);
        }
        let mut out = vec![T::from_f64(0.0); n];
        pool(threads).install(|| rolling_mean(&data, w, &mut out).unwrap());
        for (i, o) in out.iter().enumerate() {
            let want = reference_at(&data, w, i);
            let got = o.to_f64();
            let tol = if size_of::<T>() == 4 { 1e-6 } else { 1e-12 };
            let ok = if want.is_finite() {
                (got - want).abs() <= tol * scale_at(&data, w, i)
            } else {
                // Same NaN-ness and, for infinities, the same sign.
                got.is_nan() == want.is_nan() && (want.is_nan() || got == want)
            };
            assert!(
                ok,
                "n={n} w={w} threads={threads} i={i}: got {got}, want {want}"
            );
        }
    }
    let nan = f64::NAN;
    let inf = f64::INFINITY;
    let cases: &[&[(usize, f64)]] = &[
        &[(100, nan)],
        &[(100, inf)],
        &[(100, -inf)],
        &[(100, inf), (130, -inf)],
        &[(0, nan)],
        &[(19_999, inf)],
        &[(5_000, nan), (12_000, -inf), (12_001, inf)],
    ];
    for poison in cases {
        for w in [2, 7, 50, 500] {
            for threads in [1, 2] {
                check::<f64>(poison, 20_000, w, threads);
            }
        }
        check::<f32>(poison, 20_000, 7, 1);
        check::<f64>(poison, 2_000, 30_000, 1);
    }
}
