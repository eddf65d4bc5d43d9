//! The AVX-512 ways to find pieces and fetch their values, chosen at run
//! time (`is_x86_feature_detected!`) when a table is built: `wide` fixes
//! its instruction set at compile time and has neither gathers nor
//! permutes across registers.
//!
//! Both find the piece the portable method finds, lane by lane, by the
//! grid of `grid.rs`:
//!
//! ```text
//! u     = min(max((t - origin) * scale, 0), last)     (NaN -> 0, as there)
//! piece = start[trunc(u)]  (or trunc(u) itself)
//! repeat steps times: piece += (next[piece] <= t)
//! value r of the lane = columns[r][piece]
//! ```
//!
//! - **Registers** (at most 16 pieces in f64, 32 in f32): each column,
//!   `next` and the start table sit in two registers, and every lookup is
//!   one two-register permute (`vpermt2pd` / `vpermt2ps`).
//! - **Gather**: every lookup is a hardware gather. Before the grid's
//!   steps, a vector tries the shortcut its table has: on evenly spaced
//!   thresholds the piece from the arithmetic of `uniform.rs`, on others
//!   from one packed entry per bucket (`entries.rs`); a vector with a lane
//!   either leaves undecided takes the steps. The indices of every gather
//!   are in bounds: buckets are clamped below the number of buckets (the
//!   length of the start table and of the entries); a start, an entry's
//!   start plus one above its bucket's single threshold, and the
//!   arithmetic's piece (clamped) are at most the number of thresholds,
//!   the last piece; and a step never passes the last piece (`next` is NaN
//!   there). In f32 the columns are gathered two at a time, as 64-bit
//!   pairs, and split by permutes.
//!
//! The kernel's arithmetic then runs on the fetched values as `wide`
//! vectors, the same code as in the portable methods.
//!
//! Files: this one walks the points; `registers.rs` and `gather.rs` are
//! the two lookups; `lanes.rs` the register helpers they share.

mod gather;
mod lanes;
mod registers;

use super::table::{Method, Pieces};
use crate::float::{Float, for_each_padded, for_each_padded_into};
use gather::{GatherF32, GatherF64};
use lanes::Lookup;
use registers::{RegistersF32, RegistersF64};

/// Whether this CPU runs the AVX-512 methods (never under Miri, which
/// does not emulate them).
pub(super) fn available() -> bool {
    !cfg!(miri) && std::arch::is_x86_feature_detected!("avx512f")
}

/// The most pieces [`Method::Registers`] handles for `T`: two registers'
/// worth of values.
pub(super) fn register_pieces<T: Float>() -> usize {
    2 * T::WIDE_LANES
}

/// Evaluates `xs` in place when the table uses an AVX-512 method; false
/// (nothing done) otherwise.
#[inline]
pub(super) fn eval_in_place<T: Float, const C: usize>(
    pieces: &Pieces<T, C>,
    xs: &mut [T],
    finish: &impl Fn(T::Wide, [T::Wide; C]) -> T::Wide,
) -> bool {
    if !matches!(pieces.method, Method::Registers | Method::Gather) {
        return false;
    }
    // SAFETY: a table has an AVX-512 method only when `available()` said
    // so when it was built, on this machine.
    unsafe { walk(pieces, Walk::InPlace(xs), finish) };
    true
}

/// [`eval_in_place`] from `src` into `dst` (equal lengths).
#[inline]
pub(super) fn eval<T: Float, const C: usize>(
    pieces: &Pieces<T, C>,
    src: &[T],
    dst: &mut [T],
    finish: &impl Fn(T::Wide, [T::Wide; C]) -> T::Wide,
) -> bool {
    if !matches!(pieces.method, Method::Registers | Method::Gather) {
        return false;
    }
    // SAFETY: as in `eval_in_place`.
    unsafe { walk(pieces, Walk::Into(src, dst), finish) };
    true
}

/// Where the results go.
enum Walk<'a, T> {
    InPlace(&'a mut [T]),
    Into(&'a [T], &'a mut [T]),
}

/// Every wide vector of the walk, through the table's lookup.
///
/// # Safety
/// The CPU must have AVX-512F.
#[target_feature(enable = "avx512f")]
unsafe fn walk<T: Float, const C: usize>(
    pieces: &Pieces<T, C>,
    walk: Walk<'_, T>,
    finish: &impl Fn(T::Wide, [T::Wide; C]) -> T::Wide,
) {
    // Float is sealed to f32 and f64, told apart by their size.
    if T::BYTES == 8 {
        match pieces.method {
            Method::Registers => run(&RegistersF64::new(pieces), walk, finish),
            _ => run(&GatherF64::new(pieces), walk, finish),
        }
    } else {
        match pieces.method {
            Method::Registers => run(&RegistersF32::new(pieces), walk, finish),
            _ => run(&GatherF32::new(pieces), walk, finish),
        }
    }
}

#[target_feature(enable = "avx512f")]
fn run<T: Float, const C: usize>(
    lookup: &impl Lookup<T, C>,
    walk: Walk<'_, T>,
    finish: &impl Fn(T::Wide, [T::Wide; C]) -> T::Wide,
) {
    match walk {
        Walk::InPlace(xs) => for_each_padded(xs, T::WIDE_LANES, |lanes| {
            // SAFETY: AVX-512F is enabled here; a padded walk passes
            // `T::WIDE_LANES` values.
            let values = unsafe { lookup.values(lanes) };
            T::store_wide(finish(T::load_wide(lanes), values), lanes)
        }),
        Walk::Into(src, dst) => for_each_padded_into(src, dst, T::WIDE_LANES, |s, d| {
            // SAFETY: as above.
            let values = unsafe { lookup.values(s) };
            T::store_wide(finish(T::load_wide(s), values), d)
        }),
    }
}
