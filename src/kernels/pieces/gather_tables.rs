//! What the AVX-512 gather method (`avx512/`) needs of a table beyond
//! its grid, built once with the table.

use super::entries::Entries;
use super::grid::{Grid, MAX_STEPS};
use super::uniform::Uniform;
use crate::float::Float;

/// What the gather method needs beyond the grid: a way to decide most
/// points without the grid's steps, and in f32 the columns paired.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct GatherTables<T> {
    /// On evenly spaced thresholds: the piece by arithmetic alone.
    pub(super) uniform: Option<Uniform<T>>,
    /// On others, when the grid has at most one per bucket: the piece by
    /// one load.
    pub(super) entries: Option<Entries<T>>,
    /// In f32: the columns two by two (`pairs[p][i]` is values `2p` and
    /// `2p + 1` of piece `i`), one 64-bit gather fetching both.
    pub(super) pairs: Vec<Vec<[T; 2]>>,
}

impl<T: Float> GatherTables<T> {
    /// The tables, and the grid that decides what they leave undecided
    /// (`None` when no grid fits in [`MAX_STEPS`]).
    pub(super) fn new<const C: usize>(
        thresholds: &[T],
        columns: &[Vec<T>; C],
    ) -> (Option<Grid<T>>, GatherTables<T>) {
        let uniform = Uniform::new(thresholds);
        let single = match uniform {
            Some(_) => None,
            None => Grid::single(thresholds),
        };
        let entries = single.as_ref().and_then(|g| Entries::new(g, thresholds));
        let grid = single
            .or_else(|| Grid::cheapest(thresholds))
            .filter(|g| g.steps() <= MAX_STEPS);
        let pieces = thresholds.len() + 1;
        let pairs = if T::BYTES == 4 {
            (0..C.div_ceil(2))
                .map(|p| {
                    (0..pieces)
                        .map(|i| {
                            let second = columns.get(2 * p + 1).map_or(T::ZERO, |c| c[i]);
                            [columns[2 * p][i], second]
                        })
                        .collect()
                })
                .collect()
        } else {
            Vec::new()
        };
        let tables = GatherTables {
            uniform,
            entries,
            pairs,
        };
        (grid, tables)
    }
}
