//! The engine's view of a table: its functions by number, its groups by
//! number, and where each function is stored.

use super::groups::TypeGroup;
use super::run_loop::RunFunctions;
use crate::float::Float;
use crate::kernel::Kernel;

/// Where a function is stored: its group, and its position in the group.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    pub(crate) group: u32,
    pub(crate) pos: u32,
}

/// Every function of a table: evaluation by function number, one dynamic
/// call per segment; and the groups of one Rust type they are stored in.
pub(crate) struct Functions<'t, T: Float> {
    groups: &'t [Box<dyn TypeGroup<T>>],
    entries: &'t [Entry],
}

impl<T: Float> Clone for Functions<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Float> Copy for Functions<'_, T> {}

impl<'t, T: Float> Functions<'t, T> {
    pub(super) fn new(groups: &'t [Box<dyn TypeGroup<T>>], entries: &'t [Entry]) -> Self {
        Functions { groups, entries }
    }

    /// Number of functions, `k`.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(super) fn kernel_at(&self, e: Entry) -> &'t dyn Kernel<T> {
        self.groups[e.group as usize].kernel(e.pos as usize)
    }

    /// [`Kernel::eval_in_place`] of function `j`.
    #[inline]
    pub(crate) fn eval_in_place(&self, j: usize, xs: &mut [T]) {
        let e = self.entries[j];
        self.groups[e.group as usize].eval_in_place(e.pos as usize, xs)
    }

    /// [`Kernel::eval`] of function `j`.
    #[inline]
    pub(crate) fn eval(&self, j: usize, src: &[T], dst: &mut [T]) {
        let e = self.entries[j];
        self.groups[e.group as usize].eval(e.pos as usize, src, dst)
    }

    /// Where each function is stored, by function number.
    #[inline]
    pub(crate) fn entries(&self) -> &'t [Entry] {
        self.entries
    }

    /// Number of groups (distinct Rust types).
    pub(crate) fn group_count(&self) -> usize {
        self.groups.len()
    }

    /// Group `g`.
    #[inline]
    pub(crate) fn group(&self, g: usize) -> &'t dyn TypeGroup<T> {
        self.groups[g].as_ref()
    }

    /// Every group, in group-number order.
    pub(crate) fn groups(&self) -> impl Iterator<Item = &'t dyn TypeGroup<T>> + use<'t, T> {
        self.groups.iter().map(|g| g.as_ref())
    }
}

/// The runs loop reaches any table's functions through its entries: the
/// entry, then where the function is stored (its box, for a boxed kernel),
/// then what it reads through pointers.
impl<T: Float> RunFunctions<T> for Functions<'_, T> {
    #[inline]
    fn eval(&self, j: usize, src: &[T], dst: &mut [T]) {
        Functions::eval(self, j, src, dst)
    }

    #[inline]
    fn prefetch_far(&self, j: usize) {
        if let Some(e) = self.entries.get(j) {
            crate::prefetch::prefetch(e);
        }
    }

    #[inline]
    fn prefetch_mid(&self, j: usize) {
        if let Some(e) = self.entries.get(j) {
            self.groups[e.group as usize].prefetch_slot(e.pos as usize);
        }
    }

    #[inline]
    fn prefetch_near(&self, j: usize) {
        if let Some(e) = self.entries.get(j) {
            self.groups[e.group as usize].prefetch(e.pos as usize);
        }
    }
}
