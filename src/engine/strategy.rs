//! The strategies, and every decision between them: once per call
//! ([`choose_for_call`]: fused, or tile by tile) and once per tile
//! ([`TileWorker`]: runs, select, blend, codes or bucket).
//!
//! - [`Strategy::Fused`]: one streaming pass, no bucketing, each point
//!   looking up its function's parameters. Two kinds of table allow it:
//!   every kernel in one parametric family (today: affine), where each
//!   point is `a[idx] * x + b[idx]`; and every function a closure of one
//!   type (one code, see `code.rs`), where each point runs the inlined
//!   closure body with its function's captures.
//! - [`Strategy::Runs`]: when a tile's indices come in long runs (sorted or
//!   grouped data), each run is evaluated in place in `out`: one copy of `x`
//!   and one kernel call per run, no gather or combine.
//! - [`Strategy::Select`]: for very small `k` with pure kernels, every kernel
//!   runs over every point and each point picks its own result: `k` cheap
//!   passes over L1-sized blocks instead of the bucket passes.
//! - [`Strategy::Blend`]: the same by code, for tables of at most two
//!   pure kernel types without parameters (each is one function however
//!   often pushed): every code over every point, no bucketing (see
//!   `select.rs`).
//! - [`Strategy::Bucket`]: the general counting-sort path (see `bucket.rs`).
//! - [`Strategy::Codes`]: the same passes over closure types instead of
//!   functions, for tables of closures with so many functions that their
//!   segments would be tiny: few long segments, each streamed with its
//!   points' captures (see `bucket.rs`, `CodeScratch`).
//!
//! Every strategy evaluates each point with its own function's kernel code,
//! so results are bitwise identical whichever is chosen.

use crate::code::Code;
use crate::error::Error;
use crate::float::Float;
use crate::index::Index;
use crate::table::{FuncTable, Functions};

use super::bucket::{BucketScratch, CodeScratch};
use super::runs::{self, ShortRuns};
use super::select::{self, BlendScratch};

/// How the engine evaluates the points; see [`Engine::strategy`](crate::Engine::strategy).
///
/// Results never depend on the strategy, only speed does. Forcing one is
/// meant for benchmarks and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Strategy {
    /// Choose automatically: `Fused` for single-family tables and tables of
    /// closures of one type, else per tile `Runs` when runs are long (up to
    /// the point where they stop being long) or `k` dwarfs the tile,
    /// `Select` for tiny `k` with pure kernels, `Blend` for tables of two
    /// parameterless pure kernel types, `Codes` for tables of
    /// closures with too many functions for the tile, otherwise `Bucket`.
    #[default]
    Auto,
    /// Counting sort into per-function segments, one kernel call per
    /// segment, combine back.
    Bucket,
    /// One kernel call per run of equal indices, in place in `out`.
    Runs,
    /// Every function over every point (block by block), each point picks
    /// its result.
    /// Needs `k <= 2` and kernels that report [`Kernel::is_pure`](crate::Kernel::is_pure).
    Select,
    /// Every code over every point, block by block; each point keeps its
    /// own code's result. Needs at most 2 codes, each a pure kernel type
    /// without parameters (a zero-sized type: `Exp`, `Ln`, `Sqrt`, `Sin`,
    /// `Cos`, `Logistic`) pushed with
    /// [`FuncTable::push`](crate::FuncTable::push) (a boxed kernel's type is
    /// unknown), e.g. 125 `Exp` and 125 `Sqrt`.
    Blend,
    /// Counting sort by code (closure type) rather than by function, each
    /// code's points then streamed with their own closures' captures. Needs
    /// every function a closure pushed with
    /// [`FuncTable::push_fn`](crate::FuncTable::push_fn), of at most 256
    /// closure types.
    Codes,
    /// One streaming pass with per-point parameter lookup. Needs every kernel
    /// in one [`Family`](crate::Family), or every function a closure of the
    /// same type pushed with [`FuncTable::push_fn`] (one closure expression
    /// with different captures, as in a loop).
    Fused,
}

/// `Auto` takes the runs strategy for a tile when its runs average at least
/// this many points. Below it, the per-run kernel call and copy cost more
/// than bucketing.
const RUNS_MIN_AVERAGE: usize = 32;

/// `Auto` goes run by run only when a tile's first `RUNS_SAMPLE` indices
/// average long runs; it then keeps going while the runs so far, with this
/// many points of grace, still do.
const RUNS_SAMPLE: usize = 1024;

/// When a tile that started run by run switches to the short-run strategy.
const UNTIL_SHORT: ShortRuns = ShortRuns {
    min_average: RUNS_MIN_AVERAGE,
    grace: RUNS_SAMPLE,
};

/// `Auto` stops bucketing when a tile has fewer than this many points per
/// function: the segments would be so short that the per-segment kernel call
/// and bookkeeping cost more than calling the kernel once per run
/// (perf-notes.md, "W6 (k = 100,000)").
const TINY_SEGMENTS: usize = 4;

/// `Select` evaluates every function on every point of the tile, so it only
/// pays for the smallest tables.
const SELECT_MAX_K: usize = 2;

/// `Blend` evaluates every code on every point, so it only pays for the
/// fewest codes.
const BLEND_MAX_CODES: usize = 2;

/// Routing by code numbers the codes of a tile with `u8`.
const CODES_MAX: usize = 256;

/// `Auto` routes a table of closures by code, not by function, when a
/// tile would hold fewer than this many points per function: below it the
/// per-function segments are too short for their kernel calls to pay,
/// while routing by code keeps one long segment per closure type. Above
/// it, routing by function is faster: its segments run the closures in
/// batches, and it has no code pass (perf-notes.md, "Routing by code").
const CODES_BELOW_SEGMENT: usize = 64;

/// What a whole call does, settled before any index is read.
pub(super) enum CallStrategy<'t, T: Float> {
    /// One streaming pass over an affine table's coefficients.
    Fused { a: &'t [T], b: &'t [T] },
    /// One streaming pass of a table's only code, function numbers being
    /// positions in it.
    Stream { code: &'t dyn Code<T> },
    /// Tile by tile: `strategy` forced, or `Auto` to choose per tile.
    PerTile {
        strategy: Strategy,
        select_allowed: bool,
        blend_allowed: bool,
        codes_allowed: bool,
    },
}

/// The per-call decision: fused when the table is one family or one
/// streaming code (and the strategy allows it), else tile by tile. A forced
/// strategy the table cannot use is an [`Error::StrategyUnavailable`].
pub(super) fn choose_for_call<T: Float>(
    strategy: Strategy,
    table: &FuncTable<T>,
) -> Result<CallStrategy<'_, T>, Error> {
    let traits = table.traits();
    let select_allowed = table.len() <= SELECT_MAX_K && traits.all_pure;
    let functions = table.functions();
    let codes_allowed = functions.code_count() <= CODES_MAX && functions.all_codes_stream();
    let blend_allowed = functions.code_count() <= BLEND_MAX_CODES && functions.all_codes_blend();
    let unavailable = |reason: &'static str| Error::StrategyUnavailable { strategy, reason };
    let streaming = functions.streaming_code();
    match (strategy, &traits.affine, streaming) {
        (Strategy::Auto | Strategy::Fused, Some((a, b)), _) => Ok(CallStrategy::Fused { a, b }),
        (Strategy::Auto | Strategy::Fused, None, Some(code)) => Ok(CallStrategy::Stream { code }),
        (Strategy::Fused, None, None) => Err(unavailable(
            "it needs every kernel of the table in one family (e.g. all Affine), \
             or every function a closure of one type",
        )),
        (Strategy::Select, _, _) if !select_allowed => Err(unavailable(
            "it needs at most 2 functions, all reporting Kernel::is_pure",
        )),
        (Strategy::Blend, _, _) if !blend_allowed => Err(unavailable(
            "it needs at most 2 kernel types, each pure and without parameters \
             (e.g. Exp, Ln, Sqrt, Sin, Cos, Logistic)",
        )),
        (Strategy::Codes, _, _) if !codes_allowed => Err(unavailable(
            "it needs every function a closure pushed with push_fn, of at most 256 closure types",
        )),
        _ => Ok(CallStrategy::PerTile {
            strategy,
            select_allowed,
            blend_allowed,
            codes_allowed,
        }),
    }
}

/// Per-worker state for the tile strategies: scratch is allocated on first
/// use and reused for every later tile of the worker.
pub(super) struct TileWorker<'a, T: Float> {
    kernels: Functions<'a, T>,
    /// `Auto`, `Bucket`, `Runs`, `Select`, `Blend` or `Codes` (never
    /// `Fused`, handled per call).
    strategy: Strategy,
    /// Whether `Auto` may pick `Select`.
    select_allowed: bool,
    /// Whether `Auto` may pick `Blend`.
    blend_allowed: bool,
    /// Whether `Auto` routes by code where it would bucket: the table allows
    /// it and its functions are too many for the tile.
    codes_allowed: bool,
    tile_len: usize,
    bucket: Option<BucketScratch<T>>,
    by_code: Option<CodeScratch<T>>,
    blend: Option<BlendScratch<T>>,
    select_bufs: Vec<T>,
}

impl<'a, T: Float> TileWorker<'a, T> {
    pub(super) fn new(
        kernels: Functions<'a, T>,
        strategy: Strategy,
        select_allowed: bool,
        blend_allowed: bool,
        codes_allowed: bool,
        tile_len: usize,
    ) -> Self {
        let codes_allowed = codes_allowed
            && strategy == Strategy::Auto
            && tile_len < CODES_BELOW_SEGMENT.saturating_mul(kernels.len());
        TileWorker {
            kernels,
            strategy,
            select_allowed,
            blend_allowed,
            codes_allowed,
            tile_len,
            bucket: None,
            by_code: None,
            blend: None,
            select_bufs: Vec::new(),
        }
    }

    /// Evaluates one tile with the configured or chosen strategy.
    pub(super) fn run<I: Index>(&mut self, idx: &[I], x: &[T], out: &mut [T]) {
        let choice = match self.strategy {
            Strategy::Auto => self.choose_for_tile(idx),
            Strategy::Runs => TileChoice::Runs,
            Strategy::Select => TileChoice::Select,
            Strategy::Codes => TileChoice::Codes,
            Strategy::Blend => TileChoice::Blend,
            _ => TileChoice::Bucket,
        };
        match choice {
            TileChoice::Runs => runs::run_tile(self.kernels, idx, x, out),
            TileChoice::RunsUntilShort => {
                let done = runs::run_while(self.kernels, idx, x, out, Some(UNTIL_SHORT));
                if done < idx.len() {
                    let rest = self.without_runs();
                    self.run_with(rest, &idx[done..], &x[done..], &mut out[done..]);
                }
            }
            other => self.run_with(other, idx, x, out),
        }
    }

    /// Evaluates with `Select`, `Blend`, `Codes` or `Bucket`.
    fn run_with<I: Index>(&mut self, choice: TileChoice, idx: &[I], x: &[T], out: &mut [T]) {
        match choice {
            TileChoice::Blend => self
                .blend
                .get_or_insert_with(|| BlendScratch::new(self.kernels.code_count()))
                .run_tile(self.kernels, idx, x, out),
            TileChoice::Codes => self
                .by_code
                .get_or_insert_with(|| CodeScratch::new(self.kernels.code_count(), self.tile_len))
                .run_tile(self.kernels, idx, x, out),
            TileChoice::Select => {
                let len = select::scratch_len(self.kernels.len(), self.tile_len);
                if self.select_bufs.len() < len {
                    self.select_bufs.resize(len, T::ZERO);
                }
                select::run_tile(self.kernels, idx, x, out, &mut self.select_bufs)
            }
            _ => self
                .bucket
                .get_or_insert_with(|| BucketScratch::new(self.kernels.len(), self.tile_len))
                .run_tile(self.kernels, idx, x, out),
        }
    }

    /// The automatic per-tile choice, from the runs of a short prefix of
    /// the tile's indices. A tile whose prefix has long runs goes run by
    /// run and switches to [`Self::without_runs`] at the first point where
    /// the runs so far average under [`RUNS_MIN_AVERAGE`]. Counting the
    /// whole tile's runs first would be one more pass over its indices, and
    /// the first one, so from DRAM.
    fn choose_for_tile<I: Index>(&self, idx: &[I]) -> TileChoice {
        let n = idx.len();
        // So many functions that bucketed segments would hold a point or
        // two each: one call per run beats bucketing whatever the runs.
        let groups = if self.codes_allowed || self.blend_allowed {
            self.kernels.code_count()
        } else {
            self.kernels.len()
        };
        if n < TINY_SEGMENTS * groups {
            return TileChoice::Runs;
        }
        let prefix = &idx[..n.min(RUNS_SAMPLE)];
        if prefix.len() >= RUNS_MIN_AVERAGE * runs::count_runs(prefix) {
            TileChoice::RunsUntilShort
        } else {
            self.without_runs()
        }
    }

    /// The choice when runs are short.
    fn without_runs(&self) -> TileChoice {
        if self.select_allowed {
            TileChoice::Select
        } else if self.blend_allowed {
            TileChoice::Blend
        } else if self.codes_allowed {
            TileChoice::Codes
        } else {
            TileChoice::Bucket
        }
    }
}

/// How one tile is evaluated.
#[derive(Clone, Copy)]
enum TileChoice {
    /// Run by run, to the end of the tile.
    Runs,
    /// Run by run until the runs turn short ([`UNTIL_SHORT`]), then
    /// [`TileWorker::without_runs`]'s choice for the rest.
    RunsUntilShort,
    Select,
    Blend,
    Codes,
    Bucket,
}
