//! The roofline figure: one log-log panel per float type, the memory
//! roofs as diagonals and the compute roofs as flat lines, every kernel
//! as a point (circle: inside `apply`, triangle: a map; filled: all
//! threads, hollow: the first thread count), and a legend beside them.

use std::path::Path;

use plotters::prelude::*;
use splitapply_workloads::K;

use super::style::{
    Area, DRAM, FMA, FONT, Fallible, L1, L2, L3, PALETTE, SCALAR, SIMD, key_line, padded, triangle,
};
use crate::kernels::{Mode, ROLLING_HALF_WIDTHS, kernel_rows};
use crate::labels::threads_label;
use crate::results::Results;
use crate::roofs::{self, Roofs};

/// The kernels in legend order: the kernel rows, then the rolling means.
fn kernel_names() -> Vec<String> {
    kernel_rows()
        .iter()
        .map(|k| k.label.to_string())
        .chain(
            ROLLING_HALF_WIDTHS
                .iter()
                .map(|w| format!("RollingMean w={w}")),
        )
        .collect()
}

fn colour_of(kernel: &str) -> RGBColor {
    let i = kernel_names().iter().position(|k| k == kernel).unwrap_or(0);
    PALETTE[i % PALETTE.len()]
}

/// One roofline panel per float type and a shared legend.
pub(super) fn draw(r: &Results, path: &Path) -> Fallible {
    let root = SVGBackend::new(path, (1500, 720)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(
        &if r.max_threads() > r.options.threads[0] {
            format!(
                "Roofline: splitapply kernels on {} ({} threads filled, {} hollow)",
                r.machine.cpu_model,
                r.max_threads(),
                r.options.threads[0]
            )
        } else {
            format!(
                "Roofline: splitapply kernels on {} ({})",
                r.machine.cpu_model,
                threads_label(r.max_threads())
            )
        },
        (FONT, 22),
    )?;
    let (panels, legend) = root.split_horizontally(1180);
    let panels = panels.split_evenly((1, 2));
    let all_roofs = r.roofs();
    let top = roofs::at(&all_roofs, r.max_threads());
    let one = roofs::at(&all_roofs, r.options.threads[0]);
    for (panel, float) in panels.iter().zip(["f64", "f32"]) {
        roofline_panel(r, panel, float, top, one)?;
    }
    roofline_legend(&legend, top, one)?;
    root.present()?;
    Ok(())
}

/// The roofs of one float type, and its kernels under them.
fn roofline_panel(r: &Results, area: &Area, float: &str, top: &Roofs, one: &Roofs) -> Fallible {
    let points: Vec<_> = r
        .kernels
        .iter()
        .filter(|p| p.float == float && (p.threads == top.threads || p.threads == one.threads))
        .collect();
    let f32 = float == "f32";
    let (scalar_one, _, _) = one.compute.ceilings(f32);
    let (_, _, fma_top) = top.compute.ceilings(f32);
    let lanes = if f32 { 8 } else { 4 };
    let x_lo = points.iter().map(|p| p.intensity()).fold(0.05, f64::min);
    let x_hi = points.iter().map(|p| p.intensity()).fold(10.0, f64::max);
    let y_lo = points.iter().map(|p| p.gflops()).fold(scalar_one, f64::min);
    let y_hi = fma_top.max(points.iter().map(|p| p.gflops()).fold(0.0, f64::max));
    let xs = padded(x_lo, x_hi, 2.0);
    let ys = padded(y_lo, y_hi, 2.0);
    let mut chart = ChartBuilder::on(area)
        .caption(
            // The transcendental kernels use twice the lanes (`Float::Wide`).
            format!("{float} ({} or {} lanes)", lanes, 2 * lanes),
            (FONT, 20),
        )
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(xs.clone().log_scale(), ys.clone().log_scale())?;
    chart
        .configure_mesh()
        .x_desc("arithmetic intensity (FLOP/byte)")
        .y_desc("performance (GFLOP/s)")
        .axis_desc_style((FONT, 16))
        .label_style((FONT, 13))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;

    // Memory diagonals (all threads solid; DRAM at 1 thread dashed), each
    // capped by the FMA peak.
    let diagonal = |bw: f64, peak: f64| {
        let ridge = peak / bw;
        vec![(xs.start, bw * xs.start), (ridge, peak), (xs.end, peak)]
    };
    let levels = [
        (Some(top.dram), DRAM),
        (top.l3, L3),
        (top.l2, L2),
        (top.l1, L1),
    ];
    for (bw, colour) in levels {
        if let Some(bw) = bw {
            chart.draw_series(LineSeries::new(
                diagonal(bw, fma_top),
                colour.stroke_width(2),
            ))?;
        }
    }
    let (_, _, fma_one) = one.compute.ceilings(f32);
    if one.threads != top.threads {
        chart.draw_series(DashedLineSeries::new(
            diagonal(one.dram, fma_one),
            6,
            4,
            DRAM.stroke_width(1),
        ))?;
    }
    // Compute ceilings.
    let (scalar, simd, fma) = top.compute.ceilings(f32);
    for (peak, colour) in [(fma, FMA), (simd, SIMD), (scalar, SCALAR)] {
        chart.draw_series(LineSeries::new(
            vec![(peak / top.dram, peak), (xs.end, peak)],
            colour.stroke_width(2),
        ))?;
    }
    // The ridge point.
    let ridge = (fma / top.dram, fma);
    chart.draw_series(std::iter::once(Cross::new(ridge, 8, FMA.stroke_width(2))))?;
    chart.draw_series(std::iter::once(Text::new(
        format!("ridge {:.1} FLOP/B", ridge.0),
        (ridge.0 / 6.0, ridge.1 * 1.5),
        (FONT, 14).into_font(),
    )))?;

    // Kernels: circle = apply, triangle = map; filled = all threads.
    for p in &points {
        let colour = colour_of(&p.kernel);
        let style = if p.threads == top.threads && top.threads != one.threads {
            colour.filled()
        } else {
            colour.stroke_width(2)
        };
        let at = (p.intensity(), p.gflops());
        match p.mode {
            Mode::Apply => chart.draw_series(std::iter::once(Circle::new(at, 6, style)))?,
            Mode::Map => {
                chart.draw_series(std::iter::once(EmptyElement::at(at) + triangle(style)))?
            }
        };
    }
    Ok(())
}

/// The legend area: roofs, then marker shapes, then kernels.
fn roofline_legend(area: &Area, top: &Roofs, one: &Roofs) -> Fallible {
    let font = (FONT, 14).into_font();
    let head = (FONT, 15).into_font().style(FontStyle::Bold);
    let mut y = 60;
    let x = 10;
    area.draw(&Text::new(
        format!("Roofs ({})", threads_label(top.threads)),
        (x, y - 25),
        head.clone(),
    ))?;
    let t = top.threads;
    let mut roof_lines = vec![(DRAM, false, format!("DRAM {:.0} GB/s (STREAM)", top.dram))];
    for (bw, colour, name) in [(top.l3, L3, "L3"), (top.l2, L2, "L2"), (top.l1, L1, "L1")] {
        if let Some(bw) = bw {
            roof_lines.push((colour, false, format!("{name} {bw:.0} GB/s")));
        }
    }
    if one.threads != top.threads {
        roof_lines.push((
            DRAM,
            true,
            format!("DRAM and FMA peak, {} thread", one.threads),
        ));
    }
    roof_lines.push((FMA, false, format!("FMA peak ({t} thr)")));
    roof_lines.push((SIMD, false, "SIMD mul+add, no FMA".into()));
    roof_lines.push((SCALAR, false, "scalar (derived)".into()));
    for (colour, dashed, label) in roof_lines {
        key_line(area, x, y, colour, dashed)?;
        area.draw(&Text::new(label, (x + 40, y - 7), font.clone()))?;
        y += 22;
    }
    let (f64_fma, f32_fma) = (top.compute.f64_fma, top.compute.f32_fma);
    area.draw(&Text::new(
        format!("FMA: f64 {f64_fma:.0}, f32 {f32_fma:.0} GFLOP/s"),
        (x, y - 7),
        font.clone(),
    ))?;
    y += 40;
    area.draw(&Text::new("Markers", (x, y - 25), head.clone()))?;
    let grey = RGBColor(60, 60, 60);
    area.draw(&Circle::new((x + 15, y), 6, grey.filled()))?;
    area.draw(&Text::new(
        format!("inside apply (k = {K})"),
        (x + 40, y - 7),
        font.clone(),
    ))?;
    y += 22;
    area.draw(&(EmptyElement::at((x + 15, y)) + triangle(grey.filled())))?;
    area.draw(&Text::new(
        "map (one kernel)",
        (x + 40, y - 7),
        font.clone(),
    ))?;
    y += 22;
    area.draw(&Circle::new((x + 15, y), 6, grey.stroke_width(2)))?;
    area.draw(&Text::new(
        format!("hollow: {}", threads_label(one.threads)),
        (x + 40, y - 7),
        font.clone(),
    ))?;
    y += 40;
    area.draw(&Text::new("Kernels", (x, y - 25), head))?;
    for name in kernel_names() {
        area.draw(&Circle::new((x + 15, y), 6, colour_of(&name).filled()))?;
        area.draw(&Text::new(name, (x + 40, y - 7), font.clone()))?;
        y += 20;
    }
    Ok(())
}
