//! Exact sums of `f64` values, for checking the rolling mean's accuracy: a
//! two's-complement fixed-point integer in units of 2^-1074 (the smallest
//! subnormal), wide enough for the sum of 2^200 values near `f64::MAX`.
//! Adding or removing a value is exact, so a window sum can slide.
//!
//! Shared by the tests (`tests/rolling.rs`) and the fuzz harness
//! (`fuzz/harness.rs`), with the check both run on every output.
#![allow(dead_code)]

use splitapply::Float;

/// 64-bit limbs: 2^-1074 up to 2^1230, and a sign.
const LIMBS: usize = 36;

/// An exact sum of finite `f64` values.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct Exact {
    limbs: [u64; LIMBS],
}

impl Default for Exact {
    fn default() -> Self {
        Exact { limbs: [0; LIMBS] }
    }
}

impl Exact {
    /// Adds `x` (finite) exactly.
    pub(crate) fn add(&mut self, x: f64) {
        self.add_scaled(x, 1, false);
    }

    /// Removes `x` (finite) exactly.
    pub(crate) fn sub(&mut self, x: f64) {
        self.add_scaled(x, 1, true);
    }

    /// Adds `x * times` (or subtracts it), exactly.
    pub(crate) fn add_scaled(&mut self, x: f64, times: u64, negate: bool) {
        assert!(x.is_finite(), "exact sums take finite values, not {x}");
        if x == 0.0 || times == 0 {
            return;
        }
        let bits = x.to_bits();
        let exponent = ((bits >> 52) & 0x7ff) as i64;
        let fraction = bits & ((1 << 52) - 1);
        // x = mantissa * 2^(shift - 1074)
        let (mantissa, shift) = if exponent == 0 {
            (fraction, 0)
        } else {
            (fraction | (1 << 52), exponent - 1)
        };
        let magnitude = mantissa as u128 * times as u128;
        let negative = (x < 0.0) != negate;
        self.add_magnitude(magnitude, shift as u32, negative);
    }

    /// Adds `m * 2^shift` units (or subtracts it).
    fn add_magnitude(&mut self, m: u128, shift: u32, negative: bool) {
        // m * 2^shift spans at most four limbs from `shift / 64`.
        let (limb, offset) = ((shift / 64) as usize, shift % 64);
        let mut parts = [0u64; 4];
        let wide = [m as u64, (m >> 64) as u64];
        for (k, &v) in wide.iter().enumerate() {
            let lo = v << offset;
            let hi = if offset == 0 { 0 } else { v >> (64 - offset) };
            parts[k] |= lo;
            parts[k + 1] |= hi;
        }
        if negative {
            let mut borrow = false;
            for k in limb..LIMBS {
                let p = parts.get(k - limb).copied().unwrap_or(0);
                let (v, b1) = self.limbs[k].overflowing_sub(p);
                let (v, b2) = v.overflowing_sub(borrow as u64);
                self.limbs[k] = v;
                borrow = b1 || b2;
                if !borrow && k - limb >= 3 {
                    break;
                }
            }
        } else {
            let mut carry = false;
            for k in limb..LIMBS {
                let p = parts.get(k - limb).copied().unwrap_or(0);
                let (v, c1) = self.limbs[k].overflowing_add(p);
                let (v, c2) = v.overflowing_add(carry as u64);
                self.limbs[k] = v;
                carry = c1 || c2;
                if !carry && k - limb >= 3 {
                    break;
                }
            }
        }
    }

    fn is_negative(&self) -> bool {
        self.limbs[LIMBS - 1] >> 63 == 1
    }

    /// The magnitude, as limbs of a non-negative integer.
    fn magnitude(&self) -> [u64; LIMBS] {
        if !self.is_negative() {
            return self.limbs;
        }
        let mut out = [0u64; LIMBS];
        let mut carry = true;
        for (o, &l) in out.iter_mut().zip(&self.limbs) {
            let (v, c) = (!l).overflowing_add(carry as u64);
            *o = v;
            carry = c;
        }
        out
    }

    /// `self - other`.
    fn minus(&self, other: &Exact) -> Exact {
        let mut out = Exact::default();
        let mut borrow = false;
        for k in 0..LIMBS {
            let (v, b1) = self.limbs[k].overflowing_sub(other.limbs[k]);
            let (v, b2) = v.overflowing_sub(borrow as u64);
            out.limbs[k] = v;
            borrow = b1 || b2;
        }
        out
    }

    /// The exact value of `x * times`.
    fn of(x: f64, times: u64) -> Exact {
        let mut e = Exact::default();
        e.add_scaled(x, times, false);
        e
    }
}

/// Bit length of a non-negative integer in limbs.
fn bit_len(x: &[u64; LIMBS]) -> i64 {
    for k in (0..LIMBS).rev() {
        if x[k] != 0 {
            return 64 * k as i64 + 64 - x[k].leading_zeros() as i64;
        }
    }
    0
}

/// `floor(x / d)` for a non-negative integer `x` and `d > 0`.
fn div_small(x: &[u64; LIMBS], d: u64) -> [u64; LIMBS] {
    let mut out = [0u64; LIMBS];
    let mut rem: u128 = 0;
    for k in (0..LIMBS).rev() {
        let cur = (rem << 64) | x[k] as u128;
        out[k] = (cur / d as u128) as u64;
        rem = cur % d as u128;
    }
    out
}

/// `x` as an approximate `f64` times `2^-scale` (no overflow for the
/// ratios used here).
fn approx(x: &[u64; LIMBS]) -> (f64, i64) {
    let len = bit_len(x);
    if len == 0 {
        return (0.0, 0);
    }
    // The top 64 bits.
    let shift = (len - 64).max(0);
    let (limb, offset) = ((shift / 64) as usize, (shift % 64) as u32);
    let mut top = x[limb] >> offset;
    if offset > 0 && limb + 1 < LIMBS {
        top |= x[limb + 1] << (64 - offset);
    }
    (top as f64, shift)
}

/// The error of a window mean `out` (an `f64`, or an `f32` widened: then
/// `mantissa_bits = 24`) in units of the last place of the window's mean
/// magnitude, `ulp(A / n)` for `A` the exact sum of the magnitudes, with
/// `ulp(m) = 2^(floor(log2 m) - (mantissa_bits - 1))` and at least the
/// smallest subnormal of the type. `sum` and `abs` are the exact window sum
/// and sum of magnitudes; `n` the window length.
pub(crate) fn ulps_of_magnitude(
    out: f64,
    sum: &Exact,
    abs: &Exact,
    n: u64,
    mantissa_bits: i64,
) -> f64 {
    assert!(
        out.is_finite(),
        "a finite window's mean must be finite, not {out}"
    );
    // |out * n - S| in units of 2^-1074.
    let diff = Exact::of(out, n).minus(sum).magnitude();
    // floor(log2(A / n)) in units: the bit length of floor(A_units / n),
    // less one, less 1074.
    let q = div_small(&abs.magnitude(), n);
    let log2_mag = bit_len(&q) - 1 - 1074;
    let min_exponent = if mantissa_bits == 53 { -1074 } else { -149 };
    let ulp_exponent = if bit_len(&q) == 0 {
        min_exponent
    } else {
        (log2_mag - (mantissa_bits - 1)).max(min_exponent)
    };
    // diff / (ulp * n), with ulp * n = n * 2^(ulp_exponent + 1074) units.
    let (d, d_shift) = approx(&diff);
    d / n as f64 * 2f64.powi((d_shift - (ulp_exponent + 1074)) as i32)
}

/// The bound `rolling_mean` promises: every mean within this many ulps of
/// its window's mean magnitude.
pub(crate) const MAX_ULPS: f64 = 8.0;

/// Counts of NaN, +inf and -inf in a window, slid with it.
#[derive(Default, Clone, Copy)]
struct NonFinite {
    nan: i64,
    pos: i64,
    neg: i64,
}

impl NonFinite {
    fn track(&mut self, v: f64, by: i64) -> bool {
        if v.is_nan() {
            self.nan += by;
        } else if v == f64::INFINITY {
            self.pos += by;
        } else if v == f64::NEG_INFINITY {
            self.neg += by;
        } else {
            return false;
        }
        true
    }

    /// What direct summation gives for a window with these values, if any.
    fn mean(&self) -> Option<f64> {
        if self.nan > 0 || (self.pos > 0 && self.neg > 0) {
            Some(f64::NAN)
        } else if self.pos > 0 {
            Some(f64::INFINITY)
        } else if self.neg > 0 {
            Some(f64::NEG_INFINITY)
        } else {
            None
        }
    }
}

/// `np.pad(data, w, mode='edge')[i + w]`.
fn padded<T: Float>(data: &[T], i: isize) -> f64 {
    data[i.clamp(0, data.len() as isize - 1) as usize].to_f64()
}

/// Checks `out`, the rolling mean of `data` with half-width `w`, against
/// exact window sums slid along the data: finite windows within
/// [`MAX_ULPS`] of their mean magnitude, windows with NaN or infinities as
/// direct summation. Panics naming `what` and the output on a violation;
/// returns the largest error in ulps.
pub(crate) fn check_window_means<T: Float>(data: &[T], w: usize, out: &[T], what: &str) -> f64 {
    let n = data.len();
    assert_eq!(out.len(), n, "{what}: the output is as long as the data");
    if n == 0 {
        return 0.0;
    }
    let bits = if T::BYTES == 8 { 53 } else { 24 };
    let (mut sum, mut abs) = (Exact::default(), Exact::default());
    let mut odd = NonFinite::default();
    let slide = |v: f64, by: i64, sum: &mut Exact, abs: &mut Exact, odd: &mut NonFinite| {
        if !odd.track(v, by) {
            if by > 0 {
                sum.add(v);
                abs.add(v.abs());
            } else {
                sum.sub(v);
                abs.sub(v.abs());
            }
        }
    };
    // The first window: the in-range values and the padded copies.
    let wi = w as isize;
    let last = n as isize - 1;
    for k in 0..=wi.min(last) {
        slide(padded(data, k), 1, &mut sum, &mut abs, &mut odd);
    }
    let pads = [
        (padded(data, 0), w),
        (padded(data, last), w.saturating_sub(last as usize)),
    ];
    for (v, copies) in pads {
        if copies > 0 && !odd.track(v, copies as i64) {
            sum.add_scaled(v, copies as u64, false);
            abs.add_scaled(v.abs(), copies as u64, false);
        }
    }
    let mut worst = 0.0f64;
    for (i, o) in out.iter().enumerate() {
        let got = o.to_f64();
        if let Some(want) = odd.mean() {
            assert!(
                got.is_nan() == want.is_nan() && (want.is_nan() || got == want),
                "{what}: n={n} w={w} i={i}: got {got}, direct summation gives {want}"
            );
        } else {
            let e = ulps_of_magnitude(got, &sum, &abs, 2 * w as u64 + 1, bits);
            assert!(
                e <= MAX_ULPS,
                "{what}: n={n} w={w} i={i}: got {got}, {e} ulps of the window's magnitude"
            );
            worst = worst.max(e);
        }
        let i = i as isize;
        slide(padded(data, i + wi + 1), 1, &mut sum, &mut abs, &mut odd);
        slide(padded(data, i - wi), -1, &mut sum, &mut abs, &mut odd);
    }
    worst
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_sums_cancel_and_measure() {
        let mut s = Exact::default();
        for v in [1e300, 1.0, -1e300, 5e-324, -2.5, f64::MAX, -f64::MAX] {
            s.add(v);
        }
        // 1 + 5e-324 - 2.5 = -1.5 + 2^-1074.
        let mut want = Exact::default();
        want.add(-1.5);
        want.add(5e-324);
        assert_eq!(s, want);
        let abs = Exact::of(1.5, 1);
        // -1.5 is off by one unit of 2^-1074 from s.
        let e = ulps_of_magnitude(-1.5, &s, &abs, 1, 53);
        assert!(e > 0.0 && e < 1e-300);
        let e = ulps_of_magnitude(-1.5 + 2.0 * f64::EPSILON, &want, &abs, 1, 53);
        assert!((e - 2.0).abs() < 1e-9, "{e}");
    }
}
