//! Memory whose size comes from the caller's input is an error, never an
//! abort: each case runs in a child process (this test binary again) whose
//! address space `ulimit -v` caps at 2 GiB, and must return
//! `Error::AllocationFailed` with nothing written. Linux only (`/bin/sh`
//! and `ulimit`).
#![cfg(target_os = "linux")]

use std::process::Command;

use splitapply::kernels::Affine;
use splitapply::{Engine, Error, FuncTable, Plan, Strategy};

/// The environment variable that makes this binary run one case as the
/// capped child.
const CASE: &str = "SPLITAPPLY_ALLOCATION_CASE";

/// Address space of the child, in KiB (`ulimit -v`): enough for the test
/// binary and its threads, far below what each case asks for.
const CAP_KIB: u64 = 2 << 20;

/// Runs `case` in a child capped at [`CAP_KIB`] and returns its stdout.
fn run_capped(case: &str) -> String {
    let exe = std::env::current_exe().expect("the test binary");
    let script =
        format!("ulimit -v {CAP_KIB} && exec \"$0\" --exact {case} --nocapture --test-threads 1");
    let output = Command::new("/bin/sh")
        .arg("-c")
        .arg(script)
        .arg(&exe)
        .env(CASE, case)
        // Each worker has its own scratch and malloc arena: a fixed count
        // keeps the child's address space the same on any machine.
        .env("RAYON_NUM_THREADS", "2")
        .output()
        .expect("runs /bin/sh");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{case} failed in the capped child: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains(&format!("{case}: refused")),
        "{case}: the child did not run the case: {stdout}"
    );
    stdout
}

/// True in the capped child running `case`; in the parent, runs the child.
fn in_child(case: &str) -> bool {
    if std::env::var(CASE).as_deref() == Ok(case) {
        return true;
    }
    run_capped(case);
    false
}

fn assert_refused(case: &str, result: Result<(), Error>) {
    match result {
        Err(Error::AllocationFailed { what, bytes }) => {
            assert!(bytes >= 1 << 30, "{case}: a refusal of only {bytes} bytes");
            println!("{case}: refused ({what}, {bytes} bytes)");
        }
        other => panic!("{case}: expected AllocationFailed, got {other:?}"),
    }
}

/// A plan's per-worker counters for the largest `k` it numbers: 16 GiB.
#[test]
fn plan_with_huge_k() {
    if in_child("plan_with_huge_k") {
        let result = Plan::new(&[0u32, 7, 3], u32::MAX as usize).map(drop);
        assert_refused("plan_with_huge_k", result);
    }
}

/// Ten billion functions pushed at once (160 GB of kernels): the table is
/// left as it was.
#[test]
fn table_extended_by_too_many() {
    if in_child("table_extended_by_too_many") {
        let mut table = FuncTable::<f64>::new();
        table.push(Affine::new(1.0, 0.0));
        let many = std::iter::repeat_n(Affine::new(2.0, 0.0), 10_000_000_000);
        let result = table.try_extend(many).map(drop);
        assert_eq!(table.len(), 1, "a refused extension changed the table");
        assert_refused("table_extended_by_too_many", result);
    }
}

/// A tile length that makes a worker's scratch larger than memory:
/// 170 M points of f32 and u8 indices (1.5 GiB of arrays) fit in the cap;
/// one tile of all of them through the counting sort (17 functions) needs
/// values and slots per point, 1.4 GiB more, which does not. Refused
/// before anything is written.
#[test]
fn engine_with_a_huge_tile() {
    if in_child("engine_with_a_huge_tile") {
        const K: usize = 17;
        let mut table = FuncTable::<f32>::new();
        for j in 0..K {
            table.push_fn(move |x: f32| x + j as f32);
        }
        let n = 170_000_000usize;
        let idx: Vec<u8> = (0..n).map(|i| (i % K) as u8).collect();
        let x = vec![0.5f32; n];
        let mut out = vec![f32::NAN; n];
        let result = Engine::new()
            .tile_len(n)
            .strategy(Strategy::Bucket)
            .apply_into(&table, &idx, &x, &mut out);
        assert!(
            out.iter().all(|v| v.is_nan()),
            "a refused call wrote to out"
        );
        assert_refused("engine_with_a_huge_tile", result);
        // The default tile length needs little scratch: the same call works.
        let ok = Engine::new()
            .strategy(Strategy::Bucket)
            .apply_into(&table, &idx, &x, &mut out);
        assert!(ok.is_ok(), "{ok:?}");
        assert_eq!(out[..3], [0.5, 1.5, 2.5]);
        println!("engine_with_a_huge_tile: refused, then applied with the default tile");
    }
}
