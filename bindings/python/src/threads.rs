//! The `threads=` argument: one rayon pool per thread count, built on first
//! use and kept.
//!
//! The module never runs on rayon's global pool, because a process forked
//! after the global pool started (`multiprocessing` with the `fork` start
//! method) would inherit a pool whose threads do not exist in the child,
//! and hang. The module registers [`forget_pools_after_fork`] with
//! `os.register_at_fork`, so in the child of every fork the inherited pools
//! are leaked, never used or dropped, and the child builds its own.
//!
//! At most [`MAX_POOLS`] pools are kept (the most recently used), and a
//! pool has at most [`MAX_THREADS`] threads.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use rayon::{ThreadPool, ThreadPoolBuilder};

/// Incremented in the child of each fork; pools of an older generation
/// belong to the parent.
static GENERATION: AtomicU64 = AtomicU64::new(0);

/// Pools kept for reuse; a program that sweeps over thread counts does not
/// keep every count's threads alive.
const MAX_POOLS: usize = 4;

/// The largest `threads=` accepted.
const MAX_THREADS: i64 = 1024;

/// `(generation, threads, pool)`, most recently used last.
type Pools = Vec<(u64, usize, Arc<ThreadPool>)>;
static POOLS: Mutex<Pools> = Mutex::new(Vec::new());

/// The pool for `threads` workers (`None`: one per core).
///
/// The caller holds the GIL, and `os.fork` holds it too, so no fork can
/// happen while the lock is held.
pub(crate) fn pool(threads: Option<i64>) -> PyResult<Arc<ThreadPool>> {
    let n = match threads {
        Some(n) if !(1..=MAX_THREADS).contains(&n) => {
            return Err(PyValueError::new_err(format!(
                "threads must be from 1 to {MAX_THREADS}, got {n}"
            )));
        }
        Some(n) => n as usize,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let generation = GENERATION.load(Ordering::Acquire);
    let mut pools = POOLS.lock().unwrap_or_else(|e| e.into_inner());
    if pools.first().is_some_and(|p| p.0 != generation) {
        for stale in pools.drain(..) {
            std::mem::forget(stale);
        }
    }
    if let Some(at) = pools.iter().position(|p| p.1 == n) {
        let entry = pools.remove(at);
        let pool = Arc::clone(&entry.2);
        pools.push(entry);
        return Ok(pool);
    }
    let pool = ThreadPoolBuilder::new()
        .num_threads(n)
        .thread_name(|i| format!("splitapply-{i}"))
        .build()
        .map_err(|e| PyRuntimeError::new_err(format!("could not start {n} threads: {e}")))?;
    let pool = Arc::new(pool);
    if pools.len() == MAX_POOLS {
        // Its threads end once no call holds it any more.
        pools.remove(0);
    }
    pools.push((generation, n, Arc::clone(&pool)));
    Ok(pool)
}

/// Marks every pool as the parent's; registered with `os.register_at_fork`.
#[pyfunction]
fn forget_pools_after_fork() {
    GENERATION.fetch_add(1, Ordering::AcqRel);
}

/// `os.register_at_fork(after_in_child=forget_pools_after_fork)`, where
/// the platform forks.
pub(crate) fn register_fork_handler(py: Python<'_>) -> PyResult<()> {
    let os = py.import("os")?;
    if os.hasattr("register_at_fork")? {
        let kwargs = PyDict::new(py);
        kwargs.set_item(
            "after_in_child",
            wrap_pyfunction!(forget_pools_after_fork, py)?,
        )?;
        os.call_method("register_at_fork", (), Some(&kwargs))?;
    }
    Ok(())
}
