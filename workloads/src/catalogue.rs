//! Every workload of the performance plan, defined once: its table, the
//! `dyn Fn` twins, its inputs, the strategies worth forcing, and the bounds
//! it is measured against. The criterion suite, `apply_probe` and the
//! roofline report all build their workloads here.

use splitapply::{FuncTable, Strategy};

use crate::baselines::{exp_map, fused_linear};
use crate::halotools::{HALOTOOLS_K, LOG_R_RANGE, W10_MAX_REL, halotools_splines};
use crate::inputs::{log_r_input, piecewise_input, sorted_input, uniform_input, zipf_input};
use crate::tables::{
    DynFn, W4_MAX_REL, eight_shapes, exp_poly, exp_sqrt, linear_affine, linear_closures, piecewise,
    piecewise_closures,
};

/// The number of functions of the standard tables.
pub const K: usize = 250;

/// The number of functions of the huge tables.
pub const HUGE_K: usize = 100_000;

/// Every workload's name, in report order.
pub const NAMES: [&str; 14] = [
    "W1", "W1a", "W2", "W3", "W4", "W4c", "W5", "W6", "W7", "W8", "W8s", "W8h", "W9", "W10",
];

/// A strategy's name in contender and benchmark names: its variant name
/// in snake case (`BucketByType` is `bucket_by_type`).
pub fn strategy_name(strategy: Strategy) -> String {
    let mut name = String::new();
    for (i, c) in format!("{strategy:?}").chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            name.push('_');
        }
        name.push(c.to_ascii_lowercase());
    }
    name
}

/// A bound a workload is measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// `out[i] = idx[i] as f64 * x[i]` in one fused pass: the least traffic
    /// any apply can make (reads idx and x, writes out).
    Streaming,
    /// `Exp` over every point: the compute bound of the `Exp` half of W2.
    ExpMap,
}

impl Bound {
    /// The contender name of the bound.
    pub fn name(self) -> &'static str {
        match self {
            Bound::Streaming => "bound",
            Bound::ExpMap => "bound_exp_map",
        }
    }

    /// Runs the bound on the current pool.
    pub fn run(self, idx: &[u32], x: &[f64], out: &mut [f64]) {
        match self {
            Bound::Streaming => fused_linear(idx, x, out),
            Bound::ExpMap => exp_map(x, out),
        }
    }
}

/// One workload with everything needed to run and check it.
pub struct Workload {
    /// Short name, as in [`NAMES`].
    pub name: &'static str,
    /// What it is, in a few words.
    pub what: &'static str,
    /// The table splitapply applies.
    pub table: FuncTable<f64>,
    /// The same functions as per-element boxed closures.
    pub boxed: Vec<DynFn>,
    /// Function numbers.
    pub idx: Vec<u32>,
    /// Points.
    pub x: Vec<f64>,
    /// How far splitapply may differ from the `dyn Fn` reference, relative
    /// (0 = bitwise; built-in transcendental kernels differ from std by
    /// ULPs).
    pub max_rel: f64,
    /// Strategies timed besides the automatic choice.
    pub forced: &'static [Strategy],
    /// True when the workload is applied through a reused `Plan`, timed
    /// next to the same apply without one.
    pub through_plan: bool,
    /// The bounds it is measured against.
    pub bounds: &'static [Bound],
}

/// True for the workloads applied through a reused `Plan` (W5: W2's table
/// and indices, bucketed once): an engine's `apply_into` alone cannot run
/// them as defined.
pub fn through_plan(name: &str) -> bool {
    name == "W5"
}

/// Builds workload `name` at `n` points; `None` for an unknown name.
pub fn workload(name: &str, n: usize) -> Option<Workload> {
    let name = *NAMES.iter().find(|&&w| w == name)?;
    use Strategy::{Bucket, BucketByType, Runs, Select, SelectByType};
    let streaming: &'static [Bound] = &[Bound::Streaming];
    let (what, (table, boxed), (idx, x), max_rel, forced, bounds): (
        _,
        _,
        _,
        _,
        &'static [Strategy],
        &'static [Bound],
    ) = match name {
        "W1" => (
            "k=250 closures j*x (one closure type)",
            linear_closures(K),
            uniform_input(n, K, 1),
            0.0,
            &[Bucket],
            streaming,
        ),
        "W1a" => (
            "k=250 Affine(j, 0)",
            (linear_affine(K), linear_closures(K).1),
            uniform_input(n, K, 1),
            0.0,
            &[Bucket],
            streaming,
        ),
        "W2" | "W5" => (
            if name == "W2" {
                "k=250 Exp / Poly8"
            } else {
                "k=250 Exp / Poly8 through a Plan"
            },
            exp_poly(K),
            uniform_input(n, K, 2),
            4.0 * f64::EPSILON,
            &[],
            if name == "W2" {
                &[Bound::ExpMap, Bound::Streaming]
            } else {
                &[]
            },
        ),
        "W3" => (
            "W1, sorted indices",
            linear_closures(K),
            sorted_input(n, K, 3),
            0.0,
            &[Bucket],
            streaming,
        ),
        "W4" => (
            "k=2 piecewise, pure kernels",
            piecewise(),
            piecewise_input(n, 4),
            W4_MAX_REL,
            &[Bucket, Select],
            streaming,
        ),
        "W4c" => (
            "k=2 piecewise, closures",
            piecewise_closures(),
            piecewise_input(n, 4),
            0.0,
            &[Bucket, BucketByType],
            streaming,
        ),
        "W6" => (
            "k=100,000 closures j*x (one closure type)",
            linear_closures(HUGE_K),
            uniform_input(n, HUGE_K, 6),
            0.0,
            &[Bucket, Runs],
            streaming,
        ),
        "W7" => (
            "W1, Zipf indices",
            linear_closures(K),
            zipf_input(n, K, 7),
            0.0,
            &[],
            streaming,
        ),
        "W8" => (
            "k=250 closures of 8 shapes",
            eight_shapes(K),
            uniform_input(n, K, 8),
            0.0,
            &[Bucket, BucketByType],
            streaming,
        ),
        "W8s" => (
            "W8, sorted indices",
            eight_shapes(K),
            sorted_input(n, K, 8),
            0.0,
            &[Bucket],
            streaming,
        ),
        "W8h" => (
            "k=100,000 closures of 8 shapes",
            eight_shapes(HUGE_K),
            uniform_input(n, HUGE_K, 8),
            0.0,
            &[Bucket, Runs, BucketByType],
            streaming,
        ),
        "W9" => (
            "k=250 Exp / Sqrt (two parameterless kernels)",
            exp_sqrt(K),
            uniform_input(n, K, 9),
            4.0 * f64::EPSILON,
            &[Bucket, SelectByType],
            &[Bound::ExpMap, Bound::Streaming],
        ),
        "W10" => (
            "k=250 cubic splines of 100 pieces (halotools' NFW tables), points uniform in log r",
            halotools_splines(),
            log_r_input(n, HALOTOOLS_K, LOG_R_RANGE, 10),
            W10_MAX_REL,
            &[Bucket],
            streaming,
        ),
        _ => unreachable!("every name in NAMES has a definition"),
    };
    Some(Workload {
        name,
        what,
        table,
        boxed,
        idx,
        x,
        max_rel,
        forced,
        through_plan: through_plan(name),
        bounds,
    })
}

/// A target of the performance plan: the ratio of two contenders'
/// times (`"W1 dyn_fn"` over `"W1 auto"`) and its limit.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// The target in words.
    pub text: &'static str,
    /// The contender whose time is divided.
    pub numerator: &'static str,
    /// The contender it is divided by.
    pub denominator: &'static str,
    /// The limit.
    pub limit: f64,
    /// True when the ratio must be at least the limit, false for at most.
    pub at_least: bool,
}

impl Target {
    /// Whether `ratio` meets the target.
    pub fn met(&self, ratio: f64) -> bool {
        if self.at_least {
            ratio >= self.limit
        } else {
            ratio <= self.limit
        }
    }
}

const fn at_least(
    text: &'static str,
    numerator: &'static str,
    denominator: &'static str,
    limit: f64,
) -> Target {
    Target {
        text,
        numerator,
        denominator,
        limit,
        at_least: true,
    }
}

const fn at_most(
    text: &'static str,
    numerator: &'static str,
    denominator: &'static str,
    limit: f64,
) -> Target {
    Target {
        at_least: false,
        ..at_least(text, numerator, denominator, limit)
    }
}

/// The targets, as contender names of the workloads above: `"W1 auto"` is
/// splitapply's automatic choice, `"W1 dyn_fn"` the per-element loop,
/// `"W1 bound"` the streaming bound, `"W5 plan"` / `"W5 no_plan"` the
/// apply with and without a plan.
pub const TARGETS: [Target; 15] = [
    at_least(
        "W1 one-type closures: dyn Fn / sa >= 1.4",
        "W1 dyn_fn",
        "W1 auto",
        1.4,
    ),
    at_most(
        "W1 one-type closures: sa / bound <= 1.25",
        "W1 auto",
        "W1 bound",
        1.25,
    ),
    at_most(
        "W1a Affine: sa / bound <= 1.2",
        "W1a auto",
        "W1a bound",
        1.2,
    ),
    at_least("W8 8 shapes: dyn Fn / sa >= 5", "W8 dyn_fn", "W8 auto", 5.0),
    at_most("W8 8 shapes: sa / bound <= 1.6", "W8 auto", "W8 bound", 1.6),
    at_most("W8h k=1e5 / W8 k=250 <= 1.5", "W8h auto", "W8 auto", 1.5),
    at_most(
        "W8s sorted: sa / bound <= 1.15",
        "W8s auto",
        "W8s bound",
        1.15,
    ),
    at_most(
        "W4c k=2 closures: sa / bound <= 2",
        "W4c auto",
        "W4c bound",
        2.0,
    ),
    at_most("W4 k=2 pure: sa / bound <= 1.3", "W4 auto", "W4 bound", 1.3),
    at_least(
        "W2 Exp+Poly8: dyn Fn / sa >= 4",
        "W2 dyn_fn",
        "W2 auto",
        4.0,
    ),
    at_most(
        "W2 Exp+Poly8: sa / Exp map <= 1.8",
        "W2 auto",
        "W2 bound_exp_map",
        1.8,
    ),
    at_least(
        "W5 plan: no plan / plan >= 1.5",
        "W5 no_plan",
        "W5 plan",
        1.5,
    ),
    at_most("W6 k=1e5 / W1 k=250 <= 1.5", "W6 auto", "W1 auto", 1.5),
    at_most("W7 Zipf / W1 uniform <= 1.2", "W7 auto", "W1 auto", 1.2),
    at_most("W3 sorted: sa / bound <= 1.15", "W3 auto", "W3 bound", 1.15),
];
