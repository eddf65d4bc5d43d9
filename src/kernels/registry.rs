//! The machinery of the registry of built-in kernels: the parameter
//! types, what the list says of each kernel ([`KernelInfo`]), and the
//! `builtin_kernels!` macro that turns the list in `kernels/mod.rs` into
//! [`KernelSpec`](super::KernelSpec) and
//! [`BUILTIN_KERNELS`](super::BUILTIN_KERNELS).

use crate::float::Float;

/// One parameter of a built-in kernel, in `f64` (every `f32` parameter is
/// exactly representable in `f64`, so a spec round-trips either precision).
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// A number.
    Scalar(f64),
    /// A list of numbers (a matrix is stored row-major).
    Vector(Vec<f64>),
}

/// The shape a parameter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// A number.
    Scalar,
    /// A 1-D list.
    Vector,
    /// A matrix of `rows` rows and one column per interval of the list
    /// before it (a spline's coefficients: 4 rows, one column per piece
    /// between its breaks), stored row-major as one list.
    Matrix {
        /// Its number of rows.
        rows: usize,
    },
}

/// What the registry says of one built-in kernel.
#[derive(Debug, Clone, Copy)]
pub struct KernelInfo {
    /// The kernel's name in specs (`"affine"`, `"exp"`, ...), also the
    /// name of the Python `Table` method that appends it.
    pub name: &'static str,
    /// The kernel's type in [`kernels`](crate::kernels) (`"Affine"`), as errors
    /// name it.
    pub type_name: &'static str,
    /// One line on what it computes.
    pub summary: &'static str,
    /// How reports label its [`KernelSpec::sample`](super::KernelSpec::sample) instances (`"Poly8"`
    /// for the degree-8 sample polynomials).
    pub sample_label: &'static str,
    /// Its parameters, in order: name and shape.
    pub params: &'static [(&'static str, ParamKind)],
}

/// A parameter's stored type, from its kind in the list.
macro_rules! param_type {
    (scalar) => { f64 };
    (vector) => { Vec<f64> };
    (matrix4) => { Vec<f64> };
}

/// A parameter's [`ParamKind`], from its kind in the list.
macro_rules! param_kind {
    (scalar) => {
        ParamKind::Scalar
    };
    (vector) => {
        ParamKind::Vector
    };
    (matrix4) => {
        ParamKind::Matrix { rows: 4 }
    };
}

/// A stored parameter converted to the table's float type.
pub(super) trait ToFloat {
    type In<T: Float>;
    fn to_float<T: Float>(&self) -> Self::In<T>;
    fn param(&self) -> Param;
    fn from_param(p: Param) -> Option<Self>
    where
        Self: Sized;
}

impl ToFloat for f64 {
    type In<T: Float> = T;
    fn to_float<T: Float>(&self) -> T {
        T::from_f64(*self)
    }
    fn param(&self) -> Param {
        Param::Scalar(*self)
    }
    fn from_param(p: Param) -> Option<f64> {
        match p {
            Param::Scalar(v) => Some(v),
            Param::Vector(_) => None,
        }
    }
}

impl ToFloat for Vec<f64> {
    type In<T: Float> = Vec<T>;
    fn to_float<T: Float>(&self) -> Vec<T> {
        self.iter().map(|&v| T::from_f64(v)).collect()
    }
    fn param(&self) -> Param {
        Param::Vector(self.clone())
    }
    fn from_param(p: Param) -> Option<Vec<f64>> {
        match p {
            Param::Vector(v) => Some(v),
            Param::Scalar(_) => None,
        }
    }
}

/// The list of built-in kernels. Each entry gives: its variant of
/// [`KernelSpec`], its spec name, the label of its samples, its summary, its parameters with their
/// kinds, how it is built from parameters already converted to the
/// table's float type (`Result<Kernel, Error>`), and its sample instance
/// `j` (parameters in `f64`, `s = (j % 250) / 250`).
macro_rules! builtin_kernels {
    ($(
        $variant:ident($name:literal, $label:literal, $summary:literal) {
            $($param:ident: $kind:ident),* $(,)?
        }
        build => $build:expr;
        sample($j:ident, $s:ident) => { $($sample:ident: $sval:expr),* $(,)? };
    )*) => {
        /// A built-in kernel by name, with its parameters in `f64`: the one
        /// list of built-in kernels (see the [module docs](self)).
        ///
        /// # Examples
        ///
        /// ```
        /// use splitapply::kernels::{KernelSpec, Param};
        /// use splitapply::{apply, FuncTable};
        ///
        /// let spec = KernelSpec::from_params("affine", vec![Param::Scalar(2.0), Param::Scalar(1.0)])?;
        /// assert_eq!(spec, KernelSpec::Affine { a: 2.0, b: 1.0 });
        /// let mut table = FuncTable::<f32>::new();
        /// assert_eq!(spec.push_to(&mut table)?, 0);
        /// KernelSpec::Exp {}.push_to(&mut table)?;
        /// assert_eq!(apply(&table, &[0u8, 1], &[1.0, 0.0])?, vec![3.0, 1.0]);
        ///
        /// // Parameters are checked, and a refused spec leaves the table as it was.
        /// let bad = KernelSpec::Clamp { lo: 2.0, hi: 1.0 };
        /// assert!(bad.push_to(&mut table).is_err());
        /// assert_eq!(table.len(), 2);
        /// assert!(KernelSpec::from_params("nope", vec![]).is_err());
        /// # Ok::<(), splitapply::Error>(())
        /// ```
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        #[allow(missing_docs)] // each variant's fields are documented by its kernel's constructor
        pub enum KernelSpec {
            $(
                #[doc = $summary]
                $variant { $($param: param_type!($kind)),* },
            )*
        }

        /// Every built-in kernel, in the order of [`KernelSpec`]'s variants.
        pub const BUILTIN_KERNELS: &[KernelInfo] = &[
            $(KernelInfo {
                name: $name,
                type_name: stringify!($variant),
                summary: $summary,
                sample_label: $label,
                params: &[$((stringify!($param), param_kind!($kind))),*],
            },)*
        ];

        impl KernelSpec {
            /// The kernel's name in specs (`"affine"`, `"exp"`, ...).
            pub fn name(&self) -> &'static str {
                match self {
                    $(KernelSpec::$variant { .. } => $name,)*
                }
            }

            /// The parameters, in the order of [`KernelInfo::params`].
            pub fn params(&self) -> Vec<Param> {
                match self {
                    $(KernelSpec::$variant { $($param),* } => vec![$(ToFloat::param($param)),*],)*
                }
            }

            /// The spec of kernel `name` with these parameters, in the
            /// order of [`KernelInfo::params`].
            ///
            /// # Errors
            /// [`Error::UnknownKernel`] for a name not in the list;
            /// [`Error::InvalidParameter`] for a wrong number or shape of
            /// parameters (their values are checked when the kernel is
            /// built).
            pub fn from_params(name: &str, params: Vec<Param>) -> Result<KernelSpec, Error> {
                let info = BUILTIN_KERNELS
                    .iter()
                    .find(|k| k.name == name)
                    .ok_or_else(|| Error::UnknownKernel {
                        name: name.to_string(),
                        known: BUILTIN_KERNELS
                            .iter()
                            .map(|k| k.name)
                            .collect::<Vec<_>>()
                            .join(", "),
                    })?;
                if params.len() != info.params.len() {
                    return Err(Error::InvalidParameter {
                        kernel: info.type_name,
                        reason: format!(
                            "it takes {} parameters ({}), got {}",
                            info.params.len(),
                            info.params.iter().map(|p| p.0).collect::<Vec<_>>().join(", "),
                            params.len()
                        ),
                    });
                }
                let mut params = params.into_iter().zip(info.params);
                let mut next = || {
                    let (p, &(pname, kind)) = params.next().expect("counted");
                    (p, pname, kind)
                };
                let wrong = |pname: &str, kind: ParamKind| Error::InvalidParameter {
                    kernel: info.type_name,
                    reason: format!("{pname} must be {}", match kind {
                        ParamKind::Scalar => "a number",
                        _ => "a list of numbers",
                    }),
                };
                match name {
                    $($name => {
                        $(
                            let (p, pname, kind) = next();
                            let $param = ToFloat::from_param(p).ok_or_else(|| wrong(pname, kind))?;
                        )*
                        Ok(KernelSpec::$variant { $($param),* })
                    })*
                    _ => unreachable!("the name was found in the list"),
                }
            }

            /// Appends the kernel to `table` with its own type (so the
            /// engine sees which functions share a type) and returns its
            /// function number.
            ///
            /// # Errors
            /// [`Error::InvalidParameter`] when the kernel's constructor
            /// refuses the parameters; the table is then unchanged.
            pub fn push_to<T: Float>(&self, table: &mut FuncTable<T>) -> Result<usize, Error> {
                match self {
                    $(KernelSpec::$variant { $($param),* } => {
                        $(let $param = ToFloat::to_float::<T>($param);)*
                        let kernel = $build?;
                        Ok(table.push(kernel))
                    })*
                }
            }

            /// The kernel, boxed.
            ///
            /// # Errors
            /// As [`KernelSpec::push_to`].
            pub fn to_kernel<T: Float>(&self) -> Result<Box<dyn Kernel<T>>, Error> {
                match self {
                    $(KernelSpec::$variant { $($param),* } => {
                        $(let $param = ToFloat::to_float::<T>($param);)*
                        let kernel = $build?;
                        Ok(Box::new(kernel))
                    })*
                }
            }

            /// A representative instance `j` of kernel `name` (`None` for
            /// a name not in the list), for tests and benchmarks:
            /// parameters that vary with `j` and suit inputs in
            /// `[0.1, 2.1)`. Sample polynomials have degree 8, sample
            /// interpolations 16 knots, sample splines 16 pieces.
            pub fn sample(name: &str, j: usize) -> Option<KernelSpec> {
                let args = SampleArgs::new(j);
                match name {
                    $($name => {
                        let ($j, $s) = (args.j, args.s);
                        let _ = ($j, $s);
                        Some(KernelSpec::$variant { $($sample: $sval),* })
                    })*
                    _ => None,
                }
            }
        }
    };
}

/// The arguments of [`KernelSpec::sample`](super::KernelSpec::sample)'s list entries.
pub(super) struct SampleArgs {
    pub(super) j: usize,
    pub(super) s: f64,
}

impl SampleArgs {
    pub(super) fn new(j: usize) -> SampleArgs {
        SampleArgs {
            j,
            s: (j % 250) as f64 / 250.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::{Param, ParamKind};
    use crate::error::Error;
    use crate::table::FuncTable;

    /// Every entry of the list: its samples are valid, named as the kernel
    /// names itself, shaped as the list says, round-trip through their
    /// parameters, and build the same kernel boxed as pushed.
    #[test]
    fn every_registry_entry_is_consistent() {
        for info in BUILTIN_KERNELS {
            for j in [0usize, 1, 7, 249, 250] {
                let spec = KernelSpec::sample(info.name, j).expect("every entry has samples");
                assert_eq!(spec.name(), info.name);
                let params = spec.params();
                assert_eq!(params.len(), info.params.len(), "{}", info.name);
                for (p, &(pname, kind)) in params.iter().zip(info.params) {
                    match (p, kind) {
                        (Param::Scalar(_), ParamKind::Scalar)
                        | (Param::Vector(_), ParamKind::Vector) => {}
                        (Param::Vector(v), ParamKind::Matrix { rows }) => {
                            assert_eq!(v.len() % rows, 0, "{} {pname}", info.name)
                        }
                        _ => panic!("{} {pname}: {p:?} is not a {kind:?}", info.name),
                    }
                }
                let again = KernelSpec::from_params(info.name, params).unwrap();
                assert_eq!(again, spec);
                let mut table = FuncTable::<f64>::new();
                assert_eq!(spec.push_to(&mut table).unwrap(), 0);
                let boxed = spec.to_kernel::<f64>().unwrap();
                assert_eq!(table.get(0).unwrap().name(), info.name);
                assert_eq!(boxed.name(), info.name);
                let x: Vec<f64> = (0..37).map(|i| 0.1 + i as f64 * 0.055).collect();
                let (mut pushed, mut alone) = (x.clone(), x.clone());
                table.get(0).unwrap().eval_in_place(&mut pushed);
                boxed.eval_in_place(&mut alone);
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&pushed), bits(&alone), "{}", info.name);
                assert!(spec.to_kernel::<f32>().is_ok());
            }
        }
        assert!(KernelSpec::sample("nope", 0).is_none());
    }

    #[test]
    fn names_and_shapes_are_checked() {
        let err = KernelSpec::from_params("nope", vec![]).unwrap_err();
        assert!(matches!(err, Error::UnknownKernel { .. }));
        assert!(err.to_string().contains("affine"), "{err}");
        let err = KernelSpec::from_params("affine", vec![Param::Scalar(1.0)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid parameter for Affine: it takes 2 parameters (a, b), got 1"
        );
        let err = KernelSpec::from_params("poly", vec![Param::Scalar(1.0)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid parameter for Poly: coeffs must be a list of numbers"
        );
        let err = KernelSpec::from_params("pow", vec![Param::Vector(vec![])]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid parameter for Pow: p must be a number"
        );
        // Values are checked by the kernel's constructor, table unchanged.
        let mut table = FuncTable::<f64>::new();
        let interp = KernelSpec::Interp {
            xp: vec![1.0, 0.0],
            fp: vec![0.0, 1.0],
        };
        assert!(interp.push_to(&mut table).is_err());
        assert!(table.is_empty());
    }
}
