//! Every kernel row (`splitapply_workloads::kernel_rows`: each built-in
//! kernel's registry sample, then splines and interpolations of 128 pieces
//! on uniform and on irregular breaks), alone (a single-function map over
//! all points) and inside `apply` (k = `K` = 250 instances, the workloads'
//! table size, with different parameters where the kernel has any, pushed
//! with their own types as a user would; uniform indices), for f64 and
//! f32; and the rolling mean as one more kernel.
//! Instances of a kernel without parameters (`Exp`, `Sqrt`, ...) are one
//! function to the engine, which then maps them.
//!
//! Bytes-per-element model (explicit traffic, as STREAM counts it):
//! - map: read x, write out: `2 * size_of::<T>()` (16 B for f64);
//! - apply: read x and a u32 index, write out: `2 * size_of::<T>() + 4`
//!   (20 B for f64). The engine's extra passes over cached tiles are not
//!   DRAM traffic and are not counted;
//! - rolling mean: read data, write out, as for a map.
//!
//! FLOPs per element are the kernels' own `flops_per_element` declarations.
//!
//! Each kernel is timed alternately with a *control*: a plain streaming loop
//! with the same traffic over the same arrays (a copy for a map, the fused
//! `out[i] = idx[i] as T * x[i]` for `apply`). On a shared machine the
//! bandwidth available moves during a run (other tenants, vCPUs moved
//! between core complexes), so the control, timed side by side, keeps the
//! memory roof an upper bound for that very measurement.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;
use splitapply::{Engine, Float, FuncTable, Strategy};
use splitapply_workloads::{K, KernelRow};

use crate::timing::{Sample, measure_interleaved};

/// The kernel rows, in report order; the report names each by its label
/// (`Poly8`: the degree-8 sample polynomials). Every row's instances suit
/// the inputs' range [0.1, 2.1).
pub(crate) fn kernel_rows() -> Vec<KernelRow> {
    splitapply_workloads::kernel_rows()
}

/// Half-widths of the rolling mean rows.
pub(crate) const ROLLING_HALF_WIDTHS: &[usize] = &[10, 500];

/// How a kernel was run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// One kernel over all points.
    Map,
    /// `apply` with k = `K` instances, uniform u32 indices.
    Apply,
}

impl Mode {
    /// "map" or "apply".
    pub(crate) fn name(self) -> &'static str {
        match self {
            Mode::Map => "map",
            Mode::Apply => "apply",
        }
    }

    /// The name with the table size: "map" or "apply k=250".
    pub(crate) fn label(self) -> String {
        match self {
            Mode::Map => "map".into(),
            Mode::Apply => format!("apply k={K}"),
        }
    }

    /// The control loop timed alongside the kernel, in a few words.
    pub(crate) fn control(self) -> &'static str {
        match self {
            Mode::Map => "copy",
            Mode::Apply => "idx*x loop",
        }
    }
}

/// The float types the kernels are measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FloatType {
    F64,
    F32,
}

impl FloatType {
    /// "f64" or "f32", as the report names the float types.
    pub(crate) fn name(self) -> &'static str {
        match self {
            FloatType::F64 => "f64",
            FloatType::F32 => "f32",
        }
    }
}

/// One measured kernel: what it is, how it ran, and its time.
#[derive(Debug, Clone)]
pub(crate) struct KernelPoint {
    pub kernel: String,
    pub float: &'static str,
    pub mode: Mode,
    pub threads: usize,
    pub n: usize,
    pub flops_per_element: f64,
    pub bytes_per_element: f64,
    pub sample: Sample,
    /// The streaming loop with the same bytes per element, timed
    /// alternately with the kernel.
    pub control: Sample,
    /// How `apply` evaluated the table (the strategy `Engine` chose, and
    /// for grouping strategies the instruction-set path of the grouping
    /// passes); "-" for a map.
    pub route: String,
}

impl KernelPoint {
    /// GB/s of the control loop.
    pub(crate) fn control_gbps(&self) -> f64 {
        self.bytes_per_element * self.n as f64 / self.control.median() / 1e9
    }

    /// FLOPs per byte.
    pub(crate) fn intensity(&self) -> f64 {
        self.flops_per_element / self.bytes_per_element
    }

    pub(crate) fn gflops(&self) -> f64 {
        self.flops_per_element * self.n as f64 / self.sample.median() / 1e9
    }

    pub(crate) fn gbps(&self) -> f64 {
        self.bytes_per_element * self.n as f64 / self.sample.median() / 1e9
    }

    pub(crate) fn ns_per_element(&self) -> f64 {
        self.sample.median() * 1e9 / self.n as f64
    }

    /// Bytes the kernel streams through: decides which memory roof binds.
    pub(crate) fn working_set(&self) -> usize {
        (self.bytes_per_element * self.n as f64) as usize
    }
}

/// The inputs of every kernel measurement in both float types.
pub(crate) struct KernelInputs {
    pub f64: Inputs<f64>,
    pub f32: Inputs<f32>,
}

impl KernelInputs {
    pub(crate) fn new(n: usize) -> KernelInputs {
        KernelInputs {
            f64: Inputs::new(n, 11),
            f32: Inputs::new(n, 12),
        }
    }
}

/// The shared inputs: points in [0.1, 2.1) and uniform indices in 0..K.
pub(crate) struct Inputs<T> {
    pub x: Vec<T>,
    pub idx: Vec<u32>,
}

impl<T: Float> Inputs<T> {
    pub(crate) fn new(n: usize, seed: u64) -> Inputs<T> {
        let mut rng = StdRng::seed_from_u64(seed);
        Inputs {
            x: (0..n)
                .map(|_| T::from_f64(0.1 + 2.0 * rng.random::<f64>()))
                .collect(),
            idx: (0..n).map(|_| rng.random_range(0..K as u32)).collect(),
        }
    }
}

/// "f64" or "f32", as the report names the float types.
fn float_name<T: Float>() -> &'static str {
    if std::mem::size_of::<T>() == 8 {
        "f64"
    } else {
        "f32"
    }
}

/// Chunk of a parallel map: long enough to amortise scheduling, short
/// enough to balance threads.
const MAP_CHUNK: usize = 1 << 14;

/// Times `kernel` as a map and inside `apply` on `pool`, after checking
/// `apply` against the kernels evaluated one point at a time.
pub(crate) fn measure_kernel<T: Float>(
    pool: &rayon::ThreadPool,
    kernel: &KernelRow,
    inputs: &Inputs<T>,
    reps: usize,
) -> [KernelPoint; 2] {
    let n = inputs.x.len();
    let size = std::mem::size_of::<T>() as f64;
    let float = float_name::<T>();
    let name = kernel.label;
    let single = kernel.spec(0).to_kernel::<T>().expect("samples are valid");
    let flops = single
        .flops_per_element()
        .expect("built-in kernels declare FLOPs");
    let mut out = vec![T::from_f64(0.0); n];
    let mut spare = vec![T::from_f64(0.0); n];
    let x = &inputs.x;

    let [map, copy] = pool.install(|| {
        measure_pair(
            reps,
            || {
                out.par_chunks_mut(MAP_CHUNK)
                    .zip(x.par_chunks(MAP_CHUNK))
                    .for_each(|(o, x)| single.eval(x, o))
            },
            || stream_copy(x, &mut spare),
        )
    });

    let mut table = FuncTable::with_capacity(K);
    for j in 0..K {
        kernel
            .spec(j)
            .push_to(&mut table)
            .expect("samples are valid");
    }
    let engine = Engine::new();
    let idx = &inputs.idx;
    engine
        .apply_into(&table, idx, x, &mut out)
        .expect("valid inputs");
    check_apply(name, &table, inputs, &out);
    let [apply, fused] = pool.install(|| {
        measure_pair(
            reps,
            || {
                engine
                    .apply_into(&table, idx, x, &mut out)
                    .expect("valid inputs")
            },
            || stream_fused(idx, x, &mut spare),
        )
    });

    let strategy = engine
        .chosen_strategy::<T, u32>(&table)
        .expect("the automatic choice");
    let partition = engine
        .partition_path::<T, u32>(&table)
        .expect("the detected path");
    let route = match (strategy, partition) {
        (s, Some(path)) => format!("{s:?}, partition ({path:?})"),
        (s @ (Strategy::Bucket | Strategy::BucketByType), None) => format!("{s:?}, counting sort"),
        (s, None) => format!("{s:?}"),
    };
    let point = |mode, bytes, sample, control, route: &str| KernelPoint {
        kernel: name.to_string(),
        float,
        mode,
        threads: pool.current_num_threads(),
        n,
        flops_per_element: flops,
        bytes_per_element: bytes,
        sample,
        control,
        route: route.to_string(),
    };
    [
        point(Mode::Map, 2.0 * size, map, copy, "-"),
        point(Mode::Apply, 2.0 * size + 4.0, apply, fused, &route),
    ]
}

/// Times `kernel` and `control` alternately.
fn measure_pair(reps: usize, mut kernel: impl FnMut(), mut control: impl FnMut()) -> [Sample; 2] {
    let mut samples = measure_interleaved(reps, &mut [&mut kernel, &mut control]).into_iter();
    [samples.next().unwrap(), samples.next().unwrap()]
}

/// The map's control: read x, write out, nothing else. (`+ 0.0` keeps the
/// compiler from calling `memcpy`, whose non-temporal stores would move
/// fewer bytes than an ordinary kernel does.)
fn stream_copy<T: Float>(x: &[T], out: &mut [T]) {
    out.par_chunks_mut(MAP_CHUNK)
        .zip(x.par_chunks(MAP_CHUNK))
        .for_each(|(o, x)| {
            let zero = T::from_f64(0.0);
            o.iter_mut().zip(x).for_each(|(o, &x)| *o = x + zero)
        });
}

/// The apply's control: read idx and x, write out.
fn stream_fused<T: Float>(idx: &[u32], x: &[T], out: &mut [T]) {
    out.par_chunks_mut(MAP_CHUNK)
        .zip(x.par_chunks(MAP_CHUNK).zip(idx.par_chunks(MAP_CHUNK)))
        .for_each(|(o, (x, idx))| {
            o.iter_mut()
                .zip(x.iter().zip(idx))
                .for_each(|(o, (&x, &i))| *o = T::from_f64(f64::from(i)) * x)
        });
}

/// A fast wrong answer must not be timed: compares about 1,000 evenly
/// spaced points with their kernel evaluated alone, bitwise.
fn check_apply<T: Float>(name: &str, table: &FuncTable<T>, inputs: &Inputs<T>, out: &[T]) {
    let step = (inputs.x.len() / 1000).max(1);
    for i in (0..inputs.x.len()).step_by(step) {
        let kernel = table.get(inputs.idx[i] as usize).expect("index < K");
        let mut one = [inputs.x[i]];
        kernel.eval_in_place(&mut one);
        assert!(
            one[0].to_bits_u64() == out[i].to_bits_u64() || (one[0].is_nan() && out[i].is_nan()),
            "{name}: apply gave {} at {i}, the kernel alone {}",
            out[i].to_f64(),
            one[0].to_f64()
        );
    }
}

/// Times `rolling_mean` with half-width `w` over `inputs.x` on `pool`.
/// FLOPs model: the O(N) sliding sum's add, subtract and scale (3 per
/// element), whatever the window; bytes: read data, write out.
pub(crate) fn measure_rolling<T: Float>(
    pool: &rayon::ThreadPool,
    w: usize,
    inputs: &Inputs<T>,
    reps: usize,
) -> KernelPoint {
    let n = inputs.x.len();
    let size = std::mem::size_of::<T>() as f64;
    let mut out = vec![T::from_f64(0.0); n];
    let mut spare = vec![T::from_f64(0.0); n];
    let [sample, control] = pool.install(|| {
        measure_pair(
            reps,
            || splitapply::rolling_mean(&inputs.x, w, &mut out).expect("lengths match"),
            || stream_copy(&inputs.x, &mut spare),
        )
    });
    KernelPoint {
        kernel: format!("RollingMean w={w}"),
        float: float_name::<T>(),
        mode: Mode::Map,
        threads: pool.current_num_threads(),
        n,
        flops_per_element: 3.0,
        bytes_per_element: 2.0 * size,
        sample,
        control,
        route: "-".to_string(),
    }
}
