//! The float types splitapply works on, and the SIMD vector type behind each.
//!
//! `f64` maps to [`wide::f64x4`] and `f32` to [`wide::f32x8`]: both are one
//! 256-bit register when the crate is compiled with AVX (see
//! [`crate::simd_info()`]). Kernels are written once, generically over
//! [`Float`], and instantiated for both.
//!
//! The transcendental kernels (exp, ln, sin, cos, pow, logistic) use twice
//! as many lanes, [`Float::Wide`] (`f64x8`, `f32x16`): their long
//! instruction sequences fill the out-of-order window, and twice the work
//! per instruction keeps more of it busy (one register with AVX-512; two
//! AVX registers without). The cheap kernels keep the narrower type, which
//! pads short tails less and, being bound by memory rather than by the
//! out-of-order window, loses nothing.

use std::fmt::{Debug, Display};
use std::ops::{Add, Div, Mul, Neg, Sub};

use wide::{f32x8, f32x16, f64x4, f64x8};

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// The operations the built-in kernels need from a SIMD vector of floats.
///
/// Every operation is lane-wise: a lane's result depends only on that lane's
/// inputs. This is what makes kernel results independent of where a value
/// falls in a batch.
pub trait FloatVector:
    Copy
    + Send
    + Sync
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    /// `self * a + b`, fused (one rounding) when the target has FMA.
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// Lane-wise square root, correctly rounded.
    fn sqrt(self) -> Self;
    /// Lane-wise `e^x`.
    fn exp(self) -> Self;
    /// Lane-wise natural logarithm.
    fn ln(self) -> Self;
    /// Lane-wise sine.
    fn sin(self) -> Self;
    /// Lane-wise cosine.
    fn cos(self) -> Self;
    /// Lane-wise `self^p`.
    fn pow(self, p: Self) -> Self;
    /// Lanes of `if_true` where `self < other`, else lanes of `if_false`.
    fn select_lt(self, other: Self, if_true: Self, if_false: Self) -> Self;
    /// Lanes of `if_true` where `self > other`, else lanes of `if_false`.
    fn select_gt(self, other: Self, if_true: Self, if_false: Self) -> Self;
    /// Lanes of `if_true` where `self` is NaN, else lanes of `if_false`.
    fn select_nan(self, if_true: Self, if_false: Self) -> Self;
}

/// A float type splitapply can evaluate: `f32` or `f64`.
///
/// Sealed: the kernels rely on the exact vector types behind these two.
pub trait Float:
    sealed::Sealed
    + Copy
    + Default
    + PartialOrd
    + Debug
    + Display
    + Send
    + Sync
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    /// The SIMD vector of this float type.
    type Vector: FloatVector;
    /// Number of lanes in [`Float::Vector`].
    const LANES: usize;
    /// Size of one value in bytes.
    const BYTES: usize;
    /// The additive identity.
    const ZERO: Self;

    /// A vector with every lane equal to `x`.
    fn splat(x: Self) -> Self::Vector;
    /// Loads exactly [`Float::LANES`] values.
    ///
    /// # Panics
    /// If `xs.len() != Self::LANES`.
    fn load(xs: &[Self]) -> Self::Vector;
    /// Stores a vector into exactly [`Float::LANES`] values.
    ///
    /// # Panics
    /// If `xs.len() != Self::LANES`.
    fn store(v: Self::Vector, xs: &mut [Self]);
    /// The wider SIMD vector of the transcendental kernels (see the module
    /// docs).
    type Wide: FloatVector;
    /// Number of lanes in [`Float::Wide`].
    const WIDE_LANES: usize;
    /// A wide vector with every lane equal to `x`.
    fn splat_wide(x: Self) -> Self::Wide;
    /// Loads exactly [`Float::WIDE_LANES`] values.
    ///
    /// # Panics
    /// If `xs.len() != Self::WIDE_LANES`.
    fn load_wide(xs: &[Self]) -> Self::Wide;
    /// Stores a wide vector into exactly [`Float::WIDE_LANES`] values.
    ///
    /// # Panics
    /// If `xs.len() != Self::WIDE_LANES`.
    fn store_wide(v: Self::Wide, xs: &mut [Self]);
    /// Converts from `f64`, rounding to nearest.
    fn from_f64(x: f64) -> Self;
    /// Converts to `f64` (exact).
    fn to_f64(self) -> f64;
    /// True when the value is NaN.
    fn is_nan(self) -> bool;
    /// True when the value is neither NaN nor infinite.
    fn is_finite(self) -> bool;
    /// The raw bits, widened to 64 bits (for bitwise comparisons and ULPs).
    fn to_bits_u64(self) -> u64;
}

macro_rules! impl_float_vector {
    ($v:ident) => {
        impl FloatVector for $v {
            #[inline(always)]
            fn mul_add(self, a: Self, b: Self) -> Self {
                $v::mul_add(self, a, b)
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                $v::sqrt(self)
            }
            #[inline(always)]
            fn exp(self) -> Self {
                $v::exp(self)
            }
            #[inline(always)]
            fn ln(self) -> Self {
                $v::ln(self)
            }
            #[inline(always)]
            fn sin(self) -> Self {
                $v::sin(self)
            }
            #[inline(always)]
            fn cos(self) -> Self {
                $v::cos(self)
            }
            #[inline(always)]
            fn pow(self, p: Self) -> Self {
                $v::powf_simd(self, p)
            }
            #[inline(always)]
            fn select_lt(self, other: Self, if_true: Self, if_false: Self) -> Self {
                self.simd_lt(other).select(if_true, if_false)
            }
            #[inline(always)]
            fn select_gt(self, other: Self, if_true: Self, if_false: Self) -> Self {
                self.simd_gt(other).select(if_true, if_false)
            }
            #[inline(always)]
            fn select_nan(self, if_true: Self, if_false: Self) -> Self {
                self.is_nan().select(if_true, if_false)
            }
        }
    };
}

impl_float_vector!(f64x4);
impl_float_vector!(f64x8);
impl_float_vector!(f32x8);
impl_float_vector!(f32x16);

macro_rules! impl_float {
    ($t:ident, $v:ident, $lanes:literal, $w:ident, $wide_lanes:literal) => {
        impl Float for $t {
            type Vector = $v;
            const LANES: usize = $lanes;
            const BYTES: usize = std::mem::size_of::<$t>();
            const ZERO: Self = 0.0;

            #[inline(always)]
            fn splat(x: Self) -> $v {
                $v::splat(x)
            }
            #[inline(always)]
            fn load(xs: &[Self]) -> $v {
                let arr: [$t; $lanes] = xs.try_into().expect("load needs exactly LANES values");
                $v::new(arr)
            }
            #[inline(always)]
            fn store(v: $v, xs: &mut [Self]) {
                xs.copy_from_slice(v.as_array());
            }
            type Wide = $w;
            const WIDE_LANES: usize = $wide_lanes;
            #[inline(always)]
            fn splat_wide(x: Self) -> $w {
                $w::splat(x)
            }
            #[inline(always)]
            fn load_wide(xs: &[Self]) -> $w {
                let arr: [$t; $wide_lanes] = xs
                    .try_into()
                    .expect("load_wide needs exactly WIDE_LANES values");
                $w::new(arr)
            }
            #[inline(always)]
            fn store_wide(v: $w, xs: &mut [Self]) {
                xs.copy_from_slice(v.as_array());
            }
            #[inline(always)]
            fn from_f64(x: f64) -> Self {
                x as $t
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                $t::is_nan(self)
            }
            #[inline(always)]
            fn is_finite(self) -> bool {
                $t::is_finite(self)
            }
            #[inline(always)]
            fn to_bits_u64(self) -> u64 {
                self.to_bits() as u64
            }
        }
    };
}

impl_float!(f64, f64x4, 4, f64x8, 8);
impl_float!(f32, f32x8, 8, f32x16, 16);

/// Calls `f` on every full vector's worth of `xs` (exactly [`Float::LANES`]
/// values each), in place.
///
/// Full vectors are passed straight from the slice. The tail (fewer than
/// [`Float::LANES`] values) is copied into a full vector padded with copies of
/// its last value, processed the same way, and copied back. So every value
/// goes through exactly the same vector code, whatever its position: results
/// never depend on how a batch was cut.
#[inline(always)]
pub fn for_each_vector<T: Float>(xs: &mut [T], f: impl FnMut(&mut [T])) {
    for_each_padded(xs, T::LANES, f);
}

/// [`for_each_vector`] for vectors of `width` values (at most
/// [`MAX_LANES`]): the one tail-padding walk behind every in-place map.
#[inline(always)]
pub(crate) fn for_each_padded<T: Float>(xs: &mut [T], width: usize, mut f: impl FnMut(&mut [T])) {
    let mut chunks = xs.chunks_exact_mut(width);
    for chunk in &mut chunks {
        f(chunk);
    }
    let tail = chunks.into_remainder();
    if let Some(&last) = tail.last() {
        let mut padded = [last; MAX_LANES];
        let n = tail.len();
        padded[..n].copy_from_slice(tail);
        f(&mut padded[..width]);
        tail.copy_from_slice(&padded[..n]);
    }
}

/// [`for_each_padded`] from `src` into `dst` (of equal lengths): `f` reads
/// `width` values and writes `width`; the tail is padded the same way, so
/// every value meets the same vector code as in place.
#[inline(always)]
pub(crate) fn for_each_padded_into<T: Float>(
    src: &[T],
    dst: &mut [T],
    width: usize,
    mut f: impl FnMut(&[T], &mut [T]),
) {
    let mut s_chunks = src.chunks_exact(width);
    let mut d_chunks = dst.chunks_exact_mut(width);
    for (s, d) in (&mut s_chunks).zip(&mut d_chunks) {
        f(s, d);
    }
    let (s_tail, d_tail) = (s_chunks.remainder(), d_chunks.into_remainder());
    if let Some(&last) = s_tail.last() {
        let mut padded = [last; MAX_LANES];
        let n = s_tail.len();
        padded[..n].copy_from_slice(s_tail);
        let mut result = padded;
        f(&padded[..width], &mut result[..width]);
        d_tail.copy_from_slice(&result[..n]);
    }
}

/// Applies a lane-wise vector function to every value of `xs`, in place,
/// through [`for_each_vector`] (so tails are padded, never scalar).
#[inline(always)]
pub fn map_lanes<T: Float>(xs: &mut [T], f: impl Fn(T::Vector) -> T::Vector) {
    for_each_vector(xs, |lanes| T::store(f(T::load(lanes)), lanes));
}

/// [`map_lanes`] with [`Float::Wide`] vectors: full wide vectors straight
/// from the slice, the tail padded to one wide vector with copies of its
/// last value.
#[inline(always)]
pub fn map_wide<T: Float>(xs: &mut [T], f: impl Fn(T::Wide) -> T::Wide) {
    for_each_padded(xs, T::WIDE_LANES, |lanes| {
        T::store_wide(f(T::load_wide(lanes)), lanes)
    });
}

/// [`map_wide`] from `src` into `dst`: the same vectors, so the same bits.
///
/// # Panics
/// If `src` and `dst` differ in length.
#[inline(always)]
pub fn map_wide_into<T: Float>(src: &[T], dst: &mut [T], f: impl Fn(T::Wide) -> T::Wide) {
    assert_eq!(src.len(), dst.len(), "map_wide_into needs equal lengths");
    for_each_padded_into(src, dst, T::WIDE_LANES, |s, d| {
        T::store_wide(f(T::load_wide(s)), d)
    });
}

/// Like [`map_lanes`], but reads `src` and writes `dst`, saving the copy
/// that an in-place evaluation of a fresh buffer needs. The same vectors
/// are formed (tails padded with copies of the last value), so results are
/// bitwise identical to [`map_lanes`].
///
/// # Panics
/// If `src` and `dst` differ in length.
#[inline(always)]
pub fn map_lanes_into<T: Float>(src: &[T], dst: &mut [T], f: impl Fn(T::Vector) -> T::Vector) {
    assert_eq!(src.len(), dst.len(), "map_lanes_into needs equal lengths");
    for_each_padded_into(src, dst, T::LANES, |s, d| T::store(f(T::load(s)), d));
}

/// An upper bound on [`Float::LANES`] and [`Float::WIDE_LANES`] for stack
/// buffers.
pub(crate) const MAX_LANES: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;

    fn check_map_lanes<T: Float>() {
        for n in 0..(3 * T::WIDE_LANES + 1) {
            let xs: Vec<T> = (0..n).map(|i| T::from_f64(i as f64)).collect();
            let mut narrow = xs.clone();
            map_lanes(&mut narrow, |v| v * T::splat(T::from_f64(2.0)));
            let mut wide = xs.clone();
            map_wide(&mut wide, |v| v * T::splat_wide(T::from_f64(2.0)));
            let mut wide_into = vec![T::ZERO; n];
            map_wide_into(&xs, &mut wide_into, |v| v * T::splat_wide(T::from_f64(2.0)));
            for (i, ((a, b), c)) in narrow.iter().zip(&wide).zip(&wide_into).enumerate() {
                let want = T::from_f64(2.0 * i as f64);
                assert!(*a == want && *b == want && *c == want, "n={n} i={i}");
            }
        }
    }

    #[test]
    fn map_lanes_into_matches_in_place() {
        for n in 0..20 {
            let src: Vec<f64> = (0..n).map(|i| i as f64 * 0.37 - 2.0).collect();
            let mut in_place = src.clone();
            map_lanes(&mut in_place, |v| v.exp());
            let mut dst = vec![0.0; n];
            map_lanes_into(&src, &mut dst, |v| v.exp());
            assert_eq!(in_place, dst, "n={n}");
        }
    }

    #[test]
    fn map_lanes_covers_every_length() {
        check_map_lanes::<f32>();
        check_map_lanes::<f64>();
    }
}
