//! Prefetch hints: the functions of a huge table are cache misses when
//! their points are scattered, and asking for them ahead overlaps the
//! misses with useful work. Hints never change results.

/// Hints the CPU to bring `value` into L1 (a no-op off x86).
#[inline(always)]
pub(crate) fn prefetch<T>(value: &T) {
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    safe_arch::prefetch_t0(value);
    #[cfg(not(any(target_arch = "x86", target_arch = "x86_64")))]
    let _ = value;
}

/// Hints the CPU to bring the object behind a trait object into L1 (a
/// no-op off x86 and on x86 without SSE). `safe_arch` takes only sized
/// references, and the object of a `dyn Kernel` is unsized, hence the raw
/// pointer.
#[inline(always)]
pub(crate) fn prefetch_object<K: ?Sized>(object: &K) {
    let address = object as *const K as *const i8;
    // SAFETY: a prefetch is only a hint: it never faults and never reads
    // memory in the abstract machine, whatever the address (even the
    // dangling one of a zero-sized object; Miri runs this module's tests).
    // The intrinsic needs SSE, part of the x86_64 baseline and checked by
    // `cfg` on x86. (Newer compilers declare it safe; at the minimum
    // supported Rust it is an unsafe fn.)
    #[cfg(target_arch = "x86_64")]
    #[allow(unused_unsafe)]
    unsafe {
        core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(address)
    };
    // SAFETY: as above.
    #[cfg(all(target_arch = "x86", target_feature = "sse"))]
    #[allow(unused_unsafe)]
    unsafe {
        core::arch::x86::_mm_prefetch::<{ core::arch::x86::_MM_HINT_T0 }>(address)
    };
    #[cfg(not(any(
        target_arch = "x86_64",
        all(target_arch = "x86", target_feature = "sse")
    )))]
    let _ = address;
}
