//! The sliding path: one segment at a time from its anchor, in blocks of
//! [`BLOCK`] outputs, with the plain block arithmetic (`block.rs`) until a
//! block fails its check, then as `rescue.rs` decides (mostly the exact
//! arithmetic, `exact.rs`). The scalar model in `model.rs` defines every
//! result bit for bit.
//!
//! ```text
//! for each segment (anchor_spacing(w) outputs, whole ones per chunk):
//!     state = anchor (a compensated direct sum of the first window)
//!     head blocks (windows past the data's start): clamped loads
//!     body blocks: contiguous loads, software-pipelined
//!     tail blocks (windows past the data's end, a short last block): clamped loads
//!     each block: partials (no state), then check + means + state update,
//!                 or rescue
//! ```
//!
//! - Each value is read twice, `2w + 1` points apart, and both streams are
//!   sequential, so the cost barely grows with `w`.
//! - The running sum's dependency chain is one two-sum per block, so one
//!   segment at a time keeps the core busy. What limits the loop is how
//!   many blocks the out-of-order window holds, so the prefix sums take
//!   three rounds of adds, and each block's loads and prefix sums are
//!   issued one block ahead of its means (software pipelining).
//! - Blocks whose windows stay inside the data and those that reach past
//!   an end use the same arithmetic on the same values, so the loads taken
//!   never change a result, and nothing depends on how the work is split.

use super::anchor::{anchor_spacing, at};
use super::block::Plain;
use super::exact::Exact;
use super::lanes::store_lanes;
use super::rescue::{rescue, store_block};
use super::walk::{Arithmetic, BLOCK, BLOCK_ROWS, Context, Walk};
use crate::float::Float;

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
    let ctx = Context::new(data, w);
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
            // The walk turns exact at most twice per segment.
            let (at, rest) = (body_first + done, &mut body[done..]);
            done += if walk.exact {
                interior_blocks::<T, Exact>(&ctx, at, rest, &mut walk)
            } else {
                interior_blocks::<T, Plain>(&ctx, at, rest, &mut walk)
            };
        }
        edge_blocks(&ctx, first + hi * BLOCK, tail, &mut walk);
    }
}

/// Blocks of `out` (a multiple of [`BLOCK`] long, first output `first`)
/// whose windows never reach past either end of the data: contiguous
/// vector loads and stores, slices checked once, no branches in the loop
/// but the accuracy check's. Returns how many outputs it wrote: all, or up
/// to the block after which the walk turned exact (`A` must be the walk's
/// arithmetic).
fn interior_blocks<T: Float, A: Arithmetic>(
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
    // Software-pipelined where `A` asks for it: the next block's loads and
    // prefix sums come before this block's means in program order, so that
    // the out-of-order window holds more of the work that does not wait
    // for the running sum. The walk is a local copy, so that its fields
    // stay in registers; the rare refused block hands it over and back.
    let exact = walk.exact;
    let mut local = *walk;
    let blocks = outs.len();
    let mut pending = A::ahead(&enter[0], &leave[0]);
    for (k, out) in outs.iter_mut().enumerate() {
        // The last block computes its own first half once more, unused.
        let ahead = (k + 1).min(blocks - 1);
        let next = A::ahead(&enter[ahead], &leave[ahead]);
        let ahead = std::mem::replace(&mut pending, next);
        match A::means(&mut local, ctx, &ahead, &enter[k], &leave[k]) {
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
                rescue(walk, ctx, first + k * BLOCK, out, (&enter[k], &leave[k]));
                local = *walk;
            }
        }
        if local.exact != exact {
            *walk = local;
            return (k + 1) * BLOCK;
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
        let means = if walk.exact {
            Exact::means(walk, ctx, &Exact::ahead(&enter, &leave), &enter, &leave)
        } else {
            Plain::means(walk, ctx, &Plain::ahead(&enter, &leave), &enter, &leave)
        };
        match means {
            Some(means) => store_block(&means, out),
            None => rescue(walk, ctx, block_first, out, (&enter, &leave)),
        }
    }
}

/// A block's entering and leaving values (first output `first`, the steps
/// past `len` zero): clamped loads (the edge padding) where the block's
/// windows reach past an end of the data.
fn clamped_values<T: Float>(
    ctx: &Context<T>,
    first: usize,
    len: usize,
) -> ([f64; BLOCK], [f64; BLOCK]) {
    let r = ctx.reach;
    let data = ctx.data;
    let mut enter = [0.0f64; BLOCK];
    let mut leave = [0.0f64; BLOCK];
    let len = len.min(BLOCK);
    if first >= r && first + len + r < data.len() {
        let (from_enter, from_leave) = (&data[first + r + 1..], &data[first - r..]);
        for t in 0..len {
            (enter[t], leave[t]) = (from_enter[t].to_f64(), from_leave[t].to_f64());
        }
    } else {
        for t in 0..len {
            let i = (first + t) as isize;
            enter[t] = at(data, i + r as isize + 1);
            leave[t] = at(data, i - r as isize);
        }
    }
    (enter, leave)
}
