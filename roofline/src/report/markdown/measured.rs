//! Sections 4 to 7 of report.md: every kernel placed on the roofs, the
//! seed workload against its baselines, the tile-length sweep and thread
//! scaling.

use std::fmt::{self, Write as _};

use splitapply_workloads::K;

use crate::labels::spread;
use crate::numpy::Numpy;
use crate::plots;
use crate::results::Results;
use crate::roofs;
use crate::seed::Baseline;
use crate::sweeps::TILE_WORKLOADS;

/// Section 4: every kernel placed on the roofs.
pub(super) fn kernels(w: &mut String, r: &Results) -> fmt::Result {
    let m = &r.machine;
    let roofs = r.roofs();
    writeln!(w, "\n## 4. Kernels\n")?;
    writeln!(
        w,
        "Each built-in kernel alone (map: one kernel over all N points; {} and {} B per \
         element for f64 and f32) and inside `apply` (k = {K} instances, uniform u32 \
         indices; x + index + out = 20 B per element for f64, 12 B for f32). N = {}. \
         The route of an `apply` row is the strategy the engine chose for its table \
         (`Engine::chosen_strategy`) and, where it groups the points, with which passes: \
         the counting sort, or the partition (at most 16 groups) and its \
         instruction-set path (`Engine::partition_path`). FLOPs \
         are each kernel's own declaration (`Kernel::flops_per_element`); the rolling \
         mean counts the O(N) sliding sum's minimum of 3 (it does about 5: a subtraction, \
         prefix-sum adds and an FMA per output, one compensated addition per 32 outputs, \
         plus the anchors). The binding roof is the lower of the FMA peak (\"FMA peak\") \
         and intensity x a memory bandwidth. That bandwidth is the one STREAM or the \
         working-set sweep measured for the level the data streams from (\"DRAM\", \
         \"L3\", \"L2\"; L3 up to twice the last-level cache, DRAM beyond; streams \
         somewhat longer than that can still partly hit L3), or, when higher, the one a \
         control loop with the same traffic over the same arrays reached, timed \
         alternately with the kernel: a copy for a map (\"DRAM (copy, timed \
         alongside)\"), `out[i] = idx[i] * x[i]` for apply (\"DRAM (idx*x loop, timed \
         alongside)\"). On a shared machine the bandwidth on offer moves during a run; \
         the control keeps the roof an upper bound for each measurement. Time is the \
         median with its spread \
         ((max - min) / 2 as a share of the median). A point above its roof is flagged: \
         it can only be a measurement error, and the flag says whether the \
         excess is within the timings' own spread (noise) or beyond it. A memory roof \
         far above a kernel whose GB/s is well under its control's means the kernel is \
         limited by instructions its FLOP count does not see (range reduction, selects, \
         searches, compensation), not by memory.\n",
        16, 8, r.kernel_n
    )?;
    writeln!(
        w,
        "| kernel | type | mode | route | threads | FLOP/elem | B/elem | FLOP/B | ns/elem | GFLOP/s | GB/s | control GB/s | binding roof | % of roof |"
    )?;
    writeln!(
        w,
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    )?;
    for p in &r.kernels {
        let pl = roofs::place(p, roofs::at(&roofs, p.threads), &m.caches);
        let flag = match (pl.above_roof, pl.within_spread) {
            (false, _) => "",
            (true, true) => " **ABOVE ROOF: measurement error, within the timing spread**",
            (true, false) => " **ABOVE ROOF: measurement error, beyond the timing spread**",
        };
        writeln!(
            w,
            "| {} | {} | {} | {} | {} | {:.0} | {:.0} | {:.2} | {:.3} {} | {:.1} | {:.1} | {:.1} | {} | {:.0}%{flag} |",
            p.kernel,
            p.float,
            p.mode.label(),
            p.route,
            p.threads,
            p.flops_per_element,
            p.bytes_per_element,
            p.intensity(),
            p.ns_per_element(),
            spread(&p.sample),
            p.gflops(),
            p.gbps(),
            p.control_gbps(),
            pl.binding.label(),
            100.0 * pl.fraction
        )?;
    }
    writeln!(w, "\n{}\n", plots::ROOFLINE.markdown())?;
    Ok(())
}

/// Section 5: the seed workload against its baselines.
pub(super) fn seed_baselines(w: &mut String, r: &Results) -> fmt::Result {
    writeln!(w, "## 5. The seed workload against its baselines\n")?;
    writeln!(
        w,
        "k = {K} closures f_j(x) = j * x, uniform u32 indices, N = {}, f64. Ratio = the \
         contender's time / splitapply's at the same thread count (1 thread for the \
         serial contenders); above 1 means splitapply is faster.\n",
        r.seed_n
    )?;
    writeln!(w, "| contender | threads | N | ns/elem | vs splitapply |")?;
    writeln!(w, "|---|---|---|---|---|")?;
    for b in &r.baselines {
        let ours = r
            .baseline("splitapply", b.threads)
            .map(Baseline::ns_per_element);
        let ratio = ours.map_or("-".into(), |o| format!("{:.2}x", b.ns_per_element() / o));
        writeln!(
            w,
            "| {} | {} | {} | {:.2} {} | {ratio} |",
            b.name,
            b.threads,
            b.n,
            b.ns_per_element(),
            spread(&b.sample)
        )?;
    }
    match &r.numpy {
        Numpy::Measured {
            n,
            seed_ns,
            rolling,
        } => {
            let ours = r.baseline("splitapply", 1).map(Baseline::ns_per_element);
            let ratio = ours.map_or("-".into(), |o| format!("{:.0}x", seed_ns / o));
            writeln!(
                w,
                "| numpy original (python3) | 1 | {n} | {seed_ns:.1} | {ratio} |"
            )?;
            for (hw, ns, err) in rolling {
                writeln!(
                    w,
                    "\nnumpy's rolling-mean idiom (cumsum), N = {n}, w = {hw}: {ns:.1} ns/element, \
                     relative error {err:.1e}."
                )?;
            }
        }
        Numpy::NotMeasured(why) => {
            writeln!(w, "| numpy original | - | - | not measured: {why} | - |")?;
        }
    }
    Ok(())
}

/// Section 6: the tile-length sweep.
pub(super) fn tile_sweep(w: &mut String, r: &Results) -> fmt::Result {
    writeln!(w, "\n## 6. Tile-length sweep\n")?;
    writeln!(
        w,
        "Bucket strategy on {} threads, N = {}. The automatic tile here is {} points. Too \
         short and the per-tile work (histogram reset, k-sized prefix sums) dominates; too \
         long and the tile's buffers outgrow the caches (at 1M points and beyond): the \
         chunk-size lesson of the original multiprocessing discussion.\n",
        r.max_threads(),
        r.seed_n,
        r.auto_tile_len
    )?;
    let names: Vec<String> = TILE_WORKLOADS
        .iter()
        .map(|&wl| match r.tiles.iter().find(|t| t.workload == wl) {
            Some(t) => format!("{wl}: {}", t.what),
            None => wl.to_string(),
        })
        .collect();
    writeln!(w, "The workloads: {}.\n", names.join("; "))?;
    let mut header = "| tile length |".to_string();
    let mut rule = "|---|".to_string();
    for wl in TILE_WORKLOADS {
        write!(header, " {wl} ns/elem |")?;
        rule.push_str("---|");
    }
    writeln!(w, "{header}\n{rule}")?;
    let mut lens: Vec<usize> = r.tiles.iter().map(|t| t.tile_len).collect();
    lens.sort_unstable();
    lens.dedup();
    for len in lens {
        let mut row = format!("| {len} |");
        for wl in TILE_WORKLOADS {
            match r
                .tiles
                .iter()
                .find(|t| t.workload == wl && t.tile_len == len)
            {
                Some(t) => write!(
                    row,
                    " {:.2} {} |",
                    t.sample.median() * 1e9 / t.n as f64,
                    spread(&t.sample)
                )?,
                None => row.push_str(" - |"),
            }
        }
        writeln!(w, "{row}")?;
    }
    writeln!(w, "\n{}\n", plots::TILES.markdown())?;
    Ok(())
}

/// Section 7: thread scaling of every workload.
pub(super) fn scaling(w: &mut String, r: &Results) -> fmt::Result {
    writeln!(w, "## 7. Thread scaling\n")?;
    writeln!(
        w,
        "Automatic strategy, N = {}. Ideal = the rate at the first thread count, scaled by \
         the thread count; STREAM ceiling = \
         the DRAM roof at that thread count / the workload's bytes per element (20 B for \
         apply, 16 B for the rolling mean).\n",
        r.seed_n
    )?;
    writeln!(
        w,
        "| workload | threads | ns/elem | Gelem/s | speedup | ideal | STREAM ceiling Gelem/s | % of ceiling |"
    )?;
    writeln!(w, "|---|---|---|---|---|---|---|---|")?;
    for p in &r.scaling {
        let one = r
            .scaling
            .iter()
            .find(|q| q.workload == p.workload && q.threads == r.options.threads[0]);
        let speedup = one.map_or(f64::NAN, |o| p.gelem_per_s() / o.gelem_per_s());
        let ceiling = r
            .streams
            .iter()
            .find(|s| s.threads == p.threads)
            .map_or(f64::NAN, |s| s.best() / p.bytes_per_element);
        writeln!(
            w,
            "| {} ({}) | {} | {:.2} {} | {:.3} | {:.2}x | {:.0}x | {:.3} | {:.0}% |",
            p.workload,
            p.what,
            p.threads,
            p.sample.median() * 1e9 / p.n as f64,
            spread(&p.sample),
            p.gelem_per_s(),
            speedup,
            p.threads as f64 / r.options.threads[0] as f64,
            ceiling,
            100.0 * p.gelem_per_s() / ceiling
        )?;
    }
    writeln!(w, "\n{}", plots::SCALING.markdown())?;
    Ok(())
}
