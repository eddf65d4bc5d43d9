//! The AVX-512 ways to find pieces and fetch their values, chosen at run
//! time (`is_x86_feature_detected!`) when a table is built: `wide` fixes
//! its instruction set at compile time and has neither gathers nor
//! permutes across registers.
//!
//! Both find the piece the portable method finds, lane by lane, by the
//! grid of `grid.rs`:
//!
//! ```text
//! u     = min(max((t - origin) * scale, 0), last)     (NaN -> 0, as there)
//! piece = start[trunc(u)]  (or trunc(u) itself)
//! repeat steps times: piece += (next[piece] <= t)
//! value r of the lane = columns[r][piece]
//! ```
//!
//! - **Registers** (at most 16 pieces in f64, 32 in f32): each column,
//!   `next` and the start table sit in two registers, and every lookup is
//!   one two-register permute (`vpermt2pd` / `vpermt2ps`).
//! - **Gather**: every lookup is a hardware gather. Before the grid's
//!   steps, a vector tries the shortcut its table has: on evenly spaced
//!   thresholds the piece from the arithmetic of `uniform.rs`, on others
//!   from one packed entry per bucket (`entries.rs`); a vector with a lane
//!   either leaves undecided takes the steps. The indices of every gather
//!   are in bounds: buckets are clamped below the number of buckets (the
//!   length of the start table and of the entries); a start, an entry's
//!   start plus one above its bucket's single threshold, and the
//!   arithmetic's piece (clamped) are at most the number of thresholds,
//!   the last piece; and a step never passes the last piece (`next` is NaN
//!   there). In f32 the columns are gathered two at a time, as 64-bit
//!   pairs, and split by permutes.
//!
//! The kernel's arithmetic then runs on the fetched values as `wide`
//! vectors, the same code as in the portable methods.

use std::arch::x86_64::*;

use super::table::{Method, Pieces};
use crate::float::{Float, for_each_padded, for_each_padded_into};

/// Whether this CPU runs the AVX-512 methods (never under Miri, which
/// does not emulate them).
pub(super) fn available() -> bool {
    !cfg!(miri) && std::arch::is_x86_feature_detected!("avx512f")
}

/// The most pieces [`Method::Registers`] handles for `T`: two registers'
/// worth of values.
pub(super) fn register_pieces<T: Float>() -> usize {
    2 * T::WIDE_LANES
}

/// Evaluates `xs` in place when the table uses an AVX-512 method; false
/// (nothing done) otherwise.
#[inline]
pub(super) fn eval_in_place<T: Float, const C: usize>(
    pieces: &Pieces<T, C>,
    xs: &mut [T],
    finish: &impl Fn(T::Wide, [T::Wide; C]) -> T::Wide,
) -> bool {
    if !matches!(pieces.method, Method::Registers | Method::Gather) {
        return false;
    }
    // SAFETY: a table has an AVX-512 method only when `available()` said
    // so when it was built, on this machine.
    unsafe { walk(pieces, Walk::InPlace(xs), finish) };
    true
}

/// [`eval_in_place`] from `src` into `dst` (equal lengths).
#[inline]
pub(super) fn eval<T: Float, const C: usize>(
    pieces: &Pieces<T, C>,
    src: &[T],
    dst: &mut [T],
    finish: &impl Fn(T::Wide, [T::Wide; C]) -> T::Wide,
) -> bool {
    if !matches!(pieces.method, Method::Registers | Method::Gather) {
        return false;
    }
    // SAFETY: as in `eval_in_place`.
    unsafe { walk(pieces, Walk::Into(src, dst), finish) };
    true
}

/// Where the results go.
enum Walk<'a, T> {
    InPlace(&'a mut [T]),
    Into(&'a [T], &'a mut [T]),
}

/// Every wide vector of the walk, through the table's lookup.
///
/// # Safety
/// The CPU must have AVX-512F.
#[target_feature(enable = "avx512f")]
unsafe fn walk<T: Float, const C: usize>(
    pieces: &Pieces<T, C>,
    walk: Walk<'_, T>,
    finish: &impl Fn(T::Wide, [T::Wide; C]) -> T::Wide,
) {
    // Float is sealed to f32 and f64, told apart by their size.
    if T::BYTES == 8 {
        match pieces.method {
            Method::Registers => run(&RegistersF64::new(pieces), walk, finish),
            _ => run(&GatherF64::new(pieces), walk, finish),
        }
    } else {
        match pieces.method {
            Method::Registers => run(&RegistersF32::new(pieces), walk, finish),
            _ => run(&GatherF32::new(pieces), walk, finish),
        }
    }
}

/// The values of each lane's piece for one wide vector of points.
trait Lookup<T: Float, const C: usize> {
    /// # Safety
    /// The CPU must have AVX-512F, and `lanes` hold `T::WIDE_LANES` values
    /// (the lookup was built for `T`).
    unsafe fn values(&self, lanes: &[T]) -> [T::Wide; C];
}

#[target_feature(enable = "avx512f")]
fn run<T: Float, const C: usize>(
    lookup: &impl Lookup<T, C>,
    walk: Walk<'_, T>,
    finish: &impl Fn(T::Wide, [T::Wide; C]) -> T::Wide,
) {
    match walk {
        Walk::InPlace(xs) => for_each_padded(xs, T::WIDE_LANES, |lanes| {
            // SAFETY: AVX-512F is enabled here; a padded walk passes
            // `T::WIDE_LANES` values.
            let values = unsafe { lookup.values(lanes) };
            T::store_wide(finish(T::load_wide(lanes), values), lanes)
        }),
        Walk::Into(src, dst) => for_each_padded_into(src, dst, T::WIDE_LANES, |s, d| {
            // SAFETY: as above.
            let values = unsafe { lookup.values(s) };
            T::store_wide(finish(T::load_wide(s), values), d)
        }),
    }
}

/// The grid's arithmetic and the start of the lookup, shared by the f64
/// lookups: the bucket of each lane as 32-bit integers.
#[target_feature(enable = "avx512f")]
#[inline]
fn buckets_f64(t: __m512d, grid: &[__m512d; 3]) -> __m256i {
    let [origin, scale, last] = *grid;
    let u = _mm512_mul_pd(_mm512_sub_pd(t, origin), scale);
    // `max` returns its second operand when the first is NaN.
    let u = _mm512_min_pd(_mm512_max_pd(u, _mm512_setzero_pd()), last);
    _mm512_cvttpd_epi32(u)
}

/// As [`buckets_f64`], for f32.
#[target_feature(enable = "avx512f")]
#[inline]
fn buckets_f32(t: __m512, grid: &[__m512; 3]) -> __m512i {
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
unsafe fn load_f64<T: Float>(lanes: &[T]) -> __m512d {
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
unsafe fn load_f32<T: Float>(lanes: &[T]) -> __m512 {
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
unsafe fn wide_f64<T: Float>(v: __m512d) -> T::Wide {
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
unsafe fn wide_f32<T: Float>(v: __m512) -> T::Wide {
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
unsafe fn pair_f64<T: Float>(column: &[T]) -> [__m512d; 2] {
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
unsafe fn pair_f32<T: Float>(column: &[T]) -> [__m512; 2] {
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
fn grid_f64<T: Float, const C: usize>(pieces: &Pieces<T, C>) -> [__m512d; 3] {
    pieces.grid.parameters().map(|v| _mm512_set1_pd(v.to_f64()))
}

#[target_feature(enable = "avx512f")]
fn grid_f32<T: Float, const C: usize>(pieces: &Pieces<T, C>) -> [__m512; 3] {
    pieces
        .grid
        .parameters()
        .map(|v| _mm512_set1_ps(v.to_f64() as f32))
}

/// [`Method::Registers`] for f64: every table in two registers.
struct RegistersF64<const C: usize> {
    grid: [__m512d; 3],
    /// The start table as 64-bit integers, when there is one.
    start: Option<[__m512i; 2]>,
    steps: usize,
    next: [__m512d; 2],
    columns: [[__m512d; 2]; C],
}

impl<const C: usize> RegistersF64<C> {
    #[target_feature(enable = "avx512f")]
    fn new<T: Float>(pieces: &Pieces<T, C>) -> Self {
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

/// [`Method::Gather`] for f64.
struct GatherF64<'a, const C: usize> {
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

/// A table's column as f64.
///
/// # Safety
/// `T` must be f64.
unsafe fn as_f64<T: Float>(column: &[T]) -> &[f64] {
    debug_assert!(T::BYTES == 8);
    // SAFETY: T is f64, so the slice is one of f64.
    unsafe { std::slice::from_raw_parts(column.as_ptr().cast(), column.len()) }
}

/// As [`as_f64`], for f32.
///
/// # Safety
/// `T` must be f32.
unsafe fn as_f32<T: Float>(column: &[T]) -> &[f32] {
    debug_assert!(T::BYTES == 4);
    // SAFETY: T is f32, so the slice is one of f32.
    unsafe { std::slice::from_raw_parts(column.as_ptr().cast(), column.len()) }
}

impl<'a, const C: usize> GatherF64<'a, C> {
    #[target_feature(enable = "avx512f")]
    fn new<T: Float>(pieces: &'a Pieces<T, C>) -> Self {
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

/// [`Method::Registers`] for f32.
struct RegistersF32<const C: usize> {
    grid: [__m512; 3],
    start: Option<[__m512i; 2]>,
    steps: usize,
    next: [__m512; 2],
    columns: [[__m512; 2]; C],
}

impl<const C: usize> RegistersF32<C> {
    #[target_feature(enable = "avx512f")]
    fn new<T: Float>(pieces: &Pieces<T, C>) -> Self {
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

/// [`Method::Gather`] for f32.
struct GatherF32<'a, const C: usize> {
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
    fn new<T: Float>(pieces: &'a Pieces<T, C>) -> Self {
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

/// Permute indices that take, from two registers of eight 64-bit pairs,
/// the first halves of all sixteen pairs, and the second halves.
#[target_feature(enable = "avx512f")]
#[inline]
fn even_odd() -> (__m512i, __m512i) {
    let even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    (even, _mm512_add_epi32(even, _mm512_set1_epi32(1)))
}
