//! [`Groups`]: the points of chosen functions, one contiguous group per
//! function, for functions that must see all of their points at once.
//!
//! A [`Plan`] already knows, tile by tile, which points each function has
//! (its segments) and where each point sits in its tile's grouped buffer
//! (`dest`). A function that is not a [`Kernel`](crate::Kernel) (a Python
//! callable, a batch API behind a lock) wants one call over *all* of its
//! points, so its segments of every tile are laid end to end:
//!
//! ```text
//! groups (once per selection, serial, O(segments + k)):
//!     count[j]   = points of selected function j, over all tiles
//!     offset     = exclusive prefix sum of count          (group j: offset[j]..offset[j+1])
//!     seg_at[s]  = where segment s starts in its group    (tiles in order, so points stay in order)
//!     order      = the selected segments sorted by seg_at (a counting sort by function)
//! gather (parallel over tiles):
//!     buf = the tile's points grouped by function (buf[dest[p]] = x[p])
//!     copy each selected segment of buf to grouped[seg_at[s]..]
//! apply_into (parallel over tiles):
//!     buf = the tile's points grouped by function
//!     selected segment: copy its results from results[seg_at[s]..]
//!     any other:        the table's kernel, in place, as Plan::apply_into does
//!     out[p] = buf[dest[p]]
//! ```
//!
//! Gather hands each tile the destinations of its own segments as disjoint
//! `&mut` slices, cut from `grouped` in group order (`order`), so the
//! parallel copy needs no `unsafe`. Everything is read from the plan, which
//! was validated when it was built: nothing here depends on the caller's
//! index array any more.

use std::ops::Range;

use rayon::prelude::*;

use super::grouping::{combine, gather_by_slots};
use super::plan::{Plan, check_planned};
use super::tiles::for_each_tile;
use crate::error::Error;
use crate::float::Float;
use crate::table::FuncTable;

/// `seg_at` of a segment whose function is not selected.
const NOT_SELECTED: usize = usize::MAX;

/// The points of some of a plan's functions, each function's points
/// contiguous and in their original order; built by [`Plan::groups`].
///
/// Function `j`'s points occupy [`Groups::range`]`(j)` of a grouped buffer
/// of [`Groups::len`] values. [`Groups::gather`] fills such a buffer from
/// `x`; the caller evaluates each group however it likes (once per
/// function, over all of its points) into a results buffer of the same
/// layout; [`Groups::apply_into`] then writes `out`, taking the selected
/// functions' values from the results and running the table's kernels for
/// every other function.
pub struct Groups<'p> {
    plan: &'p Plan,
    /// Group `j` is `offsets[j]..offsets[j + 1]` (empty when `j` is not
    /// selected or has no points).
    offsets: Vec<usize>,
    /// For each segment of the plan (tiles in order), its start in the
    /// grouped buffer, or [`NOT_SELECTED`].
    seg_at: Vec<usize>,
    /// The selected segments in the order of their `seg_at`.
    order: Vec<usize>,
}

impl Plan {
    /// Collects the points of the functions for which `selected(j)` is
    /// true into groups, one per function (see [`Groups`]).
    ///
    /// `selected` is asked once for each `j` in `0..k`. Serial; O(number of
    /// segments + `k`), where a plan has at most one segment per point.
    ///
    /// # Examples
    ///
    /// One function evaluated outside the table (here a closure over its
    /// whole group at once), the others by the table's kernels:
    ///
    /// ```
    /// use splitapply::{FuncTable, Plan};
    /// use splitapply::kernels::{Affine, Exp};
    ///
    /// let mut table = FuncTable::<f64>::new();
    /// table.push(Affine::new(2.0, 0.0)); // 0: 2x
    /// table.push(Exp::new());            // 1: placeholder, never run
    /// let idx = [1u8, 0, 1, 1, 0];
    /// let x = [1.0, 2.0, 3.0, 4.0, 5.0];
    ///
    /// let plan = Plan::new(&idx, table.len())?;
    /// let groups = plan.groups(|j| j == 1);
    /// assert_eq!(groups.range(1), 0..3);
    /// assert_eq!(groups.range(0), 0..0); // not selected
    ///
    /// let mut grouped = vec![0.0; groups.len()];
    /// groups.gather(&x, &mut grouped)?;
    /// assert_eq!(grouped, [1.0, 3.0, 4.0]); // function 1's points, in order
    ///
    /// // One call over the whole group: subtract the group's mean.
    /// let mean = grouped.iter().sum::<f64>() / grouped.len() as f64;
    /// let results: Vec<f64> = grouped.iter().map(|v| v - mean).collect();
    ///
    /// let mut out = [0.0; 5];
    /// groups.apply_into(&table, &x, &results, &mut out)?;
    /// assert_eq!(out, [1.0 - mean, 4.0, 3.0 - mean, 4.0 - mean, 10.0]);
    /// # Ok::<(), splitapply::Error>(())
    /// ```
    pub fn groups(&self, selected: impl Fn(usize) -> bool) -> Groups<'_> {
        let selected: Vec<bool> = (0..self.k).map(selected).collect();
        let segments = self.seg_func.len();
        // Points and segments of each selected function.
        let mut points = vec![0usize; self.k];
        let mut segs = vec![0usize; self.k];
        for (&j, &len_m1) in self.seg_func.iter().zip(&self.seg_len_m1) {
            let j = j as usize;
            if selected[j] {
                points[j] += len_m1 as usize + 1;
                segs[j] += 1;
            }
        }
        let offsets = exclusive_prefix_sum(&points);
        let seg_offsets = exclusive_prefix_sum(&segs);
        // Tiles in order: each function's segments land in its group in
        // the order of their points.
        let mut next_point = offsets[..self.k].to_vec();
        let mut next_seg = seg_offsets[..self.k].to_vec();
        let mut seg_at = vec![NOT_SELECTED; segments];
        let mut order = vec![0usize; seg_offsets[self.k]];
        for (s, (&j, &len_m1)) in self.seg_func.iter().zip(&self.seg_len_m1).enumerate() {
            let j = j as usize;
            if selected[j] {
                seg_at[s] = next_point[j];
                next_point[j] += len_m1 as usize + 1;
                order[next_seg[j]] = s;
                next_seg[j] += 1;
            }
        }
        Groups {
            plan: self,
            offsets,
            seg_at,
            order,
        }
    }
}

impl Plan {
    /// The length of segment `s` (segments of all tiles, in order).
    fn seg_len(&self, s: usize) -> usize {
        self.seg_len_m1[s] as usize + 1
    }

    /// The segments of tile `t`.
    fn tile_segments(&self, t: usize) -> Range<usize> {
        self.seg_start[t]..self.seg_start[t + 1]
    }
}

/// `[0, v0, v0 + v1, ...]`, one longer than `values`.
fn exclusive_prefix_sum(values: &[usize]) -> Vec<usize> {
    let mut sums = Vec::with_capacity(values.len() + 1);
    let mut total = 0;
    sums.push(0);
    for &v in values {
        total += v;
        sums.push(total);
    }
    sums
}

impl<'p> Groups<'p> {
    /// The number of grouped points: the points of every selected function.
    pub fn len(&self) -> usize {
        self.offsets[self.offsets.len() - 1]
    }

    /// True when no selected function has a point.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Where function `j`'s points are in the grouped buffer: empty when
    /// `j` was not selected, has no points, or is not below `k`.
    pub fn range(&self, j: usize) -> Range<usize> {
        match (self.offsets.get(j), self.offsets.get(j + 1)) {
            (Some(&start), Some(&end)) => start..end,
            _ => 0..0,
        }
    }

    /// The selected functions that have points, in increasing order, each
    /// with its [`range`](Groups::range).
    pub fn iter(&self) -> impl Iterator<Item = (usize, Range<usize>)> + '_ {
        self.offsets
            .windows(2)
            .enumerate()
            .filter(|(_, w)| w[1] > w[0])
            .map(|(j, w)| (j, w[0]..w[1]))
    }

    /// The plan the groups were built from.
    pub fn plan(&self) -> &'p Plan {
        self.plan
    }

    /// Heap bytes held (besides the plan's).
    pub fn memory_bytes(&self) -> usize {
        (self.offsets.len() + self.seg_at.len() + self.order.len()) * std::mem::size_of::<usize>()
    }

    /// Copies the points of every selected function from `x` into
    /// `grouped`: function `j`'s points, in their order in `x`, fill
    /// [`range`](Groups::range)`(j)`. Parallel over tiles on the current
    /// rayon pool.
    ///
    /// # Errors
    /// [`Error::PlanMismatch`] when `x` does not have the planned length,
    /// [`Error::LengthMismatch`] when `grouped` does not have
    /// [`len`](Groups::len) values; nothing is written then.
    pub fn gather<T: Float>(&self, x: &[T], grouped: &mut [T]) -> Result<(), Error> {
        if grouped.len() != self.len() {
            check_planned("x length", self.plan.len, x.len())?;
            return Err(Error::LengthMismatch {
                what: "grouped",
                expected: self.len(),
                actual: grouped.len(),
            });
        }
        let mut buffers = Vec::new();
        let mut rest = grouped;
        for (_, range) in self.iter() {
            let (head, tail) = std::mem::take(&mut rest).split_at_mut(range.len());
            buffers.push(head);
            rest = tail;
        }
        self.gather_each(x, &mut buffers)
    }

    /// [`gather`](Groups::gather) into a buffer of its own for each
    /// function that [`iter`](Groups::iter) lists, in that order, each as
    /// long as the function's group.
    ///
    /// # Errors
    /// [`Error::PlanMismatch`] when `x` does not have the planned length,
    /// [`Error::LengthMismatch`] when there are not as many buffers as
    /// listed functions or a buffer has another length than its group;
    /// nothing is written then.
    pub fn gather_each<T: Float>(&self, x: &[T], buffers: &mut [&mut [T]]) -> Result<(), Error> {
        let plan = self.plan;
        check_planned("x length", plan.len, x.len())?;
        let listed = self.iter().count();
        if buffers.len() != listed {
            return Err(Error::LengthMismatch {
                what: "buffers",
                expected: listed,
                actual: buffers.len(),
            });
        }
        for ((_, range), buffer) in self.iter().zip(buffers.iter()) {
            if buffer.len() != range.len() {
                return Err(Error::LengthMismatch {
                    what: "buffer",
                    expected: range.len(),
                    actual: buffer.len(),
                });
            }
        }
        if self.is_empty() {
            return Ok(());
        }
        // Each selected segment's destination, cut from its function's
        // buffer in group order (the functions in increasing order, as
        // `iter` lists them) and filed under the segment's number.
        let mut destinations: Vec<Option<&mut [T]>> = Vec::new();
        destinations.resize_with(self.seg_at.len(), || None);
        let mut buffers = buffers.iter_mut();
        let mut rest: &mut [T] = &mut [];
        for &s in &self.order {
            if rest.is_empty() {
                rest = buffers.next().expect("a buffer for each listed function");
            }
            let (head, tail) = std::mem::take(&mut rest).split_at_mut(plan.seg_len(s));
            destinations[s] = Some(head);
            rest = tail;
        }
        // ... then handed to the tiles, each its own segments' slice.
        let mut per_tile = Vec::with_capacity(plan.seg_start.len().saturating_sub(1));
        let mut remaining = destinations.as_mut_slice();
        for w in plan.seg_start.windows(2) {
            let (head, tail) = std::mem::take(&mut remaining).split_at_mut(w[1] - w[0]);
            per_tile.push(head);
            remaining = tail;
        }
        let tile = plan.tile_len;
        x.par_chunks(tile)
            .zip(plan.dest.par_chunks(tile))
            .zip(per_tile)
            .enumerate()
            .filter(|(_, (_, segments))| segments.iter().any(Option::is_some))
            .for_each_init(
                || vec![T::ZERO; tile],
                |buf, (t, ((x, dest), segments))| {
                    let buf = &mut buf[..dest.len()];
                    gather_by_slots(dest, x, buf);
                    let mut start = 0;
                    for (s, destination) in plan.tile_segments(t).zip(segments.iter_mut()) {
                        let end = start + plan.seg_len(s);
                        if let Some(destination) = destination {
                            destination.copy_from_slice(&buf[start..end]);
                        }
                        start = end;
                    }
                },
            );
        Ok(())
    }

    /// Writes `out[i] = f[idx[i]](x[i])` for the planned `idx`, where each
    /// selected function's values come from `results` (laid out as
    /// [`gather`](Groups::gather) lays out the points) and every other
    /// function is the table's kernel, evaluated as
    /// [`Plan::apply_into`] evaluates it (the same bits). The table's
    /// entries of the selected functions are never called.
    ///
    /// # Errors
    /// [`Error::PlanMismatch`] when the table, `x` or `out` do not have the
    /// planned lengths; [`Error::LengthMismatch`] when `results` does not
    /// have [`len`](Groups::len) values. Nothing is written then.
    pub fn apply_into<T: Float>(
        &self,
        table: &FuncTable<T>,
        x: &[T],
        results: &[T],
        out: &mut [T],
    ) -> Result<(), Error> {
        if results.len() != self.len() {
            return Err(Error::LengthMismatch {
                what: "results",
                expected: self.len(),
                actual: results.len(),
            });
        }
        self.apply_into_each(table, x, |j| &results[self.range(j)], out)
    }

    /// [`apply_into`](Groups::apply_into) with each selected function's
    /// values in a slice of its own: `results(j)`, as long as
    /// [`range`](Groups::range)`(j)`, for every function that
    /// [`iter`](Groups::iter) lists (and only for those).
    ///
    /// # Errors
    /// As [`apply_into`](Groups::apply_into), and
    /// [`Error::LengthMismatch`] when a function's results have another
    /// length than its group. Nothing is written then.
    pub fn apply_into_each<'r, T: Float>(
        &self,
        table: &FuncTable<T>,
        x: &[T],
        results: impl Fn(usize) -> &'r [T] + Sync,
        out: &mut [T],
    ) -> Result<(), Error> {
        let plan = self.plan;
        check_planned("table length", plan.k, table.len())?;
        check_planned("x length", plan.len, x.len())?;
        check_planned("out length", plan.len, out.len())?;
        for (j, range) in self.iter() {
            let actual = results(j).len();
            if actual != range.len() {
                return Err(Error::LengthMismatch {
                    what: "results",
                    expected: range.len(),
                    actual,
                });
            }
        }
        let kernels = table.functions();
        for_each_tile(
            plan.tile_len,
            &plan.dest,
            x,
            out,
            || vec![T::ZERO; plan.tile_len],
            |buf, t, dest, x, out| {
                let buf = &mut buf[..dest.len()];
                // A tile of selected functions only takes no point from x.
                let segments = plan.tile_segments(t);
                if self.seg_at[segments.clone()].contains(&NOT_SELECTED) {
                    gather_by_slots(dest, x, buf);
                }
                let mut start = 0;
                for s in segments {
                    let len = plan.seg_len(s);
                    let segment = &mut buf[start..start + len];
                    let j = plan.seg_func[s] as usize;
                    match self.seg_at[s] {
                        NOT_SELECTED => kernels.eval_in_place(j, segment),
                        at => {
                            let from = at - self.offsets[j];
                            segment.copy_from_slice(&results(j)[from..from + len]);
                        }
                    }
                    start += len;
                }
                combine(dest, buf, out);
            },
        );
        Ok(())
    }
}

impl std::fmt::Debug for Groups<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Groups")
            .field("points", &self.len())
            .field("functions", &self.iter().count())
            .finish()
    }
}

#[cfg(test)]
mod tests;
