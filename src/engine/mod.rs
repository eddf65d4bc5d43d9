//! The engine: validation, tiling over the current rayon pool, and the
//! per-tile bucket passes.
//!
//! # Algorithm
//!
//! `apply_into` first validates everything (lengths, every index against `k`)
//! so that an error leaves `out` untouched. It then cuts the input into tiles
//! of [`Engine::tile_len`] points, sized so that a tile's `x`, `idx`, `out`
//! and scratch fit in L2. Tiles are independent: each worker of the current
//! rayon pool takes whole tiles, owns the matching chunk of `out`, and reuses
//! one [`BucketScratch`] for all of them. Inside a tile the bucket passes
//! (histogram, gather, kernels, scatter; see `bucket.rs`) run in cache, so
//! DRAM sees one read of `x` and `idx` and one write of `out`.
//!
//! Every point goes through the same kernel code whatever tile it lands in
//! (kernels must not depend on position; see [`Kernel`]), so results are
//! bitwise identical for every tile length and thread count.

mod bucket;
mod cache;
mod fused;
mod runs;
mod select;
mod strategy;
mod tiles;

pub use cache::{CacheSizes, cache_sizes};
pub use strategy::Strategy;

use crate::error::Error;
use crate::float::Float;
use crate::index::{self, Index};
use crate::plan::Plan;
use crate::table::FuncTable;

pub(crate) use bucket::Grouping;
pub(crate) use tiles::for_each_tile;

use strategy::{SELECT_MAX_K, TileWorker};

/// Bounds for the automatic tile length.
const MIN_AUTO_TILE: usize = 1 << 10;
const MAX_AUTO_TILE: usize = 1 << 16;

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
}

impl Engine {
    /// An engine with automatic settings.
    pub fn new() -> Self {
        Engine {
            tile_len: 0,
            strategy: Strategy::Auto,
        }
    }

    /// Forces an evaluation strategy (default [`Strategy::Auto`]). Results
    /// do not depend on it; it exists for benchmarks and tests.
    ///
    /// A forced strategy the table cannot use (`Fused` on a table that is
    /// not one family, `Select` with `k > 2` or impure kernels) makes
    /// `apply_into` return [`Error::StrategyUnavailable`].
    pub fn strategy(mut self, strategy: Strategy) -> Self {
        self.strategy = strategy;
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
    /// push the scratch out of L2 (perf-notes.md, "Tile-length sweep").
    pub fn effective_tile_len<T: Float, I: Index>(&self) -> usize {
        if self.tile_len > 0 {
            return self.tile_len.min(u32::MAX as usize);
        }
        let resident_bytes = T::BYTES + 4 + std::mem::size_of::<I>();
        let fit = cache_sizes().l2 / resident_bytes;
        // A power of two keeps tiles aligned to vectors and cache lines.
        let pow2 = if fit == 0 { 1 } else { 1 << fit.ilog2() };
        pow2.clamp(MIN_AUTO_TILE, MAX_AUTO_TILE)
    }

    /// Evaluates `out[i] = table[idx[i]](x[i])` into a caller's buffer.
    ///
    /// # Errors
    /// Nothing is written to `out` when an error is returned.
    /// - [`Error::LengthMismatch`] when `x` or `out` differ in length from `idx`;
    /// - [`Error::EmptyTable`] when the table is empty and `idx` is not;
    /// - [`Error::StrategyUnavailable`] when a forced strategy cannot be used
    ///   with this table;
    /// - [`Error::IndexOutOfRange`] for the first index that is negative or
    ///   `>= table.len()`.
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
        let resolved = self.resolve(table)?;
        index::validate(idx, table.len())?;
        let tile = self.effective_tile_len::<T, I>().min(idx.len());
        match resolved {
            Resolved::Fused { a, b } => for_each_tile(
                tile,
                idx,
                x,
                out,
                || (),
                |_, _, idx, x, out| fused::affine_tile(a, b, idx, x, out),
            ),
            Resolved::Tiles {
                strategy,
                select_allowed,
            } => for_each_tile(
                tile,
                idx,
                x,
                out,
                || TileWorker::new(table.kernels(), strategy, select_allowed, tile),
                |worker, _, idx, x, out| worker.run(idx, x, out),
            ),
        }
        Ok(())
    }

    /// Checks that a forced strategy suits the table, and settles whether the
    /// whole call is fused.
    fn resolve<'t, T: Float>(&self, table: &'t FuncTable<T>) -> Result<Resolved<'t, T>, Error> {
        let traits = table.traits();
        let select_possible = table.len() <= SELECT_MAX_K && traits.all_pure;
        let unavailable = |reason: &'static str| Error::StrategyUnavailable {
            strategy: self.strategy,
            reason,
        };
        match (self.strategy, &traits.affine) {
            (Strategy::Auto | Strategy::Fused, Some((a, b))) => {
                return Ok(Resolved::Fused { a, b });
            }
            (Strategy::Fused, None) => {
                return Err(unavailable(
                    "it needs every kernel of the table in one family (e.g. all Affine)",
                ));
            }
            (Strategy::Select, _) if !select_possible => {
                return Err(unavailable(
                    "it needs at most 2 functions, all reporting Kernel::is_pure",
                ));
            }
            _ => {}
        }
        Ok(Resolved::Tiles {
            strategy: self.strategy,
            select_allowed: select_possible,
        })
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
        let mut out = vec![T::ZERO; x.len()];
        self.apply_into(table, idx, x, &mut out)?;
        Ok(out)
    }

    /// Validates `idx` against a table of `k` functions and buckets it once,
    /// for reuse with many `x` (see [`Plan`]).
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`]; [`Error::EmptyTable`] when `k == 0` and
    /// `idx` is not empty.
    pub fn plan<I: Index>(&self, idx: &[I], k: usize) -> Result<Plan, Error> {
        Plan::build(idx, k, self.effective_tile_len::<f64, I>())
    }
}

/// What a call will do, settled before any index is read.
enum Resolved<'t, T> {
    /// One streaming pass over an affine table.
    Fused { a: &'t [T], b: &'t [T] },
    /// Tile by tile, with this strategy (`Auto` chooses per tile).
    Tiles {
        strategy: Strategy,
        select_allowed: bool,
    },
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
