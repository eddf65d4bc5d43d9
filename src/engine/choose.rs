//! Every decision between the strategies ([`Strategy`]): once per call
//! ([`choose_for_call`]: stream the whole call, or go tile by tile) and
//! once per tile ([`TileWorker`]: runs, select, bucket, by function or by
//! type).
//!
//! - [`Strategy::StreamFamily`]: every kernel in one parametric family
//!   (all `Affine`, pushed in any way: `fused.rs`; or one group of `Clamp`,
//!   or of `Poly` of one length from 2 to 6: `table/families.rs`); one
//!   pass, each point looking up its function's parameters.
//! - [`Strategy::StreamClosures`]: every function a closure of one type;
//!   one pass, each point running the inlined body with its closure's
//!   captures (`table/groups.rs`).
//! - [`Strategy::Runs`]: when a tile's indices come in long runs (sorted or
//!   grouped data), each run is evaluated in place in `out`: one copy of `x`
//!   and one kernel call per run, no gather or combine.
//! - [`Strategy::Select`] / [`Strategy::SelectByType`]: every function (at
//!   most two, pure) or every type's one function (at most two pure kernel
//!   types without parameters) over every point, each point keeping its
//!   own result (`select.rs`).
//! - [`Strategy::Bucket`]: the general counting-sort path (`bucket.rs`).
//! - [`Strategy::BucketByType`]: the same passes over Rust types instead
//!   of functions, for tables (closures, streaming kernel families,
//!   parameterless kernels) with so many functions that their segments
//!   would be tiny: few long segments, each streamed with its points'
//!   captures or parameters, or mapped (`by_type.rs`).
//!
//! Every strategy evaluates each point with its own function's kernel code,
//! so results are bitwise identical whichever is chosen.

use crate::error::Error;
use crate::float::Float;
use crate::index::Index;
use crate::strategy::Strategy;
use crate::table::{FuncTable, Functions, Streaming};

use super::bucket::BucketScratch;
use super::by_type::{ByTypeScratch, MAX_GROUPS};
use super::runs;
use super::select::SelectScratch;
use crate::grouping_path::GroupingPath;
use crate::table::run_loop::ShortRuns;

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
/// function: the segments would be so short that the per-segment kernel
/// call and bookkeeping cost more than calling the kernel once per run.
const TINY_SEGMENTS: usize = 4;

/// `Select` evaluates every function on every point of the tile, so it only
/// pays for the smallest tables.
const SELECT_MAX_K: usize = 2;

/// `SelectByType` evaluates every type's function on every point, so it
/// only pays for the fewest types.
const SELECT_MAX_TYPES: usize = 2;

/// `Auto` buckets a table of closures by type, not by function, when a
/// tile would hold fewer than this many points per function: below it the
/// per-function segments are too short for their kernel calls to pay,
/// while bucketing by type keeps one long segment per closure type. Above
/// it, bucketing by function is faster: its segments run the closures in
/// batches, and it has no pass that looks up each point's group.
const BY_TYPE_BELOW_SEGMENT: usize = 64;

/// Which per-tile strategies besides `Bucket` and `Runs` a table allows,
/// settled once per call from the table's properties and its groups.
#[derive(Debug, Clone, Copy)]
pub(super) struct Eligible {
    select: bool,
    select_by_type: bool,
    bucket_by_type: bool,
}

impl Eligible {
    fn of<T: Float>(table: &FuncTable<T>) -> Eligible {
        let functions = table.functions();
        let groups = functions.group_count();
        Eligible {
            select: table.len() <= SELECT_MAX_K && table.properties().all_pure,
            select_by_type: groups <= SELECT_MAX_TYPES
                && functions.groups().all(|g| g.single_pure().is_some()),
            bucket_by_type: groups <= MAX_GROUPS
                && functions
                    .groups()
                    .all(|g| g.streaming().is_some() || g.single_pure().is_some()),
        }
    }
}

/// What a whole call does, settled before any index is read.
pub(super) enum CallStrategy<'t, T: Float> {
    /// One streaming pass over an affine table's coefficients.
    StreamFamily { a: &'t [T], b: &'t [T] },
    /// One streaming pass of a table's only group (closures, or a kernel
    /// family), function numbers being positions in it.
    StreamGroup { group: &'t dyn Streaming<T> },
    /// Tile by tile: `strategy` forced, or `Auto` to choose per tile.
    PerTile {
        strategy: Strategy,
        eligible: Eligible,
    },
}

/// The per-call decision: one streaming pass when the table is one family
/// or one closure type (and the strategy allows it), else tile by tile. A
/// forced strategy the table cannot use is an
/// [`Error::StrategyUnavailable`].
pub(super) fn choose_for_call<T: Float>(
    strategy: Strategy,
    table: &FuncTable<T>,
) -> Result<CallStrategy<'_, T>, Error> {
    let eligible = Eligible::of(table);
    let functions = table.functions();
    let affine = table.properties().affine.as_ref();
    let only = (functions.group_count() == 1).then(|| functions.group(0));
    let closures = only.and_then(|g| g.closures());
    let family = only.and_then(|g| g.family());
    let unavailable = |reason: &'static str| Error::StrategyUnavailable { strategy, reason };
    #[allow(deprecated)]
    let stream = matches!(strategy, Strategy::Auto | Strategy::Fused);
    let stream_family = stream || strategy == Strategy::StreamFamily;
    let stream_closures = stream || strategy == Strategy::StreamClosures;
    #[allow(deprecated)]
    match strategy {
        _ if stream_family && affine.is_some() => {
            let (a, b) = affine.expect("checked");
            Ok(CallStrategy::StreamFamily { a, b })
        }
        _ if stream_family && family.is_some() => Ok(CallStrategy::StreamGroup {
            group: family.expect("checked"),
        }),
        _ if stream_closures && closures.is_some() => Ok(CallStrategy::StreamGroup {
            group: closures.expect("checked"),
        }),
        Strategy::Fused => Err(unavailable(
            "it needs every kernel of the table in one family (e.g. all Affine), \
             or every function a closure of one type",
        )),
        Strategy::StreamFamily => Err(unavailable(
            "it needs every kernel of the table in one family: all Affine, all Clamp, \
             or all Poly with the same number of coefficients (2 to 6)",
        )),
        Strategy::StreamClosures => Err(unavailable(
            "it needs every function a closure of one type, pushed with push_fn",
        )),
        Strategy::Select if !eligible.select => Err(unavailable(
            "it needs at most 2 functions, all reporting Kernel::is_pure",
        )),
        Strategy::SelectByType | Strategy::Blend if !eligible.select_by_type => Err(unavailable(
            "it needs at most 2 kernel types, each pure and without parameters \
                 (e.g. Exp, Ln, Sqrt, Sin, Cos, Logistic)",
        )),
        Strategy::BucketByType | Strategy::Codes if !eligible.bucket_by_type => Err(unavailable(
            "it needs at most 256 types of function, each closures pushed with push_fn, \
             a kernel family that streams (Affine, Clamp, Poly of one length) or a pure \
             kernel without parameters",
        )),
        Strategy::Blend => Ok(CallStrategy::PerTile {
            strategy: Strategy::SelectByType,
            eligible,
        }),
        Strategy::Codes => Ok(CallStrategy::PerTile {
            strategy: Strategy::BucketByType,
            eligible,
        }),
        _ => Ok(CallStrategy::PerTile { strategy, eligible }),
    }
}

/// Per-worker state for the tile strategies: scratch is allocated on first
/// use and reused for every later tile of the worker.
pub(super) struct TileWorker<'a, T: Float> {
    functions: Functions<'a, T>,
    /// The instruction-set path of the partition passes.
    path: GroupingPath,
    /// `Auto`, `Bucket`, `BucketByType`, `Runs`, `Select` or
    /// `SelectByType` (the streaming strategies are settled per call).
    strategy: Strategy,
    /// What `Auto` may pick; `bucket_by_type` only where the functions are
    /// too many for the tile.
    eligible: Eligible,
    tile_len: usize,
    bucket: Option<BucketScratch<T>>,
    by_type: Option<ByTypeScratch<T>>,
    select: Option<SelectScratch<T>>,
    select_by_type: Option<SelectScratch<T>>,
}

impl<'a, T: Float> TileWorker<'a, T> {
    pub(super) fn new(
        functions: Functions<'a, T>,
        strategy: Strategy,
        eligible: Eligible,
        tile_len: usize,
        path: GroupingPath,
    ) -> Self {
        let eligible = Eligible {
            bucket_by_type: eligible.bucket_by_type
                && strategy == Strategy::Auto
                && tile_len < BY_TYPE_BELOW_SEGMENT.saturating_mul(functions.len()),
            ..eligible
        };
        TileWorker {
            functions,
            path,
            strategy,
            eligible,
            tile_len,
            bucket: None,
            by_type: None,
            select: None,
            select_by_type: None,
        }
    }

    /// Evaluates one tile with the configured or chosen strategy.
    pub(super) fn run<I: Index>(&mut self, idx: &[I], x: &[T], out: &mut [T]) {
        let choice = match self.strategy {
            Strategy::Auto => self.choose_for_tile(idx),
            Strategy::Runs => TileChoice::Runs,
            Strategy::Select => TileChoice::Select,
            Strategy::SelectByType => TileChoice::SelectByType,
            Strategy::BucketByType => TileChoice::BucketByType,
            _ => TileChoice::Bucket,
        };
        match choice {
            TileChoice::Runs => runs::run_tile(self.functions, idx, x, out),
            TileChoice::RunsUntilShort => {
                let done = runs::run_while(self.functions, idx, x, out, Some(UNTIL_SHORT));
                if done < idx.len() {
                    let rest = self.without_runs();
                    self.run_with(rest, &idx[done..], &x[done..], &mut out[done..]);
                }
            }
            other => self.run_with(other, idx, x, out),
        }
    }

    /// Evaluates with `Select`, `SelectByType`, `BucketByType` or `Bucket`.
    fn run_with<I: Index>(&mut self, choice: TileChoice, idx: &[I], x: &[T], out: &mut [T]) {
        let (functions, tile_len, path) = (self.functions, self.tile_len, self.path);
        match choice {
            TileChoice::Select => self
                .select
                .get_or_insert_with(|| SelectScratch::new(functions.len(), tile_len))
                .by_function(functions, idx, x, out),
            TileChoice::SelectByType => self
                .select_by_type
                .get_or_insert_with(|| SelectScratch::new(functions.group_count(), tile_len))
                .by_type(functions, idx, x, out),
            TileChoice::BucketByType => self
                .by_type
                .get_or_insert_with(|| ByTypeScratch::new(functions.group_count(), tile_len, path))
                .run_tile(functions, idx, x, out),
            _ => self
                .bucket
                .get_or_insert_with(|| BucketScratch::new(functions.len(), tile_len, path))
                .run_tile(functions, idx, x, out),
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
        if n < TINY_SEGMENTS * self.segments_at_most() {
            return TileChoice::Runs;
        }
        let prefix = &idx[..n.min(RUNS_SAMPLE)];
        if prefix.len() >= RUNS_MIN_AVERAGE * runs::count_runs(prefix) {
            TileChoice::RunsUntilShort
        } else {
            self.without_runs()
        }
    }

    /// How many segments a tile can have: one per type where the table
    /// groups by type, else one per function.
    fn segments_at_most(&self) -> usize {
        if self.eligible.bucket_by_type || self.eligible.select_by_type {
            self.functions.group_count()
        } else {
            self.functions.len()
        }
    }

    /// The choice when runs are short.
    fn without_runs(&self) -> TileChoice {
        if self.eligible.select {
            TileChoice::Select
        } else if self.eligible.select_by_type {
            TileChoice::SelectByType
        } else if self.eligible.bucket_by_type {
            TileChoice::BucketByType
        } else {
            TileChoice::Bucket
        }
    }
}

impl<T: Float> TileWorker<'_, T> {
    /// The strategy a full tile without long runs of equal indices takes
    /// (see [`Engine::chosen_strategy`](crate::Engine::chosen_strategy)).
    pub(super) fn strategy_without_runs(&self) -> Strategy {
        if self.strategy != Strategy::Auto {
            return self.strategy;
        }
        if self.tile_len < TINY_SEGMENTS * self.segments_at_most() {
            return Strategy::Runs;
        }
        match self.without_runs() {
            TileChoice::Select => Strategy::Select,
            TileChoice::SelectByType => Strategy::SelectByType,
            TileChoice::BucketByType => Strategy::BucketByType,
            _ => Strategy::Bucket,
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
    SelectByType,
    BucketByType,
    Bucket,
}
