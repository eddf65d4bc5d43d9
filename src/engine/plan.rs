//! [`Plan`]: validate and bucket an index array once, apply it many times.
//!
//! A plan stores, for each point, where it goes in its tile's grouped buffer
//! (`dest`, a `u16`, so tiles are at most 65,536 points), and per tile the
//! list of non-empty segments (function number as `u32`, length minus one as
//! `u16`). That is 2 bytes per point plus 6 bytes per segment, and a tile
//! never has more segments than points, so a plan takes at most 8 bytes per
//! point whatever `k` is. Applying it skips validation and the histogram:
//! `buf[dest[p]] = x[p]`, one kernel call per stored segment, then
//! `out[p] = buf[dest[p]]`. Both passes walk `x`, `dest` and `out` in order;
//! only the accesses to `buf` (in cache) are random.

use rayon::prelude::*;

use super::grouping::{Grouping, Slot, combine, gather_by_slots};
use super::tiles::{for_each_tile, tile_len_for};
use crate::alloc;
use crate::error::Error;
use crate::float::Float;
use crate::index::{self, Index};
use crate::table::FuncTable;

/// The largest tile a plan can describe with `u16` slots.
const MAX_PLAN_TILE: usize = <u16 as Slot>::MAX_SLOT + 1;

/// A validated, pre-bucketed index array for a table of `k` functions.
///
/// A plan saves the bucketing, so it pays for tables the engine buckets.
/// Tables the engine evaluates without bucketing (one kernel family such as
/// all `Affine`, closures of one type, one or two parameterless kernel
/// types; see
/// [`Strategy`](crate::Strategy)) run faster through
/// [`Engine::apply_into`](crate::Engine::apply_into) than through a plan,
/// which always applies its stored grouping.
///
/// # Examples
///
/// ```
/// use splitapply::{FuncTable, Plan};
/// use splitapply::kernels::{Affine, Sqrt};
///
/// let mut table = FuncTable::<f64>::new();
/// table.push(Sqrt::new());
/// table.push(Affine::new(10.0, 0.0));
/// let idx = vec![1i64, 0, 1];
/// let plan = Plan::new(&idx, table.len())?;
///
/// let mut out = vec![0.0; 3];
/// for step in 1..=3 {
///     let x = vec![4.0 * step as f64; 3];
///     plan.apply_into(&table, &x, &mut out)?;
///     assert_eq!(out[0], 40.0 * step as f64);
/// }
/// assert!(Plan::new(&[0u32, 2], 2).is_err()); // index 2 is out of range
/// # Ok::<(), splitapply::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Plan {
    pub(super) len: usize,
    pub(super) k: usize,
    pub(super) tile_len: usize,
    /// For each point, its slot in its tile's grouped buffer.
    pub(super) dest: Vec<u16>,
    /// Function number of each segment, all tiles concatenated.
    pub(super) seg_func: Vec<u32>,
    /// Length minus one of each segment (a segment is 1..=65,536 points).
    pub(super) seg_len_m1: Vec<u16>,
    /// Tile `t`'s segments are `seg_start[t]..seg_start[t + 1]`.
    pub(super) seg_start: Vec<usize>,
}

impl Plan {
    /// Validates `idx` against a table of `k` functions and buckets it, with
    /// the default tile length.
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for the first bad index; [`Error::EmptyTable`]
    /// when `k == 0` and `idx` is not empty; [`Error::TooManyFunctions`]
    /// when `k` exceeds `u32::MAX`; [`Error::AllocationFailed`] when the
    /// plan, or each worker's `k` counters, cannot be allocated.
    pub fn new<I: Index>(idx: &[I], k: usize) -> Result<Plan, Error> {
        Plan::build(idx, k, tile_len_for::<f64, I>(0))
    }

    pub(super) fn build<I: Index>(idx: &[I], k: usize, tile_len: usize) -> Result<Plan, Error> {
        if k == 0 && !idx.is_empty() {
            return Err(Error::EmptyTable { len: idx.len() });
        }
        index::validate(idx, k)?;
        if u32::try_from(k).is_err() {
            return Err(Error::TooManyFunctions {
                k,
                max: u32::MAX as usize,
            });
        }
        let tile_len = tile_len.clamp(1, MAX_PLAN_TILE).min(idx.len().max(1));
        // Two passes, so that nothing but the final arrays is ever held:
        // first the number of segments of each tile, then every tile fills
        // its own slices of the segment arrays. Collecting per-tile vectors
        // and concatenating them would hold everything twice at the peak.
        // Every allocation sized by the input is fallible: each worker's k
        // counters, and the plan's arrays.
        let seg_counts: Vec<usize> = idx
            .par_chunks(tile_len)
            .map_init(
                || Grouping::try_new(k, tile_len),
                |g, idx| match g {
                    Ok(g) => Ok(g.count_distinct(idx)),
                    Err(e) => Err(e.clone()),
                },
            )
            .collect::<Result<_, Error>>()?;
        let mut seg_start = alloc::zeroed(seg_counts.len() + 1, "a plan's tiles")?;
        for (t, c) in seg_counts.iter().enumerate() {
            seg_start[t + 1] = seg_start[t] + c;
        }
        let total = seg_start[seg_start.len() - 1];
        let mut seg_func = alloc::zeroed::<u32>(total, "a plan's segments")?;
        let mut seg_len_m1 = alloc::zeroed::<u16>(total, "a plan's segments")?;
        let mut dest = alloc::zeroed::<u16>(idx.len(), "a plan's slots")?;
        let per_tile = split_by_counts(&mut seg_func, &seg_counts)
            .into_iter()
            .zip(split_by_counts(&mut seg_len_m1, &seg_counts));
        idx.par_chunks(tile_len)
            .zip(dest.par_chunks_mut(tile_len))
            .zip(per_tile.collect::<Vec<_>>())
            .try_for_each_init(
                || Grouping::try_new(k, tile_len),
                |grouping, ((idx, dest), (funcs, lens))| {
                    let grouping = grouping.as_mut().map_err(|e| e.clone())?;
                    group_tile(grouping, idx, dest, funcs, lens);
                    Ok::<_, Error>(())
                },
            )?;
        Ok(Plan {
            len: idx.len(),
            k,
            tile_len,
            dest,
            seg_func,
            seg_len_m1,
            seg_start,
        })
    }

    /// Number of points the plan was built for.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when the plan covers no points.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of functions the plan was built for.
    pub fn num_functions(&self) -> usize {
        self.k
    }

    /// Points per tile.
    pub fn tile_len(&self) -> usize {
        self.tile_len
    }

    /// Heap bytes held by the plan (at most 8 per point, plus 8 per tile).
    pub fn memory_bytes(&self) -> usize {
        self.dest.len() * 2
            + self.seg_func.len() * 4
            + self.seg_len_m1.len() * 2
            + self.seg_start.len() * std::mem::size_of::<usize>()
    }

    /// Evaluates `out[i] = table[idx[i]](x[i])` for the planned `idx`.
    ///
    /// # Errors
    /// [`Error::PlanMismatch`] when the table length, `x` length or `out`
    /// length differ from the planned ones; nothing is written then.
    pub fn apply_into<T: Float>(
        &self,
        table: &FuncTable<T>,
        x: &[T],
        out: &mut [T],
    ) -> Result<(), Error> {
        check_planned("table length", self.k, table.len())?;
        check_planned("x length", self.len, x.len())?;
        check_planned("out length", self.len, out.len())?;
        let functions = table.functions();
        for_each_tile(
            self.tile_len,
            &self.dest,
            x,
            out,
            || vec![T::ZERO; self.tile_len],
            |buf, t, dest, x, out| {
                let buf = &mut buf[..dest.len()];
                gather_by_slots(dest, x, buf);
                let segs = self.seg_start[t]..self.seg_start[t + 1];
                let mut start = 0;
                for (&f, &len_m1) in self.seg_func[segs.clone()]
                    .iter()
                    .zip(&self.seg_len_m1[segs])
                {
                    let end = start + len_m1 as usize + 1;
                    functions.eval_in_place(f as usize, &mut buf[start..end]);
                    start = end;
                }
                combine(dest, buf, out);
            },
        );
        Ok(())
    }

    /// Like [`Plan::apply_into`], into a new vector.
    ///
    /// # Errors
    /// As [`Plan::apply_into`].
    pub fn apply<T: Float>(&self, table: &FuncTable<T>, x: &[T]) -> Result<Vec<T>, Error> {
        check_planned("x length", self.len, x.len())?;
        let mut out = alloc::zeroed(x.len(), "the output")?;
        self.apply_into(table, x, &mut out)?;
        Ok(out)
    }
}

/// A [`Error::PlanMismatch`] unless `actual == planned`.
pub(super) fn check_planned(
    what: &'static str,
    planned: usize,
    actual: usize,
) -> Result<(), Error> {
    if actual == planned {
        Ok(())
    } else {
        Err(Error::PlanMismatch {
            what,
            planned,
            actual,
        })
    }
}

/// Fills `dest` with each of the tile's points' slot in the grouped buffer,
/// and `funcs`/`lens` (exactly as long as the tile has segments) with its
/// segments as function and length - 1.
fn group_tile<I: Index>(
    grouping: &mut Grouping,
    idx: &[I],
    dest: &mut [u16],
    funcs: &mut [u32],
    lens: &mut [u16],
) {
    grouping.group(idx, dest);
    let mut s = 0;
    grouping.segments(|j, segment| {
        funcs[s] = j as u32;
        lens[s] = (segment.len() - 1) as u16;
        s += 1;
    });
    assert_eq!(s, funcs.len(), "segment count changed between passes");
}

/// Splits `all` into consecutive slices of the given lengths.
fn split_by_counts<'a, T>(mut all: &'a mut [T], counts: &[usize]) -> Vec<&'a mut [T]> {
    let mut parts = Vec::with_capacity(counts.len());
    for &c in counts {
        let (head, tail) = all.split_at_mut(c);
        parts.push(head);
        all = tail;
    }
    parts
}
