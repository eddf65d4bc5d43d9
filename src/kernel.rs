//! The [`Kernel`] trait and the adapter that turns closures into kernels.
//!
//! The engine calls [`Kernel::eval_in_place`] once per contiguous segment of
//! points that share a function, so one dynamic dispatch is paid per segment,
//! not per point, and the kernel is free to use SIMD over the segment.

use crate::float::Float;

/// A function applied to contiguous batches of points.
///
/// # Contract
///
/// `eval_in_place` must replace each value `x` in `xs` with `f(x)`, where the
/// result for a value depends only on that value: never on its neighbours, its
/// position, or the length of the batch. The engine relies on this for its
/// guarantee that results are bitwise identical for every tile length, thread
/// count and strategy (NaN sign and payload excepted; Rust does not specify
/// them). The built-in kernels meet it by padding tails into a full vector
/// (see [`map_lanes`](crate::float::map_lanes)).
///
/// # Examples
///
/// ```
/// use splitapply::{apply, FuncTable, Kernel};
///
/// /// 1/x, evaluated with plain iterators (LLVM vectorises this loop).
/// struct Recip;
/// impl Kernel<f64> for Recip {
///     fn eval_in_place(&self, xs: &mut [f64]) {
///         for x in xs {
///             *x = 1.0 / *x;
///         }
///     }
///     fn name(&self) -> &str {
///         "recip"
///     }
///     fn flops_per_element(&self) -> Option<f64> {
///         Some(1.0)
///     }
/// }
///
/// let mut table = FuncTable::<f64>::new();
/// table.push(Recip);
/// let out = apply(&table, &[0u32, 0], &[2.0, 4.0]).unwrap();
/// assert_eq!(out, vec![0.5, 0.25]);
/// ```
pub trait Kernel<T: Float>: Send + Sync {
    /// Replaces every value `x` in `xs` with `f(x)`.
    fn eval_in_place(&self, xs: &mut [T]);

    /// Writes `f(src[i])` to `dst[i]`; the slices have equal lengths.
    ///
    /// The default copies `src` into `dst` and calls
    /// [`eval_in_place`](Kernel::eval_in_place). Override it to save that
    /// copy; the results must be bitwise identical to `eval_in_place`'s.
    fn eval(&self, src: &[T], dst: &mut [T]) {
        dst.copy_from_slice(src);
        self.eval_in_place(dst);
    }

    /// A short human-readable name, used in reports. Defaults to the type name.
    fn name(&self) -> &str {
        std::any::type_name::<Self>()
    }

    /// Floating-point operations per element, for roofline reports.
    /// `None` (the default) means unknown.
    fn flops_per_element(&self) -> Option<f64> {
        None
    }

    /// The parametric family this kernel belongs to, if any. When every
    /// kernel of a table is in one family, the engine can skip bucketing and
    /// stream the points once, looking up each point's parameters (see
    /// [`Strategy::StreamFamily`](crate::Strategy::StreamFamily)).
    ///
    /// Implement it only if `eval_in_place` computes exactly what the family
    /// documents, bit for bit; otherwise results would depend on the
    /// strategy. The default is `None`.
    fn family(&self) -> Option<Family<T>> {
        None
    }

    /// True when `eval_in_place` is pure (no side effects) and cannot panic
    /// for any input, NaN and infinities included. Such kernels may be
    /// evaluated speculatively on points that belong to other functions and
    /// the extra results discarded (see [`Strategy::Select`](crate::Strategy::Select)).
    /// The default is `false`, which is always correct.
    fn is_pure(&self) -> bool {
        false
    }

    /// Hints the CPU to load the parameters this kernel reads through
    /// pointers (a `Vec` of coefficients, say). The engine calls it a few
    /// points ahead of the kernel when a huge table's functions are cache
    /// misses. A hint only: it must not change any result. The default
    /// does nothing.
    fn prefetch(&self) {}
}

/// A boxed kernel is a kernel: every method forwards to the boxed one,
/// except [`Kernel::prefetch`], which brings in the boxed kernel itself
/// (the box is one more pointer to follow).
impl<T: Float> Kernel<T> for Box<dyn Kernel<T>> {
    fn eval_in_place(&self, xs: &mut [T]) {
        self.as_ref().eval_in_place(xs)
    }

    fn eval(&self, src: &[T], dst: &mut [T]) {
        self.as_ref().eval(src, dst)
    }

    fn name(&self) -> &str {
        self.as_ref().name()
    }

    fn flops_per_element(&self) -> Option<f64> {
        self.as_ref().flops_per_element()
    }

    fn family(&self) -> Option<Family<T>> {
        self.as_ref().family()
    }

    fn is_pure(&self) -> bool {
        self.as_ref().is_pure()
    }

    fn prefetch(&self) {
        crate::prefetch::prefetch_object(self.as_ref());
    }
}

/// A parametric family of kernels that the engine can evaluate in one
/// streaming pass with per-point parameter lookup.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Family<T> {
    /// `a * x + b` with one fused multiply-add, exactly as
    /// [`Affine`](crate::kernels::Affine) computes it.
    Affine {
        /// Slope.
        a: T,
        /// Intercept.
        b: T,
    },
}

/// A closure `Fn(T) -> T` used as a kernel; built by
/// [`FuncTable::push_fn`](crate::FuncTable::push_fn).
///
/// The loop over the batch is monomorphised for each closure type, so LLVM
/// sees the closure body and can vectorise it.
pub struct FnKernel<F> {
    f: F,
}

impl<F> FnKernel<F> {
    /// Wraps a closure.
    pub fn new(f: F) -> Self {
        FnKernel { f }
    }

    /// The closure on one point: the body of every loop of this kernel.
    #[inline(always)]
    pub(crate) fn call<T>(&self, x: T) -> T
    where
        F: Fn(T) -> T,
    {
        (self.f)(x)
    }
}

impl<T: Float, F: Fn(T) -> T + Send + Sync> Kernel<T> for FnKernel<F> {
    #[inline]
    fn eval_in_place(&self, xs: &mut [T]) {
        for x in xs.iter_mut() {
            *x = self.call(*x);
        }
    }

    #[inline]
    fn eval(&self, src: &[T], dst: &mut [T]) {
        assert_eq!(src.len(), dst.len(), "eval needs equal lengths");
        for (d, &s) in dst.iter_mut().zip(src) {
            *d = self.call(s);
        }
    }

    fn name(&self) -> &str {
        "closure"
    }
}
