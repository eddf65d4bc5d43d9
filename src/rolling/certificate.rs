//! The error bounds behind the rolling mean's accuracy guarantee, and the
//! checks that enforce them.
//!
//! # The guarantee
//!
//! For output `i`, with `S` the exact sum of its edge-padded window of
//! `n = 2w + 1` values and `A` the exact sum of their magnitudes (so
//! `mag = A / n` is the window's mean magnitude), every path computes, in
//! `f64`, a mean `m` with
//!
//! ```text
//! |m - S / n| <= a u mag + b 2^-1074,   a + b <= 8                (u = 2^-53)
//! ```
//!
//! The second term covers products or quotients that fall below the normal
//! range (each then errs by at most 2^-1075 whatever its size). Since
//! `ulp(mag) > u mag` and `ulp(mag) >= 2^-1074`, this is within
//! `8 ulp(mag)`. For `f32` output the paths keep `|m - S / n|` within
//! `6 u32 mag` (`u32 = 2^-24`), and the final rounding to `f32` adds at
//! most `ulp32(mag)`: within `7 ulp32(mag)`.
//!
//! Every bound below uses only that each `+`, `-`, `*`, `/` or fused
//! multiply-add rounds once, with an error at most `u` times the magnitude
//! of its result (sums are exact below the normal range; products and
//! quotients there are the terms above), that a rounded sum's error is
//! itself a float, and that Knuth's two-sum is exact for finite operands
//! whose sum does not overflow. Bounds are evaluated in floating point with
//! [`BOUND_U`], `u` enlarged by 1/1024, which covers the roundings of the
//! bound arithmetic itself; a bound term that underflows belongs to a
//! rounding whose error is exactly zero (every rounding error is a multiple
//! of 2^-1074 and at most the term).
//!
//! # Narrow windows (`tree.rs`, half-width up to 31)
//!
//! Every partial sum holds values of one window, and each value passes
//! through at most six additions, so the sum errs by at most
//! `γ6 A < 6.0001 u A`. The quotient is `q = fl(sum * fl(1 / n))` corrected
//! by the residual `r = fma(-q, n, sum)`, which is exact (it is a multiple
//! of `q`'s last place below `2n` of them), to `fl(q + r * fl(1 / n))`: one
//! rounding of the mean and a second-order term (a plain division where
//! the target has no FMA). Together `a = 7.0002`, `b = 0.5001`.
//!
//! # Wider windows: the plain block (`block.rs`)
//!
//! A block of 32 outputs is four rows of eight steps. With `X = hi + lo`
//! the running sum at the block's first output, `d_t = fl(e_t - l_t)` the
//! window changes (entering minus leaving value), `D` the sum of their
//! magnitudes over the block, `P_j` each row's prefix sums of its changes
//! (three rounds of adds: every change passes through at most three) and
//! `off_r` the rows' offsets (the rows' totals added in turn), the block
//! computes
//!
//! ```text
//! rb_r = fl(hi + fl(lo + off_r))          the sum at the start of row r
//! sc_r = fl(rb_r / n)
//! m    = fl(P_{j-1} * fl(1 / n) + sc_r)    (fused; or two roundings)
//! ```
//!
//! and for each output of row `r` the errors add up (in units of the sum,
//! to first order) to
//!
//! ```text
//! n |m - S / n| <= E + 3.01 u |rb_r| + 7.03 u D
//! ```
//!
//! where `E` bounds `|X - S_b|` plus `1.01 u |lo|`:
//!
//! - `|rb_r|`: its own rounding, the quotient's and the final one;
//! - `|lo|`: the rounding of `lo + off_r` (the `1.01 u |lo|` in `E`);
//! - `D`: the changes' roundings (one each), the row prefix sums (three),
//!   the rows' offsets (two more, and `off_r`'s share of the rounding of
//!   `lo + off_r`), the product with `fl(1 / n)` and the final rounding on
//!   `P` (three).
//!
//! Since `A >= |S| >= |rb_r| - 1.01 D - n |m - S/n|` for every output of
//! the row, solving `n |m - S/n| <= 6.5 u (|rb_r| - 1.01 D - n |m - S/n|)`
//! gives `|rb_r| >= 3.92 D + 0.288 E / u`; [`Budget::fast_need`] asks for
//! `4 D + 0.3 E / u` (for `f32`, budget `6 u32`: `1.02 D + 1.01 E / (6 u32)`),
//! with `b = 1.5` for up to three underflowing products or quotients. It
//! holds for data whose windows do not cancel (`|S|` near `A`) and whose
//! changes are small next to the window sum: random walks, offsets, smooth
//! signals.
//!
//! The block's total, added to the running sum with Knuth's two-sum, errs
//! by at most `7.02 u D` (the changes, the three rounds of prefix sums, the
//! three additions across rows); the two-sum is exact and the compensation
//! `lo'` rounds once. So each block adds [`block_error`]`(D, lo')` to `E`
//! (with the new `1.01 u |lo'|`). `E` only grows until the next anchor: the
//! check fails once it is large next to the window, and the block is then
//! redone from a fresh anchor (`anchor.rs`, whose bound is
//! `(2^23 + k^2) u^2 A`, `k` the number of terms its scalar sum takes).
//!
//! # Wider windows: the exact block (`exact.rs`)
//!
//! With `M` the sum of the magnitudes of the block's entering and leaving
//! values (at least each of them, since rounding is monotone) and `sigma`
//! a power of two with `64 (M + u sigma) <= sigma`, each value `x` splits
//! into `h = fl(fl(sigma + x) - sigma)` and `x' = fl(x - h)`. For
//! `|x| <= sigma / 64`, `sigma + x` lies within `[sigma / 2, 2 sigma]`, so
//! its rounding is a multiple of `u sigma`, the subtraction of `sigma` is
//! exact (Sterbenz), and `x - h` is the rounding error of `sigma + x`, a
//! float of at most `u sigma`: `x = h + x'` exactly, `h` a multiple of
//! `u sigma` with `|h| <= |x| + u sigma`. Any sum of up to 64 such `h` is a
//! multiple of `u sigma` of at most `sigma`, hence a float: the changes
//! `d = h_e - h_l`, their prefix sums `P`, the rows' offsets `off` and the
//! block's total are exact. The remainders' changes `d' = fl(x'_e - x'_l)`
//! have magnitudes summing to `Dl <= 64 u sigma`; each passes through at
//! most six roundings before a mean takes it (its own, three in the prefix
//! sums `P'`, two in the offsets `off'`), seven into the block's total.
//!
//! For output `t` (step `j` of row `r`) the block computes
//! `a = fl(hi + (off_r + P_{j-1}))`, `c_r = fl(fl(lo + off'_r) fl(1/n))`,
//! `b = fl(P'_{j-1} fl(1/n) + c_r)` and `m = fl(a fl(1/n) + b)` (fused; or
//! one more rounding of each product). Since
//! `|hi + off_r + P_{j-1}| <= |S_t| + |lo| + Dl + E` and `|S_t| <= A_t`, the
//! errors add up (in units of the sum) to
//!
//! ```text
//! n |m - S_t / n| <= E (1 + 4.01 u) + 4.01 u A_t + 7.02 u |lo| + 16.02 u Dl
//! ```
//!
//! (`3.01 u A_t` with FMA): `A_t` from the roundings of `a`, of `a / n`
//! and of `m`; `|lo|` from those and the four that involve `c_r` and `b`;
//! `Dl` from all of them and its own six. Three products or fused steps
//! may underflow (`b = 1.5`). Every window of the block holds at least
//! `F`, the tracked sum of magnitudes at the block's start less the
//! leaving values' and less its error bound, so the check
//! `E + u (7.1 |lo| + 1026 u sigma) <= 2.48 u F` ([`exact_spread`],
//! [`Budget::exact`]; for `f32`, `5.99 * 2^29 u F`) puts every mean of the
//! block within `6.5 u mag`. Nothing in it grows with the changes: it fails
//! only when `sigma` or the state's bound is large next to the windows'
//! magnitudes, or on values that are not finite (the check also asks for
//! `sigma <= 2^1000` and `|hi| <= 2^1019`, so that nothing overflows).
//!
//! The state moves on by `(hi', e) = two_sum(hi, total)`,
//! `c = fl(e + total')`, `lo' = fl(lo + c)`: it errs by at most
//! `7.01 u Dl + u |c| + u |lo'|` more ([`exact_block_error`]), second
//! order, so an exact walk needs a fresh anchor only after values far
//! larger than its windows passed through (their trace in `E` and in the
//! magnitudes' bound, [`magnitude_error`]).
//!
//! # The careful path (`careful.rs`)
//!
//! A block that fails the exact check even from a fresh anchor (values
//! about 10^10 or more times its windows' magnitudes, NaN or infinities)
//! is computed one output at a time from an exact running sum:
//! `(c, c') = two_sum(e, -l)`, `(h, h') = two_sum(hi, c)`,
//! `(hi', f) = two_sum(h, lo)`, `lo' = fl(f + fl(c' + h'))`, so `hi' + lo'`
//! errs only by the two roundings of the compensation,
//! `u (|c' + h'| + |lo'|)`, second order (`lo` stays within about
//! `u |hi|`). The window's sum of magnitudes slides alongside, one rounding
//! of `|e| - |l|` and one of the sum per step. The mean is
//! `divide(fl(hi + lo))` (two roundings), so it meets the guarantee while
//! the accumulated error stays within [`Budget::careful`] (`4.4 u`) times
//! the magnitudes' sum less its error bound. Where it does not (a window
//! whose magnitude dropped far below what the running sum carried: a spike
//! that left, a step from 1e300 to 1e-300), the careful path re-anchors at
//! that output, and a fresh anchor's error is second order, so it meets
//! the check (for windows of fewer than about 2^40 values). NaN and
//! infinities are counted, not summed.

/// The unit roundoff of `f64`, `2^-53`.
pub(super) const U: f64 = f64::EPSILON / 2.0;

/// `u` enlarged by 1/1024, for evaluating error bounds in floating point:
/// the roundings of the bound's own arithmetic stay below the margin.
pub(super) const BOUND_U: f64 = U * (1.0 + 1.0 / 1024.0);

/// The error bound added to the running sum by one block with change
/// magnitudes summing to `d` and new compensation `lo`: `7.02 u d` for the
/// block total (changes, prefix sums, additions across rows), `u |lo|` for
/// the compensation's rounding, and `1.01 u |lo|` for the next block's
/// rounding of `lo + offset` (see [`lo_error`]).
#[inline(always)]
pub(super) fn block_error(d: f64, lo: f64) -> f64 {
    BOUND_U * (7.1 * d + 2.02 * lo.abs())
}

/// The part of the running sum's error bound that covers the rounding of
/// `lo + offset` at the start of each row, `1.01 u |lo|`: kept in the bound
/// itself (added again for each new `lo`), so the checks need not look at
/// `lo`.
#[inline(always)]
pub(super) fn lo_error(lo: f64) -> f64 {
    BOUND_U * 1.01 * lo.abs()
}

/// The error bound added to a tracked sum of magnitudes `A' =
/// fl(fl(A + entering) - leaving)` (`grown` the inner sum): its two
/// roundings, and those of the two block sums of magnitudes (32 values in
/// five rounds of adds each).
#[inline(always)]
pub(super) fn magnitude_error(grown: f64, abs: f64, entering: f64, leaving: f64) -> f64 {
    BOUND_U * (grown.abs() + abs.abs() + 5.1 * (entering + leaving))
}

/// The bound of an exact block's means beyond the state's, in units of
/// the sum: `u (7.1 |lo| + 1026 u sigma)`, for the roundings that involve
/// the compensation `lo` and the remainders' changes (at most
/// `64 u sigma` in all, with 16.02 roundings' worth between them).
#[inline(always)]
pub(super) fn exact_spread(sigma: f64, lo: f64) -> f64 {
    const OF_LO: f64 = 7.1 * BOUND_U;
    const OF_SIGMA: f64 = 1026.0 * U * BOUND_U;
    OF_LO * lo.abs() + OF_SIGMA * sigma
}

/// The error bound added to the running sum by one exact block with
/// splitting power `sigma`: the remainders' total (at most `64 u sigma`
/// through seven roundings), and the roundings of `carry = e + total'` and
/// of the new compensation `lo`.
#[inline(always)]
pub(super) fn exact_block_error(sigma: f64, carry: f64, lo: f64) -> f64 {
    const OF_SIGMA: f64 = 449.0 * U * BOUND_U;
    OF_SIGMA * sigma + BOUND_U * (carry.abs() + lo.abs())
}

/// The coefficients of the checks for one output type.
#[derive(Clone, Copy, Debug)]
pub(super) struct Budget {
    /// Of `D` in the fast check.
    pub(super) d: f64,
    /// Of `E` in the fast check.
    pub(super) error: f64,
    /// The careful path's accumulated error may reach this times its lower
    /// bound on `A`.
    pub(super) careful: f64,
    /// The room of the exact check, times the lower bound on the windows'
    /// sums of magnitudes: the budget less the `4.01 u` that the roundings
    /// of the window sums take.
    pub(super) exact: f64,
}

impl Budget {
    /// The budget for outputs of `bytes`-byte floats (8 or 4).
    pub(super) const fn for_bytes(bytes: usize) -> Budget {
        if bytes == 8 {
            Budget {
                d: 4.0,
                error: 0.3 / U,
                // 6.5 u less the two roundings of `fl(fl(hi + lo) / n)`.
                careful: 4.4 * U,
                // 6.5 - 4.01, less a margin.
                exact: 2.48 * U,
            }
        } else {
            // u32 = 2^-24; budget 6 u32 before the final rounding to f32.
            let u32_budget = 6.0 / (1u64 << 24) as f64;
            Budget {
                d: 1.02,
                error: 1.01 / u32_budget,
                careful: 5.9 / (1u64 << 24) as f64,
                // 6 u32 = 6 * 2^29 u, less 4.01 u and a margin.
                exact: 5.99 * (1u64 << 29) as f64 * U,
            }
        }
    }

    /// The smallest `|rb_r|` the fast check accepts for a block with change
    /// magnitudes `d` and running-sum error bound `error` (which includes
    /// [`lo_error`]).
    #[inline(always)]
    pub(super) fn fast_need(&self, d: f64, error: f64) -> f64 {
        self.d * d + self.error * error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_leave_room_for_the_roundings() {
        // The f64 check's coefficients are the derived ones rounded up.
        let b = Budget::for_bytes(8);
        assert!(b.d >= 3.911 && b.error * U >= 0.2877);
        // The careful path: two roundings of 1.01 u within 6.5 u.
        assert!(b.careful / U + 2.02 <= 6.5);
        // The exact check: 4.01 u of the window sums, the rest for the
        // state and the spread.
        assert!(b.exact / U + 4.01 <= 6.5);
        let b = Budget::for_bytes(4);
        assert!(b.d >= 1.0101 && b.careful < 6.0 / (1u64 << 24) as f64);
        assert!(b.exact + 4.01 * U < 6.0 / (1u64 << 24) as f64);
        assert!(BOUND_U > U && block_error(1.0, 0.0) >= 7.02 * U);
        // 16.02 u times the remainders' 64 u sigma; 7.01 u times them.
        assert!(exact_spread(1.0, 0.0) >= 16.02 * 64.0 * U * U);
        assert!(exact_spread(0.0, 1.0) >= 7.02 * U);
        assert!(exact_block_error(1.0, 0.0, 0.0) >= 7.01 * 64.0 * U * U);
    }
}
