//! The report's outputs, one file per format: report.md ([`markdown`]),
//! report.json ([`json`]) and the summary on stdout ([`summary`]); the SVG
//! figures are drawn by `plots`.

mod json;
mod markdown;
pub(crate) mod summary;

use std::path::{Path, PathBuf};

use crate::plots;
use crate::results::Results;

/// The files one run wrote.
pub(crate) struct Written {
    /// The output folder, canonical (absolute, no `..`).
    pub dir: PathBuf,
    /// Every file written, in that folder.
    pub files: Vec<PathBuf>,
}

/// Writes report.md, report.json and the figures to `out`, creating it.
pub(crate) fn write(r: &Results, out: &Path) -> std::io::Result<Written> {
    std::fs::create_dir_all(out)?;
    let dir = out.canonicalize()?;
    let md = dir.join("report.md");
    std::fs::write(&md, markdown::markdown(r))?;
    let js = dir.join("report.json");
    let text = serde_json::to_string_pretty(&json::to_json(r)).map_err(std::io::Error::other)?;
    std::fs::write(&js, text)?;
    let mut files = vec![md, js];
    files.extend(plots::draw(r, &dir)?);
    Ok(Written { dir, files })
}
