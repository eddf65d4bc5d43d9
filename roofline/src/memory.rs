//! Memory roofs: STREAM Copy/Scale/Add/Triad on arrays at least 4x the
//! last-level cache, and a Triad working-set sweep from L1 to DRAM.
//!
//! Byte convention (STREAM's): only the explicit reads and writes count,
//! 16 B per element for Copy and Scale, 24 B for Add and Triad. Write-allocate
//! traffic is not counted, although these loops use ordinary stores and so
//! the hardware also reads each written line first (Triad really moves
//! 32 B per element). The kernels' bytes-per-element models follow the same
//! convention, so the ratios between them are fair.
//!
//! Every thread works on its own arrays, allocated and first touched by
//! that thread, and all threads start together through `broadcast`.

use std::hint::black_box;
use std::sync::Mutex;
use std::time::Instant;

use crate::timing::measure;

/// Best-of-N STREAM bandwidths at one thread count, in GB/s (10^9 B/s).
#[derive(Debug, Clone)]
pub(crate) struct Stream {
    pub threads: usize,
    pub copy: f64,
    pub scale: f64,
    pub add: f64,
    pub triad: f64,
    /// Bytes in each of the three arrays (all threads together).
    pub array_bytes: usize,
}

impl Stream {
    /// Keeps the better figure of each kernel: STREAM runs at the start and
    /// at the end of the report, so that a burst of noise from other tenants
    /// cannot lower the roof that every kernel is judged against.
    pub(crate) fn merge_best(&mut self, other: &Stream) {
        self.copy = self.copy.max(other.copy);
        self.scale = self.scale.max(other.scale);
        self.add = self.add.max(other.add);
        self.triad = self.triad.max(other.triad);
    }

    /// The DRAM roof: the best of the four, since a roof is an upper bound.
    pub(crate) fn best(&self) -> f64 {
        self.copy.max(self.scale).max(self.add).max(self.triad)
    }
}

/// One point of the working-set sweep.
#[derive(Debug, Clone)]
pub(crate) struct SweepPoint {
    pub threads: usize,
    /// Triad working set (three arrays) of each thread, in bytes (nominal:
    /// the arrays hold `bytes / 24` elements each).
    pub bytes_per_thread: usize,
    /// Median Triad bandwidth of all threads together, GB/s.
    pub gbps: f64,
}

/// One thread's three arrays.
struct Arrays {
    a: Vec<f64>,
    b: Vec<f64>,
    c: Vec<f64>,
}

impl Arrays {
    fn new(len: usize) -> Arrays {
        Arrays {
            a: vec![1.0; len],
            b: vec![2.0; len],
            c: vec![0.5; len],
        }
    }
}

/// The four STREAM kernels. Copy adds +0.0 so that the compiler cannot turn
/// it into a `memcpy` call, whose non-temporal stores would break the byte
/// convention; the add is free next to the memory traffic.
#[derive(Clone, Copy)]
enum Op {
    Copy,
    Scale,
    Add,
    Triad,
}

impl Op {
    fn bytes_per_element(self) -> usize {
        match self {
            Op::Copy | Op::Scale => 16,
            Op::Add | Op::Triad => 24,
        }
    }

    fn run(self, arrays: &mut Arrays, q: f64) {
        let Arrays { a, b, c } = arrays;
        match self {
            Op::Copy => c.iter_mut().zip(a.iter()).for_each(|(c, &a)| *c = a + 0.0),
            Op::Scale => b.iter_mut().zip(c.iter()).for_each(|(b, &c)| *b = q * c),
            Op::Add => c
                .iter_mut()
                .zip(a.iter().zip(b.iter()))
                .for_each(|(c, (&a, &b))| *c = a + b),
            Op::Triad => a
                .iter_mut()
                .zip(b.iter().zip(c.iter()))
                .for_each(|(a, (&b, &c))| *a = b + q * c),
        }
        black_box(arrays);
    }
}

/// Per-thread arrays, allocated by the thread that will use them.
struct PerThread {
    arrays: Vec<Mutex<Arrays>>,
    len: usize,
}

impl PerThread {
    fn new(pool: &rayon::ThreadPool, len: usize) -> PerThread {
        let slots: Vec<Mutex<Option<Arrays>>> = (0..pool.current_num_threads())
            .map(|_| Mutex::new(None))
            .collect();
        pool.broadcast(|ctx| *slots[ctx.index()].lock().unwrap() = Some(Arrays::new(len)));
        PerThread {
            arrays: slots
                .into_iter()
                .map(|s| Mutex::new(s.into_inner().unwrap().unwrap()))
                .collect(),
            len,
        }
    }

    /// Seconds for every thread to run `op` `inner` times on its arrays.
    fn time(&self, pool: &rayon::ThreadPool, op: Op, inner: usize) -> f64 {
        let q = black_box(3.0);
        let start = Instant::now();
        pool.broadcast(|ctx| {
            let mut arrays = self.arrays[ctx.index()].lock().unwrap();
            for _ in 0..inner {
                op.run(&mut arrays, q);
            }
        });
        start.elapsed().as_secs_f64()
    }

    /// GB/s of all threads together for one timing.
    fn gbps(&self, threads: usize, op: Op, inner: usize, secs: f64) -> f64 {
        (threads * inner * self.len * op.bytes_per_element()) as f64 / secs / 1e9
    }
}

/// STREAM with each array `array_bytes` in total, split over the pool's
/// threads; the best of `reps` timings per kernel.
pub(crate) fn stream(pool: &rayon::ThreadPool, array_bytes: usize, reps: usize) -> Stream {
    let threads = pool.current_num_threads();
    let per_thread = PerThread::new(pool, array_bytes / 8 / threads);
    let best = |op: Op| {
        (0..reps.max(1))
            .map(|_| per_thread.gbps(threads, op, 1, per_thread.time(pool, op, 1)))
            .fold(0.0, f64::max)
    };
    // The first pass of each kernel also settles the page tables.
    Stream {
        threads,
        copy: best(Op::Copy),
        scale: best(Op::Scale),
        add: best(Op::Add),
        triad: best(Op::Triad),
        array_bytes: per_thread.len * 8 * threads,
    }
}

/// Triad bandwidth of one working set of the sweep: `bytes` per thread.
/// Each timing moves at least `bytes_per_timing` per thread (small sets
/// repeat the kernel), median of `reps` after a warm-up.
pub(crate) fn sweep_point(
    pool: &rayon::ThreadPool,
    bytes: usize,
    bytes_per_timing: usize,
    reps: usize,
) -> SweepPoint {
    let threads = pool.current_num_threads();
    let per_thread = PerThread::new(pool, bytes / 24);
    let inner = bytes_per_timing.div_ceil(bytes).max(1);
    let sample = measure(reps, || {
        per_thread.time(pool, Op::Triad, inner);
    });
    SweepPoint {
        threads,
        bytes_per_thread: bytes,
        gbps: per_thread.gbps(threads, Op::Triad, inner, sample.median()),
    }
}

/// Bandwidth of each cache level from the sweep: the best rate among the
/// working sets that fit the level but not the one below (per thread for
/// the private L1 and L2, all threads together for the shared last level).
pub(crate) fn level_bandwidths(
    sweep: &[SweepPoint],
    caches: &splitapply::CacheSizes,
) -> [Option<f64>; 3] {
    let best = |fits: &dyn Fn(&SweepPoint) -> bool| {
        sweep
            .iter()
            .filter(|p| fits(p))
            .map(|p| p.gbps)
            .fold(None, |acc: Option<f64>, g| {
                Some(acc.map_or(g, |a| a.max(g)))
            })
    };
    let l1 = best(&|p| p.bytes_per_thread <= caches.l1d);
    let l2 = best(&|p| p.bytes_per_thread > caches.l1d && p.bytes_per_thread <= caches.l2);
    let l3 =
        best(&|p| p.bytes_per_thread > caches.l2 && p.bytes_per_thread * p.threads <= caches.llc);
    [l1, l2, l3]
}
