//! Any bytes as a response body: decoding never panics, and fails only as a Decode error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    together_video_fuzz_checks::decode(body);
});

#[path = "../checks.rs"]
mod together_video_fuzz_checks;
