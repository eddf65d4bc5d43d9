//! Repeated wall-clock timing and per-thread-count rayon pools.
//!
//! The machines this runs on are often shared and noisy, so every figure is
//! the median of several repetitions, reported with its spread, and every
//! ratio in the report is between figures taken in the same run.

use std::time::Instant;

/// Seconds taken by each repetition of one measurement.
#[derive(Debug, Clone)]
pub(crate) struct Sample {
    secs: Vec<f64>,
}

impl Sample {
    /// Median seconds per repetition.
    pub(crate) fn median(&self) -> f64 {
        let mut s = self.secs.clone();
        s.sort_by(f64::total_cmp);
        let m = s.len() / 2;
        if s.len() % 2 == 1 {
            s[m]
        } else {
            0.5 * (s[m - 1] + s[m])
        }
    }

    /// Fastest repetition.
    pub(crate) fn min(&self) -> f64 {
        self.secs.iter().copied().fold(f64::INFINITY, f64::min)
    }

    /// Slowest repetition.
    pub(crate) fn max(&self) -> f64 {
        self.secs.iter().copied().fold(0.0, f64::max)
    }

    /// (max - min) / median: how far to trust the median.
    pub(crate) fn spread(&self) -> f64 {
        (self.max() - self.min()) / self.median()
    }

    /// Number of repetitions.
    pub(crate) fn reps(&self) -> usize {
        self.secs.len()
    }
}

/// Runs `f` once to warm caches, page tables and thread pools, then `reps`
/// timed times.
pub(crate) fn measure(reps: usize, mut f: impl FnMut()) -> Sample {
    f();
    let secs = (0..reps.max(1))
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .collect();
    Sample { secs }
}

/// Times several contenders round-robin: one warm-up each, then `reps`
/// rounds in which each runs once. A burst of noise from other tenants
/// then hits every contender alike, which keeps their ratios honest.
pub(crate) fn measure_interleaved(reps: usize, contenders: &mut [&mut dyn FnMut()]) -> Vec<Sample> {
    for f in contenders.iter_mut() {
        f();
    }
    let mut secs = vec![Vec::with_capacity(reps); contenders.len()];
    for _ in 0..reps.max(1) {
        for (f, s) in contenders.iter_mut().zip(&mut secs) {
            let t = Instant::now();
            f();
            s.push(t.elapsed().as_secs_f64());
        }
    }
    secs.into_iter().map(|secs| Sample { secs }).collect()
}

/// A rayon pool with exactly `threads` workers.
pub(crate) fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("building a rayon pool")
}
