//! The functions a call evaluates: the caller's `Table`, or a table built
//! for the call from a sequence of callables.

use std::ops::Deref;

use pyo3::prelude::*;

use crate::arrays;
use crate::table::Table;

/// True when `ids` fits one tile of the default engine: the engine then
/// runs serially anyway, so the call stays on the calling thread.
pub(crate) fn one_tile<T: splitapply::Float, I: splitapply::Index>(ids: &[I]) -> bool {
    ids.len() <= splitapply::Engine::new().effective_tile_len::<T, I>()
}

/// The functions a call evaluates: the caller's `Table`, or a table built
/// for this call from a sequence of callables.
pub(crate) enum Funcs<'py> {
    Table(PyRef<'py, Table>),
    Built(Table),
}

impl<'py> Funcs<'py> {
    /// `funcs` as a table: a `Table` as it is; any other sequence of
    /// callables as a table evaluating `x`'s float dtype.
    pub(crate) fn new(
        funcs: &Bound<'py, PyAny>,
        x: &Bound<'py, PyAny>,
        lower: bool,
    ) -> PyResult<Self> {
        match funcs.cast::<Table>() {
            Ok(table) => Ok(Funcs::Table(table.try_borrow()?)),
            Err(_) => Ok(Funcs::Built(Table::of_callables(
                funcs,
                arrays::is_float32(x)?,
                lower,
            )?)),
        }
    }
}

impl Deref for Funcs<'_> {
    type Target = Table;

    fn deref(&self) -> &Table {
        match self {
            Funcs::Table(t) => t,
            Funcs::Built(t) => t,
        }
    }
}
