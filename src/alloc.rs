//! Allocations whose size comes from the caller's input (a table's `k`, a
//! plan's arrays, a tile length): refused with
//! [`Error::AllocationFailed`] instead of aborting the process.

use crate::error::Error;

/// Below this many bytes an allocation is not probed: failing it would
/// mean the process is out of memory anyway, and the probe would cost a
/// call to the allocator on every apply.
const PROBE_FROM_BYTES: usize = 64 << 20;

/// Whether `len` values of `T` could be allocated now: asks the allocator
/// for them fallibly and gives them back. Sizes under
/// [`PROBE_FROM_BYTES`] are not probed.
///
/// # Errors
/// [`Error::AllocationFailed`] naming `what`.
pub(crate) fn probe<T>(len: usize, what: &'static str) -> Result<(), Error> {
    let bytes = len.saturating_mul(std::mem::size_of::<T>());
    if bytes < PROBE_FROM_BYTES {
        return Ok(());
    }
    let mut trial: Vec<T> = Vec::new();
    trial
        .try_reserve_exact(len)
        .map_err(|_| Error::AllocationFailed { what, bytes })
}

/// `len` copies of `T::default()` (zeros), or an error when that much
/// memory cannot be had. The memory is first asked for fallibly
/// ([`probe`]), then through `vec!`, which for zeros gets pages the
/// system zeroes lazily: a large, sparsely used vector (a plan's counters
/// for a huge `k`) costs only the pages it touches.
///
/// # Errors
/// [`Error::AllocationFailed`] naming `what`.
pub(crate) fn zeroed<T: Clone + Default>(len: usize, what: &'static str) -> Result<Vec<T>, Error> {
    probe::<T>(len, what)?;
    Ok(vec![T::default(); len])
}
