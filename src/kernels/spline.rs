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
//! The piece is chosen in vector registers for a few pieces (each interior
//! break a lane has reached replaces the previous choice, as in `Interp`),
//! and by a branch-free binary search per lane for many.

use crate::error::Error;
use crate::float::{Float, FloatVector, MAX_LANES, for_each_vector};
use crate::kernel::Kernel;

/// Up to this many pieces the piece is chosen in vector registers (five
/// blends per interior break); beyond, by a binary search per lane.
const SELECT_MAX_PIECES: usize = 16;

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
        let pieces = (0..m)
            .map(|i| std::array::from_fn(|r| coeffs[r * m + i]))
            .collect();
        Ok(Spline { breaks, pieces })
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

    /// The piece that applies to `t`: the last break `<= t`, limited to the
    /// pieces that exist. A branch-free binary search; NaN gets a valid
    /// piece too, and gives NaN through the arithmetic.
    #[inline(always)]
    fn piece(&self, t: T) -> usize {
        // Invariant: breaks[base] <= t, or base = 0; the answer is in
        // base..base + size.
        let mut base = 0;
        let mut size = self.breaks.len();
        while size > 1 {
            let half = size / 2;
            let mid = base + half;
            base = std::hint::select_unpredictable(self.breaks[mid] <= t, mid, base);
            size -= half;
        }
        base.min(self.pieces.len() - 1)
    }

    /// The piece's break and coefficients for a whole vector, chosen in
    /// vector registers: each interior break a lane has reached replaces
    /// the previous choice (the breaks do not decrease, so the last one
    /// reached wins). The same piece as [`Self::piece`] for every point
    /// but NaN.
    #[inline(always)]
    fn piece_vectors(&self, t: T::Vector) -> [T::Vector; 5] {
        let [c0, c1, c2, c3] = self.pieces[0];
        let start = [self.breaks[0], c0, c1, c2, c3].map(T::splat);
        self.pieces.iter().zip(&self.breaks).skip(1).fold(
            start,
            |chosen, (&[c0, c1, c2, c3], &at)| {
                let at = T::splat(at);
                let candidate = [at, T::splat(c0), T::splat(c1), T::splat(c2), T::splat(c3)];
                std::array::from_fn(|r| t.select_lt(at, chosen[r], candidate[r]))
            },
        )
    }

    /// The same by a binary search per lane, for many pieces.
    #[inline(always)]
    fn piece_vectors_searched(&self, lanes: &[T]) -> [T::Vector; 5] {
        let mut columns = [[T::ZERO; MAX_LANES]; 5];
        for (l, &t) in lanes.iter().enumerate() {
            let i = self.piece(t);
            let [c0, c1, c2, c3] = self.pieces[i];
            for (column, value) in columns.iter_mut().zip([self.breaks[i], c0, c1, c2, c3]) {
                column[l] = value;
            }
        }
        columns.map(|column| T::load(&column[..T::LANES]))
    }

    /// Evaluates one full vector held in `lanes` (exactly `T::LANES` values).
    #[inline(always)]
    fn eval_vector(&self, lanes: &mut [T]) {
        let t = T::load(lanes);
        let [at, c0, c1, c2, c3] = if self.pieces.len() <= SELECT_MAX_PIECES {
            self.piece_vectors(t)
        } else {
            self.piece_vectors_searched(lanes)
        };
        let d = t - at;
        T::store(c0.mul_add(d, c1).mul_add(d, c2).mul_add(d, c3), lanes);
    }
}

impl<T: Float> Kernel<T> for Spline<T> {
    fn eval_in_place(&self, xs: &mut [T]) {
        for_each_vector(xs, |lanes| self.eval_vector(lanes));
    }

    fn is_pure(&self) -> bool {
        true
    }

    fn prefetch(&self) {
        if let Some(b) = self.breaks.first() {
            crate::prefetch::prefetch(b);
        }
        if let Some(p) = self.pieces.first() {
            crate::prefetch::prefetch(p);
        }
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

    /// The binary search and the register selection pick the same piece,
    /// including for repeated breaks and at the ends.
    #[test]
    fn search_and_selection_agree() {
        let breaks = vec![-2.0f64, -2.0, -1.0, 0.0, 0.0, 0.5, 3.0, 3.0];
        let m = breaks.len() - 1;
        // c3 = piece number, everything else 0: the result names the piece.
        let mut coeffs = vec![0.0; 4 * m];
        for i in 0..m {
            coeffs[3 * m + i] = i as f64;
        }
        let f = Spline::new(breaks.clone(), coeffs).unwrap();
        for t in [-9.0, -2.0, -1.5, -1.0, 0.0, 0.25, 0.5, 2.9, 3.0, 7.0] {
            let searched = f.piece(t);
            let mut lanes = [t; 4];
            f.eval_vector(&mut lanes);
            assert_eq!(lanes[0], searched as f64, "t = {t}");
        }
        // PPoly's choice: at the last break, the last (zero-width) piece;
        // at a repeated break inside, the piece after the repeats.
        assert_eq!(f.piece(3.0), m - 1);
        assert_eq!(f.piece(0.0), 4);
        assert_eq!(f.piece(-2.0), 1);
        assert_eq!(f.piece(-5.0), 0);
    }
}
