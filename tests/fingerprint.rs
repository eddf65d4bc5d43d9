//! The cross-build promise: every build with fused multiply-add (x86-64-v3,
//! native AVX2 or AVX-512 builds, aarch64) computes the same bits.
//!
//! A fixed set of results is hashed into one fingerprint per kernel and
//! float type, and per engine and rolling-mean case. The inputs come from a
//! fixed generator written here (not from a crate whose output could
//! change with its version). NaN results count as one value: Rust leaves a
//! NaN's sign and payload unspecified.
//!
//! With `SPLITAPPLY_FINGERPRINT_OUT=FILE` the test writes the fingerprints
//! to `FILE`, one `name hash` line each, after a first line naming whether
//! the build has FMA. CI runs it in each build it makes (native,
//! x86-64-v3, baseline x86-64, aarch64 under qemu) and compares the files
//! with `.ci/fingerprints.py`: the FMA builds must agree on every line;
//! builds without FMA (baseline x86-64, the default of a dependent crate
//! that sets no RUSTFLAGS), which round `mul_add` twice, must agree on the
//! kernels whose arithmetic has no multiply-add (`sqrt`, `clamp`). Within
//! one build the test checks that the strategies agree.

use std::collections::BTreeMap;

use splitapply::kernels::{BUILTIN_KERNELS, KernelSpec};
use splitapply::{Engine, Float, FuncTable, Strategy, rolling_mean};

/// Whether this build fuses multiply-adds (one rounding).
const FMA: bool = cfg!(any(target_feature = "fma", target_arch = "aarch64"));

/// Points per kernel fingerprint.
const N: usize = 1 << 16;

/// splitmix64: a fixed, documented generator.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1), from the top 53 bits.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The inputs: mostly the sample kernels' domain [0.1, 2.1), then a wide
/// range of both signs, then special values.
fn inputs() -> Vec<f64> {
    let mut g = SplitMix(2026);
    let mut x: Vec<f64> = (0..N - 32)
        .map(|i| match i % 4 {
            0 | 1 => 0.1 + 2.0 * g.unit(),
            2 => (g.unit() - 0.5) * 40.0,
            _ => (g.unit() - 0.5) * 1e6,
        })
        .collect();
    x.extend([
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        2.0,
        f64::MIN_POSITIVE,
        -f64::MIN_POSITIVE,
        5e-324,
        1e-300,
        1e300,
        -1e300,
        f64::MAX,
        f64::MIN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        700.0,
        -700.0,
        88.0,
        -87.0,
        1e-8,
        3.0,
        -3.0,
        10.0,
        100.0,
        0.1,
        2.1,
        std::f64::consts::PI,
        std::f64::consts::E,
        -std::f64::consts::FRAC_PI_2,
        1e15,
    ]);
    x
}

/// FNV-1a over the results' bits, NaNs as one value.
fn hash<T: Float>(values: &[T]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for v in values {
        let bits = if v.is_nan() {
            u64::MAX
        } else {
            v.to_bits_u64()
        };
        for b in bits.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn float_name<T: Float>() -> &'static str {
    if T::BYTES == 8 { "f64" } else { "f32" }
}

/// Every fingerprint of one float type, by name.
fn fingerprints<T: Float>(out: &mut BTreeMap<String, u64>) {
    let f = float_name::<T>();
    let x: Vec<T> = inputs().into_iter().map(T::from_f64).collect();
    let mut y = vec![T::ZERO; x.len()];
    // Each kernel's samples 0 and 1, alone.
    for info in BUILTIN_KERNELS {
        let mut all = Vec::with_capacity(2 * x.len());
        for j in 0..2 {
            let kernel = KernelSpec::sample(info.name, j)
                .expect("a registry name")
                .to_kernel::<T>()
                .expect("samples are valid");
            kernel.eval(&x, &mut y);
            all.extend_from_slice(&y);
        }
        out.insert(format!("{} {f}", info.name), hash(&all));
    }
    // The engine: a table of every kernel's samples and two closures, under
    // several strategies (they must agree within the build; the property
    // tests check that too).
    let mut table =
        samples::<T>((0..40).map(|j| (BUILTIN_KERNELS[j % BUILTIN_KERNELS.len()].name, j)));
    let (half, one) = (T::from_f64(0.5), T::from_f64(1.0));
    table.push_fn(move |v: T| v * half + one);
    table.push_fn(|v: T| if v < T::ZERO { T::ZERO - v } else { v });
    let mut g = SplitMix(7);
    let many = fingerprint_apply(&table, &x, &mut g, &[Strategy::Bucket, Strategy::Runs]);
    out.insert(format!("apply {f}"), many);
    // Five functions: the partition passes of the grouping path this CPU
    // takes.
    let mut few = samples::<T>(["exp", "poly", "clamp", "sqrt"].map(|name| (name, 1)));
    few.push_fn(move |v: T| v * half + one);
    let few = fingerprint_apply(&few, &x, &mut g, &[Strategy::Bucket, Strategy::Runs]);
    out.insert(format!("apply k=5 {f}"), few);
    // One family streamed, and two parameterless types selected.
    let affine = samples::<T>((0..100).map(|j| ("affine", j)));
    let streamed = fingerprint_apply(
        &affine,
        &x,
        &mut g,
        &[Strategy::StreamFamily, Strategy::Bucket],
    );
    out.insert(format!("apply affine {f}"), streamed);
    let two_types = samples::<T>((0..50).map(|j| (if j % 2 == 0 { "exp" } else { "sqrt" }, 0)));
    let selected = fingerprint_apply(
        &two_types,
        &x,
        &mut g,
        &[Strategy::SelectByType, Strategy::Bucket],
    );
    out.insert(format!("apply exp+sqrt {f}"), selected);
    // The rolling mean over a random walk, two half-widths.
    let mut walk = 0.0;
    let data: Vec<T> = (0..50_000)
        .map(|_| {
            walk += g.unit() - 0.5;
            T::from_f64(walk + 1e3)
        })
        .collect();
    let mut means = vec![T::ZERO; data.len()];
    for w in [3, 100] {
        rolling_mean(&data, w, &mut means).unwrap();
        out.insert(format!("rolling_mean w={w} {f}"), hash(&means));
    }
    // Noise around zero with spikes of 1e12: the exact blocks, re-anchors
    // and the careful path.
    let noisy: Vec<T> = (0..50_000)
        .map(|i| T::from_f64(if i % 997 == 5 { 1e12 } else { g.unit() - 0.5 }))
        .collect();
    for w in [40, 300] {
        rolling_mean(&noisy, w, &mut means).unwrap();
        out.insert(format!("rolling_mean noise w={w} {f}"), hash(&means));
    }
}

/// A table of the registry's samples `(name, j)`, in order.
fn samples<T: Float>(which: impl IntoIterator<Item = (&'static str, usize)>) -> FuncTable<T> {
    let mut table = FuncTable::new();
    for (name, j) in which {
        KernelSpec::sample(name, j)
            .expect("a registry name")
            .push_to(&mut table)
            .expect("samples are valid");
    }
    table
}

/// The fingerprint of `table` applied to `x` at random indices, under
/// `Auto` and each of `strategies`, which must agree within the build.
fn fingerprint_apply<T: Float>(
    table: &FuncTable<T>,
    x: &[T],
    g: &mut SplitMix,
    strategies: &[Strategy],
) -> u64 {
    let idx: Vec<u32> = (0..x.len())
        .map(|_| (g.next() % table.len() as u64) as u32)
        .collect();
    let mut y = vec![T::ZERO; x.len()];
    let mut first = None;
    for &strategy in [Strategy::Auto].iter().chain(strategies) {
        Engine::new()
            .strategy(strategy)
            .apply_into(table, &idx, x, &mut y)
            .unwrap();
        let h = hash(&y);
        assert_eq!(
            *first.get_or_insert(h),
            h,
            "{strategy:?} differs from Auto within one build"
        );
    }
    first.expect("ran")
}

#[test]
fn fingerprints_of_this_build() {
    let mut got = BTreeMap::new();
    fingerprints::<f64>(&mut got);
    fingerprints::<f32>(&mut got);
    // Per float type: every kernel, four `apply` tables, and four rolling
    // means.
    assert_eq!(got.len(), 2 * (BUILTIN_KERNELS.len() + 8));
    if let Some(path) = std::env::var_os("SPLITAPPLY_FINGERPRINT_OUT") {
        let mut text = format!("fma {FMA}\n");
        for (name, value) in &got {
            text += &format!("{name} {value:#018x}\n");
        }
        std::fs::write(&path, text).expect("writes the fingerprints");
    }
}
