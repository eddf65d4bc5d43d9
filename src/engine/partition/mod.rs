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
//! - **AVX-512** (`x86.rs`), for at most four groups: ids compared a
//!   vector at a time; each group's values compressed into a register
//!   under the comparison's mask and stored with a plain store; the
//!   combine expands them back under the same masks. (A compress per
//!   group per vector: with more groups the per-point scatter below is
//!   cheaper, and this path takes it.)
//! - **AVX2** (`x86.rs`): the histogram by comparing 32 ids at a time; the
//!   partition and combine as the portable path.
//! - **Portable** (`portable.rs`): the tile is cut into four quarters, each
//!   with its own cursors, walked in step: four independent chains of
//!   cursor updates instead of one, where consecutive points of one group
//!   would otherwise wait on each other's cursor.
//!
//! Every path puts each group's points in point order, so the segments
//! are the same on every path; and since only bits are moved, every path
//! gives the same results.

mod layout;
mod portable;
#[cfg(target_arch = "x86_64")]
mod x86;

pub(super) use layout::{MAX_GROUPS, Segments, buffer_len};

/// The AVX-512 path compresses and expands each group's lanes of every
/// vector: one compress (and one expand) per group per vector, so it pays
/// for a few groups only; beyond, it takes the per-point scatter (with the
/// vector histogram), like the AVX2 path.
const COMPRESS_MAX_GROUPS: usize = 4;

use crate::float::Float;
use crate::grouping_path::GroupingPath;
#[cfg(target_arch = "x86_64")]
use crate::grouping_path::{has_avx2, has_avx512};
use layout::layout;
use portable::{gather_heads, histogram_heads, scatter_heads};

/// Partitions `x` by `ids` (each below `groups`, at most [`MAX_GROUPS`])
/// into `buf` (at least [`buffer_len`] long) and, when given, `positions`
/// into `buf_positions` (as long as `buf`) alongside.
///
/// # Panics
/// If a length is off. An id not below `groups` gives wrong values or a
/// panic, never an access out of bounds: memory is reached by id only
/// through checked indexing.
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
        GroupingPath::Avx512 if has_avx512() && groups <= COMPRESS_MAX_GROUPS => {
            let counts = x86::histogram_avx512(ids, groups);
            let mut segments = layout(
                path,
                groups,
                [counts, [0; MAX_GROUPS], [0; MAX_GROUPS], [0; MAX_GROUPS]],
            );
            segments.compressed = true;
            x86::partition_avx512(ids, groups, &segments.start, x, buf, positions);
            return segments;
        }
        #[cfg(target_arch = "x86_64")]
        GroupingPath::Avx2 | GroupingPath::Avx512 if has_avx2() => {
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
        GroupingPath::Avx512 if segments.compressed && has_avx512() => {
            x86::combine_avx512(ids, segments.groups, &segments.start, buf, out)
        }
        _ => gather_heads(ids, segments, buf, out),
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
