//! The seed workload (k = 250 closures f_j(x) = j * x over uniform u32
//! indices, the catalogue's W1) against the baselines a user would
//! otherwise pick: splitapply, the `dyn Fn` loop and the fused bandwidth
//! bound at each thread count; the serial `dyn Fn` loop and the argsort
//! port once.
//!
//! Every contender is checked against the naive reference once before it
//! is timed, so a fast wrong answer cannot enter the report.

use splitapply::Engine;
use splitapply_workloads::{
    Workload, argsort_port, check, dyn_loop_parallel, dyn_loop_serial, fused_linear, reference,
    workload,
};

use crate::timing::{Sample, measure, measure_interleaved};

/// The seed workload's name in the catalogue.
const SEED: &str = "W1";

/// One contender on the seed workload.
#[derive(Debug, Clone)]
pub(crate) struct Baseline {
    pub name: &'static str,
    pub threads: usize,
    pub n: usize,
    pub sample: Sample,
}

impl Baseline {
    pub(crate) fn ns_per_element(&self) -> f64 {
        self.sample.median() * 1e9 / self.n as f64
    }
}

/// The seed workload with its reference result and an output buffer.
pub(crate) struct Seed {
    workload: Workload,
    want: Vec<f64>,
    out: Vec<f64>,
}

impl Seed {
    /// The seed workload at `n` points.
    pub(crate) fn new(n: usize) -> Seed {
        let workload = workload(SEED, n).expect("the seed workload is in the catalogue");
        let want = reference(&workload.boxed, &workload.idx, &workload.x);
        Seed {
            workload,
            want,
            out: vec![0.0; n],
        }
    }

    /// splitapply, the `dyn Fn` loop on rayon and the fused bandwidth
    /// bound on `pool`, timed in turn within each repetition.
    pub(crate) fn parallel(&mut self, pool: &rayon::ThreadPool, reps: usize) -> Vec<Baseline> {
        let Workload {
            table,
            boxed,
            idx,
            x,
            ..
        } = &self.workload;
        let n = x.len();
        let engine = Engine::new();
        let names = [
            "splitapply",
            "dyn Fn loop (rayon)",
            "bandwidth bound (fused loop)",
        ];
        let run = |which: usize, o: &mut [f64]| match which {
            0 => engine.apply_into(table, idx, x, o).unwrap(),
            1 => dyn_loop_parallel(boxed, idx, x, o),
            _ => fused_linear(idx, x, o),
        };
        for (which, name) in names.iter().enumerate() {
            pool.install(|| run(which, &mut self.out));
            check(name, &self.out, &self.want, 0.0);
        }
        let samples = pool.install(|| {
            let (mut o0, mut o1, mut o2) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
            measure_interleaved(
                reps,
                &mut [
                    &mut || run(0, &mut o0),
                    &mut || run(1, &mut o1),
                    &mut || run(2, &mut o2),
                ],
            )
        });
        names
            .into_iter()
            .zip(samples)
            .map(|(name, sample)| Baseline {
                name,
                threads: pool.current_num_threads(),
                n,
                sample,
            })
            .collect()
    }

    /// The `dyn Fn` loop on the calling thread.
    pub(crate) fn serial(&mut self, reps: usize) -> Baseline {
        let Workload { boxed, idx, x, .. } = &self.workload;
        dyn_loop_serial(boxed, idx, x, &mut self.out);
        check("dyn Fn serial", &self.out, &self.want, 0.0);
        Baseline {
            name: "dyn Fn loop (serial)",
            threads: 1,
            n: x.len(),
            sample: measure(reps, || dyn_loop_serial(boxed, idx, x, &mut self.out)),
        }
    }

    /// The argsort port on the calling thread, over the first `argsort_n`
    /// points: it is 50-100x slower, so a smaller N keeps the run short,
    /// and it is O(N log N), so per element a smaller N only flatters it.
    pub(crate) fn argsort(&mut self, argsort_n: usize, reps: usize) -> Baseline {
        let Workload { boxed, idx, x, .. } = &self.workload;
        let m = argsort_n.min(x.len());
        let out = &mut self.out[..m];
        argsort_port(boxed, &idx[..m], &x[..m], out);
        check("argsort port", out, &self.want[..m], 0.0);
        Baseline {
            name: "argsort port (serial)",
            threads: 1,
            n: m,
            sample: measure(reps.min(3), || argsort_port(boxed, &idx[..m], &x[..m], out)),
        }
    }
}
