//! `Spline`: a piecewise cubic in the local power basis of
//! `scipy.interpolate.PPoly`.
//!
//! For each vector of points:
//!
//! ```text
//! piece  = the last i < m with breaks[i] <= t   (0 below breaks[0])
//! d      = t - breaks[piece]
//! result = ((c0 * d + c1) * d + c2) * d + c3    three fused multiply-adds
//! ```
//!
//! PPoly never chooses a zero-width piece but the last, so the table the
//! search runs over (`kernels::pieces`: a bucket grid and a compare per
//! step, in registers, by gathers or per lane) holds only the pieces that
//! can be chosen, each with its break and coefficients; a piece starts
//! where its break is, and the first piece also takes everything below.

use crate::error::Error;
use crate::float::{Float, FloatVector};
use crate::kernel::Kernel;
use crate::kernels::pieces::Pieces;

/// A piecewise cubic polynomial in `scipy.interpolate.PPoly`'s layout.
///
/// `breaks` holds `m + 1` non-decreasing break points, and `coeffs` the
/// `4 × m` coefficient array `c` of `PPoly`, in row-major order
/// (`coeffs[r * m + i]` is `c[r, i]`, as `c.ravel()` gives it). On piece
/// `i` the value is
///
/// ```text
/// c[0,i]·d³ + c[1,i]·d² + c[2,i]·d + c[3,i],   d = t − breaks[i]
/// ```
///
/// evaluated by Horner's rule with three fused multiply-adds.
///
/// Each point uses the piece `PPoly` chooses: the last `i` with
/// `breaks[i] <= t` that is a piece (`i < m`). Zero-width pieces
/// (repeated breaks, which `PPoly.from_spline` puts at both ends) are
/// allowed and are chosen only where `PPoly` chooses them: at the last
/// break, when the last piece has zero width. Outside the breaks the first
/// or last piece extrapolates, as `PPoly` does by default. NaN gives NaN.
///
/// Accuracy: 0 ULP against the scalar Horner formula above (the same
/// operations in the same order). `PPoly` sums the powers of `d` instead of
/// using Horner's rule, so the two differ by the rounding of either form: a
/// few ULP of the largest term.
///
/// # Examples
/// ```
/// use splitapply::{Kernel, kernels::Spline};
/// // Two pieces: t² on [0, 1], then 1 + 2(t − 1) on [1, 2] (and beyond).
/// let f = Spline::new(
///     vec![0.0f64, 1.0, 2.0],
///     vec![
///         0.0, 0.0, // d³
///         1.0, 0.0, // d²
///         0.0, 2.0, // d
///         0.0, 1.0, // 1
///     ],
/// )?;
/// let mut ts = [0.5, 1.0, 1.5, 3.0, -1.0];
/// f.eval_in_place(&mut ts);
/// assert_eq!(ts, [0.25, 1.0, 2.0, 5.0, 1.0]);
///
/// // Decreasing breaks are refused.
/// assert!(Spline::new(vec![0.0f64, 2.0, 1.0], vec![0.0; 8]).is_err());
/// # Ok::<(), splitapply::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Spline<T> {
    breaks: Vec<T>,
    /// `pieces[i]` is column `i` of `PPoly`'s `c`: `[c0, c1, c2, c3]`, the
    /// cubic coefficient first.
    pieces: Vec<[T; 4]>,
    /// The pieces PPoly can choose, each with its break and coefficients.
    table: Pieces<T, 5>,
}

impl<T: Float> Spline<T> {
    /// The piecewise cubic with these break points and `PPoly` coefficients
    /// (`4 × m`, row-major; see the type's docs).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when there are fewer than two breaks, a
    /// break is not finite, the breaks decrease anywhere, `coeffs` does not
    /// hold `4 × (breaks.len() − 1)` values, or a coefficient is not finite.
    pub fn new(breaks: Vec<T>, coeffs: Vec<T>) -> Result<Self, Error> {
        let invalid = |reason: String| Error::InvalidParameter {
            kernel: "Spline",
            reason,
        };
        if breaks.len() < 2 {
            return Err(invalid(format!(
                "at least two breaks are required, got {}",
                breaks.len()
            )));
        }
        let m = breaks.len() - 1;
        if let Some(j) = breaks.iter().position(|b| !b.is_finite()) {
            return Err(invalid(format!(
                "break {j} is {} (must be finite)",
                breaks[j]
            )));
        }
        if let Some(j) = breaks.windows(2).position(|w| w[1] < w[0]) {
            return Err(invalid(format!(
                "breaks must be non-decreasing, but break {} ({}) > break {} ({})",
                j,
                breaks[j],
                j + 1,
                breaks[j + 1]
            )));
        }
        if coeffs.len() != 4 * m {
            return Err(invalid(format!(
                "{} breaks make {m} pieces, which need 4 x {m} = {} coefficients, got {}",
                breaks.len(),
                4 * m,
                coeffs.len()
            )));
        }
        if let Some(j) = coeffs.iter().position(|c| !c.is_finite()) {
            return Err(invalid(format!(
                "coefficient c[{}, {}] is {} (must be finite)",
                j / m,
                j % m,
                coeffs[j]
            )));
        }
        let pieces: Vec<[T; 4]> = (0..m)
            .map(|i| std::array::from_fn(|r| coeffs[r * m + i]))
            .collect();
        let (thresholds, columns) = choosable_pieces(&breaks, &pieces);
        let table = Pieces::new(&thresholds, columns);
        Ok(Spline {
            breaks,
            pieces,
            table,
        })
    }

    /// The break points, non-decreasing.
    pub fn breaks(&self) -> &[T] {
        &self.breaks
    }

    /// The coefficients of each piece, `[c0, c1, c2, c3]` with the cubic
    /// one first: column `i` of `PPoly`'s `c`.
    pub fn pieces(&self) -> &[[T; 4]] {
        &self.pieces
    }
}

/// The pieces PPoly can choose: piece 0 (every point below the breaks),
/// each piece of positive width, and the last piece (at and beyond the
/// last break, whatever its width). A chosen piece `i > 0` is chosen
/// exactly from its break on, so those breaks are the thresholds (they
/// increase strictly); the columns are each chosen piece's break and
/// coefficients.
fn choosable_pieces<T: Float>(breaks: &[T], pieces: &[[T; 4]]) -> (Vec<T>, [Vec<T>; 5]) {
    let m = pieces.len();
    let chosen: Vec<usize> = (0..m)
        .filter(|&i| i == 0 || i == m - 1 || breaks[i] < breaks[i + 1])
        .collect();
    let thresholds: Vec<T> = chosen[1..].iter().map(|&i| breaks[i]).collect();
    let columns = std::array::from_fn(|r| {
        chosen
            .iter()
            .map(|&i| if r == 0 { breaks[i] } else { pieces[i][r - 1] })
            .collect()
    });
    (thresholds, columns)
}

/// The value on a piece: Horner's rule in `d = t - break`, three fused
/// multiply-adds.
#[inline(always)]
fn horner<V: FloatVector>(t: V, [at, c0, c1, c2, c3]: [V; 5]) -> V {
    let d = t - at;
    c0.mul_add(d, c1).mul_add(d, c2).mul_add(d, c3)
}

impl<T: Float> Kernel<T> for Spline<T> {
    fn eval_in_place(&self, xs: &mut [T]) {
        self.table.eval_in_place(xs, horner);
    }

    fn eval(&self, src: &[T], dst: &mut [T]) {
        self.table.eval(src, dst, horner);
    }

    fn is_pure(&self) -> bool {
        true
    }

    fn prefetch(&self) {
        self.table.prefetch();
    }

    fn name(&self) -> &str {
        "spline"
    }

    fn flops_per_element(&self) -> Option<f64> {
        // Subtract + three FMAs; the piece search is comparisons.
        Some(7.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PPoly's rule, by linear search: the last break `<= t` that starts a
    /// piece, piece 0 below the breaks.
    fn ppoly_piece(breaks: &[f64], t: f64) -> usize {
        let m = breaks.len() - 1;
        breaks.iter().rposition(|&b| b <= t).unwrap_or(0).min(m - 1)
    }

    /// Every method chooses PPoly's piece, for repeated breaks inside and
    /// at both ends too.
    #[test]
    fn every_method_chooses_ppolys_piece() {
        let breaks = vec![-2.0f64, -2.0, -2.0, -1.0, 0.0, 0.0, 0.5, 3.0, 3.0];
        let m = breaks.len() - 1;
        // c3 = piece number, everything else 0: the result names the piece.
        let mut coeffs = vec![0.0; 4 * m];
        for i in 0..m {
            coeffs[3 * m + i] = i as f64;
        }
        let f = Spline::new(breaks.clone(), coeffs).unwrap();
        let ts = [-9.0, -2.0, -1.5, -1.0, 0.0, 0.25, 0.5, 2.9, 3.0, 7.0];
        let (thresholds, columns) = choosable_pieces(&f.breaks, &f.pieces);
        assert_eq!(thresholds, [-2.0, -1.0, 0.0, 0.5, 3.0]);
        for method in Pieces::<f64, 5>::methods(f.table.len()) {
            let mut g = f.clone();
            g.table = Pieces::with_method(&thresholds, columns.clone(), method);
            let mut got = ts;
            g.eval_in_place(&mut got);
            for (&t, &p) in ts.iter().zip(&got) {
                assert_eq!(p, ppoly_piece(&breaks, t) as f64, "{method:?}, t = {t}");
            }
        }
        // PPoly's choice: at the last break, the last (zero-width) piece;
        // at a repeated break inside, the piece after the repeats.
        assert_eq!(ppoly_piece(&breaks, 3.0), m - 1);
        assert_eq!(ppoly_piece(&breaks, 0.0), 5);
        assert_eq!(ppoly_piece(&breaks, -2.0), 2);
        assert_eq!(ppoly_piece(&breaks, -5.0), 0);
    }
}
