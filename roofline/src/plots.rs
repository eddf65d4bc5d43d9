//! The SVG figures: the roofline, bandwidth against working set, the tile
//! sweep and thread scaling. Legends sit in their own area or in a corner
//! the data cannot reach, so no text overlaps a curve.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::kernels::{KERNELS, Mode, ROLLING_HALF_WIDTHS};
use crate::report::{self, Results};
use crate::roofs::{self, Roofs};

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type Fallible = Result<(), Box<dyn std::error::Error>>;
/// Draws one figure from the results into the given path.
type Figure = fn(&Results, &Path) -> Fallible;

const FONT: &str = "sans-serif";

/// Distinct colours for the kernels (11 built-ins, 2 rolling means).
const PALETTE: [RGBColor; 13] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
    RGBColor(0, 0, 128),
    RGBColor(128, 0, 0),
    RGBColor(0, 100, 0),
];

/// Colours of the roofs.
const DRAM: RGBColor = RGBColor(200, 0, 0);
const L3: RGBColor = RGBColor(230, 120, 0);
const L2: RGBColor = RGBColor(160, 120, 0);
const L1: RGBColor = RGBColor(100, 100, 100);
const FMA: RGBColor = RGBColor(0, 0, 0);
const SIMD: RGBColor = RGBColor(90, 90, 160);
const SCALAR: RGBColor = RGBColor(150, 150, 200);

/// Draws every figure into `out`; returns their paths.
pub(crate) fn draw(r: &Results, out: &Path) -> std::io::Result<Vec<PathBuf>> {
    let figures: [(&str, Figure); 4] = [
        ("roofline.svg", roofline),
        ("bandwidth.svg", bandwidth),
        ("tiles.svg", tiles),
        ("scaling.svg", scaling),
    ];
    let mut paths = Vec::new();
    for (name, draw) in figures {
        let path = out.join(name);
        draw(r, &path).map_err(|e| std::io::Error::other(format!("{name}: {e}")))?;
        paths.push(path);
    }
    Ok(paths)
}

fn kernel_names() -> Vec<String> {
    KERNELS
        .iter()
        .map(|k| k.sample_label.to_string())
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

/// Log-scale axis range around `lo..hi`, padded by a factor on each side.
fn padded(lo: f64, hi: f64, pad: f64) -> std::ops::Range<f64> {
    (lo / pad)..(hi * pad)
}

/// Figure 1: one roofline panel per float type and a shared legend.
fn roofline(r: &Results, path: &Path) -> Fallible {
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
                "Roofline: splitapply kernels on {} ({} thread{})",
                r.machine.cpu_model,
                r.max_threads(),
                if r.max_threads() == 1 { "" } else { "s" }
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

/// A triangle marker around the origin: filled, or outlined when the style
/// is not filled (plotters' `TriangleMarker` always fills).
fn triangle<DB: DrawingBackend>(style: ShapeStyle) -> DynElement<'static, DB, (i32, i32)> {
    let corners = vec![(0, -8), (7, 5), (-7, 5), (0, -8)];
    if style.filled {
        Polygon::new(corners, style).into_dyn()
    } else {
        PathElement::new(corners, style).into_dyn()
    }
}

/// The legend area of figure 1: roofs, then marker shapes, then kernels.
fn roofline_legend(area: &Area, top: &Roofs, one: &Roofs) -> Fallible {
    let font = (FONT, 14).into_font();
    let head = (FONT, 15).into_font().style(FontStyle::Bold);
    let mut y = 60;
    let x = 10;
    let line = |area: &Area, colour: RGBColor, dashed: bool, label: String, y: i32| -> Fallible {
        if dashed {
            for s in 0..4 {
                area.draw(&PathElement::new(
                    vec![(x + s * 8, y), (x + s * 8 + 5, y)],
                    colour.stroke_width(2),
                ))?;
            }
        } else {
            area.draw(&PathElement::new(
                vec![(x, y), (x + 30, y)],
                colour.stroke_width(2),
            ))?;
        }
        area.draw(&Text::new(label, (x + 40, y - 7), font.clone()))?;
        Ok(())
    };
    area.draw(&Text::new(
        format!(
            "Roofs ({} thread{})",
            top.threads,
            if top.threads == 1 { "" } else { "s" }
        ),
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
        line(area, colour, dashed, label, y)?;
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
        "inside apply (k = 250)",
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
        format!(
            "hollow: {} thread{}",
            one.threads,
            if one.threads == 1 { "" } else { "s" }
        ),
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

/// Axis label for a byte count (the axis works in `f64`).
fn bytes_axis(bytes: f64) -> String {
    report::bytes_label(bytes.round() as usize)
}

/// Labels for an axis in log2 units: 2^v at whole v, nothing between.
fn pow2_label(v: f64, label: fn(f64) -> String) -> String {
    if (v - v.round()).abs() < 1e-6 {
        label(v.round().exp2())
    } else {
        String::new()
    }
}

/// "256", "4K", "1M": a power-of-two point count.
fn count_label(n: f64) -> String {
    let n = n.round() as u64;
    if n >= 1 << 20 {
        format!("{}M", n >> 20)
    } else if n >= 1 << 10 {
        format!("{}K", n >> 10)
    } else {
        n.to_string()
    }
}

/// Figure 2: Triad bandwidth against working set, one line per thread count.
/// The x axis is log2 of the working set so that the ticks fall on powers
/// of two.
fn bandwidth(r: &Results, path: &Path) -> Fallible {
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
        let label = format!("{name} {}{note}", report::bytes_label(size));
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
        let label = format!("{t} thread{}", if t == 1 { "" } else { "s" });
        dotted_line(&mut chart, line, colour, 3, label)?;
    }
    lower_left_legend(&mut chart)?;
    root.present()?;
    Ok(())
}

/// Figure 3: ns per element against tile length for W1 and W2 (log2 x).
fn tiles(r: &Results, path: &Path) -> Fallible {
    let root = SVGBackend::new(path, (1000, 600)).into_drawing_area();
    root.fill(&WHITE)?;
    let ns = |t: &crate::workloads::TilePoint| t.sample.median() * 1e9 / t.n as f64;
    let log2 = |n: usize| (n as f64).log2();
    let lo = r.tiles.iter().map(|t| t.tile_len).min().unwrap_or(256);
    let hi = r.tiles.iter().map(|t| t.tile_len).max().unwrap_or(1 << 20);
    let y_hi = r.tiles.iter().map(ns).fold(0.0, f64::max) * 1.25;
    let threads = r.tiles.first().map_or(1, |t| t.threads);
    let xs = (log2(lo) - 0.5)..(log2(hi) + 0.5);
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("Time against tile length (bucket strategy, {threads} threads)"),
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
    for (i, (wl, what)) in [
        ("W1", "W1: k=250 closures j*x"),
        ("W2", "W2: k=250 Exp / Poly8"),
    ]
    .into_iter()
    .enumerate()
    {
        let colour = PALETTE[i];
        let line: Vec<(f64, f64)> = r
            .tiles
            .iter()
            .filter(|t| t.workload == wl)
            .map(|t| (log2(t.tile_len), ns(t)))
            .collect();
        dotted_line(&mut chart, line, colour, 4, what.to_string())?;
    }
    lower_left_legend(&mut chart)?;
    root.present()?;
    Ok(())
}

/// A chart with linear `f64` axes (figures 2 and 3 plot log2 on a linear x).
type LineChart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A dashed vertical line at `x` up to near `top` (the y axis' end), with
/// `label` just right of its top.
fn vertical_marker(chart: &mut LineChart, x: f64, top: f64, label: String) -> Fallible {
    chart.draw_series(DashedLineSeries::new(
        vec![(x, 0.0), (x, top * 0.93)],
        5,
        4,
        BLACK.mix(0.5).stroke_width(1),
    ))?;
    chart.draw_series(std::iter::once(Text::new(
        label,
        (x + 0.08, top * 0.985),
        (FONT, 14).into_font(),
    )))?;
    Ok(())
}

/// A line through `points` with a dot of `radius` at each, entered in the
/// legend as `label`.
fn dotted_line(
    chart: &mut LineChart,
    points: Vec<(f64, f64)>,
    colour: RGBColor,
    radius: i32,
    label: String,
) -> Fallible {
    chart
        .draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))?
        .label(label)
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 25, y)], colour.stroke_width(2)));
    chart.draw_series(
        points
            .iter()
            .map(|&p| Circle::new(p, radius, colour.filled())),
    )?;
    Ok(())
}

/// The series legend, boxed, in the lower-left corner (empty on these
/// figures: bandwidth and time fall to the right, and y starts at 0).
fn lower_left_legend<'a, 'b: 'a>(chart: &mut LineChart<'a, 'b>) -> Fallible {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerLeft)
        .label_font((FONT, 15))
        .background_style(WHITE)
        .border_style(BLACK)
        .draw()?;
    Ok(())
}

/// Figure 4: one panel per workload: measured rate, ideal linear scaling
/// and the STREAM ceiling against thread count.
fn scaling(r: &Results, path: &Path) -> Fallible {
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
        let style = colour.stroke_width(2);
        if dashed {
            for s in 0..4 {
                key.draw(&PathElement::new(
                    vec![(x + s * 8, 20), (x + s * 8 + 5, 20)],
                    style,
                ))?;
            }
        } else {
            key.draw(&PathElement::new(vec![(x, 20), (x + 30, 20)], style))?;
        }
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
