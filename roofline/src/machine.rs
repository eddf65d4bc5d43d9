//! The machine block: what the numbers were measured on.

use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use splitapply::{CacheSizes, SimdInfo};

/// Facts about the machine, the build and the run.
pub(crate) struct Machine {
    pub cpu_model: String,
    pub logical_cores: usize,
    /// Distinct (package, core) pairs in sysfs; `logical_cores` where the
    /// OS does not say.
    pub physical_cores: usize,
    pub caches: CacheSizes,
    /// All last-level caches together (one per core complex or socket):
    /// what a "4x the last-level cache" array must exceed.
    pub llc_total: usize,
    /// Nominal or current clock in GHz and where it came from; the
    /// theoretical peak needs it.
    pub clock_ghz: Option<(f64, &'static str)>,
    pub rustc: String,
    pub simd: SimdInfo,
    pub threads: Vec<usize>,
    pub date_utc: String,
    pub git_commit: String,
}

impl Machine {
    pub(crate) fn detect(threads: &[usize]) -> Machine {
        Machine {
            cpu_model: cpuinfo_field("model name").unwrap_or_else(|| "unknown".into()),
            logical_cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            physical_cores: physical_cores()
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
            caches: splitapply::cache_sizes(),
            llc_total: llc_total().unwrap_or(splitapply::cache_sizes().llc),
            clock_ghz: clock_ghz(),
            rustc: command_line("rustc", &["--version"]).unwrap_or_else(|| "unknown".into()),
            simd: splitapply::simd_info(),
            threads: threads.to_vec(),
            date_utc: utc_now(),
            git_commit: git_commit(),
        }
    }

    /// The loud warning when the build does not use what the CPU offers.
    pub(crate) fn warning(&self) -> Option<String> {
        self.simd.warning()
    }
}

/// Reads a sysfs file of CPU `cpu` (relative to its folder), trimmed.
fn cpu_file(cpu: usize, file: &str) -> Option<String> {
    let path = format!("/sys/devices/system/cpu/cpu{cpu}/{file}");
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
}

/// CPUs sysfs knows of, by number.
fn cpus() -> Vec<usize> {
    let Ok(entries) = std::fs::read_dir("/sys/devices/system/cpu") else {
        return Vec::new();
    };
    let mut cpus: Vec<usize> = entries
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .to_str()?
                .strip_prefix("cpu")?
                .parse()
                .ok()
        })
        .collect();
    cpus.sort_unstable();
    cpus
}

fn physical_cores() -> Option<usize> {
    let mut cores: Vec<(String, String)> = cpus()
        .into_iter()
        .filter_map(|c| {
            Some((
                cpu_file(c, "topology/physical_package_id")?,
                cpu_file(c, "topology/core_id")?,
            ))
        })
        .collect();
    cores.sort();
    cores.dedup();
    (!cores.is_empty()).then_some(cores.len())
}

/// Sum of the distinct highest-level caches (each counted once, by the set
/// of CPUs sharing it).
fn llc_total() -> Option<usize> {
    let mut seen: Vec<(u32, String, usize)> = Vec::new();
    for cpu in cpus() {
        for index in 0..8 {
            let file = |f: &str| cpu_file(cpu, &format!("cache/index{index}/{f}"));
            let Some(level) = file("level").and_then(|l| l.parse::<u32>().ok()) else {
                break;
            };
            if file("type").as_deref() == Some("Instruction") {
                continue;
            }
            let size = file("size").and_then(|s| {
                let kib = s.strip_suffix('K')?.parse::<usize>().ok()?;
                Some(kib << 10)
            });
            if let (Some(size), Some(shared)) = (size, file("shared_cpu_list")) {
                seen.push((level, shared, size));
            }
        }
    }
    let top = seen.iter().map(|c| c.0).max()?;
    let mut llcs: Vec<(String, usize)> = seen
        .into_iter()
        .filter(|c| c.0 == top)
        .map(|c| (c.1, c.2))
        .collect();
    llcs.sort();
    llcs.dedup();
    Some(llcs.iter().map(|c| c.1).sum())
}

fn cpuinfo_field(name: &str) -> Option<String> {
    let text = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    text.lines()
        .find(|l| l.split(':').next().is_some_and(|k| k.trim() == name))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
}

/// The maximum frequency cpufreq reports, else the "cpu MHz" of
/// /proc/cpuinfo (often the nominal clock under a hypervisor).
fn clock_ghz() -> Option<(f64, &'static str)> {
    let max_khz = std::fs::read_to_string("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok());
    if let Some(khz) = max_khz {
        return Some((khz / 1e6, "cpufreq cpuinfo_max_freq"));
    }
    let mhz: f64 = cpuinfo_field("cpu MHz")?.parse().ok()?;
    Some((mhz / 1e3, "/proc/cpuinfo \"cpu MHz\""))
}

fn command_line(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Short commit hash, marked "-dirty" when the tree has uncommitted changes.
fn git_commit() -> String {
    let dir = env!("CARGO_MANIFEST_DIR");
    let Some(hash) = command_line("git", &["-C", dir, "rev-parse", "--short", "HEAD"]) else {
        return "unknown (not a git checkout)".into();
    };
    let dirty = command_line(
        "git",
        &["-C", dir, "status", "--porcelain", "--untracked-files=no"],
    )
    .is_some_and(|s| !s.is_empty());
    if dirty { format!("{hash}-dirty") } else { hash }
}

/// The current UTC time as `YYYY-MM-DD HH:MM:SS UTC`.
fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = date_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Proleptic Gregorian date of a day count since 1970-01-01, by shifting
/// to years that start in March (so the leap day ends a year) and counting
/// 400-year eras of 146,097 days.
fn date_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468; // days since 0000-03-01
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}
