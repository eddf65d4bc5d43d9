//! [`Strategy`]: the ways the engine can evaluate a call, which a caller
//! may force. Which one runs when is decided in `engine/choose.rs`; each
//! lives in its own file under `engine/`.

/// How the engine evaluates the points; see [`Engine::strategy`](crate::Engine::strategy).
///
/// Results never depend on the strategy, only speed does. Forcing one is
/// meant for benchmarks and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Strategy {
    /// Choose automatically: `StreamFamily` or `StreamClosures` where the
    /// table allows; else per tile `Runs` when runs are long (up to the
    /// point where they stop being long) or `k` dwarfs the tile, `Select`
    /// for tiny `k` with pure kernels, `SelectByType` for tables of two
    /// parameterless pure kernel types, `BucketByType` for tables it
    /// allows with too many functions for the tile, otherwise `Bucket`.
    #[default]
    Auto,
    /// Counting sort into per-function segments, one kernel call per
    /// segment, combine back.
    Bucket,
    /// Grouping by Rust type rather than by function, each type's points
    /// then streamed with their own functions' parameters (a closure's
    /// captures, a kernel's coefficients) or, for a kernel without
    /// parameters, mapped. Needs at most 256 types, each one of: closures
    /// pushed with [`FuncTable::push_fn`](crate::FuncTable::push_fn); a
    /// kernel family that streams (see [`Strategy::StreamFamily`]); a pure
    /// kernel without parameters (`Exp`, `Ln`, `Sqrt`, `Sin`, `Cos`,
    /// `Logistic`). Kernels count by their own type only when pushed with
    /// [`FuncTable::push`](crate::FuncTable::push) (a boxed kernel's type
    /// is unknown).
    BucketByType,
    /// One kernel call per run of equal indices, in place in `out`.
    Runs,
    /// Every function over every point (block by block), each point keeps
    /// its own function's result. Needs `k <= 2` and kernels that report
    /// [`Kernel::is_pure`](crate::Kernel::is_pure).
    Select,
    /// Every type's one function over every point, block by block; each
    /// point keeps its own type's result. Needs at most 2 types, each a
    /// pure kernel type without parameters (a zero-sized type: `Exp`, `Ln`,
    /// `Sqrt`, `Sin`, `Cos`, `Logistic`) pushed with
    /// [`FuncTable::push`](crate::FuncTable::push) (a boxed kernel's type is
    /// unknown), e.g. 125 `Exp` and 125 `Sqrt`.
    SelectByType,
    /// One streaming pass, each point looking up its own function's
    /// coefficients. Needs every kernel in one parametric family: all in
    /// one [`Family`](crate::Family) (all `Affine`, pushed in any way), or
    /// all `Clamp`, or all `Poly` with the same number of coefficients,
    /// from 2 to 6, pushed with [`FuncTable::push`](crate::FuncTable::push)
    /// (longer polynomials run faster bucketed).
    StreamFamily,
    /// One streaming pass, each point running its own closure's inlined
    /// body with its captures. Needs every function a closure of the same
    /// type pushed with [`FuncTable::push_fn`](crate::FuncTable::push_fn)
    /// (one closure expression with different captures, as in a loop).
    StreamClosures,
    /// Renamed [`Strategy::BucketByType`].
    #[deprecated(since = "0.2.0", note = "renamed `Strategy::BucketByType`")]
    Codes,
    /// Renamed [`Strategy::SelectByType`].
    #[deprecated(since = "0.2.0", note = "renamed `Strategy::SelectByType`")]
    Blend,
    /// Split into [`Strategy::StreamFamily`] and
    /// [`Strategy::StreamClosures`]; forces whichever the table allows.
    #[deprecated(
        since = "0.2.0",
        note = "split into `Strategy::StreamFamily` and `Strategy::StreamClosures`"
    )]
    Fused,
}
