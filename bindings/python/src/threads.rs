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
//!
//! A call too small to split ([`run`] with `inline`) does not go through a
//! pool at all: handing a closure to a pool's thread and waking the caller
//! afterwards costs tens of microseconds, far more than the work. It runs
//! on the calling thread, as the only worker of a one-thread pool built on
//! that thread ([`ThreadPoolBuilder::use_current_thread`]), so the engine
//! sees one thread and stays serial.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

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
        None => cores(),
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

/// One thread per core, asked once: `available_parallelism` reads cgroup
/// files on every call, which costs more than a small `apply`.
fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
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

thread_local! {
    /// This thread's one-thread pool (with the fork generation it was built
    /// in), whose worker is this thread itself.
    static INLINE: RefCell<Option<(u64, ThreadPool)>> = const { RefCell::new(None) };
}

/// Runs `f` on `pool`, or, when `inline`, on the calling thread as a
/// one-thread pool's worker (see the module docs).
pub(crate) fn run<R: Send>(pool: &ThreadPool, inline: bool, f: impl FnOnce() -> R + Send) -> R {
    if !inline {
        return pool.install(f);
    }
    INLINE.with(|cell| {
        let generation = GENERATION.load(Ordering::Acquire);
        let mut slot = cell.borrow_mut();
        if slot.as_ref().is_some_and(|(g, _)| *g != generation) {
            // Built before a fork: leak it, like the shared pools.
            std::mem::forget(slot.take());
        }
        if slot.is_none() {
            let built = ThreadPoolBuilder::new()
                .num_threads(1)
                .use_current_thread()
                .build();
            match built {
                Ok(own) => *slot = Some((generation, own)),
                // This thread cannot host a pool (it is another pool's
                // worker): hand the call over as usual.
                Err(_) => return pool.install(f),
            }
        }
        let (_, own) = slot.as_ref().expect("built above");
        own.install(f)
    })
}
