//! Rolling mean against an exact reference: every output within 8 ulps of
//! its window's mean magnitude on adversarial data (spikes, offsets, steps
//! over sixteen decades, cancelling signs, random walks), for many (N, w),
//! both float types and several thread counts; edge semantics; bitwise
//! identical results for every thread count; NaN and infinities; errors.

mod common;
#[path = "common/exact.rs"]
mod exact;

use common::rng;
use exact::check_window_means;
use rand::RngExt;
use splitapply::{Error, Float, rolling_mean};

/// Checks every output against exact window sums: see
/// `common/exact.rs`.
fn check_exact<T: Float>(data: &[T], w: usize, out: &[T], what: &str) -> f64 {
    check_window_means(data, w, out, what)
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

/// The rolling mean on 1, 2 and 3 threads: checks that all three are the
/// same bits, and returns one.
fn rolling_on_threads<T: Float>(data: &[T], w: usize) -> Vec<T> {
    let mut first: Option<Vec<T>> = None;
    for threads in [1, 2, 3] {
        let out = pool(threads).install(|| {
            let mut out = vec![T::from_f64(-7.0); data.len()];
            rolling_mean(data, w, &mut out).unwrap();
            out
        });
        match &first {
            None => first = Some(out),
            Some(a) => assert!(
                a.iter()
                    .zip(&out)
                    .all(|(x, y)| x.to_bits_u64() == y.to_bits_u64()),
                "n={} w={w}: {threads} threads give other bits",
                data.len()
            ),
        }
    }
    first.unwrap()
}

/// The adversarial datasets, by name, of length `n` (f64).
fn dataset(name: &str, n: usize, seed: u64) -> Vec<f64> {
    let mut r = rng(seed);
    let mut small = move || r.random_range(-1.0..1.0f64);
    match name {
        // np.random.rand(n).cumsum(): the seed's data.
        "drifting walk" => {
            let mut acc = 0.0;
            (0..n)
                .map(|_| {
                    acc += small().abs();
                    acc
                })
                .collect()
        }
        // Around zero, crossing it: windows that sum to about zero.
        "walk around zero" => {
            let mut acc = 0.0;
            (0..n)
                .map(|_| {
                    acc += small();
                    acc
                })
                .collect()
        }
        "noise" => (0..n).map(|_| small()).collect(),
        // 1e12 among O(1) values: the worst case.
        "spikes" => (0..n)
            .map(|i| if i % 97 == 13 { 1e12 } else { small() })
            .collect(),
        "offset 1e9" => (0..n).map(|_| 1e9 + small()).collect(),
        "halves 1e10 and 1" => (0..n)
            .map(|i| if i < n / 2 { 1e10 * small() } else { small() })
            .collect(),
        // +1e15 and -1e15 in turn, small values between.
        "alternating 1e15" => (0..n)
            .map(|i| match i % 6 {
                0 => 1e15,
                3 => -1e15,
                _ => small(),
            })
            .collect(),
        // Segments of 100 points at 1e8, 1 and 1e-8, in turn.
        "steps 1e8 1 1e-8" => (0..n)
            .map(|i| [1e8, 1.0, 1e-8][i / 100 % 3] * (1.0 + small()))
            .collect(),
        _ => unreachable!("no dataset {name}"),
    }
}

const DATASETS: [&str; 8] = [
    "drifting walk",
    "walk around zero",
    "noise",
    "spikes",
    "offset 1e9",
    "halves 1e10 and 1",
    "alternating 1e15",
    "steps 1e8 1 1e-8",
];

/// Every dataset, half-widths from 1 to 500 (both sides of the pairwise
/// tree's limit at 31), lengths that cross anchors and chunks, both float
/// types, 1 to 3 threads: every output within 8 ulps.
#[test]
fn within_8_ulps_of_the_window_magnitude_on_adversarial_data() {
    for (seed, name) in DATASETS.iter().enumerate() {
        for n in [3_000usize, 40_001] {
            let data = dataset(name, n, seed as u64);
            let data32: Vec<f32> = data.iter().map(|&v| v as f32).collect();
            for w in [1usize, 2, 3, 10, 16, 31, 32, 33, 100, 500] {
                let out = rolling_on_threads(&data, w);
                check_exact(&data, w, &out, name);
                let out32 = rolling_on_threads(&data32, w);
                check_exact(&data32, w, &out32, name);
            }
        }
    }
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
            check_exact(&data, w, &out, "uniform");
            let mut out32 = vec![f32::NAN; n];
            rolling_mean(&data32, w, &mut out32).unwrap();
            check_exact(&data32, w, &out32, "uniform f32");
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

/// The seed's data, `np.random.rand(n).cumsum()`, 10^6 steps, and a walk
/// around zero of as many: every output within 8 ulps.
#[test]
fn within_8_ulps_on_long_random_walks() {
    for name in ["drifting walk", "walk around zero"] {
        let walk = dataset(name, 1_000_000, 2);
        let mut out = vec![0.0; walk.len()];
        for w in [1usize, 10, 500] {
            rolling_mean(&walk, w, &mut out).unwrap();
            check_exact(&walk, w, &out, name);
        }
    }
}

/// Windows of zeros give exactly zero, also after large values, and
/// windows of equal values with short mantissas give exactly that value
/// (every sum of them is exact).
#[test]
fn zero_windows_are_exactly_zero_and_constant_ones_exact() {
    for w in [1usize, 2, 15, 16, 40, 500] {
        let mut data = vec![0.0f64; 20_000];
        for (i, v) in data.iter_mut().enumerate() {
            if i % 3000 < 50 {
                *v = (i % 7) as f64 * 123.456 - 300.0;
            }
            if i % 3000 == 1500 {
                *v = 1e300;
            }
        }
        let mut out = vec![1.0; data.len()];
        rolling_mean(&data, w, &mut out).unwrap();
        check_exact(&data, w, &out, "zeros");
        for (i, &o) in out.iter().enumerate() {
            let lo = i.saturating_sub(w);
            let hi = (i + w).min(data.len() - 1);
            if data[lo..=hi].iter().all(|&v| v == 0.0) {
                assert_eq!(o, 0.0, "w={w} i={i}");
            }
        }
        let constant = vec![0.375f64; 9_000];
        rolling_mean(&constant, w, &mut out[..9_000]).unwrap();
        assert!(out[..9_000].iter().all(|&o| o == 0.375), "w={w}");
    }
}

/// Results are the same bits for every thread count, on data that takes
/// every path (fast blocks, re-anchors, fallbacks).
#[test]
fn bitwise_identical_for_every_thread_count() {
    let mut r = rng(4);
    let n = 1_000_003;
    let data: Vec<f64> = (0..n)
        .map(|i| {
            let v = r.random_range(0.0..100.0);
            if i % 50_000 < 300 { v - 50.0 } else { v }
        })
        .collect();
    let data32: Vec<f32> = data.iter().map(|&v| v as f32).collect();
    for w in [1usize, 10, 15, 16, 500, 100_000] {
        rolling_on_threads(&data, w);
        rolling_on_threads(&data32, w);
    }
}

/// NaN and infinities stay in the windows that hold them, as with direct
/// summation: a running sum would carry them on. The other windows stay
/// within 8 ulps.
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
        check_exact(&data, w, &out, "poisoned");
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
        check::<f32>(poison, 20_000, 100, 1);
        check::<f64>(poison, 2_000, 30_000, 1);
    }
}

/// Values near `f64::MAX / 2^10` whose window sums stay finite: no
/// overflow anywhere, every output within 8 ulps.
#[test]
fn huge_values_whose_window_sums_do_not_overflow() {
    let mut r = rng(5);
    let big = f64::MAX / 1024.0;
    let data: Vec<f64> = (0..20_000)
        .map(|i| {
            if i % 50 < 5 {
                big * r.random_range(-1.0..1.0)
            } else {
                r.random_range(-1.0..1.0)
            }
        })
        .collect();
    for w in [1usize, 10, 200] {
        let out = rolling_on_threads(&data, w);
        check_exact(&data, w, &out, "huge");
    }
}

/// Windows whose values sum past `f64::MAX` may give an infinity or NaN,
/// but only they: every other window stays within 8 ulps, on every path.
#[test]
fn overflowing_windows_do_not_spread() {
    let mut r = rng(6);
    let n = 30_000;
    let data: Vec<f64> = (0..n).map(|_| r.random_range(-1.0..1.0)).collect();
    for w in [2usize, 15, 16, 100, 500] {
        let mut poisoned = data.clone();
        let huge: Vec<usize> = (0..n).step_by(7_919).skip(1).collect();
        for &at in &huge {
            poisoned[at] = f64::MAX;
            poisoned[at + 1] = f64::MAX;
        }
        let out = rolling_on_threads(&poisoned, w);
        // Windows clear of the huge values see the same values as in
        // `data`: check them there; the others take `data`'s own means.
        let clean = rolling_on_threads(&data, w);
        let near = |i: usize| huge.iter().any(|&at| i + w >= at && i <= at + 1 + w);
        let mixed: Vec<f64> = (0..n)
            .map(|i| if near(i) { clean[i] } else { out[i] })
            .collect();
        check_exact(&data, w, &mixed, "overflow");
        // A window holding both huge values sums past f64::MAX: its mean
        // is not finite.
        for &at in &huge {
            let (first, last) = ((at + 1).saturating_sub(w), (at + w).min(n - 1));
            for (i, v) in out.iter().enumerate().take(last + 1).skip(first) {
                assert!(!v.is_finite(), "w={w}: out[{i}] = {v} holds both");
            }
        }
    }
}
