//! `GET /files/{name}`: the videos that jobs point to, with `Range` support.
//!
//! | name | answer |
//! |---|---|
//! | `*.mp4` / `*.webm` | a generated MP4 (`ftyp`) / WebM (EBML) of [`VIDEO_SIZE`] bytes, `video/*`, `ETag`, ranges |
//! | `big-*.mp4` | the same, 8 MiB |
//! | `drop-*.mp4` | the first request sends half the body and closes; later ones (resumes) are served |
//! | `norange-drop-*.mp4` | like `drop-`, but ranges are ignored (200 every time) |
//! | `slow-*.mp4` | trickles 16 KiB every 50 ms |
//! | `changed-*.mp4` | like `drop-`, but later requests get another file (`ETag: "v2"`, [`changed_video_bytes`]) and ranges of it, whatever `If-Range` says |
//! | `resized-*.mp4` | like `drop-`, but later requests get a file 1000 bytes longer under the same `ETag` |
//! | `weak-*.mp4` | like `drop-`, with a weak `ETag` (`W/"v1"`) and no `Last-Modified` |
//! | `lastmod-*.mp4` | like `drop-`, with `Last-Modified` and no `ETag` |
//! | `lastmod-changed-*.mp4` | like `changed-`, with `Last-Modified` (a later date for the other file) and no `ETag` |
//! | `unasked-206-*.mp4` | a request without `Range` gets 206 with the first half only; ranges are served |
//! | `overlong-*.mp4` | like `drop-`, but the resumed 206 carries 100 bytes more than its `Content-Range` |
//! | `gone-416-*.mp4` | like `drop-`, but the first resume gets 416; later requests are served |
//! | `star-206-*.mp4` | a request without `Range` gets 206 `bytes 0-99/*`: a part of unknown total |
//! | `star-resume-*.mp4` | like `drop-`, but the resume gets 206 `bytes N-(2 x size)/*`, twice the file |
//! | `page.html` | 200 `text/html` |
//! | `error.json` | 200 `application/json` |
//! | `notvideo.bin` | 200 `application/octet-stream` that is not a video |
//! | `missing.mp4` | 404 |
//! | `expiring-*.mp4` | like `drop-`, but each `?token=` works once: used again it gets 410 (a signed URL that expired) |
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

/// What `changed-*` files become after their first request: the same size, other bytes.
pub fn changed_video_bytes(name: &str) -> Vec<u8> {
    let mut bytes = video_bytes(name);
    for byte in &mut bytes[64..] {
        *byte = byte.wrapping_add(1);
    }
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
    if name.starts_with("expiring-") {
        let token = request.target.split_once("?token=").map_or("", |(_, token)| token);
        if shared.hit(&format!("token:{name}:{token}")) > 0 {
            return error(410, "this link has expired", "req-files-expired");
        }
    }
    let again = hits > 0;
    let (bytes, etag) = if (name.starts_with("changed-") || name.starts_with("lastmod-changed-")) && again {
        (changed_video_bytes(name), "\"v2\"")
    } else if name.starts_with("resized-") && again {
        let mut bytes = video_bytes(name);
        bytes.extend(std::iter::repeat_n(7u8, 1000));
        (bytes, "\"v1\"")
    } else if name.starts_with("weak-") {
        (video_bytes(name), "W/\"v1\"")
    } else {
        (video_bytes(name), "\"v1\"")
    };
    let kind = if name.ends_with(".webm") { "video/webm" } else { "video/mp4" };
    let ranges = !name.starts_with("norange-");
    let start = request
        .header("range")
        .filter(|_| ranges)
        .and_then(|range| range.strip_prefix("bytes="))
        .and_then(|range| range.strip_suffix('-'))
        .and_then(|start| start.parse::<usize>().ok())
        .filter(|start| *start < bytes.len());
    let validator = if name.starts_with("lastmod-") {
        let date = if etag == "\"v2\"" { "Tue, 01 Dec 2026 08:00:00 GMT" } else { "Mon, 30 Nov 2026 08:00:00 GMT" };
        ("last-modified".to_owned(), date.to_owned())
    } else {
        ("etag".to_owned(), etag.to_owned())
    };
    let mut headers = vec![("content-type".into(), kind.into()), validator];
    if ranges {
        headers.push(("accept-ranges".into(), "bytes".into()));
    }
    let total = bytes.len();
    if name.starts_with("gone-416-") && hits == 1 {
        let headers = vec![("content-range".into(), format!("bytes */{total}"))];
        return Action::Respond { status: 416, headers, body: Vec::new() };
    }
    let (status, body) = match start {
        Some(start) if name.starts_with("star-resume-") => {
            let mut body = bytes[start..].to_vec();
            body.extend_from_slice(&bytes);
            headers.push(("content-range".into(), format!("bytes {start}-{}/*", start + body.len() - 1)));
            (206, body)
        }
        Some(start) => {
            headers.push(("content-range".into(), format!("bytes {start}-{}/{total}", total - 1)));
            let mut body = bytes[start..].to_vec();
            if name.starts_with("overlong-") {
                body.extend_from_slice(&[0u8; 100]);
            }
            (206, body)
        }
        None if name.starts_with("star-206-") => {
            headers.push(("content-range".into(), "bytes 0-99/*".into()));
            (206, bytes[..100].to_vec())
        }
        None if name.starts_with("unasked-206-") => {
            let half = total / 2;
            headers.push(("content-range".into(), format!("bytes 0-{}/{total}", half - 1)));
            (206, bytes[..half].to_vec())
        }
        None => (200, bytes),
    };
    let dropping = [
        "drop-",
        "norange-drop-",
        "changed-",
        "resized-",
        "weak-",
        "lastmod-",
        "overlong-",
        "gone-416-",
        "star-resume-",
        "expiring-",
    ]
    .iter()
    .any(|prefix| name.starts_with(prefix));
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
