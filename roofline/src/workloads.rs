//! The seed workload against its baselines, the tile-length sweep and thread
//! scaling of the performance plan's workloads.
//!
//! Every contender is checked against the naive reference once before it is
//! timed, so a fast wrong answer cannot enter the report.

use std::path::Path;
use std::process::Command;

use splitapply::{Engine, FuncTable, Strategy};

use crate::support::{
    self, argsort_port, check, dyn_loop_parallel, dyn_loop_serial, fused_linear, reference,
    uniform_input,
};
use crate::timing::{Sample, measure, measure_interleaved, pool};

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

/// The seed workload (k = 250 closures f_j(x) = j * x, uniform u32
/// indices): splitapply, the `dyn Fn` loop and the fused bandwidth bound at
/// every thread count; the serial `dyn Fn` loop and the argsort port once.
pub(crate) fn seed_baselines(
    threads: &[usize],
    n: usize,
    argsort_n: usize,
    reps: usize,
    mut progress: impl FnMut(&str),
) -> Vec<Baseline> {
    let support::Workload {
        table,
        boxed,
        idx,
        x,
        ..
    } = support::workload("W1", n).expect("W1 is in the catalogue");
    let want = reference(&boxed, &idx, &x);
    let mut out = vec![0.0; n];
    let mut rows = Vec::new();
    for &t in threads {
        progress(&format!(
            "seed: splitapply, dyn Fn loop, bound on {t} threads"
        ));
        let pool = pool(t);
        let engine = Engine::new();
        let names = [
            "splitapply",
            "dyn Fn loop (rayon)",
            "bandwidth bound (fused loop)",
        ];
        let run = |which: usize, o: &mut [f64]| match which {
            0 => engine.apply_into(&table, &idx, &x, o).unwrap(),
            1 => dyn_loop_parallel(&boxed, &idx, &x, o),
            _ => fused_linear(&idx, &x, o),
        };
        for (which, name) in names.iter().enumerate() {
            pool.install(|| run(which, &mut out));
            check(name, &out, &want, 0.0);
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
        for (name, sample) in names.into_iter().zip(samples) {
            rows.push(Baseline {
                name,
                threads: t,
                n,
                sample,
            });
        }
    }
    progress("seed: dyn Fn loop (serial)");
    dyn_loop_serial(&boxed, &idx, &x, &mut out);
    check("dyn Fn serial", &out, &want, 0.0);
    rows.push(Baseline {
        name: "dyn Fn loop (serial)",
        threads: 1,
        n,
        sample: measure(reps, || dyn_loop_serial(&boxed, &idx, &x, &mut out)),
    });
    // The argsort port is 50-100x slower; a smaller N keeps the run short
    // and it is O(N log N), so per element it only flatters the port.
    progress("seed: argsort port (serial)");
    let m = argsort_n.min(n);
    argsort_port(&boxed, &idx[..m], &x[..m], &mut out[..m]);
    check("argsort port", &out[..m], &want[..m], 0.0);
    rows.push(Baseline {
        name: "argsort port (serial)",
        threads: 1,
        n: m,
        sample: measure(reps.min(3), || {
            argsort_port(&boxed, &idx[..m], &x[..m], &mut out[..m])
        }),
    });
    rows
}

/// The numpy originals, timed by benches/numpy_baseline.py.
#[derive(Debug, Clone)]
pub(crate) enum Numpy {
    Measured {
        n: usize,
        seed_ns: f64,
        /// (half-width, ns/element, relative error) of the cumsum idiom.
        rolling: Vec<(usize, f64, f64)>,
    },
    NotMeasured(String),
}

/// Runs the numpy script with `--json`; says why when it cannot.
pub(crate) fn numpy(n: usize, repeats: usize) -> Numpy {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../benches/numpy_baseline.py");
    let out = Command::new("python3")
        .arg(&script)
        .args([
            "--json",
            "--n",
            &n.to_string(),
            "--rolling-n",
            &n.to_string(),
        ])
        .args(["--repeats", &repeats.to_string()])
        .output();
    let out = match out {
        Ok(o) if o.status.success() => o,
        Ok(o) => {
            return Numpy::NotMeasured(format!(
                "numpy_baseline.py failed: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            ));
        }
        Err(e) => return Numpy::NotMeasured(format!("python3 not available ({e})")),
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let parsed: serde_json::Value = match serde_json::from_str(text.trim()) {
        Ok(v) => v,
        Err(e) => return Numpy::NotMeasured(format!("unreadable numpy_baseline.py output ({e})")),
    };
    if let Some(reason) = parsed["not_measured"].as_str() {
        return Numpy::NotMeasured(reason.to_string());
    }
    let rolling = parsed["rolling"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .filter_map(|r| {
                    Some((
                        r["half_window"].as_u64()? as usize,
                        r["ns_per_element"].as_f64()?,
                        r["max_rel_error"].as_f64()?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    match parsed["seed_ns_per_element"].as_f64() {
        Some(seed_ns) => Numpy::Measured {
            n,
            seed_ns,
            rolling,
        },
        None => Numpy::NotMeasured("numpy_baseline.py gave no seed time".into()),
    }
}

/// One point of the tile-length sweep.
#[derive(Debug, Clone)]
pub(crate) struct TilePoint {
    pub workload: &'static str,
    pub tile_len: usize,
    pub threads: usize,
    pub n: usize,
    pub sample: Sample,
}

/// The workloads of the tile sweep and the scaling runs.
pub(crate) struct Workload {
    pub name: &'static str,
    pub what: &'static str,
    pub table: FuncTable<f64>,
    pub idx: Vec<u32>,
    pub x: Vec<f64>,
    pub want: Vec<f64>,
    /// 0 for bitwise; the built-in Exp differs from std by an ULP.
    pub max_rel: f64,
    /// Bytes per element of the bandwidth bound (explicit traffic).
    pub bytes_per_element: f64,
    /// Rolling mean half-width: the workload is `rolling_mean`, not `apply`.
    pub rolling: Option<usize>,
}

impl Workload {
    /// A catalogue workload, with its reference computed once.
    fn apply(w: support::Workload) -> Workload {
        let want = reference(&w.boxed, &w.idx, &w.x);
        Workload {
            name: w.name,
            what: w.what,
            table: w.table,
            idx: w.idx,
            x: w.x,
            want,
            max_rel: w.max_rel,
            bytes_per_element: 20.0,
            rolling: None,
        }
    }

    /// Runs the workload once on the current pool.
    pub(crate) fn run(&self, engine: &Engine, out: &mut [f64]) {
        match self.rolling {
            Some(w) => splitapply::rolling_mean(&self.x, w, out).unwrap(),
            None => engine
                .apply_into(&self.table, &self.idx, &self.x, out)
                .unwrap(),
        }
    }

    /// Runs the workload on `pool` once and checks the result, then times
    /// it: a fast wrong answer is never timed.
    fn checked_sample(
        &self,
        pool: &rayon::ThreadPool,
        engine: &Engine,
        out: &mut [f64],
        reps: usize,
    ) -> Sample {
        pool.install(|| self.run(engine, out));
        check(self.name, out, &self.want, self.max_rel);
        pool.install(|| measure(reps, || self.run(engine, out)))
    }
}

/// Every workload of the catalogue but W5 (W2's table through a plan, which
/// the engine alone cannot run), and the rolling mean, at N points.
pub(crate) fn workloads(n: usize) -> Vec<Workload> {
    let mut list: Vec<Workload> = support::NAMES
        .iter()
        .filter_map(|&name| support::workload(name, n))
        .filter(|w| !w.through_plan)
        .map(Workload::apply)
        .collect();
    let walk: Vec<f64> = {
        let (_, steps) = uniform_input(n, 1, 5);
        steps
            .iter()
            .scan(0.0, |s, &v| {
                *s += v;
                Some(*s)
            })
            .collect()
    };
    let w = 10;
    let want = rolling_reference(&walk, w);
    list.push(Workload {
        name: "Rolling",
        what: "rolling mean w=10",
        table: FuncTable::new(),
        idx: Vec::new(),
        x: walk,
        want,
        max_rel: 1e-12,
        bytes_per_element: 16.0,
        rolling: Some(w),
    });
    list
}

/// Direct summation of each edge-padded window.
fn rolling_reference(x: &[f64], w: usize) -> Vec<f64> {
    let n = x.len() as isize;
    let at = |i: isize| x[i.clamp(0, n - 1) as usize];
    (0..n)
        .map(|i| (i - w as isize..=i + w as isize).map(at).sum::<f64>() / (2 * w + 1) as f64)
        .collect()
}

/// Time against tile length for W1 and W2 on `pool`.
pub(crate) fn tile_sweep(
    pool: &rayon::ThreadPool,
    workloads: &[Workload],
    tile_lens: &[usize],
    reps: usize,
    mut progress: impl FnMut(&str),
) -> Vec<TilePoint> {
    let mut points = Vec::new();
    let mut out = vec![0.0; workloads[0].x.len()];
    for w in workloads.iter().filter(|w| matches!(w.name, "W1" | "W2")) {
        for &tile_len in tile_lens {
            progress(&format!("tile sweep: {} tile {tile_len}", w.name));
            let engine = Engine::new().tile_len(tile_len).strategy(Strategy::Bucket);
            let sample = w.checked_sample(pool, &engine, &mut out, reps);
            points.push(TilePoint {
                workload: w.name,
                tile_len,
                threads: pool.current_num_threads(),
                n: w.x.len(),
                sample,
            });
        }
    }
    points
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

/// Each workload at each thread count, automatic strategy and tile.
pub(crate) fn scaling(
    threads: &[usize],
    workloads: &[Workload],
    reps: usize,
    mut progress: impl FnMut(&str),
) -> Vec<ScalingPoint> {
    let mut points = Vec::new();
    let mut out = vec![0.0; workloads[0].x.len()];
    let engine = Engine::new();
    for &t in threads {
        let pool = pool(t);
        for w in workloads {
            progress(&format!("scaling: {} on {t} threads", w.name));
            let sample = w.checked_sample(&pool, &engine, &mut out, reps);
            points.push(ScalingPoint {
                workload: w.name,
                what: w.what,
                threads: t,
                n: w.x.len(),
                bytes_per_element: w.bytes_per_element,
                sample,
            });
        }
    }
    points
}
