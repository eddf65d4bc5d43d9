//! The `threads=` argument: one rayon pool per thread count, built on first
//! use and kept.
//!
//! The module never runs on rayon's global pool, because a process forked
//! after the global pool started (`multiprocessing` with the `fork` start
//! method) would inherit a pool whose threads do not exist in the child,
//! and hang. `splitapply/__init__.py` calls [`forget_pools_after_fork`] in
//! the child of every fork: the inherited pools are leaked, never used or
//! dropped, and the child builds its own.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use rayon::{ThreadPool, ThreadPoolBuilder};

/// Incremented in the child of each fork; pools of an older generation
/// belong to the parent.
static GENERATION: AtomicU64 = AtomicU64::new(0);

/// `(generation, threads, pool)`.
type Pools = Vec<(u64, usize, Arc<ThreadPool>)>;
static POOLS: Mutex<Pools> = Mutex::new(Vec::new());

/// The pool for `threads` workers (`None`: one per core).
///
/// The caller holds the GIL, and `os.fork` holds it too, so no fork can
/// happen while the lock is held.
pub(crate) fn pool(threads: Option<usize>) -> PyResult<Arc<ThreadPool>> {
    let n = match threads {
        Some(0) => return Err(PyValueError::new_err("threads must be at least 1")),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let generation = GENERATION.load(Ordering::Acquire);
    let mut pools = POOLS.lock().unwrap_or_else(|e| e.into_inner());
    if pools.first().is_some_and(|p| p.0 != generation) {
        for stale in pools.drain(..) {
            std::mem::forget(stale);
        }
    }
    if let Some((_, _, pool)) = pools.iter().find(|p| p.1 == n) {
        return Ok(Arc::clone(pool));
    }
    let pool = ThreadPoolBuilder::new()
        .num_threads(n)
        .thread_name(|i| format!("splitapply-{i}"))
        .build()
        .map_err(|e| PyRuntimeError::new_err(format!("could not start {n} threads: {e}")))?;
    let pool = Arc::new(pool);
    pools.push((generation, n, Arc::clone(&pool)));
    Ok(pool)
}

/// Marks every pool as the parent's; registered with `os.register_at_fork`.
#[pyfunction]
pub(crate) fn forget_pools_after_fork() {
    GENERATION.fetch_add(1, Ordering::AcqRel);
}
