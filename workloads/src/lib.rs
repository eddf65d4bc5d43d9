//! The benchmark workloads of splitapply, defined once for the criterion
//! suite, the probes and the roofline report: their inputs ([`inputs`]),
//! tables with the `dyn Fn` twins a user would write ([`tables`]), the
//! baselines and bounds they are measured against ([`baselines`]), the
//! catalogue that names each workload and the plan's targets
//! ([`catalogue`]), and the rolling-mean workload ([`rolling`]). Every
//! contender is checked against the naive loop by its user before it is
//! timed.
//!
//! The developer probes live beside it in `src/bin/`:
//!
//! ```text
//! cargo run --release -p splitapply-workloads --bin apply_probe -- [WORKLOADS] [THREADS] [N] [REPS] [ROUNDS]
//! cargo run --release -p splitapply-workloads --bin kernel_probe -- [ROWS] [THREADS] [N] [REPS] [ROUNDS] [f64|f32|both]
//! cargo run --release -p splitapply-workloads --bin rolling_probe -- [N] [HALF_WIDTH] [REPS] [THREADS] [f64|f32]
//! cargo run --release -p splitapply-workloads --bin rolling_patterns -- [N] [HALF_WIDTH] [THREADS] [REPS] [ROUNDS]
//! cargo build --release -p splitapply-workloads --bin memory   # then /usr/bin/time -v
//! ```

pub mod baselines;
pub mod catalogue;
pub mod halotools;
pub mod inputs;
pub mod kernel_rows;
pub mod rolling;
pub mod tables;

pub use baselines::*;
pub use catalogue::*;
pub use halotools::*;
pub use inputs::*;
pub use kernel_rows::*;
pub use rolling::*;
pub use tables::*;
