//! The bucket grid: a first guess of a point's piece in O(1), and how many
//! compare-and-step corrections make the guess exact.
//!
//! ```text
//! bucket(t) = trunc(clamp((t - origin) * scale, 0, buckets - 1))
//! start[G]  = #{ thresholds whose bucket is < G }
//! steps     = max over G of #{ thresholds whose bucket is G }
//! ```
//!
//! `bucket` is computed in the float type itself, the same operations in
//! every path, and is non-decreasing in `t` (a rounded subtraction, a
//! rounded product with a positive scale, a clamp and a truncation each
//! are). That is all the correctness argument needs, so no rounding of
//! `(t - origin) * scale` can pick a wrong piece: for a point `t` in
//! bucket `G`, every threshold in an earlier bucket is below `t`, and every
//! threshold in a later bucket above it, so the number of thresholds
//! `<= t` lies in `start[G] ..= start[G] + steps`. The buckets are centred
//! on evenly spaced thresholds (with one more past the last), so on a
//! uniform grid each holds one
//! threshold, `start[G] = G` needs no table, and one step corrects the
//! guess.

use crate::float::Float;

/// Bucket counts tried, as multiples of the number of threshold gaps.
const FACTORS: [usize; 5] = [1, 2, 4, 8, 16];

/// The most buckets a grid may have (a table of `u32` starts, 4 MiB).
const MAX_BUCKETS: usize = 1 << 20;

/// A grid needing more steps than this gives way to a binary search.
pub(super) const MAX_STEPS: usize = 4;

/// A grid over sorted thresholds; see the module docs.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Grid<T> {
    origin: T,
    scale: T,
    /// `buckets - 1`, as a float (exact: at most [`MAX_BUCKETS`]).
    last: T,
    /// `start[G]` for each bucket; empty when `start[G] = G` for every `G`.
    start: Vec<u32>,
    buckets: usize,
    steps: usize,
}

impl<T: Float> Grid<T> {
    /// The grid with `factor` buckets per gap between the first and the
    /// last of the strictly increasing, finite `thresholds`; `None` when
    /// the span is too small or too large for a finite positive scale, or
    /// the grid would have too many buckets.
    pub(super) fn new(thresholds: &[T], factor: usize) -> Option<Grid<T>> {
        let Some((&first, &last)) = thresholds.first().zip(thresholds.last()) else {
            // Nothing to find: every point is in piece 0, bucket 0.
            return Some(Grid {
                origin: T::ZERO,
                scale: T::ZERO,
                last: T::ZERO,
                start: Vec::new(),
                buckets: 1,
                steps: 0,
            });
        };
        let gaps = thresholds.len() - 1;
        // The thresholds sit at positions 1/2, factor + 1/2, ...; one more
        // bucket past the last keeps every threshold's position inside the
        // clamp, and the points beyond it in a bucket of their own.
        let buckets = (factor.checked_mul(gaps)?).checked_add(2)?;
        if buckets > MAX_BUCKETS {
            return None;
        }
        let span = last.to_f64() - first.to_f64();
        let width = if gaps == 0 {
            1.0
        } else {
            span / (factor * gaps) as f64
        };
        let origin = T::from_f64(first.to_f64() - 0.5 * width);
        let scale = T::from_f64(1.0 / width);
        if !(width.is_normal() && origin.is_finite() && scale.is_finite() && scale > T::ZERO) {
            return None;
        }
        let mut grid = Grid {
            origin,
            scale,
            last: T::from_f64((buckets - 1) as f64),
            start: Vec::new(),
            buckets,
            steps: 0,
        };
        let mut count = vec![0u32; buckets];
        for &t in thresholds {
            count[grid.bucket(t)] += 1;
        }
        grid.steps = count.iter().copied().max().unwrap_or(0) as usize;
        let mut start = Vec::with_capacity(buckets);
        let mut below = 0u32;
        for c in count {
            start.push(below);
            below += c;
        }
        if start.iter().enumerate().any(|(g, &s)| s as usize != g) {
            grid.start = start;
        }
        Some(grid)
    }

    /// The grid whose guesses cost the fewest loads (a start table, if
    /// any, and the steps), among [`FACTORS`]; `None` when no grid fits
    /// the thresholds.
    pub(super) fn cheapest(thresholds: &[T]) -> Option<Grid<T>> {
        FACTORS
            .iter()
            .filter_map(|&f| Grid::new(thresholds, f))
            .min_by_key(|g| g.steps + usize::from(!g.start.is_empty()))
    }

    /// The coarsest grid among [`FACTORS`] with at most one threshold per
    /// bucket, if any.
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))] // for the AVX-512 methods
    pub(super) fn single(thresholds: &[T]) -> Option<Grid<T>> {
        FACTORS
            .iter()
            .filter_map(|&f| Grid::new(thresholds, f))
            .find(|g| g.steps <= 1)
    }

    /// Where `t` falls on the grid, in buckets: `(t - origin) * scale`
    /// clamped to `[0, buckets - 1]`; NaN at 0.
    #[inline(always)]
    pub(super) fn position(&self, t: T) -> T {
        let u = (t - self.origin) * self.scale;
        // Written as selects so that NaN takes the lower bound, as the
        // vector maximum does when its first operand is NaN.
        let u = if u >= T::ZERO { u } else { T::ZERO };
        if u <= self.last { u } else { self.last }
    }

    /// The bucket of `t`; NaN lands in bucket 0.
    #[inline(always)]
    pub(super) fn bucket(&self, t: T) -> usize {
        self.position(t).to_f64() as usize
    }

    /// The number of thresholds below every point of bucket `g`.
    #[inline(always)]
    pub(super) fn start(&self, g: usize) -> usize {
        if self.start.is_empty() {
            g
        } else {
            self.start[g] as usize
        }
    }

    /// How many compare-and-step corrections the guess may need.
    pub(super) fn steps(&self) -> usize {
        self.steps
    }

    /// The grid's arithmetic, for the vector paths: origin, scale and the
    /// last bucket as floats.
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))] // for the AVX-512 methods
    pub(super) fn parameters(&self) -> [T; 3] {
        [self.origin, self.scale, self.last]
    }

    /// The start table, or `None` when `start[G] = G`.
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))] // for the AVX-512 methods
    pub(super) fn start_table(&self) -> Option<&[u32]> {
        (!self.start.is_empty()).then_some(&self.start[..])
    }

    /// The number of buckets.
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))] // for the AVX-512 methods
    pub(super) fn buckets(&self) -> usize {
        self.buckets
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_thresholds_need_no_table_and_one_step() {
        for n in [1usize, 2, 3, 15, 100, 127, 1000] {
            let t: Vec<f64> = (0..n).map(|i| 0.1 + 2.0 * i as f64 / n as f64).collect();
            let g = Grid::new(&t, 1).unwrap();
            assert!(g.start_table().is_none(), "n = {n}");
            assert_eq!(g.steps(), 1, "n = {n}");
            let t32: Vec<f32> = t.iter().map(|&v| v as f32).collect();
            let g = Grid::new(&t32, 1).unwrap();
            assert!(g.start_table().is_none(), "f32 n = {n}");
            assert_eq!(g.steps(), 1, "f32 n = {n}");
        }
    }

    #[test]
    fn buckets_never_decrease_and_nan_is_in_range() {
        let t: Vec<f64> = (0..50).map(|i| (i as f64).powi(3) * 1e-3 - 7.0).collect();
        let g = Grid::cheapest(&t).unwrap();
        let mut prev = 0;
        for i in -2000..2000 {
            let b = g.bucket(i as f64 * 0.07);
            assert!(b >= prev && b < g.buckets());
            prev = b;
        }
        assert_eq!(g.bucket(f64::NAN), 0);
        assert_eq!(g.bucket(f64::NEG_INFINITY), 0);
        assert_eq!(g.bucket(f64::INFINITY), g.buckets() - 1);
    }

    #[test]
    fn degenerate_spans_are_refused() {
        // A span whose width per bucket is not a normal number.
        assert!(Grid::new(&[0.0, 1e-310], 1).is_none());
        // A span that overflows.
        assert!(Grid::new(&[-1e308, 1e308], 1).is_none());
        assert!(Grid::<f32>::new(&[-3e38, 3e38], 1).is_none());
        // Too many buckets.
        let t: Vec<f64> = (0..MAX_BUCKETS).map(|i| i as f64).collect();
        assert!(Grid::new(&t, 2).is_none());
    }
}
