//! [`Method::Registers`](super::super::table::Method::Registers): every
//! table in registers, each lookup one two-register permute.

use std::arch::x86_64::*;

use super::super::table::Pieces;
use super::lanes::*;
use crate::float::Float;

/// [`Method::Registers`] for f64: every table in two registers.
pub(super) struct RegistersF64<const C: usize> {
    grid: [__m512d; 3],
    /// The start table as 64-bit integers, when there is one.
    start: Option<[__m512i; 2]>,
    steps: usize,
    next: [__m512d; 2],
    columns: [[__m512d; 2]; C],
}

impl<const C: usize> RegistersF64<C> {
    #[target_feature(enable = "avx512f")]
    pub(super) fn new<T: Float>(pieces: &Pieces<T, C>) -> Self {
        assert!(T::BYTES == 8 && pieces.len() <= 16 && pieces.grid.buckets() <= 16);
        // SAFETY (the `pair_f64` calls): T is f64, checked above.
        let start = pieces.grid.start_table().map(|s| {
            let mut wide = [0i64; 16];
            for (w, &v) in wide.iter_mut().zip(s) {
                *w = i64::from(v);
            }
            // SAFETY: `wide` holds 16 values.
            unsafe {
                [
                    _mm512_loadu_si512(wide.as_ptr().cast()),
                    _mm512_loadu_si512(wide.as_ptr().add(8).cast()),
                ]
            }
        });
        RegistersF64 {
            grid: grid_f64(pieces),
            start,
            steps: pieces.grid.steps(),
            // SAFETY: T is f64 (asserted above).
            next: unsafe { pair_f64(&pieces.next) },
            // SAFETY: as above.
            columns: std::array::from_fn(|r| unsafe { pair_f64(&pieces.columns[r]) }),
        }
    }
}

impl<T: Float, const C: usize> Lookup<T, C> for RegistersF64<C> {
    #[target_feature(enable = "avx512f")]
    #[inline]
    unsafe fn values(&self, lanes: &[T]) -> [T::Wide; C] {
        let lookup = self;
        // SAFETY: the caller's promise.
        let t = unsafe { load_f64(lanes) };
        let bucket = _mm512_cvtepi32_epi64(buckets_f64(t, &lookup.grid));
        let mut piece = match lookup.start {
            Some([lo, hi]) => _mm512_permutex2var_epi64(lo, bucket, hi),
            None => bucket,
        };
        let one = _mm512_set1_epi64(1);
        let [next_lo, next_hi] = lookup.next;
        for _ in 0..lookup.steps {
            let next = _mm512_permutex2var_pd(next_lo, piece, next_hi);
            let reached = _mm512_cmp_pd_mask::<_CMP_LE_OQ>(next, t);
            piece = _mm512_mask_add_epi64(piece, reached, piece, one);
        }
        lookup.columns.map(|[lo, hi]| {
            // SAFETY: T is f64 (the caller's promise).
            unsafe { wide_f64::<T>(_mm512_permutex2var_pd(lo, piece, hi)) }
        })
    }
}

/// [`Method::Registers`] for f32.
pub(super) struct RegistersF32<const C: usize> {
    grid: [__m512; 3],
    start: Option<[__m512i; 2]>,
    steps: usize,
    next: [__m512; 2],
    columns: [[__m512; 2]; C],
}

impl<const C: usize> RegistersF32<C> {
    #[target_feature(enable = "avx512f")]
    pub(super) fn new<T: Float>(pieces: &Pieces<T, C>) -> Self {
        assert!(T::BYTES == 4 && pieces.len() <= 32 && pieces.grid.buckets() <= 32);
        let start = pieces.grid.start_table().map(|s| {
            let mut wide = [0u32; 32];
            wide[..s.len()].copy_from_slice(s);
            // SAFETY: `wide` holds 32 values.
            unsafe {
                [
                    _mm512_loadu_si512(wide.as_ptr().cast()),
                    _mm512_loadu_si512(wide.as_ptr().add(16).cast()),
                ]
            }
        });
        RegistersF32 {
            grid: grid_f32(pieces),
            start,
            steps: pieces.grid.steps(),
            // SAFETY: T is f32 (asserted above).
            next: unsafe { pair_f32(&pieces.next) },
            // SAFETY: as above.
            columns: std::array::from_fn(|r| unsafe { pair_f32(&pieces.columns[r]) }),
        }
    }
}

impl<T: Float, const C: usize> Lookup<T, C> for RegistersF32<C> {
    #[target_feature(enable = "avx512f")]
    #[inline]
    unsafe fn values(&self, lanes: &[T]) -> [T::Wide; C] {
        let lookup = self;
        // SAFETY: the caller's promise.
        let t = unsafe { load_f32(lanes) };
        let bucket = buckets_f32(t, &lookup.grid);
        let mut piece = match lookup.start {
            Some([lo, hi]) => _mm512_permutex2var_epi32(lo, bucket, hi),
            None => bucket,
        };
        let one = _mm512_set1_epi32(1);
        let [next_lo, next_hi] = lookup.next;
        for _ in 0..lookup.steps {
            let next = _mm512_permutex2var_ps(next_lo, piece, next_hi);
            let reached = _mm512_cmp_ps_mask::<_CMP_LE_OQ>(next, t);
            piece = _mm512_mask_add_epi32(piece, reached, piece, one);
        }
        lookup.columns.map(|[lo, hi]| {
            // SAFETY: T is f32 (the caller's promise).
            unsafe { wide_f32::<T>(_mm512_permutex2var_ps(lo, piece, hi)) }
        })
    }
}
