//! Special values, panics inside kernels, and concurrent use.

use std::sync::atomic::{AtomicUsize, Ordering};

use splitapply::kernels::{Affine, Interp};
use splitapply::{Engine, FuncTable, Plan, apply};

#[test]
fn nan_and_infinities_reach_the_kernels_unchanged() {
    let mut table = FuncTable::<f64>::new();
    table.push_fn(|x| x); // identity: whatever arrives comes out
    table.push(Affine::new(1.0, 0.0));
    let x = vec![
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        -0.0,
        5e-324,
        f64::MAX,
    ];
    for idx in [vec![0u8; 6], vec![1u8; 6], vec![0u8, 1, 0, 1, 0, 1]] {
        let out = apply(&table, &idx, &x).unwrap();
        for ((o, v), j) in out.iter().zip(&x).zip(&idx) {
            // Affine(1, 0) is 1 * x + 0 in IEEE arithmetic: -0 becomes +0.
            let want = if *j == 0 { *v } else { 1.0f64.mul_add(*v, 0.0) };
            assert!(
                o.to_bits() == want.to_bits() || (o.is_nan() && want.is_nan()),
                "idx {idx:?}: {v} gave {o}, want {want}"
            );
        }
    }
    // A NaN payload survives the gather and scatter bit for bit.
    let payload = f64::from_bits(0x7ff8_dead_beef_0001);
    let out = apply(&table, &[0u32; 100], &[payload; 100]).unwrap();
    assert!(out.iter().all(|o| o.to_bits() == payload.to_bits()));
}

#[test]
fn k_equal_one_and_all_equal_indices() {
    let mut table = FuncTable::<f32>::new();
    table.push(Interp::new(vec![0.0, 1.0], vec![0.0, 10.0]).unwrap());
    let x: Vec<f32> = (0..10_000).map(|i| i as f32 / 10_000.0).collect();
    let out = apply(&table, &vec![0usize; x.len()], &x).unwrap();
    for (o, v) in out.iter().zip(&x) {
        assert_eq!(*o, (v - 0.0).mul_add(10.0, 0.0));
    }
}

/// A kernel that panics once a shared counter reaches `at` points.
fn panicking_table(at: usize, seen: &'static AtomicUsize) -> FuncTable<f64> {
    let mut table = FuncTable::new();
    table.push_fn(|x| x + 1.0);
    table.push_fn(move |x| {
        if seen.fetch_add(1, Ordering::Relaxed) + 1 == at {
            panic!("kernel failed on purpose");
        }
        x
    });
    table
}

#[test]
fn a_panicking_kernel_propagates_and_the_pool_survives() {
    static SEEN: AtomicUsize = AtomicUsize::new(0);
    let n = 400_000;
    let idx: Vec<u32> = (0..n).map(|i| (i % 2) as u32).collect();
    let x = vec![1.0; n];
    for threads in 1..=3 {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        for use_plan in [false, true] {
            SEEN.store(0, Ordering::Relaxed);
            let table = panicking_table(100_000, &SEEN);
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                pool.install(|| {
                    let mut out = vec![0.0; n];
                    if use_plan {
                        let plan = Plan::new(&idx, 2).unwrap();
                        plan.apply_into(&table, &x, &mut out).unwrap();
                    } else {
                        Engine::new()
                            .tile_len(1000)
                            .apply_into(&table, &idx, &x, &mut out)
                            .unwrap();
                    }
                })
            }));
            let err = result.expect_err("the panic must reach the caller");
            let msg = err.downcast_ref::<&str>().copied().unwrap_or_default();
            assert_eq!(msg, "kernel failed on purpose", "threads={threads}");
            // The same pool still works.
            let mut ok = FuncTable::<f64>::new();
            ok.push_fn(|x| x * 2.0);
            let out = pool.install(|| apply(&ok, &vec![0u8; n], &x)).unwrap();
            assert!(out.iter().all(|&v| v == 2.0));
        }
    }
}

#[test]
fn concurrent_callers_with_their_own_tables() {
    std::thread::scope(|s| {
        for t in 0..4u32 {
            s.spawn(move || {
                let mut table = FuncTable::<f64>::new();
                for j in 0..10 {
                    table.push(Affine::new((t * 10 + j) as f64, 0.0));
                }
                let n = 200_000;
                let idx: Vec<u32> = (0..n).map(|i| (i as u32 * 7 + t) % 10).collect();
                let x: Vec<f64> = (0..n).map(|i| i as f64).collect();
                for _ in 0..3 {
                    let out = apply(&table, &idx, &x).unwrap();
                    for i in 0..n {
                        assert_eq!(out[i], (t * 10 + idx[i]) as f64 * x[i]);
                    }
                }
            });
        }
    });
}

#[test]
fn rolling_mean_with_an_absurd_half_window_follows_the_edge_rule() {
    // Windows far wider than any data: every output is the edge-padded
    // mean, dominated by the end values, and nothing overflows.
    let data = [1.0f64, 2.0, 4.0];
    for w in [1usize << 40, usize::MAX / 4, usize::MAX] {
        let mut out = [0.0; 3];
        splitapply::rolling_mean(&data, w, &mut out).unwrap();
        for (i, o) in out.into_iter().enumerate() {
            // (w - i) copies of the first value, the data, and
            // (i + w - 2) copies of the last, over 2w + 1 values.
            let wf = w as f64;
            let want =
                ((wf - i as f64) * 1.0 + 7.0 + (wf + i as f64 - 2.0) * 4.0) / (2.0 * wf + 1.0);
            assert!(
                (o - want).abs() <= 1e-9 * want,
                "w={w} i={i}: {o} vs {want}"
            );
        }
    }
}

#[test]
fn an_absurd_tile_length_is_the_whole_input() {
    // A tile longer than the data is one tile; scratch must not be sized
    // by the requested length.
    let mut table = splitapply::FuncTable::<f64>::new();
    table.push_fn(|x: f64| x + 1.0);
    table.push_fn(|x: f64| x * 2.0);
    let idx: Vec<u32> = (0..1000).map(|i| i % 2).collect();
    let x: Vec<f64> = (0..1000).map(f64::from).collect();
    for strategy in [
        splitapply::Strategy::Auto,
        splitapply::Strategy::Bucket,
        splitapply::Strategy::Runs,
    ] {
        let out = splitapply::Engine::new()
            .tile_len(usize::MAX)
            .strategy(strategy)
            .apply(&table, &idx, &x)
            .unwrap();
        for (i, o) in out.iter().enumerate() {
            let want = if i % 2 == 0 {
                i as f64 + 1.0
            } else {
                i as f64 * 2.0
            };
            assert_eq!(*o, want, "{strategy:?} at {i}");
        }
    }
}
