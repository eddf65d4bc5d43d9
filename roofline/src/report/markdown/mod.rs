//! report.md: the title and warnings, then one section per part of the
//! run, each a table with the prose a reader needs to judge it. The
//! sections on the roofs (2-3) and on what ran under them (4-7) have a
//! file each.

mod measured;
mod roofs;

use std::fmt::{self, Write as _};

use crate::labels::bytes_label;
use crate::results::Results;

/// The whole report.md.
pub(crate) fn markdown(r: &Results) -> String {
    let mut s = String::new();
    let sections: [fn(&mut String, &Results) -> fmt::Result; 8] = [
        preamble,
        machine,
        roofs::memory_roofs,
        roofs::compute_roofs,
        measured::kernels,
        measured::seed_baselines,
        measured::tile_sweep,
        measured::scaling,
    ];
    for section in sections {
        section(&mut s, r).expect("writing to a String cannot fail");
    }
    s
}

/// The title, and the warnings a reader must see first.
fn preamble(w: &mut String, r: &Results) -> fmt::Result {
    let m = &r.machine;
    writeln!(w, "# splitapply roofline report\n")?;
    if r.options.quick {
        writeln!(
            w,
            "> **Quick run** (`--quick`): small sizes and few repetitions, a smoke test. \
             Its working sets sit in cache, so read the numbers as a check that \
             everything runs, not as this machine's figures.\n"
        )?;
    }
    if let Some(warning) = m.warning() {
        writeln!(w, "> **WARNING: {warning}**\n")?;
    }
    Ok(())
}

/// Section 1: the machine and how the report was run.
fn machine(w: &mut String, r: &Results) -> fmt::Result {
    let m = &r.machine;
    writeln!(w, "## 1. Machine\n")?;
    writeln!(w, "| | |\n|---|---|")?;
    writeln!(w, "| CPU | {} |", m.cpu_model)?;
    writeln!(
        w,
        "| cores | {} logical, {} physical |",
        m.logical_cores, m.physical_cores
    )?;
    writeln!(
        w,
        "| caches | L1d {} and L2 {} per core, last level {} shared ({} in all){} |",
        bytes_label(m.caches.l1d),
        bytes_label(m.caches.l2),
        bytes_label(m.caches.llc),
        bytes_label(m.llc_total),
        if m.caches.detected {
            ""
        } else {
            " (defaults: the OS did not say)"
        }
    )?;
    match m.clock_ghz {
        Some((ghz, src)) => {
            writeln!(w, "| clock | {ghz:.2} GHz (from {src}) |")?;
        }
        None => {
            writeln!(w, "| clock | unknown |")?;
        }
    }
    writeln!(w, "| rustc | {} |", m.rustc)?;
    writeln!(
        w,
        "| kernels compiled for | {} |",
        m.simd.compiled().join(" ")
    )?;
    writeln!(w, "| CPU supports | {} |", m.simd.available().join(" "))?;
    writeln!(
        w,
        "| SIMD types | f64x4 and f32x8 (`wide`), 256-bit; f64x8 and f32x16 for exp, ln, sin, cos, pow, logistic |"
    )?;
    let threads: Vec<String> = m.threads.iter().map(|t| t.to_string()).collect();
    writeln!(w, "| thread counts | {} |", threads.join(", "))?;
    writeln!(w, "| date | {} |", m.date_utc)?;
    writeln!(w, "| git commit | {} |", m.git_commit)?;
    writeln!(w, "| run time | {:.0} s |\n", r.elapsed_s)?;
    Ok(())
}
