//! Partitioning a tile into a few groups (at most [`MAX_GROUPS`]), and
//! putting the results back: the grouping passes of the bucket
//! strategies when a tile has few groups (few functions, or few types).
//!
//! Each point carries a group number `ids[p] < groups` (a `u8`, computed by
//! the caller into its own scratch). The passes:
//!
//! 1. **Histogram** of the ids, one count per group.
//! 2. **Partition.** Each group's values (and, for the by-type strategy,
//!    each point's position in its type group) go to the group's segment
//!    of a buffer, in point order. Segments are separated by
//!    [`SLACK`] spare values, so a full vector may be stored at a
//!    segment's cursor without reaching the next segment.
//! 3. The caller evaluates each segment.
//! 4. **Combine.** The ids are walked again in the same order with the same
//!    cursors, so each point finds its result where the partition put its
//!    value: no slot is stored per point.
//!
//! The passes run on one of three paths ([`GroupingPath`]), chosen once per
//! process from what the CPU offers, or forced through
//! [`Engine::grouping_path`](crate::Engine::grouping_path):
//! - **AVX-512** (`x86.rs`): ids compared a vector at a time; each group's
//!   values compressed into a register under the comparison's mask and
//!   stored with a plain store; the combine expands them back under the
//!   same masks.
//! - **AVX2** (`x86.rs`): the histogram by comparing 32 ids at a time; the
//!   partition and combine as the portable path.
//! - **Portable** (here): the tile is cut into [`HEADS`] quarters, each
//!   with its own cursors, walked in step: four independent chains of
//!   cursor updates instead of one, where consecutive points of one group
//!   would otherwise wait on each other's cursor.
//!
//! Every path puts each group's points in point order, so the segments
//! are the same on every path; and since only bits are moved, every path
//! gives the same results.

#[cfg(target_arch = "x86_64")]
mod x86;

use std::ops::Range;
use std::sync::OnceLock;

use crate::error::Error;
use crate::float::Float;

/// The most groups a tile is partitioned into on these paths.
pub(crate) const MAX_GROUPS: usize = 16;

/// Spare values after each segment: the widest vector a path stores (16
/// `f32` lanes), so a vector stored at a segment's cursor stays inside
/// that segment's room.
pub(super) const SLACK: usize = 16;

/// Independent cursors of the portable path.
const HEADS: usize = 4;

/// The instruction-set path of the grouping passes; see
/// [`Engine::grouping_path`](crate::Engine::grouping_path) and
/// [`SimdInfo::grouping_path`](crate::SimdInfo::grouping_path).
///
/// Every path gives the same results; only speed differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GroupingPath {
    /// Plain Rust, any CPU.
    Portable,
    /// x86-64 with AVX2 (and POPCNT).
    Avx2,
    /// x86-64 with AVX-512 F, BW and VL (and POPCNT).
    Avx512,
}

impl GroupingPath {
    /// The fastest path this CPU offers, detected once per process.
    ///
    /// # Examples
    /// ```
    /// use splitapply::GroupingPath;
    /// let path = GroupingPath::detected();
    /// assert!(path.is_available());
    /// assert!(GroupingPath::available().contains(&path));
    /// ```
    pub fn detected() -> GroupingPath {
        static DETECTED: OnceLock<GroupingPath> = OnceLock::new();
        *DETECTED.get_or_init(|| {
            [GroupingPath::Avx512, GroupingPath::Avx2]
                .into_iter()
                .find(|p| p.is_available())
                .unwrap_or(GroupingPath::Portable)
        })
    }

    /// Whether this CPU can run the path.
    pub fn is_available(self) -> bool {
        match self {
            GroupingPath::Portable => true,
            #[cfg(target_arch = "x86_64")]
            GroupingPath::Avx2 => x86::has_avx2(),
            #[cfg(target_arch = "x86_64")]
            GroupingPath::Avx512 => x86::has_avx512(),
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// Every path this CPU can run, the portable one first.
    pub fn available() -> Vec<GroupingPath> {
        [
            GroupingPath::Portable,
            GroupingPath::Avx2,
            GroupingPath::Avx512,
        ]
        .into_iter()
        .filter(|p| p.is_available())
        .collect()
    }

    /// `Ok(self)` when the CPU can run it.
    pub(crate) fn checked(self) -> Result<GroupingPath, Error> {
        if self.is_available() {
            Ok(self)
        } else {
            Err(Error::GroupingPathUnavailable { path: self })
        }
    }
}

/// Where the partition put each group's points: group `g`'s segment is
/// `start[g]..end[g]` of the buffer; head `h`'s points of group `g` start at
/// `head_start[h][g]` (the portable path's quarters; other paths use head
/// 0 only).
#[derive(Debug, Clone)]
pub(super) struct Segments {
    path: GroupingPath,
    groups: usize,
    start: [u32; MAX_GROUPS],
    end: [u32; MAX_GROUPS],
    head_start: [[u32; MAX_GROUPS]; HEADS],
}

impl Segments {
    /// Visits the non-empty segments as `(group, range in the buffer)`.
    pub(super) fn each(&self, mut visit: impl FnMut(usize, Range<usize>)) {
        for g in 0..self.groups {
            let (s, e) = (self.start[g] as usize, self.end[g] as usize);
            if e > s {
                visit(g, s..e);
            }
        }
    }
}

/// The buffer length a partition of `n` points into `groups` groups needs.
pub(super) fn buffer_len(n: usize, groups: usize) -> usize {
    n + SLACK * groups.max(1)
}

/// Partitions `x` by `ids` (each below `groups`, at most [`MAX_GROUPS`])
/// into `buf` (at least [`buffer_len`] long) and, when given, `positions`
/// into `buf_positions` (as long as `buf`) alongside.
///
/// # Panics
/// If a length is off, or an id is not below `groups`.
pub(super) fn partition<T: Float>(
    path: GroupingPath,
    ids: &[u8],
    groups: usize,
    x: &[T],
    buf: &mut [T],
    positions: Option<(&[u32], &mut [u32])>,
) -> Segments {
    let n = ids.len();
    assert!(groups <= MAX_GROUPS && x.len() == n && buf.len() >= buffer_len(n, groups));
    if let Some((p, bp)) = &positions {
        assert!(p.len() == n && bp.len() >= buf.len());
    }
    let segments = match path {
        #[cfg(target_arch = "x86_64")]
        GroupingPath::Avx512 if x86::has_avx512() => {
            let counts = x86::histogram_avx512(ids, groups);
            let segments = layout(
                path,
                groups,
                [counts, [0; MAX_GROUPS], [0; MAX_GROUPS], [0; MAX_GROUPS]],
            );
            x86::partition_avx512(ids, groups, &segments.start, x, buf, positions);
            return segments;
        }
        #[cfg(target_arch = "x86_64")]
        GroupingPath::Avx2 if x86::has_avx2() => {
            layout(path, groups, x86::histogram_heads_avx2(ids, groups))
        }
        _ => layout(GroupingPath::Portable, groups, histogram_heads(ids, groups)),
    };
    scatter_heads(ids, &segments, x, buf, positions);
    segments
}

/// Puts each point's result back: `out[p]` is the value at the slot the
/// partition gave point `p`. `ids` and `segments` must be those of the
/// partition.
pub(super) fn combine<T: Float>(ids: &[u8], segments: &Segments, buf: &[T], out: &mut [T]) {
    assert_eq!(ids.len(), out.len());
    match segments.path {
        #[cfg(target_arch = "x86_64")]
        GroupingPath::Avx512 if x86::has_avx512() => {
            x86::combine_avx512(ids, segments.groups, &segments.start, buf, out)
        }
        _ => gather_heads(ids, segments, buf, out),
    }
}

/// Segment starts from per-head counts: each group's segment holds its
/// heads' points in head order, then [`SLACK`] spare values.
fn layout(path: GroupingPath, groups: usize, counts: [[u32; MAX_GROUPS]; HEADS]) -> Segments {
    let mut segments = Segments {
        path,
        groups,
        start: [0; MAX_GROUPS],
        end: [0; MAX_GROUPS],
        head_start: [[0; MAX_GROUPS]; HEADS],
    };
    let mut at = 0u32;
    for g in 0..groups {
        segments.start[g] = at;
        for (head_start, head_counts) in segments.head_start.iter_mut().zip(&counts) {
            head_start[g] = at;
            at += head_counts[g];
        }
        segments.end[g] = at;
        at += SLACK as u32;
    }
    segments
}

/// The quarters of `n` points walked in step: head `h` covers
/// `h * q .. (h + 1) * q`, and the last head also the `n - 4q` points after.
fn quarter(n: usize) -> usize {
    n / HEADS
}

/// `s` cut into the heads' parts (see [`quarter`]).
fn heads<S>(s: &[S], q: usize) -> [&[S]; HEADS] {
    let (a, rest) = s.split_at(q);
    let (b, rest) = rest.split_at(q);
    let (c, d) = rest.split_at(q);
    [a, b, c, d]
}

/// `s` cut into the heads' parts, mutably.
fn heads_mut<S>(s: &mut [S], q: usize) -> [&mut [S]; HEADS] {
    let (a, rest) = s.split_at_mut(q);
    let (b, rest) = rest.split_at_mut(q);
    let (c, d) = rest.split_at_mut(q);
    [a, b, c, d]
}

/// Per-head counts of the ids, four count tables updated in step.
#[inline(always)]
pub(super) fn histogram_heads(ids: &[u8], groups: usize) -> [[u32; MAX_GROUPS]; HEADS] {
    let q = quarter(ids.len());
    let mut counts = [[0u32; MAX_GROUPS]; HEADS];
    let [i0, i1, i2, i3] = heads(ids, q);
    for (((&a, &b), &c), &d) in i0.iter().zip(i1).zip(i2).zip(i3) {
        counts[0][usize::from(a) % MAX_GROUPS] += 1;
        counts[1][usize::from(b) % MAX_GROUPS] += 1;
        counts[2][usize::from(c) % MAX_GROUPS] += 1;
        counts[3][usize::from(d) % MAX_GROUPS] += 1;
    }
    for &g in &i3[q..] {
        counts[3][usize::from(g) % MAX_GROUPS] += 1;
    }
    debug_assert!(counts.iter().all(|t| t[groups..].iter().all(|&c| c == 0)));
    counts
}

/// Hands out the next slot of `id`'s segment from `cursor`.
#[inline(always)]
fn next_slot(cursor: &mut [u32; MAX_GROUPS], id: u8) -> usize {
    let c = &mut cursor[usize::from(id) % MAX_GROUPS];
    let slot = *c as usize;
    *c += 1;
    slot
}

/// The portable partition: each head's cursors walk its quarter, the
/// four in step.
#[inline(always)]
fn scatter_heads<T: Float>(
    ids: &[u8],
    segments: &Segments,
    x: &[T],
    buf: &mut [T],
    positions: Option<(&[u32], &mut [u32])>,
) {
    let q = quarter(ids.len());
    let [c0, c1, c2, c3] = &mut segments.head_start.clone();
    let [i0, i1, i2, i3] = heads(ids, q);
    let [x0, x1, x2, x3] = heads(x, q);
    match positions {
        None => {
            let ids = i0.iter().zip(i1).zip(i2).zip(i3);
            let xs = x0.iter().zip(x1).zip(x2).zip(x3);
            for ((((&a, &b), &c), &d), (((&xa, &xb), &xc), &xd)) in ids.zip(xs) {
                buf[next_slot(c0, a)] = xa;
                buf[next_slot(c1, b)] = xb;
                buf[next_slot(c2, c)] = xc;
                buf[next_slot(c3, d)] = xd;
            }
            for (&d, &xd) in i3[q..].iter().zip(&x3[q..]) {
                buf[next_slot(c3, d)] = xd;
            }
        }
        Some((pos, buf_pos)) => {
            let [p0, p1, p2, p3] = heads(pos, q);
            let mut place = |cursor: &mut [u32; MAX_GROUPS], id: u8, v: T, p: u32| {
                let slot = next_slot(cursor, id);
                buf[slot] = v;
                buf_pos[slot] = p;
            };
            let ids = i0.iter().zip(i1).zip(i2).zip(i3);
            let xs = x0.iter().zip(x1).zip(x2).zip(x3);
            let ps = p0.iter().zip(p1).zip(p2).zip(p3);
            for (((((&a, &b), &c), &d), (((&xa, &xb), &xc), &xd)), (((&pa, &pb), &pc), &pd)) in
                ids.zip(xs).zip(ps)
            {
                place(c0, a, xa, pa);
                place(c1, b, xb, pb);
                place(c2, c, xc, pc);
                place(c3, d, xd, pd);
            }
            for ((&d, &xd), &pd) in i3[q..].iter().zip(&x3[q..]).zip(&p3[q..]) {
                place(c3, d, xd, pd);
            }
        }
    }
}

/// The portable combine: the same walk as [`scatter_heads`], reading.
fn gather_heads<T: Float>(ids: &[u8], segments: &Segments, buf: &[T], out: &mut [T]) {
    let q = quarter(ids.len());
    let [c0, c1, c2, c3] = &mut segments.head_start.clone();
    let [i0, i1, i2, i3] = heads(ids, q);
    let [o0, o1, o2, o3] = heads_mut(out, q);
    let ids = i0.iter().zip(i1).zip(i2).zip(i3.iter());
    let outs = o0
        .iter_mut()
        .zip(o1.iter_mut())
        .zip(o2.iter_mut())
        .zip(o3.iter_mut());
    for ((((&a, &b), &c), &d), (((oa, ob), oc), od)) in ids.zip(outs) {
        *oa = buf[next_slot(c0, a)];
        *ob = buf[next_slot(c1, b)];
        *oc = buf[next_slot(c2, c)];
        *od = buf[next_slot(c3, d)];
    }
    for (&d, od) in i3[q..].iter().zip(&mut o3[q..]) {
        *od = buf[next_slot(c3, d)];
    }
}

#[cfg(test)]
mod tests {
    //! Every path on the same inputs, against a plain stable partition;
    //! the portable path also runs under Miri.

    use super::*;

    fn ids(n: usize, groups: usize, seed: u64) -> Vec<u8> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((s >> 33) % groups as u64) as u8
            })
            .collect()
    }

    fn check<T: Float>(path: GroupingPath, n: usize, groups: usize, with_positions: bool) {
        let ids = ids(n, groups, (n * 31 + groups) as u64);
        let x: Vec<T> = (0..n).map(|i| T::from_f64(i as f64 + 0.5)).collect();
        let pos: Vec<u32> = (0..n as u32).map(|i| i * 7).collect();
        let len = buffer_len(n, groups);
        let mut buf = vec![T::from_f64(-1.0); len];
        let mut buf_pos = vec![u32::MAX; len];
        let positions = with_positions.then(|| (&pos[..], &mut buf_pos[..]));
        let segments = partition(path, &ids, groups, &x, &mut buf, positions);
        // Each segment holds its group's points in point order.
        let mut seen = 0;
        for g in 0..groups {
            let want: Vec<usize> = (0..n).filter(|&p| usize::from(ids[p]) == g).collect();
            let (s, e) = (segments.start[g] as usize, segments.end[g] as usize);
            assert_eq!(e - s, want.len(), "{path:?} n={n} groups={groups} g={g}");
            for (slot, &p) in (s..e).zip(&want) {
                assert_eq!(
                    buf[slot].to_bits_u64(),
                    x[p].to_bits_u64(),
                    "{path:?} g={g} p={p}"
                );
                if with_positions {
                    assert_eq!(buf_pos[slot], pos[p], "{path:?} g={g} p={p}");
                }
            }
            seen += want.len();
        }
        assert_eq!(seen, n);
        // "Evaluate" each segment, then combine.
        for v in buf.iter_mut() {
            *v = T::from_f64(v.to_f64() * 2.0);
        }
        let mut out = vec![T::from_f64(f64::NAN); n];
        combine(&ids, &segments, &buf, &mut out);
        for (p, o) in out.iter().enumerate() {
            assert_eq!(o.to_f64(), (p as f64 + 0.5) * 2.0, "{path:?} n={n} p={p}");
        }
    }

    #[test]
    fn every_path_partitions_and_combines_exactly() {
        let sizes: &[usize] = if cfg!(miri) {
            &[0, 1, 7, 9, 33]
        } else {
            &[
                0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 63, 64, 65, 127, 129, 1000, 4099,
            ]
        };
        for path in GroupingPath::available() {
            for &n in sizes {
                for groups in [1, 2, 3, 4, 5, 8, 16] {
                    check::<f64>(path, n, groups, false);
                    check::<f32>(path, n, groups, false);
                    check::<f64>(path, n, groups, true);
                    check::<f32>(path, n, groups, true);
                }
            }
        }
    }
}
