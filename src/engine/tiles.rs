//! Tiles: how long they are, and running them over the current rayon pool
//! with one scratch per worker.

use rayon::prelude::*;

use super::cache::cache_sizes;
use crate::float::Float;
use crate::index::Index;

/// Bounds for the automatic tile length.
const MIN_AUTO_TILE: usize = 1 << 10;
const MAX_AUTO_TILE: usize = 1 << 16;

/// The tile length for float type `T` and index type `I`: `requested` when
/// it is not 0, or else the number of points whose resident working set
/// fits the L2 cache, a power of two clamped to `1024..=65536`; see
/// [`Engine::effective_tile_len`](super::Engine::effective_tile_len).
pub(super) fn tile_len_for<T: Float, I: Index>(requested: usize) -> usize {
    if requested > 0 {
        return requested.min(u32::MAX as usize);
    }
    let resident_bytes = T::BYTES + 4 + std::mem::size_of::<I>();
    auto_tile_len(cache_sizes().l2, resident_bytes)
}

/// The largest power of two of points whose `resident_bytes` each fit in
/// `l2` bytes, clamped to `1024..=65536`. A power of two keeps tiles
/// aligned to vectors and cache lines.
fn auto_tile_len(l2: usize, resident_bytes: usize) -> usize {
    let fit = l2 / resident_bytes;
    let pow2 = if fit == 0 { 1 } else { 1 << fit.ilog2() };
    pow2.clamp(MIN_AUTO_TILE, MAX_AUTO_TILE)
}

/// Each rayon job should take at least `1 / JOBS_PER_THREAD` of a thread's
/// fair share of tiles: enough jobs for load balancing, few enough that the
/// per-job scratch allocation is negligible.
const JOBS_PER_THREAD: usize = 4;

/// Calls `work(scratch, tile_number, a_tile, b_tile, out_tile)` for
/// consecutive tiles of `tile` points, in parallel on the current rayon pool.
///
/// `make_scratch` is called once per rayon job (a few times per thread), never
/// per tile. With one thread or one tile everything runs on the caller's
/// thread with a single scratch.
pub(super) fn for_each_tile<S, A: Sync, B: Sync, C: Send>(
    tile: usize,
    a: &[A],
    b: &[B],
    out: &mut [C],
    make_scratch: impl Fn() -> S + Sync + Send,
    work: impl Fn(&mut S, usize, &[A], &[B], &mut [C]) + Sync + Send,
) {
    let n = out.len();
    debug_assert!(a.len() == n && b.len() == n);
    if n == 0 {
        return;
    }
    let tile = tile.max(1);
    let tiles = n.div_ceil(tile);
    let threads = rayon::current_num_threads();
    if tiles == 1 || threads == 1 {
        let mut scratch = make_scratch();
        let chunks = a.chunks(tile).zip(b.chunks(tile)).zip(out.chunks_mut(tile));
        for (t, ((a, b), out)) in chunks.enumerate() {
            work(&mut scratch, t, a, b, out);
        }
        return;
    }
    let min_tiles_per_job = (tiles / (threads * JOBS_PER_THREAD)).max(1);
    a.par_chunks(tile)
        .zip(b.par_chunks(tile))
        .zip(out.par_chunks_mut(tile))
        .enumerate()
        .with_min_len(min_tiles_per_job)
        .for_each_init(make_scratch, |scratch, (t, ((a, b), out))| {
            work(scratch, t, a, b, out)
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The documented lengths: 64K at most; 32K for f64 values with i64
    /// indices (20 resident bytes a point) and a 1 MiB L2; 1024 at least.
    #[test]
    fn automatic_tile_lengths_are_as_documented() {
        assert_eq!(auto_tile_len(1 << 20, 8 + 4 + 8), 1 << 15);
        assert_eq!(auto_tile_len(2 << 20, 8 + 4 + 4), 1 << 16);
        assert_eq!(auto_tile_len(64 << 20, 4 + 4 + 1), 1 << 16);
        assert_eq!(auto_tile_len(16 << 10, 20), 1 << 10);
        assert_eq!(auto_tile_len(0, 20), 1 << 10);
        // Miri cannot read the cache sizes from the system.
        if !cfg!(miri) {
            let detected = tile_len_for::<f64, i64>(0);
            assert!(detected.is_power_of_two() && (1024..=65536).contains(&detected));
            assert_eq!(detected, auto_tile_len(cache_sizes().l2, 20));
        }
        // A requested length is taken as is, up to what a u32 slot numbers.
        assert_eq!(tile_len_for::<f32, u8>(777), 777);
        assert_eq!(tile_len_for::<f64, u32>(usize::MAX), u32::MAX as usize);
    }
}
