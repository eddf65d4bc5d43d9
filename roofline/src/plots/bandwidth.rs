//! The bandwidth figure: Triad bandwidth against the working set per
//! thread, one line per thread count, the cache sizes marked. The x axis
//! is log2 of the working set so that the ticks fall on powers of two.

use std::path::Path;

use plotters::prelude::*;

use super::style::{
    FONT, Fallible, PALETTE, bytes_axis, dotted_line, lower_left_legend, pow2_label,
    vertical_marker,
};
use crate::labels::{bytes_label, threads_label};
use crate::results::Results;

/// Triad bandwidth against working set, one line per thread count.
pub(super) fn draw(r: &Results, path: &Path) -> Fallible {
    let root = SVGBackend::new(path, (1000, 600)).into_drawing_area();
    root.fill(&WHITE)?;
    let log2 = |b: usize| (b as f64).log2();
    let lo = r
        .sweep
        .iter()
        .map(|p| p.bytes_per_thread)
        .min()
        .unwrap_or(1 << 13);
    let hi = r
        .sweep
        .iter()
        .map(|p| p.bytes_per_thread)
        .max()
        .unwrap_or(1 << 27);
    let g_hi = r.sweep.iter().map(|p| p.gbps).fold(0.0, f64::max) * 1.2;
    let xs = (log2(lo) - 0.5)..(log2(hi) + 0.5);
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Triad bandwidth against working set (cache sizes marked)",
            (FONT, 22),
        )
        .margin(15)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(xs.clone(), 0.0..g_hi)?;
    chart
        .configure_mesh()
        .x_desc("working set per thread (three arrays, log scale)")
        .y_desc("Triad bandwidth, all threads (GB/s)")
        .x_labels((xs.end - xs.start) as usize + 1)
        .x_label_formatter(&|v| pow2_label(*v, bytes_axis))
        .light_line_style(TRANSPARENT)
        .axis_desc_style((FONT, 16))
        .label_style((FONT, 13))
        .draw()?;
    let caches = &r.machine.caches;
    // The last level is shared: on the per-thread axis each thread has a
    // share of it.
    for (size, name, note) in [
        (caches.l1d, "L1d", ""),
        (caches.l2, "L2", ""),
        (caches.llc, "L3", " (shared)"),
    ] {
        let label = format!("{name} {}{note}", bytes_label(size));
        vertical_marker(&mut chart, log2(size), g_hi, label)?;
    }
    for (i, &t) in r.options.end_threads().iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        let line: Vec<(f64, f64)> = r
            .sweep
            .iter()
            .filter(|p| p.threads == t)
            .map(|p| (log2(p.bytes_per_thread), p.gbps))
            .collect();
        dotted_line(&mut chart, line, colour, 3, threads_label(t))?;
    }
    lower_left_legend(&mut chart)?;
    root.present()?;
    Ok(())
}
