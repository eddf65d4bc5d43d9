//! Built-in kernel types whose functions differ only in parameters
//! (`Affine`, `Poly` of one length, `Clamp`): a group of one of them
//! streams. Each vector of points fetches each lane's parameters (from the
//! functions themselves, or for `Poly` from the group's packed copy of the
//! coefficients) and runs the type's vector code once; lane by lane
//! that is the same operations, in the same order, as each function's own
//! batch form, so streaming gives the bits of every other strategy.

use std::collections::TryReserveError;

use crate::float::{Float, FloatVector, MAX_LANES};
use crate::index::Index;
use crate::kernel::Kernel;
use crate::kernels::{Affine, Clamp, Poly, clamp_lanes};

/// A kernel type whose group can stream (see the module docs).
pub(crate) trait ParamKernel<T: Float>: Kernel<T> + Sized + 'static {
    /// What the group keeps beside its functions for per-lane lookup
    /// (`()` where the functions' own fields serve).
    type Params: Default + Send + Sync;

    /// Called as `kernel` joins the group after `previous` functions.
    /// Returns false when it cannot stream with them (the group then no
    /// longer streams, and packs nothing more).
    fn pack(params: &mut Self::Params, previous: usize, kernel: &Self) -> bool;

    /// Room for `additional` more functions' parameters, fallibly, while
    /// the group (of `previous` functions) streams; `first` is the first
    /// of the functions to come.
    fn try_reserve(
        params: &mut Self::Params,
        previous: usize,
        first: &Self,
        additional: usize,
    ) -> Result<(), TryReserveError>;

    /// One vector: lane `l` is function `fs[l]` (below `items.len()`; `fs`
    /// has [`Float::LANES`] entries) evaluated at lane `l` of `x`.
    fn lanes(items: &[Self], params: &Self::Params, fs: &[usize], x: T::Vector) -> T::Vector;
}

/// Lane `l` is `field(&items[fs[l]])`.
#[inline(always)]
fn gather<T: Float, K>(items: &[K], fs: &[usize], field: impl Fn(&K) -> T) -> T::Vector {
    let mut lanes = [T::ZERO; MAX_LANES];
    for (lane, &f) in lanes.iter_mut().zip(fs) {
        *lane = field(&items[f]);
    }
    T::load(&lanes[..T::LANES])
}

/// `out[i] = f_{idx[i]}(x[i])` for a group of `count` functions, a vector
/// at a time, the tail padded into a full vector (so a point's result does
/// not depend on where it falls). Indices are clamped to the group: an
/// index changed under the call gives a wrong value, never a wrong access.
#[inline]
pub(crate) fn stream<T: Float, K: ParamKernel<T>, I: Index>(
    items: &[K],
    params: &K::Params,
    idx: &[I],
    x: &[T],
    out: &mut [T],
) {
    let Some(last) = items.len().checked_sub(1) else {
        return;
    };
    let lanes = T::LANES;
    let mut fs = [0usize; MAX_LANES];
    let full = idx.len() / lanes * lanes;
    let chunks = idx[..full]
        .chunks_exact(lanes)
        .zip(x[..full].chunks_exact(lanes))
        .zip(out[..full].chunks_exact_mut(lanes));
    for ((i, x), o) in chunks {
        for (f, &j) in fs.iter_mut().zip(i) {
            *f = j.to_usize().min(last);
        }
        T::store(K::lanes(items, params, &fs[..lanes], T::load(x)), o);
    }
    if let (Some(&j), Some(&v)) = (idx[full..].last(), x[full..].last()) {
        let m = idx.len() - full;
        let mut xs = [v; MAX_LANES];
        xs[..m].copy_from_slice(&x[full..]);
        fs.fill(j.to_usize().min(last));
        for (f, &j) in fs.iter_mut().zip(&idx[full..]) {
            *f = j.to_usize().min(last);
        }
        let mut o = [T::ZERO; MAX_LANES];
        T::store(
            K::lanes(items, params, &fs[..lanes], T::load(&xs[..lanes])),
            &mut o[..lanes],
        );
        out[full..].copy_from_slice(&o[..m]);
    }
}

/// [`stream`] in place: `xs[s] = f_{positions[s]}(xs[s])`.
#[inline]
pub(crate) fn stream_in_place<T: Float, K: ParamKernel<T>>(
    items: &[K],
    params: &K::Params,
    positions: &[u32],
    xs: &mut [T],
) {
    let Some(last) = items.len().checked_sub(1) else {
        return;
    };
    let lanes = T::LANES;
    let mut fs = [0usize; MAX_LANES];
    let full = xs.len() / lanes * lanes;
    let (body, tail) = xs.split_at_mut(full);
    for (p, x) in positions
        .chunks_exact(lanes)
        .zip(body.chunks_exact_mut(lanes))
    {
        for (f, &j) in fs.iter_mut().zip(p) {
            *f = (j as usize).min(last);
        }
        let v = K::lanes(items, params, &fs[..lanes], T::load(x));
        T::store(v, x);
    }
    if let Some(&v) = tail.last() {
        let m = tail.len();
        let mut padded = [v; MAX_LANES];
        padded[..m].copy_from_slice(tail);
        let tail_positions = &positions[full..full + m];
        fs.fill((tail_positions[m - 1] as usize).min(last));
        for (f, &j) in fs.iter_mut().zip(tail_positions) {
            *f = (j as usize).min(last);
        }
        let v = K::lanes(items, params, &fs[..lanes], T::load(&padded[..lanes]));
        T::store(v, &mut padded[..lanes]);
        tail.copy_from_slice(&padded[..m]);
    }
}

impl<T: Float> ParamKernel<T> for Affine<T> {
    type Params = ();

    fn pack(_: &mut (), _: usize, _: &Self) -> bool {
        true
    }

    fn try_reserve(_: &mut (), _: usize, _: &Self, _: usize) -> Result<(), TryReserveError> {
        Ok(())
    }

    /// `x * a + b` with one fused multiply-add, as `Affine` computes it.
    #[inline(always)]
    fn lanes(items: &[Self], _: &(), fs: &[usize], x: T::Vector) -> T::Vector {
        let a = gather(items, fs, Affine::slope);
        let b = gather(items, fs, Affine::intercept);
        x.mul_add(a, b)
    }
}

impl<T: Float> ParamKernel<T> for Clamp<T> {
    type Params = ();

    fn pack(_: &mut (), _: usize, _: &Self) -> bool {
        true
    }

    fn try_reserve(_: &mut (), _: usize, _: &Self, _: usize) -> Result<(), TryReserveError> {
        Ok(())
    }

    #[inline(always)]
    fn lanes(items: &[Self], _: &(), fs: &[usize], x: T::Vector) -> T::Vector {
        let lo = gather(items, fs, Clamp::lo);
        let hi = gather(items, fs, Clamp::hi);
        clamp_lanes(x, lo, hi)
    }
}

/// Polynomials stream only up to this many coefficients: each is one
/// lookup per lane, and longer ones run faster grouped by function, where
/// each coefficient is one broadcast per segment.
const POLY_STREAM_MAX_LEN: usize = 6;

/// Coefficients of polynomials of one length (2 to
/// [`POLY_STREAM_MAX_LEN`]), function `f`'s lowest degree first at
/// `coeffs[f * len..]`; empty again once a polynomial cannot stream.
#[derive(Default)]
pub(crate) struct PolyParams<T> {
    /// Coefficients per polynomial: the first one's count.
    len: usize,
    coeffs: Vec<T>,
}

impl<T: Float> ParamKernel<T> for Poly<T> {
    type Params = PolyParams<T>;

    /// Only polynomials of the first one's length, of degree at least one
    /// (constants have a batch form of their own) and at most
    /// [`POLY_STREAM_MAX_LEN`] coefficients, stream together.
    fn pack(params: &mut PolyParams<T>, previous: usize, kernel: &Self) -> bool {
        let c = kernel.coeffs();
        if previous == 0 {
            params.len = c.len();
        }
        if c.len() != params.len || !(2..=POLY_STREAM_MAX_LEN).contains(&c.len()) {
            // The group no longer streams: its packed copy is dead weight.
            params.coeffs = Vec::new();
            return false;
        }
        params.coeffs.extend_from_slice(c);
        true
    }

    /// Reserves for polynomials of the length that streams: the group's,
    /// or the first one's when the group is empty. Polynomials of another
    /// length stop the streaming and pack nothing.
    fn try_reserve(
        params: &mut PolyParams<T>,
        previous: usize,
        first: &Self,
        n: usize,
    ) -> Result<(), TryReserveError> {
        let len = if previous == 0 {
            first.coeffs().len()
        } else {
            params.len
        };
        if !(2..=POLY_STREAM_MAX_LEN).contains(&len) {
            return Ok(());
        }
        params.coeffs.try_reserve(n.saturating_mul(len))
    }

    /// Horner's rule from the top coefficient down, one fused multiply-add
    /// per degree, as `Poly` computes it.
    #[inline(always)]
    fn lanes(_: &[Self], params: &PolyParams<T>, fs: &[usize], x: T::Vector) -> T::Vector {
        let len = params.len;
        // Each lane's row of coefficients, once.
        let mut rows: [&[T]; MAX_LANES] = [&[]; MAX_LANES];
        for (row, &f) in rows.iter_mut().zip(fs) {
            *row = &params.coeffs[f * len..(f + 1) * len];
        }
        let rows = &rows[..fs.len()];
        let coefficient = |d: usize| {
            let mut lanes = [T::ZERO; MAX_LANES];
            for (lane, row) in lanes.iter_mut().zip(rows) {
                *lane = row[d];
            }
            T::load(&lanes[..T::LANES])
        };
        let mut acc = coefficient(len - 1);
        for d in (0..len - 1).rev() {
            acc = acc.mul_add(x, coefficient(d));
        }
        acc
    }
}
