//! Index types (function numbers) and their validation.
//!
//! Any of `u8`, `u16`, `u32`, `u64`, `usize`, `i8`, `i16`, `i32` and `i64`
//! can number the functions; numpy hands out `i64`. Validation is a single vectorisable
//! max-reduction over the raw values. Negative values of signed types are
//! sign-extended into huge unsigned ones, so one comparison against `k`
//! catches both "too large" and "negative". Only when that fails is the slice
//! scanned again for the first offending position, to name it in the error.

use rayon::prelude::*;

use crate::error::Error;

mod sealed {
    /// Seals [`Index`](super::Index), and lets code that cannot be generic
    /// over it (a method of a trait object) see which type a slice holds.
    // `pub` in a private module: unreachable outside the crate, as a
    // sealed trait's supertrait must be.
    #[allow(unreachable_pub)]
    pub trait Sealed: Sized {
        fn index_slice(idx: &[Self]) -> IndexSlice<'_>;
    }

    /// A slice of any index type, named.
    #[allow(unreachable_pub, missing_docs)]
    pub enum IndexSlice<'a> {
        U8(&'a [u8]),
        U16(&'a [u16]),
        U32(&'a [u32]),
        U64(&'a [u64]),
        Usize(&'a [usize]),
        I8(&'a [i8]),
        I16(&'a [i16]),
        I32(&'a [i32]),
        I64(&'a [i64]),
    }
}

pub(crate) use sealed::IndexSlice;

/// An integer type that can hold function numbers.
///
/// Sealed; implemented for `u8`, `u16`, `u32`, `u64`, `usize`, `i8`, `i16`,
/// `i32` and `i64` (every integer dtype numpy has).
pub trait Index: sealed::Sealed + Copy + Send + Sync + std::fmt::Debug + 'static {
    /// The largest function number this type can hold, as a `u64`.
    const MAX_U64: u64;
    /// Whether negative values exist (and must be refused).
    const SIGNED: bool;

    /// The value reinterpreted as `u64`: sign-extended for signed types, so a
    /// negative value becomes larger than any valid `k`.
    fn raw(self) -> u64;
    /// The value as a signed 128-bit integer, for error messages.
    fn to_i128(self) -> i128;
    /// The value as `usize`. Only meaningful once validated against `k`.
    #[inline(always)]
    fn to_usize(self) -> usize {
        self.raw() as usize
    }
}

macro_rules! impl_index {
    ($($t:ty => $signed:literal, $variant:ident),*) => {$(
        impl sealed::Sealed for $t {
            fn index_slice(idx: &[Self]) -> IndexSlice<'_> {
                IndexSlice::$variant(idx)
            }
        }
        impl Index for $t {
            const MAX_U64: u64 = <$t>::MAX as u64;
            const SIGNED: bool = $signed;
            #[inline(always)]
            fn raw(self) -> u64 {
                // Sign extension for signed types is intended: see module docs.
                self as i128 as u64
            }
            #[inline(always)]
            fn to_i128(self) -> i128 {
                self as i128
            }
        }
    )*};
}

impl_index!(u8 => false, U8, u16 => false, U16, u32 => false, U32, u64 => false, U64,
            usize => false, Usize, i8 => true, I8, i16 => true, I16, i32 => true, I32,
            i64 => true, I64);

/// `idx` as a named slice.
pub(crate) fn as_slice<I: Index>(idx: &[I]) -> IndexSlice<'_> {
    <I as sealed::Sealed>::index_slice(idx)
}

/// Below this many indices validation runs on the calling thread.
const PARALLEL_VALIDATION_MIN: usize = 1 << 16;

/// Checks that every index is in `0..k`.
///
/// Returns [`Error::IndexOutOfRange`] naming the first offending position.
/// Skips the scan entirely when the index type cannot hold a value `>= k`.
pub(crate) fn validate<I: Index>(idx: &[I], k: usize) -> Result<(), Error> {
    if !I::SIGNED && I::MAX_U64 < k as u64 {
        return Ok(());
    }
    let max = if idx.len() >= PARALLEL_VALIDATION_MIN && rayon::current_num_threads() > 1 {
        idx.par_chunks(PARALLEL_VALIDATION_MIN)
            .map(max_raw)
            .max()
            .unwrap_or(0)
    } else {
        max_raw(idx)
    };
    if idx.is_empty() || max < k as u64 {
        return Ok(());
    }
    let position = idx
        .iter()
        .position(|i| i.raw() >= k as u64)
        .expect("the maximum is out of range, so some element is");
    Err(Error::IndexOutOfRange {
        position,
        value: idx[position].to_i128(),
        k,
    })
}

/// The largest raw value in `idx` (0 when empty). Branch-free so LLVM
/// vectorises it.
fn max_raw<I: Index>(idx: &[I]) -> u64 {
    idx.iter().fold(0u64, |m, i| m.max(i.raw()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_values_are_refused_with_position() {
        let idx: Vec<i64> = vec![0, 1, -3, 2];
        match validate(&idx, 4) {
            Err(Error::IndexOutOfRange { position, value, k }) => {
                assert_eq!((position, value, k), (2, -3, 4));
            }
            other => panic!("expected IndexOutOfRange, got {other:?}"),
        }
    }

    #[test]
    fn u8_with_large_k_needs_no_scan() {
        let idx: Vec<u8> = vec![255; 10];
        assert!(validate(&idx, 256).is_ok());
        assert!(validate(&idx, 255).is_err());
    }

    #[test]
    fn first_offender_is_named() {
        let mut idx = vec![0u32; 200_000];
        idx[150_000] = 9;
        idx[190_000] = 7;
        match validate(&idx, 5) {
            Err(Error::IndexOutOfRange {
                position, value, ..
            }) => {
                assert_eq!((position, value), (150_000, 9));
            }
            other => panic!("expected IndexOutOfRange, got {other:?}"),
        }
    }
}
