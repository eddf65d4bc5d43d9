//! The scaling figure: one panel per workload, its measured rate against
//! thread count next to ideal linear scaling from the first thread count
//! and the STREAM ceiling (the DRAM roof over its bytes per element).

use std::path::Path;

use plotters::prelude::*;

use super::style::{DRAM, FONT, Fallible, PALETTE, key_line};
use crate::results::Results;

/// One panel per workload, under a key shared by all panels.
pub(super) fn draw(r: &Results, path: &Path) -> Fallible {
    let root = SVGBackend::new(path, (1400, 760)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(
        "Thread scaling: measured against ideal and the STREAM ceiling (Gelem/s)",
        (FONT, 22),
    )?;
    let (key, body) = root.split_vertically(40);
    let measured = PALETTE[0];
    let ideal = RGBColor(120, 120, 120);
    let items: [(RGBColor, bool, &str); 3] = [
        (measured, false, "measured"),
        (ideal, true, "ideal linear (from the first thread count)"),
        (
            DRAM,
            false,
            "STREAM ceiling (DRAM roof / bytes per element)",
        ),
    ];
    let mut x = 250;
    for (colour, dashed, label) in items {
        key_line(&key, x, 20, colour, dashed)?;
        key.draw(&Text::new(label, (x + 38, 12), (FONT, 15).into_font()))?;
        x += 60 + 8 * label.len() as i32;
    }
    let mut names: Vec<(&str, &str)> = Vec::new();
    for p in &r.scaling {
        if !names.contains(&(p.workload, p.what)) {
            names.push((p.workload, p.what));
        }
    }
    let cols = 4;
    let rows = names.len().div_ceil(cols).max(1);
    let t_lo = r.options.threads[0] as f64;
    let t_hi = r.max_threads() as f64;
    for (panel, (name, what)) in body.split_evenly((rows, cols)).iter().zip(&names) {
        let pts: Vec<_> = r.scaling.iter().filter(|p| p.workload == *name).collect();
        let ceiling: Vec<(f64, f64)> = pts
            .iter()
            .filter_map(|p| {
                let s = r.streams.iter().find(|s| s.threads == p.threads)?;
                Some((p.threads as f64, s.best() / p.bytes_per_element))
            })
            .collect();
        let base = pts.first().map_or(0.0, |p| p.gelem_per_s());
        let ideal_line: Vec<(f64, f64)> = pts
            .iter()
            .map(|p| (p.threads as f64, base * p.threads as f64 / t_lo))
            .collect();
        let y_hi = ceiling
            .iter()
            .chain(&ideal_line)
            .map(|p| p.1)
            .chain(pts.iter().map(|p| p.gelem_per_s()))
            .fold(0.0, f64::max)
            * 1.15;
        let x_range = if t_hi > t_lo {
            (t_lo - 0.2)..(t_hi + 0.2)
        } else {
            (t_lo - 1.0)..(t_lo + 1.0)
        };
        let mut chart = ChartBuilder::on(panel)
            .caption(format!("{name}: {what}"), (FONT, 15))
            .margin(8)
            .x_label_area_size(35)
            .y_label_area_size(50)
            .build_cartesian_2d(x_range, 0.0..y_hi)?;
        chart
            .configure_mesh()
            .x_desc("threads")
            .y_desc("Gelem/s")
            .x_labels((t_hi - t_lo) as usize * 2 + 3)
            .x_label_formatter(&|v| {
                if (v - v.round()).abs() < 1e-6 {
                    format!("{v:.0}")
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|v| format!("{v:.2}"))
            .y_labels(6)
            .light_line_style(TRANSPARENT)
            .axis_desc_style((FONT, 13))
            .label_style((FONT, 12))
            .draw()?;
        chart.draw_series(LineSeries::new(ceiling, DRAM.stroke_width(2)))?;
        chart.draw_series(DashedLineSeries::new(
            ideal_line,
            6,
            4,
            ideal.stroke_width(2),
        ))?;
        let line: Vec<(f64, f64)> = pts
            .iter()
            .map(|p| (p.threads as f64, p.gelem_per_s()))
            .collect();
        chart.draw_series(LineSeries::new(line.clone(), measured.stroke_width(2)))?;
        chart.draw_series(line.iter().map(|&p| Circle::new(p, 4, measured.filled())))?;
    }
    root.present()?;
    Ok(())
}
