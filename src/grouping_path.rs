//! [`GroupingPath`]: the instruction-set paths of the grouping passes,
//! which (unlike the kernels) are chosen at run time, and the CPU checks
//! behind them. The passes themselves are `engine/partition/`.

use std::sync::OnceLock;

/// The instruction-set path of the grouping passes; see
/// [`Engine::grouping_path`](crate::Engine::grouping_path) and
/// [`SimdInfo::grouping_path`](crate::SimdInfo::grouping_path).
///
/// Every path gives the same results; only speed differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GroupingPath {
    /// Plain Rust, any CPU.
    Portable,
    /// x86-64 with AVX2 (and POPCNT).
    Avx2,
    /// x86-64 with AVX-512 F, BW and VL (and POPCNT).
    Avx512,
}

impl GroupingPath {
    /// The fastest path this CPU offers, detected once per process.
    ///
    /// # Examples
    /// ```
    /// use splitapply::GroupingPath;
    /// let path = GroupingPath::detected();
    /// assert!(path.is_available());
    /// assert!(GroupingPath::available().contains(&path));
    /// ```
    pub fn detected() -> GroupingPath {
        static DETECTED: OnceLock<GroupingPath> = OnceLock::new();
        *DETECTED.get_or_init(|| {
            [GroupingPath::Avx512, GroupingPath::Avx2]
                .into_iter()
                .find(|p| p.is_available())
                .unwrap_or(GroupingPath::Portable)
        })
    }

    /// Whether this CPU can run the path.
    pub fn is_available(self) -> bool {
        match self {
            GroupingPath::Portable => true,
            #[cfg(target_arch = "x86_64")]
            GroupingPath::Avx2 => has_avx2(),
            #[cfg(target_arch = "x86_64")]
            GroupingPath::Avx512 => has_avx512(),
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// Every path this CPU can run, the portable one first.
    pub fn available() -> Vec<GroupingPath> {
        [
            GroupingPath::Portable,
            GroupingPath::Avx2,
            GroupingPath::Avx512,
        ]
        .into_iter()
        .filter(|p| p.is_available())
        .collect()
    }
}

/// AVX2 and POPCNT. (Never under Miri, which runs the portable path.)
#[cfg(target_arch = "x86_64")]
pub(crate) fn has_avx2() -> bool {
    !cfg!(miri) && is_x86_feature_detected!("avx2") && is_x86_feature_detected!("popcnt")
}

/// AVX-512 F, BW and VL, and POPCNT. (Never under Miri.)
#[cfg(target_arch = "x86_64")]
pub(crate) fn has_avx512() -> bool {
    !cfg!(miri)
        && is_x86_feature_detected!("avx512f")
        && is_x86_feature_detected!("avx512bw")
        && is_x86_feature_detected!("avx512vl")
        && is_x86_feature_detected!("popcnt")
}
