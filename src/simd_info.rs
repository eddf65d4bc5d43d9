//! What the SIMD code was compiled for, against what this CPU offers.
//!
//! `wide` picks its instruction set at compile time from the target features,
//! not at run time. A build without `-C target-cpu=native` (or
//! `x86-64-v3`) on an AVX2 machine silently runs the SSE2 fallback, several
//! times slower. [`simd_info`] makes that visible.

use std::fmt;

/// One instruction-set feature: whether the build uses it and whether the CPU
/// has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Feature {
    /// The feature's name as in `target_feature` (e.g. `"avx2"`).
    pub name: &'static str,
    /// Compiled in: the kernels use it.
    pub compiled: bool,
    /// Reported by the running CPU.
    pub available: bool,
}

/// The SIMD features relevant to the kernels; see [`simd_info`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimdInfo {
    /// The target architecture (e.g. `"x86_64"`).
    pub arch: &'static str,
    /// Each relevant feature, compiled and available.
    pub features: Vec<Feature>,
}

impl SimdInfo {
    /// Features the CPU has but the build does not use: each one is speed
    /// left on the table. Empty when the build matches the CPU.
    pub fn missed(&self) -> Vec<&'static str> {
        self.features
            .iter()
            .filter(|f| f.available && !f.compiled)
            .map(|f| f.name)
            .collect()
    }

    /// The instruction-set path the grouping passes take on this CPU: unlike
    /// the kernels, they choose it at run time, whatever the build (see
    /// [`GroupingPath`](crate::GroupingPath)).
    ///
    /// # Examples
    /// ```
    /// let info = splitapply::simd_info();
    /// println!("grouping passes: {:?}", info.grouping_path());
    /// assert!(info.grouping_path().is_available());
    /// ```
    pub fn grouping_path(&self) -> crate::GroupingPath {
        crate::GroupingPath::detected()
    }

    /// Features compiled in.
    pub fn compiled(&self) -> Vec<&'static str> {
        self.features
            .iter()
            .filter(|f| f.compiled)
            .map(|f| f.name)
            .collect()
    }

    /// Features the CPU offers.
    pub fn available(&self) -> Vec<&'static str> {
        self.features
            .iter()
            .filter(|f| f.available)
            .map(|f| f.name)
            .collect()
    }

    /// A one-line warning when the build misses features the kernels would
    /// use (AVX, AVX2, FMA, and AVX-512 for the transcendental kernels);
    /// `None` when it does not.
    pub fn warning(&self) -> Option<String> {
        let missed = self.missed();
        let core: Vec<_> = missed
            .iter()
            .filter(|f| KERNEL_FEATURES.contains(f))
            .copied()
            .collect();
        if !core.is_empty() {
            return Some(format!(
                "splitapply was compiled without {} although this CPU supports it; \
                 the SIMD kernels run a slower fallback. Build with \
                 RUSTFLAGS=\"-C target-cpu=native\".",
                core.join(", ")
            ));
        }
        missed.contains(&WIDE_FEATURE).then(|| {
            format!(
                "splitapply was compiled without {WIDE_FEATURE} although this CPU supports \
                 it; exp, ln, sin, cos, pow and logistic run their 512-bit vectors as two \
                 256-bit halves, which is slower. Build with \
                 RUSTFLAGS=\"-C target-cpu=native\" for them."
            )
        })
    }
}

/// The features that change the code `wide` generates for f64x4 and f32x8.
const KERNEL_FEATURES: &[&str] = &["avx", "avx2", "fma"];

/// The feature that makes the transcendental kernels' f64x8 and f32x16 one
/// register each (see `crate::float`).
const WIDE_FEATURE: &str = "avx512f";

impl fmt::Display for SimdInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "arch: {}", self.arch)?;
        writeln!(f, "compiled for: {}", self.compiled().join(" "))?;
        writeln!(f, "CPU supports: {}", self.available().join(" "))?;
        writeln!(
            f,
            "grouping passes: {:?} (chosen at run time)",
            self.grouping_path()
        )?;
        if let Some(w) = self.warning() {
            writeln!(f, "WARNING: {w}")?;
        }
        Ok(())
    }
}

/// Reports the SIMD features the crate was compiled for next to those the
/// running CPU supports.
///
/// # Examples
/// ```
/// let info = splitapply::simd_info();
/// println!("{info}");
/// if let Some(warning) = info.warning() {
///     eprintln!("{warning}");
/// }
/// ```
pub fn simd_info() -> SimdInfo {
    SimdInfo {
        arch: std::env::consts::ARCH,
        features: features(),
    }
}

#[cfg(target_arch = "x86_64")]
fn features() -> Vec<Feature> {
    macro_rules! feature {
        ($name:tt) => {
            Feature {
                name: $name,
                compiled: cfg!(target_feature = $name),
                available: std::arch::is_x86_feature_detected!($name),
            }
        };
    }
    vec![
        feature!("sse2"),
        feature!("sse4.1"),
        feature!("avx"),
        feature!("avx2"),
        feature!("fma"),
        feature!("avx512f"),
    ]
}

#[cfg(target_arch = "aarch64")]
fn features() -> Vec<Feature> {
    vec![Feature {
        name: "neon",
        compiled: cfg!(target_feature = "neon"),
        available: std::arch::is_aarch64_feature_detected!("neon"),
    }]
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn features() -> Vec<Feature> {
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiled_features_are_available() {
        // A binary that runs can only use features the CPU has.
        let info = simd_info();
        for f in &info.features {
            assert!(!f.compiled || f.available, "{f:?}");
        }
    }
}
