//! Narrow windows (half-width up to [`TREE_MAX_HALF_WIDTH`]): each window
//! summed pairwise from its own values, four outputs at a time, with no
//! running sum at all.
//!
//! ```text
//! L2[k] = (x[k] + x[k+1]) + (x[k+2] + x[k+3])        sums of 4, from the data
//! L3[k] = L2[k] + L2[k+4]                            sums of 8
//! L4[k] = L3[k] + L3[k+8]                            sums of 16
//! L5[k] = L4[k] + L4[k+16]                           sums of 32
//! window of n = 2w + 1 values starting at k: one piece per set bit j of n
//!           (L_j, or x[.] + x[.+1] for j = 1, x[.] for j = 0), laid end to
//!           end from the largest, added smallest first
//! mean = sum / n, corrected: q = sum * (1/n), r = fma(-q, n, sum), q + r * (1/n)
//! ```
//!
//! Four consecutive outputs are one vector: their `L2` sums start four
//! values apart, so the `L2` and `L3` vectors each output vector needs are
//! those of the next few output vectors. They are kept in a ring of
//! registers, and each step computes one new `L2` vector (four loads, three
//! adds) and one `L3` vector: about four additions per output for windows
//! up to 31 values, five up to 63.
//!
//! Every partial sum holds values of one window only, and each value passes
//! through at most `floor(log2 n) + 1` additions: a piece `L_j` adds `j`,
//! and adding the pieces smallest first adds at most one more per set bit
//! above `j`, plus one. For `n <= 63` that is six, so the sum errs by at
//! most `6.0001 u A` (`A` the sum of the window's magnitudes). The division
//! is corrected with the fused residual `sum - q n`, which is exact, so the
//! mean rounds about once more (a plain division where the target has no
//! FMA): within the guarantee of `certificate.rs` for any data, with no
//! check needed. NaN and infinities behave as in direct summation, in the
//! windows that hold them only, and finite values whose partial sums
//! overflow give an infinity or NaN in their windows only.

use super::anchor::window_len;
use super::lanes::{FUSED, LANES, Lanes, load_lanes, store_lanes};
use crate::float::Float;

/// The widest half-width whose windows (63 values) the pairwise sums keep
/// within six additions.
pub(super) const TREE_MAX_HALF_WIDTH: usize = 31;

/// The longest ring, that of windows of 63 values.
const MAX_RING: usize = 15;

/// Outputs per tile: the unit of edge handling (a tile whose values reach
/// past an end of the data reads a clamped copy).
const TILE: usize = 256;

/// `out = means[start .. start + out.len()]` for half-width `w`, 1 to
/// [`TREE_MAX_HALF_WIDTH`].
pub(super) fn tree_chunk<T: Float>(data: &[T], w: usize, start: usize, out: &mut [T]) {
    // One instantiation per window length, with its ring length: `L2`
    // vectors from the window start up to the last piece that reads one.
    macro_rules! dispatch {
        ($($w:literal => ($n:literal, $h:literal)),*) => {
            match w {
                $($w => tiles::<T, $n, $h>(data, start, out),)*
                _ => unreachable!("the tree path takes half-widths 1 to 31, not {w}"),
            }
        };
    }
    dispatch!(
        1 => (3, 2), 2 => (5, 2), 3 => (7, 2), 4 => (9, 2), 5 => (11, 2),
        6 => (13, 3), 7 => (15, 3), 8 => (17, 4), 9 => (19, 4), 10 => (21, 5),
        11 => (23, 5), 12 => (25, 6), 13 => (27, 6), 14 => (29, 7), 15 => (31, 7),
        16 => (33, 8), 17 => (35, 8), 18 => (37, 9), 19 => (39, 9), 20 => (41, 10),
        21 => (43, 10), 22 => (45, 11), 23 => (47, 11), 24 => (49, 12), 25 => (51, 12),
        26 => (53, 13), 27 => (55, 13), 28 => (57, 14), 29 => (59, 14), 30 => (61, 15),
        31 => (63, 15)
    )
}

/// Values a tile of `outputs` outputs reads from its first window's start:
/// the ring looks `4 H` values ahead of each output vector, and each `L2`
/// sum reads seven values.
const fn tile_span(outputs: usize, h: usize) -> usize {
    outputs.next_multiple_of(LANES) + LANES * h + 3
}

/// The tiles of `out` (first output `start`) for windows of `N` values and
/// a ring of `H` vectors.
fn tiles<T: Float, const N: usize, const H: usize>(data: &[T], start: usize, out: &mut [T]) {
    let w = N / 2;
    let n = data.len();
    let mut padded = [T::ZERO; tile_span(TILE, MAX_RING)];
    for (t, out) in out.chunks_mut(TILE).enumerate() {
        let first = start + t * TILE;
        let span = tile_span(out.len(), H);
        // The values from the first window's start: the data itself inside,
        // a clamped copy (the edge padding) where the tile reaches an end.
        let x: &[T] = match first.checked_sub(w) {
            Some(s) if s + span <= n => &data[s..s + span],
            _ => {
                let origin = first as isize - w as isize;
                for (k, v) in padded[..span].iter_mut().enumerate() {
                    *v = data[(origin + k as isize).clamp(0, n as isize - 1) as usize];
                }
                &padded[..span]
            }
        };
        tile::<T, N, H>(x, out);
    }
}

/// `L2` at `x[o..]`: four sums of four, in two rounds.
#[inline(always)]
fn sums_of_four<T: Float>(x: &[T], o: usize) -> Lanes {
    let x = &x[o..o + LANES + 3];
    (load_lanes(x) + load_lanes(&x[1..])) + (load_lanes(&x[2..]) + load_lanes(&x[3..]))
}

/// The pieces of a window of `n` values (at most 63), largest first along
/// the window: (level, offset), and how many there are.
const fn layout(n: usize) -> ([(usize, usize); 6], usize) {
    let mut pieces = [(0usize, 0usize); 6];
    let mut count = 0;
    let mut offset = 0;
    let mut j = n.ilog2() as usize + 1;
    while j > 0 {
        j -= 1;
        if n >> j & 1 == 1 {
            pieces[count] = (j, offset);
            offset += 1 << j;
            count += 1;
        }
    }
    (pieces, count)
}

/// The piece `(j, o)` of the windows of the output vector at `at`.
#[inline(always)]
fn piece<T: Float, const H: usize>(
    (j, o): (usize, usize),
    x: &[T],
    at: usize,
    ring2: &[Lanes; H],
    ring3: &[Lanes; H],
) -> Lanes {
    match j {
        0 => load_lanes(&x[at + o..]),
        1 => load_lanes(&x[at + o..]) + load_lanes(&x[at + o + 1..]),
        2 => ring2[o / LANES],
        3 => ring3[o / LANES],
        4 => ring3[o / LANES] + ring3[o / LANES + 2],
        _ => {
            let k = o / LANES;
            (ring3[k] + ring3[k + 2]) + (ring3[k + 4] + ring3[k + 6])
        }
    }
}

/// The means of the output vector at `at` from its pieces.
#[inline(always)]
fn window_means<T: Float, const N: usize, const H: usize>(
    x: &[T],
    at: usize,
    ring2: &[Lanes; H],
    ring3: &[Lanes; H],
) -> Lanes {
    let (pieces, count) = const { layout(N) };
    let n = Lanes::splat(window_len(N / 2));
    let inv = Lanes::splat(1.0 / window_len(N / 2));
    // Smallest piece first (the last one laid out).
    let mut sum = piece(pieces[count - 1], x, at, ring2, ring3);
    let mut k = count - 1;
    while k > 0 {
        k -= 1;
        sum += piece(pieces[k], x, at, ring2, ring3);
    }
    if FUSED {
        // The residual of the quotient is exact; where the sum is not
        // finite it is NaN, and the plain quotient is the answer.
        let q = sum * inv;
        let corrected = (-q).mul_add(n, sum).mul_add(inv, q);
        sum.is_finite().select(corrected, q)
    } else {
        sum / n
    }
}

/// The means of one tile: `x[k..k + N]` is the window of `out[k]`, and `x`
/// holds [`tile_span`] values.
#[inline(always)]
fn tile<T: Float, const N: usize, const H: usize>(x: &[T], out: &mut [T]) {
    // ring2[j]: L2 at 4 j from the current output vector; ring3[j]: L3 there.
    let mut ring2: [Lanes; H] = std::array::from_fn(|j| sums_of_four(x, LANES * j));
    let mut ring3: [Lanes; H] = std::array::from_fn(|j| {
        if j + 1 < H {
            ring2[j] + ring2[j + 1]
        } else {
            Lanes::ZERO
        }
    });
    let (whole, tail) = out.as_chunks_mut::<LANES>();
    for (v, o) in whole.iter_mut().enumerate() {
        let at = LANES * v;
        store_lanes(window_means::<T, N, H>(x, at, &ring2, &ring3), o);
        // Slide the rings one vector on (windows of fewer than four or
        // eight values use none or only the first).
        if N >= 4 {
            let next2 = sums_of_four(x, at + LANES * H);
            ring2 = std::array::from_fn(|j| if j + 1 < H { ring2[j + 1] } else { next2 });
        }
        if N >= 8 {
            let next3 = ring2[H - 2] + ring2[H - 1];
            ring3 = std::array::from_fn(|j| match (j + 2).cmp(&H) {
                std::cmp::Ordering::Less => ring3[j + 1],
                std::cmp::Ordering::Equal => next3,
                std::cmp::Ordering::Greater => Lanes::ZERO,
            });
        }
    }
    if !tail.is_empty() {
        let means = window_means::<T, N, H>(x, LANES * whole.len(), &ring2, &ring3);
        for (o, &m) in tail.iter_mut().zip(means.as_array()) {
            *o = T::from_f64(m);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rings long enough for every piece: a piece at offset `o` reads ring
    /// vectors up to `o / 4 + 1` (`L2`), `o / 4 + 2` (`L3`), `o / 4 + 4`
    /// (`L4`) or `o / 4 + 8` (`L5`).
    #[test]
    fn rings_cover_every_piece() {
        let table: [(usize, usize); 31] = [
            (3, 2),
            (5, 2),
            (7, 2),
            (9, 2),
            (11, 2),
            (13, 3),
            (15, 3),
            (17, 4),
            (19, 4),
            (21, 5),
            (23, 5),
            (25, 6),
            (27, 6),
            (29, 7),
            (31, 7),
            (33, 8),
            (35, 8),
            (37, 9),
            (39, 9),
            (41, 10),
            (43, 10),
            (45, 11),
            (47, 11),
            (49, 12),
            (51, 12),
            (53, 13),
            (55, 13),
            (57, 14),
            (59, 14),
            (61, 15),
            (63, 15),
        ];
        for (n, h) in table {
            let mut offset = 0usize;
            let mut needed = 0usize;
            for j in (0..=n.ilog2()).rev() {
                if n >> j & 1 == 1 {
                    needed = needed.max(match j {
                        0 | 1 => 0,
                        2 => offset / 4 + 1,
                        3 => offset / 4 + 2,
                        4 => offset / 4 + 4,
                        _ => offset / 4 + 8,
                    });
                    offset += 1 << j;
                }
            }
            assert!(
                h >= needed && (2..=MAX_RING).contains(&h),
                "n={n}: ring {h}, needs {needed}"
            );
            // The single-value pieces read no further than the ring.
            assert!(n <= 4 * h + 4, "n={n}");
        }
    }

    #[test]
    fn pairwise_means_are_window_means() {
        let data: Vec<f64> = (0..1000).map(|i| (i * 37 % 11) as f64 - 5.0).collect();
        for w in 1..=TREE_MAX_HALF_WIDTH {
            for (start, len) in [(0usize, 1000usize), (3, 17), (600, 400), (995, 5)] {
                let mut out = vec![0.0; len];
                tree_chunk(&data, w, start, &mut out);
                for (t, &o) in out.iter().enumerate() {
                    let i = (start + t) as isize;
                    let s: f64 = (-(w as isize)..=w as isize)
                        .map(|d| data[(i + d).clamp(0, 999) as usize])
                        .sum();
                    // Small whole numbers: every sum is exact, and so is
                    // the corrected division.
                    assert_eq!(o, s / (2 * w + 1) as f64, "w={w} i={i}");
                }
            }
        }
    }
}
