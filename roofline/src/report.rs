//! Everything one run measured, written as report.md, report.json and a
//! summary on stdout.

use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::Sizes;
use crate::cli::Options;
use crate::compute::{self, Compute};
use crate::kernels::{KernelPoint, Mode};
use crate::machine::Machine;
use crate::memory::{Stream, SweepPoint};
use crate::roofs::{self, Roofs};
use crate::timing::Sample;
use crate::workloads::{Baseline, Numpy, ScalingPoint, TilePoint};

/// The figures, by file name and caption.
pub(crate) const FIGURES: &[(&str, &str)] = &[
    (
        "roofline.svg",
        "Roofline: every kernel against this machine's roofs",
    ),
    ("bandwidth.svg", "Triad bandwidth against working-set size"),
    ("tiles.svg", "Time against tile length"),
    (
        "scaling.svg",
        "Thread scaling against the ideal and the STREAM ceiling",
    ),
];

/// All measurements of one run.
pub(crate) struct Results {
    pub machine: Machine,
    pub options: Options,
    pub kernel_n: usize,
    pub seed_n: usize,
    pub auto_tile_len: usize,
    pub fma_pipes: (usize, bool),
    pub streams: Vec<Stream>,
    pub sweep: Vec<SweepPoint>,
    pub computes: Vec<Compute>,
    pub kernels: Vec<KernelPoint>,
    pub baselines: Vec<Baseline>,
    pub numpy: Numpy,
    pub tiles: Vec<TilePoint>,
    pub scaling: Vec<ScalingPoint>,
    pub elapsed_s: f64,
}

impl Results {
    pub(crate) fn new(machine: Machine, options: Options, sizes: &Sizes) -> Results {
        Results {
            machine,
            options,
            kernel_n: sizes.kernel_n,
            seed_n: sizes.seed_n,
            auto_tile_len: splitapply::Engine::new().effective_tile_len::<f64, u32>(),
            fma_pipes: compute::fma_pipes(),
            streams: Vec::new(),
            sweep: Vec::new(),
            computes: Vec::new(),
            kernels: Vec::new(),
            baselines: Vec::new(),
            numpy: Numpy::NotMeasured("not run".into()),
            tiles: Vec::new(),
            scaling: Vec::new(),
            elapsed_s: 0.0,
        }
    }

    /// The roofs at every thread count.
    pub(crate) fn roofs(&self) -> Vec<Roofs> {
        self.streams
            .iter()
            .zip(&self.computes)
            .map(|(s, c)| Roofs::new(s, &self.sweep, c, &self.machine.caches))
            .collect()
    }

    pub(crate) fn max_threads(&self) -> usize {
        self.options.max_threads()
    }

    /// Theoretical FMA peak (GFLOP/s) for `lanes` at `threads`, if the clock
    /// is known.
    /// Threads beyond the physical cores (SMT siblings) add no FMA pipes.
    pub(crate) fn theoretical(&self, lanes: usize, threads: usize) -> Option<f64> {
        let (ghz, _) = self.machine.clock_ghz?;
        let cores = threads.min(self.machine.physical_cores).max(1);
        Some(compute::theoretical(lanes, self.fma_pipes.0, ghz, cores))
    }

    /// The seed baseline `name` at `threads`.
    pub(crate) fn baseline(&self, name: &str, threads: usize) -> Option<&Baseline> {
        self.baselines
            .iter()
            .find(|b| b.name == name && b.threads == threads)
    }
}

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

fn spread(s: &Sample) -> String {
    format!("±{:.0}%", 50.0 * s.spread())
}

/// Writes report.md and report.json to `out`; returns their paths.
pub(crate) fn write(r: &Results, out: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out)?;
    let md = out.join("report.md");
    std::fs::write(&md, markdown(r))?;
    let js = out.join("report.json");
    let text = serde_json::to_string_pretty(&to_json(r)).map_err(std::io::Error::other)?;
    std::fs::write(&js, text)?;
    Ok(vec![md, js])
}

fn markdown(r: &Results) -> String {
    let mut s = String::new();
    let sections: [fn(&mut String, &Results) -> fmt::Result; 8] = [
        preamble,
        machine,
        memory_roofs,
        compute_roofs,
        kernels,
        seed_baselines,
        tile_sweep,
        scaling,
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

/// Section 2: the STREAM roofs.
fn memory_roofs(w: &mut String, r: &Results) -> fmt::Result {
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
    writeln!(w, "\n![bandwidth](bandwidth.svg)\n")?;
    Ok(())
}

/// Section 3: the compute roofs.
fn compute_roofs(w: &mut String, r: &Results) -> fmt::Result {
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

/// Section 4: every kernel placed on the roofs.
fn kernels(w: &mut String, r: &Results) -> fmt::Result {
    let m = &r.machine;
    let roofs = r.roofs();
    writeln!(w, "\n## 4. Kernels\n")?;
    writeln!(
        w,
        "Each built-in kernel alone (map: one kernel over all N points; {} and {} B per \
         element for f64 and f32) and inside `apply` (k = 250 instances, uniform u32 \
         indices; x + index + out = 20 B per element for f64, 12 B for f32). N = {}. FLOPs \
         are each kernel's own declaration (`Kernel::flops_per_element`); the rolling \
         mean counts the O(N) sliding sum's minimum of 3 (it does about 5: a subtraction, \
         prefix-sum adds and an FMA per output, one compensated addition per 32 outputs, \
         plus the anchors). The binding roof is the lower of the FMA \
         peak and intensity x the memory bandwidth: that of the level the data streams \
         from (L3 up to twice the last-level cache, DRAM beyond; streams somewhat longer \
         than that can still partly hit L3), or, when higher, that of a control loop with the same traffic over \
         the same arrays (a copy for a map, `out[i] = idx[i] * x[i]` for apply) timed \
         alternately with the kernel (binding roof \"stream control\"). On a shared \
         machine the bandwidth on offer moves during a run; the control keeps the roof \
         an upper bound for each measurement. Time is the median with its spread \
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
        "| kernel | type | mode | threads | FLOP/elem | B/elem | FLOP/B | ns/elem | GFLOP/s | GB/s | control GB/s | binding roof | % of roof |"
    )?;
    writeln!(w, "|---|---|---|---|---|---|---|---|---|---|---|---|---|")?;
    for p in &r.kernels {
        let pl = roofs::place(p, roofs::at(&roofs, p.threads), &m.caches);
        let flag = match (pl.above_roof, pl.within_spread) {
            (false, _) => "",
            (true, true) => " **ABOVE ROOF: measurement error, within the timing spread**",
            (true, false) => " **ABOVE ROOF: measurement error, beyond the timing spread**",
        };
        writeln!(
            w,
            "| {} | {} | {} | {} | {:.0} | {:.0} | {:.2} | {:.3} {} | {:.1} | {:.1} | {:.1} | {} | {:.0}%{flag} |",
            p.kernel,
            p.float,
            p.mode.label(),
            p.threads,
            p.flops_per_element,
            p.bytes_per_element,
            p.intensity(),
            p.ns_per_element(),
            spread(&p.sample),
            p.gflops(),
            p.gbps(),
            p.control_gbps(),
            pl.binding,
            100.0 * pl.fraction
        )?;
    }
    writeln!(w, "\n![roofline](roofline.svg)\n")?;
    Ok(())
}

/// Section 5: the seed workload against its baselines.
fn seed_baselines(w: &mut String, r: &Results) -> fmt::Result {
    writeln!(w, "## 5. The seed workload against its baselines\n")?;
    writeln!(
        w,
        "k = 250 closures f_j(x) = j * x, uniform u32 indices, N = {}, f64. Ratio = the \
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
fn tile_sweep(w: &mut String, r: &Results) -> fmt::Result {
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
    writeln!(
        w,
        "| tile length | W1 ns/elem | W2 ns/elem |\n|---|---|---|"
    )?;
    let mut lens: Vec<usize> = r.tiles.iter().map(|t| t.tile_len).collect();
    lens.sort_unstable();
    lens.dedup();
    for len in lens {
        let cell = |wl: &str| {
            r.tiles
                .iter()
                .find(|t| t.workload == wl && t.tile_len == len)
                .map_or("-".into(), |t| {
                    format!(
                        "{:.2} {}",
                        t.sample.median() * 1e9 / t.n as f64,
                        spread(&t.sample)
                    )
                })
        };
        writeln!(w, "| {len} | {} | {} |", cell("W1"), cell("W2"))?;
    }
    writeln!(w, "\n![tiles](tiles.svg)\n")?;
    Ok(())
}

/// Section 7: thread scaling of every workload.
fn scaling(w: &mut String, r: &Results) -> fmt::Result {
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
    writeln!(w, "\n![scaling](scaling.svg)")?;
    Ok(())
}

fn sample_json(s: &Sample) -> Value {
    json!({
        "median_s": s.median(),
        "min_s": s.min(),
        "max_s": s.max(),
        "reps": s.reps(),
    })
}

fn to_json(r: &Results) -> Value {
    let m = &r.machine;
    let roofs = r.roofs();
    json!({
        "quick": r.options.quick,
        "machine": {
            "cpu_model": m.cpu_model,
            "logical_cores": m.logical_cores,
            "physical_cores": m.physical_cores,
            "llc_total_bytes": m.llc_total,
            "cache_bytes": {
                "l1d": m.caches.l1d, "l2": m.caches.l2, "llc": m.caches.llc,
                "detected": m.caches.detected,
            },
            "clock_ghz": m.clock_ghz.map(|c| c.0),
            "clock_source": m.clock_ghz.map(|c| c.1),
            "rustc": m.rustc,
            "compiled_features": m.simd.compiled(),
            "cpu_features": m.simd.available(),
            "warning": m.warning(),
            "threads": m.threads,
            "date_utc": m.date_utc,
            "git_commit": m.git_commit,
            "elapsed_s": r.elapsed_s,
        },
        "conventions": {
            "gb": "1e9 bytes",
            "bytes": "explicit reads and writes; write-allocate not counted",
            "map_bytes_per_element": "2 * size_of::<T>()",
            "apply_bytes_per_element": "2 * size_of::<T>() + 4 (u32 index)",
            "fma_pipes_assumed": r.fma_pipes.0,
        },
        "stream": r.streams.iter().map(|s| json!({
            "threads": s.threads, "array_bytes": s.array_bytes,
            "copy_gbps": s.copy, "scale_gbps": s.scale, "add_gbps": s.add,
            "triad_gbps": s.triad, "dram_roof_gbps": s.best(),
        })).collect::<Vec<_>>(),
        "working_set_sweep": r.sweep.iter().map(|p| json!({
            "threads": p.threads, "bytes_per_thread": p.bytes_per_thread, "gbps": p.gbps,
        })).collect::<Vec<_>>(),
        "roofs": roofs.iter().map(|ro| json!({
            "threads": ro.threads, "dram_gbps": ro.dram, "l3_gbps": ro.l3,
            "l2_gbps": ro.l2, "l1_gbps": ro.l1,
            "f64_fma_gflops": ro.compute.f64_fma, "f64_mul_add_gflops": ro.compute.f64_mul_add,
            "f32_fma_gflops": ro.compute.f32_fma, "f32_mul_add_gflops": ro.compute.f32_mul_add,
            "f64_fma_256bit_and_wide_gflops": [ro.compute.f64_fma_widths.0, ro.compute.f64_fma_widths.1],
            "f32_fma_256bit_and_wide_gflops": [ro.compute.f32_fma_widths.0, ro.compute.f32_fma_widths.1],
            "f64_theoretical_gflops": r.theoretical(4, ro.threads),
            "f32_theoretical_gflops": r.theoretical(8, ro.threads),
        })).collect::<Vec<_>>(),
        "kernels": r.kernels.iter().map(|p| {
            let pl = roofs::place(p, roofs::at(&roofs, p.threads), &m.caches);
            json!({
                "kernel": p.kernel, "float": p.float,
                "mode": match p.mode { Mode::Map => "map", Mode::Apply => "apply" },
                "threads": p.threads, "n": p.n,
                "flops_per_element": p.flops_per_element,
                "bytes_per_element": p.bytes_per_element,
                "intensity_flop_per_byte": p.intensity(),
                "time": sample_json(&p.sample),
                "ns_per_element": p.ns_per_element(),
                "gflops": p.gflops(), "gbps": p.gbps(),
                "control_time": sample_json(&p.control),
                "control_gbps": p.control_gbps(),
                "binding_roof": pl.binding,
                "attainable_gflops": pl.attainable_gflops,
                "fraction_of_roof": pl.fraction,
                "above_roof": pl.above_roof,
                "above_roof_within_spread": pl.above_roof && pl.within_spread,
            })
        }).collect::<Vec<_>>(),
        "seed_baselines": r.baselines.iter().map(|b| json!({
            "name": b.name, "threads": b.threads, "n": b.n,
            "ns_per_element": b.ns_per_element(), "time": sample_json(&b.sample),
        })).collect::<Vec<_>>(),
        "numpy": match &r.numpy {
            Numpy::Measured { n, seed_ns, rolling } => json!({
                "measured": true, "n": n, "seed_ns_per_element": seed_ns,
                "rolling": rolling.iter().map(|(hw, ns, err)| json!({
                    "half_window": hw, "ns_per_element": ns, "max_rel_error": err,
                })).collect::<Vec<_>>(),
            }),
            Numpy::NotMeasured(why) => json!({ "measured": false, "reason": why }),
        },
        "tile_sweep": {
            "auto_tile_len": r.auto_tile_len,
            "points": r.tiles.iter().map(|t| json!({
                "workload": t.workload, "tile_len": t.tile_len, "threads": t.threads,
                "n": t.n, "ns_per_element": t.sample.median() * 1e9 / t.n as f64,
                "time": sample_json(&t.sample),
            })).collect::<Vec<_>>(),
        },
        "scaling": r.scaling.iter().map(|p| json!({
            "workload": p.workload, "what": p.what, "threads": p.threads, "n": p.n,
            "bytes_per_element": p.bytes_per_element,
            "gelem_per_s": p.gelem_per_s(), "time": sample_json(&p.sample),
        })).collect::<Vec<_>>(),
        "figures": FIGURES.iter().map(|(f, _)| *f).collect::<Vec<_>>(),
    })
}

/// The summary table on stdout: roofs, each f64 kernel at all threads, and
/// the seed baselines.
pub(crate) fn print_summary(r: &Results) {
    let roofs = r.roofs();
    let t = r.max_threads();
    let top = roofs::at(&roofs, t);
    println!(
        "splitapply roofline ({} threads){}",
        t,
        if r.options.quick { ", QUICK RUN" } else { "" }
    );
    if let Some(warning) = r.machine.warning() {
        println!("  WARNING: {warning}");
    }
    println!(
        "  DRAM {:.1} GB/s | f64 FMA peak {:.1} GFLOP/s | f32 FMA peak {:.1} GFLOP/s",
        top.dram, top.compute.f64_fma, top.compute.f32_fma
    );
    println!(
        "\n  {:<22} {:>8} {:>8} {:>9} {:>8}  {:<9} {:>6}",
        "kernel (f64)", "mode", "FLOP/B", "ns/elem", "GFLOP/s", "roof", "%roof"
    );
    for p in r
        .kernels
        .iter()
        .filter(|p| p.threads == t && p.float == "f64")
    {
        let pl = roofs::place(p, top, &r.machine.caches);
        println!(
            "  {:<22} {:>8} {:>8.2} {:>9.3} {:>8.1}  {:<9} {:>5.0}%{}",
            p.kernel,
            match p.mode {
                Mode::Map => "map",
                Mode::Apply => "apply",
            },
            p.intensity(),
            p.ns_per_element(),
            p.gflops(),
            pl.binding,
            100.0 * pl.fraction,
            if pl.above_roof { "  ABOVE ROOF" } else { "" }
        );
    }
    println!("\n  seed workload (k=250, N={}):", r.seed_n);
    for b in &r.baselines {
        println!(
            "  {:<30} {:>2} thr {:>9.2} ns/elem",
            b.name,
            b.threads,
            b.ns_per_element()
        );
    }
    match &r.numpy {
        Numpy::Measured { seed_ns, .. } => {
            println!(
                "  {:<30} {:>2} thr {:>9.2} ns/elem",
                "numpy original", 1, seed_ns
            )
        }
        Numpy::NotMeasured(why) => println!("  numpy original: not measured: {why}"),
    }
}
