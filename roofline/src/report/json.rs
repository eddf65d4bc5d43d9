//! report.json: every measurement of the run with its derived figures
//! (roofs, binding roof, fractions), for scripts; the same numbers as
//! report.md, unrounded.

use serde_json::{Value, json};

use crate::numpy::Numpy;
use crate::plots::FIGURES;
use crate::results::Results;
use crate::roofs;
use crate::timing::Sample;

fn sample_json(s: &Sample) -> Value {
    json!({
        "median_s": s.median(),
        "min_s": s.min(),
        "max_s": s.max(),
        "reps": s.reps(),
    })
}

pub(super) fn to_json(r: &Results) -> Value {
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
                "mode": p.mode.name(),
                "route": p.route,
                "threads": p.threads, "n": p.n,
                "flops_per_element": p.flops_per_element,
                "bytes_per_element": p.bytes_per_element,
                "intensity_flop_per_byte": p.intensity(),
                "time": sample_json(&p.sample),
                "ns_per_element": p.ns_per_element(),
                "gflops": p.gflops(), "gbps": p.gbps(),
                "control_time": sample_json(&p.control),
                "control_gbps": p.control_gbps(),
                "binding_roof": pl.binding.label(),
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
        "figures": FIGURES.iter().map(|f| f.file).collect::<Vec<_>>(),
    })
}
