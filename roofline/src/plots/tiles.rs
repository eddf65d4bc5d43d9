//! The tile figure: time per point against tile length (log2 x axis) for
//! each workload of the tile sweep, the automatic tile length marked.

use std::path::Path;

use plotters::prelude::*;

use super::style::{
    FONT, Fallible, PALETTE, count_label, dotted_line, lower_left_legend, pow2_label,
    vertical_marker,
};
use crate::labels::threads_label;
use crate::results::Results;
use crate::sweeps::{TILE_WORKLOADS, TilePoint};

/// Time per point against tile length, one line per workload.
pub(super) fn draw(r: &Results, path: &Path) -> Fallible {
    let root = SVGBackend::new(path, (1000, 600)).into_drawing_area();
    root.fill(&WHITE)?;
    let ns = |t: &TilePoint| t.sample.median() * 1e9 / t.n as f64;
    let log2 = |n: usize| (n as f64).log2();
    let lo = r.tiles.iter().map(|t| t.tile_len).min().unwrap_or(256);
    let hi = r.tiles.iter().map(|t| t.tile_len).max().unwrap_or(1 << 20);
    let y_hi = r.tiles.iter().map(ns).fold(0.0, f64::max) * 1.25;
    let threads = r.tiles.first().map_or(1, |t| t.threads);
    let xs = (log2(lo) - 0.5)..(log2(hi) + 0.5);
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!(
                "Time against tile length (bucket strategy, {})",
                threads_label(threads)
            ),
            (FONT, 22),
        )
        .margin(15)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(xs.clone(), 0.0..y_hi)?;
    chart
        .configure_mesh()
        .x_desc("tile length (points, log scale)")
        .y_desc("time per point (ns)")
        .x_labels((xs.end - xs.start) as usize + 1)
        .x_label_formatter(&|v| pow2_label(*v, count_label))
        .light_line_style(TRANSPARENT)
        .axis_desc_style((FONT, 16))
        .label_style((FONT, 13))
        .draw()?;
    let label = format!("automatic tile ({})", count_label(r.auto_tile_len as f64));
    vertical_marker(&mut chart, log2(r.auto_tile_len), y_hi, label)?;
    for (i, wl) in TILE_WORKLOADS.into_iter().enumerate() {
        let points: Vec<&TilePoint> = r.tiles.iter().filter(|t| t.workload == wl).collect();
        let Some(first) = points.first() else {
            continue;
        };
        let label = format!("{wl}: {}", first.what);
        let line = points.iter().map(|t| (log2(t.tile_len), ns(t))).collect();
        dotted_line(&mut chart, line, PALETTE[i], 4, label)?;
    }
    lower_left_legend(&mut chart)?;
    root.present()?;
    Ok(())
}
