//! Fuzz target: the `crowdtangle` reader on arbitrary bytes must not panic and must keep its counts.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| common::read(lockstep_ingest::Format::CrowdTangle, data));
