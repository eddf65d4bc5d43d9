//! The tile-length sweep and the thread scaling of the workloads
//! catalogue: every workload an engine can apply (all but those defined
//! through a reused `Plan`), and the rolling mean.
//!
//! Each workload carries its reference result, computed once by the
//! naive loop; every timing is preceded by a run checked against it, so a
//! fast wrong answer is never timed.

use splitapply::{Engine, Strategy};
use splitapply_workloads::{
    NAMES, ROLLING_NAME, RollingWorkload, Workload, check, reference, rolling_reference,
    rolling_workload, through_plan, workload,
};

use crate::timing::{Sample, measure};

/// The workloads of the tile sweep: the seed's k = 250 closures (W1) and
/// the k = 250 Exp / Poly8 kernels (W2), a cheap and a costly function per
/// point.
pub(crate) const TILE_WORKLOADS: [&str; 2] = ["W1", "W2"];

/// The names of the sweeps' workloads, in report order: the catalogue's,
/// then the rolling mean.
pub(crate) fn sweep_names() -> Vec<&'static str> {
    NAMES
        .into_iter()
        .filter(|&name| !through_plan(name))
        .chain([ROLLING_NAME])
        .collect()
}

/// What a sweep workload runs.
enum Kind {
    Apply(Box<Workload>),
    Rolling(RollingWorkload),
}

/// One workload of the sweeps, with its reference result.
struct SweepWorkload {
    kind: Kind,
    want: Vec<f64>,
}

impl SweepWorkload {
    /// Workload `name` of `sweep_names` at `n` points.
    fn new(name: &str, n: usize) -> SweepWorkload {
        if name == ROLLING_NAME {
            let w = rolling_workload(n);
            let want = rolling_reference(&w.x, w.half_width);
            return SweepWorkload {
                kind: Kind::Rolling(w),
                want,
            };
        }
        let w = workload(name, n).expect("a catalogue name");
        let want = reference(&w.boxed, &w.idx, &w.x);
        SweepWorkload {
            kind: Kind::Apply(Box::new(w)),
            want,
        }
    }

    fn name(&self) -> &'static str {
        match &self.kind {
            Kind::Apply(w) => w.name,
            Kind::Rolling(w) => w.name,
        }
    }

    fn what(&self) -> &'static str {
        match &self.kind {
            Kind::Apply(w) => w.what,
            Kind::Rolling(w) => w.what,
        }
    }

    fn len(&self) -> usize {
        self.want.len()
    }

    /// Bytes per element of the bandwidth bound (explicit traffic): x, a
    /// u32 index and out for an apply; x and out for the rolling mean.
    fn bytes_per_element(&self) -> f64 {
        match self.kind {
            Kind::Apply(_) => 20.0,
            Kind::Rolling(_) => 16.0,
        }
    }

    /// 0 for bitwise; the built-in Exp differs from std by an ULP, and the
    /// rolling mean's sliding sum from the direct one by a few.
    fn max_rel(&self) -> f64 {
        match &self.kind {
            Kind::Apply(w) => w.max_rel,
            Kind::Rolling(w) => w.max_rel,
        }
    }

    /// Runs the workload once on the current pool.
    fn run(&self, engine: &Engine, out: &mut [f64]) {
        match &self.kind {
            Kind::Apply(w) => engine.apply_into(&w.table, &w.idx, &w.x, out).unwrap(),
            Kind::Rolling(w) => splitapply::rolling_mean(&w.x, w.half_width, out).unwrap(),
        }
    }

    /// Runs the workload on `pool` once and checks the result, then times
    /// it.
    fn checked_sample(
        &self,
        pool: &rayon::ThreadPool,
        engine: &Engine,
        out: &mut [f64],
        reps: usize,
    ) -> Sample {
        pool.install(|| self.run(engine, out));
        check(self.name(), out, &self.want, self.max_rel());
        pool.install(|| measure(reps, || self.run(engine, out)))
    }
}

/// The sweeps' workloads at `n` points and one output buffer for them all.
pub(crate) struct SweepWorkloads {
    list: Vec<SweepWorkload>,
    out: Vec<f64>,
}

impl SweepWorkloads {
    /// Builds every workload of `sweep_names` at `n` points.
    pub(crate) fn new(n: usize) -> SweepWorkloads {
        SweepWorkloads {
            list: sweep_names()
                .into_iter()
                .map(|w| SweepWorkload::new(w, n))
                .collect(),
            out: vec![0.0; n],
        }
    }

    /// Workload `name` and the output buffer.
    fn get(&mut self, name: &str) -> (&SweepWorkload, &mut [f64]) {
        let w = self
            .list
            .iter()
            .find(|w| w.name() == name)
            .expect("a workload of sweep_names");
        (w, &mut self.out)
    }
}

/// One point of the tile-length sweep.
#[derive(Debug, Clone)]
pub(crate) struct TilePoint {
    pub workload: &'static str,
    pub what: &'static str,
    pub tile_len: usize,
    pub threads: usize,
    pub n: usize,
    pub sample: Sample,
}

/// Workload `name` with the bucket strategy and tiles of `tile_len`
/// points, on `pool`.
pub(crate) fn tile_point(
    pool: &rayon::ThreadPool,
    workloads: &mut SweepWorkloads,
    name: &str,
    tile_len: usize,
    reps: usize,
) -> TilePoint {
    let (w, out) = workloads.get(name);
    let engine = Engine::new().tile_len(tile_len).strategy(Strategy::Bucket);
    TilePoint {
        workload: w.name(),
        what: w.what(),
        tile_len,
        threads: pool.current_num_threads(),
        n: w.len(),
        sample: w.checked_sample(pool, &engine, out, reps),
    }
}

/// One workload at one thread count.
#[derive(Debug, Clone)]
pub(crate) struct ScalingPoint {
    pub workload: &'static str,
    pub what: &'static str,
    pub threads: usize,
    pub n: usize,
    pub bytes_per_element: f64,
    pub sample: Sample,
}

impl ScalingPoint {
    /// Points per second, in billions.
    pub(crate) fn gelem_per_s(&self) -> f64 {
        self.n as f64 / self.sample.median() / 1e9
    }
}

/// Workload `name` with the automatic strategy and tile, on `pool`.
pub(crate) fn scaling_point(
    pool: &rayon::ThreadPool,
    workloads: &mut SweepWorkloads,
    name: &str,
    reps: usize,
) -> ScalingPoint {
    let (w, out) = workloads.get(name);
    ScalingPoint {
        workload: w.name(),
        what: w.what(),
        threads: pool.current_num_threads(),
        n: w.len(),
        bytes_per_element: w.bytes_per_element(),
        sample: w.checked_sample(pool, &Engine::new(), out, reps),
    }
}
