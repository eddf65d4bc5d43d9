//! Decoding of fuzzer bytes into splitapply calls, and the checks against
//! the naive reference. Shared by the cargo-fuzz targets (`fuzz/`) and by
//! `tests/fuzz_corpus.rs`, which replays the committed corpus under plain
//! `cargo test`.

use std::sync::OnceLock;

use splitapply::kernels::{BUILTIN_KERNELS, KernelSpec, Param, ParamKind};
use splitapply::{
    Engine, Error, Float, FuncTable, GroupingPath, Index, Plan, Strategy, rolling_mean,
};

#[path = "../tests/common/exact.rs"]
mod exact;

use exact::check_window_means;

/// Reads bytes from the front of the input; runs out as zeros.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A float from a mix of special values and arbitrary bit patterns.
    fn float(&mut self) -> f64 {
        match self.u8() % 16 {
            0 => f64::NAN,
            1 => f64::INFINITY,
            2 => f64::NEG_INFINITY,
            3 => 0.0,
            4 => -0.0,
            5 => 5e-324,
            6 => -1e-310,
            7 => f64::MAX,
            8 => f64::from_bits(u64::from_le_bytes(std::array::from_fn(|_| self.u8()))),
            _ => (self.u8() as i8) as f64 * 0.37,
        }
    }
}

fn pools() -> &'static [rayon::ThreadPool; 3] {
    static POOLS: OnceLock<[rayon::ThreadPool; 3]> = OnceLock::new();
    POOLS.get_or_init(|| {
        std::array::from_fn(|i| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(i + 1)
                .build()
                .unwrap()
        })
    })
}

/// What the harness knows of a pushed function, to predict which forced
/// strategies the table allows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Affine,
    Clamp,
    /// A polynomial, by number of coefficients.
    Poly(usize),
    /// A pure kernel type without parameters, by type.
    Parameterless(u8),
    /// A closure pushed with `push_fn`, by closure expression (type).
    Closure(u8),
    /// Any other built-in kernel (pure, with parameters).
    Other,
}

/// One function, chosen and parametrised by the input: a built-in kernel
/// from the registry, its parameters shaped like its sample's and filled
/// from the input, or a closure. Constructors that refuse their
/// parameters fall back to a closure.
fn push_kernel<T: Float>(table: &mut FuncTable<T>, b: &mut Bytes) -> Kind {
    let f = |v: f64| T::from_f64(v);
    let (p, q) = (b.float(), b.float());
    let builtins = BUILTIN_KERNELS.len();
    let choice = b.u8() as usize % (builtins + 2);
    if choice == builtins {
        table.push_fn(move |x: T| x * f(p) - f(q));
        return Kind::Closure(0);
    }
    if choice > builtins {
        table.push_fn(|x: T| if x > T::ZERO { x } else { -x });
        return Kind::Closure(1);
    }
    let info = &BUILTIN_KERNELS[choice];
    // Lists of m values, matrices of m - 1 columns (a spline's m breaks
    // make m - 1 pieces).
    let m = 1 + b.u8() as usize % 5;
    let mut scalars = [p, q].into_iter();
    let params = info
        .params
        .iter()
        .map(|&(_, kind)| match kind {
            ParamKind::Scalar => Param::Scalar(scalars.next().unwrap_or_else(|| b.float())),
            ParamKind::Vector => Param::Vector((0..m).map(|_| b.float()).collect()),
            ParamKind::Matrix { rows } => {
                Param::Vector((0..rows * (m - 1)).map(|_| b.float()).collect())
            }
        })
        .collect();
    let spec = KernelSpec::from_params(info.name, params);
    let poly_len = match &spec {
        Ok(KernelSpec::Poly { coeffs }) => coeffs.len(),
        _ => 0,
    };
    match spec.and_then(|spec| spec.push_to(table)) {
        Ok(_) if info.name == "affine" => Kind::Affine,
        Ok(_) if info.name == "clamp" => Kind::Clamp,
        Ok(_) if info.name == "poly" => Kind::Poly(poly_len),
        Ok(_) if info.params.is_empty() => Kind::Parameterless(choice as u8),
        Ok(_) => Kind::Other,
        Err(_) => {
            table.push_fn(move |x: T| x - f(p));
            Kind::Closure(2)
        }
    }
}

/// Whether the library must accept `strategy` for a table of these kinds
/// (as documented on `Strategy`); `Auto`, `Bucket` and `Runs` always.
fn allows(kinds: &[Kind], strategy: Strategy) -> bool {
    let first = kinds.first().copied();
    let all = |pred: fn(Kind) -> bool| kinds.iter().all(|&k| pred(k));
    let mut types: Vec<Kind> = kinds.to_vec();
    types.sort_unstable_by_key(|k| match k {
        Kind::Affine => 0u16,
        Kind::Clamp => 1,
        Kind::Poly(_) => 2,
        Kind::Parameterless(t) => 256 + u16::from(*t),
        Kind::Closure(t) => 512 + u16::from(*t),
        Kind::Other => 1024,
    });
    types.dedup();
    // Polynomials stream when all of a table's have one length, 2 to 6.
    let poly_lens: Vec<usize> = kinds
        .iter()
        .filter_map(|k| match k {
            Kind::Poly(l) => Some(*l),
            _ => None,
        })
        .collect();
    let polys_stream = poly_lens
        .iter()
        .all(|&l| (2..=6).contains(&l) && l == poly_lens[0]);
    let stream_family = all(|k| k == Kind::Affine)
        || all(|k| k == Kind::Clamp)
        || (polys_stream && all(|k| matches!(k, Kind::Poly(_))));
    let by_type = kinds.iter().all(|&k| match k {
        Kind::Poly(_) => polys_stream,
        Kind::Other => false,
        _ => true,
    });
    let stream_closures =
        matches!(first, Some(Kind::Closure(_))) && kinds.iter().all(|&k| Some(k) == first);
    #[allow(deprecated)]
    match strategy {
        Strategy::Select => kinds.len() <= 2 && all(|k| !matches!(k, Kind::Closure(_))),
        Strategy::StreamFamily => stream_family,
        Strategy::StreamClosures => stream_closures,
        Strategy::Fused => stream_family || stream_closures,
        Strategy::BucketByType | Strategy::Codes => by_type,
        Strategy::SelectByType | Strategy::Blend => {
            types.len() <= 2 && all(|k| matches!(k, Kind::Parameterless(_)))
        }
        _ => true,
    }
}

/// Decodes and checks one `apply` case.
pub(crate) fn apply_case(data: &[u8]) {
    let mut b = Bytes(data);
    let head = b.u8();
    if head & 1 == 0 {
        apply_typed::<f64>(head >> 1, &mut b);
    } else {
        apply_typed::<f32>(head >> 1, &mut b);
    }
}

fn apply_typed<T: Float>(head: u8, b: &mut Bytes) {
    let k_byte = b.u8();
    let mut table = FuncTable::<T>::new();
    let mut kinds = Vec::new();
    if k_byte >= 240 {
        // Closures of one type with different captures: the table the
        // engine streams without grouping.
        let f = |v: f64| T::from_f64(v);
        for _ in 0..(k_byte - 239) as usize * 3 {
            let (p, q) = (b.float(), b.float());
            table.push_fn(move |x: T| if x > f(q) { x * f(p) } else { x - f(p) });
            kinds.push(Kind::Closure(240));
        }
    } else {
        for _ in 0..k_byte as usize % 40 {
            kinds.push(push_kernel(&mut table, b));
        }
    }
    match head % 9 {
        0 => apply_indexed::<T, u8>(&table, &kinds, b, |v| v as u8),
        1 => apply_indexed::<T, u16>(&table, &kinds, b, |v| v as u16),
        2 => apply_indexed::<T, u32>(&table, &kinds, b, |v| v as u32),
        3 => apply_indexed::<T, u64>(&table, &kinds, b, |v| v as u64),
        4 => apply_indexed::<T, usize>(&table, &kinds, b, |v| v as usize),
        5 => apply_indexed::<T, i32>(&table, &kinds, b, |v| v as i32),
        6 => apply_indexed::<T, i8>(&table, &kinds, b, |v| v as i8),
        7 => apply_indexed::<T, i16>(&table, &kinds, b, |v| v as i16),
        _ => apply_indexed::<T, i64>(&table, &kinds, b, |v| v),
    }
}

fn apply_indexed<T: Float, I: Index>(
    table: &FuncTable<T>,
    kinds: &[Kind],
    b: &mut Bytes,
    cast: fn(i64) -> I,
) {
    let k = table.len() as i64;
    // The first seven as the corpus was recorded (the deprecated names
    // then current); the new names after them.
    #[allow(deprecated)]
    let strategy = [
        Strategy::Auto,
        Strategy::Bucket,
        Strategy::Runs,
        Strategy::Select,
        Strategy::Fused,
        Strategy::Codes,
        Strategy::Blend,
        Strategy::StreamFamily,
        Strategy::StreamClosures,
        Strategy::BucketByType,
        Strategy::SelectByType,
    ][b.u8() as usize % 11];
    let tile = b.u16() as usize % 300;
    let threads = b.u8() as usize % 3;
    let use_plan = b.u8().is_multiple_of(4);
    let x_short = b.u8().is_multiple_of(32);
    let paths = GroupingPath::available();
    let path = paths[b.u8() as usize % paths.len()];
    let mut idx = Vec::new();
    let mut x = Vec::new();
    while !b.is_empty() && idx.len() < 4096 {
        let run = 1 + b.u8() as usize % 8;
        // Mostly valid indices; sometimes k, k+1 or negative.
        let raw = b.u8() as i64;
        let j = match raw % 64 {
            0 => k,
            1 => -1 - raw,
            _ => raw % k.max(1),
        };
        for _ in 0..run {
            idx.push(cast(j));
            x.push(T::from_f64(b.float()));
        }
    }
    if x_short && !x.is_empty() {
        x.pop();
    }
    let sentinel = T::from_f64(-12345.0);
    let mut out = vec![sentinel; idx.len()];
    let engine = Engine::new()
        .tile_len(tile)
        .strategy(strategy)
        .grouping_path(path);
    let pool = &pools()[threads];
    let result = pool.install(|| {
        if use_plan {
            Plan::new(&idx, table.len()).and_then(|plan| plan.apply_into(table, &x, &mut out))
        } else {
            engine.apply_into(table, &idx, &x, &mut out)
        }
    });
    let untouched = |out: &[T]| {
        out.iter()
            .all(|v| v.to_bits_u64() == sentinel.to_bits_u64())
    };
    let first_bad = idx
        .iter()
        .position(|i| i.to_i128() < 0 || i.to_i128() >= k as i128);
    match result {
        Ok(()) => {
            assert_eq!(x.len(), idx.len(), "accepted mismatched lengths");
            assert!(
                use_plan || idx.is_empty() || allows(kinds, strategy),
                "accepted {strategy:?}, which this table does not allow"
            );
            assert!(
                first_bad.is_none() || idx.is_empty(),
                "accepted a bad index at {first_bad:?}"
            );
            for (p, ((&i, &v), &o)) in idx.iter().zip(&x).zip(&out).enumerate() {
                let kernel = table.get(i.to_usize()).unwrap();
                let mut one = [v];
                kernel.eval_in_place(&mut one);
                // Bitwise, except that NaN sign and payload are not
                // specified by Rust (LLVM may commute operands), so any NaN
                // matches any NaN.
                let same =
                    o.to_bits_u64() == one[0].to_bits_u64() || (o.is_nan() && one[0].is_nan());
                assert!(
                    same,
                    "position {p}: {}({v:?}) gave {o:?}, reference {:?} (bits {:#x} vs {:#x}; strategy {strategy:?}, path {path:?}, tile {tile}, plan {use_plan})",
                    kernel.name(),
                    one[0],
                    o.to_bits_u64(),
                    one[0].to_bits_u64()
                );
            }
        }
        Err(e) => {
            assert!(untouched(&out), "error {e} but out was written");
            match e {
                Error::IndexOutOfRange {
                    position, value, ..
                } => {
                    assert_eq!(Some(position), first_bad, "{e}");
                    assert_eq!(value, idx[position].to_i128(), "{e}");
                    assert!(e.to_string().contains(&position.to_string()));
                }
                Error::LengthMismatch { .. } | Error::PlanMismatch { .. } => {
                    assert_ne!(x.len(), idx.len(), "{e}");
                }
                Error::EmptyTable { .. } => assert_eq!(k, 0, "{e}"),
                Error::StrategyUnavailable { .. } => {
                    assert!(!allows(kinds, strategy), "refused an allowed strategy: {e}");
                }
                other => panic!("unexpected error {other}"),
            }
        }
    }
}

/// Decodes and checks one rolling-mean case: data built from runs of
/// adversarial magnitudes (spikes, steps over many decades, huge offsets,
/// alternating signs, subnormals, values near `f64::MAX / 2^10`), any
/// half-width, 1 to 3 threads, `f64` or `f32`, up to two NaN or infinite
/// values; every output against exact window sums (`exact.rs`): within 8
/// ulps of its window's mean magnitude, or as direct summation where the
/// window holds NaN or infinities.
pub(crate) fn rolling_case(data: &[u8]) {
    let mut b = Bytes(data);
    let head = b.u8();
    let w = match head % 4 {
        0 => b.u8() as usize % 64,
        1 => b.u16() as usize % 600,
        2 => b.u16() as usize,
        _ => 0,
    };
    let threads = b.u8() as usize % 3;
    // Up to two NaN or infinite values, placed once the data is known.
    let poison: Vec<(u16, f64)> = (0..b.u8() % 3)
        .map(|_| {
            let kind = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY][b.u8() as usize % 3];
            (b.u16(), kind)
        })
        .collect();
    let values = adversarial_values(&mut b);
    let mut values = values;
    if !values.is_empty() {
        let len = values.len();
        for &(at, v) in &poison {
            values[at as usize % len] = v;
        }
    }
    if head & 4 == 0 {
        rolling_typed(&values, w, threads);
    } else {
        let narrow: Vec<f32> = values.iter().map(|&v| v as f32).collect();
        rolling_typed(&narrow, w, threads);
    }
}

/// Runs of values whose magnitudes change abruptly, decoded from `b`, at
/// most 20,000. Values near `f64::MAX / 2^10` are never the first or last
/// (whose padded copies would overflow a window) and at most 256 in all,
/// so that no window sum overflows.
fn adversarial_values(b: &mut Bytes) -> Vec<f64> {
    let mut values: Vec<f64> = Vec::new();
    let mut huge = 0;
    let offsets = [0.0, 1e6, -1e9, 1e12, -1e15, 1e300];
    while !b.is_empty() && values.len() < 20_000 {
        let kind = b.u8();
        let run = 1 + b.u8() as usize % 64;
        // A magnitude from 1e-300 to 1e300 (and the byte's sign).
        let decade = |b: &mut Bytes| {
            let e = b.u16() as i16 as i32 % 301;
            10f64.powi(e)
        };
        let small = |b: &mut Bytes| (b.u16() as i16) as f64 * 1e-2;
        match kind % 8 {
            // An offset with small noise.
            0 => {
                let offset = offsets[b.u8() as usize % offsets.len()];
                for _ in 0..run {
                    values.push(offset + small(b));
                }
            }
            // A spike among small values.
            1 => {
                let spike = decade(b) * if b.u8() & 1 == 0 { 1.0 } else { -1.0 };
                for k in 0..run {
                    values.push(if k == run / 2 { spike } else { small(b) });
                }
            }
            // A step to another magnitude.
            2 => {
                let scale = decade(b);
                for _ in 0..run {
                    values.push(scale * small(b));
                }
            }
            // Subnormals.
            3 => {
                for _ in 0..run {
                    values.push(
                        f64::from_bits(b.u16() as u64) * if b.u8() & 1 == 0 { 1.0 } else { -1.0 },
                    );
                }
            }
            // Values near f64::MAX / 2^10.
            4 => {
                for _ in 0..run {
                    let v = f64::MAX / 1024.0
                        * (b.u8() as f64 / 255.0)
                        * if b.u8() & 1 == 0 { 1.0 } else { -1.0 };
                    if huge < 256 && !values.is_empty() {
                        values.push(v);
                        huge += 1;
                    } else {
                        values.push(small(b));
                    }
                }
            }
            // Alternating signs of one magnitude, small values between.
            5 => {
                let scale = decade(b);
                for k in 0..run {
                    values.push(match k % 3 {
                        0 => scale,
                        1 => -scale,
                        _ => small(b),
                    });
                }
            }
            // Zeros.
            6 => values.extend(std::iter::repeat_n(0.0, run)),
            // A random walk.
            _ => {
                let mut at = values
                    .last()
                    .copied()
                    .filter(|v| v.abs() < 1e300)
                    .unwrap_or(0.0);
                for _ in 0..run {
                    at += small(b);
                    values.push(at);
                }
            }
        }
    }
    // The last value's padded copies must not overflow either.
    if values.last().is_some_and(|v| v.abs() > 1e300) {
        values.push(0.0);
    }
    values
}

fn rolling_typed<T: Float>(values: &[T], w: usize, threads: usize) {
    let mut out = vec![T::from_f64(-12345.0); values.len()];
    pools()[threads]
        .install(|| rolling_mean(values, w, &mut out))
        .unwrap();
    check_window_means(values, w, &out, "fuzz");
}
