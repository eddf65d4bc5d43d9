//! Stands for a user's crate: it depends on splitapply by path and sets no
//! build flags, so its tests see the library exactly as the build they are
//! compiled in delivers it (see `tests/build.rs`).
