//! Compute roofs: peak FLOP/s of the SIMD types the kernels use (`f64x4`,
//! `f32x8` from `wide`, and the transcendental kernels' `f64x8`, `f32x16`),
//! with FMA and with separate multiply and add. The roof of a float type is
//! the faster of its two widths (equal where 512-bit operations are split
//! in two, as on Zen 4 or without AVX-512).
//!
//! Each thread runs 12 independent accumulator chains, enough to cover an
//! FMA latency of 4 cycles on 2 pipes (8 chains) with margin, and few enough
//! to stay in 16 vector registers. The scalar ceiling is not timed: a scalar
//! loop of independent chains is auto-vectorised by the compiler, so it is
//! derived as the mul+add rate divided by the lane count.

use std::hint::black_box;
use std::time::Instant;

use wide::{f32x8, f32x16, f64x4, f64x8};

const CHAINS: usize = 12;

/// Measured peaks at one thread count, GFLOP/s.
#[derive(Debug, Clone)]
pub(crate) struct Compute {
    pub threads: usize,
    /// The faster width's rates (see the module docs).
    pub f64_fma: f64,
    pub f64_mul_add: f64,
    pub f32_fma: f64,
    pub f32_mul_add: f64,
    /// The FMA rates of each width: (256-bit, wide).
    pub f64_fma_widths: (f64, f64),
    pub f32_fma_widths: (f64, f64),
    /// The 256-bit mul+add rates, from which the scalar ceiling is derived.
    pub f64_mul_add_256: f64,
    pub f32_mul_add_256: f64,
}

impl Compute {
    /// The three ceilings of the roofline for one float type:
    /// (scalar, SIMD mul+add, SIMD FMA). The scalar one is the 256-bit
    /// mul+add rate over its lane count (one lane of the narrower vector).
    pub(crate) fn ceilings(&self, f32: bool) -> (f64, f64, f64) {
        if f32 {
            (self.f32_mul_add_256 / 8.0, self.f32_mul_add, self.f32_fma)
        } else {
            (self.f64_mul_add_256 / 4.0, self.f64_mul_add, self.f64_fma)
        }
    }
}

macro_rules! chains {
    ($name:ident, $v:ty, $fma:expr) => {
        /// Runs the chains `iters` times; returns a value the optimiser
        /// cannot drop.
        fn $name(iters: u64) -> $v {
            let m = black_box(<$v>::splat(0.999_999));
            let c = black_box(<$v>::splat(1e-7));
            let mut acc = [<$v>::splat(1.0); CHAINS];
            for _ in 0..iters {
                for a in acc.iter_mut() {
                    *a = if $fma { a.mul_add(m, c) } else { *a * m + c };
                }
            }
            acc.iter().fold(<$v>::splat(0.0), |s, &a| s + a)
        }
    };
}

chains!(f64_fma_chains, f64x4, true);
chains!(f64_mul_add_chains, f64x4, false);
chains!(f32_fma_chains, f32x8, true);
chains!(f32_mul_add_chains, f32x8, false);
chains!(f64_fma_chains_wide, f64x8, true);
chains!(f64_mul_add_chains_wide, f64x8, false);
chains!(f32_fma_chains_wide, f32x16, true);
chains!(f32_mul_add_chains_wide, f32x16, false);

/// GFLOP/s of all the pool's threads running `chains(iters)` together;
/// `flops_per_iter` counts 2 per lane per chain (a multiply and an add).
fn rate<V: Send>(
    pool: &rayon::ThreadPool,
    iters: u64,
    lanes: usize,
    reps: usize,
    chains: fn(u64) -> V,
) -> f64 {
    let threads = pool.current_num_threads();
    let flops = (threads * CHAINS * lanes * 2) as f64 * iters as f64;
    pool.broadcast(|_| black_box(chains(iters / 10)));
    (0..reps.max(1))
        .map(|_| {
            let start = Instant::now();
            pool.broadcast(|_| black_box(chains(iters)));
            flops / start.elapsed().as_secs_f64() / 1e9
        })
        .fold(0.0, f64::max)
}

/// Best of `reps` timings of each chain kind, `iters` iterations each.
/// The wide chains run half the iterations, for the same FLOPs.
pub(crate) fn peaks(pool: &rayon::ThreadPool, iters: u64, reps: usize) -> Compute {
    let wide = iters / 2;
    let f64_fma_widths = (
        rate(pool, iters, 4, reps, f64_fma_chains),
        rate(pool, wide, 8, reps, f64_fma_chains_wide),
    );
    let f32_fma_widths = (
        rate(pool, iters, 8, reps, f32_fma_chains),
        rate(pool, wide, 16, reps, f32_fma_chains_wide),
    );
    let f64_mul_add_256 = rate(pool, iters, 4, reps, f64_mul_add_chains);
    let f32_mul_add_256 = rate(pool, iters, 8, reps, f32_mul_add_chains);
    let f64_mul_add_wide = rate(pool, wide, 8, reps, f64_mul_add_chains_wide);
    let f32_mul_add_wide = rate(pool, wide, 16, reps, f32_mul_add_chains_wide);
    Compute {
        threads: pool.current_num_threads(),
        f64_fma: f64_fma_widths.0.max(f64_fma_widths.1),
        f64_mul_add: f64_mul_add_256.max(f64_mul_add_wide),
        f32_fma: f32_fma_widths.0.max(f32_fma_widths.1),
        f32_mul_add: f32_mul_add_256.max(f32_mul_add_wide),
        f64_fma_widths,
        f32_fma_widths,
        f64_mul_add_256,
        f32_mul_add_256,
    }
}

/// The theoretical FMA peak in GFLOP/s: lanes x 2 FLOPs x FMA pipes x clock
/// x threads, assuming one thread per physical core.
pub(crate) fn theoretical(lanes: usize, fma_pipes: usize, clock_ghz: f64, threads: usize) -> f64 {
    (lanes * 2 * fma_pipes * threads) as f64 * clock_ghz
}

/// FMA pipes per core: `SPLITAPPLY_FMA_PIPES` or 2, true of current x86-64
/// server cores (Intel since Haswell, AMD since Zen 2) at 256-bit width.
pub(crate) fn fma_pipes() -> (usize, bool) {
    match std::env::var("SPLITAPPLY_FMA_PIPES")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        Some(p) => (p, true),
        None => (2, false),
    }
}
