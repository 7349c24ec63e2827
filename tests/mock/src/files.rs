//! `GET /files/{name}`: the videos that jobs point to, with `Range` support.
//!
//! | name | answer |
//! |---|---|
//! | `*.mp4` / `*.webm` | a generated MP4 (`ftyp`) / WebM (EBML) of [`VIDEO_SIZE`] bytes, `video/*`, `ETag`, ranges |
//! | `big-*.mp4` | the same, 8 MiB |
//! | `drop-*.mp4` | the first request sends half the body and closes; later ones (resumes) are served |
//! | `norange-drop-*.mp4` | like `drop-`, but ranges are ignored (200 every time) |
//! | `slow-*.mp4` | trickles 16 KiB every 50 ms |
//! | `page.html` | 200 `text/html` |
//! | `error.json` | 200 `application/json` |
//! | `notvideo.bin` | 200 `application/octet-stream` that is not a video |
//! | `missing.mp4` | 404 |
//!
//! A request that carries `Authorization` gets 400: the API key must never reach the video host.

use std::time::Duration;

use crate::http::Request;
use crate::scenarios::{error, Action};
use crate::Shared;

/// The size of a generated video.
pub const VIDEO_SIZE: usize = 256 * 1024;
const BIG_VIDEO_SIZE: usize = 8 * 1024 * 1024;

/// The bytes the mock serves for a video file `name` (`.webm` gives WebM, else MP4).
pub fn video_bytes(name: &str) -> Vec<u8> {
    let size = if name.starts_with("big-") { BIG_VIDEO_SIZE } else { VIDEO_SIZE };
    let mut bytes: Vec<u8> = (0..size).map(|i| ((i * 31 + 7) % 251) as u8).collect();
    let magic: &[u8] = if name.ends_with(".webm") {
        &[0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0xF7, 0x81]
    } else {
        b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2"
    };
    bytes[..magic.len()].copy_from_slice(magic);
    bytes
}

pub(crate) fn serve(shared: &Shared, request: &Request, name: &str) -> Action {
    let hits = shared.hit(&format!("/files/{name}"));
    if request.header("authorization").is_some() {
        return error(400, "the API key was sent to the video host", "req-files-auth");
    }
    let page = |kind: &str, body: &[u8]| Action::Respond {
        status: 200,
        headers: vec![("content-type".into(), kind.into())],
        body: body.to_vec(),
    };
    match name {
        "page.html" => {
            return page("text/html; charset=utf-8", b"<!DOCTYPE html><html><body>Access denied</body></html>")
        }
        "error.json" => return page("application/json", br#"{"error":{"message":"expired link"}}"#),
        "notvideo.bin" => {
            return page("application/octet-stream", b"<!DOCTYPE html><html><body>not a video</body></html>")
        }
        "missing.mp4" => return error(404, "no such file", "req-files-missing"),
        _ if !(name.ends_with(".mp4") || name.ends_with(".webm")) => {
            return error(404, "no such file", "req-files-404")
        }
        _ => {}
    }
    let bytes = video_bytes(name);
    let kind = if name.ends_with(".webm") { "video/webm" } else { "video/mp4" };
    let ranges = !name.starts_with("norange-");
    let start = request
        .header("range")
        .filter(|_| ranges)
        .and_then(|range| range.strip_prefix("bytes="))
        .and_then(|range| range.strip_suffix('-'))
        .and_then(|start| start.parse::<usize>().ok())
        .filter(|start| *start < bytes.len());
    let mut headers = vec![("content-type".into(), kind.into()), ("etag".into(), "\"v1\"".into())];
    if ranges {
        headers.push(("accept-ranges".into(), "bytes".into()));
    }
    let (status, body) = match start {
        Some(start) => {
            headers.push(("content-range".into(), format!("bytes {start}-{}/{}", bytes.len() - 1, bytes.len())));
            (206, bytes[start..].to_vec())
        }
        None => (200, bytes),
    };
    let dropping = name.starts_with("drop-") || name.starts_with("norange-drop-");
    if dropping && hits == 0 {
        let mut raw = format!("HTTP/1.1 200 OK\r\ncontent-type: {kind}\r\ncontent-length: {}\r\n", body.len());
        for (name, value) in &headers[1..] {
            raw.push_str(&format!("{name}: {value}\r\n"));
        }
        raw.push_str("\r\n");
        let mut raw = raw.into_bytes();
        raw.extend_from_slice(&body[..body.len() / 2]);
        return Action::RawThenClose(raw);
    }
    if name.starts_with("slow-") {
        return Action::Trickle { status, headers, body, chunk: 16 * 1024, pause: Duration::from_millis(50) };
    }
    Action::Respond { status, headers, body }
}
