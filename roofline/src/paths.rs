//! Where the report finds its workspace and writes its files, as clean
//! paths: no `..` in what it prints.

use std::path::{Path, PathBuf};

/// The workspace root: the folder above this member's manifest.
pub(crate) fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the roofline member sits in the workspace")
}

/// `target/roofline` under the workspace (or under `CARGO_TARGET_DIR`),
/// wherever the report runs from.
pub(crate) fn default_out_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    target.join("roofline")
}
