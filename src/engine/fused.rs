//! The fused strategy: a table whose kernels are all affine is a coefficient
//! table, and `out[i] = x[i] * a[idx[i]] + b[idx[i]]` is one streaming pass.
//!
//! The coefficients are looked up per lane, then the arithmetic runs on full
//! vectors with the same fused multiply-add as [`Affine`](crate::kernels::Affine),
//! so results are bitwise identical to the other strategies. Tails are padded
//! into a full vector, as in every kernel.

use crate::float::{Float, FloatVector, MAX_LANES};
use crate::index::Index;

/// Evaluates one tile of an affine table with slopes `a` and intercepts `b`.
/// `idx` must be validated against `a.len() == b.len()`.
pub(super) fn affine_tile<T: Float, I: Index>(a: &[T], b: &[T], idx: &[I], x: &[T], out: &mut [T]) {
    let lanes = T::LANES;
    let full = idx.len() / lanes * lanes;
    let (idx_body, idx_tail) = idx.split_at(full);
    let (x_body, x_tail) = x.split_at(full);
    let (out_body, out_tail) = out.split_at_mut(full);
    for ((i, x), o) in idx_body
        .chunks_exact(lanes)
        .zip(x_body.chunks_exact(lanes))
        .zip(out_body.chunks_exact_mut(lanes))
    {
        affine_vector(a, b, i, x, o);
    }
    if let (Some(&last_i), Some(&last_x)) = (idx_tail.last(), x_tail.last()) {
        let m = idx_tail.len();
        let mut i = [last_i; MAX_LANES];
        let mut xs = [last_x; MAX_LANES];
        let mut o = [T::ZERO; MAX_LANES];
        i[..m].copy_from_slice(idx_tail);
        xs[..m].copy_from_slice(x_tail);
        affine_vector(a, b, &i[..lanes], &xs[..lanes], &mut o[..lanes]);
        out_tail.copy_from_slice(&o[..m]);
    }
}

/// One full vector: exactly `T::LANES` points.
#[inline(always)]
fn affine_vector<T: Float, I: Index>(a: &[T], b: &[T], idx: &[I], x: &[T], out: &mut [T]) {
    let mut av = [T::ZERO; MAX_LANES];
    let mut bv = [T::ZERO; MAX_LANES];
    for (l, &i) in idx.iter().enumerate() {
        let j = i.to_usize();
        av[l] = a[j];
        bv[l] = b[j];
    }
    let n = T::LANES;
    let v = T::load(x).mul_add(T::load(&av[..n]), T::load(&bv[..n]));
    T::store(v, out);
}
