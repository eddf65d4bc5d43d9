//! The compensated sum, one type for every use: the anchors' direct sums
//! (Neumaier's addition, scalar and in eight lanes), the running sum of the
//! sliding path (Knuth's two-sum, one per block) and the careful path's
//! exact steps ([`two_sum`]).

use wide::f64x8;

/// A compensated sum: `hi + lo` carries about twice the precision of
/// `f64`. `V` is `f64`, or `f64x8` for eight independent sums in lanes.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Compensated<V = f64> {
    pub(super) hi: V,
    pub(super) lo: V,
}

/// Knuth's two-sum: `(s, e)` with `s = fl(a + b)` and `s + e = a + b`
/// exactly, for any finite `a` and `b` whose sum does not overflow.
#[inline(always)]
pub(super) fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let b_part = s - a;
    let a_part = s - b_part;
    (s, (a - a_part) + (b - b_part))
}

impl Compensated<f64> {
    /// The sum rounded once to `f64`.
    #[inline(always)]
    pub(super) fn value(self) -> f64 {
        self.hi + self.lo
    }

    /// Neumaier's addition of `v`.
    #[inline(always)]
    pub(super) fn add(&mut self, v: f64) {
        let t = self.hi + v;
        // Branch-free: whichever operand is larger in magnitude loses the
        // low-order bits of the other, which are recovered here.
        let big_hi = (self.hi - t) + v;
        let big_v = (v - t) + self.hi;
        self.lo += if self.hi.abs() >= v.abs() {
            big_hi
        } else {
            big_v
        };
        self.hi = t;
    }
}

impl Compensated<f64x8> {
    /// [`Compensated::add`] in every lane.
    #[inline(always)]
    pub(super) fn add(&mut self, v: f64x8) {
        let t = self.hi + v;
        let big_hi = (self.hi - t) + v;
        let big_v = (v - t) + self.hi;
        let hi_larger = self.hi.abs().simd_ge(v.abs());
        self.lo += hi_larger.select(big_hi, big_v);
        self.hi = t;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neumaier_two_sum_and_the_lanes_agree_bitwise_on_finite_values() {
        let values = [1e16, 1.0, -1e16, 3.5e-3, 7.25e10, -2.0, 1e-300, 5e15];
        let mut neumaier = Compensated::<f64>::default();
        let mut knuth = Compensated::<f64>::default();
        let mut lanes = Compensated::<f64x8>::default();
        for &v in &values {
            neumaier.add(v);
            let (hi, error) = two_sum(knuth.hi, v);
            knuth = Compensated {
                hi,
                lo: knuth.lo + error,
            };
            lanes.add(f64x8::splat(v));
        }
        assert_eq!(neumaier.hi.to_bits(), knuth.hi.to_bits());
        assert_eq!(neumaier.lo.to_bits(), knuth.lo.to_bits());
        for (hi, lo) in lanes.hi.to_array().into_iter().zip(lanes.lo.to_array()) {
            assert_eq!(
                (hi.to_bits(), lo.to_bits()),
                (neumaier.hi.to_bits(), neumaier.lo.to_bits())
            );
        }
        // The exact sum, rounded once; a plain left-to-right sum loses the
        // 1.0 next to 1e16 and gives 5000072499999998.
        assert_eq!(neumaier.value(), 5_000_072_499_999_999.0);
        assert_eq!(values.iter().sum::<f64>(), 5_000_072_499_999_998.0);
    }
}
