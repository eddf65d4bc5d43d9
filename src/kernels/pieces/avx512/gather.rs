//! [`Method::Gather`](super::super::table::Method::Gather): every lookup a
//! hardware gather, after the shortcut the table has.

use std::arch::x86_64::*;

use super::super::table::Pieces;
use super::lanes::*;
use crate::float::Float;

/// [`Method::Gather`] for f64.
pub(super) struct GatherF64<'a, const C: usize> {
    grid: [__m512d; 3],
    start: Option<&'a [u32]>,
    steps: usize,
    next: &'a [f64],
    columns: [&'a [f64]; C],
    /// Origin, scale, the last piece and the margin of
    /// `Uniform`, when the thresholds are even.
    uniform: Option<[__m512d; 4]>,
    /// The packed `Entries` and their band.
    entries: Option<(&'a [u64], __m512d)>,
}

impl<'a, const C: usize> GatherF64<'a, C> {
    #[target_feature(enable = "avx512f")]
    pub(super) fn new<T: Float>(pieces: &'a Pieces<T, C>) -> Self {
        assert!(T::BYTES == 8 && pieces.len() <= i32::MAX as usize);
        let tables = pieces.gather.as_ref().expect("built for gathers");
        GatherF64 {
            grid: grid_f64(pieces),
            start: pieces.grid.start_table(),
            steps: pieces.grid.steps(),
            // SAFETY: T is f64 (asserted above).
            next: unsafe { as_f64(&pieces.next) },
            // SAFETY: as above.
            columns: std::array::from_fn(|r| unsafe { as_f64(&pieces.columns[r]) }),
            uniform: tables
                .uniform
                .as_ref()
                .map(|u| u.parameters().map(|v| _mm512_set1_pd(v.to_f64()))),
            entries: tables
                .entries
                .as_ref()
                .map(|e| (e.entries(), _mm512_set1_pd(e.band().to_f64()))),
        }
    }

    /// Each lane's piece from its bucket's entry, or `None` when a lane is
    /// too close to its bucket's threshold to be decided so.
    #[target_feature(enable = "avx512f")]
    #[inline]
    fn piece_entries(&self, t: __m512d) -> Option<__m256i> {
        let (entries, band) = self.entries?;
        let [origin, scale, last] = self.grid;
        let u = _mm512_mul_pd(_mm512_sub_pd(t, origin), scale);
        let u = _mm512_min_pd(_mm512_max_pd(u, _mm512_setzero_pd()), last);
        // SAFETY: every bucket is below the number of entries (the clamp).
        let entry =
            unsafe { _mm512_i32gather_epi64::<8>(_mm512_cvttpd_epi32(u), entries.as_ptr().cast()) };
        let start = _mm512_cvtepi64_epi32(entry);
        let p = _mm512_cvtps_pd(_mm256_castsi256_ps(_mm512_cvtepi64_epi32(
            _mm512_srli_epi64::<32>(entry),
        )));
        let above = _mm512_cmp_pd_mask::<_CMP_GT_OQ>(_mm512_sub_pd(u, p), band);
        let below = _mm512_cmp_pd_mask::<_CMP_GT_OQ>(_mm512_sub_pd(p, u), band);
        if above | below != 0xff {
            return None;
        }
        let piece = _mm512_mask_add_epi32(
            _mm512_zextsi256_si512(start),
            __mmask16::from(above),
            _mm512_zextsi256_si512(start),
            _mm512_set1_epi32(1),
        );
        Some(_mm512_castsi512_si256(piece))
    }

    /// Each lane's piece by the arithmetic of evenly spaced thresholds,
    /// or `None` when a lane is too close to a threshold to be decided so.
    #[target_feature(enable = "avx512f")]
    #[inline]
    fn piece_uniform(&self, t: __m512d) -> Option<__m256i> {
        let [origin, scale, last, margin] = self.uniform?;
        let v = _mm512_mul_pd(_mm512_sub_pd(t, origin), scale);
        // `max` returns its second operand when the first is NaN.
        let v = _mm512_max_pd(v, _mm512_set1_pd(-1.0));
        let v = _mm512_min_pd(v, _mm512_add_pd(last, _mm512_set1_pd(1.0)));
        let r = _mm512_roundscale_pd::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(v);
        let gap = _mm512_abs_pd(_mm512_sub_pd(v, r));
        if _mm512_cmp_pd_mask::<_CMP_LT_OQ>(gap, margin) != 0xff {
            return None;
        }
        let r = _mm512_min_pd(_mm512_max_pd(r, _mm512_setzero_pd()), last);
        Some(_mm512_cvttpd_epi32(r))
    }

    /// Each lane's piece by the grid and its steps.
    #[target_feature(enable = "avx512f")]
    #[inline]
    fn piece_stepped(&self, t: __m512d) -> __m256i {
        // Eight 32-bit buckets in the low half, zeros above.
        let bucket = _mm512_zextsi256_si512(buckets_f64(t, &self.grid));
        let mut piece = match self.start {
            // SAFETY: every bucket is below the start table's length (the
            // clamp), and only the eight low lanes are read.
            Some(start) => unsafe {
                _mm512_mask_i32gather_epi32::<4>(bucket, 0x00ff, bucket, start.as_ptr().cast())
            },
            None => bucket,
        };
        let one = _mm512_set1_epi32(1);
        for _ in 0..self.steps {
            // SAFETY: every piece is below the number of pieces, the
            // length of `next` (see the module docs).
            let next = unsafe {
                _mm512_i32gather_pd::<8>(_mm512_castsi512_si256(piece), self.next.as_ptr())
            };
            let reached = _mm512_cmp_pd_mask::<_CMP_LE_OQ>(next, t);
            piece = _mm512_mask_add_epi32(piece, __mmask16::from(reached), piece, one);
        }
        _mm512_castsi512_si256(piece)
    }
}

impl<T: Float, const C: usize> Lookup<T, C> for GatherF64<'_, C> {
    #[target_feature(enable = "avx512f")]
    #[inline]
    unsafe fn values(&self, lanes: &[T]) -> [T::Wide; C] {
        // SAFETY: the caller's promise (T is the lookup's float type).
        let t = unsafe { load_f64(lanes) };
        let piece = match self.piece_uniform(t).or_else(|| self.piece_entries(t)) {
            Some(piece) => piece,
            None => self.piece_stepped(t),
        };
        self.columns.map(|column| {
            // SAFETY: every piece is below the column's length; T is f64.
            unsafe { wide_f64::<T>(_mm512_i32gather_pd::<8>(piece, column.as_ptr())) }
        })
    }
}

/// [`Method::Gather`] for f32.
pub(super) struct GatherF32<'a, const C: usize> {
    grid: [__m512; 3],
    start: Option<&'a [u32]>,
    steps: usize,
    next: &'a [f32],
    /// The columns two by two, as 64-bit values.
    pairs: Vec<&'a [f64]>,
    uniform: Option<[__m512; 4]>,
    entries: Option<(&'a [u64], __m512)>,
}

impl<'a, const C: usize> GatherF32<'a, C> {
    #[target_feature(enable = "avx512f")]
    pub(super) fn new<T: Float>(pieces: &'a Pieces<T, C>) -> Self {
        assert!(T::BYTES == 4 && pieces.len() <= i32::MAX as usize);
        let tables = pieces.gather.as_ref().expect("built for gathers");
        assert_eq!(tables.pairs.len(), C.div_ceil(2));
        GatherF32 {
            grid: grid_f32(pieces),
            start: pieces.grid.start_table(),
            steps: pieces.grid.steps(),
            // SAFETY: T is f32 (asserted above).
            next: unsafe { as_f32(&pieces.next) },
            pairs: tables
                .pairs
                .iter()
                .map(|pair| {
                    // SAFETY: a pair of f32 is 8 bytes with the alignment
                    // of f32; read as f64 only by gathers, which need no
                    // alignment and never look at the value.
                    unsafe { std::slice::from_raw_parts(pair.as_ptr().cast::<f64>(), pair.len()) }
                })
                .collect(),
            uniform: tables
                .uniform
                .as_ref()
                .map(|u| u.parameters().map(|v| _mm512_set1_ps(v.to_f64() as f32))),
            entries: tables
                .entries
                .as_ref()
                .map(|e| (e.entries(), _mm512_set1_ps(e.band().to_f64() as f32))),
        }
    }

    /// As [`GatherF64::piece_entries`].
    #[target_feature(enable = "avx512f")]
    #[inline]
    fn piece_entries(&self, t: __m512) -> Option<__m512i> {
        let (entries, band) = self.entries?;
        let [origin, scale, last] = self.grid;
        let u = _mm512_mul_ps(_mm512_sub_ps(t, origin), scale);
        let u = _mm512_min_ps(_mm512_max_ps(u, _mm512_setzero_ps()), last);
        let bucket = _mm512_cvttps_epi32(u);
        // SAFETY: every bucket is below the number of entries (the clamp).
        let (a, b) = unsafe {
            (
                _mm512_i32gather_epi64::<8>(
                    _mm512_castsi512_si256(bucket),
                    entries.as_ptr().cast(),
                ),
                _mm512_i32gather_epi64::<8>(
                    _mm512_extracti64x4_epi64::<1>(bucket),
                    entries.as_ptr().cast(),
                ),
            )
        };
        let (even, odd) = even_odd();
        let start = _mm512_permutex2var_epi32(a, even, b);
        let p = _mm512_castsi512_ps(_mm512_permutex2var_epi32(a, odd, b));
        let above = _mm512_cmp_ps_mask::<_CMP_GT_OQ>(_mm512_sub_ps(u, p), band);
        let below = _mm512_cmp_ps_mask::<_CMP_GT_OQ>(_mm512_sub_ps(p, u), band);
        if above | below != 0xffff {
            return None;
        }
        Some(_mm512_mask_add_epi32(
            start,
            above,
            start,
            _mm512_set1_epi32(1),
        ))
    }

    /// As [`GatherF64::piece_uniform`].
    #[target_feature(enable = "avx512f")]
    #[inline]
    fn piece_uniform(&self, t: __m512) -> Option<__m512i> {
        let [origin, scale, last, margin] = self.uniform?;
        let v = _mm512_mul_ps(_mm512_sub_ps(t, origin), scale);
        let v = _mm512_max_ps(v, _mm512_set1_ps(-1.0));
        let v = _mm512_min_ps(v, _mm512_add_ps(last, _mm512_set1_ps(1.0)));
        let r = _mm512_roundscale_ps::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(v);
        let gap = _mm512_abs_ps(_mm512_sub_ps(v, r));
        if _mm512_cmp_ps_mask::<_CMP_LT_OQ>(gap, margin) != 0xffff {
            return None;
        }
        let r = _mm512_min_ps(_mm512_max_ps(r, _mm512_setzero_ps()), last);
        Some(_mm512_cvttps_epi32(r))
    }

    /// As [`GatherF64::piece_stepped`].
    #[target_feature(enable = "avx512f")]
    #[inline]
    fn piece_stepped(&self, t: __m512) -> __m512i {
        let bucket = buckets_f32(t, &self.grid);
        let mut piece = match self.start {
            // SAFETY: every bucket is below the start table's length.
            Some(start) => unsafe { _mm512_i32gather_epi32::<4>(bucket, start.as_ptr().cast()) },
            None => bucket,
        };
        let one = _mm512_set1_epi32(1);
        for _ in 0..self.steps {
            // SAFETY: every piece is below the length of `next`.
            let next = unsafe { _mm512_i32gather_ps::<4>(piece, self.next.as_ptr()) };
            let reached = _mm512_cmp_ps_mask::<_CMP_LE_OQ>(next, t);
            piece = _mm512_mask_add_epi32(piece, reached, piece, one);
        }
        piece
    }
}

impl<T: Float, const C: usize> Lookup<T, C> for GatherF32<'_, C> {
    #[target_feature(enable = "avx512f")]
    #[inline]
    unsafe fn values(&self, lanes: &[T]) -> [T::Wide; C] {
        // SAFETY: the caller's promise (T is the lookup's float type).
        let t = unsafe { load_f32(lanes) };
        let piece = match self.piece_uniform(t).or_else(|| self.piece_entries(t)) {
            Some(piece) => piece,
            None => self.piece_stepped(t),
        };
        let (low, high) = (
            _mm512_castsi512_si256(piece),
            _mm512_extracti64x4_epi64::<1>(piece),
        );
        let (even, odd) = even_odd();
        let mut values = [_mm512_setzero_ps(); C];
        for (p, pair) in self.pairs.iter().enumerate() {
            // SAFETY: every piece is below the pair column's length.
            let (a, b) = unsafe {
                (
                    _mm512_castpd_ps(_mm512_i32gather_pd::<8>(low, pair.as_ptr())),
                    _mm512_castpd_ps(_mm512_i32gather_pd::<8>(high, pair.as_ptr())),
                )
            };
            // Lanes 0-7 then 8-15: the first values of the pairs, then
            // the second ones.
            values[2 * p] = _mm512_permutex2var_ps(a, even, b);
            if 2 * p + 1 < C {
                values[2 * p + 1] = _mm512_permutex2var_ps(a, odd, b);
            }
        }
        // SAFETY: T is f32.
        values.map(|v| unsafe { wide_f32::<T>(v) })
    }
}
