//! The sliding path: one segment at a time from its anchor, in blocks of
//! [`BLOCK`] outputs; the block algebra, its accuracy check, and the loops
//! over interior and edge blocks. The scalar model in the tests defines the
//! arithmetic bit for bit.
//!
//! - A block is [`BLOCK_ROWS`] rows of [`ROW_STEPS`] steps. Its window
//!   changes are loaded as contiguous vectors and transposed in registers
//!   (4x4) so that lane `r` follows row `r`: one vector add per step then
//!   gives every row's partial sums at once.
//! - The rows' totals, summed in order, give each row's offset and the
//!   block's total. Only that total enters the compensated running sum:
//!   one compensated addition per [`BLOCK`] steps. Each row starts from
//!   `rb = hi + (lo + offset)`; each mean is `partial * inv + rb / n`, fused
//!   where the target has FMA, and a second transpose turns the means back
//!   for contiguous stores.
//! - Before a block's means are used, one comparison per row checks that
//!   they meet the accuracy guarantee (`certificate.rs`): `|rb|` must be
//!   large next to the block's change magnitudes and the running sum's
//!   error bound. A block that fails is redone from a fresh anchor if the
//!   running sum's error was what failed it, else computed by a path whose
//!   error is bounded for any data (`careful.rs`), which also
//!   hands the running sum on. All of it depends only on the data and the
//!   segment, never on how the work is split.
//! - The running sum's dependency chain is one add per block, so one
//!   segment at a time keeps the core busy. What limits the loop is how
//!   many blocks the out-of-order window holds, so the prefix sums take
//!   three rounds of adds, and each block's loads and prefix sums are
//!   issued one block ahead of its means (software pipelining). Cost
//!   barely grows with `w`: each value is read twice, `2w + 1` points
//!   apart, and both streams are sequential (perf-notes.md, "Rolling
//!   mean").

use super::anchor::{Anchor, anchor, anchor_spacing, at};
use super::careful::Careful;
use super::certificate::{BOUND_U, Budget, block_error, lo_error, magnitude_error};
use super::compensated::{Compensated, two_sum};
use super::lanes::{LANES, Lanes, load_lanes, store_lanes, transpose_lanes};
use crate::float::Float;

/// Rows of a block: the lanes of [`Lanes`].
const BLOCK_ROWS: usize = LANES;

/// Consecutive steps per row of a block: two vectors.
const ROW_STEPS: usize = 8;

/// Vectors per row of a block.
const ROW_VECTORS: usize = ROW_STEPS / BLOCK_ROWS;

/// Vectors per block.
const BLOCK_VECTORS: usize = BLOCK_ROWS * ROW_VECTORS;

/// Consecutive outputs per step of the sliding path: four rows of eight,
/// held in eight registers (see [`block_partials`]).
pub(super) const BLOCK: usize = BLOCK_ROWS * ROW_STEPS;

/// What a block needs from its window changes, before the running sum:
/// each row's prefix sums (`prefix[j]`: its first `j + 1` changes) and the
/// sum of its changes' magnitudes, lane `r` for row `r`; and, when the
/// walk tracks the window's sum of magnitudes, the sums of the entering
/// and the leaving values' magnitudes.
#[derive(Clone, Copy)]
struct Partials {
    prefix: [Lanes; ROW_STEPS],
    magnitude: f64,
    entering: f64,
    leaving: f64,
}

/// What every block of a call shares.
struct Context<'a, T> {
    data: &'a [T],
    w: usize,
    /// How far the window changes reach into the data: `w`, or the data's
    /// length for wider windows (clamped indices read the same from there
    /// on, and this keeps the index arithmetic from overflowing).
    reach: usize,
    inv_window: Lanes,
    window: Lanes,
    budget: Budget,
}

/// The running window sum along one segment.
#[derive(Clone, Copy)]
struct Walk {
    /// The window sum at the next block's first output, `hi + lo`.
    sum: Compensated,
    /// A bound on the error of `sum`.
    error: f64,
    /// No block has been added to `sum` since it was set from a direct sum
    /// or by the careful path: a fresh anchor would not make it better.
    fresh: bool,
    /// Whether the walk also slides the window's sum of magnitudes: from
    /// the segment's first block whose row sums alone do not show the
    /// window's magnitude (windows that cancel), to the segment's end.
    tracking: bool,
    /// The window's sum of magnitudes at the next block, when tracking.
    abs: f64,
    /// A bound on the error of `abs`.
    abs_error: f64,
    /// The careful path's state and the output it is at, to carry on from
    /// when consecutive blocks fail.
    careful: Option<(usize, Careful)>,
}

impl Walk {
    fn anchored<T: Float>(ctx: &Context<T>, i: usize) -> Walk {
        let mut walk = Walk {
            sum: Compensated::default(),
            error: 0.0,
            fresh: true,
            tracking: false,
            abs: 0.0,
            abs_error: 0.0,
            careful: None,
        };
        walk.set(&anchor(ctx.data, ctx.w, i));
        walk
    }

    fn set(&mut self, a: &Anchor) {
        self.sum = a.sum;
        self.error = a.error + lo_error(a.sum.lo);
        self.abs = a.abs;
        self.abs_error = a.abs_error;
        self.fresh = true;
    }
}

/// Sliding path for `out = means[start .. start + out.len()]`; `start` is a
/// multiple of the anchor spacing.
///
/// One segment at a time, from its anchor, in blocks of [`BLOCK`]
/// consecutive outputs. Blocks whose windows stay inside the data load
/// their window changes as contiguous vectors; the others (at the ends of
/// the data, and a short last block) use clamped scalar loads and the same
/// arithmetic, so the path taken never changes a result.
pub(super) fn sliding_chunk<T: Float>(data: &[T], w: usize, start: usize, out: &mut [T]) {
    let spacing = anchor_spacing(w);
    let n = data.len();
    let ctx = Context {
        data,
        w,
        reach: w.min(n),
        inv_window: Lanes::splat(1.0 / window_len(w)),
        window: Lanes::splat(window_len(w)),
        budget: Budget::for_bytes(T::BYTES),
    };
    let reach = ctx.reach;
    for (s, segment) in out.chunks_mut(spacing).enumerate() {
        let first = start + s * spacing;
        let mut walk = Walk::anchored(&ctx, first);
        // Blocks [lo, hi) of this segment read only inside the data: their
        // first output is at least `reach`, and their last output plus
        // `reach + 1` is below `n`.
        let blocks = segment.len() / BLOCK;
        let lo = reach.saturating_sub(first).div_ceil(BLOCK).min(blocks);
        let hi = (n.saturating_sub(first + reach + 1) / BLOCK).clamp(lo, blocks);
        let (head, rest) = segment.split_at_mut(lo * BLOCK);
        let (body, tail) = rest.split_at_mut((hi - lo) * BLOCK);
        edge_blocks(&ctx, first, head, &mut walk);
        let mut done = 0;
        let body_first = first + lo * BLOCK;
        while done < body.len() {
            // The walk starts tracking magnitudes at most once per segment.
            let (at, rest) = (body_first + done, &mut body[done..]);
            done += if walk.tracking {
                interior_blocks::<T, true>(&ctx, at, rest, &mut walk)
            } else {
                interior_blocks::<T, false>(&ctx, at, rest, &mut walk)
            };
        }
        edge_blocks(&ctx, first + hi * BLOCK, tail, &mut walk);
    }
}

/// `2w + 1` as `f64`: exact for any realistic `w`, and never overflows.
pub(super) fn window_len(w: usize) -> f64 {
    2.0 * w as f64 + 1.0
}

/// The sum of the magnitudes of a block's values, [`BLOCK_ROWS`] to a
/// vector: across vectors in three rounds, then across lanes.
#[inline(always)]
fn magnitude_sum(v: [Lanes; BLOCK_VECTORS]) -> f64 {
    let m = v.map(|v| v.abs());
    let [a, b, c, d] =
        (((m[0] + m[1]) + (m[2] + m[3])) + ((m[4] + m[5]) + (m[6] + m[7]))).to_array();
    (a + b) + (c + d)
}

/// The first half of a block, which does not need the running sum: the
/// changes `enter - leave` transposed so that lane `r` follows row `r`,
/// their prefix sums along each row and the sum of their magnitudes (and,
/// if `TRACK`, the sums of the entering and leaving magnitudes). Both
/// arrays hold the block's steps in order, [`BLOCK_ROWS`] to a vector, so
/// row `r` (steps `r * ROW_STEPS ..`) is vectors `r * ROW_VECTORS ..`.
#[inline(always)]
fn block_partials<const TRACK: bool>(
    enter: [Lanes; BLOCK_VECTORS],
    leave: [Lanes; BLOCK_VECTORS],
) -> Partials {
    let block: [Lanes; BLOCK_VECTORS] = std::array::from_fn(|k| enter[k] - leave[k]);
    let mut steps = [Lanes::ZERO; ROW_STEPS];
    for v in 0..ROW_VECTORS {
        let group = std::array::from_fn(|r| block[r * ROW_VECTORS + v]);
        steps[v * BLOCK_ROWS..][..BLOCK_ROWS].copy_from_slice(&transpose_lanes(group));
    }
    let m = steps.map(|s| s.abs());
    let [m0, m1, m2, m3] =
        (((m[0] + m[1]) + (m[2] + m[3])) + ((m[4] + m[5]) + (m[6] + m[7]))).to_array();
    let (entering, leaving) = if TRACK {
        (magnitude_sum(enter), magnitude_sum(leave))
    } else {
        (0.0, 0.0)
    };
    Partials {
        prefix: prefix_sums(steps),
        magnitude: (m0 + m1) + (m2 + m3),
        entering,
        leaving,
    }
}

/// The sums at the start of each row, `hi + (lo + offset)`, and the
/// block's total.
#[inline(always)]
fn row_bases(sum: Compensated, p: &Partials) -> (Lanes, f64) {
    let [t0, t1, t2, t3] = p.prefix[ROW_STEPS - 1].to_array();
    let before_row2 = t0 + t1;
    let before_row3 = before_row2 + t2;
    let total = before_row3 + t3;
    let offsets = Lanes::splat(sum.lo) + Lanes::from([0.0, t0, before_row2, before_row3]);
    (Lanes::splat(sum.hi) + offsets, total)
}

/// The accuracy check of `certificate.rs` for a block whose rows start
/// from `rb`, with change magnitudes `magnitude`, against the walk's error
/// bound `error` (the check with `error = 0` tells whether a fresh anchor
/// could pass): the row sums show the window's magnitude, or, when
/// tracking, the tracked magnitude less the leaving values' does.
#[inline(always)]
fn certified<T, const TRACK: bool>(
    ctx: &Context<T>,
    walk: &Walk,
    p: &Partials,
    rb: Lanes,
    error: f64,
) -> bool {
    let b = &ctx.budget;
    let rb = rb.abs();
    let finite = rb.simd_le(Lanes::splat(f64::MAX));
    if (rb.simd_ge(Lanes::splat(b.fast_need(p.magnitude, error))) & finite).all() {
        return true;
    }
    if !TRACK {
        return false;
    }
    // Every window of the block holds at least the tracked magnitude less
    // the leaving values' (and less the tracked magnitude's error).
    let floor = walk.abs - p.leaving * (1.0 + 40.0 * BOUND_U) - walk.abs_error;
    let room = b.tracked_room(floor, p.magnitude, error);
    (rb.simd_le(Lanes::splat(room)) & finite).all()
}

/// The second half of a block: the accuracy check, the running sum's
/// update and the means, transposed back to the block's layout. `None`,
/// with `walk` untouched, when the check fails.
#[inline(always)]
fn block_means<T, const TRACK: bool>(
    walk: &mut Walk,
    ctx: &Context<T>,
    p: &Partials,
) -> Option<[Lanes; BLOCK_VECTORS]> {
    let (rb, total) = row_bases(walk.sum, p);
    if !certified::<T, TRACK>(ctx, walk, p, rb, walk.error) {
        return None;
    }
    let (hi, e) = two_sum(walk.sum.hi, total);
    let lo = walk.sum.lo + e;
    walk.sum = Compensated { hi, lo };
    walk.error += block_error(p.magnitude, lo);
    walk.fresh = false;
    if TRACK {
        let grown = walk.abs + p.entering;
        walk.abs = grown - p.leaving;
        walk.abs_error += magnitude_error(grown, walk.abs, p.entering, p.leaving);
    }
    // The means as `partial * inv + rb / n`, one fused step each where the
    // target has FMA; one division per row keeps `1 / n`'s rounding off the
    // (large) row sums.
    let scaled = rb / ctx.window;
    let mut means = [scaled; ROW_STEPS];
    for (m, partial) in means[1..].iter_mut().zip(&p.prefix) {
        *m = partial.mul_add(ctx.inv_window, scaled);
    }
    let mut out = [Lanes::ZERO; BLOCK_VECTORS];
    for v in 0..ROW_VECTORS {
        let group = transpose_lanes(std::array::from_fn(|j| means[v * BLOCK_ROWS + j]));
        for (r, means) in group.into_iter().enumerate() {
            out[r * ROW_VECTORS + v] = means;
        }
    }
    Some(out)
}

/// Inclusive prefix sums of eight values in three rounds of adds
/// (Sklansky's order): a sequential sum would put seven dependent adds on
/// each block's critical path, and the blocks in flight are limited by the
/// out-of-order window. Every value passes through at most three adds.
#[inline(always)]
fn prefix_sums<V: Copy + std::ops::Add<Output = V>>(s: [V; ROW_STEPS]) -> [V; ROW_STEPS] {
    // Pairs.
    let p01 = s[0] + s[1];
    let p23 = s[2] + s[3];
    let p45 = s[4] + s[5];
    let p67 = s[6] + s[7];
    // Quads, and the prefixes inside each half.
    let p02 = p01 + s[2];
    let p03 = p01 + p23;
    let p46 = p45 + s[6];
    let p47 = p45 + p67;
    // The second half on top of the first.
    [
        s[0],
        p01,
        p02,
        p03,
        p03 + s[4],
        p03 + p45,
        p03 + p46,
        p03 + p47,
    ]
}

/// A block's entering and leaving values (first output `first`, the steps
/// past `len` zero) with clamped loads, [`BLOCK_ROWS`] to a vector.
fn clamped_values<T: Float>(
    ctx: &Context<T>,
    first: usize,
    len: usize,
) -> ([Lanes; BLOCK_VECTORS], [Lanes; BLOCK_VECTORS]) {
    let r = ctx.reach as isize;
    let mut enter = [0.0f64; BLOCK];
    let mut leave = [0.0f64; BLOCK];
    for t in 0..len.min(BLOCK) {
        let i = (first + t) as isize;
        enter[t] = at(ctx.data, i + r + 1);
        leave[t] = at(ctx.data, i - r);
    }
    (
        std::array::from_fn(|k| load_lanes(&enter[k * BLOCK_ROWS..])),
        std::array::from_fn(|k| load_lanes(&leave[k * BLOCK_ROWS..])),
    )
}

/// A block the check refused (first output `first`, `out` at most
/// [`BLOCK`] long, `p` its partials). The first refusal in a segment starts
/// tracking magnitudes, from a fresh anchor; later ones redo the block from
/// a fresh anchor if only the running sum's error stood in the way; else
/// the careful path computes it. Leaves `walk` at the next block.
#[cold]
#[inline(never)]
fn rescue<T: Float>(walk: &mut Walk, ctx: &Context<T>, first: usize, out: &mut [T], p: &Partials) {
    let mut p = *p;
    if !walk.tracking {
        let (enter, leave) = clamped_values(ctx, first, out.len());
        (p.entering, p.leaving) = (magnitude_sum(enter), magnitude_sum(leave));
    }
    let mut here = None;
    let (rb, _) = row_bases(walk.sum, &p);
    let retry = !walk.tracking || (!walk.fresh && certified::<T, true>(ctx, walk, &p, rb, 0.0));
    if retry {
        let a = anchor(ctx.data, ctx.w, first);
        walk.set(&a);
        walk.tracking = true;
        if let Some(means) = block_means::<T, true>(walk, ctx, &p) {
            store_block(&means, out);
            return;
        }
        here = Some(a);
    }
    let next = first + out.len();
    let mut careful = match (walk.careful.take(), here) {
        (Some((at, c)), _) if at == first => c,
        (_, Some(a)) => Careful::from_anchor_at(a, ctx.data, ctx.w, first),
        _ => Careful::anchored(ctx.data, ctx.w, first),
    };
    careful.run(ctx.data, ctx.w, first, out, &ctx.budget);
    // While the window holds NaN or infinities, the running sum is NaN:
    // every block fails, and the careful path carries on.
    walk.set(&careful.finite_state().unwrap_or(NAN_STATE));
    walk.careful = Some((next, careful));
}

/// A running state that fails every check.
const NAN_STATE: Anchor = Anchor {
    sum: Compensated {
        hi: f64::NAN,
        lo: 0.0,
    },
    error: f64::INFINITY,
    abs: f64::NAN,
    abs_error: f64::INFINITY,
};

/// Writes a block's means (the first `out.len()` of them) to `out`.
fn store_block<T: Float>(means: &[Lanes; BLOCK_VECTORS], out: &mut [T]) {
    for (o, m) in out.iter_mut().zip(means.iter().flat_map(|v| v.to_array())) {
        *o = T::from_f64(m);
    }
}

/// Blocks of `out` (a multiple of [`BLOCK`] long, first output `first`)
/// whose windows never reach past either end of the data: contiguous
/// vector loads and stores, slices checked once, no branches in the loop
/// but the accuracy check's. Returns how many outputs it wrote: all, or up
/// to the block after which the walk started tracking magnitudes (`TRACK`
/// must match `walk.tracking`).
fn interior_blocks<T: Float, const TRACK: bool>(
    ctx: &Context<T>,
    first: usize,
    out: &mut [T],
    walk: &mut Walk,
) -> usize {
    if out.is_empty() {
        return 0;
    }
    let (data, reach) = (ctx.data, ctx.reach);
    let len = out.len();
    let (enter, _) = data[first + reach + 1..][..len].as_chunks::<BLOCK>();
    let (leave, _) = data[first - reach..][..len].as_chunks::<BLOCK>();
    let (outs, _) = out.as_chunks_mut::<BLOCK>();
    let partials = |enter: &[T; BLOCK], leave: &[T; BLOCK]| {
        block_partials::<TRACK>(
            std::array::from_fn(|k| load_lanes(&enter[k * BLOCK_ROWS..])),
            std::array::from_fn(|k| load_lanes(&leave[k * BLOCK_ROWS..])),
        )
    };
    // Software-pipelined: the next block's loads and prefix sums come
    // before this block's means in program order, so that the out-of-order
    // window holds more of the work that does not wait for the running sum.
    // The walk is a local copy, so that its fields stay in registers; the
    // rare refused block hands it over and back.
    let mut local = *walk;
    let mut pending = partials(&enter[0], &leave[0]);
    let blocks = outs.len();
    for (k, out) in outs.iter_mut().enumerate() {
        let next = (k + 1 < blocks).then(|| partials(&enter[k + 1], &leave[k + 1]));
        match block_means::<T, TRACK>(&mut local, ctx, &pending) {
            Some(means) => {
                for (v, means) in means.into_iter().enumerate() {
                    store_lanes(
                        means,
                        out[v * BLOCK_ROWS..]
                            .first_chunk_mut::<BLOCK_ROWS>()
                            .unwrap(),
                    );
                }
            }
            None => {
                *walk = local;
                rescue(walk, ctx, first + k * BLOCK, out, &pending);
                local = *walk;
                if walk.tracking != TRACK {
                    return (k + 1) * BLOCK;
                }
            }
        }
        if let Some(next) = next {
            pending = next;
        }
    }
    *walk = local;
    len
}

/// Blocks of `out` (first output `first`) whose windows may reach past an
/// end of the data, and a last block shorter than [`BLOCK`]: clamped
/// scalar loads (the edge padding); steps past the end of `out` change
/// nothing and store nothing.
#[inline(never)]
fn edge_blocks<T: Float>(ctx: &Context<T>, first: usize, out: &mut [T], walk: &mut Walk) {
    for (b, out) in out.chunks_mut(BLOCK).enumerate() {
        let block_first = first + b * BLOCK;
        let (enter, leave) = clamped_values(ctx, block_first, out.len());
        let means = if walk.tracking {
            let p = block_partials::<true>(enter, leave);
            block_means::<T, true>(walk, ctx, &p).ok_or(p)
        } else {
            let p = block_partials::<false>(enter, leave);
            block_means::<T, false>(walk, ctx, &p).ok_or(p)
        };
        match means {
            Ok(means) => store_block(&means, out),
            Err(p) => rescue(walk, ctx, block_first, out, &p),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rolling::certificate::BOUND_U;
    use crate::rolling::rolling_mean;

    /// The scalar model's running state: the fast path's, and the careful
    /// path's when it carries on.
    struct ModelWalk {
        sum: Compensated,
        error: f64,
        fresh: bool,
        tracking: bool,
        abs: f64,
        abs_error: f64,
        careful: Option<(usize, Careful)>,
    }

    impl ModelWalk {
        fn set(&mut self, a: &Anchor) {
            (self.sum, self.error, self.fresh) = (a.sum, a.error + lo_error(a.sum.lo), true);
            (self.abs, self.abs_error) = (a.abs, a.abs_error);
        }
    }

    /// `magnitude_sum` in scalars: the values in vectors of four, summed
    /// across vectors in three rounds, then across lanes.
    fn model_magnitude_sum(v: &[f64; BLOCK]) -> f64 {
        let lane = |l: usize| {
            let m: [f64; BLOCK_VECTORS] = std::array::from_fn(|k| v[k * BLOCK_ROWS + l].abs());
            ((m[0] + m[1]) + (m[2] + m[3])) + ((m[4] + m[5]) + (m[6] + m[7]))
        };
        (lane(0) + lane(1)) + (lane(2) + lane(3))
    }

    /// The sliding path's definition in scalars: every segment starts from
    /// its anchor; each block of [`BLOCK`] steps is [`BLOCK_ROWS`] rows of
    /// [`ROW_STEPS`] changes (zero past the segment's end), summed along
    /// each row in Sklansky's order; the rows' totals, in order, give each
    /// row's offset and the block's total, added with Knuth's two-sum. A
    /// row starts from `hi + (lo + offset)`; the block is used if every row
    /// passes the accuracy check (the row sums large enough, or, once the
    /// walk tracks magnitudes, small enough next to the tracked magnitude),
    /// else redone from a fresh anchor (the first time, starting to track,
    /// or if only the running sum's error failed it) or by the careful path.
    fn scalar_model<T: Float>(data: &[T], w: usize) -> Vec<T> {
        let n = data.len();
        let spacing = anchor_spacing(w);
        let inv_window = 1.0 / window_len(w);
        let budget = Budget::for_bytes(T::BYTES);
        let wi = w.min(n) as isize;
        let mut out = vec![T::from_f64(0.0); n];
        for begin in (0..n).step_by(spacing) {
            let mut walk = ModelWalk {
                sum: Compensated::default(),
                error: 0.0,
                fresh: true,
                tracking: false,
                abs: 0.0,
                abs_error: 0.0,
                careful: None,
            };
            walk.set(&anchor(data, w, begin));
            let end = (begin + spacing).min(n);
            for block in (begin..end).step_by(BLOCK) {
                let len = BLOCK.min(end - block);
                let mut enter = [0.0f64; BLOCK];
                let mut leave = [0.0f64; BLOCK];
                for t in 0..len {
                    let i = (block + t) as isize;
                    enter[t] = at(data, i + wi + 1);
                    leave[t] = at(data, i - wi);
                }
                let change = |t: usize| enter[t] - leave[t];
                // partial[r][j]: the first j + 1 changes of row r.
                let partial: [[f64; ROW_STEPS]; BLOCK_ROWS] = std::array::from_fn(|r| {
                    prefix_sums(std::array::from_fn(|j| change(r * ROW_STEPS + j)))
                });
                let magnitude: [f64; BLOCK_ROWS] = std::array::from_fn(|r| {
                    let m: [f64; ROW_STEPS] =
                        std::array::from_fn(|j| change(r * ROW_STEPS + j).abs());
                    ((m[0] + m[1]) + (m[2] + m[3])) + ((m[4] + m[5]) + (m[6] + m[7]))
                });
                let d = (magnitude[0] + magnitude[1]) + (magnitude[2] + magnitude[3]);
                let (entering, leaving) =
                    (model_magnitude_sum(&enter), model_magnitude_sum(&leave));
                // Row 1's offset is row 0's total itself, as in `row_bases`.
                let last = ROW_STEPS - 1;
                let mut offset = [0.0f64; BLOCK_ROWS];
                offset[1] = partial[0][last];
                for r in 2..BLOCK_ROWS {
                    offset[r] = offset[r - 1] + partial[r - 1][last];
                }
                let total = offset[BLOCK_ROWS - 1] + partial[BLOCK_ROWS - 1][last];
                let passes = |walk: &ModelWalk, error: f64| {
                    let rb: [f64; BLOCK_ROWS] =
                        std::array::from_fn(|r| walk.sum.hi + (walk.sum.lo + offset[r]));
                    let need = budget.fast_need(d, error);
                    if rb.iter().all(|b| b.abs() >= need && b.abs() <= f64::MAX) {
                        return true;
                    }
                    let floor = walk.abs - leaving * (1.0 + 40.0 * BOUND_U) - walk.abs_error;
                    let room = budget.tracked_room(floor, d, error);
                    walk.tracking && rb.iter().all(|b| b.abs() <= room && b.abs() <= f64::MAX)
                };
                let outs = &mut out[block..block + len];
                // The fast arithmetic, if it passes; `false` if not.
                let fast = |walk: &mut ModelWalk, outs: &mut [T]| -> bool {
                    if !passes(walk, walk.error) {
                        return false;
                    }
                    let rb: [f64; BLOCK_ROWS] =
                        std::array::from_fn(|r| walk.sum.hi + (walk.sum.lo + offset[r]));
                    for (t, o) in outs.iter_mut().enumerate() {
                        let (r, j) = (t / ROW_STEPS, t % ROW_STEPS);
                        let scaled = rb[r] / window_len(w);
                        let mean = if j == 0 {
                            scaled
                        } else {
                            fused_like_lanes(partial[r][j - 1], inv_window, scaled)
                        };
                        *o = T::from_f64(mean);
                    }
                    let (hi, e) = two_sum(walk.sum.hi, total);
                    let lo = walk.sum.lo + e;
                    walk.sum = Compensated { hi, lo };
                    walk.error += block_error(d, lo);
                    walk.fresh = false;
                    if walk.tracking {
                        let grown = walk.abs + entering;
                        walk.abs = grown - leaving;
                        walk.abs_error += magnitude_error(grown, walk.abs, entering, leaving);
                    }
                    true
                };
                if fast(&mut walk, outs) {
                    continue;
                }
                let mut here = None;
                if !walk.tracking || (!walk.fresh && passes(&walk, 0.0)) {
                    let a = anchor(data, w, block);
                    walk.set(&a);
                    walk.tracking = true;
                    if fast(&mut walk, outs) {
                        continue;
                    }
                    here = Some(a);
                }
                let mut careful = match (walk.careful.take(), here) {
                    (Some((at, c)), _) if at == block => c,
                    (_, Some(a)) => Careful::from_anchor_at(a, data, w, block),
                    _ => Careful::anchored(data, w, block),
                };
                careful.run(data, w, block, outs, &budget);
                walk.set(&careful.finite_state().unwrap_or(NAN_STATE));
                walk.careful = Some((block + len, careful));
            }
        }
        out
    }

    /// `a * b + c` exactly as the lanes compute it: fused where the
    /// target has FMA, else a multiply and an add.
    fn fused_like_lanes(a: f64, b: f64, c: f64) -> f64 {
        Lanes::splat(a)
            .mul_add(Lanes::splat(b), Lanes::splat(c))
            .to_array()[0]
    }

    fn check_against_model<T: Float>(data: &[T], w: usize) {
        let n = data.len();
        let mut got = vec![T::from_f64(0.0); n];
        rolling_mean(data, w, &mut got).unwrap();
        let want = scalar_model(data, w);
        for (i, (g, m)) in got.iter().zip(&want).enumerate() {
            assert!(
                g.to_bits_u64() == m.to_bits_u64() || (g.is_nan() && m.is_nan()),
                "n={n} w={w} i={i}: {g} vs {m}"
            );
        }
    }

    fn rough<T: Float>(n: usize) -> Vec<T> {
        (0..n)
            .map(|i| {
                let i = i as f64;
                T::from_f64((i * 0.61).sin() * 1e3 + (i * 0.013).cos() * 1e-3 + i * 1e-2)
            })
            .collect()
    }

    /// Rough data with spikes, steps of magnitude, zeros and a NaN: every
    /// way out of the fast arithmetic.
    fn hostile<T: Float>(n: usize) -> Vec<T> {
        (0..n)
            .map(|i| {
                let base = ((i * 7919) % 1000) as f64 * 0.01 - 5.0;
                let v = match i % 1500 {
                    7 => 1e12,
                    300..=420 => base * 1e-9,
                    600..=700 => 0.0,
                    900..=1000 => base * 1e8,
                    1200 if i > 5000 && i < 7000 => f64::NAN,
                    _ => base,
                };
                T::from_f64(v)
            })
            .collect()
    }

    #[test]
    fn both_sliding_paths_match_the_scalar_model_bitwise() {
        // Long enough for interior blocks (contiguous loads) in several
        // segments, with edge blocks at both ends of the data and ragged
        // last blocks (clamped loads), on rough data with large and small
        // values; then short data, where every block is an edge block, and
        // windows wider than the data.
        let cases = [
            (40_000usize, 16usize),
            (150_001, 23),
            (300_000, 500),
            (4_097, 16),
            (17, 20),
            (1_000, 600),
            (33, 40),
        ];
        for &(n, w) in &cases {
            check_against_model::<f64>(&rough(n), w);
            check_against_model::<f32>(&rough(n), w);
        }
    }

    #[test]
    fn every_fallback_matches_the_scalar_model_bitwise() {
        for &(n, w) in &[
            (20_000usize, 16usize),
            (20_000, 17),
            (30_000, 100),
            (9_000, 700),
        ] {
            check_against_model::<f64>(&hostile(n), w);
            check_against_model::<f32>(&hostile(n), w);
        }
    }
}
