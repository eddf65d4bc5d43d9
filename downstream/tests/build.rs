//! What a dependent crate gets from the build it is compiled in.
//!
//! CI runs these tests twice: once with `RUSTFLAGS="-C target-cpu=x86-64"`
//! (the default of a dependent crate) and `SPLITAPPLY_EXPECT=warning`, once
//! with the repository's native build and `SPLITAPPLY_EXPECT=quiet`. Without
//! the variable the expectation follows from the features this test crate
//! was compiled with, which are the library's.

use splitapply::kernels::{Exp, Poly};
use splitapply::{FuncTable, apply, simd_info};

/// Whether this build should warn: from `SPLITAPPLY_EXPECT` when CI sets
/// it, else from the compiled features against the CPU's.
fn expect_warning() -> bool {
    match std::env::var("SPLITAPPLY_EXPECT").as_deref() {
        Ok("warning") => true,
        Ok("quiet") => false,
        Ok(other) => panic!("SPLITAPPLY_EXPECT must be 'warning' or 'quiet', not {other:?}"),
        Err(_) => compiled_below_cpu(),
    }
}

#[cfg(target_arch = "x86_64")]
fn compiled_below_cpu() -> bool {
    (!cfg!(target_feature = "avx2") && std::arch::is_x86_feature_detected!("avx2"))
        || (!cfg!(target_feature = "fma") && std::arch::is_x86_feature_detected!("fma"))
        || (!cfg!(target_feature = "avx512f") && std::arch::is_x86_feature_detected!("avx512f"))
}

#[cfg(not(target_arch = "x86_64"))]
fn compiled_below_cpu() -> bool {
    false
}

#[test]
fn simd_info_warns_exactly_when_the_build_misses_the_cpus_features() {
    let info = simd_info();
    let warning = info.warning();
    if expect_warning() {
        let text = warning.unwrap_or_else(|| panic!("expected a warning for this build:\n{info}"));
        assert!(text.contains("target-cpu=native"), "{text}");
    } else {
        assert_eq!(warning, None, "expected no warning for this build:\n{info}");
    }
}

#[test]
fn the_public_api_works_in_this_build() {
    // The same bits in every build is the library's own promise (its
    // property tests run in these builds too); here: the API as a user
    // calls it, against a plain loop.
    let mut table = FuncTable::<f64>::new();
    table.push(Exp::new());
    table.push(Poly::new(vec![1.0, -0.5, 0.25]));
    table.push_fn(|x: f64| 3.0 * x);
    let x: Vec<f64> = (0..1000).map(|i| i as f64 / 250.0 - 2.0).collect();
    let idx: Vec<u16> = (0..1000u16).map(|i| (i * 7 + i / 13) % 3).collect();
    let out = apply(&table, &idx, &x).unwrap();
    for ((&j, &v), &o) in idx.iter().zip(&x).zip(&out) {
        let want = match j {
            0 => v.exp(),
            1 => 1.0 - 0.5 * v + 0.25 * v * v,
            _ => 3.0 * v,
        };
        assert!(
            (o - want).abs() <= 1e-14 * want.abs().max(1.0),
            "{o} vs {want} at x = {v}"
        );
    }
}
