//! Evenly spaced thresholds: each point's piece from the arithmetic
//! alone, without a load, for every point not too close to a threshold.

use super::grid::Grid;
use crate::float::Float;

/// Evenly spaced thresholds: the piece straight from the arithmetic,
/// without a load, for every point not too close to a threshold.
///
/// ```text
/// v     = clamp((t - origin) * scale, -1, L + 1)   (threshold k sits near v = k - 1/2)
/// r     = v rounded to an integer
/// piece = clamp(r, 0, L)   when |v - r| < margin, else undecided
/// ```
///
/// With `deviation` the largest distance of a threshold's own `v` from
/// its place `k - 1/2` (computed once, exactly), `margin = 1/2 -
/// deviation`: a point decided this way has every threshold `k <= r`
/// strictly below its `v`, so below the point (`v` never decreases with
/// `t`), and every other threshold strictly above. `v - r` is exact
/// (Sterbenz), so the test itself does not round.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Uniform<T> {
    origin: T,
    scale: T,
    /// `L`, the number of thresholds: the last piece.
    last_piece: T,
    margin: T,
}

impl<T: Float> Uniform<T> {
    /// The arithmetic for these strictly increasing, finite thresholds, or
    /// `None` when they are too far from evenly spaced (a threshold more
    /// than a quarter of a gap from its place) or the grid does not fit.
    pub(super) fn new(thresholds: &[T]) -> Option<Uniform<T>> {
        let grid = Grid::new(thresholds, 1)?;
        let [origin, scale, _] = grid.parameters();
        let mut deviation = 0.0f64;
        for (k, &threshold) in thresholds.iter().enumerate() {
            let v = ((threshold - origin) * scale).to_f64();
            // Exact: v is within a quarter of k + 1/2, or we give up.
            deviation = deviation.max((v - (k as f64 + 0.5)).abs());
        }
        if deviation > 0.25 {
            return None;
        }
        // The largest float of type T not above 1/2 - deviation.
        let bound = 0.5 - deviation;
        let mut margin = T::from_f64(bound);
        while margin.to_f64() > bound {
            margin = T::from_f64(margin.to_f64().next_down());
        }
        Some(Uniform {
            origin,
            scale,
            last_piece: T::from_f64(thresholds.len() as f64),
            margin,
        })
    }

    /// Origin, scale, the last piece and the margin, for the vector paths.
    pub(super) fn parameters(&self) -> [T; 4] {
        [self.origin, self.scale, self.last_piece, self.margin]
    }

    /// The piece of `t` when the arithmetic decides it (see the type's
    /// docs); `None` for points too close to a threshold.
    #[cfg(test)]
    pub(super) fn piece(&self, t: T) -> Option<usize> {
        let v = (t - self.origin) * self.scale;
        let low = T::from_f64(-1.0);
        let high = self.last_piece + T::from_f64(1.0);
        let v = if v >= low { v } else { low };
        let v = if v <= high { v } else { high };
        let r = T::from_f64(v.to_f64().round_ties_even());
        let gap = v - r;
        let gap = if gap < T::ZERO { -gap } else { gap };
        (gap < self.margin).then(|| r.to_f64().clamp(0.0, self.last_piece.to_f64()) as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_arithmetic_decides_almost_every_point_rightly() {
        for n in [0usize, 1, 2, 7, 127, 1000] {
            let t: Vec<f64> = (1..=n)
                .map(|i| 0.1 + 2.0 * i as f64 / (n + 1) as f64)
                .collect();
            let u = Uniform::new(&t).expect("even thresholds");
            let mut undecided = 0;
            for i in -100..=2200 {
                let x = i as f64 * 0.000_987_654_3 + 1.23e-5;
                match u.piece(x) {
                    Some(p) => assert_eq!(p, t.iter().filter(|&&b| b <= x).count(), "x = {x}"),
                    None => undecided += 1,
                }
            }
            assert!(undecided <= 2, "n = {n}: {undecided} undecided");
            for &b in &t {
                for x in [b, b.next_down(), b.next_up()] {
                    if let Some(p) = u.piece(x) {
                        assert_eq!(p, t.iter().filter(|&&b| b <= x).count(), "x = {x}");
                    }
                }
            }
        }
        // Uneven thresholds are refused.
        assert!(Uniform::new(&[0.0, 1.0, 1.5, 3.0]).is_none());
    }
}
