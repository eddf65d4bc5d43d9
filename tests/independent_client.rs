//! Independent black-box checks of `splitapply`, written against its public
//! API and documentation only (no code shared with the other test files).
//!
//! What this file checks, each time against its own naive reference
//! `out[i] = f[idx[i]](x[i])` and its own seeded random cases:
//!
//! 1. **Correct results.** Tables of closures (`push_fn`) are compared
//!    bitwise with calling the very same closures one point at a time;
//!    built-in kernels are compared with the standard-library formula each
//!    kernel documents, exactly where the docs promise 0 ULP and within a few
//!    ULP otherwise, inside each kernel's documented domain.
//! 2. **Determinism.** Results are bitwise identical for tile lengths from 1
//!    to 65,536, for 1, 2 and 3 rayon threads, with and without a `Plan`
//!    (default and per-tile-length plans), and for every forced `Strategy`.
//!    A strategy the docs say the table cannot use must be refused with
//!    `Error::StrategyUnavailable` and leave `out` untouched; one it can use
//!    must be accepted.
//! 3. **Refusals.** Index `>= k`, negative indices, length mismatches, an
//!    empty table, and a `Plan` used with another table length or data
//!    length are refused with the documented error, `out` untouched (filled
//!    with a sentinel beforehand), and index errors name the first
//!    offending position and its value.
//! 4. **Coverage of shapes.** Index types `u8`, `u16`, `u32`, `u64`, `usize`,
//!    `i32`, `i64`; `f32` and `f64`; sizes 0, 1, around vector widths and
//!    tile boundaries, up to 200,000 points; `k` = 1, 2, 250 and 50,000;
//!    uniform, sorted, long-run and skewed index distributions.
//!
//! Also: documented special values (NaN, infinities, signed zeros) and a
//! panicking kernel propagating to the caller. Nothing is timed.

use std::panic::{AssertUnwindSafe, catch_unwind};

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rayon::ThreadPool;
use splitapply::kernels::{Affine, Clamp, Cos, Exp, Interp, Ln, Logistic, Poly, Pow, Sin, Sqrt};
use splitapply::{
    Engine, Error, Float, FnKernel, FuncTable, Index, Plan, Strategy, apply, apply_into,
};

// ---------------------------------------------------------------------------
// Float and index helpers
// ---------------------------------------------------------------------------

/// Scalar std operations on the two float types, under names that cannot
/// clash with [`Float`]'s own methods.
trait TestFloat: Float {
    const TNAME: &'static str;
    /// Machine epsilon as `f64`.
    const EPS: f64;
    fn fsqrt(self) -> Self;
    fn fexp(self) -> Self;
    fn fln(self) -> Self;
    fn fsin(self) -> Self;
    fn fcos(self) -> Self;
    fn fpowf(self, p: Self) -> Self;
    /// `self * a + b` with one rounding (std `mul_add`).
    fn fma(self, a: Self, b: Self) -> Self;
    fn fabs(self) -> Self;
    fn fclamp(self, lo: Self, hi: Self) -> Self;
    /// Distance in units in the last place (0 for `+0` vs `-0`).
    fn ulps(self, other: Self) -> u64;
    fn nan() -> Self;
    fn inf() -> Self;
    fn max_value() -> Self;
    fn min_positive() -> Self;
}

macro_rules! test_float {
    ($t:ident, $i:ident) => {
        impl TestFloat for $t {
            const TNAME: &'static str = stringify!($t);
            const EPS: f64 = $t::EPSILON as f64;
            fn fsqrt(self) -> Self {
                self.sqrt()
            }
            fn fexp(self) -> Self {
                self.exp()
            }
            fn fln(self) -> Self {
                self.ln()
            }
            fn fsin(self) -> Self {
                self.sin()
            }
            fn fcos(self) -> Self {
                self.cos()
            }
            fn fpowf(self, p: Self) -> Self {
                self.powf(p)
            }
            fn fma(self, a: Self, b: Self) -> Self {
                self.mul_add(a, b)
            }
            fn fabs(self) -> Self {
                self.abs()
            }
            fn fclamp(self, lo: Self, hi: Self) -> Self {
                self.clamp(lo, hi)
            }
            fn ulps(self, other: Self) -> u64 {
                fn ordered(v: $t) -> i128 {
                    let b = v.to_bits() as $i;
                    (if b < 0 { $i::MIN - b } else { b }) as i128
                }
                (ordered(self) - ordered(other)).unsigned_abs() as u64
            }
            fn nan() -> Self {
                $t::NAN
            }
            fn inf() -> Self {
                $t::INFINITY
            }
            fn max_value() -> Self {
                $t::MAX
            }
            fn min_positive() -> Self {
                $t::MIN_POSITIVE
            }
        }
    };
}

test_float!(f32, i32);
test_float!(f64, i64);

/// Rounds an `f64` constant to `T`.
fn tf<T: Float>(v: f64) -> T {
    T::from_f64(v)
}

/// Index-type helpers, under names that cannot clash with [`Index`]'s.
trait TestIndex: Index {
    const TNAME: &'static str;
    /// The largest table length every function of which this type can name.
    const KMAX: usize;
    /// The largest value of the type (always an invalid function number here).
    const MAXV: Self;
    /// Function number `j` in this type (panics if it does not fit).
    fn at(j: usize) -> Self;
    /// The function number (panics if negative).
    fn num(self) -> usize;
    /// The value, widened, as error messages report it.
    fn wide_val(self) -> i128;
}

macro_rules! test_index {
    ($($t:ident => $kmax:expr),* $(,)?) => {$(
        impl TestIndex for $t {
            const TNAME: &'static str = stringify!($t);
            const KMAX: usize = $kmax;
            const MAXV: Self = $t::MAX;
            fn at(j: usize) -> Self {
                $t::try_from(j).expect("function number fits the index type")
            }
            fn num(self) -> usize {
                usize::try_from(self).expect("non-negative function number")
            }
            fn wide_val(self) -> i128 {
                self as i128
            }
        }
    )*};
}

test_index!(
    u8 => 256,
    u16 => 65_536,
    u32 => usize::MAX,
    u64 => usize::MAX,
    usize => usize::MAX,
    i32 => usize::MAX,
    i64 => usize::MAX,
);

// ---------------------------------------------------------------------------
// Closure tables and the naive reference
// ---------------------------------------------------------------------------

type RefFn<T> = Box<dyn Fn(T) -> T + Send + Sync>;

/// A table of closures and, for the reference, the same closures boxed.
struct Closures<T: TestFloat> {
    table: FuncTable<T>,
    funcs: Vec<RefFn<T>>,
    /// The closure type of each function.
    types: Vec<std::any::TypeId>,
}

impl<T: TestFloat> Closures<T> {
    fn with_capacity(k: usize) -> Self {
        Closures {
            table: FuncTable::with_capacity(k),
            funcs: Vec::with_capacity(k),
            types: Vec::with_capacity(k),
        }
    }

    /// Closures are never pure, so never `Select`; `StreamClosures` streams
    /// a table whose closures all share one type (one expression, many
    /// captures); `BucketByType` routes any table of closures by type.
    fn avail(&self) -> Avail {
        Avail {
            select: false,
            stream_family: false,
            stream_closures: self.types.windows(2).all(|w| w[0] == w[1]),
            bucket_by_type: true,
            select_by_type: false,
        }
    }
}

/// Pushes one closure into the table and a copy of it into the reference.
fn push_pair<T, F>(c: &mut Closures<T>, f: F)
where
    T: TestFloat,
    F: Fn(T) -> T + Clone + Send + Sync + 'static,
{
    let j = c.table.push_fn(f.clone());
    assert_eq!(
        j,
        c.funcs.len(),
        "push_fn must return the next function number"
    );
    c.funcs.push(Box::new(f));
    c.types.push(std::any::TypeId::of::<F>());
}

/// `k` distinct cheap closures of a few shapes (arithmetic, branches, std
/// math), each with random parameters and an offset that grows with `j`, so
/// that applying the wrong function to a point shows.
fn closure_table<T: TestFloat>(k: usize, r: &mut StdRng) -> Closures<T> {
    let mut c = Closures::with_capacity(k);
    let one: T = tf(1.0);
    for j in 0..k {
        let a: T = tf(r.random::<f64>() * 4.0 - 2.0);
        let b: T = tf(r.random::<f64>() - 0.5 + j as f64);
        match j % 6 {
            0 => push_pair(&mut c, move |x: T| x * a + b),
            1 => push_pair(&mut c, move |x: T| x * x * a - b),
            2 => push_pair(&mut c, move |x: T| (x.fabs() + b.fabs()).fsqrt() * a + b),
            3 => push_pair(&mut c, move |x: T| if x > a { x - b } else { x * a + b }),
            4 => push_pair(&mut c, move |x: T| (x * a).fsin() + b),
            _ => push_pair(&mut c, move |x: T| b - x / (x.fabs() + one)),
        }
    }
    assert_eq!(c.table.len(), k);
    assert_eq!(c.table.is_empty(), k == 0);
    c
}

/// The obvious loop.
fn reference<T: TestFloat, I: TestIndex>(funcs: &[RefFn<T>], idx: &[I], x: &[T]) -> Vec<T> {
    assert_eq!(idx.len(), x.len());
    idx.iter()
        .zip(x)
        .map(|(&i, &v)| funcs[i.num()](v))
        .collect()
}

// ---------------------------------------------------------------------------
// Random cases
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq)]
enum Dist {
    /// Every function equally likely, independently per point.
    Uniform,
    /// Uniform, then sorted ascending.
    Sorted,
    /// Runs of 1..=400 equal indices, each run a random function.
    LongRuns,
    /// 95 % of the points on one function, the rest uniform.
    Skewed,
}

const DISTS: [Dist; 4] = [Dist::Uniform, Dist::Sorted, Dist::LongRuns, Dist::Skewed];

fn make_idx<I: TestIndex>(n: usize, k: usize, dist: Dist, r: &mut StdRng) -> Vec<I> {
    assert!(k >= 1 && k <= I::KMAX, "k = {k} does not fit {}", I::TNAME);
    let mut raw: Vec<usize> = Vec::with_capacity(n);
    match dist {
        Dist::Uniform => {
            for _ in 0..n {
                raw.push(r.random_range(0..k));
            }
        }
        Dist::Sorted => {
            for _ in 0..n {
                raw.push(r.random_range(0..k));
            }
            raw.sort_unstable();
        }
        Dist::LongRuns => {
            while raw.len() < n {
                let j = r.random_range(0..k);
                let len = r.random_range(1..=400usize).min(n - raw.len());
                raw.extend(std::iter::repeat_n(j, len));
            }
        }
        Dist::Skewed => {
            let hot = r.random_range(0..k);
            for _ in 0..n {
                let j = if r.random::<f64>() < 0.95 {
                    hot
                } else {
                    r.random_range(0..k)
                };
                raw.push(j);
            }
        }
    }
    raw.into_iter().map(I::at).collect()
}

/// `n` values uniform in `[-4, 4)`.
fn make_x<T: Float>(n: usize, r: &mut StdRng) -> Vec<T> {
    (0..n)
        .map(|_| tf::<T>(r.random::<f64>() * 8.0 - 4.0))
        .collect()
}

fn uniform(r: &mut StdRng, lo: f64, hi: f64) -> f64 {
    lo + r.random::<f64>() * (hi - lo)
}

fn log_uniform(r: &mut StdRng, lo: f64, hi: f64) -> f64 {
    uniform(r, lo.ln(), hi.ln()).exp().clamp(lo, hi)
}

// ---------------------------------------------------------------------------
// Assertions
// ---------------------------------------------------------------------------

/// A value no function of this file produces from its inputs.
fn sentinel<T: Float>() -> T {
    tf(-987_654.312_5)
}

/// Same bits, except that any NaN matches any NaN: the crate documents NaN
/// sign and payload as unspecified (as Rust does).
fn assert_same_bits<T: Float>(got: &[T], want: &[T], ctx: &str) {
    assert_eq!(got.len(), want.len(), "{ctx}: output length");
    if let Some(p) = got
        .iter()
        .zip(want)
        .position(|(g, w)| g.to_bits_u64() != w.to_bits_u64() && !(g.is_nan() && w.is_nan()))
    {
        panic!(
            "{ctx}: first difference at position {p}: got {} (bits {:#x}), expected {} (bits {:#x})",
            got[p],
            got[p].to_bits_u64(),
            want[p],
            want[p].to_bits_u64()
        );
    }
}

fn assert_untouched<T: Float>(out: &[T], ctx: &str) {
    let s = sentinel::<T>().to_bits_u64();
    if let Some(p) = out.iter().position(|v| v.to_bits_u64() != s) {
        panic!(
            "{ctx}: out[{p}] was written ({}) although the call was refused",
            out[p]
        );
    }
}

/// True when `got` is within `max_ulps` of `want`, or within `abs_tol`
/// absolutely; NaN only matches NaN.
fn close<T: TestFloat>(got: T, want: T, max_ulps: u64, abs_tol: f64) -> bool {
    if got.is_nan() || want.is_nan() {
        return got.is_nan() && want.is_nan();
    }
    got == want || got.ulps(want) <= max_ulps || (got.to_f64() - want.to_f64()).abs() <= abs_tol
}

fn pools() -> Vec<(usize, ThreadPool)> {
    [1, 2, 3]
        .into_iter()
        .map(|t| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .expect("rayon pool");
            (t, pool)
        })
        .collect()
}

// ---------------------------------------------------------------------------
// The determinism sweep
// ---------------------------------------------------------------------------

/// Every strategy, the deprecated names included.
#[allow(deprecated)]
const STRATEGIES: [Strategy; 11] = [
    Strategy::Auto,
    Strategy::Bucket,
    Strategy::BucketByType,
    Strategy::Runs,
    Strategy::Select,
    Strategy::SelectByType,
    Strategy::StreamFamily,
    Strategy::StreamClosures,
    Strategy::Codes,
    Strategy::Blend,
    Strategy::Fused,
];

/// Tile lengths for the full sweep (0 = automatic).
const TILES: [usize; 9] = [0, 1, 2, 3, 7, 64, 1000, 4096, 65_536];
/// Tile lengths for the 200,000-point cases.
const TILES_BIG: [usize; 5] = [0, 1, 1000, 4096, 65_536];

/// Which forced strategies the docs say a table can use: `Select` needs at
/// most 2 functions, all pure; `StreamFamily` needs every kernel in one
/// family (all `Affine`, all `Clamp`, all `Poly` of one length from 2 to
/// 6); `StreamClosures` every function a closure of one type (the
/// deprecated `Fused` either); `BucketByType` (`Codes`) needs at most 256
/// types, each closures pushed with `push_fn`, a streaming family or a
/// pure kernel without parameters;
/// `SelectByType` (`Blend`) needs at most 2 kernel types, each pure and
/// without parameters (`Exp`, `Ln`, `Sqrt`, `Sin`, `Cos`, `Logistic`).
/// `Auto`, `Bucket` and `Runs` always work.
#[derive(Clone, Copy, Debug)]
struct Avail {
    select: bool,
    stream_family: bool,
    stream_closures: bool,
    bucket_by_type: bool,
    select_by_type: bool,
}

/// Tables that mix built-in kernels with closures, or hold kernels only.
const CLOSURES_ONLY: Avail = Avail {
    select: false,
    stream_family: false,
    stream_closures: false,
    bucket_by_type: false,
    select_by_type: false,
};

fn available(s: Strategy, avail: Avail) -> bool {
    #[allow(deprecated)]
    match s {
        Strategy::Select => avail.select,
        Strategy::StreamFamily => avail.stream_family,
        Strategy::StreamClosures => avail.stream_closures,
        Strategy::Fused => avail.stream_family || avail.stream_closures,
        Strategy::BucketByType | Strategy::Codes => avail.bucket_by_type,
        Strategy::SelectByType | Strategy::Blend => avail.select_by_type,
        _ => true,
    }
}

/// Runs every (threads, tile, strategy) combination and a plan per (threads,
/// tile), and requires each output to be bitwise `want`.
#[allow(clippy::too_many_arguments)]
fn check_invariance<T: TestFloat, I: TestIndex>(
    ctx: &str,
    table: &FuncTable<T>,
    idx: &[I],
    x: &[T],
    want: &[T],
    avail: Avail,
    tiles: &[usize],
    pools: &[(usize, ThreadPool)],
) {
    let n = idx.len();
    let k = table.len();
    for (threads, pool) in pools {
        for &tile in tiles {
            for s in STRATEGIES {
                let case = format!("{ctx}, tile {tile}, threads {threads}, strategy {s:?}");
                let mut out = vec![sentinel::<T>(); n];
                let res = pool.install(|| {
                    Engine::new()
                        .tile_len(tile)
                        .strategy(s)
                        .apply_into(table, idx, x, &mut out)
                });
                match res {
                    Ok(()) => {
                        assert!(
                            available(s, avail) || n == 0,
                            "{case}: accepted a strategy the docs say this table cannot use"
                        );
                        assert_same_bits(&out, want, &case);
                    }
                    Err(Error::StrategyUnavailable { strategy, .. }) => {
                        assert!(
                            !available(s, avail),
                            "{case}: refused a strategy the table qualifies for"
                        );
                        assert_eq!(strategy, s, "{case}: the error names another strategy");
                        assert_untouched(&out, &case);
                    }
                    Err(e) => panic!("{case}: unexpected error: {e}"),
                }
            }

            let case = format!("{ctx}, plan with tile {tile}, threads {threads}");
            let plan = pool
                .install(|| Engine::new().tile_len(tile).plan(idx, k))
                .unwrap_or_else(|e| panic!("{case}: plan refused: {e}"));
            assert_eq!(plan.len(), n, "{case}: plan.len()");
            assert_eq!(plan.num_functions(), k, "{case}: plan.num_functions()");
            let mut out = vec![sentinel::<T>(); n];
            pool.install(|| plan.apply_into(table, x, &mut out))
                .unwrap_or_else(|e| panic!("{case}: plan.apply_into refused: {e}"));
            assert_same_bits(&out, want, &case);
        }

        let case = format!("{ctx}, default Plan::new and apply, threads {threads}");
        let plan = Plan::new(idx, k).unwrap_or_else(|e| panic!("{case}: {e}"));
        let got = pool
            .install(|| plan.apply(table, x))
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_same_bits(&got, want, &case);
        let got = pool
            .install(|| apply(table, idx, x))
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_same_bits(&got, want, &case);
    }
}

// ---------------------------------------------------------------------------
// 1 + 4: closures against the reference, every index type, many sizes
// ---------------------------------------------------------------------------

const SIZES: [usize; 22] = [
    0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 129, 1000, 4097, 5000,
];

fn sizes_case<T: TestFloat, I: TestIndex>(seed: u64) {
    let mut r = StdRng::seed_from_u64(seed);
    for k in [1usize, 2, 250] {
        let c = closure_table::<T>(k, &mut r);
        for &n in &SIZES {
            for dist in DISTS {
                let ctx = format!("{}/{} n={n} k={k} {dist:?}", T::TNAME, I::TNAME);
                let idx: Vec<I> = make_idx(n, k, dist, &mut r);
                let x: Vec<T> = make_x(n, &mut r);
                let want = reference(&c.funcs, &idx, &x);

                let got = apply(&c.table, &idx, &x).unwrap_or_else(|e| panic!("{ctx}: apply: {e}"));
                assert_same_bits(&got, &want, &format!("{ctx}, apply"));

                let mut out = vec![sentinel::<T>(); n];
                apply_into(&c.table, &idx, &x, &mut out)
                    .unwrap_or_else(|e| panic!("{ctx}: apply_into: {e}"));
                assert_same_bits(&out, &want, &format!("{ctx}, apply_into"));

                let mut out = vec![sentinel::<T>(); n];
                Engine::new()
                    .tile_len(64)
                    .apply_into(&c.table, &idx, &x, &mut out)
                    .unwrap_or_else(|e| panic!("{ctx}: tile 64: {e}"));
                assert_same_bits(&out, &want, &format!("{ctx}, tile 64"));

                let plan = Plan::new(&idx, k).unwrap_or_else(|e| panic!("{ctx}: Plan::new: {e}"));
                assert_eq!(plan.is_empty(), n == 0, "{ctx}: plan.is_empty()");
                let got = plan
                    .apply(&c.table, &x)
                    .unwrap_or_else(|e| panic!("{ctx}: plan: {e}"));
                assert_same_bits(&got, &want, &format!("{ctx}, plan"));
            }
        }
    }
}

#[test]
fn closures_match_reference_bitwise_for_every_index_type_and_size() {
    sizes_case::<f64, u8>(11);
    sizes_case::<f32, u8>(12);
    sizes_case::<f64, u16>(13);
    sizes_case::<f32, u32>(14);
    sizes_case::<f64, u32>(15);
    sizes_case::<f64, u64>(16);
    sizes_case::<f32, usize>(17);
    sizes_case::<f64, i32>(18);
    sizes_case::<f32, i64>(19);
    sizes_case::<f64, i64>(20);
}

// ---------------------------------------------------------------------------
// 2: bitwise identical across tiles, threads, strategies, plans
// ---------------------------------------------------------------------------

/// Draws `n` indices (`dist`, below `c`'s length) and then `n` values from
/// `r`, and checks `c` on them against the reference with
/// [`check_invariance`] (closure strategies only).
fn check_drawn<T: TestFloat, I: TestIndex>(
    ctx: &str,
    c: &Closures<T>,
    n: usize,
    dist: Dist,
    r: &mut StdRng,
    tiles: &[usize],
    pools: &[(usize, ThreadPool)],
) {
    let idx: Vec<I> = make_idx(n, c.funcs.len(), dist, r);
    let x: Vec<T> = make_x(n, r);
    let want = reference(&c.funcs, &idx, &x);
    check_invariance(ctx, &c.table, &idx, &x, &want, c.avail(), tiles, pools);
}

fn sweep_closures<T: TestFloat, I: TestIndex>(
    seed: u64,
    k: usize,
    n: usize,
    dists: &[Dist],
    tiles: &[usize],
    pools: &[(usize, ThreadPool)],
) {
    sweep_table::<T, I>(closure_table, seed, k, n, dists, tiles, pools)
}

/// [`sweep_closures`] over the table `build` makes.
fn sweep_table<T: TestFloat, I: TestIndex>(
    build: fn(usize, &mut StdRng) -> Closures<T>,
    seed: u64,
    k: usize,
    n: usize,
    dists: &[Dist],
    tiles: &[usize],
    pools: &[(usize, ThreadPool)],
) {
    let mut r = StdRng::seed_from_u64(seed);
    let c = build(k, &mut r);
    for &dist in dists {
        let ctx = format!("closures {}/{} n={n} k={k} {dist:?}", T::TNAME, I::TNAME);
        check_drawn::<T, I>(&ctx, &c, n, dist, &mut r, tiles, pools);
    }
}

#[test]
fn closures_identical_across_tiles_threads_strategies_and_plans() {
    let pools = pools();
    sweep_closures::<f64, u32>(101, 250, 20_000, &DISTS, &TILES, &pools);
    sweep_closures::<f32, i64>(
        102,
        2,
        20_000,
        &[Dist::Uniform, Dist::Skewed],
        &TILES,
        &pools,
    );
    sweep_closures::<f64, u8>(
        103,
        250,
        5_000,
        &[Dist::Sorted, Dist::LongRuns],
        &TILES,
        &pools,
    );
    sweep_closures::<f32, usize>(104, 1, 3_000, &[Dist::Uniform], &TILES, &pools);
    sweep_closures::<f64, u16>(105, 3, 2_000, &[Dist::Skewed], &TILES, &pools);
}

/// `k` closures of one type (one expression in a loop, different
/// captures), with a branch, a square root and an offset growing with `j`:
/// the table the engine streams without grouping.
fn one_type_closure_table<T: TestFloat>(k: usize, r: &mut StdRng) -> Closures<T> {
    let mut c = Closures::with_capacity(k);
    for j in 0..k {
        let a: T = tf(r.random::<f64>() * 4.0 - 2.0);
        let b: T = tf(r.random::<f64>() - 0.5 + j as f64);
        push_pair(&mut c, move |x: T| {
            if x > a {
                x * a - b
            } else {
                (x.fabs() + b.fabs()).fsqrt() + b
            }
        });
    }
    assert!(c.avail().stream_closures, "one closure type");
    c
}

#[test]
fn one_type_closures_stream_identically() {
    let pools = pools();
    let uniform = [Dist::Uniform];
    sweep_table::<f64, u32>(
        one_type_closure_table,
        131,
        250,
        20_000,
        &DISTS,
        &TILES,
        &pools,
    );
    sweep_table::<f32, i64>(
        one_type_closure_table,
        132,
        2,
        5_000,
        &DISTS,
        &TILES,
        &pools,
    );
    sweep_table::<f64, u8>(
        one_type_closure_table,
        133,
        1,
        3_000,
        &uniform,
        &TILES,
        &pools,
    );
    sweep_table::<f32, u16>(
        one_type_closure_table,
        134,
        5_000,
        20_000,
        &uniform,
        &TILES_BIG,
        &pools,
    );
    sweep_table::<f64, i64>(
        one_type_closure_table,
        135,
        100,
        2_000,
        &DISTS,
        &TILES,
        &pools,
    );
    sweep_table::<f64, u16>(
        one_type_closure_table,
        136,
        7,
        2_000,
        &uniform,
        &TILES,
        &pools,
    );
    sweep_table::<f32, i32>(
        one_type_closure_table,
        137,
        7,
        2_000,
        &uniform,
        &TILES,
        &pools,
    );
    sweep_table::<f64, u64>(
        one_type_closure_table,
        138,
        7,
        2_000,
        &uniform,
        &TILES,
        &pools,
    );
    sweep_table::<f64, usize>(
        one_type_closure_table,
        139,
        7,
        2_000,
        &uniform,
        &TILES,
        &pools,
    );
}

#[test]
fn closures_identical_on_200k_points() {
    let pools = pools();
    sweep_closures::<f64, i64>(
        111,
        250,
        200_000,
        &[Dist::Uniform, Dist::LongRuns],
        &TILES_BIG,
        &pools,
    );
    sweep_closures::<f32, u32>(112, 2, 200_000, &[Dist::Skewed], &TILES_BIG, &pools);
}

#[test]
fn tile_boundaries_and_vector_widths() {
    let pools = pools();
    let mut r = StdRng::seed_from_u64(121);
    let tiles = [1usize, 2, 3, 7, 8, 16, 64];
    for k in [1usize, 2, 250] {
        let c64 = closure_table::<f64>(k, &mut r);
        let c32 = closure_table::<f32>(k, &mut r);
        for n in [
            3usize, 4, 5, 7, 8, 9, 15, 16, 17, 63, 64, 65, 127, 128, 129, 193,
        ] {
            for dist in [Dist::Uniform, Dist::LongRuns] {
                let ctx = format!("boundaries f64/u32 n={n} k={k} {dist:?}");
                check_drawn::<f64, u32>(&ctx, &c64, n, dist, &mut r, &tiles, &pools);
                let ctx = format!("boundaries f32/i64 n={n} k={k} {dist:?}");
                check_drawn::<f32, i64>(&ctx, &c32, n, dist, &mut r, &tiles, &pools);
            }
        }
    }
}

#[test]
fn fifty_thousand_cheap_closures() {
    let pools = pools();
    let k = 50_000;
    let mut r = StdRng::seed_from_u64(131);
    let c64 = closure_table::<f64>(k, &mut r);
    let c32 = closure_table::<f32>(k, &mut r);
    let tiles = [0usize, 1000, 4096, 65_536];
    let n = 200_000;

    check_drawn::<f64, u32>(
        "k=50000 f64/u32 n=200000 Uniform",
        &c64,
        n,
        Dist::Uniform,
        &mut r,
        &tiles,
        &pools,
    );

    check_drawn::<f64, usize>(
        "k=50000 f64/usize n=200000 Sorted",
        &c64,
        n,
        Dist::Sorted,
        &mut r,
        &tiles,
        &pools,
    );

    check_drawn::<f32, i64>(
        "k=50000 f32/i64 n=200000 Skewed",
        &c32,
        n,
        Dist::Skewed,
        &mut r,
        &tiles,
        &pools,
    );

    check_drawn::<f32, u32>(
        "k=50000 f32/u32 n=200000 LongRuns",
        &c32,
        n,
        Dist::LongRuns,
        &mut r,
        &tiles,
        &pools,
    );

    // Small inputs against a huge table, with tiny tiles.
    let n = 3_000;
    let ctx = "k=50000 f64/u64 n=3000 Uniform";
    check_drawn::<f64, u64>(ctx, &c64, n, Dist::Uniform, &mut r, &[1, 7, 64], &pools);
}

// ---------------------------------------------------------------------------
// 1: built-in kernels against std
// ---------------------------------------------------------------------------

/// A built-in kernel with its parameters, able to push itself and to compute
/// its documented reference formula in `T`.
#[derive(Clone, Debug)]
enum Spec {
    Affine(f64, f64),
    Poly(Vec<f64>),
    Exp,
    Ln,
    Sqrt,
    Sin,
    Cos,
    Pow(f64),
    Logistic,
    Clamp(f64, f64),
    Interp(Vec<f64>, Vec<f64>),
}

/// `Strategy::StreamFamily`'s documented condition: every kernel Affine,
/// every kernel Clamp, or every kernel a Poly with the same number of
/// coefficients, from 2 to 6.
fn documented_family(specs: &[Spec]) -> bool {
    let poly_len = |s: &Spec| match s {
        Spec::Poly(c) if (2..=6).contains(&c.len()) => Some(c.len()),
        _ => None,
    };
    !specs.is_empty()
        && (specs.iter().all(|s| matches!(s, Spec::Affine(..)))
            || specs.iter().all(|s| matches!(s, Spec::Clamp(..)))
            || (poly_len(&specs[0]).is_some()
                && specs.iter().all(|s| poly_len(s) == poly_len(&specs[0]))))
}

/// `Strategy::BucketByType`'s documented condition for these tables (at
/// most one closure type, pushed with `push_fn`): every kernel type a
/// family that streams (Affine, Clamp, Poly of one length from 2 to 6) or a
/// pure kernel without parameters.
fn documented_by_type(specs: &[Spec]) -> bool {
    let polys: Vec<usize> = specs
        .iter()
        .filter_map(|s| match s {
            Spec::Poly(c) => Some(c.len()),
            _ => None,
        })
        .collect();
    let polys_stream = polys.iter().all(|&l| (2..=6).contains(&l) && l == polys[0]);
    specs.iter().all(|s| match s {
        Spec::Affine(..) | Spec::Clamp(..) => true,
        Spec::Poly(_) => polys_stream,
        Spec::Exp | Spec::Ln | Spec::Sqrt | Spec::Sin | Spec::Cos | Spec::Logistic => true,
        Spec::Pow(_) | Spec::Interp(..) => false,
    })
}

fn to_t<T: Float>(v: &[f64]) -> Vec<T> {
    v.iter().map(|&e| tf::<T>(e)).collect()
}

impl Spec {
    fn push<T: TestFloat>(&self, table: &mut FuncTable<T>) -> usize {
        match self {
            Spec::Affine(a, b) => table.push(Affine::new(tf::<T>(*a), tf::<T>(*b))),
            Spec::Poly(c) => table.push(Poly::new(to_t::<T>(c))),
            Spec::Exp => table.push(Exp::new()),
            Spec::Ln => table.push(Ln::new()),
            Spec::Sqrt => table.push(Sqrt::new()),
            Spec::Sin => table.push(Sin::new()),
            Spec::Cos => table.push(Cos::new()),
            Spec::Pow(p) => table.push(Pow::new(tf::<T>(*p))),
            Spec::Logistic => table.push(Logistic::new()),
            Spec::Clamp(lo, hi) => {
                table.push(Clamp::new(tf::<T>(*lo), tf::<T>(*hi)).expect("valid Clamp bounds"))
            }
            Spec::Interp(k, v) => {
                table.push(Interp::new(to_t::<T>(k), to_t::<T>(v)).expect("valid Interp knots"))
            }
        }
    }

    /// The documented scalar formula, in `T`.
    fn eval<T: TestFloat>(&self, x: T) -> T {
        match self {
            // One fused multiply-add, as documented.
            Spec::Affine(a, b) => tf::<T>(*a).fma(x, tf(*b)),
            // Horner, highest coefficient first, one fma per degree.
            Spec::Poly(c) => {
                let c: Vec<T> = to_t(c);
                match c.split_last() {
                    None => T::ZERO,
                    Some((&top, rest)) => rest.iter().rev().fold(top, |acc, &ci| acc.fma(x, ci)),
                }
            }
            Spec::Exp => x.fexp(),
            Spec::Ln => x.fln(),
            Spec::Sqrt => x.fsqrt(),
            Spec::Sin => x.fsin(),
            Spec::Cos => x.fcos(),
            Spec::Pow(p) => x.fpowf(tf(*p)),
            Spec::Logistic => {
                let one: T = tf(1.0);
                one / (one + (-x).fexp())
            }
            Spec::Clamp(lo, hi) => x.fclamp(tf(*lo), tf(*hi)),
            Spec::Interp(k, v) => {
                let (k, v): (Vec<T>, Vec<T>) = (to_t(k), to_t(v));
                let m = k.len();
                if x.is_nan() {
                    x
                } else if x < k[0] {
                    v[0]
                } else if x >= k[m - 1] {
                    v[m - 1]
                } else {
                    // Last knot <= x, limited to existing segments.
                    let j = (k.partition_point(|&kn| kn <= x) - 1).min(m - 2);
                    let slope = (v[j + 1] - v[j]) / (k[j + 1] - k[j]);
                    (x - k[j]).fma(slope, v[j])
                }
            }
        }
    }

    /// (max ULPs, absolute tolerance in units of epsilon). Exact where the
    /// docs promise 0 ULP; elsewhere the documented bound plus one ULP of
    /// slack (our sample points are not the accuracy test's), and for
    /// functions with zeros inside the domain an absolute floor of one
    /// epsilon, since ULPs of a result near zero are meaningless.
    fn tolerance(&self) -> (u64, f64) {
        match self {
            Spec::Affine(..) | Spec::Poly(_) | Spec::Sqrt | Spec::Clamp(..) | Spec::Interp(..) => {
                (0, 0.0)
            }
            Spec::Exp => (2, 0.0),
            Spec::Ln => (2, 1.0),
            Spec::Sin | Spec::Cos => (3, 1.0),
            Spec::Pow(_) => (3, 0.0),
            Spec::Logistic => (4, 0.0),
        }
    }

    /// A point inside the documented accuracy domain, for f32 and f64 alike.
    fn sample(&self, r: &mut StdRng) -> f64 {
        match self {
            Spec::Affine(..) | Spec::Poly(_) => uniform(r, -4.0, 4.0),
            Spec::Exp => uniform(r, -20.0, 20.0),
            Spec::Ln => log_uniform(r, 1e-3, 1e3),
            Spec::Sqrt => uniform(r, 0.0, 100.0),
            Spec::Sin | Spec::Cos => uniform(r, -10.0, 10.0),
            Spec::Pow(_) => log_uniform(r, 1e-2, 1e2),
            Spec::Logistic => uniform(r, -30.0, 30.0),
            Spec::Clamp(..) => uniform(r, -2.0, 2.0),
            Spec::Interp(..) => uniform(r, -3.0, 4.0),
        }
    }
}

fn kernel_specs() -> Vec<Spec> {
    vec![
        Spec::Affine(1.5, -0.25),
        Spec::Poly(vec![0.5, -1.0, 0.25, 0.125]),
        Spec::Exp,
        Spec::Ln,
        Spec::Sqrt,
        Spec::Sin,
        Spec::Cos,
        Spec::Pow(2.5),
        Spec::Pow(-1.5),
        Spec::Logistic,
        Spec::Clamp(-0.5, 0.75),
        Spec::Interp(
            vec![-2.0, -1.0, 0.0, 0.5, 3.0],
            vec![1.0, 0.0, 2.0, -1.0, 4.0],
        ),
        Spec::Poly(vec![3.0]),
        Spec::Poly(vec![]),
        Spec::Affine(-0.75, 2.0),
    ]
}

/// Evaluates a table built from `specs` (plus, if `closure_last`, one closure
/// `x * 0.5` after them) and checks every point against the reference, then
/// the determinism sweep with the engine's own output as `want`.
#[allow(clippy::too_many_arguments)]
fn kernel_case<T: TestFloat, I: TestIndex>(
    label: &str,
    specs: &[Spec],
    closure_last: bool,
    avail: Avail,
    n: usize,
    dists: &[Dist],
    tiles: &[usize],
    seed: u64,
    pools: &[(usize, ThreadPool)],
) {
    let mut r = StdRng::seed_from_u64(seed);
    // Bucketing by type and streaming a family follow from the kinds of
    // the table's functions, as documented on `Strategy`.
    let avail = Avail {
        bucket_by_type: documented_by_type(specs),
        stream_family: avail.stream_family || (!closure_last && documented_family(specs)),
        ..avail
    };
    let mut table = FuncTable::<T>::new();
    for (j, s) in specs.iter().enumerate() {
        assert_eq!(
            s.push(&mut table),
            j,
            "{label}: push must return the function number"
        );
    }
    let half: T = tf(0.5);
    if closure_last {
        table.push_fn(move |x: T| x * half);
    }
    let k = table.len();
    for &dist in dists {
        let ctx = format!("{label} {}/{} n={n} k={k} {dist:?}", T::TNAME, I::TNAME);
        let idx: Vec<I> = make_idx(n, k, dist, &mut r);
        let mut x: Vec<T> = Vec::with_capacity(n);
        for i in &idx {
            let j = i.num();
            let v = if j < specs.len() {
                specs[j].sample(&mut r)
            } else {
                uniform(&mut r, -4.0, 4.0)
            };
            x.push(tf(v));
        }
        let got = apply(&table, &idx, &x).unwrap_or_else(|e| panic!("{ctx}: apply: {e}"));
        for p in 0..n {
            let j = idx[p].num();
            let (want, (ulps, abs_eps)) = if j < specs.len() {
                (specs[j].eval(x[p]), specs[j].tolerance())
            } else {
                (x[p] * half, (0, 0.0))
            };
            assert!(
                close(got[p], want, ulps, abs_eps * T::EPS),
                "{ctx}: point {p}: function {j} ({:?}) at x = {} gave {}, std says {} ({} ULP apart, allowed {ulps})",
                specs.get(j),
                x[p],
                got[p],
                want,
                got[p].ulps(want)
            );
        }
        check_invariance(&ctx, &table, &idx, &x, &got, avail, tiles, pools);
    }
}

#[test]
fn builtin_kernels_match_std_and_are_deterministic() {
    let pools = pools();
    let specs = kernel_specs();
    let tiles = [0usize, 1, 3, 64, 4096, 65_536];
    kernel_case::<f64, u32>(
        "mixed kernels",
        &specs,
        true,
        CLOSURES_ONLY,
        30_000,
        &DISTS,
        &tiles,
        201,
        &pools,
    );
    kernel_case::<f32, i64>(
        "mixed kernels",
        &specs,
        true,
        CLOSURES_ONLY,
        30_000,
        &DISTS,
        &tiles,
        202,
        &pools,
    );
    // Built-in kernels only (no closure): still neither Select (k > 2) nor a stream.
    kernel_case::<f64, u8>(
        "kernels only",
        &specs,
        false,
        CLOSURES_ONLY,
        5_000,
        &[Dist::Uniform],
        &tiles,
        203,
        &pools,
    );
}

#[test]
fn affine_tables_are_exact_and_may_stream() {
    let pools = pools();
    let mut r = StdRng::seed_from_u64(301);
    for k in [1usize, 2, 250] {
        let specs: Vec<Spec> = (0..k)
            .map(|j| {
                Spec::Affine(
                    uniform(&mut r, -3.0, 3.0),
                    uniform(&mut r, -1.0, 1.0) + j as f64,
                )
            })
            .collect();
        let avail = Avail {
            select: k <= 2,
            stream_family: true,
            stream_closures: false,
            bucket_by_type: false,
            select_by_type: false,
        };
        kernel_case::<f64, u32>(
            "all Affine",
            &specs,
            false,
            avail,
            20_000,
            &DISTS,
            &TILES,
            302 + k as u64,
            &pools,
        );
        kernel_case::<f32, usize>(
            "all Affine",
            &specs,
            false,
            avail,
            5_000,
            &[Dist::Uniform, Dist::Sorted],
            &TILES,
            303 + k as u64,
            &pools,
        );
    }
    // Affine plus one closure: no longer one family, so no stream.
    let specs = vec![Spec::Affine(2.0, 1.0), Spec::Affine(-1.0, 0.5)];
    kernel_case::<f64, i32>(
        "Affine + closure",
        &specs,
        true,
        CLOSURES_ONLY,
        5_000,
        &DISTS,
        &[0, 1, 64],
        310,
        &pools,
    );
}

#[test]
fn two_parameterless_kernel_types_may_be_selected_by_type() {
    let pools = pools();
    let tiles = [0usize, 1, 7, 64, 4096];
    let blend_only = Avail {
        select: false,
        stream_family: false,
        stream_closures: false,
        bucket_by_type: false,
        select_by_type: true,
    };
    // Many functions, two kernel types: each type is one function.
    let exp_sin: Vec<Spec> = (0..250)
        .map(|j| if j % 3 == 0 { Spec::Sin } else { Spec::Exp })
        .collect();
    kernel_case::<f64, u32>(
        "250 Exp/Sin",
        &exp_sin,
        false,
        blend_only,
        20_000,
        &DISTS,
        &tiles,
        411,
        &pools,
    );
    let ln_logistic: Vec<Spec> = (0..7)
        .map(|j| if j % 2 == 0 { Spec::Logistic } else { Spec::Ln })
        .collect();
    kernel_case::<f32, u16>(
        "7 Ln/Logistic",
        &ln_logistic,
        false,
        blend_only,
        5_000,
        &DISTS,
        &tiles,
        412,
        &pools,
    );
    // One parameterless type, many functions: a map under Auto.
    let all_exp: Vec<Spec> = vec![Spec::Exp; 250];
    kernel_case::<f64, u32>(
        "250 Exp", &all_exp, false, blend_only, 20_000, &DISTS, &tiles, 415, &pools,
    );
    // A third type, or a kernel with parameters, rules it out.
    let three: Vec<Spec> = vec![Spec::Exp, Spec::Sqrt, Spec::Cos];
    kernel_case::<f64, u32>(
        "Exp/Sqrt/Cos",
        &three,
        false,
        CLOSURES_ONLY,
        3_000,
        &DISTS,
        &tiles,
        413,
        &pools,
    );
    let with_pow: Vec<Spec> = vec![Spec::Exp, Spec::Pow(1.5), Spec::Exp];
    kernel_case::<f64, u32>(
        "Exp/Pow",
        &with_pow,
        false,
        CLOSURES_ONLY,
        3_000,
        &DISTS,
        &tiles,
        414,
        &pools,
    );
}

/// Pushed boxed, a kernel's type is hidden: neither `SelectByType` nor `BucketByType`
/// may take such a table, nor a closure pushed as a `FnKernel` value.
#[test]
fn hidden_types_are_not_routed_by_type() {
    let idx = [0u32, 1, 1, 0];
    let x = [0.5f64, 1.0, 2.0, 4.0];
    let refused = |table: &FuncTable<f64>, strategy: Strategy| {
        let mut out = [f64::NAN; 4];
        let result = Engine::new()
            .strategy(strategy)
            .apply_into(table, &idx, &x, &mut out);
        matches!(result, Err(Error::StrategyUnavailable { .. })) && out.iter().all(|v| v.is_nan())
    };
    let mut boxed = FuncTable::<f64>::new();
    boxed.push_boxed(Box::new(Exp::new()));
    boxed.push_boxed(Box::new(Sqrt::new()));
    assert!(
        refused(&boxed, Strategy::SelectByType),
        "boxed Exp/Sqrt selected by type"
    );
    let mut typed = FuncTable::<f64>::new();
    typed.push(Exp::new());
    typed.push(Sqrt::new());
    assert!(
        !refused(&typed, Strategy::SelectByType),
        "typed Exp/Sqrt refused"
    );
    let mut mixed = FuncTable::<f64>::new();
    mixed.push_fn(|x: f64| x + 1.0);
    mixed.push(FnKernel::new(|x: f64| x * 2.0));
    assert!(
        refused(&mixed, Strategy::BucketByType),
        "a FnKernel value bucketed by type"
    );
    assert!(
        refused(&mixed, Strategy::StreamClosures),
        "a FnKernel value streamed"
    );
    let mut closures = FuncTable::<f64>::new();
    closures.push_fn(|x: f64| x + 1.0);
    closures.push_fn(|x: f64| x * 2.0);
    assert!(
        !refused(&closures, Strategy::BucketByType),
        "closures refused by BucketByType"
    );
    assert!(
        refused(&closures, Strategy::StreamClosures),
        "two closure types streamed"
    );
    // The deprecated names keep their meaning.
    #[allow(deprecated)]
    {
        assert!(refused(&boxed, Strategy::Blend), "boxed Exp/Sqrt blended");
        assert!(!refused(&typed, Strategy::Blend), "typed Exp/Sqrt refused");
        assert!(!refused(&closures, Strategy::Codes), "closures refused");
        assert!(refused(&closures, Strategy::Fused), "two types streamed");
    }
}

#[test]
fn two_pure_kernels_may_use_select() {
    let pools = pools();
    let tiles = [0usize, 1, 7, 64, 4096];
    let pair_a = vec![Spec::Exp, Spec::Sqrt];
    let pair_b = vec![Spec::Poly(vec![1.0, -2.0, 0.5]), Spec::Clamp(-1.0, 1.5)];
    let select_ok = Avail {
        select: true,
        stream_family: false,
        stream_closures: false,
        bucket_by_type: false,
        select_by_type: false,
    };
    // Two parameterless kernel types: SelectByType as well.
    let blend_ok = Avail {
        select_by_type: true,
        ..select_ok
    };
    kernel_case::<f64, u32>(
        "Exp+Sqrt", &pair_a, false, blend_ok, 10_000, &DISTS, &tiles, 401, &pools,
    );
    kernel_case::<f32, i64>(
        "Exp+Sqrt", &pair_a, false, blend_ok, 10_000, &DISTS, &tiles, 402, &pools,
    );
    kernel_case::<f64, u8>(
        "Poly+Clamp",
        &pair_b,
        false,
        select_ok,
        10_000,
        &[Dist::Uniform, Dist::Skewed],
        &tiles,
        403,
        &pools,
    );
    // A single pure kernel also qualifies (k = 1 <= 2).
    kernel_case::<f64, u16>(
        "Sin",
        &[Spec::Sin],
        false,
        blend_ok,
        3_000,
        &[Dist::Uniform],
        &tiles,
        404,
        &pools,
    );
    // A closure is not pure: no Select even with k = 2.
    kernel_case::<f64, u32>(
        "Sqrt+closure",
        &[Spec::Sqrt],
        true,
        CLOSURES_ONLY,
        3_000,
        &DISTS,
        &tiles,
        405,
        &pools,
    );
    // Three pure kernels: k > 2, no Select.
    let three = vec![Spec::Exp, Spec::Sqrt, Spec::Sin];
    kernel_case::<f32, u32>(
        "Exp+Sqrt+Sin",
        &three,
        false,
        CLOSURES_ONLY,
        3_000,
        &DISTS,
        &tiles,
        406,
        &pools,
    );
}

// ---------------------------------------------------------------------------
// Special values
// ---------------------------------------------------------------------------

fn specials<T: TestFloat>() -> Vec<T> {
    let mp = T::min_positive();
    vec![
        T::nan(),
        -T::nan(),
        T::inf(),
        -T::inf(),
        T::ZERO,
        -T::ZERO,
        mp,
        mp / tf::<T>(8.0), // subnormal
        -mp / tf::<T>(8.0),
        T::max_value(),
        -T::max_value(),
        tf::<T>(1.0),
        tf::<T>(-2.5),
    ]
}

fn special_values_through_closures<T: TestFloat>(pools: &[(usize, ThreadPool)]) {
    let mut c = Closures::<T>::with_capacity(0);
    let two: T = tf(2.0);
    push_pair(&mut c, |x: T| x);
    push_pair(&mut c, |x: T| -x);
    push_pair(&mut c, move |x: T| x * two);
    let sp = specials::<T>();
    let n = 1_000;
    let mut r = StdRng::seed_from_u64(501);
    let idx: Vec<u32> = make_idx(n, 3, Dist::Uniform, &mut r);
    let x: Vec<T> = (0..n).map(|i| sp[i % sp.len()]).collect();
    let want = reference(&c.funcs, &idx, &x);
    // The identity must hand every value back bit for bit (NaN payloads,
    // signed zeros and subnormals included).
    for p in 0..n {
        if idx[p] == 0 {
            assert_eq!(
                want[p].to_bits_u64(),
                x[p].to_bits_u64(),
                "reference identity"
            );
        }
    }
    let ctx = format!("special values {}", T::TNAME);
    check_invariance(
        &ctx,
        &c.table,
        &idx,
        &x,
        &want,
        c.avail(),
        &[0, 1, 3, 64],
        pools,
    );
}

#[test]
fn special_values_reach_closures_unchanged() {
    let pools = pools();
    special_values_through_closures::<f64>(&pools);
    special_values_through_closures::<f32>(&pools);
}

#[test]
fn builtin_kernels_on_special_values_follow_the_docs() {
    let mut table = FuncTable::<f64>::new();
    let exp = table.push(Exp::new());
    let ln = table.push(Ln::new());
    let sin = table.push(Sin::new());
    let sqrt = table.push(Sqrt::new());
    let interp = table.push(Interp::new(vec![0.0, 1.0, 3.0], vec![5.0, 10.0, 30.0]).unwrap());
    let clamp = table.push(Clamp::new(-1.0, 2.0).unwrap());
    let inf = f64::INFINITY;
    let nan = f64::NAN;
    // (function, x, expected); NaN expected means "any NaN".
    let cases: Vec<(usize, f64, f64)> = vec![
        (exp, nan, nan),
        (exp, -inf, 0.0),
        (exp, inf, inf),
        (exp, 0.0, 1.0),
        (ln, inf, inf),
        (ln, 0.0, -inf),
        (ln, -1.0, nan),
        (ln, 1.0, 0.0),
        (sin, inf, nan),
        (sin, -inf, nan),
        (sin, 0.0, 0.0),
        (sqrt, -1.0, nan),
        (sqrt, inf, inf),
        (sqrt, 9.0, 3.0),
        (interp, nan, nan),
        (interp, -inf, 5.0),
        (interp, inf, 30.0),
        (interp, 1.0, 10.0),
        (interp, 2.0, 20.0),
        (clamp, nan, nan),
        (clamp, -inf, -1.0),
        (clamp, inf, 2.0),
        (clamp, 0.5, 0.5),
    ];
    // Repeat the cases so that they land at different vector lanes and tails.
    for reps in [1usize, 3, 7] {
        let all: Vec<(usize, f64, f64)> = cases
            .iter()
            .cycle()
            .take(cases.len() * reps)
            .copied()
            .collect();
        let idx: Vec<usize> = all.iter().map(|c| c.0).collect();
        let x: Vec<f64> = all.iter().map(|c| c.1).collect();
        for tile in [0usize, 1, 5] {
            let got = Engine::new()
                .tile_len(tile)
                .apply(&table, &idx, &x)
                .unwrap();
            for (p, &(j, xv, want)) in all.iter().enumerate() {
                let ok = if want.is_nan() {
                    got[p].is_nan()
                } else {
                    got[p] == want
                };
                assert!(
                    ok,
                    "special values, tile {tile}, reps {reps}: function {j} ({}) at x = {xv} gave {}, expected {want}",
                    table.get(j).unwrap().name(),
                    got[p]
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Plans reused for many x
// ---------------------------------------------------------------------------

#[test]
fn one_plan_serves_many_x_and_other_tables_of_the_same_length() {
    let mut r = StdRng::seed_from_u64(601);
    let k = 250;
    let n = 30_000;
    let c = closure_table::<f64>(k, &mut r);
    let other = closure_table::<f64>(k, &mut r);
    for dist in DISTS {
        let idx: Vec<i64> = make_idx(n, k, dist, &mut r);
        let plan = Plan::new(&idx, k).expect("valid plan");
        assert_eq!(plan.len(), n);
        assert!(!plan.is_empty());
        assert_eq!(plan.num_functions(), k);
        assert!(plan.tile_len() >= 1, "plan tile length must be positive");
        for step in 0..5 {
            let ctx = format!("plan reuse f64/i64 n={n} k={k} {dist:?} step {step}");
            let x: Vec<f64> = make_x(n, &mut r);
            let mut out = vec![sentinel::<f64>(); n];
            plan.apply_into(&c.table, &x, &mut out)
                .unwrap_or_else(|e| panic!("{ctx}: {e}"));
            assert_same_bits(&out, &reference(&c.funcs, &idx, &x), &ctx);
            // The plan is only about indices: another table of the same
            // length works too.
            let got = plan
                .apply(&other.table, &x)
                .unwrap_or_else(|e| panic!("{ctx}: {e}"));
            assert_same_bits(
                &got,
                &reference(&other.funcs, &idx, &x),
                &format!("{ctx}, other table"),
            );
        }
    }

    // The empty plan.
    let empty: FuncTable<f32> = FuncTable::new();
    let plan = Plan::new::<u32>(&[], 0).expect("empty plan for an empty table");
    assert!(plan.is_empty());
    assert_eq!(plan.len(), 0);
    assert_eq!(
        plan.apply(&empty, &[]).expect("empty apply"),
        Vec::<f32>::new()
    );
}

// ---------------------------------------------------------------------------
// 3: refusals
// ---------------------------------------------------------------------------

/// Every way of running `idx` must refuse it with exactly `expected`, leave
/// `out` untouched, and (for index errors) name position and value.
fn expect_refused<T: TestFloat, I: TestIndex>(
    ctx: &str,
    table: &FuncTable<T>,
    idx: &[I],
    x: &[T],
    expected: &Error,
    pools: &[(usize, ThreadPool)],
) {
    let n = idx.len();
    for (threads, pool) in pools {
        for tile in [0usize, 1, 64] {
            for s in [Strategy::Auto, Strategy::Bucket, Strategy::Runs] {
                let case = format!("{ctx}, tile {tile}, threads {threads}, {s:?}");
                let mut out = vec![sentinel::<T>(); n];
                let res = pool.install(|| {
                    Engine::new()
                        .tile_len(tile)
                        .strategy(s)
                        .apply_into(table, idx, x, &mut out)
                });
                assert_eq!(res.as_ref().err(), Some(expected), "{case}: apply_into");
                assert_untouched(&out, &case);
            }
        }
        let case = format!("{ctx}, threads {threads}");
        let res = pool.install(|| apply(table, idx, x));
        assert_eq!(res.err().as_ref(), Some(expected), "{case}: apply");
        let res = pool.install(|| Plan::new(idx, table.len()));
        assert_eq!(res.err().as_ref(), Some(expected), "{case}: Plan::new");
    }
    if let Error::IndexOutOfRange {
        position, value, ..
    } = expected
    {
        let msg = expected.to_string();
        assert!(
            msg.contains(&format!("position {position}")),
            "{ctx}: message {msg:?} does not name position {position}"
        );
        assert!(
            msg.contains(&value.to_string()),
            "{ctx}: message {msg:?} does not name value {value}"
        );
    }
}

/// Plants invalid indices (the first at `p1`, more after it) into a valid
/// array and expects the first to be reported.
fn bad_index_case<T: TestFloat, I: TestIndex>(
    seed: u64,
    k: usize,
    bad: &[I],
    pools: &[(usize, ThreadPool)],
) {
    let mut r = StdRng::seed_from_u64(seed);
    let c = closure_table::<T>(k, &mut r);
    for n in [1usize, 2, 17, 1000, 200_000] {
        for (b, &first) in bad.iter().enumerate() {
            let mut idx: Vec<I> = make_idx(n, k, Dist::Uniform, &mut r);
            let x: Vec<T> = make_x(n, &mut r);
            let p1 = match b % 3 {
                0 => 0,
                1 => n - 1,
                _ => r.random_range(0..n),
            };
            idx[p1] = first;
            // Later offenders must not be the ones reported.
            for (q, &later) in bad.iter().enumerate() {
                let p = p1 + 1 + q * 7;
                if p < n {
                    idx[p] = later;
                }
            }
            if p1 + 1 < n {
                idx[n - 1] = I::MAXV;
            }
            let expected = Error::IndexOutOfRange {
                position: p1,
                value: first.wide_val(),
                k,
            };
            let ctx = format!(
                "bad index {}/{} n={n} k={k} value {} at {p1}",
                T::TNAME,
                I::TNAME,
                first.wide_val()
            );
            expect_refused(&ctx, &c.table, &idx, &x, &expected, pools);
        }
    }
}

#[test]
fn index_out_of_range_is_refused_with_position_and_value() {
    let pools = pools();
    bad_index_case::<f64, u8>(701, 250, &[250, 255, 251], &pools);
    bad_index_case::<f32, u8>(702, 2, &[2, 7, u8::MAX], &pools);
    bad_index_case::<f64, u16>(703, 3, &[3, 1000, u16::MAX], &pools);
    bad_index_case::<f64, u32>(704, 250, &[250, 100_000, u32::MAX], &pools);
    bad_index_case::<f32, u64>(705, 2, &[2, u64::MAX, 1 << 40], &pools);
    bad_index_case::<f64, usize>(706, 1, &[1, usize::MAX, 12_345], &pools);
    bad_index_case::<f64, i32>(707, 250, &[250, i32::MAX, 999], &pools);
    bad_index_case::<f32, i64>(708, 250, &[251, i64::MAX, 1 << 33], &pools);
}

#[test]
fn negative_indices_are_refused_with_position_and_value() {
    let pools = pools();
    bad_index_case::<f64, i32>(711, 250, &[-1, i32::MIN, -250], &pools);
    bad_index_case::<f32, i32>(712, 2, &[-2, 5, -1], &pools);
    bad_index_case::<f64, i64>(713, 250, &[-1, i64::MIN, -(1 << 40)], &pools);
    bad_index_case::<f32, i64>(714, 3, &[i64::MIN, -3, 3], &pools);
}

#[test]
fn length_mismatches_are_refused_untouched() {
    let mut r = StdRng::seed_from_u64(801);
    let c = closure_table::<f64>(4, &mut r);
    for n in [0usize, 1, 5, 64, 1000] {
        let idx: Vec<u32> = make_idx::<u32>(n.max(1), 4, Dist::Uniform, &mut r)[..n].to_vec();
        let x: Vec<f64> = make_x(n + 1, &mut r);
        for (xl, ol) in [(n + 1, n), (n, n + 1), (n + 1, n + 1)]
            .into_iter()
            .chain(if n > 0 {
                vec![(n - 1, n), (n, n - 1)]
            } else {
                vec![]
            })
        {
            let ctx = format!("length mismatch f64/u32 idx {n}, x {xl}, out {ol}");
            let mut out = vec![sentinel::<f64>(); ol];
            let res = apply_into(&c.table, &idx, &x[..xl], &mut out);
            match res {
                Err(Error::LengthMismatch {
                    expected, actual, ..
                }) => {
                    assert_eq!(expected, n, "{ctx}: expected length must be idx's");
                    assert!(
                        actual == xl || actual == ol,
                        "{ctx}: actual {actual} is neither x's nor out's length"
                    );
                    assert_ne!(actual, n, "{ctx}: reported a slice of the right length");
                }
                other => panic!("{ctx}: expected LengthMismatch, got {other:?}"),
            }
            assert_untouched(&out, &ctx);
            // Also refused on an empty table (with whichever error).
            let empty = FuncTable::<f64>::new();
            let mut out = vec![sentinel::<f64>(); ol];
            assert!(
                apply_into(&empty, &idx, &x[..xl], &mut out).is_err(),
                "{ctx}: empty table"
            );
            assert_untouched(&out, &ctx);
            // The allocating form checks x.
            if xl != n {
                assert!(
                    matches!(
                        apply(&c.table, &idx, &x[..xl]),
                        Err(Error::LengthMismatch { .. })
                    ),
                    "{ctx}: apply"
                );
            }
        }
    }
    // f32 with i64 indices, the mismatch at the other end.
    let c32 = closure_table::<f32>(2, &mut r);
    let idx: Vec<i64> = vec![0, 1, 1, 0, 1];
    let x: Vec<f32> = vec![1.0; 5];
    let mut out = vec![sentinel::<f32>(); 4];
    assert!(matches!(
        apply_into(&c32.table, &idx, &x, &mut out),
        Err(Error::LengthMismatch {
            expected: 5,
            actual: 4,
            ..
        })
    ));
    assert_untouched(&out, "f32/i64 out shorter");
}

#[test]
fn empty_table_is_refused_for_non_empty_input() {
    let empty64 = FuncTable::<f64>::new();
    assert!(empty64.is_empty());
    assert_eq!(empty64.len(), 0);
    for n in [1usize, 3, 1000] {
        let idx = vec![0u32; n];
        let x = vec![1.0f64; n];
        let mut out = vec![sentinel::<f64>(); n];
        let err =
            apply_into(&empty64, &idx, &x, &mut out).expect_err("empty table must be refused");
        assert_eq!(err, Error::EmptyTable { len: n }, "n={n}");
        assert!(
            err.to_string().contains(&n.to_string()),
            "n={n}: message {err}"
        );
        assert_untouched(&out, &format!("empty table n={n}"));
        assert_eq!(
            apply(&empty64, &idx, &x).err(),
            Some(Error::EmptyTable { len: n })
        );
        assert_eq!(Plan::new(&idx, 0).err(), Some(Error::EmptyTable { len: n }));
        let eng = Engine::new().tile_len(1).strategy(Strategy::Bucket);
        let mut out = vec![sentinel::<f64>(); n];
        assert!(
            eng.apply_into(&empty64, &idx, &x, &mut out).is_err(),
            "n={n}: forced Bucket"
        );
        assert_untouched(&out, &format!("empty table, forced Bucket, n={n}"));
    }
    // f32 with i64 indices.
    let empty32 = FuncTable::<f32>::new();
    let mut out = vec![sentinel::<f32>(); 2];
    assert_eq!(
        apply_into(&empty32, &[0i64, 0], &[1.0f32, 2.0], &mut out),
        Err(Error::EmptyTable { len: 2 })
    );
    assert_untouched(&out, "empty f32 table");
    // No input: nothing to refuse.
    assert_eq!(apply_into::<f64, u8>(&empty64, &[], &[], &mut []), Ok(()));
    assert_eq!(apply::<f32, usize>(&empty32, &[], &[]), Ok(Vec::new()));
}

#[test]
fn plan_with_wrong_table_or_data_length_is_refused_untouched() {
    let mut r = StdRng::seed_from_u64(901);
    for (n, k) in [(1usize, 1usize), (100, 3), (70_000, 250)] {
        let c = closure_table::<f64>(k, &mut r);
        let bigger = closure_table::<f64>(k + 1, &mut r);
        let idx: Vec<u32> = make_idx(n, k, Dist::Uniform, &mut r);
        let x: Vec<f64> = make_x(n + 1, &mut r);
        let plan = Plan::new(&idx, k).expect("valid plan");
        let ctx = format!("plan n={n} k={k}");

        // Another table length.
        let mut out = vec![sentinel::<f64>(); n];
        match plan.apply_into(&bigger.table, &x[..n], &mut out) {
            Err(Error::PlanMismatch {
                planned, actual, ..
            }) => {
                assert_eq!((planned, actual), (k, k + 1), "{ctx}: table length");
            }
            other => panic!("{ctx}: table length: expected PlanMismatch, got {other:?}"),
        }
        assert_untouched(&out, &format!("{ctx}, table length"));
        if k > 1 {
            let smaller = closure_table::<f64>(k - 1, &mut r);
            let mut out = vec![sentinel::<f64>(); n];
            assert!(
                matches!(
                    plan.apply_into(&smaller.table, &x[..n], &mut out),
                    Err(Error::PlanMismatch { .. })
                ),
                "{ctx}: smaller table"
            );
            assert_untouched(&out, &format!("{ctx}, smaller table"));
        }

        // Wrong x length, both ways.
        for xl in [n + 1, n - 1] {
            let mut out = vec![sentinel::<f64>(); n];
            match plan.apply_into(&c.table, &x[..xl], &mut out) {
                Err(Error::PlanMismatch {
                    planned, actual, ..
                }) => {
                    assert_eq!((planned, actual), (n, xl), "{ctx}: x length");
                }
                other => panic!("{ctx}: x length {xl}: expected PlanMismatch, got {other:?}"),
            }
            assert_untouched(&out, &format!("{ctx}, x length {xl}"));
            assert!(
                matches!(
                    plan.apply(&c.table, &x[..xl]),
                    Err(Error::PlanMismatch { .. })
                ),
                "{ctx}: plan.apply with x length {xl}"
            );
        }

        // Wrong out length, both ways.
        for ol in [n + 1, n - 1] {
            let mut out = vec![sentinel::<f64>(); ol];
            match plan.apply_into(&c.table, &x[..n], &mut out) {
                Err(Error::PlanMismatch {
                    planned, actual, ..
                }) => {
                    assert_eq!((planned, actual), (n, ol), "{ctx}: out length");
                }
                other => panic!("{ctx}: out length {ol}: expected PlanMismatch, got {other:?}"),
            }
            assert_untouched(&out, &format!("{ctx}, out length {ol}"));
        }

        // And the right shapes still work afterwards.
        let mut out = vec![sentinel::<f64>(); n];
        plan.apply_into(&c.table, &x[..n], &mut out)
            .expect("matching shapes");
        assert_same_bits(
            &out,
            &reference(&c.funcs, &idx, &x[..n]),
            &format!("{ctx}, valid"),
        );
    }
}

#[test]
fn invalid_kernel_parameters_are_refused() {
    assert!(matches!(
        Clamp::new(1.0f64, 0.0),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        Clamp::new(f32::NAN, 1.0),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        Interp::new(vec![0.0f64, 2.0, 1.0], vec![0.0, 1.0, 2.0]),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        Interp::new(vec![0.0f64, 1.0], vec![0.0]),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        Interp::<f32>::new(vec![], vec![]),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(Clamp::new(0.0f64, 0.0).is_ok(), "lo == hi is allowed");
}

// ---------------------------------------------------------------------------
// Panics
// ---------------------------------------------------------------------------

#[test]
fn kernel_panic_reaches_the_caller() {
    let mut table = FuncTable::<f64>::new();
    table.push_fn(|x: f64| x + 1.0);
    table.push_fn(|x: f64| {
        assert!(x < 1000.0, "independent_client: deliberate kernel panic");
        x * 2.0
    });
    let n = 10_000;
    let idx: Vec<u32> = (0..n).map(|i| (i % 2) as u32).collect();
    let mut x: Vec<f64> = (0..n).map(|i| i as f64 * 0.01).collect();
    x[7_777] = 5_000.0; // idx[7777] = 1: the panicking branch
    let want: Vec<f64> = (0..n)
        .map(|i| {
            let v = i as f64 * 0.01;
            if i % 2 == 0 { v + 1.0 } else { v * 2.0 }
        })
        .collect();
    let good: Vec<f64> = (0..n).map(|i| i as f64 * 0.01).collect();
    for (threads, pool) in &pools() {
        let mut out = vec![0.0f64; n];
        let caught = catch_unwind(AssertUnwindSafe(|| {
            pool.install(|| apply_into(&table, &idx, &x, &mut out))
        }));
        assert!(
            caught.is_err(),
            "threads {threads}: the kernel's panic did not reach the caller"
        );
        // The table and pool remain usable.
        let got = pool
            .install(|| apply(&table, &idx, &good))
            .expect("valid input after a panic");
        assert_same_bits(
            &got,
            &want,
            &format!("after a kernel panic, threads {threads}"),
        );
    }
}
