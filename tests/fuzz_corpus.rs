//! Replays the committed fuzz corpus (`fuzz/corpus/`) through the same
//! checks the fuzz targets run, so CI keeps them without nightly.

#[path = "../fuzz/harness.rs"]
mod harness;

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("corpus {} missing: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for file in &files {
        let data = std::fs::read(file).unwrap();
        if let Err(panic) = std::panic::catch_unwind(|| check(&data)) {
            panic!("corpus input {} fails: {panic:?}", file.display());
        }
    }
    files.len()
}

#[test]
fn apply_corpus_passes() {
    let n = replay("apply", harness::apply_case);
    assert!(n > 0, "the apply corpus is empty");
}

#[test]
fn rolling_corpus_passes() {
    let n = replay("rolling", harness::rolling_case);
    assert!(n > 0, "the rolling corpus is empty");
}
