//! Stress at the limits. The quick cases run with `cargo test`; the heavy
//! ones are `#[ignore]`d and run with
//!
//! ```text
//! cargo test --release --test stress -- --ignored --nocapture
//! ```

mod common;

use common::{assert_bitwise_eq, reference};
use splitapply::kernels::Affine;
use splitapply::{Engine, FuncTable, Plan, Strategy};

fn affine_closures(k: usize) -> FuncTable<f32> {
    let mut table = FuncTable::with_capacity(k);
    for j in 0..k {
        if j % 2 == 0 {
            table.push(Affine::new(j as f32 * 0.5, 1.0));
        } else {
            table.push_fn(move |x: f32| x - j as f32);
        }
    }
    table
}

/// Index patterns that break naive heuristics.
fn adversarial(n: usize, k: usize) -> Vec<(&'static str, Vec<u32>)> {
    let k32 = k as u32;
    vec![
        (
            "alternating 0/1",
            (0..n).map(|i| (i % 2) as u32 % k32).collect(),
        ),
        ("sawtooth over k", (0..n).map(|i| (i % k) as u32).collect()),
        (
            "one rare function",
            (0..n)
                .map(|i| if i % 9973 == 0 { k32 - 1 } else { 0 })
                .collect(),
        ),
        (
            "concentrated at k-1",
            (0..n)
                .map(|i| {
                    if i % 7 == 0 {
                        (i as u32 / 7) % k32
                    } else {
                        k32 - 1
                    }
                })
                .collect(),
        ),
        ("all equal", vec![k32 / 2; n]),
        (
            "runs of 31 then 33",
            (0..n).map(|i| ((i / 31 + i / 33) % k) as u32).collect(),
        ),
    ]
}

fn check_patterns(n: usize, k: usize) {
    let table = affine_closures(k);
    let x: Vec<f32> = (0..n).map(|i| (i % 1013) as f32 * 0.25 - 100.0).collect();
    for (name, idx) in adversarial(n, k) {
        let want = reference(&table, &idx, &x);
        for strategy in [Strategy::Auto, Strategy::Bucket, Strategy::Runs] {
            let mut out = vec![0.0f32; n];
            Engine::new()
                .strategy(strategy)
                .apply_into(&table, &idx, &x, &mut out)
                .unwrap();
            assert_bitwise_eq(&out, &want, &format!("{name} k={k} {strategy:?}"));
        }
        let out = Plan::new(&idx, k).unwrap().apply(&table, &x).unwrap();
        assert_bitwise_eq(&out, &want, &format!("{name} k={k} plan"));
    }
}

#[test]
fn adversarial_patterns() {
    for k in [1usize, 2, 3, 250, 70_000] {
        check_patterns(200_003, k);
    }
}

#[test]
#[ignore = "heavy: k = 10^6 over 4*10^6 points"]
fn adversarial_patterns_million_functions() {
    check_patterns(4_000_000, 1_000_000);
}

#[test]
#[ignore = "heavy: 2*10^8 f32 points (about 2.4 GB)"]
fn two_hundred_million_f32() {
    let n = 200_000_000usize;
    let k = 250usize;
    let table = affine_closures(k);
    let idx: Vec<u32> = (0..n as u64)
        .map(|i| (i.wrapping_mul(2_654_435_761) % k as u64) as u32)
        .collect();
    let x: Vec<f32> = (0..n).map(|i| (i % 4093) as f32 * 0.125).collect();
    let mut out = vec![0.0f32; n];
    Engine::new()
        .apply_into(&table, &idx, &x, &mut out)
        .unwrap();
    for i in (0..n).step_by(9_973).chain(n - 100..n) {
        let mut one = [x[i]];
        table.get(idx[i] as usize).unwrap().eval_in_place(&mut one);
        assert_eq!(out[i].to_bits(), one[0].to_bits(), "position {i}");
    }
}

#[test]
#[ignore = "heavy: a kernel panicking at its 10^6-th point, 4*10^6 points, 1-3 threads"]
fn panic_at_the_millionth_point_propagates() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static SEEN: AtomicUsize = AtomicUsize::new(0);
    let n = 4_000_000;
    let idx: Vec<u32> = (0..n).map(|i| (i % 3) as u32).collect();
    let x = vec![1.0f64; n];
    for threads in 1..=3 {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        SEEN.store(0, Ordering::Relaxed);
        let mut table = FuncTable::<f64>::new();
        table.push_fn(|x| x);
        table.push_fn(|x| {
            if SEEN.fetch_add(1, Ordering::Relaxed) + 1 == 1_000_000 {
                panic!("the millionth point");
            }
            x
        });
        table.push(Affine::new(2.0, 0.0));
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            pool.install(|| splitapply::apply(&table, &idx, &x))
        }));
        assert!(
            caught.is_err(),
            "threads={threads}: the panic must propagate"
        );
        let ok = pool.install(|| splitapply::apply(&table, &idx, &x));
        assert!(ok.is_ok(), "threads={threads}: the pool must still work");
    }
}
