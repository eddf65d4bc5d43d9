//! What the sliding path does with a block whose check failed: a fresh
//! anchor where the running state's bound was all that stood in the way,
//! the exact block arithmetic from there to the segment's end where the
//! plain one cannot certify the block, and the careful path where neither
//! can.
//!
//! ```text
//! plain walk:  anchor due and the plain check passes from zero error
//!                  -> re-anchor, redo plainly
//!              else -> (re-anchor unless fresh) the walk turns exact
//! exact walk:  the exact check passes                   -> done
//!              anchor due and the check passes from zero errors
//!                  -> re-anchor, redo exactly
//!              else -> the careful path, carried on across blocks
//! ```
//!
//! An anchor is due a window's length of outputs after the walk's latest
//! one, so that anchors cost at most one addition per output; a walk turns
//! exact at most once per segment. Every decision depends only on the data
//! and the segment.

use super::anchor::Anchor;
use super::block::{Plain, certified as plain_certified, row_bases};
use super::careful::Careful;
use super::exact::Exact;
use super::walk::{Arithmetic, BLOCK, BlockVectors, Context, NAN_STATE, Walk};
use crate::float::Float;

/// A block the check refused (first output `first`, `out` at most
/// [`BLOCK`] long, `enter` and `leave` its values): see the module doc.
/// Leaves `walk` at the next block.
#[cold]
#[inline(never)]
pub(super) fn rescue<T: Float, V: Float>(
    walk: &mut Walk,
    ctx: &Context<T>,
    first: usize,
    out: &mut [T],
    (enter, leave): (&[V; BLOCK], &[V; BLOCK]),
) {
    if !walk.exact {
        let p = Plain::ahead(enter, leave);
        let (rb, _) = row_bases(walk.sum, &p);
        let due = !walk.fresh && walk.may_re_anchor(ctx, first);
        if due && plain_certified(&ctx.budget, &p, rb, 0.0) {
            walk.re_anchor(ctx, first);
            if let Some(means) = Plain::means(walk, ctx, &p, enter, leave) {
                store_block(&means, out);
                return;
            }
        } else if !walk.fresh {
            // The exact arithmetic starts from a known sum of magnitudes.
            walk.re_anchor(ctx, first);
        }
        walk.exact = true;
        let p = Exact::ahead(enter, leave);
        if let Some(means) = Exact::means(walk, ctx, &p, enter, leave) {
            store_block(&means, out);
            return;
        }
    } else {
        // The tracked magnitudes themselves may be what is off: whenever
        // an anchor is due, take one.
        if !walk.fresh && walk.may_re_anchor(ctx, first) {
            let p = Exact::ahead(enter, leave);
            walk.re_anchor(ctx, first);
            if let Some(means) = Exact::means(walk, ctx, &p, enter, leave) {
                store_block(&means, out);
                return;
            }
        }
    }
    let next = first + out.len();
    let mut careful = match walk.careful.take() {
        Some((at, c)) if at == first => c,
        _ => {
            // An exact walk, or a fresh one: `abs` holds the magnitudes.
            let state = Anchor {
                sum: walk.sum,
                error: walk.error,
                abs: walk.abs,
                abs_error: walk.abs_error,
            };
            Careful::from_anchor_at(state, ctx.data, ctx.w, first)
        }
    };
    careful.run(ctx.data, ctx.w, first, out, &ctx.budget);
    // While the window holds NaN or infinities, the running sum is NaN:
    // every block fails, and the careful path carries on.
    walk.set(&careful.finite_state().unwrap_or(NAN_STATE));
    walk.careful = Some((next, careful));
}

/// Writes a block's means (the first `out.len()` of them) to `out`.
pub(super) fn store_block<T: Float>(means: &BlockVectors, out: &mut [T]) {
    for (o, m) in out.iter_mut().zip(means.iter().flat_map(|v| v.to_array())) {
        *o = T::from_f64(m);
    }
}
