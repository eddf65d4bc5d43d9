//! [`FuncTable`]: the `k` functions that indices refer to.

use std::any::TypeId;
use std::collections::HashMap;
use std::fmt;

use crate::code::{ClosureGroup, Code, KernelGroup};
use crate::engine::runs::RunFunctions;
use crate::float::Float;
use crate::index::Index;
use crate::kernel::{Family, FnKernel, Kernel};

/// An ordered table of `k` functions; index `j` in `idx` selects entry `j`.
///
/// # Examples
///
/// ```
/// use splitapply::FuncTable;
/// use splitapply::kernels::{Affine, Exp};
///
/// let mut table = FuncTable::<f32>::new();
/// let double = table.push(Affine::new(2.0, 0.0));
/// let exp = table.push(Exp::new());
/// let square = table.push_fn(|x: f32| x * x);
/// assert_eq!((double, exp, square), (0, 1, 2));
/// assert_eq!(table.len(), 3);
/// assert_eq!(table.get(1).unwrap().name(), "exp");
/// ```
pub struct FuncTable<T: Float> {
    /// One group per code (Rust type), in order of first push; see
    /// `code.rs`.
    codes: Vec<Box<dyn Code<T>>>,
    /// The code of each type pushed so far.
    code_of_type: HashMap<TypeId, u32>,
    /// Function `j` is `codes[entries[j].code]`'s function `entries[j].pos`.
    entries: Vec<Entry>,
    /// Kept up to date on every push, so strategy choice needs no pass over
    /// the table.
    traits: TableTraits<T>,
}

/// Where a function is stored.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    code: u32,
    pos: u32,
}

/// What the engine needs to know about a whole table to choose a strategy.
#[derive(Debug, Clone)]
pub(crate) struct TableTraits<T> {
    /// `Some((a, b))` while every kernel is in the affine family.
    pub affine: Option<(Vec<T>, Vec<T>)>,
    /// True while every kernel reports [`Kernel::is_pure`].
    pub all_pure: bool,
}

impl<T: Float> TableTraits<T> {
    fn new() -> Self {
        TableTraits {
            affine: Some((Vec::new(), Vec::new())),
            all_pure: true,
        }
    }

    fn add(&mut self, kernel: &dyn Kernel<T>) {
        self.all_pure &= kernel.is_pure();
        match (kernel.family(), &mut self.affine) {
            (Some(Family::Affine { a, b }), Some((slopes, intercepts))) => {
                slopes.push(a);
                intercepts.push(b);
            }
            _ => self.affine = None,
        }
    }
}

impl<T: Float> FuncTable<T> {
    /// An empty table.
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// An empty table with room for `k` functions.
    pub fn with_capacity(k: usize) -> Self {
        FuncTable {
            codes: Vec::new(),
            code_of_type: HashMap::new(),
            entries: Vec::with_capacity(k),
            traits: TableTraits::new(),
        }
    }

    /// Appends a kernel and returns its function number.
    pub fn push<K: Kernel<T> + 'static>(&mut self, kernel: K) -> usize {
        self.traits.add(&kernel);
        self.push_into::<KernelGroup<K>>(|group| group.items.push(kernel))
    }

    /// Appends an already boxed kernel and returns its function number.
    pub fn push_boxed(&mut self, kernel: Box<dyn Kernel<T>>) -> usize {
        // Their types are unknown: all boxed kernels are one group, which
        // neither streams nor blends, so routing treats them one by one.
        self.traits.add(kernel.as_ref());
        self.push_into::<KernelGroup<Box<dyn Kernel<T>>>>(|group| group.items.push(kernel))
    }

    /// Appends a closure `Fn(T) -> T` and returns its function number.
    ///
    /// The loops over points are monomorphised per closure type, so simple
    /// bodies vectorise; and a table whose functions are all closures of
    /// one type (one closure expression, many captures) is evaluated in one
    /// streaming pass without grouping the points (see
    /// [`Strategy::Fused`](crate::Strategy::Fused)).
    pub fn push_fn<F>(&mut self, f: F) -> usize
    where
        F: Fn(T) -> T + Send + Sync + 'static,
    {
        let kernel = FnKernel::new(f);
        self.traits.add(&kernel);
        self.push_into::<ClosureGroup<F>>(|group| group.items.push(kernel))
    }

    /// Appends a function to the group `G` of its code, creating the group
    /// on first use.
    fn push_into<G: Code<T> + Default + 'static>(&mut self, push: impl FnOnce(&mut G)) -> usize {
        let codes = &mut self.codes;
        let code = *self
            .code_of_type
            .entry(TypeId::of::<G>())
            .or_insert_with(|| {
                codes.push(Box::new(G::default()));
                u32::try_from(codes.len() - 1).expect("fewer than 2^32 codes")
            });
        let group = self.codes[code as usize]
            .as_any_mut()
            .downcast_mut::<G>()
            .expect("the code of a type holds that type's group");
        let pos = u32::try_from(group.len()).expect("fewer than 2^32 functions");
        push(group);
        self.entries.push(Entry { code, pos });
        self.entries.len() - 1
    }

    /// Number of functions, `k`.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the table has no functions.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The kernel with function number `j`, if any.
    pub fn get(&self, j: usize) -> Option<&dyn Kernel<T>> {
        self.entries.get(j).map(|e| self.functions().kernel_at(*e))
    }

    /// Iterates over the kernels in function-number order.
    pub fn iter(&self) -> impl Iterator<Item = &dyn Kernel<T>> {
        self.entries.iter().map(|e| self.functions().kernel_at(*e))
    }

    /// Every function, for the engine.
    pub(crate) fn functions(&self) -> Functions<'_, T> {
        Functions {
            codes: &self.codes,
            entries: &self.entries,
        }
    }

    /// Family and purity of the whole table (crate-internal).
    pub(crate) fn traits(&self) -> &TableTraits<T> {
        &self.traits
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
            self.codes[e.code as usize].prefetch_slot(e.pos as usize);
        }
    }

    #[inline]
    fn prefetch_near(&self, j: usize) {
        if let Some(e) = self.entries.get(j) {
            self.codes[e.code as usize].prefetch(e.pos as usize);
        }
    }
}

/// The engine's view of a table's functions: evaluation by function
/// number, one dynamic call per segment.
pub(crate) struct Functions<'t, T: Float> {
    codes: &'t [Box<dyn Code<T>>],
    entries: &'t [Entry],
}

impl<T: Float> Clone for Functions<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Float> Copy for Functions<'_, T> {}

impl<'t, T: Float> Functions<'t, T> {
    /// Number of functions, `k`.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    fn kernel_at(&self, e: Entry) -> &'t dyn Kernel<T> {
        self.codes[e.code as usize].kernel(e.pos as usize)
    }

    /// [`Kernel::eval_in_place`] of function `j`.
    #[inline]
    pub(crate) fn eval_in_place(&self, j: usize, xs: &mut [T]) {
        let e = self.entries[j];
        self.codes[e.code as usize].eval_in_place(e.pos as usize, xs)
    }

    /// [`Kernel::eval`] of function `j`.
    #[inline]
    pub(crate) fn eval(&self, j: usize, src: &[T], dst: &mut [T]) {
        let e = self.entries[j];
        self.codes[e.code as usize].eval(e.pos as usize, src, dst)
    }

    /// Number of codes.
    pub(crate) fn code_count(&self) -> usize {
        self.codes.len()
    }

    /// True when every code of the table blends.
    pub(crate) fn all_codes_blend(&self) -> bool {
        self.codes.iter().all(|c| c.blends())
    }

    /// True when every code of the table streams.
    pub(crate) fn all_codes_stream(&self) -> bool {
        self.codes.iter().all(|c| c.streams())
    }

    /// Code `c`.
    #[inline]
    pub(crate) fn code(&self, c: usize) -> &'t dyn Code<T> {
        self.codes[c].as_ref()
    }

    /// Each point's code. `idx` must be validated; an index out of range is
    /// clamped (a wrong value, never a wrong access).
    #[inline]
    pub(crate) fn codes_of<I: Index>(&self, idx: &[I], codes: &mut [u8]) {
        let last = self.entries.len().saturating_sub(1);
        for (c, &i) in codes.iter_mut().zip(idx) {
            *c = self.entries[i.to_usize().min(last)].code as u8;
        }
    }

    /// The code pass of routing by code: each point's code and its
    /// position within the code. `idx` must be validated; an index out of
    /// range is clamped (a wrong value, never a wrong access).
    #[inline]
    pub(crate) fn codes_and_positions<I: Index>(
        &self,
        idx: &[I],
        codes: &mut [u8],
        positions: &mut [u32],
    ) {
        let last = self.entries.len().saturating_sub(1);
        for ((c, p), &i) in codes.iter_mut().zip(positions.iter_mut()).zip(idx) {
            let e = self.entries[i.to_usize().min(last)];
            *c = e.code as u8;
            *p = e.pos;
        }
    }

    /// The table's one code, when it has one and that code streams: then
    /// function numbers are positions in it.
    pub(crate) fn streaming_code(&self) -> Option<&'t dyn Code<T>> {
        match self.codes {
            [code] if code.streams() => Some(code.as_ref()),
            _ => None,
        }
    }
}

impl<T: Float> Default for FuncTable<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Float> fmt::Debug for FuncTable<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|k| k.name()))
            .finish()
    }
}
