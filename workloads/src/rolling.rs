//! The rolling-mean workload: `rolling_mean` over a random walk, the one
//! workload that is not an `apply`, with its naive reference.

use crate::inputs::random_walk;

/// The rolling-mean workload's name, next to the catalogue's names.
pub const ROLLING_NAME: &str = "Rolling";

/// `rolling_mean` of a random walk with one half-width.
pub struct RollingWorkload {
    /// Short name: [`ROLLING_NAME`].
    pub name: &'static str,
    /// What it is, in a few words.
    pub what: &'static str,
    /// The series.
    pub x: Vec<f64>,
    /// Half-width of the window: each mean covers `2 * half_width + 1`
    /// points.
    pub half_width: usize,
    /// How far `rolling_mean` may differ from [`rolling_reference`],
    /// relative: the sliding sum and the direct sums round differently.
    pub max_rel: f64,
}

/// The rolling-mean workload at `n` points: a random walk (seed 5),
/// half-width 10.
pub fn rolling_workload(n: usize) -> RollingWorkload {
    RollingWorkload {
        name: ROLLING_NAME,
        what: "rolling mean w=10",
        x: random_walk(n, 5),
        half_width: 10,
        max_rel: 1e-12,
    }
}

/// Naive reference: each window, padded with the edge values, summed
/// directly and divided by its length.
pub fn rolling_reference(x: &[f64], half_width: usize) -> Vec<f64> {
    let n = x.len() as isize;
    let w = half_width as isize;
    let at = |i: isize| x[i.clamp(0, n - 1) as usize];
    (0..n)
        .map(|i| (i - w..=i + w).map(at).sum::<f64>() / (2 * half_width + 1) as f64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_pads_with_the_edge_values() {
        let got = rolling_reference(&[1.0, 2.0, 6.0], 1);
        assert_eq!(got, vec![4.0 / 3.0, 3.0, 14.0 / 3.0]);
        // A window wider than the series sees its edges repeated.
        assert_eq!(rolling_reference(&[3.0], 2), vec![3.0]);
        assert_eq!(rolling_reference(&[], 3), Vec::<f64>::new());
    }

    #[test]
    fn the_walk_climbs_by_steps_below_one() {
        let w = rolling_workload(1000);
        assert_eq!((w.name, w.x.len()), (ROLLING_NAME, 1000));
        assert!((0.0..1.0).contains(&w.x[0]));
        for pair in w.x.windows(2) {
            let step = pair[1] - pair[0];
            assert!((0.0..1.0).contains(&step), "{step}");
        }
        // Seeded: the same series every time.
        assert_eq!(random_walk(1000, 5), w.x);
    }
}
