//! The portable partition path: the tile cut into [`HEADS`] quarters,
//! each with its own cursors, walked in step (four independent chains of
//! cursor updates, where consecutive points of one group would otherwise
//! wait on each other's cursor).

use super::layout::{HEADS, MAX_GROUPS, Segments, heads, heads_mut, quarter};
use crate::float::Float;

/// Per-head counts of the ids, four count tables updated in step.
#[inline(always)]
pub(super) fn histogram_heads(ids: &[u8], groups: usize) -> [[u32; MAX_GROUPS]; HEADS] {
    let q = quarter(ids.len());
    let mut counts = [[0u32; MAX_GROUPS]; HEADS];
    let [i0, i1, i2, i3] = heads(ids, q);
    for (((&a, &b), &c), &d) in i0.iter().zip(i1).zip(i2).zip(i3) {
        counts[0][usize::from(a) % MAX_GROUPS] += 1;
        counts[1][usize::from(b) % MAX_GROUPS] += 1;
        counts[2][usize::from(c) % MAX_GROUPS] += 1;
        counts[3][usize::from(d) % MAX_GROUPS] += 1;
    }
    for &g in &i3[q..] {
        counts[3][usize::from(g) % MAX_GROUPS] += 1;
    }
    debug_assert!(counts.iter().all(|t| t[groups..].iter().all(|&c| c == 0)));
    counts
}

/// Hands out the next slot of `id`'s segment from `cursor`.
#[inline(always)]
fn next_slot(cursor: &mut [u32; MAX_GROUPS], id: u8) -> usize {
    let c = &mut cursor[usize::from(id) % MAX_GROUPS];
    let slot = *c as usize;
    *c += 1;
    slot
}

/// The portable partition: each head's cursors walk its quarter, the
/// four in step.
#[inline(always)]
pub(super) fn scatter_heads<T: Float>(
    ids: &[u8],
    segments: &Segments,
    x: &[T],
    buf: &mut [T],
    positions: Option<(&[u32], &mut [u32])>,
) {
    let q = quarter(ids.len());
    let [c0, c1, c2, c3] = &mut segments.head_start.clone();
    let [i0, i1, i2, i3] = heads(ids, q);
    let [x0, x1, x2, x3] = heads(x, q);
    match positions {
        None => {
            let ids = i0.iter().zip(i1).zip(i2).zip(i3);
            let xs = x0.iter().zip(x1).zip(x2).zip(x3);
            for ((((&a, &b), &c), &d), (((&xa, &xb), &xc), &xd)) in ids.zip(xs) {
                buf[next_slot(c0, a)] = xa;
                buf[next_slot(c1, b)] = xb;
                buf[next_slot(c2, c)] = xc;
                buf[next_slot(c3, d)] = xd;
            }
            for (&d, &xd) in i3[q..].iter().zip(&x3[q..]) {
                buf[next_slot(c3, d)] = xd;
            }
        }
        Some((pos, buf_pos)) => {
            let [p0, p1, p2, p3] = heads(pos, q);
            let mut place = |cursor: &mut [u32; MAX_GROUPS], id: u8, v: T, p: u32| {
                let slot = next_slot(cursor, id);
                buf[slot] = v;
                buf_pos[slot] = p;
            };
            let ids = i0.iter().zip(i1).zip(i2).zip(i3);
            let xs = x0.iter().zip(x1).zip(x2).zip(x3);
            let ps = p0.iter().zip(p1).zip(p2).zip(p3);
            for (((((&a, &b), &c), &d), (((&xa, &xb), &xc), &xd)), (((&pa, &pb), &pc), &pd)) in
                ids.zip(xs).zip(ps)
            {
                place(c0, a, xa, pa);
                place(c1, b, xb, pb);
                place(c2, c, xc, pc);
                place(c3, d, xd, pd);
            }
            for ((&d, &xd), &pd) in i3[q..].iter().zip(&x3[q..]).zip(&p3[q..]) {
                place(c3, d, xd, pd);
            }
        }
    }
}

/// The portable combine: the same walk as [`scatter_heads`], reading.
pub(super) fn gather_heads<T: Float>(ids: &[u8], segments: &Segments, buf: &[T], out: &mut [T]) {
    let q = quarter(ids.len());
    let [c0, c1, c2, c3] = &mut segments.head_start.clone();
    let [i0, i1, i2, i3] = heads(ids, q);
    let [o0, o1, o2, o3] = heads_mut(out, q);
    let ids = i0.iter().zip(i1).zip(i2).zip(i3.iter());
    let outs = o0
        .iter_mut()
        .zip(o1.iter_mut())
        .zip(o2.iter_mut())
        .zip(o3.iter_mut());
    for ((((&a, &b), &c), &d), (((oa, ob), oc), od)) in ids.zip(outs) {
        *oa = buf[next_slot(c0, a)];
        *ob = buf[next_slot(c1, b)];
        *oc = buf[next_slot(c2, c)];
        *od = buf[next_slot(c3, d)];
    }
    for (&d, od) in i3[q..].iter().zip(&mut o3[q..]) {
        *od = buf[next_slot(c3, d)];
    }
}
