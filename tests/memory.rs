//! The memory promises: `apply_into` allocates one scratch of O(tile + k)
//! per worker, never O(N); a `Plan` holds at most 8 bytes per point plus 8
//! per tile. Measured with a counting allocator around each call.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use splitapply::{Engine, FuncTable, Plan};

/// The system allocator, counting the bytes live and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every method forwards to the system allocator with the caller's
// arguments unchanged; the counters only observe.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `alloc`'s contract, which is System's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
            PEAK.fetch_max(live, Ordering::SeqCst);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
        // SAFETY: `ptr` was allocated by `alloc` above, with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
            PEAK.fetch_max(live, Ordering::SeqCst);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The tests share the counters: one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Bytes allocated beyond what was live before `f`, at the peak of `f`.
fn peak_extra(f: impl FnOnce()) -> usize {
    let before = LIVE.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    f();
    PEAK.load(Ordering::SeqCst) - before
}

fn table(k: usize) -> FuncTable<f64> {
    let mut t = FuncTable::with_capacity(k);
    for j in 0..k {
        t.push_fn(move |x: f64| x * j as f64 + 1.0);
    }
    t
}

#[test]
fn apply_allocates_per_worker_not_per_point() {
    use splitapply::Strategy;
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let tile = Engine::new().effective_tile_len::<f64, u32>();
    // Small k takes the partition passes, larger k the counting sort; the
    // table (closures of one type) streams under Auto, groups by type under
    // BucketByType, and goes run by run under Runs.
    for k in [5usize, 250] {
        let t = table(k);
        for strategy in [
            Strategy::Bucket,
            Strategy::Auto,
            Strategy::BucketByType,
            Strategy::Runs,
        ] {
            // One worker's scratch, plus a little for the pool's
            // bookkeeping: for Bucket, the gathered values (8 bytes) and
            // slots (4 bytes) per point of a tile and a counter per
            // function (the partition passes of small k need less: values
            // and a byte per point); for any strategy, at most what the
            // engine checks before a call (two values and 13 bytes a point,
            // a counter per function).
            let per_point = if strategy == Strategy::Bucket {
                8 + 4
            } else {
                2 * 8 + 13
            };
            let scratch = tile * per_point + 4 * k + 16 * 1024;
            for threads in [1usize, 2, 4] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                for n in [1usize << 20, 1 << 22] {
                    let idx: Vec<u32> = (0..n).map(|i| ((i * 7919) % k) as u32).collect();
                    let x: Vec<f64> = (0..n).map(|i| i as f64 * 1e-3).collect();
                    let mut out = vec![0.0; n];
                    let engine = Engine::new().strategy(strategy);
                    // Warm the pool's threads, whose first use allocates.
                    pool.install(|| {
                        engine.apply_into(&t, &idx[..tile], &x[..tile], &mut out[..tile])
                    })
                    .unwrap();
                    let bytes = peak_extra(|| {
                        pool.install(|| engine.apply_into(&t, &idx, &x, &mut out))
                            .unwrap()
                    });
                    // At most one scratch per worker, whatever the number
                    // of points (here 8 and 32 MB of x).
                    assert!(
                        bytes <= threads * scratch,
                        "k={k} {strategy:?} threads={threads} n={n}: {bytes} bytes, \
                         more than {threads} scratches of {scratch}"
                    );
                }
            }
        }
    }
}

#[test]
fn a_plan_holds_at_most_8_bytes_a_point_and_8_a_tile() {
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // The global pool's first use allocates its threads' state.
    drop(Plan::new(&vec![0u32; 1 << 16], 1).unwrap());
    for (k, n) in [(3usize, 100_000usize), (250, 1 << 20), (1 << 20, 1 << 20)] {
        let idx: Vec<u32> = (0..n).map(|i| ((i * 2_654_435_761) % k) as u32).collect();
        // A worker's first plan of a shape may keep a little of its own
        // (the pool's per-thread state): build one first.
        drop(Plan::new(&idx, k).unwrap());
        let before = LIVE.load(Ordering::SeqCst);
        let plan = Plan::new(&idx, k).unwrap();
        let held = LIVE.load(Ordering::SeqCst) - before;
        let tiles = n.div_ceil(plan.tile_len());
        assert!(
            plan.memory_bytes() <= 8 * n + 8 * (tiles + 1),
            "k={k} n={n}: memory_bytes {} for {tiles} tiles",
            plan.memory_bytes()
        );
        // What it reports is what it holds (vectors may round capacity up
        // a little).
        assert!(
            held >= plan.memory_bytes() && held <= plan.memory_bytes() + 4096,
            "k={k} n={n}: holds {held} bytes, reports {}",
            plan.memory_bytes()
        );
    }
}
