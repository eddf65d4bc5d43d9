//! # splitapply
//!
//! Apply one of `k` functions to each of `N` points, chosen by an index
//! array: `out[i] = f[idx[i]](x[i])`, fast.
//!
//! The usual answers are a per-element `dyn Fn` call, which can never use
//! SIMD, or numpy's argsort and fancy indexing, which sorts and moves every
//! point several times.
//! splitapply instead works in cache-sized tiles over the current rayon pool.
//! In each tile it
//!
//! 1. counts the points of each function (a counting sort: O(tile), no argsort),
//! 2. gathers the points into one contiguous segment per function,
//! 3. calls each function once on its whole segment, so SIMD kernels run over
//!    contiguous memory and the dynamic dispatch is paid once per segment,
//! 4. copies each result back to its point's position in `out`.
//!
//! (The passes are described in full in the engine's module doc,
//! `src/engine/mod.rs`.)
//!
//! DRAM sees one read of `x` and `idx` and one write of `out`.
//!
//! Some inputs skip the buckets (see [`Strategy`]): tables of one kernel
//! family (all `Affine`, all `Clamp`, or all `Poly` of one length from 2
//! to 6) and tables of closures of one type are one streaming pass, tables of
//! closures with very many functions are grouped by closure type rather
//! than by function, runs of equal indices are evaluated in place, and
//! two-function tables of pure kernels evaluate both and blend. Every path
//! evaluates each point with its own function's kernel code, so the choice
//! never changes a result.
//!
//! [`rolling_mean`] is the other kernel of the discussion that started the
//! project: a centred moving average with edge padding.
//!
//! ```
//! use splitapply::{apply, apply_into, Engine, FuncTable, Kernel, Plan};
//! use splitapply::kernels::{Affine, Exp, Poly};
//!
//! fn demo() -> Result<(), Box<dyn std::error::Error>> {
//!     let mut table = FuncTable::<f64>::new();
//!     table.push(Affine::new(2.0, 1.0));            // 2x + 1
//!     table.push(Poly::new(vec![1.0, 0.5, 0.25]));  // 1 + 0.5x + 0.25x^2 (lowest degree first)
//!     table.push(Exp::new());                       // e^x
//!     table.push_fn(|x: f64| x.sqrt());             // any Fn(T) -> T + Send + Sync + 'static
//!     assert_eq!(table.len(), 4);
//!
//!     let x = vec![0.5f64; 1000];
//!     let idx: Vec<u32> = (0..1000).map(|i| (i % 4) as u32).collect();
//!     let out: Vec<f64> = apply(&table, &idx, &x)?;             // allocating
//!     let mut out2 = vec![0.0; 1000];
//!     apply_into(&table, &idx, &x, &mut out2)?;                 // into a caller's buffer
//!     Engine::new().tile_len(4096).apply_into(&table, &idx, &x, &mut out2)?;
//!     let plan = Plan::new(&idx, table.len())?;                 // validate/bucket once ...
//!     plan.apply_into(&table, &x, &mut out2)?;                  // ... reuse for many x
//!     assert_eq!(out, out2);
//!     Ok(())
//! }
//! demo().unwrap();
//! ```
//!
//! # Types
//!
//! - Floats: `f32` and `f64` ([`Float`]).
//! - Indices: `u8`, `u16`, `u32`, `u64`, `usize`, `i8`, `i16`, `i32`, `i64`
//!   ([`Index`]).
//!   numpy's default `i64` works directly; negative values are refused.
//!
//! # Functions
//!
//! A [`FuncTable`] holds the functions. Built-in SIMD kernels live in
//! [`kernels`]; any closure `Fn(T) -> T + Send + Sync + 'static` goes in with
//! [`FuncTable::push_fn`]; anything else implements [`Kernel`].
//! A function that must see all of its points in one call (a batch API,
//! a Python callable) is evaluated by the caller: [`Plan::groups`] gathers
//! each such function's points and [`Groups::apply_into`] combines the
//! caller's results with the table's kernels.
//!
//! # Guarantees
//!
//! - **Validation first.** Every entry point checks lengths and every index
//!   before writing anything; on `Err`, `out` is untouched. Errors name the
//!   problem (for an index: its position and value).
//! - **Deterministic.** Results are bitwise identical for every tile length,
//!   every thread count, every [`Strategy`], and with or without a [`Plan`].
//!   Built-in kernels pad batch tails into full vectors rather than switching
//!   to scalar code. The one exception is the sign and payload of a NaN
//!   result, which Rust leaves unspecified (LLVM may commute the operands of
//!   a multiply or fused multiply-add): a NaN is always a NaN, but not always
//!   the same NaN.
//! - **The same bits across builds with FMA.** Builds with fused
//!   multiply-add (x86-64-v3 or newer, aarch64) compute the same bits
//!   (`tests/fingerprint.rs`). A build without it (baseline x86-64) rounds
//!   each `mul_add` twice, so its results differ; see [Target CPU](#target-cpu).
//! - **Bounded memory.** `apply_into` allocates per worker one scratch of
//!   O(tile + k), reused for all of its tiles: never O(N).
//! - **Special values.** NaN and ±inf reach the kernels unchanged. A panic in a
//!   kernel propagates to the caller.
//!
//! # Threads
//!
//! Work runs on the *current* rayon pool; choose the thread count with
//! `pool.install(|| apply_into(...))`.
//!
//! # Target CPU
//!
//! The SIMD kernels use `wide`, which selects its instruction set at
//! **compile time**. Without AVX2/FMA enabled, `f64x4` is emulated with SSE2
//! pairs and fused multiply-adds are a multiply and an add (two roundings):
//! several times slower, with other bits and the kernels' accuracy bounds
//! not promised. A crate that uses splitapply should build with
//!
//! ```text
//! RUSTFLAGS="-C target-cpu=native" cargo build --release
//! ```
//!
//! (or put `rustflags = ["-C", "target-cpu=native"]` under `[build]` in its
//! `.cargo/config.toml`; use `x86-64-v3` for binaries shipped to other AVX2
//! machines). [`simd_info()`] reports what the build uses next to what the CPU
//! offers, with a warning when they differ.

mod alloc;
mod engine;
mod error;
pub mod float;
mod grouping_path;
mod index;
mod kernel;
pub mod kernels;
mod prefetch;
mod rolling;
mod simd_info;
mod strategy;
mod table;

pub use engine::{CacheSizes, Engine, Groups, Plan, cache_sizes};
pub use error::Error;
pub use float::Float;
pub use grouping_path::GroupingPath;
pub use index::Index;
pub use kernel::{Family, FnKernel, Kernel};
pub use rolling::rolling_mean;
pub use simd_info::{Feature, SimdInfo, simd_info};
pub use strategy::Strategy;
pub use table::FuncTable;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// Evaluates `out[i] = table[idx[i]](x[i])` into a caller's buffer, with the
/// default [`Engine`].
///
/// # Errors
/// See [`Engine::apply_into`]; on error `out` is untouched.
///
/// # Examples
/// ```
/// use splitapply::{apply_into, FuncTable};
/// let mut table = FuncTable::<f32>::new();
/// table.push_fn(|x| x + 1.0);
/// table.push_fn(|x| -x);
/// let mut out = [0.0f32; 3];
/// apply_into(&table, &[1i32, 0, 1], &[1.0, 2.0, 3.0], &mut out)?;
/// assert_eq!(out, [-1.0, 3.0, -3.0]);
///
/// let err = apply_into(&table, &[0i32, 5, 1], &[1.0, 2.0, 3.0], &mut out).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "function index at position 1 is 5, but the table has only 2 functions (valid: 0..2)"
/// );
/// assert_eq!(out, [-1.0, 3.0, -3.0]); // untouched
/// # Ok::<(), splitapply::Error>(())
/// ```
pub fn apply_into<T: Float, I: Index>(
    table: &FuncTable<T>,
    idx: &[I],
    x: &[T],
    out: &mut [T],
) -> Result<(), Error> {
    Engine::new().apply_into(table, idx, x, out)
}

/// Evaluates `table[idx[i]](x[i])` for every `i` into a new vector, with the
/// default [`Engine`].
///
/// # Errors
/// See [`Engine::apply_into`].
///
/// # Examples
/// ```
/// use splitapply::{apply, FuncTable};
/// use splitapply::kernels::{Sqrt, Affine};
/// let mut table = FuncTable::<f64>::new();
/// table.push(Sqrt::new());
/// table.push(Affine::new(0.5, 0.0));
/// let out = apply(&table, &[0u64, 1], &[9.0, 9.0])?;
/// assert_eq!(out, vec![3.0, 4.5]);
/// # Ok::<(), splitapply::Error>(())
/// ```
pub fn apply<T: Float, I: Index>(
    table: &FuncTable<T>,
    idx: &[I],
    x: &[T],
) -> Result<Vec<T>, Error> {
    Engine::new().apply(table, idx, x)
}
