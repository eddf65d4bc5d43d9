//! Arbitrary data and windows for the rolling mean against direct summation
//! (see `../harness.rs`).
#![no_main]

#[path = "../harness.rs"]
#[allow(dead_code)] // each target uses one of the harness's cases
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::rolling_case(data));
