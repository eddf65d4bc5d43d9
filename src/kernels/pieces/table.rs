//! The table of pieces and the method that searches it: what `mod.rs`
//! (which builds and runs tables) and `avx512/` (which reads them) share.
//!
//! Only `Pieces::with_method` builds a table, and it gives one an AVX-512
//! method only when the CPU has AVX-512: the `unsafe` of `avx512/`
//! relies on that.

#[cfg(target_arch = "x86_64")]
use super::gather_tables::GatherTables;
use super::grid::Grid;

/// How a table finds pieces; see the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    /// Guess and steps per lane, in scalar code.
    Portable,
    /// Every threshold blended in, all lanes at once.
    Blend,
    /// A binary search per lane, for grids that would need many steps.
    Search,
    /// AVX-512 permutes over columns held in registers.
    #[cfg(target_arch = "x86_64")]
    Registers,
    /// AVX-512 gathers.
    #[cfg(target_arch = "x86_64")]
    Gather,
}

/// Pieces, their thresholds and their values; see the module docs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pieces<T, const C: usize> {
    pub(super) grid: Grid<T>,
    /// `next[i]` is the threshold that starts piece `i + 1`; NaN for the
    /// last piece, so that no comparison steps past it.
    pub(super) next: Vec<T>,
    /// `columns[r][i]`: value `r` of piece `i`.
    pub(super) columns: [Vec<T>; C],
    pub(super) method: Method,
    /// What [`Method::Gather`] needs beyond the grid.
    #[cfg(target_arch = "x86_64")]
    pub(super) gather: Option<GatherTables<T>>,
}
