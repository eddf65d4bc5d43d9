//! W10: the shape of halotools' NFW lookup tables, the client this project
//! was started for. halotools tabulates, for a grid of halo
//! concentrations, profile quantities on a grid uniform in log radius, and
//! evaluates each point's table with `call_func_table`; converted with
//! `PPoly.from_spline`, each table is a cubic spline in `PPoly` form.
//!
//! Here: 250 concentrations `c` from 1 to 25; for each, the cubic Hermite
//! spline (exact values and slopes at the breaks) of
//!
//! ```text
//! g(L) = log10( mu(c 10^L) / mu(c) ),   mu(x) = ln(1 + x) - x / (1 + x)
//! ```
//!
//! the NFW enclosed-mass fraction at scaled radius `10^L`, on 101 breaks
//! uniform in `L = log10 r` over `[-4, 0]` (100 pieces). The points are
//! uniform in `L` over the same range; each picks a concentration
//! uniformly.

use splitapply::FuncTable;
use splitapply::kernels::Spline;

use crate::tables::DynFn;

/// Concentrations, one spline each.
pub const HALOTOOLS_K: usize = 250;

/// Pieces per spline.
pub const HALOTOOLS_PIECES: usize = 100;

/// The range of `L = log10 r` the tables cover (and the points fill).
pub const LOG_R_RANGE: (f64, f64) = (-4.0, 0.0);

/// `mu(x) = ln(1 + x) - x / (1 + x)`, by its series for small `x` (where
/// the two terms cancel).
fn nfw_mu(x: f64) -> f64 {
    if x < 0.01 {
        // sum over n >= 2 of (-1)^n (n - 1) / n x^n
        (2..14).rev().fold(0.0, |acc, n| {
            let sign = if n % 2 == 0 { 1.0 } else { -1.0 };
            acc * x + sign * (n - 1) as f64 / n as f64
        }) * x
            * x
    } else {
        x.ln_1p() - x / (1.0 + x)
    }
}

/// The spline of concentration `c`: its breaks and `PPoly` coefficients
/// (`4 x m`, row-major, the cubic row first).
pub fn nfw_spline(c: f64) -> (Vec<f64>, Vec<f64>) {
    let m = HALOTOOLS_PIECES;
    let (lo, hi) = LOG_R_RANGE;
    let breaks: Vec<f64> = (0..=m)
        .map(|i| lo + (hi - lo) * i as f64 / m as f64)
        .collect();
    let norm = nfw_mu(c).log10();
    let value = |l: f64| nfw_mu(c * 10f64.powf(l)).log10() - norm;
    // dg/dL = x mu'(x) / mu(x) with mu'(x) = x / (1 + x)^2.
    let slope = |l: f64| {
        let x = c * 10f64.powf(l);
        x * x / ((1.0 + x) * (1.0 + x) * nfw_mu(x))
    };
    let mut coeffs = vec![0.0; 4 * m];
    for i in 0..m {
        let (l0, l1) = (breaks[i], breaks[i + 1]);
        let h = l1 - l0;
        let (y0, y1, d0, d1) = (value(l0), value(l1), slope(l0), slope(l1));
        let secant = (y1 - y0) / h;
        coeffs[i] = (d0 + d1 - 2.0 * secant) / (h * h);
        coeffs[m + i] = (3.0 * secant - 2.0 * d0 - d1) / h;
        coeffs[2 * m + i] = d0;
        coeffs[3 * m + i] = y0;
    }
    (breaks, coeffs)
}

/// How far W10's `Spline` may differ from its twins, which use
/// `f64::mul_add`: bitwise when the build has FMA; without it `wide`
/// rounds each multiply and add separately.
pub const W10_MAX_REL: f64 = if cfg!(target_feature = "fma") {
    0.0
} else {
    16.0 * f64::EPSILON
};

/// Concentration `j` of the table.
pub fn concentration(j: usize) -> f64 {
    1.0 + 24.0 * j as f64 / (HALOTOOLS_K - 1) as f64
}

/// PPoly's evaluation at `t`, one point at a time: the piece is the last
/// break `<= t` (the first piece below the breaks, the last beyond), then
/// Horner's rule with fused multiply-adds, as `Spline` documents it.
pub fn ppoly_at(breaks: &[f64], coeffs: &[f64], t: f64) -> f64 {
    let m = breaks.len() - 1;
    let i = breaks.partition_point(|&b| b <= t).clamp(1, m) - 1;
    let d = t - breaks[i];
    coeffs[i]
        .mul_add(d, coeffs[m + i])
        .mul_add(d, coeffs[2 * m + i])
        .mul_add(d, coeffs[3 * m + i])
}

/// W10's table and its `dyn Fn` twins (the same splines evaluated point by
/// point).
pub fn halotools_splines() -> (FuncTable<f64>, Vec<DynFn>) {
    let mut table = FuncTable::with_capacity(HALOTOOLS_K);
    let mut boxed: Vec<DynFn> = Vec::with_capacity(HALOTOOLS_K);
    for j in 0..HALOTOOLS_K {
        let (breaks, coeffs) = nfw_spline(concentration(j));
        table.push(Spline::new(breaks.clone(), coeffs.clone()).expect("finite, sorted breaks"));
        boxed.push(Box::new(move |t: f64| ppoly_at(&breaks, &coeffs, t)));
    }
    (table, boxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_splines_follow_the_nfw_mass_profile() {
        for j in [0, 100, HALOTOOLS_K - 1] {
            let c = concentration(j);
            let (breaks, coeffs) = nfw_spline(c);
            assert_eq!(breaks.len(), HALOTOOLS_PIECES + 1);
            for l in [-3.99, -2.5, -1.234, -0.5, -0.01] {
                let exact = (nfw_mu(c * 10f64.powf(l)) / nfw_mu(c)).log10();
                let got = ppoly_at(&breaks, &coeffs, l);
                assert!(
                    (got - exact).abs() < 1e-6,
                    "c = {c}, L = {l}: {got} vs {exact}"
                );
            }
            // At r = rvir the fraction is 1.
            assert!(ppoly_at(&breaks, &coeffs, 0.0).abs() < 1e-12);
        }
        // The series and the direct form agree where they meet.
        assert!((nfw_mu(0.0099999) - (0.0099999f64.ln_1p() - 0.0099999 / 1.0099999)).abs() < 1e-15);
    }
}
