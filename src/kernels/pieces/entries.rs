//! Unevenly spaced thresholds: one 64-bit load per point finds its piece,
//! for every point not too close to a threshold.
//!
//! On a grid fine enough that no bucket holds two thresholds (`steps <=
//! 1`), bucket `G`'s entry packs two 32-bit halves: `start[G]`, and
//! `p[G]`, the grid position (`Grid::position`) of the threshold in the
//! bucket as an f32 (`+inf` when there is none). For a point at position
//! `u` in bucket `G`:
//!
//! ```text
//! piece = start[G] + 1   when u - p[G] > band
//!         start[G]       when p[G] - u > band
//!         undecided      otherwise
//! ```
//!
//! `band` is twice the largest rounding of a threshold's position to f32
//! (0 in f32 tables, whose positions are f32 already), so a decided point's
//! position is strictly beyond its threshold's own, and the point itself
//! beyond the threshold (positions never decrease with `t`).

use super::grid::Grid;
use crate::float::Float;

/// Packed bucket entries; see the module docs.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Entries<T> {
    entries: Vec<u64>,
    band: T,
}

impl<T: Float> Entries<T> {
    /// The entries of `grid` for its `thresholds`, or `None` when a bucket
    /// holds two of them.
    pub(super) fn new(grid: &Grid<T>, thresholds: &[T]) -> Option<Entries<T>> {
        if grid.steps() > 1 {
            return None;
        }
        let mut positions = vec![f32::INFINITY; grid.buckets()];
        let mut rounding = 0.0f64;
        for &threshold in thresholds {
            let exact = grid.position(threshold).to_f64();
            let p = exact as f32;
            rounding = rounding.max((f64::from(p) - exact).abs());
            positions[grid.bucket(threshold)] = p;
        }
        let entries = positions
            .iter()
            .enumerate()
            .map(|(g, p)| (u64::from(p.to_bits()) << 32) | grid.start(g) as u64)
            .collect();
        Some(Entries {
            entries,
            band: T::from_f64(2.0 * rounding),
        })
    }

    /// The packed entries, one per bucket.
    pub(super) fn entries(&self) -> &[u64] {
        &self.entries
    }

    /// The band around each threshold's position within which points are
    /// undecided.
    pub(super) fn band(&self) -> T {
        self.band
    }

    /// The piece of `t` when its entry decides it (see the module docs);
    /// `None` for points too close to a threshold.
    #[cfg(test)]
    pub(super) fn piece(&self, grid: &Grid<T>, t: T) -> Option<usize> {
        let u = grid.position(t);
        let entry = self.entries[grid.bucket(t)];
        let start = (entry & 0xffff_ffff) as usize;
        let p = T::from_f64(f64::from(f32::from_bits((entry >> 32) as u32)));
        if u - p > self.band {
            Some(start + 1)
        } else if p - u > self.band {
            Some(start)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check<T: Float>(thresholds: &[T]) {
        let grid = (0..6)
            .filter_map(|f| Grid::new(thresholds, 1 << f))
            .find(|g| g.steps() <= 1)
            .expect("a fine enough grid");
        let entries = Entries::new(&grid, thresholds).unwrap();
        let (lo, hi) = (
            thresholds[0].to_f64(),
            thresholds[thresholds.len() - 1].to_f64(),
        );
        let mut undecided = 0;
        for i in -1000..=21_000 {
            let x = T::from_f64(lo + (hi - lo) * (i as f64 * 0.000_049_7));
            match entries.piece(&grid, x) {
                Some(p) => assert_eq!(p, thresholds.iter().filter(|&&b| b <= x).count()),
                None => undecided += 1,
            }
        }
        assert!(
            undecided <= 3,
            "{undecided} undecided, band {}, buckets {}",
            entries.band(),
            grid.buckets()
        );
        for &b in thresholds {
            if let Some(p) = entries.piece(&grid, b) {
                assert_eq!(p, thresholds.iter().filter(|&&c| c <= b).count());
            }
        }
    }

    #[test]
    fn entries_decide_almost_every_point_rightly() {
        let uneven: Vec<f64> = (1..100)
            .map(|i| 0.25 + 1.5 * (i as f64 * 0.618_033_988_749_895).fract())
            .scan(0.0, |at, w| {
                *at += w;
                Some(*at)
            })
            .collect();
        check(&uneven);
        check(&uneven.iter().map(|&v| v as f32).collect::<Vec<_>>());
        let graded: Vec<f64> = (1..50).map(|i| (i as f64).powi(2) * 1e-3 + 1e6).collect();
        check(&graded);
        assert!(Entries::new(&Grid::new(&graded, 1).unwrap(), &graded).is_none());
    }
}
