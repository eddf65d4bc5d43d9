//! The layout the partition paths share: how many groups, the spare
//! values between segments, the portable path's heads, and where each
//! group's segment (and each head's part of it) lies.

use std::ops::Range;

use crate::grouping_path::GroupingPath;

/// The most groups a tile is partitioned into on these paths.
pub(crate) const MAX_GROUPS: usize = 16;

/// Spare values after each segment: the widest vector a path stores (16
/// `f32` lanes), so a vector stored at a segment's cursor stays inside
/// that segment's room.
pub(super) const SLACK: usize = 16;

/// Independent cursors of the portable path.
pub(super) const HEADS: usize = 4;

/// Where the partition put each group's points: group `g`'s segment is
/// `start[g]..end[g]` of the buffer; head `h`'s points of group `g` start at
/// `head_start[h][g]` (the portable path's quarters; other paths use head
/// 0 only).
#[derive(Debug, Clone)]
pub(crate) struct Segments {
    pub(super) path: GroupingPath,
    /// Whether the compress pass placed the points (else the heads).
    pub(super) compressed: bool,
    pub(super) groups: usize,
    pub(super) start: [u32; MAX_GROUPS],
    pub(super) end: [u32; MAX_GROUPS],
    pub(super) head_start: [[u32; MAX_GROUPS]; HEADS],
}

impl Segments {
    /// Visits the non-empty segments as `(group, range in the buffer)`.
    pub(crate) fn each(&self, mut visit: impl FnMut(usize, Range<usize>)) {
        for g in 0..self.groups {
            let (s, e) = (self.start[g] as usize, self.end[g] as usize);
            if e > s {
                visit(g, s..e);
            }
        }
    }
}

/// The buffer length a partition of `n` points into `groups` groups needs.
pub(crate) fn buffer_len(n: usize, groups: usize) -> usize {
    n + SLACK * groups.max(1)
}

/// Segment starts from per-head counts: each group's segment holds its
/// heads' points in head order, then [`SLACK`] spare values.
pub(super) fn layout(
    path: GroupingPath,
    groups: usize,
    counts: [[u32; MAX_GROUPS]; HEADS],
) -> Segments {
    let mut segments = Segments {
        path,
        compressed: false,
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
pub(super) fn quarter(n: usize) -> usize {
    n / HEADS
}

/// `s` cut into the heads' parts (see [`quarter`]).
pub(super) fn heads<S>(s: &[S], q: usize) -> [&[S]; HEADS] {
    let (a, rest) = s.split_at(q);
    let (b, rest) = rest.split_at(q);
    let (c, d) = rest.split_at(q);
    [a, b, c, d]
}

/// `s` cut into the heads' parts, mutably.
pub(super) fn heads_mut<S>(s: &mut [S], q: usize) -> [&mut [S]; HEADS] {
    let (a, rest) = s.split_at_mut(q);
    let (b, rest) = rest.split_at_mut(q);
    let (c, d) = rest.split_at_mut(q);
    [a, b, c, d]
}
