//! What the figures share: fonts, colours, markers, axis labels and
//! legend pieces.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::labels::bytes_label;

/// A drawing area of an SVG figure.
pub(super) type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
/// What drawing a figure returns.
pub(super) type Fallible = Result<(), Box<dyn std::error::Error>>;

pub(super) const FONT: &str = "sans-serif";

/// Distinct colours for the kernels and the lines of a chart; they repeat
/// beyond 18.
pub(super) const PALETTE: [RGBColor; 18] = [
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
    RGBColor(128, 128, 0),
    RGBColor(0, 128, 128),
    RGBColor(255, 215, 0),
    RGBColor(75, 0, 130),
    RGBColor(210, 105, 30),
];

/// Colours of the roofs.
pub(super) const DRAM: RGBColor = RGBColor(200, 0, 0);
pub(super) const L3: RGBColor = RGBColor(230, 120, 0);
pub(super) const L2: RGBColor = RGBColor(160, 120, 0);
pub(super) const L1: RGBColor = RGBColor(100, 100, 100);
pub(super) const FMA: RGBColor = RGBColor(0, 0, 0);
pub(super) const SIMD: RGBColor = RGBColor(90, 90, 160);
pub(super) const SCALAR: RGBColor = RGBColor(150, 150, 200);

/// Log-scale axis range around `lo..hi`, padded by a factor on each side.
pub(super) fn padded(lo: f64, hi: f64, pad: f64) -> std::ops::Range<f64> {
    (lo / pad)..(hi * pad)
}

/// A triangle marker around the origin: filled, or outlined when the style
/// is not filled (plotters' `TriangleMarker` always fills).
pub(super) fn triangle<DB: DrawingBackend>(
    style: ShapeStyle,
) -> DynElement<'static, DB, (i32, i32)> {
    let corners = vec![(0, -8), (7, 5), (-7, 5), (0, -8)];
    if style.filled {
        Polygon::new(corners, style).into_dyn()
    } else {
        PathElement::new(corners, style).into_dyn()
    }
}

/// Axis label for a byte count (the axis works in `f64`).
pub(super) fn bytes_axis(bytes: f64) -> String {
    bytes_label(bytes.round() as usize)
}

/// Labels for an axis in log2 units: 2^v at whole v, nothing between.
pub(super) fn pow2_label(v: f64, label: fn(f64) -> String) -> String {
    if (v - v.round()).abs() < 1e-6 {
        label(v.round().exp2())
    } else {
        String::new()
    }
}

/// "256", "4K", "1M": a power-of-two point count.
pub(super) fn count_label(n: f64) -> String {
    let n = n.round() as u64;
    if n >= 1 << 20 {
        format!("{}M", n >> 20)
    } else if n >= 1 << 10 {
        format!("{}K", n >> 10)
    } else {
        n.to_string()
    }
}

/// A chart with linear `f64` axes (figures 2 and 3 plot log2 on a linear x).
pub(super) type LineChart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A dashed vertical line at `x` up to near `top` (the y axis' end), with
/// `label` just right of its top.
pub(super) fn vertical_marker(chart: &mut LineChart, x: f64, top: f64, label: String) -> Fallible {
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
pub(super) fn dotted_line(
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
pub(super) fn lower_left_legend<'a, 'b: 'a>(chart: &mut LineChart<'a, 'b>) -> Fallible {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerLeft)
        .label_font((FONT, 15))
        .background_style(WHITE)
        .border_style(BLACK)
        .draw()?;
    Ok(())
}

/// A legend's line sample at (`x`, `y`), 30 pixels long: solid, or dashed
/// like the series it stands for.
pub(super) fn key_line(area: &Area, x: i32, y: i32, colour: RGBColor, dashed: bool) -> Fallible {
    let style = colour.stroke_width(2);
    if dashed {
        for s in 0..4 {
            area.draw(&PathElement::new(
                vec![(x + s * 8, y), (x + s * 8 + 5, y)],
                style,
            ))?;
        }
    } else {
        area.draw(&PathElement::new(vec![(x, y), (x + 30, y)], style))?;
    }
    Ok(())
}
