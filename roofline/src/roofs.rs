//! The roofs at each thread count, and where each measured kernel sits
//! under them.

use splitapply::CacheSizes;

use crate::compute::Compute;
use crate::kernels::{KernelPoint, Mode};
use crate::memory::{self, Stream, SweepPoint};

/// Memory and compute roofs at one thread count. Bandwidths in GB/s,
/// peaks in GFLOP/s.
#[derive(Debug, Clone)]
pub(crate) struct Roofs {
    pub threads: usize,
    pub dram: f64,
    pub l3: Option<f64>,
    pub l2: Option<f64>,
    pub l1: Option<f64>,
    pub compute: Compute,
}

impl Roofs {
    pub(crate) fn new(
        stream: &Stream,
        sweep: &[SweepPoint],
        compute: &Compute,
        caches: &CacheSizes,
    ) -> Roofs {
        let mine: Vec<SweepPoint> = sweep
            .iter()
            .filter(|p| p.threads == stream.threads)
            .cloned()
            .collect();
        let [l1, l2, l3] = memory::level_bandwidths(&mine, caches);
        Roofs {
            threads: stream.threads,
            dram: stream.best(),
            l3,
            l2,
            l1,
            compute: compute.clone(),
        }
    }

    /// The memory level a stream of `bytes` (over all threads) comes from,
    /// and its bandwidth. Up to twice the last-level cache counts as L3: a
    /// victim L3 keeps part of such a stream, and a roof must be an upper
    /// bound.
    pub(crate) fn memory_for(&self, bytes: usize, caches: &CacheSizes) -> (&'static str, f64) {
        let per_thread = bytes / self.threads.max(1);
        if per_thread <= caches.l2 / 2
            && let Some(bw) = self.l2
        {
            return ("L2", bw);
        }
        if bytes <= 2 * caches.llc
            && let Some(bw) = self.l3
        {
            return ("L3", bw);
        }
        ("DRAM", self.dram)
    }

    /// The FMA peak for one float type: the highest compute ceiling.
    pub(crate) fn peak(&self, float: &str) -> f64 {
        self.compute.ceilings(float == "f32").2
    }
}

/// The roof that limits a kernel point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Binding {
    /// The bandwidth of the memory level the data streams from ("DRAM",
    /// "L3", "L2"), as STREAM or the working-set sweep measured it.
    Memory(&'static str),
    /// The same level, at the bandwidth the point's own control loop (same
    /// traffic, same arrays, timed alternately with the kernel) reached,
    /// when that is higher than the level's measured roof.
    Control(&'static str, Mode),
    /// The FMA peak of the float type.
    FmaPeak,
}

impl Binding {
    /// The roof's name as the tables print it, readable without the
    /// prose: "DRAM", "FMA peak", "DRAM (copy, timed alongside)".
    pub(crate) fn label(self) -> String {
        match self {
            Binding::Memory(level) => level.to_string(),
            Binding::Control(level, mode) => {
                format!("{level} ({}, timed alongside)", mode.control())
            }
            Binding::FmaPeak => "FMA peak".to_string(),
        }
    }
}

/// A kernel point read against its roofs.
#[derive(Debug, Clone)]
pub(crate) struct Placement {
    pub binding: Binding,
    /// The binding roof's attainable GFLOP/s at this intensity.
    pub attainable_gflops: f64,
    /// Measured / attainable.
    pub fraction: f64,
    /// True when the point sits above its roof: a measurement error.
    pub above_roof: bool,
    /// True when it sits above by less than the timings' own spread (half
    /// the kernel's plus half the control's): noise, not a broken model.
    pub within_spread: bool,
}

pub(crate) fn place(point: &KernelPoint, roofs: &Roofs, caches: &CacheSizes) -> Placement {
    let (level, level_bw) = roofs.memory_for(point.working_set(), caches);
    // The control loop, timed side by side, saw this much bandwidth: if the
    // machine gave more than the roofs measured, the roof must rise with it.
    let control_bw = point.control_gbps();
    let (memory, bw) = if control_bw > level_bw {
        (Binding::Control(level, point.mode), control_bw)
    } else {
        (Binding::Memory(level), level_bw)
    };
    let memory_bound = point.intensity() * bw;
    let peak = roofs.peak(point.float);
    let (binding, attainable) = if memory_bound <= peak {
        (memory, memory_bound)
    } else {
        (Binding::FmaPeak, peak)
    };
    let fraction = point.gflops() / attainable;
    Placement {
        binding,
        attainable_gflops: attainable,
        fraction,
        above_roof: fraction > 1.0,
        within_spread: fraction - 1.0 <= 0.5 * (point.sample.spread() + point.control.spread()),
    }
}

/// The roofs of the given thread count.
pub(crate) fn at(roofs: &[Roofs], threads: usize) -> &Roofs {
    roofs
        .iter()
        .find(|r| r.threads == threads)
        .expect("roofs measured at every thread count")
}
