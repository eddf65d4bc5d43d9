//! The baselines a user would otherwise write, the bounds that limit every
//! workload, the naive reference and the check every contender passes
//! before it is timed.

use rayon::prelude::*;
use splitapply::Kernel;
use splitapply::kernels::Exp;

use crate::tables::DynFn;

/// The per-element `dyn Fn` loop on the current rayon pool.
pub fn dyn_loop_parallel(f: &[DynFn], idx: &[u32], x: &[f64], out: &mut [f64]) {
    out.par_iter_mut()
        .zip(idx.par_iter())
        .zip(x.par_iter())
        .with_min_len(4096)
        .for_each(|((o, &i), &v)| *o = f[i as usize](v));
}

/// The per-element `dyn Fn` loop on one thread.
pub fn dyn_loop_serial(f: &[DynFn], idx: &[u32], x: &[f64], out: &mut [f64]) {
    for ((o, &i), &v) in out.iter_mut().zip(idx).zip(x) {
        *o = f[i as usize](v);
    }
}

/// The numpy algorithm ported to Rust, one thread: argsort the indices,
/// find each function's range by binary search, fancy-index each group out,
/// evaluate it, and fancy-index the results back.
pub fn argsort_port(f: &[DynFn], idx: &[u32], x: &[f64], out: &mut [f64]) {
    let mut order: Vec<u32> = (0..idx.len() as u32).collect();
    order.sort_unstable_by_key(|&i| idx[i as usize]);
    let sorted: Vec<u32> = order.iter().map(|&i| idx[i as usize]).collect();
    for (j, func) in f.iter().enumerate() {
        let lo = sorted.partition_point(|&v| v < j as u32);
        let hi = sorted.partition_point(|&v| v <= j as u32);
        let group = &order[lo..hi];
        let values: Vec<f64> = group.iter().map(|&i| func(x[i as usize])).collect();
        for (&i, v) in group.iter().zip(values) {
            out[i as usize] = v;
        }
    }
}

/// The bandwidth bound of W1/W1a: one fused streaming pass that reads `idx`
/// and `x` and writes `out` (20 bytes per point), on the current pool.
pub fn fused_linear(idx: &[u32], x: &[f64], out: &mut [f64]) {
    out.par_iter_mut()
        .zip(idx.par_iter())
        .zip(x.par_iter())
        .with_min_len(4096)
        .for_each(|((o, &i), &v)| *o = i as f64 * v);
}

/// Naive reference: `f[idx[i]](x[i])` one point at a time.
pub fn reference(f: &[DynFn], idx: &[u32], x: &[f64]) -> Vec<f64> {
    idx.iter().zip(x).map(|(&i, &v)| f[i as usize](v)).collect()
}

/// Panics unless `got` equals `want` within `max_rel` relative error
/// (0 for bitwise equality), naming the first bad position.
pub fn check(name: &str, got: &[f64], want: &[f64], max_rel: f64) {
    assert_eq!(got.len(), want.len(), "{name}: length");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let ok = if max_rel == 0.0 {
            g.to_bits() == w.to_bits()
        } else {
            (g - w).abs() <= max_rel * w.abs().max(f64::MIN_POSITIVE)
        };
        assert!(ok, "{name}: wrong result at {i}: got {g}, want {w}");
    }
}

/// Problem size: `SPLITAPPLY_BENCH_N` or the default.
pub fn bench_n(default: usize) -> usize {
    std::env::var("SPLITAPPLY_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// The compute bound of W2: the single-kernel SIMD map `out = exp(x)` over
/// every point, on the current pool (the same traffic as an apply less
/// `idx`).
pub fn exp_map(x: &[f64], out: &mut [f64]) {
    out.par_chunks_mut(1 << 14)
        .zip(x.par_chunks(1 << 14))
        .for_each(|(o, x)| Exp::new().eval(x, o));
}
