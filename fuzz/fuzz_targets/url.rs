//! Any text as a video id and as a redirect's Location: never panics, an accepted id
//! becomes one safe path segment, a resolved location is an http(s) URL.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    together_video_fuzz_checks::url(data);
});

#[path = "../checks.rs"]
mod together_video_fuzz_checks;
