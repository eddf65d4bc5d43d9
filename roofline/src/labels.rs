//! How the report and the figures write quantities.

use crate::timing::Sample;

/// "32 KiB", "1 MiB", "1.25 MiB": a byte count in the largest binary unit
/// it reaches.
pub(crate) fn bytes_label(bytes: usize) -> String {
    let (unit, name) = if bytes >= 1 << 30 {
        (1usize << 30, "GiB")
    } else if bytes >= 1 << 20 {
        (1 << 20, "MiB")
    } else {
        (1 << 10, "KiB")
    };
    if bytes.is_multiple_of(unit) {
        format!("{} {name}", bytes / unit)
    } else {
        format!("{:.2} {name}", bytes as f64 / unit as f64)
    }
}

/// "1 thread", "2 threads".
pub(crate) fn threads_label(threads: usize) -> String {
    format!("{threads} thread{}", if threads == 1 { "" } else { "s" })
}

/// "±5%": a sample's spread, (max - min) / 2 as a share of the median.
pub(crate) fn spread(s: &Sample) -> String {
    format!("±{:.0}%", 50.0 * s.spread())
}
