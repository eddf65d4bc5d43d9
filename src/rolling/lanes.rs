//! The instruction-set-specific helpers of the sliding path, kept apart
//! from its portable block algebra (`sliding.rs`): moving four `f64` lanes
//! in and out of a vector, and the 4x4 transpose. Each has a portable
//! version; where a target feature makes a faster one possible, a `cfg`'d
//! version replaces it, with the same results.

use wide::f64x4;

use crate::float::Float;

/// The vector whose lanes are the rows of a sliding block.
pub(super) type Lanes = f64x4;

/// Lanes of [`Lanes`].
pub(super) const LANES: usize = 4;

/// Whether [`Lanes::mul_add`] rounds once (a fused multiply-add), as `wide`
/// compiles it: with FMA on x86, with NEON on aarch64.
pub(super) const FUSED: bool = cfg!(any(
    target_feature = "fma",
    all(target_arch = "aarch64", target_feature = "neon")
));

/// Transposes a 4x4 block: `out[j]` lane `i` is `rows[i]` lane `j`. With
/// AVX, four in-lane unpacks and four 128-bit lane permutes.
#[cfg(all(target_arch = "x86_64", target_feature = "avx"))]
#[inline(always)]
pub(super) fn transpose_lanes(rows: [Lanes; LANES]) -> [Lanes; LANES] {
    use safe_arch::{m256d, permute2z_m256d, unpack_hi_m256d, unpack_lo_m256d};
    let r = rows.map(|v| m256d::from(v.to_array()));
    // Pairs of rows interleaved: (r_i[c], r_{i+1}[c]) for even c (lo) or
    // odd c (hi), one pair per 128-bit lane.
    let t0 = unpack_lo_m256d(r[0], r[1]);
    let t1 = unpack_hi_m256d(r[0], r[1]);
    let t2 = unpack_lo_m256d(r[2], r[3]);
    let t3 = unpack_hi_m256d(r[2], r[3]);
    // Low 128-bit lanes of both (columns 0, 1) or high ones (2, 3).
    let cols = [
        permute2z_m256d::<0x20>(t0, t2),
        permute2z_m256d::<0x20>(t1, t3),
        permute2z_m256d::<0x31>(t0, t2),
        permute2z_m256d::<0x31>(t1, t3),
    ];
    cols.map(|c| Lanes::from(<[f64; 4]>::from(c)))
}

/// Portable transpose: see the AVX version above.
#[cfg(not(all(target_arch = "x86_64", target_feature = "avx")))]
#[inline(always)]
pub(super) fn transpose_lanes(rows: [Lanes; LANES]) -> [Lanes; LANES] {
    let r = rows.map(|v| v.to_array());
    std::array::from_fn(|j| Lanes::from(std::array::from_fn(|i| r[i][j])))
}

/// The first [`LANES`] values of `xs` as `f64`.
///
/// `f64` values are loaded as one array: built value by value, LLVM merges
/// the overlapping loads of neighbouring offsets (`x[k..]`, `x[k + 1..]`)
/// into fewer loads and several shuffles, which cost more.
#[inline(always)]
pub(super) fn load_lanes<T: Float>(xs: &[T]) -> Lanes {
    let x: &[T; LANES] = xs[..LANES].try_into().unwrap();
    if let Some(x) = (x as &dyn std::any::Any).downcast_ref::<[f64; LANES]>() {
        return Lanes::from(*x);
    }
    Lanes::from([x[0].to_f64(), x[1].to_f64(), x[2].to_f64(), x[3].to_f64()])
}

/// Stores the lanes of `v` into `xs` (exactly [`LANES`] long).
///
/// For `f32` with AVX, one `vcvtpd2ps` per vector: from the generic loop
/// LLVM merges neighbouring vectors into 512-bit conversions with extra
/// `vpermt2pd` shuffles, which cost more than they save.
#[inline(always)]
pub(super) fn store_lanes<T: Float>(v: Lanes, xs: &mut [T; LANES]) {
    #[cfg(all(target_arch = "x86_64", target_feature = "avx"))]
    if let Some(xs) = (xs as &mut dyn std::any::Any).downcast_mut::<[f32; LANES]>() {
        use safe_arch::{convert_to_m128_from_m256d, m256d};
        *xs = convert_to_m128_from_m256d(m256d::from(v.to_array())).to_array();
        return;
    }
    for (x, &v) in xs.iter_mut().zip(v.as_array()) {
        *x = T::from_f64(v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_transpose_is_a_transpose() {
        let rows: [Lanes; LANES] =
            std::array::from_fn(|i| Lanes::from(std::array::from_fn(|j| (10 * i + j) as f64)));
        let cols = transpose_lanes(rows);
        for (j, col) in cols.iter().enumerate() {
            for (i, &v) in col.to_array().iter().enumerate() {
                assert_eq!(v, (10 * i + j) as f64);
            }
        }
    }

    #[test]
    fn lanes_load_and_store_both_float_types() {
        let v = Lanes::from([1.5, -2.25, 3.0e-8, 4.0e30]);
        let mut f = [0.0f32; LANES];
        store_lanes(v, &mut f);
        assert_eq!(f, [1.5f32, -2.25, 3.0e-8, 4.0e30]);
        let mut d = [0.0f64; LANES];
        store_lanes(v, &mut d);
        assert_eq!(d, v.to_array());
        assert_eq!(
            load_lanes(&[1.0f32, 2.0, 3.0, 4.0, 5.0]).to_array(),
            [1.0, 2.0, 3.0, 4.0]
        );
    }
}
