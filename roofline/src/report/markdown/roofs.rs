//! Sections 2 and 3 of report.md: the memory roofs (STREAM, the cache
//! levels, the working-set sweep) and the compute roofs (FMA peaks against
//! the theoretical peak).

use std::fmt::{self, Write as _};

use crate::labels::bytes_label;
use crate::plots;
use crate::results::Results;

/// Section 2: the STREAM roofs.
pub(super) fn memory_roofs(w: &mut String, r: &Results) -> fmt::Result {
    let roofs = r.roofs();
    writeln!(w, "## 2. Memory roofs\n")?;
    writeln!(
        w,
        "STREAM, best of several runs at the start of the report and as many at its end, \
         each array {} in total (at least 4x all last-level caches together). \
         Bytes are counted as STREAM does: explicit reads and writes only (Copy and Scale \
         16 B per element, Add and Triad 24 B). Write-allocate is **not** counted: the \
         loops use ordinary stores, so the hardware reads each written line first. Copy, \
         Scale and a map then really move 1.5x what is counted, Add and Triad 1.33x, an \
         f64 apply 1.4x; so against the best of the four, a map that saturates DRAM can \
         show below 100%. Every kernel below is counted the same way, and each is also \
         compared with a control loop of its own traffic (section 4). GB/s = 10^9 B/s.\n",
        r.streams
            .first()
            .map_or("?".into(), |s| bytes_label(s.array_bytes))
    )?;
    writeln!(
        w,
        "| threads | Copy | Scale | Add | Triad | DRAM roof (best) |"
    )?;
    writeln!(w, "|---|---|---|---|---|---|")?;
    for st in &r.streams {
        writeln!(
            w,
            "| {} | {:.1} | {:.1} | {:.1} | {:.1} | **{:.1}** |",
            st.threads,
            st.copy,
            st.scale,
            st.add,
            st.triad,
            st.best()
        )?;
    }
    writeln!(
        w,
        "\nCache-level roofs from the working-set sweep (Triad, median; each level's best \
         working set that fits it but not the level below):\n"
    )?;
    writeln!(
        w,
        "| threads | L1 | L2 | L3 | DRAM |\n|---|---|---|---|---|"
    )?;
    let opt = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.0}"));
    for ro in &roofs {
        writeln!(
            w,
            "| {} | {} | {} | {} | {:.1} |",
            ro.threads,
            opt(ro.l1),
            opt(ro.l2),
            opt(ro.l3),
            ro.dram
        )?;
    }
    writeln!(w, "\nWorking-set sweep (GB/s by working set per thread):\n")?;
    let mut header = "| working set per thread |".to_string();
    let mut rule = "|---|".to_string();
    let swept = r.options.end_threads();
    for t in &swept {
        write!(header, " {t} threads |")?;
        rule.push_str("---|");
    }
    writeln!(w, "{header}\n{rule}")?;
    let sizes: Vec<usize> = {
        let mut v: Vec<usize> = r.sweep.iter().map(|p| p.bytes_per_thread).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    for size in sizes {
        let mut row = format!("| {} |", bytes_label(size));
        for &t in &swept {
            match r
                .sweep
                .iter()
                .find(|p| p.threads == t && p.bytes_per_thread == size)
            {
                Some(p) => {
                    write!(row, " {:.1} |", p.gbps)?;
                }
                None => row.push_str(" - |"),
            }
        }
        writeln!(w, "{row}")?;
    }
    writeln!(w, "\n{}\n", plots::BANDWIDTH.markdown())?;
    Ok(())
}

/// Section 3: the compute roofs.
pub(super) fn compute_roofs(w: &mut String, r: &Results) -> fmt::Result {
    let m = &r.machine;
    writeln!(w, "## 3. Compute roofs\n")?;
    let (pipes, from_env) = r.fma_pipes;
    let clock = m
        .clock_ghz
        .map_or("unknown clock".into(), |(g, _)| format!("{g:.2} GHz"));
    writeln!(
        w,
        "Peak GFLOP/s from 12 independent accumulator chains per thread (an FMA counts 2 \
         FLOPs). Theoretical peak = lanes x 2 x FMA pipes x clock x threads, assuming \
         {pipes} FMA pipes per core ({}), {clock}, and no gain from threads beyond the \
         physical cores, for 256-bit vectors. The roofs drawn use the faster of the two \
         widths; Affine, Poly, Sqrt, Clamp, Interp and Spline run 256-bit vectors, so where 512-bit \
         operations are faster their compute roof is the 256-bit rate. Scalar \
         ceiling = 256-bit SIMD mul+add / lanes (derived: a scalar loop would be \
         auto-vectorised).\n",
        if from_env {
            "from SPLITAPPLY_FMA_PIPES"
        } else {
            "set SPLITAPPLY_FMA_PIPES to change"
        }
    )?;
    writeln!(
        w,
        "| threads | type | FMA (256-bit / wide) | 256-bit % of theoretical | mul+add | scalar (derived) |"
    )?;
    writeln!(w, "|---|---|---|---|---|---|")?;
    for c in &r.computes {
        for (ty, lanes, f32) in [("f64", 4, false), ("f32", 8, true)] {
            let (scalar, mul_add, fma) = c.ceilings(f32);
            let (narrow, wide) = if f32 {
                c.f32_fma_widths
            } else {
                c.f64_fma_widths
            };
            // The theoretical peak counts 256-bit pipes, so compare the
            // 256-bit rate with it.
            let pct = r
                .theoretical(lanes, c.threads)
                .map_or("-".into(), |t| format!("{:.0}%", 100.0 * narrow / t));
            writeln!(
                w,
                "| {} | {ty} | {fma:.1} ({narrow:.1} / {wide:.1}) | {pct} | {mul_add:.1} | {scalar:.1} |",
                c.threads
            )?;
        }
    }

    if let (Some(first), Some((ghz, src))) = (r.computes.first(), m.clock_ghz) {
        let implied = first.f64_fma_widths.0 / (4 * 2 * pipes * first.threads) as f64;
        if implied > ghz * 1.02 {
            writeln!(
                w,
                "\nAbove 100% means the clock read from {src} ({ghz:.2} GHz) is not the clock \
                 the cores ran at: a hypervisor reports the nominal clock, and turbo runs \
                 higher. The measured {}-thread f64 FMA rate implies at least {implied:.2} GHz \
                 with {pipes} FMA pipes.",
                first.threads
            )?;
        }
    }
    Ok(())
}
