#![allow(dead_code)] // each fuzz target uses one of the checks
//! The properties the fuzz targets check, shared with the corpus replay in
//! `tests/fuzz_corpus.rs` (which runs on stable Rust in `make test`).

use together_video::fuzzing::{encode_id, resolve_location, Origin};
use together_video::{ErrorKind, Video};

pub fn decode(body: &[u8]) {
    match Video::from_json(body.to_vec()) {
        Ok(video) => {
            assert!(!video.id.contains('\0') && !video.status_raw.contains('\0'));
            assert_eq!(video.json.as_bytes(), body, "json is the body as received");
        }
        Err(error) => assert_eq!(error.kind(), ErrorKind::Decode, "{error}"),
    }
}

pub fn url(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(segment) = encode_id(text) {
        assert!(!segment.is_empty() && segment != "." && segment != "..");
        assert!(
            segment.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)),
            "unsafe byte in {segment:?}"
        );
    }
    let (current, location) = text.split_once('\n').unwrap_or(("https://api.together.xyz/v2/videos/x", text));
    if let Some(target) = resolve_location(current, location) {
        assert!(Origin::of(&target).is_some(), "{target:?} is not http(s)");
    }
}
