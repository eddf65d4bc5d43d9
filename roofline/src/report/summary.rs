//! The summary on stdout: the roofs, each f64 kernel at all threads, the
//! seed baselines, and where the files went.

use splitapply_workloads::K;

use std::path::{Path, PathBuf};

use crate::numpy::Numpy;
use crate::results::Results;
use crate::roofs;

/// The summary table: roofs, each f64 kernel at all threads, and the seed
/// baselines. The binding roof comes last, its label being the longest.
pub(crate) fn print(r: &Results) {
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
        "\n  {:<22} {:>8} {:>8} {:>9} {:>8} {:>6}  binding roof",
        "kernel (f64)", "mode", "FLOP/B", "ns/elem", "GFLOP/s", "%roof"
    );
    for p in r
        .kernels
        .iter()
        .filter(|p| p.threads == t && p.float == "f64")
    {
        let pl = roofs::place(p, top, &r.machine.caches);
        println!(
            "  {:<22} {:>8} {:>8.2} {:>9.3} {:>8.1} {:>5.0}%  {}{}",
            p.kernel,
            p.mode.name(),
            p.intensity(),
            p.ns_per_element(),
            p.gflops(),
            100.0 * pl.fraction,
            pl.binding.label(),
            if pl.above_roof { "  ABOVE ROOF" } else { "" }
        );
    }
    println!("\n  seed workload (k={K}, N={}):", r.seed_n);
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

/// Where the files went, and how long the run measured.
pub(crate) fn print_written(dir: &Path, files: &[PathBuf], elapsed_s: f64) {
    println!("\nwrote {} files to {}:", files.len(), dir.display());
    for f in files {
        println!("  {}", f.display());
    }
    println!("measured in {elapsed_s:.0} s");
}
