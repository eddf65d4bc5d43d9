//! The exponential and the logarithm behind `Pow` and `Logistic`, written
//! for them: `wide`'s `exp` and `powf_simd` (which `Exp` and the other
//! kernels keep) guard every corner case with selects on every vector, and
//! `powf_simd` is large enough that it is not inlined, so its arguments and
//! result go through memory (which costs as much as the function). Here the ordinary inputs take a short path of
//! arithmetic, and a vector only pays for the corners when one of its
//! lanes is in them (the corner lanes then get their own results by
//! select; the other lanes keep the bits of the short path, so no result
//! depends on its neighbours).
//!
//! ```text
//! exp(x + tail):  k = round(x / ln 2)                  (by adding 1.5 * 2^52)
//!                 r = x - k ln2_hi - k ln2_lo + tail    (|r| <= ln(2)/2)
//!                 e^x = (1 + r + r^2 P(r)) * 2^k        (P: Taylor to r^13 / 13!)
//!                 2^k in two factors where it leaves the normal range
//! ln(x):          x = 2^e m, m in [sqrt(1/2), sqrt(2)),  s = (m - 1) / (m + 1)
//!                 ln x = e ln 2 + 2 s + s^3 R(s^2)       (R: the atanh series)
//! x^p (f64):      ln x as a double-double (s carries its residual), y = p ln x
//!                 as a double-double, then exp(y_hi + y_lo)
//! x^p (f32):      the same in f32, double-single, shorter series
//! ```
//!
//! A double-double keeps `p ln x` accurate to about 2^-60 of its value,
//! which `e^y` turns into a relative error of a fraction of an ULP even for
//! `|y|` near 700.

use wide::bytemuck::cast;
use wide::{f32x16, f64x8, i32x16, i64x8, u32x16, u64x8};

/// `ln 2` in two parts: the first with trailing zeros, so that `k ln2_hi`
/// is exact for every exponent `k` here.
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
/// `1.5 * 2^52`: adding it rounds to an integer, which then sits in the low
/// bits of the sum.
const SHIFTER: f64 = 6_755_399_441_055_744.0;
/// The bits of `sqrt(1/2)`, where the logarithm's mantissa range starts.
const SQRT_HALF_BITS: u64 = 0x3fe6_a09e_667f_3bcd;
/// Inputs of `exp` beyond this size leave the normal range of `2^k`.
const EXP_NORMAL_LIMIT: f64 = 708.39;
/// `1 / k!` for `k = 2..=13`.
const EXP_TAYLOR: [f64; 12] = [
    1.0 / 2.0,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5040.0,
    1.0 / 40320.0,
    1.0 / 362_880.0,
    1.0 / 3_628_800.0,
    1.0 / 39_916_800.0,
    1.0 / 479_001_600.0,
    1.0 / 6_227_020_800.0,
];

/// `c[0] + x (c[1] + x (c[2] + ...))`.
#[inline(always)]
fn horner(x: f64x8, c: &[f64]) -> f64x8 {
    let (&last, rest) = c.split_last().expect("coefficients");
    rest.iter().rev().fold(f64x8::splat(last), |acc, &ci| {
        acc.mul_add(x, f64x8::splat(ci))
    })
}

/// `e^(x + tail)`, within 1 ULP for `|tail| <= 2^-40 |x|`; `+inf` above
/// 709.78, 0 below -745.13, NaN for NaN.
#[inline(always)]
pub(super) fn exp_f64(x: f64x8, tail: f64x8) -> f64x8 {
    let at = |x: f64x8| {
        let kf = x.mul_add(
            f64x8::splat(std::f64::consts::LOG2_E),
            f64x8::splat(SHIFTER),
        );
        let k = kf - f64x8::splat(SHIFTER);
        let r = k.mul_neg_add(f64x8::splat(LN2_HI), x);
        let r = k.mul_neg_add(f64x8::splat(LN2_LO), r) + tail;
        let e = (r * r).mul_add(horner(r, &EXP_TAYLOR), r) + f64x8::ONE;
        (e, cast::<f64x8, i64x8>(kf))
    };
    let (e, ki) = at(x);
    // 2^k from the low bits of k + 1.5 * 2^52 (the high bits shift out).
    let fast = e * cast::<i64x8, f64x8>((ki + i64x8::splat(1023)) << 52);
    let far = x.abs().simd_gt(f64x8::splat(EXP_NORMAL_LIMIT));
    if !far.any() {
        return fast;
    }
    // Clamped so that k fits two normal factors; NaN passes through (the
    // second operand of max and min).
    let clamped = f64x8::splat(710.0).fast_min(f64x8::splat(-746.0).fast_max(x));
    let (e, ki) = at(clamped);
    let k = ki - i64x8::splat(SHIFTER.to_bits() as i64);
    let half = k >> 1;
    let factor = |k: i64x8| cast::<i64x8, f64x8>((k + i64x8::splat(1023)) << 52);
    far.select(e * factor(half) * factor(k - half), fast)
}

/// `e` and `m` of `x = 2^e m` with `m` in `[sqrt(1/2), sqrt(2))`, for
/// positive normal `x`; `e` as a float.
#[inline(always)]
fn exponent_mantissa(x: f64x8) -> (f64x8, f64x8) {
    let ix = cast::<f64x8, u64x8>(x);
    // e + 1024, by a logical shift of a sum that is never negative.
    let biased = (ix - u64x8::splat(SQRT_HALF_BITS) + u64x8::splat(1024 << 52)) >> 52;
    let m = cast::<u64x8, f64x8>(ix - (biased << 52) + u64x8::splat(1024 << 52));
    let e = cast::<u64x8, f64x8>(biased + u64x8::splat(SHIFTER.to_bits()))
        - f64x8::splat(SHIFTER + 1024.0);
    (e, m)
}

/// Positive subnormal `x` scaled into the normal range, and the
/// exponent to add back (0 for the other lanes).
#[inline(always)]
fn normalized(x: f64x8) -> (f64x8, f64x8) {
    let tiny = x.simd_lt(f64x8::splat(f64::MIN_POSITIVE));
    if !tiny.any() {
        return (x, f64x8::ZERO);
    }
    (
        tiny.select(x * f64x8::splat(2f64.powi(54)), x),
        tiny.select(f64x8::splat(-54.0), f64x8::ZERO),
    )
}

/// `ln x` as a double-double `hi + lo` (relative error about 2^-62) for
/// positive finite `x`; other lanes get meaningless values.
#[inline(always)]
fn ln_double(x: f64x8) -> (f64x8, f64x8) {
    let (x, shift) = normalized(x);
    let (e, m) = exponent_mantissa(x);
    let e = e + shift;
    let one = f64x8::ONE;
    // s = f / d exactly as s + s_lo: f = m - 1 is exact, d = m + 1 may
    // round, and d_err is its rounding error (both differences exact).
    let f = m - one;
    let d = m + one;
    let d_err = m - (d - one);
    let s = f / d;
    let residual = s.mul_neg_add(d, f) - s * d_err;
    // 1 / (m + 1) = (1 - s) / 2.
    let s_lo = residual * (one - s) * f64x8::splat(0.5);
    let z = s * s;
    // R(z) = sum over k of 2 z^k / (2k + 3), to k = 10.
    let series: [f64; 11] = std::array::from_fn(|k| 2.0 / (2 * k + 3) as f64);
    let s3r = s * z * horner(z, &series);
    let two_s = s + s;
    let e_hi = e * f64x8::splat(LN2_HI);
    let hi = e_hi + two_s;
    // |e ln 2| >= |2 s| unless e = 0, when the sum is exact: Fast2Sum.
    let err = (e_hi - hi) + two_s;
    let two_s_lo = s_lo + s_lo;
    let lo = e.mul_add(f64x8::splat(LN2_LO), err) + two_s_lo + z.mul_add(two_s_lo, s3r);
    (hi, lo)
}

/// What `x^p` needs to know of a fixed exponent `p`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Exponent {
    p: f64,
    /// `p` is an integer (infinities count as even integers, as std
    /// treats them).
    integer: bool,
    /// `p` is an odd integer.
    odd: bool,
}

impl Exponent {
    pub(super) fn new(p: f64) -> Exponent {
        let integer = p.is_infinite() || (p.is_finite() && p == p.trunc());
        let odd = integer && p.is_finite() && (p % 2.0).abs() == 1.0;
        Exponent { p, integer, odd }
    }
}

/// `|x|^p` (the short path's result, meaningful for finite nonzero `x`)
/// turned into std's `powf` at every input: the sign of a negative base
/// to an odd power, NaN for a negative base to a non-integer power, and
/// zeros, infinities, NaN and `|x| = 1` by the table of IEEE 754 `pow`;
/// except that a NaN base gives NaN even for `p = 0`, and `-inf` to a
/// non-integer power gives NaN. A vector only pays for the selects when
/// one of its lanes needs them.
macro_rules! corners {
    ($name:ident, $f:ident, $u:ident, $t:ident) => {
        #[inline(always)]
        fn $name(x: $f, p: &Exponent, power: $f) -> $f {
            let bits = cast::<$f, $u>(x);
            // 0 < x < inf, as unsigned bits: (bits - 1) < (inf - 1).
            let ordinary = (bits - $u::splat(1)).simd_lt($u::splat($t::INFINITY.to_bits() - 1));
            if p.p.is_finite() && ordinary.all() {
                return power;
            }
            let splat = |v: $t| $f::splat(v);
            let nan = splat($t::NAN);
            let ax = x.abs();
            if !p.p.is_finite() {
                // An infinite power: 0 or inf by whether |x| is below or
                // above 1, and 1 at |x| = 1; a NaN power gives NaN but at
                // x = 1, as in std.
                let (below, above) = if p.p > 0.0 {
                    ($f::ZERO, splat($t::INFINITY))
                } else {
                    (splat($t::INFINITY), $f::ZERO)
                };
                let result = ax.simd_lt($f::ONE).select(below, above);
                let result = ax.simd_eq($f::ONE).select($f::ONE, result);
                let result = if p.p.is_nan() {
                    x.simd_eq($f::ONE).select($f::ONE, nan)
                } else {
                    result
                };
                return x.is_nan().select(nan, result);
            }
            // Negative bases, -0 included.
            let negative = x.is_sign_negative();
            let zero = ax.simd_eq($f::ZERO);
            let infinite = ax.simd_eq(splat($t::INFINITY));
            // The sign a negative base gives the result.
            let sign = |v: $f| if p.odd { negative.select(-v, v) } else { v };
            // Finite nonzero bases: the power, signed; NaN for negative
            // ones to a non-integer power.
            let finite = if p.integer {
                sign(power)
            } else {
                negative.select(nan, power)
            };
            // Zeros: 0 to a positive power, inf to a negative one, 1 to
            // p = 0; infinities the reverse, and NaN for a negative one to
            // a non-integer power.
            let (at_zero, at_infinity) = if p.p > 0.0 {
                (sign($f::ZERO), sign(splat($t::INFINITY)))
            } else if p.p < 0.0 {
                (sign(splat($t::INFINITY)), sign($f::ZERO))
            } else {
                ($f::ONE, $f::ONE)
            };
            let at_infinity = if p.integer {
                at_infinity
            } else {
                negative.select(nan, at_infinity)
            };
            let mut result = cast::<$u, $f>(ordinary).select(power, finite);
            result = zero.select(at_zero, result);
            result = infinite.select(at_infinity, result);
            x.is_nan().select(nan, result)
        }
    };
}

corners!(corners_f64, f64x8, u64x8, f64);
corners!(corners_f32, f32x16, u32x16, f32);

/// `x^p` for f64 results (see the module docs), within 1 ULP for
/// ordinary inputs; the corner cases as [`corners_f64`] says.
#[inline(always)]
pub(super) fn pow_f64(x: f64x8, p: &Exponent) -> f64x8 {
    let pv = f64x8::splat(p.p);
    let (hi, lo) = ln_double(x.abs());
    let y_hi = pv * hi;
    let y_lo = pv.mul_sub(hi, y_hi) + pv * lo;
    corners_f64(x, p, exp_f64(y_hi, y_lo))
}

/// The f32 constants: `ln 2` in two parts (the first with trailing zeros),
/// the shifter `1.5 * 2^23`, the bits of `sqrt(1/2)`, the normal range of
/// `2^k`.
const LN2_HI_F32: f32 = 0.693_359_4;
const LN2_LO_F32: f32 = -2.121_944_4e-4;
const SHIFTER_F32: f32 = 12_582_912.0;
const SQRT_HALF_BITS_F32: u32 = 0x3f35_04f3;
const EXP_NORMAL_LIMIT_F32: f32 = 87.3;

/// As [`horner`], in f32.
#[inline(always)]
fn horner_f32(x: f32x16, c: &[f32]) -> f32x16 {
    let (&last, rest) = c.split_last().expect("coefficients");
    rest.iter().rev().fold(f32x16::splat(last), |acc, &ci| {
        acc.mul_add(x, f32x16::splat(ci))
    })
}

/// `e^(x + tail)` in f32 (within 1 ULP); `+inf` above 88.72, 0 below
/// -103.97, NaN for NaN. The steps of [`exp_f64`], Taylor to `r^7 / 7!`.
#[inline(always)]
pub(super) fn exp_f32(x: f32x16, tail: f32x16) -> f32x16 {
    let at = |x: f32x16| {
        let kf = x.mul_add(
            f32x16::splat(std::f32::consts::LOG2_E),
            f32x16::splat(SHIFTER_F32),
        );
        let k = kf - f32x16::splat(SHIFTER_F32);
        let r = k.mul_neg_add(f32x16::splat(LN2_HI_F32), x);
        let r = k.mul_neg_add(f32x16::splat(LN2_LO_F32), r) + tail;
        let taylor: [f32; 6] = std::array::from_fn(|n| 1.0 / (1..=n + 2).product::<usize>() as f32);
        let e = (r * r).mul_add(horner_f32(r, &taylor), r) + f32x16::ONE;
        (e, cast::<f32x16, i32x16>(kf))
    };
    let (e, ki) = at(x);
    let fast = e * cast::<i32x16, f32x16>((ki + i32x16::splat(127)) << 23);
    let far = x.abs().simd_gt(f32x16::splat(EXP_NORMAL_LIMIT_F32));
    if !far.any() {
        return fast;
    }
    let clamped = f32x16::splat(89.0).fast_min(f32x16::splat(-104.0).fast_max(x));
    let (e, ki) = at(clamped);
    let k = ki - i32x16::splat(SHIFTER_F32.to_bits() as i32);
    let half = k >> 1;
    let factor = |k: i32x16| cast::<i32x16, f32x16>((k + i32x16::splat(127)) << 23);
    far.select(e * factor(half) * factor(k - half), fast)
}

/// `ln x` as a double-single `hi + lo` (relative error about 2^-40) for
/// positive finite f32 `x`: the steps of [`ln_double`] in f32, the
/// series to `s^13`.
#[inline(always)]
fn ln_double_f32(x: f32x16) -> (f32x16, f32x16) {
    let tiny = x.simd_lt(f32x16::splat(f32::MIN_POSITIVE));
    let (x, shift) = if tiny.any() {
        (
            tiny.select(x * f32x16::splat(2f32.powi(24)), x),
            tiny.select(f32x16::splat(-24.0), f32x16::ZERO),
        )
    } else {
        (x, f32x16::ZERO)
    };
    let ix = cast::<f32x16, u32x16>(x);
    let biased = (ix - u32x16::splat(SQRT_HALF_BITS_F32) + u32x16::splat(128 << 23)) >> 23;
    let m = cast::<u32x16, f32x16>(ix - (biased << 23) + u32x16::splat(128 << 23));
    let e = cast::<u32x16, f32x16>(biased + u32x16::splat(SHIFTER_F32.to_bits()))
        - f32x16::splat(SHIFTER_F32 + 128.0)
        + shift;
    let one = f32x16::ONE;
    let f = m - one;
    let d = m + one;
    let d_err = m - (d - one);
    let s = f / d;
    let residual = s.mul_neg_add(d, f) - s * d_err;
    let s_lo = residual * (one - s) * f32x16::splat(0.5);
    let z = s * s;
    let series: [f32; 6] = std::array::from_fn(|k| 2.0 / (2 * k + 3) as f32);
    let s3r = s * z * horner_f32(z, &series);
    let two_s = s + s;
    let e_hi = e * f32x16::splat(LN2_HI_F32);
    let hi = e_hi + two_s;
    let err = (e_hi - hi) + two_s;
    let two_s_lo = s_lo + s_lo;
    let lo = e.mul_add(f32x16::splat(LN2_LO_F32), err) + two_s_lo + z.mul_add(two_s_lo, s3r);
    (hi, lo)
}

/// `x^p` for f32 results, within 1 ULP for ordinary inputs: [`pow_f64`]'s
/// steps with double-single numbers.
#[inline(always)]
pub(super) fn pow_f32(x: f32x16, p: &Exponent) -> f32x16 {
    let pv = f32x16::splat(p.p as f32);
    let (hi, lo) = ln_double_f32(x.abs());
    let y_hi = pv * hi;
    let y_lo = pv.mul_sub(hi, y_hi) + pv * lo;
    corners_f32(x, p, exp_f32(y_hi, y_lo))
}
