//! The groups a [`FuncTable`](crate::FuncTable) stores its functions in:
//! one group per Rust type.
//!
//! Most tables hold few distinct types (closure types, kernel types) with
//! many parameter sets: the 250 closures `move |x| j as f64 * x` of one
//! loop are one closure type with 250 captures. The table keeps every
//! function in the group of its Rust type, in a typed `Vec`, so a group
//! can run its functions statically dispatched: one dynamic call per
//! segment or per tile, never per point.
//!
//! Two kinds of group can do more than batch calls, and say so through
//! optional accessors:
//! - a group of closures can *stream* ([`TypeGroup::closures`]): evaluate
//!   `out[i] = f_{idx[i]}(x[i])` point by point, each point fetching its
//!   closure's captures and running the inlined body. A closure is the same
//!   expression whether called on one point or in a batch loop, so
//!   streaming gives the bits of every other strategy;
//! - a group of a pure kernel type without parameters (zero-sized, like
//!   `Exp`) is one function however many times it is pushed
//!   ([`TypeGroup::single_pure`]): it may run over every point of a block,
//!   its own and other groups', the others' results discarded.

use std::any::Any;

use super::families::{self, ParamKernel};
use super::run_loop::{RunFunctions, ShortRuns, run_while_with};
use crate::float::Float;
use crate::index::{Index, IndexSlice};
use crate::kernel::{FnKernel, Kernel};

/// The functions of one Rust type. Functions are addressed by their
/// position within the group.
pub(crate) trait TypeGroup<T: Float>: Send + Sync {
    /// Number of functions in the group.
    fn len(&self) -> usize;

    /// The function at `pos`, as a kernel.
    fn kernel(&self, pos: usize) -> &dyn Kernel<T>;

    /// [`Kernel::eval_in_place`] of the function at `pos`.
    fn eval_in_place(&self, pos: usize, xs: &mut [T]);

    /// [`Kernel::eval`] of the function at `pos`.
    fn eval(&self, pos: usize, src: &[T], dst: &mut [T]);

    /// Hints the CPU to load where the function at `pos` is stored: the
    /// function itself, or its box.
    fn prefetch_slot(&self, pos: usize);

    /// Hints the CPU to load what the function at `pos` reads through
    /// pointers ([`Kernel::prefetch`]: a boxed kernel, a polynomial's
    /// coefficients). It reads the slot, so call
    /// [`TypeGroup::prefetch_slot`] well before.
    fn prefetch(&self, pos: usize);

    /// The group, for [`FuncTable`](crate::FuncTable)'s typed pushes.
    fn as_any_mut(&mut self) -> &mut dyn Any;

    /// The runs loop for a table of this one group, where `idx` holds
    /// positions in this group: the loop is monomorphised for the group,
    /// so each run's call is static. Returns how many points it evaluated
    /// (see [`run_while_with`]).
    fn run_while(
        &self,
        idx: IndexSlice<'_>,
        x: &[T],
        out: &mut [T],
        until: Option<ShortRuns>,
    ) -> usize;

    /// The group as closures that stream, when it is a group of closures.
    fn closures(&self) -> Option<&dyn Streaming<T>> {
        None
    }

    /// The group as a parametric kernel family that streams (`Affine`,
    /// `Poly` of one length, `Clamp`).
    fn family(&self) -> Option<&dyn Streaming<T>> {
        None
    }

    /// The group as anything that streams.
    fn streaming(&self) -> Option<&dyn Streaming<T>> {
        self.closures().or_else(|| self.family())
    }

    /// The group's one function, when every function of the group is the
    /// same pure function (a pure kernel type without parameters, however
    /// often pushed): it may then run on points of other functions, their
    /// results discarded.
    fn single_pure(&self) -> Option<&dyn Kernel<T>> {
        None
    }
}

/// A group whose points can be evaluated point by point, each with its own
/// function's parameters, without grouping by function: closures of one
/// type (each point looks up its closure's captures and runs the inlined
/// body), or a parametric kernel family (`families.rs`).
pub(crate) trait Streaming<T>: Send + Sync {
    /// `out[i] = f_{idx[i]}(x[i])`, where `idx` holds positions in this
    /// group (validated).
    fn stream(&self, idx: IndexSlice<'_>, x: &[T], out: &mut [T]);

    /// `xs[s] = f_{positions[s]}(xs[s])`: the points of this group,
    /// gathered with their positions in it.
    fn stream_in_place(&self, positions: &[u32], xs: &mut [T]);
}

/// Functions of one kernel type `K`.
pub(crate) struct KernelGroup<K> {
    pub(crate) items: Vec<K>,
}

/// Closures of one type `F`: they can stream.
pub(crate) struct ClosureGroup<F> {
    pub(crate) items: Vec<FnKernel<F>>,
}

/// Functions of one parametric kernel type `K`: they stream while every
/// one of them packs with the first (see `families.rs`).
pub(crate) struct FamilyGroup<T: Float, K: ParamKernel<T>> {
    pub(crate) items: Vec<K>,
    pub(crate) params: K::Params,
    pub(crate) streams: bool,
}

impl<T: Float, K: ParamKernel<T>> FamilyGroup<T, K> {
    /// Appends a function.
    pub(crate) fn push(&mut self, kernel: K) {
        // Once the group no longer streams, its parameters are not needed.
        self.streams = self.streams && K::pack(&mut self.params, self.items.len(), &kernel);
        self.items.push(kernel);
    }
}

impl<T: Float, K: ParamKernel<T>> Default for FamilyGroup<T, K> {
    fn default() -> Self {
        FamilyGroup {
            items: Vec::new(),
            params: K::Params::default(),
            streams: true,
        }
    }
}

impl<K> Default for KernelGroup<K> {
    fn default() -> Self {
        KernelGroup { items: Vec::new() }
    }
}

impl<F> Default for ClosureGroup<F> {
    fn default() -> Self {
        ClosureGroup { items: Vec::new() }
    }
}

/// Runs `$body` with `$s` bound to the slice inside `$idx`, whatever its
/// index type.
macro_rules! with_index_slice {
    ($idx:expr, |$s:ident| $body:expr) => {
        match $idx {
            IndexSlice::U8($s) => $body,
            IndexSlice::U16($s) => $body,
            IndexSlice::U32($s) => $body,
            IndexSlice::U64($s) => $body,
            IndexSlice::Usize($s) => $body,
            IndexSlice::I8($s) => $body,
            IndexSlice::I16($s) => $body,
            IndexSlice::I32($s) => $body,
            IndexSlice::I64($s) => $body,
        }
    };
}

/// A group's functions reached directly by position, for the runs loop:
/// the function is its own slot, prefetched once.
struct Direct<'a, K>(&'a [K]);

impl<T: Float, K: Kernel<T>> RunFunctions<T> for Direct<'_, K> {
    #[inline]
    fn eval(&self, j: usize, src: &[T], dst: &mut [T]) {
        self.0[j].eval(src, dst)
    }
    #[inline]
    fn prefetch_far(&self, _j: usize) {}
    #[inline]
    fn prefetch_mid(&self, j: usize) {
        if let Some(item) = self.0.get(j) {
            crate::prefetch::prefetch(item);
        }
    }
    /// What the kernel reads through pointers (its `Kernel::prefetch`).
    #[inline]
    fn prefetch_near(&self, j: usize) {
        if let Some(item) = self.0.get(j) {
            item.prefetch();
        }
    }
}

/// The methods every group implements the same way over its `items`.
macro_rules! group_methods {
    () => {
        fn run_while(
            &self,
            idx: IndexSlice<'_>,
            x: &[T],
            out: &mut [T],
            until: Option<ShortRuns>,
        ) -> usize {
            let items = Direct(&self.items);
            with_index_slice!(idx, |idx| run_while_with(&items, idx, x, out, until))
        }

        fn len(&self) -> usize {
            self.items.len()
        }

        fn kernel(&self, pos: usize) -> &dyn Kernel<T> {
            &self.items[pos]
        }

        #[inline]
        fn eval_in_place(&self, pos: usize, xs: &mut [T]) {
            self.items[pos].eval_in_place(xs)
        }

        #[inline]
        fn eval(&self, pos: usize, src: &[T], dst: &mut [T]) {
            self.items[pos].eval(src, dst)
        }

        #[inline]
        fn prefetch_slot(&self, pos: usize) {
            if let Some(item) = self.items.get(pos) {
                crate::prefetch::prefetch(item);
            }
        }

        #[inline]
        fn prefetch(&self, pos: usize) {
            if let Some(item) = self.items.get(pos) {
                item.prefetch();
            }
        }

        fn as_any_mut(&mut self) -> &mut dyn Any {
            self
        }
    };
}

impl<T: Float, K: Kernel<T> + 'static> TypeGroup<T> for KernelGroup<K> {
    group_methods!();

    /// A kernel type without parameters is one function however often it
    /// is pushed.
    fn single_pure(&self) -> Option<&dyn Kernel<T>> {
        let first = self.items.first()?;
        (std::mem::size_of::<K>() == 0 && first.is_pure()).then_some(first as &dyn Kernel<T>)
    }
}

impl<T: Float, F: Fn(T) -> T + Send + Sync + 'static> TypeGroup<T> for ClosureGroup<F> {
    group_methods!();

    fn closures(&self) -> Option<&dyn Streaming<T>> {
        Some(self)
    }
}

impl<T: Float, F: Fn(T) -> T + Send + Sync + 'static> Streaming<T> for ClosureGroup<F> {
    fn stream(&self, idx: IndexSlice<'_>, x: &[T], out: &mut [T]) {
        with_index_slice!(idx, |idx| stream_closures(&self.items, idx, x, out))
    }

    fn stream_in_place(&self, positions: &[u32], xs: &mut [T]) {
        let Some(last) = self.items.len().checked_sub(1) else {
            return;
        };
        for (v, &p) in xs.iter_mut().zip(positions) {
            *v = self.items[(p as usize).min(last)].call(*v);
        }
    }
}

impl<T: Float, K: ParamKernel<T>> TypeGroup<T> for FamilyGroup<T, K> {
    group_methods!();

    fn family(&self) -> Option<&dyn Streaming<T>> {
        self.streams.then_some(self as &dyn Streaming<T>)
    }
}

impl<T: Float, K: ParamKernel<T>> Streaming<T> for FamilyGroup<T, K> {
    fn stream(&self, idx: IndexSlice<'_>, x: &[T], out: &mut [T]) {
        with_index_slice!(idx, |idx| families::stream::<T, K, _>(
            &self.items,
            &self.params,
            idx,
            x,
            out
        ))
    }

    fn stream_in_place(&self, positions: &[u32], xs: &mut [T]) {
        families::stream_in_place::<T, K>(&self.items, &self.params, positions, xs)
    }
}

/// The streaming loop, monomorphised per closure type and index type, so
/// the closure body is inlined and only its captures are looked up.
#[inline]
fn stream_closures<T: Float, F: Fn(T) -> T, I: Index>(
    items: &[FnKernel<F>],
    idx: &[I],
    x: &[T],
    out: &mut [T],
) {
    let Some(last) = items.len().checked_sub(1) else {
        return;
    };
    // The indices are validated; clamping instead of a bounds check keeps
    // the loop free of branches, so it can vectorise (with gathers).
    for ((o, &i), &v) in out.iter_mut().zip(idx).zip(x) {
        *o = items[i.to_usize().min(last)].call(v);
    }
}
