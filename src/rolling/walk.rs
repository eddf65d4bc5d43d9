//! The sliding path's state along one segment ([`Walk`]), what every block
//! of a call shares ([`Context`]), and the two kinds of block arithmetic
//! it chooses between ([`Arithmetic`]).

use super::anchor::{Anchor, anchor, window_len};
use super::careful::Careful;
use super::certificate::{Budget, lo_error};
use super::compensated::Compensated;
use super::lanes::{LANES, Lanes};
use crate::float::Float;

/// Rows of a block: the lanes of [`Lanes`].
pub(super) const BLOCK_ROWS: usize = LANES;

/// Consecutive steps per row of a block: two vectors.
pub(super) const ROW_STEPS: usize = 8;

/// Vectors per row of a block.
pub(super) const ROW_VECTORS: usize = ROW_STEPS / BLOCK_ROWS;

/// Vectors per block.
pub(super) const BLOCK_VECTORS: usize = BLOCK_ROWS * ROW_VECTORS;

/// Consecutive outputs per step of the sliding path: four rows of eight,
/// held in eight registers.
pub(super) const BLOCK: usize = BLOCK_ROWS * ROW_STEPS;

/// A block's values or results, [`BLOCK_ROWS`] to a vector, in order.
pub(super) type BlockVectors = [Lanes; BLOCK_VECTORS];

/// What every block of a call shares.
pub(super) struct Context<'a, T> {
    pub(super) data: &'a [T],
    pub(super) w: usize,
    /// How far the window changes reach into the data: `w`, or the data's
    /// length for wider windows (clamped indices read the same from there
    /// on, and this keeps the index arithmetic from overflowing).
    pub(super) reach: usize,
    /// `2w + 1`, the window's length.
    pub(super) window: Lanes,
    /// `fl(1 / (2w + 1))`.
    pub(super) inv_window: Lanes,
    pub(super) budget: Budget,
}

impl<'a, T: Float> Context<'a, T> {
    pub(super) fn new(data: &'a [T], w: usize) -> Self {
        Context {
            data,
            w,
            reach: w.min(data.len()),
            window: Lanes::splat(window_len(w)),
            inv_window: Lanes::splat(1.0 / window_len(w)),
            budget: Budget::for_bytes(T::BYTES),
        }
    }
}

/// The running window sum along one segment.
#[derive(Clone, Copy)]
pub(super) struct Walk {
    /// The window sum at the next block's first output, `hi + lo`.
    pub(super) sum: Compensated,
    /// A bound on the error of `sum`.
    pub(super) error: f64,
    /// No block has been added to `sum` since it was set from a direct sum
    /// or by the careful path: a fresh anchor would not make it better, and
    /// `abs` holds the window's sum of magnitudes.
    pub(super) fresh: bool,
    /// Whether the walk takes the exact block arithmetic (and slides the
    /// window's sum of magnitudes): from the segment's first block that the
    /// plain arithmetic cannot certify from a fresh state, to the segment's
    /// end or to where its sums grew well clear of their changes.
    pub(super) exact: bool,
    /// Whether an exact walk may still turn plain again: once per segment,
    /// where its sums grew well clear of their changes.
    pub(super) may_turn_plain: bool,
    /// The window's sum of magnitudes at the next block, when `fresh` or
    /// `exact`.
    pub(super) abs: f64,
    /// A bound on the error of `abs`.
    pub(super) abs_error: f64,
    /// The output of the walk's latest anchor (a direct sum): re-anchoring
    /// again is allowed once a window's length of outputs further, so that
    /// anchors cost at most one addition per output.
    pub(super) anchored_at: usize,
    /// The careful path's state and the output it is at, to carry on from
    /// when consecutive blocks fail.
    pub(super) careful: Option<(usize, Careful)>,
}

impl Walk {
    /// The state at output `i` (a segment's first), from its anchor.
    pub(super) fn anchored<T: Float>(ctx: &Context<T>, i: usize) -> Walk {
        let mut walk = Walk {
            sum: Compensated::default(),
            error: 0.0,
            fresh: true,
            exact: false,
            may_turn_plain: true,
            abs: 0.0,
            abs_error: 0.0,
            anchored_at: i,
            careful: None,
        };
        walk.set(&anchor(ctx.data, ctx.w, i));
        walk
    }

    /// Sets the state from `a`, a direct sum or the careful path's state.
    pub(super) fn set(&mut self, a: &Anchor) {
        self.sum = a.sum;
        self.error = a.error + lo_error(a.sum.lo);
        self.abs = a.abs;
        self.abs_error = a.abs_error;
        self.fresh = true;
    }

    /// Re-anchors at output `i` (a direct sum), returning the anchor.
    pub(super) fn re_anchor<T: Float>(&mut self, ctx: &Context<T>, i: usize) -> Anchor {
        let a = anchor(ctx.data, ctx.w, i);
        self.set(&a);
        self.anchored_at = i;
        a
    }

    /// Whether a re-anchor at output `i` is allowed: a window's length of
    /// outputs after the latest one.
    pub(super) fn may_re_anchor<T>(&self, ctx: &Context<T>, i: usize) -> bool {
        i - self.anchored_at > 2 * ctx.w
    }
}

/// A running state that fails every check: the careful path hands it over
/// while the window holds NaN or infinities.
pub(super) const NAN_STATE: Anchor = Anchor {
    sum: Compensated {
        hi: f64::NAN,
        lo: 0.0,
    },
    error: f64::INFINITY,
    abs: f64::NAN,
    abs_error: f64::INFINITY,
};

/// One kind of block arithmetic: a first half that does not need the
/// running sum, and a second half that checks the block against the
/// accuracy guarantee and, if it passes, gives its means and moves the walk
/// on. The interior loop issues each block's first half one block ahead of
/// its second half (software pipelining).
pub(super) trait Arithmetic {
    /// What the first half hands the second.
    type Ahead: Copy;

    /// The first half, from a block's entering and leaving values.
    fn ahead<V: Float>(enter: &[V; BLOCK], leave: &[V; BLOCK]) -> Self::Ahead;

    /// The second half, from the first half's results and the block's
    /// values again: the means, transposed back to the block's layout, and
    /// `walk` moved to the next block; `None`, with `walk` untouched, when
    /// the check fails.
    fn means<T, V: Float>(
        walk: &mut Walk,
        ctx: &Context<T>,
        ahead: &Self::Ahead,
        enter: &[V; BLOCK],
        leave: &[V; BLOCK],
    ) -> Option<BlockVectors>;
}
