//! The error type.
//!
//! Every fallible entry point validates all of its input before it writes
//! anything, so an `Err` always means the output buffer is untouched.

use std::fmt;

/// Why a call was refused. The output buffer is never written when one of
/// these is returned.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A function number is negative or not below the table length `k`.
    IndexOutOfRange {
        /// Position of the first offending index.
        position: usize,
        /// Its value.
        value: i128,
        /// The table length.
        k: usize,
    },
    /// Two slices that must have the same length do not.
    LengthMismatch {
        /// Which slice has the wrong length (e.g. `"out"`).
        what: &'static str,
        /// The length it must have.
        expected: usize,
        /// The length it has.
        actual: usize,
    },
    /// The table has no functions but there is input to apply them to.
    EmptyTable {
        /// Number of input points.
        len: usize,
    },
    /// A [`Plan`](crate::Plan) was used with a table or data of a shape other
    /// than the one it was built for.
    PlanMismatch {
        /// Which quantity differs (`"table length"`, `"x length"`, ...).
        what: &'static str,
        /// The value the plan was built for.
        planned: usize,
        /// The value it was given.
        actual: usize,
    },
    /// A forced [`Strategy`](crate::Strategy) cannot be used with this table.
    StrategyUnavailable {
        /// The forced strategy.
        strategy: crate::Strategy,
        /// Why not.
        reason: &'static str,
    },
    /// A forced [`GroupingPath`](crate::GroupingPath) needs instructions this
    /// CPU does not have.
    GroupingPathUnavailable {
        /// The forced path.
        path: crate::GroupingPath,
    },
    /// A [`Plan`](crate::Plan) was asked for more functions than it can
    /// number.
    TooManyFunctions {
        /// The number of functions asked for.
        k: usize,
        /// The most it supports.
        max: usize,
    },
    /// Memory whose size comes from the input (a table's or a plan's size,
    /// a tile length) could not be allocated. Nothing was written.
    AllocationFailed {
        /// What the memory was for.
        what: &'static str,
        /// How many bytes were asked for.
        bytes: usize,
    },
    /// No built-in kernel has this name (see
    /// [`KernelSpec`](crate::kernels::KernelSpec)).
    UnknownKernel {
        /// The name asked for.
        name: String,
        /// The names there are, comma-separated.
        known: String,
    },
    /// A kernel constructor was given parameters it cannot work with.
    InvalidParameter {
        /// The kernel (e.g. `"Interp"`).
        kernel: &'static str,
        /// What is wrong.
        reason: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::IndexOutOfRange { position, value, k } => {
                if *value < 0 {
                    write!(
                        f,
                        "function index at position {position} is negative ({value}); indices must be in 0..{k}"
                    )
                } else {
                    write!(
                        f,
                        "function index at position {position} is {value}, but the table has only {k} functions (valid: 0..{k})"
                    )
                }
            }
            Error::LengthMismatch {
                what,
                expected,
                actual,
            } => write!(
                f,
                "length mismatch: `{what}` has {actual} elements, expected {expected}"
            ),
            Error::EmptyTable { len } => write!(
                f,
                "the function table is empty but there are {len} points to evaluate"
            ),
            Error::PlanMismatch {
                what,
                planned,
                actual,
            } => write!(
                f,
                "plan mismatch: the plan was built for {what} {planned}, but got {actual}"
            ),
            Error::StrategyUnavailable { strategy, reason } => write!(
                f,
                "strategy {strategy:?} cannot be used with this table: {reason}"
            ),
            Error::GroupingPathUnavailable { path } => write!(
                f,
                "the {path:?} grouping path needs instructions this CPU does not have \
                 (available: {:?})",
                crate::GroupingPath::available()
            ),
            Error::TooManyFunctions { k, max } => {
                write!(f, "a plan supports at most {max} functions, got {k}")
            }
            Error::AllocationFailed { what, bytes } => {
                write!(f, "could not allocate {bytes} bytes for {what}")
            }
            Error::UnknownKernel { name, known } => {
                write!(
                    f,
                    "no built-in kernel is named {name:?} (the built-in kernels: {known})"
                )
            }
            Error::InvalidParameter { kernel, reason } => {
                write!(f, "invalid parameter for {kernel}: {reason}")
            }
        }
    }
}

impl std::error::Error for Error {}
