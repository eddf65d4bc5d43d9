//! Property tests: the engine and plans against the naive reference, with
//! seeded RNGs, over sizes around vector widths and tile boundaries, every
//! index and float type, many index distributions, tile lengths and thread
//! counts. Results must be bitwise identical to the reference (which runs
//! each point through its kernel alone), hence to each other.

mod common;

use common::{DISTS, Dist, assert_bitwise_eq, indices, reference, rng};
use rand::RngExt;
use rand::rngs::StdRng;
use splitapply::kernels::{Affine, BUILTIN_KERNELS, Clamp, Exp, KernelSpec, Poly, Spline, Sqrt};
use splitapply::{Engine, Error, Float, FuncTable, GroupingPath, Index, Kernel, Plan, Strategy};

/// A table of `k` functions cycling through every built-in kernel of the
/// registry (its sample instances), two closures, and a spline with
/// zero-width pieces at both ends (as `PPoly.from_spline` makes), with
/// parameters that depend on the function number.
fn mixed_table<T: Float>(k: usize) -> FuncTable<T> {
    let f = T::from_f64;
    let builtins = BUILTIN_KERNELS.len();
    let mut table = FuncTable::with_capacity(k);
    for j in 0..k {
        let s = j as f64;
        match j % (builtins + 3) {
            i if i < builtins => {
                KernelSpec::sample(BUILTIN_KERNELS[i].name, j)
                    .expect("a registry name")
                    .push_to(&mut table)
                    .expect("samples are valid");
            }
            i if i == builtins => {
                table.push_fn(move |x: T| x * f(s) + f(1.0));
            }
            i if i == builtins + 1 => {
                let breaks = [-1.0, -1.0, 0.5, 2.0, 2.0].map(f).to_vec();
                let rows = [
                    [0.1, -0.2, 0.3, 0.0],
                    [1.0, 0.5, -1.0, 0.25],
                    [s, 1.0, 0.0, -2.0],
                    [0.0, 1.0, -s, 3.0],
                ];
                let coeffs = rows.concat().into_iter().map(f).collect();
                table.push(Spline::new(breaks, coeffs).unwrap());
            }
            _ => {
                table.push_fn(|x: T| x * x - x);
            }
        }
    }
    table
}

/// All-affine table: the family streams.
fn affine_table<T: Float>(k: usize) -> FuncTable<T> {
    let mut table = FuncTable::with_capacity(k);
    for j in 0..k {
        table.push(Affine::new(
            T::from_f64(j as f64 * 0.75 - 3.0),
            T::from_f64(1.0 / (j as f64 + 1.0)),
        ));
    }
    table
}

/// All-clamp table: the family streams.
fn clamp_table<T: Float>(k: usize) -> FuncTable<T> {
    let mut table = FuncTable::with_capacity(k);
    for j in 0..k {
        let lo = j as f64 * 0.25 - 2.0;
        let clamp = Clamp::new(T::from_f64(lo), T::from_f64(lo + 1.5)).unwrap();
        table.push(clamp);
    }
    table
}

/// Polynomials of `len` coefficients: the family streams from 2 to 6.
fn poly_table<T: Float>(k: usize, len: usize) -> (FuncTable<T>, Allowed) {
    let mut table = FuncTable::with_capacity(k);
    for j in 0..k {
        let coeffs = (0..len)
            .map(|d| T::from_f64((j + d) as f64 * 0.5 - 1.0) / T::from_f64((d + 1) as f64))
            .collect();
        table.push(Poly::new(coeffs));
    }
    let allowed = allowed(&table, (2..=6).contains(&len));
    (table, allowed)
}

/// All-affine kernels pushed boxed: the family still streams (a kernel
/// reports it), but the type is unknown, so nothing groups by type.
fn boxed_affine_table<T: Float>(k: usize) -> (FuncTable<T>, Allowed) {
    let mut table = FuncTable::with_capacity(k);
    for j in 0..k {
        let a = T::from_f64(1.5 - j as f64 * 0.5);
        let boxed: Box<dyn Kernel<T>> = Box::new(Affine::new(a, T::from_f64(0.25)));
        table.push(boxed);
    }
    let mut allowed = allowed(&table, false);
    allowed.bucket_by_type = false;
    (table, allowed)
}

/// Whether each forced strategy should be accepted for a table.
#[derive(Clone, Copy)]
struct Allowed {
    select: bool,
    stream_family: bool,
    stream_closures: bool,
    bucket_by_type: bool,
    select_by_type: bool,
}

/// Whether `name` is a built-in kernel without parameters: a pure
/// zero-sized type, one function however often pushed.
fn parameterless(name: &str) -> bool {
    BUILTIN_KERNELS
        .iter()
        .any(|k| k.name == name && k.params.is_empty())
}

/// What the library should allow, as documented on `Strategy`: Select for
/// k <= 2 pure tables; StreamFamily for tables all Affine, all Clamp, or
/// all Poly of one length from 2 to 6 coefficients (`polys_stream`: the
/// table's polynomials are such); BucketByType when every type streams
/// (closures, those families) or is a pure kernel without parameters.
/// Closures are never pure, and the tables here never hold closures of
/// only one type (which would stream as closures).
fn allowed<T: Float>(table: &FuncTable<T>, polys_stream: bool) -> Allowed {
    let all_pure = table.iter().all(|k| k.is_pure());
    let family =
        |name: &str| matches!(name, "affine" | "clamp") || (name == "poly" && polys_stream);
    let first = table.get(0).map(|k| k.name());
    Allowed {
        select: table.len() <= 2 && all_pure,
        stream_family: first.is_some_and(family) && table.iter().all(|k| Some(k.name()) == first),
        stream_closures: false,
        // Every closure here is pushed with push_fn, of fewer than 256 types.
        bucket_by_type: table
            .iter()
            .all(|k| k.name() == "closure" || family(k.name()) || parameterless(k.name())),
        select_by_type: {
            let mut types: Vec<&str> = table.iter().map(|k| k.name()).collect();
            types.sort_unstable();
            types.dedup();
            types.len() <= 2 && types.iter().all(|t| parameterless(t))
        },
    }
}

/// Every strategy, the deprecated names included (they must keep working
/// as documented).
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

/// Cheap table for huge k: affine kernels and closures only.
fn cheap_table<T: Float>(k: usize) -> FuncTable<T> {
    let mut table = FuncTable::with_capacity(k);
    for j in 0..k {
        let s = T::from_f64(j as f64);
        if j % 2 == 0 {
            table.push(Affine::new(s, T::from_f64(1.0)));
        } else {
            table.push_fn(move |x: T| x - s);
        }
    }
    table
}

/// `k` closures of one type (one expression, different captures): streamed
/// as closures, and bucketed by type.
fn one_type_closures<T: Float>(k: usize) -> (FuncTable<T>, Allowed) {
    let mut table = FuncTable::with_capacity(k);
    for j in 0..k {
        let s = T::from_f64(j as f64 * 0.5 - 1.0);
        table.push_fn(move |x: T| if x > s { x * s } else { x - s });
    }
    let allowed = Allowed {
        select: false,
        stream_family: false,
        stream_closures: true,
        bucket_by_type: true,
        select_by_type: false,
    };
    (table, allowed)
}

/// `k` closures of three types, interleaved so that positions within a
/// type differ from function numbers: bucketed by type, and one type (so
/// streamed as closures) only when `k == 1`.
fn three_closure_types<T: Float>(k: usize) -> (FuncTable<T>, Allowed) {
    let f = T::from_f64;
    let mut table = FuncTable::with_capacity(k);
    for j in 0..k {
        let s = f(j as f64);
        match j % 3 {
            0 => table.push_fn(move |x: T| x + s),
            1 => table.push_fn(move |x: T| x * s - f(1.0)),
            _ => table.push_fn(move |x: T| s - x * x),
        };
    }
    let allowed = Allowed {
        select: false,
        stream_family: false,
        stream_closures: k == 1,
        bucket_by_type: true,
        select_by_type: false,
    };
    (table, allowed)
}

/// `k` functions of two parameterless kernel types (one when `k == 1`):
/// `SelectByType` and `BucketByType` for any `k`, and `Select` for `k <= 2`.
fn parameterless_pair<T: Float>(k: usize) -> (FuncTable<T>, Allowed) {
    let mut table = FuncTable::with_capacity(k);
    for j in 0..k {
        if j % 3 == 1 {
            table.push(Sqrt::new());
        } else {
            table.push(Exp::new());
        }
    }
    // Pure kernels without parameters: one function per type, so the
    // table may also be bucketed by type.
    let allowed = Allowed {
        select: k <= 2,
        stream_family: false,
        stream_closures: false,
        bucket_by_type: true,
        select_by_type: true,
    };
    (table, allowed)
}

/// Points in [-3, 3] with a sprinkling of NaN and infinities.
fn points<T: Float>(n: usize, rng: &mut StdRng) -> Vec<T> {
    (0..n)
        .map(|_| match rng.random_range(0..100) {
            0 => T::from_f64(f64::NAN),
            1 => T::from_f64(f64::INFINITY),
            2 => T::from_f64(f64::NEG_INFINITY),
            _ => T::from_f64(rng.random_range(-3.0..3.0)),
        })
        .collect()
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

/// Converts generated `usize` indices into index type `I`.
fn convert<I: Index + TryFrom<usize>>(v: &[usize]) -> Vec<I>
where
    <I as TryFrom<usize>>::Error: std::fmt::Debug,
{
    v.iter().map(|&j| I::try_from(j).unwrap()).collect()
}

/// Every way of computing one case equals the reference bitwise.
fn check_case<T: Float, I: Index>(
    table: &FuncTable<T>,
    allowed: Allowed,
    idx: &[I],
    x: &[T],
    tiles: &[usize],
    pools: &[rayon::ThreadPool],
    context: &str,
) {
    let want = reference(table, idx, x);
    // Every strategy on the detected grouping path; the grouping strategies
    // on every other path this CPU has.
    let detected = GroupingPath::detected();
    let mut runs: Vec<(Strategy, GroupingPath)> =
        STRATEGIES.iter().map(|&s| (s, detected)).collect();
    for path in GroupingPath::available() {
        if path != detected {
            for s in [Strategy::Auto, Strategy::Bucket, Strategy::BucketByType] {
                runs.push((s, path));
            }
        }
    }
    for &tile in tiles {
        for pool in pools {
            let threads = pool.current_num_threads();
            for &(strategy, path) in &runs {
                let ctx = format!("{context} tile={tile} threads={threads} {strategy:?} {path:?}");
                let engine = Engine::new()
                    .tile_len(tile)
                    .strategy(strategy)
                    .grouping_path(path);
                let sentinel = T::from_f64(-7.0);
                let mut out = vec![sentinel; x.len()];
                let result = pool.install(|| engine.apply_into(table, idx, x, &mut out));
                #[allow(deprecated)]
                let available = match strategy {
                    Strategy::Select => allowed.select,
                    Strategy::StreamFamily => allowed.stream_family,
                    Strategy::StreamClosures => allowed.stream_closures,
                    Strategy::Fused => allowed.stream_family || allowed.stream_closures,
                    Strategy::BucketByType | Strategy::Codes => allowed.bucket_by_type,
                    Strategy::SelectByType | Strategy::Blend => allowed.select_by_type,
                    _ => true,
                };
                if available || x.is_empty() {
                    result.unwrap_or_else(|e| panic!("{ctx}: {e}"));
                    assert_bitwise_eq(&out, &want, &ctx);
                } else {
                    assert!(
                        matches!(result, Err(Error::StrategyUnavailable { strategy: s, .. }) if s == strategy),
                        "{ctx}: expected StrategyUnavailable, got {result:?}"
                    );
                    assert!(
                        out.iter()
                            .all(|v| v.to_bits_u64() == sentinel.to_bits_u64()),
                        "{ctx}: out written"
                    );
                }
            }
            let ctx = format!("{context} tile={tile} threads={threads}");
            let engine = Engine::new().tile_len(tile);
            let plan = pool.install(|| engine.plan(idx, table.len())).unwrap();
            let out = pool.install(|| plan.apply(table, x)).unwrap();
            assert_bitwise_eq(&out, &want, &format!("{ctx} plan"));
        }
    }
    let out = splitapply::apply(table, idx, x).unwrap();
    assert_bitwise_eq(&out, &want, &format!("{context} default engine"));
    let plan = Plan::new(idx, table.len()).unwrap();
    let out = plan.apply(table, x).unwrap();
    assert_bitwise_eq(&out, &want, &format!("{context} default plan"));
}

/// Sizes around vector widths and the given tile length.
fn sizes(lanes: usize, tile: usize) -> Vec<usize> {
    let mut v = vec![0, 1, 2, lanes - 1, lanes, lanes + 1, 2 * lanes + 1];
    v.extend([tile - 1, tile, tile + 1, 2 * tile + lanes + 1]);
    v.sort_unstable();
    v.dedup();
    v
}

fn sweep<T: Float, I: Index + TryFrom<usize>>(seed: u64)
where
    <I as TryFrom<usize>>::Error: std::fmt::Debug,
{
    let mut r = rng(seed);
    let pools = [pool(1), pool(2), pool(3)];
    let tile = 64;
    for (k, (table, allowed)) in [1usize, 2, 13, 250].into_iter().flat_map(|k| {
        // The tables' polynomials are the registry's samples, of 9
        // coefficients: too long to stream.
        let by_kind = |table: FuncTable<T>| {
            let allowed = allowed(&table, false);
            (table, allowed)
        };
        [
            (k, by_kind(mixed_table::<T>(k))),
            (k, by_kind(affine_table::<T>(k))),
            (k, by_kind(clamp_table::<T>(k))),
            // Lengths 2 to 6 stream, 7 does not.
            (
                k,
                poly_table::<T>(
                    k,
                    match k {
                        1 => 6,
                        2 => 2,
                        13 => 7,
                        _ => 4,
                    },
                ),
            ),
            (k, boxed_affine_table::<T>(k)),
            (k, one_type_closures::<T>(k)),
            (k, three_closure_types::<T>(k)),
            (k, parameterless_pair::<T>(k)),
        ]
    }) {
        // i8 cannot number 250 functions.
        if I::MAX_U64 < (k - 1) as u64 {
            continue;
        }
        for n in sizes(T::LANES, tile) {
            for dist in DISTS {
                let idx: Vec<I> = convert(&indices(n.max(1), k, dist, &mut r)[..n]);
                let x = points::<T>(n, &mut r);
                let ctx = format!(
                    "{} {} k={k} n={n} {dist:?}",
                    std::any::type_name::<T>(),
                    std::any::type_name::<I>()
                );
                check_case(&table, allowed, &idx, &x, &[1, 7, tile, 0], &pools, &ctx);
            }
        }
    }
}

#[test]
fn every_index_type_f64() {
    sweep::<f64, u8>(1);
    sweep::<f64, u16>(2);
    sweep::<f64, u32>(3);
    sweep::<f64, u64>(4);
    sweep::<f64, usize>(5);
    sweep::<f64, i8>(8);
    sweep::<f64, i16>(9);
    sweep::<f64, i32>(6);
    sweep::<f64, i64>(7);
}

#[test]
fn every_index_type_f32() {
    sweep::<f32, u8>(11);
    sweep::<f32, u16>(12);
    sweep::<f32, u32>(13);
    sweep::<f32, u64>(14);
    sweep::<f32, usize>(15);
    sweep::<f32, i8>(18);
    sweep::<f32, i16>(19);
    sweep::<f32, i32>(16);
    sweep::<f32, i64>(17);
}

/// Larger inputs across the automatic tile length, with tile lengths from 1
/// to 65,536 and 1–3 threads.
#[test]
fn large_inputs_across_tile_lengths_and_threads() {
    let mut r = rng(21);
    let pools = [pool(1), pool(2), pool(3)];
    let table = mixed_table::<f64>(250);
    let auto = Engine::new().effective_tile_len::<f64, u32>();
    for n in [auto - 1, auto, auto + 1, 3 * auto + 5] {
        for dist in [Dist::Uniform, Dist::Runs, Dist::Zipf, Dist::LongThenShort] {
            let idx: Vec<u32> = convert(&indices(n, 250, dist, &mut r));
            let x = points::<f64>(n, &mut r);
            let ctx = format!("n={n} {dist:?}");
            let allowed = allowed(&table, false);
            check_case(
                &table,
                allowed,
                &idx,
                &x,
                &[1, 1000, 4096, 65_536, 0],
                &pools,
                &ctx,
            );
        }
    }
}

/// Tiles that start with long runs and turn uniform mid-tile: `Auto` goes
/// run by run, then switches to select (k = 2, pure kernels) or bucketing
/// for the rest of the tile.
#[test]
fn runs_that_stop_mid_tile() {
    let mut r = rng(27);
    let pools = [pool(1), pool(2)];
    let mut two = FuncTable::<f64>::new();
    two.push(Poly::new(vec![1.0, 0.0, -0.5]));
    two.push(Affine::new(0.5, 0.5));
    // `two`'s polynomial has 3 coefficients: it streams.
    for (k, table, polys_stream) in [(2usize, two, true), (250, mixed_table::<f64>(250), false)] {
        for n in [3_000usize, 200_000] {
            let idx: Vec<u32> = convert(&indices(n, k, Dist::LongThenShort, &mut r));
            let x = points::<f64>(n, &mut r);
            let ctx = format!("k={k} n={n}");
            let allowed = allowed(&table, polys_stream);
            check_case(&table, allowed, &idx, &x, &[2_048, 65_536, 0], &pools, &ctx);
        }
    }
}

/// k comparable to and larger than the tile length.
#[test]
fn huge_k() {
    let mut r = rng(31);
    let pools = [pool(1), pool(3)];
    let tables = [100_000usize, 1_000_000].into_iter().flat_map(|k| {
        let cheap = cheap_table::<f32>(k);
        let allowed = allowed(&cheap, false);
        [
            (k, (cheap, allowed)),
            (k, one_type_closures::<f32>(k)),
            (k, three_closure_types::<f32>(k)),
        ]
    });
    for (k, (table, allowed)) in tables {
        for dist in [Dist::Uniform, Dist::Sorted, Dist::Zipf] {
            let n = 150_000;
            let idx: Vec<u32> = convert(&indices(n, k, dist, &mut r));
            let x = points::<f32>(n, &mut r);
            check_case(
                &table,
                allowed,
                &idx,
                &x,
                &[64, 0, 65_536],
                &pools,
                &format!("k={k} {dist:?}"),
            );
        }
    }
}

/// The table of the seed example, checked against the obvious formula (not
/// only against the reference, which shares the kernels).
#[test]
fn seed_workload_matches_formula() {
    let mut r = rng(41);
    let k = 250;
    let mut table = FuncTable::<f64>::new();
    for j in 0..k {
        table.push_fn(move |x: f64| j as f64 * x);
    }
    let n = 100_003;
    let idx: Vec<u32> = (0..n).map(|_| r.random_range(0..k as u32)).collect();
    let x: Vec<f64> = (0..n).map(|_| r.random::<f64>()).collect();
    let out = splitapply::apply(&table, &idx, &x).unwrap();
    for i in 0..n {
        assert_eq!(out[i], idx[i] as f64 * x[i], "position {i}");
    }
    // Built-in Affine gives the same answers (mul_add with b = 0 is exact).
    let mut affine = FuncTable::<f64>::new();
    for j in 0..k {
        affine.push(Affine::new(j as f64, 0.0));
    }
    assert_eq!(splitapply::apply(&affine, &idx, &x).unwrap(), out);
}
