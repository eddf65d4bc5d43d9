//! Storage: [`FuncTable`], the `k` functions that indices refer to.
//!
//! The table keeps each function in the group of its Rust type
//! (`groups.rs`; the parametric kernel families' groups keep a packed copy
//! of their parameters, `families.rs`), and remembers for function `j` which group and which
//! position in it ([`Entry`]). The engine reads the table through its view
//! ([`Functions`], `view.rs`) and the properties kept up to date on every
//! push ([`TableProperties`]); the runs loop that each group instantiates
//! for itself is `run_loop.rs`. Nothing here depends on the engine.

mod families;
mod groups;
pub(crate) mod run_loop;
mod view;

use std::any::{Any, TypeId};
use std::collections::{HashMap, TryReserveError};
use std::fmt;
use std::ops::Range;

use crate::error::Error;
use crate::float::Float;
use crate::kernel::{Family, FnKernel, Kernel};
use crate::kernels::{Affine, Clamp, Poly};

use families::ParamKernel;
use groups::{ClosureGroup, FamilyGroup, KernelGroup};
pub(crate) use groups::{Streaming, TypeGroup};
pub(crate) use view::{Entry, Functions};

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
    /// One group per Rust type, in order of first push; see `groups.rs`.
    groups: Vec<Box<dyn TypeGroup<T>>>,
    /// The group of each type pushed so far.
    group_of_type: HashMap<TypeId, u32>,
    /// Function `j` is `groups[entries[j].group]`'s function
    /// `entries[j].pos`.
    entries: Vec<Entry>,
    /// Kept up to date on every push, so strategy choice needs no pass over
    /// the table.
    properties: TableProperties<T>,
}

/// What the engine needs to know about a whole table to choose a strategy.
#[derive(Debug, Clone)]
pub(crate) struct TableProperties<T> {
    /// `Some((a, b))` while every kernel is in the affine family.
    pub(crate) affine: Option<(Vec<T>, Vec<T>)>,
    /// True while every kernel reports [`Kernel::is_pure`].
    pub(crate) all_pure: bool,
}

impl<T: Float> TableProperties<T> {
    fn new() -> Self {
        TableProperties {
            affine: Some((Vec::new(), Vec::new())),
            all_pure: true,
        }
    }

    /// Room for `additional` more functions, fallibly, `first` the first
    /// of them: coefficients are kept only while every kernel is affine.
    fn try_reserve(
        &mut self,
        first: &dyn Kernel<T>,
        additional: usize,
    ) -> Result<(), TryReserveError> {
        let affine = matches!(first.family(), Some(Family::Affine { .. }));
        if let (true, Some((a, b))) = (affine, &mut self.affine) {
            a.try_reserve(additional)?;
            b.try_reserve(additional)?;
        }
        Ok(())
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
            groups: Vec::new(),
            group_of_type: HashMap::new(),
            entries: Vec::with_capacity(k),
            properties: TableProperties::new(),
        }
    }

    /// Appends kernels of one type and returns their function numbers,
    /// reserving the memory for all of them first: for tables whose size
    /// comes from input (a binding's arrays of parameters), where running
    /// out of memory must be an error, not an abort.
    ///
    /// # Errors
    /// [`Error::AllocationFailed`] when the memory cannot be had; the
    /// table is then unchanged.
    ///
    /// # Examples
    /// ```
    /// use splitapply::FuncTable;
    /// use splitapply::kernels::Affine;
    ///
    /// let mut table = FuncTable::<f64>::new();
    /// let slopes = [1.0, 2.0, 3.0];
    /// let added = table.try_extend(slopes.iter().map(|&a| Affine::new(a, 0.0)))?;
    /// assert_eq!(added, 0..3);
    /// # Ok::<(), splitapply::Error>(())
    /// ```
    pub fn try_extend<K, I>(&mut self, kernels: I) -> Result<Range<usize>, Error>
    where
        K: Kernel<T> + 'static,
        I: IntoIterator<Item = K>,
        I::IntoIter: ExactSizeIterator,
    {
        let mut kernels = kernels.into_iter().peekable();
        let n = kernels.len();
        let Some(first_kernel) = kernels.peek() else {
            return Ok(self.len()..self.len());
        };
        let first = self.len();
        let failed = |per_function: usize| Error::AllocationFailed {
            what: "a table's functions",
            bytes: n.saturating_mul(per_function),
        };
        self.entries
            .try_reserve(n)
            .map_err(|_| failed(std::mem::size_of::<Entry>()))?;
        self.properties
            .try_reserve(first_kernel, n)
            .map_err(|_| failed(2 * std::mem::size_of::<T>()))?;
        let reserved = if let Some(first) = as_type::<K, Affine<T>>(first_kernel) {
            self.try_reserve_family(first, n)
        } else if let Some(first) = as_type::<K, Poly<T>>(first_kernel) {
            self.try_reserve_family(first, n)
        } else if let Some(first) = as_type::<K, Clamp<T>>(first_kernel) {
            self.try_reserve_family(first, n)
        } else {
            self.try_reserve_group::<KernelGroup<K>>(n, |g, n| g.items.try_reserve(n))
        };
        reserved.map_err(|_| failed(std::mem::size_of::<K>()))?;
        for kernel in kernels {
            self.push(kernel);
        }
        Ok(first..self.len())
    }

    /// Room for `n` more functions in the group of type `G`, installing
    /// the group (with its room) if it is new, so that a refused call
    /// leaves no empty group behind.
    fn try_reserve_group<G: TypeGroup<T> + Default + 'static>(
        &mut self,
        n: usize,
        reserve: impl Fn(&mut G, usize) -> Result<(), TryReserveError>,
    ) -> Result<(), TryReserveError> {
        match self.group_of_type.get(&TypeId::of::<G>()) {
            Some(&g) => reserve(
                self.groups[g as usize]
                    .as_any_mut()
                    .downcast_mut::<G>()
                    .expect("the group of a type holds that type's functions"),
                n,
            ),
            None if n > 0 => {
                let mut group = G::default();
                reserve(&mut group, n)?;
                self.install_group(group);
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// [`FuncTable::try_reserve_group`] for a parametric family.
    fn try_reserve_family<K: ParamKernel<T>>(
        &mut self,
        first: &K,
        n: usize,
    ) -> Result<(), TryReserveError> {
        self.try_reserve_group::<FamilyGroup<T, K>>(n, |g, n| {
            g.items.try_reserve(n)?;
            if g.streams {
                K::try_reserve(&mut g.params, g.items.len(), first, n)?;
            }
            Ok(())
        })
    }

    /// Appends a kernel and returns its function number.
    ///
    /// Kernels are kept with the others of their type, so the engine sees
    /// which functions share one: a table of one parametric family
    /// (`Affine`, `Clamp`, short `Poly`) streams with per-point parameters,
    /// and kernels without parameters count as one function per type (see
    /// [`Strategy`](crate::Strategy)).
    pub fn push<K: Kernel<T> + 'static>(&mut self, kernel: K) -> usize {
        self.properties.add(&kernel);
        // The parametric families go to groups that can stream.
        let mut slot = Some(kernel);
        if let Some(k) = take_as::<K, Affine<T>>(&mut slot) {
            return self.push_into::<FamilyGroup<T, Affine<T>>>(|g| g.push(k));
        }
        if let Some(k) = take_as::<K, Poly<T>>(&mut slot) {
            return self.push_into::<FamilyGroup<T, Poly<T>>>(|g| g.push(k));
        }
        if let Some(k) = take_as::<K, Clamp<T>>(&mut slot) {
            return self.push_into::<FamilyGroup<T, Clamp<T>>>(|g| g.push(k));
        }
        let kernel = slot.expect("not taken");
        self.push_into::<KernelGroup<K>>(|group| group.items.push(kernel))
    }

    /// Appends an already boxed kernel and returns its function number.
    pub fn push_boxed(&mut self, kernel: Box<dyn Kernel<T>>) -> usize {
        // Their types are unknown: all boxed kernels are one group, which
        // neither streams nor selects, so routing treats them one by one.
        self.properties.add(kernel.as_ref());
        self.push_into::<KernelGroup<Box<dyn Kernel<T>>>>(|group| group.items.push(kernel))
    }

    /// Appends a closure `Fn(T) -> T` and returns its function number.
    ///
    /// The loops over points are monomorphised per closure type, so simple
    /// bodies vectorise; and a table whose functions are all closures of
    /// one type (one closure expression, many captures) is evaluated in one
    /// streaming pass without grouping the points (see
    /// [`Strategy::StreamClosures`](crate::Strategy::StreamClosures)).
    pub fn push_fn<F>(&mut self, f: F) -> usize
    where
        F: Fn(T) -> T + Send + Sync + 'static,
    {
        let kernel = FnKernel::new(f);
        self.properties.add(&kernel);
        self.push_into::<ClosureGroup<F>>(|group| group.items.push(kernel))
    }

    /// Appends a function to the group `G` of its type, creating the group
    /// on first use.
    fn push_into<G: TypeGroup<T> + Default + 'static>(
        &mut self,
        push: impl FnOnce(&mut G),
    ) -> usize {
        let group = match self.group_of_type.get(&TypeId::of::<G>()) {
            Some(&g) => g,
            None => self.install_group(G::default()),
        };
        let typed = self.groups[group as usize]
            .as_any_mut()
            .downcast_mut::<G>()
            .expect("the group of a type holds that type's functions");
        let pos = u32::try_from(typed.len()).expect("fewer than 2^32 functions");
        push(typed);
        self.entries.push(Entry { group, pos });
        self.entries.len() - 1
    }

    /// Adds the group of type `G` (not yet in the table); returns its
    /// number.
    fn install_group<G: TypeGroup<T> + 'static>(&mut self, group: G) -> u32 {
        let g = u32::try_from(self.groups.len()).expect("fewer than 2^32 types");
        self.groups.push(Box::new(group));
        self.group_of_type.insert(TypeId::of::<G>(), g);
        g
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
        Functions::new(&self.groups, &self.entries)
    }

    /// Family and purity of the whole table.
    pub(crate) fn properties(&self) -> &TableProperties<T> {
        &self.properties
    }
}

/// `kernel` as an `F`, when `K` is `F`.
fn as_type<K: 'static, F: 'static>(kernel: &K) -> Option<&F> {
    (kernel as &dyn Any).downcast_ref::<F>()
}

/// The value in `slot` as an `F`, when `K` is `F` (it is then taken).
fn take_as<K: 'static, F: 'static>(slot: &mut Option<K>) -> Option<F> {
    (slot as &mut dyn Any).downcast_mut::<Option<F>>()?.take()
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
