//! `Interp`: piecewise-linear interpolation on sorted knots.

use crate::error::Error;
use crate::float::{Float, FloatVector, MAX_LANES, for_each_vector};
use crate::kernel::Kernel;

/// Up to this many knots, segments are chosen in vector registers
/// ([`Interp::segment_vectors`]); beyond, by a binary search per lane.
const SELECT_MAX_KNOTS: usize = 32;

/// Piecewise-linear interpolation through `(knots[j], values[j])`, clamped
/// to the end values outside `[knots[0], knots[m-1]]` (like `numpy.interp`).
///
/// Inside segment `j` the result is `values[j] + (x - knots[j]) * slope[j]`
/// with the slope precomputed at construction and one fused multiply-add, so
/// a knot maps exactly to its value. NaN gives NaN; `-inf` and `+inf` give the
/// end values.
///
/// Each lane's segment is chosen by comparing it with every knot, all
/// lanes at once in vector registers (up to 32 knots), or else by a
/// branch-free binary search; the interpolation itself runs on full
/// vectors.
///
/// Accuracy: 0 ULP against the scalar formula above; against exact linear
/// interpolation the error is that of one subtraction, one precomputed slope
/// and one fused multiply-add (a few ULP of the larger of the value and the
/// segment's rise).
///
/// # Examples
/// ```
/// use splitapply::{Kernel, kernels::Interp};
/// let f = Interp::new(vec![0.0f64, 1.0, 3.0], vec![0.0, 10.0, 30.0])?;
/// let mut xs = [-1.0, 0.5, 2.0, 9.0];
/// f.eval_in_place(&mut xs);
/// assert_eq!(xs, [0.0, 5.0, 20.0, 30.0]);
///
/// // Unsorted knots are refused.
/// assert!(Interp::new(vec![0.0f64, 2.0, 1.0], vec![0.0, 1.0, 2.0]).is_err());
/// # Ok::<(), splitapply::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Interp<T> {
    knots: Vec<T>,
    values: Vec<T>,
    /// `slopes[j]` is the slope of segment `j` (between knots `j` and `j+1`);
    /// a single zero slope when there is only one knot.
    slopes: Vec<T>,
}

impl<T: Float> Interp<T> {
    /// Interpolation through the points `(knots[j], values[j])`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when the lists are empty or of different
    /// lengths, a knot is not finite, the knots are not strictly increasing, or
    /// a value is NaN.
    pub fn new(knots: Vec<T>, values: Vec<T>) -> Result<Self, Error> {
        let invalid = |reason: String| Error::InvalidParameter {
            kernel: "Interp",
            reason,
        };
        if knots.is_empty() {
            return Err(invalid("at least one knot is required".into()));
        }
        if knots.len() != values.len() {
            return Err(invalid(format!(
                "{} knots but {} values; they must match",
                knots.len(),
                values.len()
            )));
        }
        if let Some(j) = knots.iter().position(|k| !k.is_finite()) {
            return Err(invalid(format!(
                "knot {j} is {} (must be finite)",
                knots[j]
            )));
        }
        if let Some(j) = knots.windows(2).position(|w| w[0] >= w[1]) {
            return Err(invalid(format!(
                "knots must be strictly increasing, but knot {} ({}) >= knot {} ({})",
                j,
                knots[j],
                j + 1,
                knots[j + 1]
            )));
        }
        if let Some(j) = values.iter().position(|v| v.is_nan()) {
            return Err(invalid(format!("value {j} is NaN")));
        }
        let slopes = if knots.len() == 1 {
            vec![T::ZERO]
        } else {
            knots
                .windows(2)
                .zip(values.windows(2))
                .map(|(k, v)| (v[1] - v[0]) / (k[1] - k[0]))
                .collect()
        };
        Ok(Interp {
            knots,
            values,
            slopes,
        })
    }

    /// The knots, strictly increasing.
    pub fn knots(&self) -> &[T] {
        &self.knots
    }

    /// The values at the knots.
    pub fn values(&self) -> &[T] {
        &self.values
    }

    /// The segment whose formula applies to `x`: the last knot `<= x`,
    /// limited to the segments that exist. Out-of-range and NaN lanes get a
    /// valid segment too; the clamping selects override them.
    ///
    /// A binary search whose steps are conditional moves (random points
    /// would mispredict a branch at about half the steps).
    #[inline(always)]
    fn segment(&self, x: T) -> usize {
        // Invariant: knots[base] <= x, or base = 0; the answer is in
        // base..base + size.
        let mut base = 0;
        let mut size = self.knots.len();
        while size > 1 {
            let half = size / 2;
            let mid = base + half;
            // An `if`, or `half * (knot <= x) as usize`, compiled to a branch.
            base = std::hint::select_unpredictable(self.knots[mid] <= x, mid, base);
            size -= half;
        }
        base.min(self.slopes.len() - 1)
    }

    /// The segment's knot, value and slope for a whole vector of points,
    /// chosen in vector registers: each interior knot a point has passed
    /// replaces the previous choice (the knots increase, so the last one
    /// passed wins). For few knots this beats a search per lane. The same
    /// segment as [`Self::segment`] for every point but NaN, whose result
    /// does not depend on it.
    #[inline(always)]
    fn segment_vectors(&self, x: T::Vector) -> [T::Vector; 3] {
        let start = [self.knots[0], self.values[0], self.slopes[0]].map(T::splat);
        (1..self.knots.len().saturating_sub(1)).fold(start, |[x0, y0, slope], m| {
            let knot = T::splat(self.knots[m]);
            [
                x.select_lt(knot, x0, knot),
                x.select_lt(knot, y0, T::splat(self.values[m])),
                x.select_lt(knot, slope, T::splat(self.slopes[m])),
            ]
        })
    }

    /// The same by a binary search per lane, for many knots.
    #[inline(always)]
    fn segment_vectors_searched(&self, lanes: &[T]) -> [T::Vector; 3] {
        let mut x0 = [T::ZERO; MAX_LANES];
        let mut y0 = [T::ZERO; MAX_LANES];
        let mut slope = [T::ZERO; MAX_LANES];
        for (l, &x) in lanes.iter().enumerate() {
            let j = self.segment(x);
            x0[l] = self.knots[j];
            y0[l] = self.values[j];
            slope[l] = self.slopes[j];
        }
        let n = T::LANES;
        [T::load(&x0[..n]), T::load(&y0[..n]), T::load(&slope[..n])]
    }

    /// Evaluates one full vector held in `lanes` (exactly `T::LANES` values).
    #[inline(always)]
    fn eval_vector(&self, lanes: &mut [T]) {
        let x = T::load(lanes);
        let [x0, y0, slope] = if self.knots.len() <= SELECT_MAX_KNOTS {
            self.segment_vectors(x)
        } else {
            self.segment_vectors_searched(lanes)
        };
        let first_knot = T::splat(self.knots[0]);
        let last_knot = T::splat(self.knots[self.knots.len() - 1]);
        let inside = (x - x0).mul_add(slope, y0);
        // Above the last knot (and at it): the last value. NaN compares false
        // here and would take the last value, so NaN is restored below.
        let upper = x.select_lt(
            last_knot,
            inside,
            T::splat(self.values[self.values.len() - 1]),
        );
        let clamped = x.select_lt(first_knot, T::splat(self.values[0]), upper);
        T::store(x.select_nan(x, clamped), lanes);
    }
}

impl<T: Float> Kernel<T> for Interp<T> {
    fn eval_in_place(&self, xs: &mut [T]) {
        for_each_vector(xs, |lanes| self.eval_vector(lanes));
    }

    fn is_pure(&self) -> bool {
        true
    }

    fn prefetch(&self) {
        for column in [&self.knots, &self.values, &self.slopes] {
            if let Some(v) = column.first() {
                crate::prefetch::prefetch(v);
            }
        }
    }

    fn name(&self) -> &str {
        "interp"
    }

    fn flops_per_element(&self) -> Option<f64> {
        // Subtract + FMA; the binary search is comparisons, not FLOPs.
        Some(3.0)
    }
}
