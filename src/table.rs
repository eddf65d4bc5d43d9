//! [`FuncTable`]: the `k` functions that indices refer to.

use std::fmt;

use crate::float::Float;
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
    kernels: Vec<Box<dyn Kernel<T>>>,
    /// Kept up to date on every push, so strategy choice costs nothing.
    traits: TableTraits<T>,
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
        FuncTable {
            kernels: Vec::new(),
            traits: TableTraits::new(),
        }
    }

    /// An empty table with room for `k` functions.
    pub fn with_capacity(k: usize) -> Self {
        FuncTable {
            kernels: Vec::with_capacity(k),
            traits: TableTraits::new(),
        }
    }

    /// Appends a kernel and returns its function number.
    pub fn push<K: Kernel<T> + 'static>(&mut self, kernel: K) -> usize {
        self.push_boxed(Box::new(kernel))
    }

    /// Appends an already boxed kernel and returns its function number.
    pub fn push_boxed(&mut self, kernel: Box<dyn Kernel<T>>) -> usize {
        self.traits.add(kernel.as_ref());
        self.kernels.push(kernel);
        self.kernels.len() - 1
    }

    /// Appends a closure `Fn(T) -> T` and returns its function number.
    ///
    /// The batch loop is monomorphised per closure, so simple bodies
    /// vectorise.
    pub fn push_fn<F>(&mut self, f: F) -> usize
    where
        F: Fn(T) -> T + Send + Sync + 'static,
    {
        self.push(FnKernel::new(f))
    }

    /// Number of functions, `k`.
    pub fn len(&self) -> usize {
        self.kernels.len()
    }

    /// True when the table has no functions.
    pub fn is_empty(&self) -> bool {
        self.kernels.is_empty()
    }

    /// The kernel with function number `j`, if any.
    pub fn get(&self, j: usize) -> Option<&dyn Kernel<T>> {
        self.kernels.get(j).map(|k| k.as_ref())
    }

    /// Iterates over the kernels in function-number order.
    pub fn iter(&self) -> impl Iterator<Item = &dyn Kernel<T>> {
        self.kernels.iter().map(|k| k.as_ref())
    }

    /// All kernels, indexed by function number (crate-internal fast access).
    pub(crate) fn kernels(&self) -> &[Box<dyn Kernel<T>>] {
        &self.kernels
    }

    /// Family and purity of the whole table (crate-internal).
    pub(crate) fn traits(&self) -> &TableTraits<T> {
        &self.traits
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
            .entries(self.kernels.iter().map(|k| k.name()))
            .finish()
    }
}
