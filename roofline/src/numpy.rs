//! The numpy originals of the seed workload and the rolling mean, timed by
//! `benches/numpy_baseline.py` in a python3 child process; the report says
//! why when they cannot run (no python3, no numpy).

use std::process::Command;

use crate::paths::workspace_root;

/// The numpy originals, timed by benches/numpy_baseline.py.
#[derive(Debug, Clone)]
pub(crate) enum Numpy {
    Measured {
        n: usize,
        seed_ns: f64,
        /// (half-width, ns/element, relative error) of the cumsum idiom.
        rolling: Vec<(usize, f64, f64)>,
    },
    NotMeasured(String),
}

/// Runs the numpy script with `--json`; says why when it cannot.
pub(crate) fn numpy(n: usize, repeats: usize) -> Numpy {
    let script = workspace_root().join("benches/numpy_baseline.py");
    let out = Command::new("python3")
        .arg(&script)
        .args([
            "--json",
            "--n",
            &n.to_string(),
            "--rolling-n",
            &n.to_string(),
        ])
        .args(["--repeats", &repeats.to_string()])
        .output();
    let out = match out {
        Ok(o) if o.status.success() => o,
        Ok(o) => {
            return Numpy::NotMeasured(format!(
                "numpy_baseline.py failed: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            ));
        }
        Err(e) => return Numpy::NotMeasured(format!("python3 not available ({e})")),
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let parsed: serde_json::Value = match serde_json::from_str(text.trim()) {
        Ok(v) => v,
        Err(e) => return Numpy::NotMeasured(format!("unreadable numpy_baseline.py output ({e})")),
    };
    if let Some(reason) = parsed["not_measured"].as_str() {
        return Numpy::NotMeasured(reason.to_string());
    }
    let rolling = parsed["rolling"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .filter_map(|r| {
                    Some((
                        r["half_window"].as_u64()? as usize,
                        r["ns_per_element"].as_f64()?,
                        r["max_rel_error"].as_f64()?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    match parsed["seed_ns_per_element"].as_f64() {
        Some(seed_ns) => Numpy::Measured {
            n,
            seed_ns,
            rolling,
        },
        None => Numpy::NotMeasured("numpy_baseline.py gave no seed time".into()),
    }
}
