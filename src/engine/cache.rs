//! Cache sizes from the operating system, for choosing tile lengths.
//!
//! Read once from `/sys/devices/system/cpu/cpu0/cache` on Linux; other systems
//! (or an unreadable sysfs) fall back to conservative defaults.

use std::sync::OnceLock;

/// Data/unified cache sizes in bytes, per level, of the first CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheSizes {
    /// Level-1 data cache per core.
    pub l1d: usize,
    /// Level-2 cache per core.
    pub l2: usize,
    /// Last-level cache (level 3 where present, else level 2), shared.
    pub llc: usize,
    /// True when the sizes were read from the OS, false when they are the
    /// fallback defaults.
    pub detected: bool,
}

/// Used when the OS does not tell: small enough for any current x86-64 or
/// AArch64 server core.
const FALLBACK: CacheSizes = CacheSizes {
    l1d: 32 << 10,
    l2: 512 << 10,
    llc: 8 << 20,
    detected: false,
};

/// The cache sizes of this machine (detected once, then cached).
///
/// # Examples
/// ```
/// let caches = splitapply::cache_sizes();
/// assert!(caches.l1d > 0 && caches.l2 >= caches.l1d);
/// ```
pub fn cache_sizes() -> CacheSizes {
    static SIZES: OnceLock<CacheSizes> = OnceLock::new();
    *SIZES.get_or_init(|| detect().unwrap_or(FALLBACK))
}

fn detect() -> Option<CacheSizes> {
    let base = std::path::Path::new("/sys/devices/system/cpu/cpu0/cache");
    let (mut l1d, mut l2, mut l3) = (None, None, None);
    for entry in std::fs::read_dir(base).ok()?.flatten() {
        let dir = entry.path();
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
        let (Some(level), Some(kind), Some(size)) = (read("level"), read("type"), read("size"))
        else {
            continue;
        };
        if kind.trim() == "Instruction" {
            continue;
        }
        let bytes = parse_size(size.trim())?;
        match level.trim() {
            "1" => l1d = Some(bytes),
            "2" => l2 = Some(bytes),
            "3" => l3 = Some(bytes),
            _ => {}
        }
    }
    let l2 = l2?;
    Some(CacheSizes {
        l1d: l1d.unwrap_or(FALLBACK.l1d),
        l2,
        llc: l3.unwrap_or(l2),
        detected: true,
    })
}

/// Parses sysfs sizes such as `"48K"`, `"2048K"`, `"32M"`.
fn parse_size(s: &str) -> Option<usize> {
    let (digits, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, ""),
    };
    let n: usize = digits.parse().ok()?;
    let scale = match unit {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        _ => return None,
    };
    Some(n * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sysfs_sizes() {
        assert_eq!(parse_size("48K"), Some(48 << 10));
        assert_eq!(parse_size("32M"), Some(32 << 20));
        assert_eq!(parse_size("1024"), Some(1024));
        assert_eq!(parse_size("K"), None);
        assert_eq!(parse_size("3X"), None);
    }
}
