//! The kernel configurations measured one by one (the roofline report's
//! kernel rows and `kernel_probe`): every registry sample, then splines and
//! interpolations with many pieces, on uniform and on irregular breaks.
//!
//! Every configuration gives instance `j` as a [`KernelSpec`] with explicit
//! parameters, suited to inputs in `[0.1, 2.1)` (the registry's sample
//! domain): a map uses instance 0, an apply `K` instances.

use splitapply::kernels::{BUILTIN_KERNELS, KernelSpec};

/// Pieces of the large spline and interpolation rows.
pub const LARGE_PIECES: usize = 128;

/// How the breaks of a large row are spaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spacing {
    /// Evenly, as `numpy.linspace` would place them.
    Uniform,
    /// Widths that vary by a factor of about 7 in no regular pattern.
    Irregular,
}

/// What a kernel row measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// The registry's sample instances of kernel `name`.
    Sample(&'static str),
    /// A cubic spline of [`LARGE_PIECES`] pieces.
    Spline(Spacing),
    /// A linear interpolation through [`LARGE_PIECES`] + 1 knots.
    Interp(Spacing),
}

/// One kernel row: its label in reports, and how to build its instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KernelRow {
    /// How reports name the row (`"Poly8"`, `"Spline128 uniform"`).
    pub label: &'static str,
    /// What it measures.
    pub kind: RowKind,
}

impl KernelRow {
    /// The registry name of the row's kernel (`"spline"`).
    pub fn kernel_name(&self) -> &'static str {
        match self.kind {
            RowKind::Sample(name) => name,
            RowKind::Spline(_) => "spline",
            RowKind::Interp(_) => "interp",
        }
    }

    /// Instance `j` of the row's kernel.
    pub fn spec(&self, j: usize) -> KernelSpec {
        match self.kind {
            RowKind::Sample(name) => KernelSpec::sample(name, j).expect("a registry name"),
            RowKind::Spline(spacing) => {
                let m = LARGE_PIECES;
                KernelSpec::Spline {
                    breaks: large_breaks(spacing),
                    coeffs: (0..4 * m)
                        .map(|c| (((c + j) % 11) as f64 - 5.0) * 0.05)
                        .collect(),
                }
            }
            RowKind::Interp(spacing) => KernelSpec::Interp {
                xp: large_breaks(spacing),
                fp: (0..=LARGE_PIECES)
                    .map(|i| ((i + j) % 16) as f64 * 0.1)
                    .collect(),
            },
        }
    }
}

/// [`LARGE_PIECES`] + 1 breaks spanning `[0.1, 2.1]`.
pub fn large_breaks(spacing: Spacing) -> Vec<f64> {
    let m = LARGE_PIECES;
    match spacing {
        Spacing::Uniform => (0..=m).map(|i| 0.1 + 2.0 * i as f64 / m as f64).collect(),
        Spacing::Irregular => {
            // Widths 0.25..1.75 in the order of the golden-ratio sequence.
            let widths: Vec<f64> = (0..m)
                .map(|i| 0.25 + 1.5 * (i as f64 * 0.618_033_988_749_895).fract())
                .collect();
            let total: f64 = widths.iter().sum();
            let mut at = 0.0;
            let mut breaks = vec![0.1];
            for w in widths {
                at += w;
                breaks.push(0.1 + 2.0 * at / total);
            }
            breaks
        }
    }
}

/// Every kernel row, in report order: the registry's samples, then the
/// large splines and interpolations.
pub fn kernel_rows() -> Vec<KernelRow> {
    let mut rows: Vec<KernelRow> = BUILTIN_KERNELS
        .iter()
        .map(|info| KernelRow {
            label: info.sample_label,
            kind: RowKind::Sample(info.name),
        })
        .collect();
    rows.extend([
        KernelRow {
            label: "Spline128 uniform",
            kind: RowKind::Spline(Spacing::Uniform),
        },
        KernelRow {
            label: "Spline128 irregular",
            kind: RowKind::Spline(Spacing::Irregular),
        },
        KernelRow {
            label: "Interp128 uniform",
            kind: RowKind::Interp(Spacing::Uniform),
        },
        KernelRow {
            label: "Interp128 irregular",
            kind: RowKind::Interp(Spacing::Irregular),
        },
    ]);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use splitapply::FuncTable;

    #[test]
    fn every_row_builds_valid_kernels() {
        for row in kernel_rows() {
            for j in [0, 1, 249] {
                let spec = row.spec(j);
                assert_eq!(spec.name(), row.kernel_name(), "{}", row.label);
                let mut table = FuncTable::<f32>::new();
                spec.push_to(&mut table).expect("valid parameters");
            }
        }
        for spacing in [Spacing::Uniform, Spacing::Irregular] {
            let b = large_breaks(spacing);
            assert_eq!(b.len(), LARGE_PIECES + 1);
            assert_eq!(b[0], 0.1);
            assert!((b[LARGE_PIECES] - 2.1).abs() < 1e-12, "{spacing:?}");
            assert!(b.windows(2).all(|w| w[0] < w[1]), "{spacing:?}");
        }
    }
}
