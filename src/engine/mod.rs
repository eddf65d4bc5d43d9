//! The engine: validation, the choice of strategy, tiling over the current
//! rayon pool, and the per-tile passes.
//!
//! # Algorithm
//!
//! This is the one description of the passes; other modules' docs point
//! here.
//!
//! `apply_into` first validates everything (lengths, a forced strategy
//! against the table, every index against `k`), so that an error leaves
//! `out` untouched. It then cuts the input into tiles of
//! [`Engine::effective_tile_len`] points, sized so that a tile's working set
//! stays in L2. Tiles are independent: each worker of the current rayon pool
//! takes whole tiles, owns the matching chunk of `out`, and reuses one
//! scratch for all of them (`tiles.rs`). DRAM sees one read of `x` and `idx`
//! and one write of `out`.
//!
//! The bucket strategy, in each tile (`grouping.rs` holds the passes,
//! `bucket.rs` the strategy):
//!
//! 1. **Histogram.** Count the tile's points per function: a counting sort,
//!    O(tile), no argsort (huge tables visit only the functions present).
//! 2. **Offsets.** An exclusive prefix sum turns the counts into the start
//!    of each function's segment of a grouped buffer.
//! 3. **Gather.** One pass copies each `x[p]` into the next slot of its
//!    function's segment and records that slot in `dest[p]`.
//! 4. **Kernels.** One kernel call per non-empty segment, in place: SIMD over
//!    contiguous memory, the dynamic dispatch paid once per segment.
//! 5. **Combine.** `out[p] = buf[dest[p]]`: each result is fetched back to
//!    its point's position, writing `out` in order.
//!
//! A [`Plan`] (`plan.rs`) runs steps 1–3's slot assignment once and stores
//! `dest` and the segments; each application is then steps 3 (from the
//! stored slots), 4 and 5, with the same pass functions.
//!
//! Other strategies skip the buckets where the input allows (`choose.rs`
//! holds every decision): a table of one family streams once with per-point
//! parameters (`fused.rs`), and so does a table of closures of one type,
//! each point running the inlined closure with its captures
//! (`table/groups.rs`); runs of equal indices are evaluated in place
//! (`runs.rs`); two pure kernels, or two parameterless kernel types however
//! many functions, are each evaluated on every point and selected from
//! (`select.rs`). Tables of closures with too many functions for a tile run
//! the same passes over closure types instead of functions (`by_type.rs`).
//! A tile of at most 16 functions replaces steps 1–3 and 5 with partition
//! passes (`partition/`): group numbers of one byte, split with vector
//! compress and expand where the CPU has them, the path chosen once per
//! process (`GroupingPath`).
//!
//! Every point goes through the same kernel code whatever tile or strategy
//! it lands in (kernels must not depend on position; see [`Kernel`]), so
//! results are bitwise identical for every tile length, thread count and
//! strategy.
//!
//! [`Kernel`]: crate::Kernel

mod bucket;
mod by_type;
mod cache;
mod choose;
mod fused;
mod grouping;
mod groups;
mod partition;
mod plan;
mod runs;
mod select;
mod tiles;

pub use cache::{CacheSizes, cache_sizes};
pub use groups::Groups;
pub use plan::Plan;

use crate::alloc;
use crate::error::Error;
use crate::float::Float;
use crate::index::{self, Index};
use crate::table::FuncTable;

use crate::grouping_path::GroupingPath;
use crate::strategy::Strategy;
use choose::{CallStrategy, TileWorker};
use tiles::for_each_tile;

/// Runs `out[i] = table[idx[i]](x[i])` with tunable settings.
///
/// The thread count is that of the current rayon pool: run inside
/// `pool.install(|| ...)` to choose it.
///
/// # Examples
///
/// ```
/// use splitapply::{Engine, FuncTable};
/// use splitapply::kernels::Affine;
///
/// let mut table = FuncTable::<f64>::new();
/// table.push(Affine::new(1.0, 1.0));
/// table.push(Affine::new(2.0, 0.0));
/// let idx = [0u8, 1, 1, 0];
/// let x = [1.0, 2.0, 3.0, 4.0];
/// let mut out = [0.0; 4];
///
/// let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
/// pool.install(|| Engine::new().tile_len(2).apply_into(&table, &idx, &x, &mut out))?;
/// assert_eq!(out, [2.0, 4.0, 6.0, 5.0]);
/// # Ok::<(), splitapply::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Engine {
    /// Points per tile; 0 means automatic.
    tile_len: usize,
    strategy: Strategy,
    /// `None`: the detected path.
    grouping_path: Option<GroupingPath>,
}

impl Engine {
    /// An engine with automatic settings.
    pub fn new() -> Self {
        Engine {
            tile_len: 0,
            strategy: Strategy::Auto,
            grouping_path: None,
        }
    }

    /// Forces an evaluation strategy (default [`Strategy::Auto`]). Results
    /// do not depend on it; it exists for benchmarks and tests.
    ///
    /// A forced strategy the table cannot use (`StreamFamily` on a table
    /// that is not one family, `Select` with `k > 2` or impure kernels,
    /// `SelectByType` or `BucketByType` on a table they do not fit; see
    /// [`Strategy`]) makes `apply_into` return
    /// [`Error::StrategyUnavailable`].
    pub fn strategy(mut self, strategy: Strategy) -> Self {
        self.strategy = strategy;
        self
    }

    /// Forces the instruction-set path of the grouping passes (default:
    /// [`GroupingPath::detected`], the fastest this CPU offers). Results do
    /// not depend on it; it exists for benchmarks and tests. A path the CPU
    /// cannot run makes `apply_into` return
    /// [`Error::GroupingPathUnavailable`].
    ///
    /// # Examples
    /// ```
    /// use splitapply::{Engine, FuncTable, GroupingPath};
    /// let mut table = FuncTable::<f64>::new();
    /// table.push_fn(|x| x + 1.0);
    /// table.push_fn(|x| x * 3.0);
    /// let (idx, x) = ([1u8, 0, 1], [1.0, 2.0, 3.0]);
    /// for path in GroupingPath::available() {
    ///     let mut out = [0.0; 3];
    ///     Engine::new().grouping_path(path).apply_into(&table, &idx, &x, &mut out)?;
    ///     assert_eq!(out, [3.0, 3.0, 9.0]);
    /// }
    /// # Ok::<(), splitapply::Error>(())
    /// ```
    pub fn grouping_path(mut self, path: GroupingPath) -> Self {
        self.grouping_path = Some(path);
        self
    }

    /// Sets the number of points per tile. `0` restores the automatic choice
    /// (derived from the L2 cache size; see [`Engine::effective_tile_len`]).
    /// Results do not depend on it, only speed does.
    pub fn tile_len(mut self, tile_len: usize) -> Self {
        self.tile_len = tile_len;
        self
    }

    /// The tile length that will be used for float type `T` and index type
    /// `I`: the one set with [`Engine::tile_len`], or else the number of
    /// points whose resident working set fits the L2 cache, clamped to
    /// `1024..=65536`. Resident per point: the gathered value, its `u32`
    /// destination and the index, which the passes revisit; `x` and `out`
    /// are streamed once each and need not stay. Much shorter tiles pay
    /// the per-tile and per-segment costs more often; much longer ones
    /// push the scratch out of L2.
    pub fn effective_tile_len<T: Float, I: Index>(&self) -> usize {
        tiles::tile_len_for::<T, I>(self.tile_len)
    }

    /// Evaluates `out[i] = table[idx[i]](x[i])` into a caller's buffer.
    ///
    /// # Errors
    /// Nothing is written to `out` when an error is returned.
    /// - [`Error::LengthMismatch`] when `x` or `out` differ in length from `idx`;
    /// - [`Error::EmptyTable`] when the table is empty and `idx` is not;
    /// - [`Error::StrategyUnavailable`] when a forced strategy cannot be used
    ///   with this table;
    /// - [`Error::GroupingPathUnavailable`] when a forced grouping path
    ///   needs instructions this CPU lacks;
    /// - [`Error::IndexOutOfRange`] for the first index that is negative or
    ///   `>= table.len()`;
    /// - [`Error::AllocationFailed`] when one worker's scratch, sized by the
    ///   tile length and the table, cannot be allocated before the call
    ///   starts. The check asks for one worker's scratch, at most what any
    ///   strategy needs, and gives it back: memory that runs out between
    ///   the check and the workers' own allocations still aborts.
    pub fn apply_into<T: Float, I: Index>(
        &self,
        table: &FuncTable<T>,
        idx: &[I],
        x: &[T],
        out: &mut [T],
    ) -> Result<(), Error> {
        check_lengths(idx.len(), x.len(), out.len())?;
        if idx.is_empty() {
            return Ok(());
        }
        if table.is_empty() {
            return Err(Error::EmptyTable { len: idx.len() });
        }
        let path = match self.grouping_path {
            Some(path) if !path.is_available() => {
                return Err(Error::GroupingPathUnavailable { path });
            }
            Some(path) => path,
            None => GroupingPath::detected(),
        };
        let call = choose::choose_for_call(self.strategy, table)?;
        index::validate(idx, table.len())?;
        let tile = self.effective_tile_len::<T, I>().min(idx.len());
        if let CallStrategy::PerTile { .. } = call {
            // A worker's scratch is sized by the tile length and k, both
            // the caller's: one that cannot be allocated is refused here,
            // before anything is written. Best effort: one worker's worth is
            // asked for and given back.
            alloc::probe::<u8>(scratch_bytes::<T>(tile, table.len()), "a worker's scratch")?;
        }
        match call {
            CallStrategy::StreamFamily { a, b } => for_each_tile(
                tile,
                idx,
                x,
                out,
                || (),
                |_, _, idx, x, out| fused::affine_tile(a, b, idx, x, out),
            ),
            CallStrategy::StreamGroup { group } => for_each_tile(
                tile,
                idx,
                x,
                out,
                || (),
                |_, _, idx, x, out| group.stream(index::as_slice(idx), x, out),
            ),
            CallStrategy::PerTile { strategy, eligible } => for_each_tile(
                tile,
                idx,
                x,
                out,
                || TileWorker::new(table.functions(), strategy, eligible, tile, path),
                |worker, _, idx, x, out| worker.run(idx, x, out),
            ),
        }
        Ok(())
    }

    /// The strategy `apply_into` takes for `table` with float type `T` and
    /// index type `I`: a streaming strategy for the whole call, or else the
    /// one its tiles take when their indices do not come in long runs
    /// (tiles with long runs go run by run first). For reports, and to see
    /// why a table runs as fast as it does. The answer is for full tiles:
    /// a call shorter than a tile with fewer than four points per function
    /// (per type, where the table groups by type) goes run by run instead.
    ///
    /// # Errors
    /// [`Error::StrategyUnavailable`] when the forced strategy does not fit
    /// the table.
    ///
    /// # Examples
    /// ```
    /// use splitapply::{Engine, FuncTable, Strategy};
    /// use splitapply::kernels::{Affine, Exp, Sqrt};
    ///
    /// let mut affine = FuncTable::<f64>::new();
    /// for j in 0..250 {
    ///     affine.push(Affine::new(j as f64, 1.0));
    /// }
    /// let engine = Engine::new();
    /// assert_eq!(engine.chosen_strategy::<f64, u32>(&affine)?, Strategy::StreamFamily);
    ///
    /// let mut two_types = FuncTable::<f64>::new();
    /// for j in 0..250 {
    ///     if j % 2 == 0 { two_types.push(Exp::new()) } else { two_types.push(Sqrt::new()) };
    /// }
    /// assert_eq!(engine.chosen_strategy::<f64, u32>(&two_types)?, Strategy::SelectByType);
    /// # Ok::<(), splitapply::Error>(())
    /// ```
    pub fn chosen_strategy<T: Float, I: Index>(
        &self,
        table: &FuncTable<T>,
    ) -> Result<Strategy, Error> {
        Ok(match choose::choose_for_call(self.strategy, table)? {
            CallStrategy::StreamFamily { .. } => Strategy::StreamFamily,
            CallStrategy::StreamGroup { .. } if table.functions().group(0).closures().is_some() => {
                Strategy::StreamClosures
            }
            CallStrategy::StreamGroup { .. } => Strategy::StreamFamily,
            CallStrategy::PerTile { strategy, eligible } => TileWorker::new(
                table.functions(),
                strategy,
                eligible,
                self.effective_tile_len::<T, I>(),
                GroupingPath::detected(),
            )
            .strategy_without_runs(),
        })
    }

    /// The instruction-set path of the partition passes when the strategy
    /// [`Engine::chosen_strategy`] names groups a tile's points with them
    /// (bucketing at most 16 functions, or at most 16 types); `None` when
    /// it streams, selects or goes run by run, or groups more with the
    /// counting-sort passes, which have one path.
    ///
    /// # Errors
    /// As [`Engine::chosen_strategy`], and
    /// [`Error::GroupingPathUnavailable`] for a forced path the CPU lacks.
    ///
    /// # Examples
    /// ```
    /// use splitapply::{Engine, FuncTable, GroupingPath};
    /// let mut two = FuncTable::<f64>::new();
    /// two.push_fn(|x| x + 1.0);
    /// two.push_fn(|x| x * 2.0);
    /// let engine = Engine::new().grouping_path(GroupingPath::Portable);
    /// assert_eq!(engine.partition_path::<f64, u32>(&two)?, Some(GroupingPath::Portable));
    /// # Ok::<(), splitapply::Error>(())
    /// ```
    pub fn partition_path<T: Float, I: Index>(
        &self,
        table: &FuncTable<T>,
    ) -> Result<Option<GroupingPath>, Error> {
        let path = match self.grouping_path {
            Some(path) if !path.is_available() => {
                return Err(Error::GroupingPathUnavailable { path });
            }
            Some(path) => path,
            None => GroupingPath::detected(),
        };
        let functions = table.functions();
        let groups = match self.chosen_strategy::<T, I>(table)? {
            Strategy::Bucket => functions.len(),
            Strategy::BucketByType => functions.group_count(),
            _ => return Ok(None),
        };
        Ok((groups <= partition::MAX_GROUPS).then_some(path))
    }

    /// Evaluates `table[idx[i]](x[i])` for every `i` into a new vector.
    ///
    /// # Errors
    /// As [`Engine::apply_into`].
    pub fn apply<T: Float, I: Index>(
        &self,
        table: &FuncTable<T>,
        idx: &[I],
        x: &[T],
    ) -> Result<Vec<T>, Error> {
        // Length errors are caught before allocating.
        check_lengths(idx.len(), x.len(), x.len())?;
        let mut out = alloc::zeroed(x.len(), "the output")?;
        self.apply_into(table, idx, x, &mut out)?;
        Ok(out)
    }

    /// Validates `idx` against a table of `k` functions and buckets it once,
    /// for reuse with many `x` (see [`Plan`]).
    ///
    /// # Errors
    /// As [`Plan::new`]: [`Error::IndexOutOfRange`] for the first bad
    /// index; [`Error::EmptyTable`] when `k == 0` and `idx` is not empty;
    /// [`Error::TooManyFunctions`] when `k` exceeds `u32::MAX`;
    /// [`Error::AllocationFailed`] when the plan, or each worker's `k`
    /// counters, cannot be allocated.
    pub fn plan<I: Index>(&self, idx: &[I], k: usize) -> Result<Plan, Error> {
        Plan::build(idx, k, self.effective_tile_len::<f64, I>())
    }
}

/// At most the bytes of one worker's scratch for the tile strategies: the
/// gathered values, results, slots, group numbers and positions per point
/// of a tile, and a counter per function.
fn scratch_bytes<T: Float>(tile: usize, k: usize) -> usize {
    let per_point = 2 * std::mem::size_of::<T>() + 13;
    tile.saturating_mul(per_point)
        .saturating_add(k.saturating_mul(4))
}

/// `x` and `out` must have `idx`'s length.
fn check_lengths(n: usize, x: usize, out: usize) -> Result<(), Error> {
    if x != n {
        return Err(Error::LengthMismatch {
            what: "x",
            expected: n,
            actual: x,
        });
    }
    if out != n {
        return Err(Error::LengthMismatch {
            what: "out",
            expected: n,
            actual: out,
        });
    }
    Ok(())
}
