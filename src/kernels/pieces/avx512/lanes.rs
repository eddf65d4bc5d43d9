//! What the AVX-512 lookups share: the [`Lookup`] they implement, and the
//! register helpers (loading points and table columns, the grid's
//! arithmetic, moving between registers and the kernels' `wide` vectors).

use std::arch::x86_64::*;

use super::super::table::Pieces;
use crate::float::Float;

/// The values of each lane's piece for one wide vector of points.
pub(super) trait Lookup<T: Float, const C: usize> {
    /// # Safety
    /// The CPU must have AVX-512F, and `lanes` hold `T::WIDE_LANES` values
    /// (the lookup was built for `T`).
    unsafe fn values(&self, lanes: &[T]) -> [T::Wide; C];
}

/// The grid's arithmetic and the start of the lookup, shared by the f64
/// lookups: the bucket of each lane as 32-bit integers.
#[target_feature(enable = "avx512f")]
#[inline]
pub(super) fn buckets_f64(t: __m512d, grid: &[__m512d; 3]) -> __m256i {
    let [origin, scale, last] = *grid;
    let u = _mm512_mul_pd(_mm512_sub_pd(t, origin), scale);
    // `max` returns its second operand when the first is NaN.
    let u = _mm512_min_pd(_mm512_max_pd(u, _mm512_setzero_pd()), last);
    _mm512_cvttpd_epi32(u)
}

/// As [`buckets_f64`], for f32.
#[target_feature(enable = "avx512f")]
#[inline]
pub(super) fn buckets_f32(t: __m512, grid: &[__m512; 3]) -> __m512i {
    let [origin, scale, last] = *grid;
    let u = _mm512_mul_ps(_mm512_sub_ps(t, origin), scale);
    let u = _mm512_min_ps(_mm512_max_ps(u, _mm512_setzero_ps()), last);
    _mm512_cvttps_epi32(u)
}

/// Points of an f64 table as a register.
///
/// # Safety
/// `T` must be f64 and `lanes` hold 8 values; AVX-512F.
#[target_feature(enable = "avx512f")]
#[inline]
pub(super) unsafe fn load_f64<T: Float>(lanes: &[T]) -> __m512d {
    debug_assert!(T::BYTES == 8 && lanes.len() == 8);
    // SAFETY: the caller's promise: 8 values of f64.
    unsafe { _mm512_loadu_pd(lanes.as_ptr().cast()) }
}

/// As [`load_f64`], for f32 (16 values).
///
/// # Safety
/// `T` must be f32 and `lanes` hold 16 values; AVX-512F.
#[target_feature(enable = "avx512f")]
#[inline]
pub(super) unsafe fn load_f32<T: Float>(lanes: &[T]) -> __m512 {
    debug_assert!(T::BYTES == 4 && lanes.len() == 16);
    // SAFETY: the caller's promise: 16 values of f32.
    unsafe { _mm512_loadu_ps(lanes.as_ptr().cast()) }
}

/// A register of f64 values as the kernel's wide vector.
///
/// # Safety
/// `T` must be f64; AVX-512F.
#[target_feature(enable = "avx512f")]
#[inline]
pub(super) unsafe fn wide_f64<T: Float>(v: __m512d) -> T::Wide {
    let mut values = [T::ZERO; 8];
    // SAFETY: `values` holds 8 values of T, which is f64.
    unsafe { _mm512_storeu_pd(values.as_mut_ptr().cast(), v) };
    T::load_wide(&values)
}

/// As [`wide_f64`], for f32.
///
/// # Safety
/// `T` must be f32; AVX-512F.
#[target_feature(enable = "avx512f")]
#[inline]
pub(super) unsafe fn wide_f32<T: Float>(v: __m512) -> T::Wide {
    let mut values = [T::ZERO; 16];
    // SAFETY: `values` holds 16 values of T, which is f32.
    unsafe { _mm512_storeu_ps(values.as_mut_ptr().cast(), v) };
    T::load_wide(&values)
}

/// A column of at most 16 f64 values (zeros beyond) as two registers.
///
/// # Safety
/// `T` must be f64; AVX-512F.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn pair_f64<T: Float>(column: &[T]) -> [__m512d; 2] {
    assert!(column.len() <= 16);
    let mut padded = [T::ZERO; 16];
    padded[..column.len()].copy_from_slice(column);
    // SAFETY: `padded` holds 16 values of T, which is f64.
    unsafe {
        let p = padded.as_ptr().cast::<f64>();
        [_mm512_loadu_pd(p), _mm512_loadu_pd(p.add(8))]
    }
}

/// As [`pair_f64`], for at most 32 f32 values.
///
/// # Safety
/// `T` must be f32; AVX-512F.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn pair_f32<T: Float>(column: &[T]) -> [__m512; 2] {
    assert!(column.len() <= 32);
    let mut padded = [T::ZERO; 32];
    padded[..column.len()].copy_from_slice(column);
    // SAFETY: `padded` holds 32 values of T, which is f32.
    unsafe {
        let p = padded.as_ptr().cast::<f32>();
        [_mm512_loadu_ps(p), _mm512_loadu_ps(p.add(16))]
    }
}

/// The grid's parameters of an f64 table as registers.
#[target_feature(enable = "avx512f")]
pub(super) fn grid_f64<T: Float, const C: usize>(pieces: &Pieces<T, C>) -> [__m512d; 3] {
    pieces.grid.parameters().map(|v| _mm512_set1_pd(v.to_f64()))
}

#[target_feature(enable = "avx512f")]
pub(super) fn grid_f32<T: Float, const C: usize>(pieces: &Pieces<T, C>) -> [__m512; 3] {
    pieces
        .grid
        .parameters()
        .map(|v| _mm512_set1_ps(v.to_f64() as f32))
}

/// A table's column as f64.
///
/// # Safety
/// `T` must be f64.
pub(super) unsafe fn as_f64<T: Float>(column: &[T]) -> &[f64] {
    debug_assert!(T::BYTES == 8);
    // SAFETY: T is f64, so the slice is one of f64.
    unsafe { std::slice::from_raw_parts(column.as_ptr().cast(), column.len()) }
}

/// As [`as_f64`], for f32.
///
/// # Safety
/// `T` must be f32.
pub(super) unsafe fn as_f32<T: Float>(column: &[T]) -> &[f32] {
    debug_assert!(T::BYTES == 4);
    // SAFETY: T is f32, so the slice is one of f32.
    unsafe { std::slice::from_raw_parts(column.as_ptr().cast(), column.len()) }
}

/// Permute indices that take, from two registers of eight 64-bit pairs,
/// the first halves of all sixteen pairs, and the second halves.
#[target_feature(enable = "avx512f")]
#[inline]
pub(super) fn even_odd() -> (__m512i, __m512i) {
    let even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    (even, _mm512_add_epi32(even, _mm512_set1_epi32(1)))
}
