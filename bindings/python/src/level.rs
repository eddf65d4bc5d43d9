//! The x86-64 microarchitecture level this build of the extension was
//! compiled for, from the target features the compiler enabled.
//!
//! A wheel carries one build per level (x86-64-v2, -v3, -v4) and the
//! package's loader imports the best one this CPU runs
//! (`splitapply/__init__.py`); `simd_info()["level"]` reports the one it
//! loaded. A build from source for the native CPU reports the highest
//! level that CPU reaches.

/// `"x86-64-v4"`, `"x86-64-v3"`, `"x86-64-v2"` or `"x86-64"` on x86-64
/// (the highest level all of whose features are enabled), `None` on other
/// architectures.
pub(crate) fn compiled() -> Option<&'static str> {
    if !cfg!(target_arch = "x86_64") {
        return None;
    }
    let v2 = cfg!(all(
        target_feature = "cmpxchg16b",
        target_feature = "popcnt",
        target_feature = "sse3",
        target_feature = "sse4.1",
        target_feature = "sse4.2",
        target_feature = "ssse3",
    ));
    let v3 = v2
        && cfg!(all(
            target_feature = "avx",
            target_feature = "avx2",
            target_feature = "bmi1",
            target_feature = "bmi2",
            target_feature = "f16c",
            target_feature = "fma",
            target_feature = "lzcnt",
            target_feature = "movbe",
        ));
    let v4 = v3
        && cfg!(all(
            target_feature = "avx512f",
            target_feature = "avx512bw",
            target_feature = "avx512cd",
            target_feature = "avx512dq",
            target_feature = "avx512vl",
        ));
    Some(match (v2, v3, v4) {
        (_, _, true) => "x86-64-v4",
        (_, true, _) => "x86-64-v3",
        (true, _, _) => "x86-64-v2",
        _ => "x86-64",
    })
}

/// The highest x86-64 level this CPU runs, detected at run time (CPUID and
/// what the OS enables), in the same names; `None` on other architectures.
pub(crate) fn detected() -> Option<&'static str> {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::is_x86_feature_detected as has;
        let v2 = has!("cmpxchg16b")
            && has!("popcnt")
            && has!("sse3")
            && has!("sse4.1")
            && has!("sse4.2")
            && has!("ssse3");
        let v3 = v2
            && has!("avx")
            && has!("avx2")
            && has!("bmi1")
            && has!("bmi2")
            && has!("f16c")
            && has!("fma")
            && has!("lzcnt")
            && has!("movbe")
            && has!("xsave");
        let v4 = v3
            && has!("avx512f")
            && has!("avx512bw")
            && has!("avx512cd")
            && has!("avx512dq")
            && has!("avx512vl");
        Some(match (v2, v3, v4) {
            (_, _, true) => "x86-64-v4",
            (_, true, _) => "x86-64-v3",
            (true, _, _) => "x86-64-v2",
            _ => "x86-64",
        })
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        None
    }
}
