//! The SVG figures, one file each: the roofline, bandwidth against working
//! set, the tile sweep and thread scaling; what they share (fonts,
//! colours, markers, axis labels) is in `style`. Legends sit in their own
//! area or in a corner the data cannot reach, so no text overlaps a curve.

mod bandwidth;
mod roofline;
mod scaling;
mod style;
mod tiles;

use std::path::{Path, PathBuf};

use crate::results::Results;

/// One figure: its file, its caption and how to draw it.
pub(crate) struct Figure {
    /// File name in the output folder.
    pub file: &'static str,
    /// What it shows, in a line (the Markdown's alt text).
    pub caption: &'static str,
    draw: fn(&Results, &Path) -> style::Fallible,
}

impl Figure {
    /// The Markdown that embeds it.
    pub(crate) fn markdown(&self) -> String {
        format!("![{}]({})", self.caption, self.file)
    }
}

pub(crate) const ROOFLINE: Figure = Figure {
    file: "roofline.svg",
    caption: "Roofline: every kernel against this machine's roofs",
    draw: roofline::draw,
};

pub(crate) const BANDWIDTH: Figure = Figure {
    file: "bandwidth.svg",
    caption: "Triad bandwidth against working-set size",
    draw: bandwidth::draw,
};

pub(crate) const TILES: Figure = Figure {
    file: "tiles.svg",
    caption: "Time against tile length",
    draw: tiles::draw,
};

pub(crate) const SCALING: Figure = Figure {
    file: "scaling.svg",
    caption: "Thread scaling against the ideal and the STREAM ceiling",
    draw: scaling::draw,
};

/// Every figure, in the report's order.
pub(crate) const FIGURES: [Figure; 4] = [ROOFLINE, BANDWIDTH, TILES, SCALING];

/// Draws every figure into `out`; returns their paths.
pub(crate) fn draw(r: &Results, out: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    for figure in &FIGURES {
        let path = out.join(figure.file);
        (figure.draw)(r, &path)
            .map_err(|e| std::io::Error::other(format!("{}: {e}", figure.file)))?;
        paths.push(path);
    }
    Ok(paths)
}
