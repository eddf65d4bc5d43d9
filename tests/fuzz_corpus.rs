//! Replays the committed fuzz corpus (`fuzz/corpus/`) and the inputs of past
//! findings (`fuzz/regressions/`, kept even where a corpus minimisation would
//! drop them) through the same checks the fuzz targets run, so CI keeps them
//! without nightly.

#[path = "../fuzz/harness.rs"]
mod harness;

use std::path::Path;

/// Runs `check` on every file of `fuzz/<set>/<target>`; returns how many.
fn replay(set: &str, target: &str, check: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(set)
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{} missing: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for file in &files {
        let data = std::fs::read(file).unwrap();
        if let Err(panic) = std::panic::catch_unwind(|| check(&data)) {
            panic!("fuzz input {} fails: {panic:?}", file.display());
        }
    }
    files.len()
}

#[test]
fn apply_corpus_passes() {
    let n = replay("corpus", "apply", harness::apply_case);
    assert!(n > 0, "the apply corpus is empty");
}

#[test]
fn rolling_corpus_passes() {
    let n = replay("corpus", "rolling", harness::rolling_case);
    assert!(n > 0, "the rolling corpus is empty");
}

/// `Affine(inf, NaN)` at 0 gave +NaN through the fused strategy and -NaN
/// through the kernel. NaN bits are unspecified; NaN must match NaN. (It
/// reproduced in the fuzz build, where `mul_add` is `wide`'s two-operation
/// SSE2 fallback and LLVM commuted the multiply differently in the two
/// paths; with `target-cpu=native` both paths emit the same FMA.)
#[test]
fn apply_regressions_pass() {
    assert_eq!(replay("regressions", "apply", harness::apply_case), 1);
}

/// - `sliding-residue-zero-window`: an all-zero window after values near
///   300 gave 1.7e-17 on the sliding path (the running sum's residue, before
///   the 8-ulp bound).
/// - `careful-removal-beside-nan-grew-magnitudes`: f32 data, w = 20, two
///   NaN then alternating +-1e30: the careful path added the magnitude of
///   a finite value leaving beside a NaN instead of removing it, so its
///   lower bound on the window's magnitude was too high and a mean 4e6
///   ulps off passed its check.
#[test]
fn rolling_regressions_pass() {
    assert_eq!(replay("regressions", "rolling", harness::rolling_case), 2);
}
