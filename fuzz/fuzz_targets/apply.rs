//! Arbitrary tables, index types, values and engine settings against the
//! naive reference (see `../harness.rs`).
#![no_main]

#[path = "../harness.rs"]
#[allow(dead_code)] // each target uses one of the harness's cases
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::apply_case(data));
