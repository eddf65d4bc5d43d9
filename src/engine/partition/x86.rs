//! The x86-64 paths of the partition passes, chosen at run time.
//!
//! Each entry is a safe function that checks the CPU feature and calls a
//! `#[target_feature]` body; the bodies move bits only (values are `f32` or
//! `f64`, positions `u32`), so every path gives the portable path's
//! results. The only unsafe operations are the vector loads and stores,
//! in the small helpers below, each on a slice of exactly the vector's
//! width; and the calls of the `#[target_feature]` bodies, each after the
//! feature check.

use std::arch::x86_64::*;

use super::layout::{HEADS, MAX_GROUPS, quarter};
use super::portable::histogram_heads;
use crate::float::Float;
use crate::grouping_path::{has_avx2, has_avx512};

// Loads and stores of whole vectors, each on a slice of exactly the
// vector's width: the only unsafe operations of the x86 paths.

/// 8 ids into the low half of a 128-bit register.
#[inline]
#[target_feature(enable = "sse2")]
fn load_ids8(ids: &[u8; 8]) -> __m128i {
    // SAFETY: `ids` holds the 8 bytes the load reads.
    unsafe { _mm_loadl_epi64(ids.as_ptr().cast()) }
}

/// 16 ids.
#[inline]
#[target_feature(enable = "sse2")]
fn load_ids16(ids: &[u8; 16]) -> __m128i {
    // SAFETY: `ids` holds the 16 bytes the load reads.
    unsafe { _mm_loadu_si128(ids.as_ptr().cast()) }
}

/// 32 ids.
#[inline]
#[target_feature(enable = "avx2")]
fn load_ids32(ids: &[u8; 32]) -> __m256i {
    // SAFETY: `ids` holds the 32 bytes the load reads.
    unsafe { _mm256_loadu_si256(ids.as_ptr().cast()) }
}

/// 64 ids.
#[inline]
#[target_feature(enable = "avx512f")]
fn load_ids64(ids: &[u8; 64]) -> __m512i {
    // SAFETY: `ids` holds the 64 bytes the load reads.
    unsafe { _mm512_loadu_si512(ids.as_ptr().cast()) }
}

/// 64 bytes of values (8 `f64` or 16 `f32`).
#[inline]
#[target_feature(enable = "avx512f")]
fn load512<T: Float>(xs: &[T]) -> __m512i {
    assert_eq!(std::mem::size_of_val(xs), 64);
    // SAFETY: `xs` holds the 64 bytes the load reads.
    unsafe { _mm512_loadu_si512(xs.as_ptr().cast()) }
}

/// 64 bytes of values into `xs`.
#[inline]
#[target_feature(enable = "avx512f")]
fn store512<T: Float>(xs: &mut [T], v: __m512i) {
    assert_eq!(std::mem::size_of_val(xs), 64);
    // SAFETY: `xs` holds the 64 bytes the store writes; any bits are a
    // valid `f32` or `f64`.
    unsafe { _mm512_storeu_si512(xs.as_mut_ptr().cast(), v) }
}

/// 8 positions.
#[inline]
#[target_feature(enable = "avx")]
fn load_pos8(p: &[u32; 8]) -> __m256i {
    // SAFETY: `p` holds the 32 bytes the load reads.
    unsafe { _mm256_loadu_si256(p.as_ptr().cast()) }
}

/// 8 positions into `p`.
#[inline]
#[target_feature(enable = "avx")]
fn store_pos8(p: &mut [u32], v: __m256i) {
    assert_eq!(p.len(), 8);
    // SAFETY: `p` holds the 32 bytes the store writes.
    unsafe { _mm256_storeu_si256(p.as_mut_ptr().cast(), v) }
}

/// 16 positions.
#[inline]
#[target_feature(enable = "avx512f")]
fn load_pos16(p: &[u32; 16]) -> __m512i {
    // SAFETY: `p` holds the 64 bytes the load reads.
    unsafe { _mm512_loadu_si512(p.as_ptr().cast()) }
}

/// 16 positions into `p`.
#[inline]
#[target_feature(enable = "avx512f")]
fn store_pos16(p: &mut [u32], v: __m512i) {
    assert_eq!(p.len(), 16);
    // SAFETY: `p` holds the 64 bytes the store writes.
    unsafe { _mm512_storeu_si512(p.as_mut_ptr().cast(), v) }
}

/// Per-head counts of the ids with AVX2: each head's ids 32 at a time,
/// one compare and population count per group.
pub(super) fn histogram_heads_avx2(ids: &[u8], groups: usize) -> [[u32; MAX_GROUPS]; HEADS] {
    assert!(has_avx2());
    // SAFETY: the CPU has AVX2 and POPCNT (checked above).
    unsafe { histogram_heads_avx2_body(ids, groups) }
}

#[target_feature(enable = "avx2,popcnt")]
fn histogram_heads_avx2_body(ids: &[u8], groups: usize) -> [[u32; MAX_GROUPS]; HEADS] {
    let q = quarter(ids.len());
    let mut counts = [[0u32; MAX_GROUPS]; HEADS];
    for (h, table) in counts.iter_mut().enumerate() {
        let head = if h + 1 == HEADS {
            &ids[h * q..]
        } else {
            &ids[h * q..(h + 1) * q]
        };
        let (blocks, rest) = head.as_chunks::<32>();
        for block in blocks {
            let v = load_ids32(block);
            for (g, count) in table.iter_mut().enumerate().take(groups) {
                let eq = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(g as i8));
                *count += (_mm256_movemask_epi8(eq) as u32).count_ones();
            }
        }
        for &g in rest {
            table[usize::from(g) % MAX_GROUPS] += 1;
        }
    }
    debug_assert_eq!(counts, histogram_heads(ids, groups));
    counts
}

/// Counts of the ids with AVX-512: 64 at a time, one compare and
/// population count per group.
pub(super) fn histogram_avx512(ids: &[u8], groups: usize) -> [u32; MAX_GROUPS] {
    assert!(has_avx512());
    // SAFETY: the CPU has AVX-512 F/BW/VL and POPCNT (checked above).
    unsafe { histogram_avx512_body(ids, groups) }
}

#[target_feature(enable = "avx512f,avx512bw,avx512vl,popcnt")]
fn histogram_avx512_body(ids: &[u8], groups: usize) -> [u32; MAX_GROUPS] {
    let mut counts = [0u32; MAX_GROUPS];
    let (blocks, rest) = ids.as_chunks::<64>();
    let mut last = [u8::MAX; 64];
    last[..rest.len()].copy_from_slice(rest);
    for block in blocks.iter().chain(std::iter::once(&last)) {
        let v = load_ids64(block);
        for (g, count) in counts.iter_mut().enumerate().take(groups) {
            *count += _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(g as i8)).count_ones();
        }
    }
    counts
}

/// The AVX-512 partition: for each vector of points and each group, the
/// group's values (and positions) compressed into a register under the
/// ids' mask and stored at the group's cursor.
pub(super) fn partition_avx512<T: Float>(
    ids: &[u8],
    groups: usize,
    starts: &[u32; MAX_GROUPS],
    x: &[T],
    buf: &mut [T],
    positions: Option<(&[u32], &mut [u32])>,
) {
    assert!(has_avx512());
    // SAFETY: the CPU has AVX-512 F/BW/VL and POPCNT (checked above).
    unsafe {
        match T::BYTES {
            8 => partition8(ids, groups, starts, x, buf, positions),
            _ => partition4(ids, groups, starts, x, buf, positions),
        }
    }
}

/// The AVX-512 combine: for each vector of points, each group's next
/// results expanded under the ids' mask into the lanes of its points.
pub(super) fn combine_avx512<T: Float>(
    ids: &[u8],
    groups: usize,
    starts: &[u32; MAX_GROUPS],
    buf: &[T],
    out: &mut [T],
) {
    assert!(has_avx512());
    // SAFETY: the CPU has AVX-512 F/BW/VL and POPCNT (checked above).
    unsafe {
        match T::BYTES {
            8 => combine8(ids, groups, starts, buf, out),
            _ => combine4(ids, groups, starts, buf, out),
        }
    }
}

/// Calls `step(ids, values, positions, valid)` on each `W` points of the
/// partition's inputs in order, the last ones padded (ids that match no
/// group, zeros) with `valid` saying how many are real.
#[inline(always)]
fn walk_in<T: Float, const W: usize>(
    ids: &[u8],
    x: &[T],
    pos: Option<&[u32]>,
    mut step: impl FnMut(&[u8; W], &[T; W], Option<&[u32; W]>, usize),
) {
    let n = ids.len();
    let full = n / W * W;
    for i in (0..full).step_by(W) {
        let ids = ids[i..i + W].first_chunk::<W>().expect("W ids");
        let xs = x[i..i + W].first_chunk::<W>().expect("W values");
        let ps = pos.map(|p| p[i..i + W].first_chunk::<W>().expect("W positions"));
        step(ids, xs, ps, W);
    }
    if full < n {
        let m = n - full;
        let mut ids_tail = [u8::MAX; W];
        let mut x_tail = [T::ZERO; W];
        let mut pos_tail = [0u32; W];
        ids_tail[..m].copy_from_slice(&ids[full..]);
        x_tail[..m].copy_from_slice(&x[full..]);
        if let Some(p) = pos {
            pos_tail[..m].copy_from_slice(&p[full..]);
        }
        step(&ids_tail, &x_tail, pos.map(|_| &pos_tail), m);
    }
}

/// Calls `step(ids, out)` on each `W` points of the combine in order, the
/// last ones through a padded copy (ids that match no group).
#[inline(always)]
fn walk_out<T: Float, const W: usize>(
    ids: &[u8],
    out: &mut [T],
    mut step: impl FnMut(&[u8; W], &mut [T; W]),
) {
    let full = ids.len() / W * W;
    let (body, tail) = out.split_at_mut(full);
    for (i, o) in body.as_chunks_mut::<W>().0.iter_mut().enumerate() {
        step(ids[i * W..].first_chunk::<W>().expect("W ids"), o);
    }
    if !tail.is_empty() {
        let m = tail.len();
        let mut ids_tail = [u8::MAX; W];
        let mut o = [T::ZERO; W];
        ids_tail[..m].copy_from_slice(&ids[full..]);
        step(&ids_tail, &mut o);
        tail.copy_from_slice(&o[..m]);
    }
}

/// Eight 8-byte lanes per step (`f64`), positions in a 256-bit register.
#[target_feature(enable = "avx512f,avx512bw,avx512vl,popcnt")]
fn partition8<T: Float>(
    ids: &[u8],
    groups: usize,
    starts: &[u32; MAX_GROUPS],
    x: &[T],
    buf: &mut [T],
    positions: Option<(&[u32], &mut [u32])>,
) {
    const W: usize = 8;
    let mut cursor = starts.map(|s| s as usize);
    let (pos_in, mut buf_pos) = match positions {
        Some((p, b)) => (Some(p), Some(b)),
        None => (None, None),
    };
    let step = |ids: &[u8; W], x: &[T; W], pos: Option<&[u32; W]>, valid: usize| {
        let idv = load_ids8(ids);
        let xv = load512(x);
        let pv = pos.map(|p| load_pos8(p));
        let lanes = (1u16 << valid) - 1;
        for (g, c) in cursor.iter_mut().enumerate().take(groups) {
            let mask = (_mm_cmpeq_epi8_mask(idv, _mm_set1_epi8(g as i8)) & lanes) as u8;
            store512(&mut buf[*c..*c + W], _mm512_maskz_compress_epi64(mask, xv));
            if let (Some(pv), Some(buf_pos)) = (pv, buf_pos.as_deref_mut()) {
                store_pos8(
                    &mut buf_pos[*c..*c + W],
                    _mm256_maskz_compress_epi32(mask, pv),
                );
            }
            *c += mask.count_ones() as usize;
        }
    };
    walk_in::<T, W>(ids, x, pos_in, step);
}

/// Sixteen 4-byte lanes per step (`f32`).
#[target_feature(enable = "avx512f,avx512bw,avx512vl,popcnt")]
fn partition4<T: Float>(
    ids: &[u8],
    groups: usize,
    starts: &[u32; MAX_GROUPS],
    x: &[T],
    buf: &mut [T],
    positions: Option<(&[u32], &mut [u32])>,
) {
    const W: usize = 16;
    let mut cursor = starts.map(|s| s as usize);
    let (pos_in, mut buf_pos) = match positions {
        Some((p, b)) => (Some(p), Some(b)),
        None => (None, None),
    };
    let step = |ids: &[u8; W], x: &[T; W], pos: Option<&[u32; W]>, valid: usize| {
        let idv = load_ids16(ids);
        let xv = load512(x);
        let pv = pos.map(|p| load_pos16(p));
        let lanes = ((1u32 << valid) - 1) as u16;
        for (g, c) in cursor.iter_mut().enumerate().take(groups) {
            let mask = _mm_cmpeq_epi8_mask(idv, _mm_set1_epi8(g as i8)) & lanes;
            store512(&mut buf[*c..*c + W], _mm512_maskz_compress_epi32(mask, xv));
            if let (Some(pv), Some(buf_pos)) = (pv, buf_pos.as_deref_mut()) {
                store_pos16(
                    &mut buf_pos[*c..*c + W],
                    _mm512_maskz_compress_epi32(mask, pv),
                );
            }
            *c += mask.count_ones() as usize;
        }
    };
    walk_in::<T, W>(ids, x, pos_in, step);
}

/// Eight 8-byte lanes per step (`f64`).
#[target_feature(enable = "avx512f,avx512bw,avx512vl,popcnt")]
fn combine8<T: Float>(
    ids: &[u8],
    groups: usize,
    starts: &[u32; MAX_GROUPS],
    buf: &[T],
    out: &mut [T],
) {
    const W: usize = 8;
    let mut cursor = starts.map(|s| s as usize);
    let step = |ids: &[u8; W], out: &mut [T; W]| {
        let idv = load_ids8(ids);
        let mut acc = _mm512_setzero_si512();
        for (g, c) in cursor.iter_mut().enumerate().take(groups) {
            let mask = _mm_cmpeq_epi8_mask(idv, _mm_set1_epi8(g as i8)) as u8;
            let v = load512(&buf[*c..*c + W]);
            // Lanes of other groups stay zero, so OR merges the groups.
            acc = _mm512_or_si512(acc, _mm512_maskz_expand_epi64(mask, v));
            *c += mask.count_ones() as usize;
        }
        store512(out, acc);
    };
    walk_out::<T, W>(ids, out, step);
}

/// Sixteen 4-byte lanes per step (`f32`).
#[target_feature(enable = "avx512f,avx512bw,avx512vl,popcnt")]
fn combine4<T: Float>(
    ids: &[u8],
    groups: usize,
    starts: &[u32; MAX_GROUPS],
    buf: &[T],
    out: &mut [T],
) {
    const W: usize = 16;
    let mut cursor = starts.map(|s| s as usize);
    let step = |ids: &[u8; W], out: &mut [T; W]| {
        let idv = load_ids16(ids);
        let mut acc = _mm512_setzero_si512();
        for (g, c) in cursor.iter_mut().enumerate().take(groups) {
            let mask = _mm_cmpeq_epi8_mask(idv, _mm_set1_epi8(g as i8));
            let v = load512(&buf[*c..*c + W]);
            acc = _mm512_or_si512(acc, _mm512_maskz_expand_epi32(mask, v));
            *c += mask.count_ones() as usize;
        }
        store512(out, acc);
    };
    walk_out::<T, W>(ids, out, step);
}
