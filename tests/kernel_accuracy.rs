//! Each built-in kernel against the standard library, over the domain its
//! docs state, enforcing the documented worst-case ULP bound.

mod common;

use common::{rng, ulps};
use rand::RngExt;
use splitapply::kernels::{
    Affine, Clamp, Cos, Exp, Interp, Ln, Logistic, Poly, Pow, Sin, Spline, Sqrt,
};
use splitapply::kernels::{BUILTIN_KERNELS, KernelSpec};
use splitapply::{Float, Kernel};

/// Samples per kernel and float type: random points plus an even grid.
const SAMPLES: usize = 200_000;

/// Points in `[lo, hi]`: an even grid, random points, and both ends.
fn domain<T: Float>(lo: f64, hi: f64, seed: u64) -> Vec<T> {
    let mut r = rng(seed);
    let mut xs: Vec<T> = (0..SAMPLES / 2)
        .map(|i| T::from_f64(lo + (hi - lo) * i as f64 / (SAMPLES / 2 - 1) as f64))
        .collect();
    xs.extend((0..SAMPLES / 2).map(|_| T::from_f64(r.random_range(lo..=hi))));
    xs.push(T::from_f64(lo));
    xs.push(T::from_f64(hi));
    xs
}

/// Points spread evenly in magnitude over `[lo, hi]` (both positive): an
/// even grid of exponents, random ones, and both ends. A linear grid of a
/// wide range samples almost only its top decades.
fn log_domain<T: Float>(lo: f64, hi: f64, seed: u64) -> Vec<T> {
    let mut r = rng(seed);
    let (a, b) = (lo.ln(), hi.ln());
    let mut xs: Vec<T> = (0..SAMPLES / 2)
        .map(|i| T::from_f64((a + (b - a) * i as f64 / (SAMPLES / 2 - 1) as f64).exp()))
        .collect();
    xs.extend((0..SAMPLES / 2).map(|_| T::from_f64(r.random_range(a..=b).exp())));
    xs.push(T::from_f64(lo));
    xs.push(T::from_f64(hi));
    xs
}

/// The worst ULP error of `kernel` against `reference` over `xs`; panics
/// naming the worst point when it exceeds `bound`.
fn check<T: Float>(
    kernel: &dyn Kernel<T>,
    xs: &[T],
    reference: impl Fn(T) -> T,
    bound: u64,
    what: &str,
) -> u64 {
    let mut got = xs.to_vec();
    kernel.eval_in_place(&mut got);
    let (worst, at) = xs
        .iter()
        .zip(&got)
        .map(|(&x, &g)| (ulps(g, reference(x)), x))
        .max_by_key(|p| p.0)
        .unwrap();
    println!("{what}: worst {worst} ULP at x = {at:?}");
    assert!(
        worst <= bound,
        "{what}: {worst} ULP at x = {at:?} (kernel {:?}, std {:?}) exceeds the documented {bound}",
        {
            let mut one = [at];
            kernel.eval_in_place(&mut one);
            one[0]
        },
        reference(at)
    );
    worst
}

#[test]
fn exp_within_documented_bound() {
    check::<f64>(&Exp, &domain(-700.0, 700.0, 1), f64::exp, 1, "exp f64");
    check::<f32>(&Exp, &domain(-87.0, 88.0, 2), f32::exp, 1, "exp f32");
}

#[test]
fn ln_within_documented_bound() {
    check::<f64>(&Ln, &domain(1e-300, 1e300, 3), f64::ln, 1, "ln f64 wide");
    check::<f64>(&Ln, &domain(1e-3, 1e3, 4), f64::ln, 1, "ln f64");
    check::<f32>(&Ln, &domain(1e-30, 1e30, 5), f32::ln, 1, "ln f32 wide");
    check::<f32>(&Ln, &domain(1e-3, 1e3, 6), f32::ln, 1, "ln f32");
    // Every decade of the documented ranges.
    check::<f64>(
        &Ln,
        &log_domain(1e-300, 1e300, 60),
        f64::ln,
        1,
        "ln f64 decades",
    );
    check::<f32>(
        &Ln,
        &log_domain(1e-30, 1e30, 61),
        f32::ln,
        1,
        "ln f32 decades",
    );
}

#[test]
fn sqrt_is_correctly_rounded() {
    check::<f64>(&Sqrt, &domain(0.0, 1e300, 7), f64::sqrt, 0, "sqrt f64");
    check::<f64>(&Sqrt, &domain(0.0, 4.0, 8), f64::sqrt, 0, "sqrt f64 small");
    check::<f32>(&Sqrt, &domain(0.0, 1e30, 9), f32::sqrt, 0, "sqrt f32");
    // Every decade, subnormals to the largest finite value.
    check::<f64>(
        &Sqrt,
        &log_domain(5e-324, f64::MAX, 62),
        f64::sqrt,
        0,
        "sqrt f64 decades",
    );
    let (tiny, max) = (f64::from(f32::from_bits(1)), f64::from(f32::MAX));
    check::<f32>(
        &Sqrt,
        &log_domain(tiny, max, 63),
        f32::sqrt,
        0,
        "sqrt f32 decades",
    );
}

#[test]
fn sin_cos_within_documented_bound() {
    check::<f64>(&Sin, &domain(-1e6, 1e6, 10), f64::sin, 2, "sin f64");
    check::<f64>(&Cos, &domain(-1e6, 1e6, 11), f64::cos, 2, "cos f64");
    check::<f64>(
        &Sin,
        &domain(-10.0, 10.0, 110),
        f64::sin,
        2,
        "sin f64 small",
    );
    check::<f64>(
        &Cos,
        &domain(-10.0, 10.0, 111),
        f64::cos,
        2,
        "cos f64 small",
    );
    check::<f32>(&Sin, &domain(-1e4, 1e4, 12), f32::sin, 2, "sin f32");
    check::<f32>(
        &Cos,
        &domain(-1e2, 1e2, 13),
        f32::cos,
        2,
        "cos f32 |x|<=100",
    );
    // Near the zeros of cos the f32 range reduction leaves an absolute error
    // of a few 1e-11 that is many ULPs of the tiny result.
    check::<f32>(
        &Cos,
        &domain(-1e4, 1e4, 113),
        f32::cos,
        20,
        "cos f32 |x|<=1e4",
    );
}

#[test]
fn pow_within_documented_bound() {
    for (s, p) in [-8.0, -2.5, -1.0, 0.0, 0.5, 1.0, 2.0, 3.7, 8.0]
        .into_iter()
        .enumerate()
    {
        check::<f64>(
            &Pow::new(p),
            &domain(1e-3, 1e3, 20 + s as u64),
            |x| x.powf(p),
            1,
            &format!("pow f64 p={p}"),
        );
        let pf = p as f32;
        check::<f32>(
            &Pow::new(pf),
            &domain(1e-3, 1e3, 40 + s as u64),
            |x| x.powf(pf),
            1,
            &format!("pow f32 p={p}"),
        );
    }
}

/// Random exponents over the documented `[-8, 8]`, each over every decade
/// of the documented `[1e-3, 1e3]`.
#[test]
fn pow_within_documented_bound_for_random_exponents() {
    let mut r = rng(64);
    for s in 0..24u64 {
        let p: f64 = r.random_range(-8.0..=8.0);
        let xs: Vec<f64> = log_domain::<f64>(1e-3, 1e3, 70 + s)
            .into_iter()
            .step_by(8)
            .collect();
        check::<f64>(
            &Pow::new(p),
            &xs,
            |x| x.powf(p),
            1,
            &format!("pow f64 p={p}"),
        );
        let pf = p as f32;
        let xs: Vec<f32> = log_domain::<f32>(1e-3, 1e3, 100 + s)
            .into_iter()
            .step_by(8)
            .collect();
        check::<f32>(
            &Pow::new(pf),
            &xs,
            |x| x.powf(pf),
            1,
            &format!("pow f32 p={pf}"),
        );
    }
}

#[test]
fn logistic_within_documented_bound() {
    check::<f64>(
        &Logistic,
        &domain(-700.0, 700.0, 14),
        |x| 1.0 / (1.0 + (-x).exp()),
        3,
        "logistic f64",
    );
    check::<f32>(
        &Logistic,
        &domain(-87.0, 87.0, 15),
        |x| 1.0 / (1.0 + (-x).exp()),
        3,
        "logistic f32",
    );
}

#[test]
fn exact_kernels_match_their_scalar_formulas() {
    let xs64 = domain::<f64>(-1e6, 1e6, 16);
    let xs32 = domain::<f32>(-1e6, 1e6, 17);
    check::<f64>(
        &Affine::new(2.5, -1.25),
        &xs64,
        |x| 2.5f64.mul_add(x, -1.25),
        0,
        "affine f64",
    );
    check::<f32>(
        &Affine::new(2.5, -1.25),
        &xs32,
        |x| 2.5f32.mul_add(x, -1.25),
        0,
        "affine f32",
    );
    let c: [f64; 5] = [1.0, -0.5, 0.25, 1e-3, -2e-6];
    let horner64 = |x: f64| {
        c.iter()
            .rev()
            .skip(1)
            .fold(c[4], |acc, &ci| acc.mul_add(x, ci))
    };
    check::<f64>(&Poly::new(c.to_vec()), &xs64, horner64, 0, "poly f64");
    let c32: Vec<f32> = c.iter().map(|&v| v as f32).collect();
    let horner32 = |x: f32| {
        c32.iter()
            .rev()
            .skip(1)
            .fold(c32[4], |acc, &ci| acc.mul_add(x, ci))
    };
    check::<f32>(&Poly::new(c32.clone()), &xs32, horner32, 0, "poly f32");
    check::<f64>(
        &Clamp::new(-3.0, 7.5).unwrap(),
        &xs64,
        |x| x.clamp(-3.0, 7.5),
        0,
        "clamp f64",
    );
    check::<f32>(
        &Clamp::new(-3.0, 7.5).unwrap(),
        &xs32,
        |x| x.clamp(-3.0, 7.5),
        0,
        "clamp f32",
    );
}

/// Interp against the scalar formula it documents, and against exact linear
/// interpolation within a few ULP of the values involved. Few knots (their
/// segments are found by counting) and many (by binary search).
#[test]
fn interp_matches_scalar_formula() {
    interp_case(
        vec![-5.0f64, -1.0, 0.0, 0.3, 2.0, 10.0],
        vec![1.0f64, -2.0, 0.5, 0.5, 7.0, 3.0],
    );
    for m in [1usize, 2, 3, 31, 32, 33, 100] {
        let knots: Vec<f64> = (0..m).map(|i| -7.0 + (i as f64).powf(1.3) * 0.37).collect();
        let values: Vec<f64> = (0..m).map(|i| ((i * 7919) % 13) as f64 - 6.0).collect();
        interp_case(knots, values);
    }
    // Many knots, evenly spaced and not.
    for m in [17usize, 101, 129, 1000] {
        for spacing in Spacing::ALL {
            let knots = spacing.points(m, -2.0, 3.0);
            let values: Vec<f64> = (0..m).map(|i| ((i * 7919) % 13) as f64 - 6.0).collect();
            interp_case(knots, values);
        }
    }
}

/// Interp in f32 against exact linear interpolation (computed in f64 from
/// the f32 knots and values, whose error is far below an f32 ulp): within
/// 4 ulps of the larger of the value and the segment's rise, as
/// documented.
#[test]
fn interp_is_near_exact_linear_interpolation() {
    for m in [2usize, 6, 33, 129] {
        for spacing in Spacing::ALL {
            let knots: Vec<f32> = spacing
                .points(m, -2.0, 3.0)
                .into_iter()
                .map(|k| k as f32)
                .collect();
            let values: Vec<f32> = (0..m)
                .map(|i| (((i * 7919) % 13) as f32 - 6.0) * 1.37)
                .collect();
            let f = Interp::new(knots.clone(), values.clone()).unwrap();
            let mut xs: Vec<f32> = domain(-2.0, 3.0, 19);
            xs.extend(probes(&knots));
            let mut got = xs.clone();
            f.eval_in_place(&mut got);
            for (&x, &g) in xs.iter().zip(&got) {
                // Inside the knots only (NaN and the ends are tested above).
                if !(knots[0] <= x && x < knots[m - 1]) {
                    continue;
                }
                let j = knots.partition_point(|&k| k <= x) - 1;
                let (k0, k1) = (f64::from(knots[j]), f64::from(knots[j + 1]));
                let (v0, v1) = (f64::from(values[j]), f64::from(values[j + 1]));
                let exact = v0 + (f64::from(x) - k0) * (v1 - v0) / (k1 - k0);
                let scale = exact.abs().max((v1 - v0).abs()) as f32;
                let ulp = f64::from(scale.next_up() - scale);
                assert!(
                    (f64::from(g) - exact).abs() <= 4.0 * ulp,
                    "m={m} {spacing:?} x={x}: {g} against exact {exact}"
                );
            }
        }
    }
}

/// How the break points (knots) of a many-piece test are spaced.
#[derive(Debug, Clone, Copy)]
enum Spacing {
    /// As `numpy.linspace` places them.
    Uniform,
    /// Widths 0.25..1.75 in golden-ratio order.
    Irregular,
    /// Widths growing tenfold from the first to the last.
    Graded,
}

impl Spacing {
    const ALL: [Spacing; 3] = [Spacing::Uniform, Spacing::Irregular, Spacing::Graded];

    /// `n` strictly increasing points from `lo` to `hi`.
    fn points(self, n: usize, lo: f64, hi: f64) -> Vec<f64> {
        if n == 1 {
            return vec![lo];
        }
        let widths: Vec<f64> = (0..n - 1)
            .map(|i| match self {
                Spacing::Uniform => 1.0,
                Spacing::Irregular => 0.25 + 1.5 * (i as f64 * 0.618_033_988_749_895).fract(),
                Spacing::Graded => 10f64.powf(i as f64 / (n - 1) as f64),
            })
            .collect();
        let total: f64 = widths.iter().sum();
        let mut points = vec![lo];
        let mut at = 0.0;
        for (i, w) in widths.iter().enumerate() {
            at += w;
            points.push(match self {
                Spacing::Uniform => lo + (hi - lo) * (i + 1) as f64 / (n - 1) as f64,
                _ => lo + (hi - lo) * at / total,
            });
        }
        points
    }
}

/// Points on every break, on the floats either side of it, between
/// breaks, far outside, and the special values.
fn probes<T: Float>(breaks: &[T]) -> Vec<T> {
    let mut xs = Vec::new();
    for &b in breaks {
        let v = b.to_f64();
        let (below, above) = if T::BYTES == 8 {
            (v.next_down(), v.next_up())
        } else {
            let v = v as f32;
            (f64::from(v.next_down()), f64::from(v.next_up()))
        };
        xs.extend([b, T::from_f64(below), T::from_f64(above)]);
    }
    xs.extend(
        breaks
            .windows(2)
            .map(|w| T::from_f64(0.5 * (w[0].to_f64() + w[1].to_f64()))),
    );
    xs.extend([-1e300, -1e30, -1e6, 1e6, 1e30, 1e300].map(T::from_f64));
    xs.extend([f64::NAN, f64::INFINITY, f64::NEG_INFINITY].map(T::from_f64));
    xs
}

/// The same in f32, with few knots and many.
#[test]
fn interp_f32_matches_scalar_formula() {
    for m in [5usize, 40] {
        let knots: Vec<f32> = (0..m).map(|i| -3.0 + i as f32 * 0.75).collect();
        let values: Vec<f32> = (0..m).map(|i| ((i * 31) % 7) as f32 - 3.0).collect();
        interp_case(knots, values);
    }
    for m in [33usize, 129, 1000] {
        for spacing in Spacing::ALL {
            let knots: Vec<f32> = spacing
                .points(m, -2.0, 3.0)
                .into_iter()
                .map(|v| v as f32)
                .collect();
            let values: Vec<f32> = (0..m).map(|i| ((i * 31) % 7) as f32 - 3.0).collect();
            interp_case(knots, values);
        }
    }
}

/// The scalar fused multiply-add of `Interp`'s documented formula, in
/// either precision.
trait ScalarMulAdd: Float {
    fn mul_add_scalar(self, a: Self, b: Self) -> Self;
}

impl ScalarMulAdd for f64 {
    fn mul_add_scalar(self, a: Self, b: Self) -> Self {
        self.mul_add(a, b)
    }
}

impl ScalarMulAdd for f32 {
    fn mul_add_scalar(self, a: Self, b: Self) -> Self {
        self.mul_add(a, b)
    }
}

fn interp_case<T: ScalarMulAdd>(knots: Vec<T>, values: Vec<T>) {
    let f = Interp::new(knots.clone(), values.clone()).unwrap();
    let reference = |x: T| {
        if x.is_nan() {
            return x;
        }
        if x < knots[0] {
            return values[0];
        }
        if x >= knots[knots.len() - 1] {
            return values[values.len() - 1];
        }
        let j = knots.partition_point(|&k| k <= x) - 1;
        let slope = (values[j + 1] - values[j]) / (knots[j + 1] - knots[j]);
        (x - knots[j]).mul_add_scalar(slope, values[j])
    };
    let (lo, hi) = (
        knots[0].to_f64() - 5.0,
        knots[knots.len() - 1].to_f64() + 5.0,
    );
    let mut xs = domain::<T>(lo, hi, 18);
    xs.extend(probes(&knots));
    let what = format!(
        "interp {} {} knots",
        std::any::type_name::<T>(),
        knots.len()
    );
    check::<T>(&f, &xs, reference, 0, &what);
    // Knots map exactly to their values.
    let mut at_knots = knots.clone();
    f.eval_in_place(&mut at_knots);
    for (got, want) in at_knots.iter().zip(&values) {
        assert_eq!(got.to_bits_u64(), want.to_bits_u64(), "{what}: a knot");
    }
}

/// Spline against the scalar Horner formula it documents, bit for bit, with
/// PPoly's choice of piece (the last break `<= t` that starts a piece), at
/// piece counts on both sides of the register/search switch, with repeated
/// breaks inside and at both ends.
#[test]
fn spline_matches_scalar_formula() {
    for m in [1usize, 2, 5, 16, 17, 40] {
        spline_case::<f64>(m, Spacing::Graded, false);
        spline_case::<f64>(m, Spacing::Graded, true);
        spline_case::<f32>(m, Spacing::Graded, true);
    }
}

/// The same with many pieces, evenly spaced and not, with and without
/// repeated breaks (`PPoly.from_spline` repeats both ends).
#[test]
fn many_piece_splines_match_scalar_formula() {
    for m in [31usize, 100, 128, 129, 1000] {
        for spacing in Spacing::ALL {
            for repeats in [false, true] {
                spline_case::<f64>(m, spacing, repeats);
                spline_case::<f32>(m, spacing, repeats);
            }
        }
    }
}

/// A spline of `m` pieces with coefficients that vary per piece; with
/// `repeats`, every fifth break is doubled and both ends are tripled.
fn spline_case<T: ScalarMulAdd>(m: usize, spacing: Spacing, repeats: bool) {
    let t = T::from_f64;
    let mut breaks: Vec<f64> = Vec::new();
    for (i, b) in spacing.points(m + 1, -4.0, 6.0).into_iter().enumerate() {
        let copies = match () {
            _ if repeats && (i == 0 || i == m) => 3,
            _ if repeats && i % 5 == 3 => 2,
            _ => 1,
        };
        breaks.extend(std::iter::repeat_n(b, copies));
    }
    let pieces = breaks.len() - 1;
    let coeffs: Vec<T> = (0..4 * pieces)
        .map(|j| t(((j * 7919) % 23) as f64 / 7.0 - 1.5))
        .collect();
    let breaks: Vec<T> = breaks.into_iter().map(t).collect();
    let f = Spline::new(breaks.clone(), coeffs.clone()).unwrap();
    let reference = |x: T| {
        let i = (breaks.partition_point(|&b| b <= x).max(1) - 1).min(pieces - 1);
        let c = |r: usize| coeffs[r * pieces + i];
        let d = x - breaks[i];
        c(0).mul_add_scalar(d, c(1))
            .mul_add_scalar(d, c(2))
            .mul_add_scalar(d, c(3))
    };
    let (lo, hi) = (
        breaks[0].to_f64() - 3.0,
        breaks[breaks.len() - 1].to_f64() + 3.0,
    );
    let mut xs = domain::<T>(lo, hi, 19);
    xs.extend(probes(&breaks));
    let what = format!(
        "spline {} m={pieces} {spacing:?} repeats={repeats}",
        std::any::type_name::<T>()
    );
    let mut got = xs.clone();
    f.eval_in_place(&mut got);
    for (&x, &g) in xs.iter().zip(&got) {
        let want = reference(x);
        assert!(
            g.to_bits_u64() == want.to_bits_u64() || (g.is_nan() && want.is_nan()),
            "{what}: at {x:?} got {g:?}, scalar formula {want:?}"
        );
    }
    // PPoly's piece at a repeated break is the one after the repeats, so
    // its value there is that piece's constant term.
    for (i, w) in breaks.windows(2).enumerate() {
        if w[0] < w[1] {
            let mut at = [w[0]];
            f.eval_in_place(&mut at);
            assert_eq!(
                at[0].to_bits_u64(),
                coeffs[3 * pieces + i].to_bits_u64(),
                "{what}: break {i}"
            );
        }
    }
}

/// A kernel, its std reference and its ULP bound, named for the report.
type SpecialCase<T> = (&'static str, Box<dyn Kernel<T>>, fn(T) -> T, u64);

/// Every special value at which a case's kernel is further from std than
/// its bound, as `name(x) = got, std want`.
fn differences_from_std<T: Float + std::fmt::LowerExp>(
    specials: &[T],
    cases: &[SpecialCase<T>],
) -> Vec<String> {
    let mut report = Vec::new();
    for (name, kernel, reference, bound) in cases {
        let mut got = specials.to_vec();
        kernel.eval_in_place(&mut got);
        for (&x, &g) in specials.iter().zip(&got) {
            let want = reference(x);
            // Only for huge finite |x| (sin, cos) is the std result not
            // expected, since the documented domain ends at 1e6 (f64);
            // infinities give NaN, as std does.
            let out_of_domain =
                matches!(*name, "sin" | "cos") && x.to_f64().abs() > 1e6 && x.is_finite();
            if ulps(g, want) > *bound && !out_of_domain {
                report.push(format!("{name}({x:e}) = {g:e}, std {want:e}"));
            }
        }
    }
    report
}

/// Edge values (zeros, ±1, infinities, NaN, extremes, subnormals): each kernel
/// either matches std within its bound or is listed as a documented
/// difference.
#[test]
fn special_values_follow_std() {
    let specials = [
        0.0f64,
        -0.0,
        1.0,
        -1.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        f64::MAX,
        f64::MIN,
        f64::MIN_POSITIVE,
        1e-310,
        -1e-310,
        710.0,
        -746.0,
        -740.0,
    ];
    let cases: Vec<SpecialCase<f64>> = vec![
        ("exp", Box::new(Exp), f64::exp, 1),
        ("sqrt", Box::new(Sqrt), f64::sqrt, 0),
        ("sin", Box::new(Sin), f64::sin, 2),
        ("cos", Box::new(Cos), f64::cos, 2),
        (
            "logistic",
            Box::new(Logistic),
            |x| 1.0 / (1.0 + (-x).exp()),
            3,
        ),
        ("pow 2.5", Box::new(Pow::new(2.5)), |x| x.powf(2.5), 1),
        ("pow 0", Box::new(Pow::new(0.0)), |x| x.powf(0.0), 0),
        ("pow 3", Box::new(Pow::new(3.0)), |x| x.powf(3.0), 1),
        ("pow -3", Box::new(Pow::new(-3.0)), |x| x.powf(-3.0), 1),
        ("pow -2", Box::new(Pow::new(-2.0)), |x| x.powf(-2.0), 1),
        (
            "pow inf",
            Box::new(Pow::new(f64::INFINITY)),
            |x| x.powf(f64::INFINITY),
            0,
        ),
        (
            "pow -inf",
            Box::new(Pow::new(f64::NEG_INFINITY)),
            |x| x.powf(f64::NEG_INFINITY),
            0,
        ),
        ("ln", Box::new(Ln), f64::ln, 1),
    ];
    let report = differences_from_std(&specials, &cases);
    // The documented differences, exactly.
    // Pow: NaN in gives NaN out even for p = 0, and a negative base gives
    // NaN for non-integer p, infinities included. Ln: subnormal inputs of
    // either sign are treated as zero.
    let documented = [
        "pow 2.5(-inf) = NaN, std inf",
        "pow 0(NaN) = NaN, std 1e0",
        "ln(1e-310) = -inf, std -7.138013788281542e2",
        "ln(-1e-310) = -inf, std NaN",
    ];
    assert_eq!(report, documented, "differences from std changed");
}

/// The same for the kernels of `exp_log.rs` in f32, whose corner cases
/// are their own code: the same documented differences, no others.
#[test]
fn special_values_follow_std_f32() {
    let specials = [
        0.0f32,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -0.5,
        2.0,
        -2.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        f32::MAX,
        f32::MIN,
        f32::MIN_POSITIVE,
        1e-40,
        -1e-40,
        89.0,
        -104.0,
        -100.0,
    ];
    let cases: Vec<SpecialCase<f32>> = vec![
        (
            "logistic",
            Box::new(Logistic),
            |x| 1.0 / (1.0 + (-x).exp()),
            3,
        ),
        ("pow 2.5", Box::new(Pow::new(2.5f32)), |x| x.powf(2.5), 1),
        ("pow 0", Box::new(Pow::new(0.0f32)), |x| x.powf(0.0), 0),
        ("pow 3", Box::new(Pow::new(3.0f32)), |x| x.powf(3.0), 1),
        ("pow -3", Box::new(Pow::new(-3.0f32)), |x| x.powf(-3.0), 1),
        ("pow -0.5", Box::new(Pow::new(-0.5f32)), |x| x.powf(-0.5), 1),
        (
            "pow inf",
            Box::new(Pow::new(f32::INFINITY)),
            |x| x.powf(f32::INFINITY),
            0,
        ),
    ];
    let report = differences_from_std(&specials, &cases);
    let documented = [
        "pow 2.5(-inf) = NaN, std inf",
        "pow 0(NaN) = NaN, std 1e0",
        "pow -0.5(-inf) = NaN, std 0e0",
    ];
    assert_eq!(report, documented, "differences from std changed");
}

/// Every built-in kernel in one precision, for the eval/in-place check.
fn all_builtins<T: Float>() -> Vec<(&'static str, Box<dyn Kernel<T>>)> {
    let t = T::from_f64;
    vec![
        ("exp", Box::new(Exp)),
        ("ln", Box::new(Ln)),
        ("sqrt", Box::new(Sqrt)),
        ("sin", Box::new(Sin)),
        ("cos", Box::new(Cos)),
        ("pow", Box::new(Pow::new(t(2.5)))),
        ("logistic", Box::new(Logistic)),
        ("affine", Box::new(Affine::new(t(2.5), t(-1.25)))),
        ("clamp", Box::new(Clamp::new(t(-3.0), t(7.5)).unwrap())),
        ("poly 0", Box::new(Poly::new(vec![t(1.5)]))),
        ("poly 2", Box::new(Poly::new(vec![t(1.0), t(0.0), t(-0.5)]))),
        (
            "poly 8",
            Box::new(Poly::new(
                (0..9).map(|i| t(1.0 / (i as f64 + 1.0))).collect(),
            )),
        ),
        (
            "interp",
            Box::new(
                Interp::new(vec![t(-5.0), t(0.0), t(2.0)], vec![t(1.0), t(-2.0), t(7.0)]).unwrap(),
            ),
        ),
        (
            "spline",
            Box::new(
                Spline::new(
                    vec![t(-1.0), t(0.0), t(2.0)],
                    [0.5, -0.25, 1.0, 0.0, -2.0, 3.0, 0.5, 1.5].map(t).to_vec(),
                )
                .unwrap(),
            ),
        ),
        (
            "interp 129",
            Box::new(
                Interp::new(
                    Spacing::Irregular
                        .points(129, -3.0, 4.0)
                        .into_iter()
                        .map(t)
                        .collect(),
                    (0..129).map(|i| t(((i * 7) % 11) as f64)).collect(),
                )
                .unwrap(),
            ),
        ),
        (
            "spline 128",
            Box::new(
                Spline::new(
                    Spacing::Uniform
                        .points(129, -3.0, 4.0)
                        .into_iter()
                        .map(t)
                        .collect(),
                    (0..4 * 128)
                        .map(|c| t(((c % 9) as f64 - 4.0) * 0.1))
                        .collect(),
                )
                .unwrap(),
            ),
        ),
    ]
}

/// `eval` (source to destination) and `eval_in_place` are two code paths
/// in several kernels (blocks of several vectors, padded tails); they must
/// give the same bits at every length, and the same bits as each point
/// evaluated alone (a one-point slice goes through the padded tail), so
/// that no strategy or segment cut changes a result.
fn eval_matches_in_place<T: Float>() {
    let xs: Vec<T> = (0..200)
        .map(|i| T::from_f64((i as f64 * 0.731).sin() * 4.0 + 0.5))
        .collect();
    for (name, kernel) in all_builtins::<T>() {
        for len in 0..=150 {
            // Odd offsets too, so vectors start at every alignment.
            let src = &xs[len % 7..len % 7 + len];
            let mut in_place = src.to_vec();
            kernel.eval_in_place(&mut in_place);
            let mut dst = vec![T::from_f64(f64::NAN); len];
            kernel.eval(src, &mut dst);
            for (p, (a, b)) in in_place.iter().zip(&dst).enumerate() {
                assert_eq!(
                    a.to_bits_u64(),
                    b.to_bits_u64(),
                    "{name}: len {len}, point {p}: {a} vs {b}"
                );
                let mut alone = [src[p]];
                kernel.eval_in_place(&mut alone);
                assert_eq!(
                    a.to_bits_u64(),
                    alone[0].to_bits_u64(),
                    "{name}: len {len}, point {p}: {a} in a batch, {} alone",
                    alone[0]
                );
            }
        }
    }
}

#[test]
fn eval_matches_in_place_at_every_length() {
    eval_matches_in_place::<f64>();
    eval_matches_in_place::<f32>();
}

/// NaN in gives NaN out for every built-in kernel (each registry sample,
/// both float types), except a constant function: a degree-0 `Poly` gives
/// its constant.
#[test]
fn nan_gives_nan_except_for_constants() {
    fn check_nan<T: Float>() {
        for info in BUILTIN_KERNELS {
            for j in 0..3 {
                let kernel = KernelSpec::sample(info.name, j)
                    .unwrap()
                    .to_kernel::<T>()
                    .unwrap();
                let mut xs = [T::from_f64(f64::NAN); 9];
                kernel.eval_in_place(&mut xs);
                assert!(xs.iter().all(|v| v.is_nan()), "{} sample {j}", info.name);
            }
        }
        let constant = Poly::new(vec![T::from_f64(2.5)]);
        let mut xs = [T::from_f64(f64::NAN); 9];
        constant.eval_in_place(&mut xs);
        assert!(xs.iter().all(|v| v.to_f64() == 2.5), "a constant Poly");
    }
    check_nan::<f64>();
    check_nan::<f32>();
}
