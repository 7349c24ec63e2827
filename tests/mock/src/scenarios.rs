//! What the mock answers, chosen by the video id in `GET /v2/videos/{id}`.
//!
//! | id | answer |
//! |---|---|
//! | `vid_completed`, `vid_in_progress`, `vid_queued`, `vid_failed`, `vid_unknown_status`, `vid_cost_integer`, `vid_minimal` | 200 with that fixture |
//! | `status-<code>` | that status with `{"error":{"message":..}}` and `x-request-id: req-status-<code>` (408, 409, 429, 5xx also send `retry-after-ms: 1`) |
//! | `flaky-<n>-<code>-<tag>` | `<code>` (with `retry-after-ms: 1`) for the first n requests of this id, then `vid_completed` with this id |
//! | `retry-after-<secs>-<tag>` | 429 with `Retry-After: <secs>` the first time, then `vid_completed` with this id |
//! | `no-retry-503` | 503 with `x-should-retry: false` |
//! | `text-error-502` | 502 with an HTML body |
//! | `echo-key` | 401 whose message repeats the presented API key (a careless server) |
//! | `echo-key-raw` | 401, plain text: 190 bytes of words, then the key, so the 200-byte cut falls inside it |
//! | `echo-key-request-id` | 401 whose `x-request-id` is `req-` and the presented key |
//! | `echo-key-everywhere` | 200, a completed job repeating the presented key in its body, headers, request id and video URL query (the video is `drop-echo.mp4`) |
//! | `html-200`, `array-200`, `nul-in-id`, `wrong-type` | 200 with a body that is not a valid job |
//! | `huge` / `huge-chunked` | 200 with a 9 MiB body, with Content-Length / chunked |
//! | `truncated` | Content-Length 500 but 100 bytes, then close |
//! | `reset-headers` | half a status line and headers, then close |
//! | `bad-chunked` | a chunked body whose chunk size is not hex |
//! | `endless` | a chunked body that goes on (64 MiB at most) |
//! | `trickle-body` | headers at once, then `vid_completed` one byte every 200 ms |
//! | `deep-json` | 200 with arrays nested 100 000 deep |
//! | `bad-utf8` | 200 with invalid UTF-8 inside a string |
//! | `storm-429` | 429 with `Retry-After: 30`, every time |
//! | `reset` | close without answering |
//! | `close-after` | `vid_completed` with this id, then close (as a server ending an idle connection) |
//! | `stray-after` | `vid_completed` with this id, then bytes no request asked for, and the connection kept |
//! | `garbage` | a response that is not HTTP |
//! | `slow-<ms>` | `vid_completed` after ms milliseconds |
//! | `stall` | never answers (closes after 30 s) |
//! | `redirect-same`, `redirect-relative` | 302 / 307 to `vid_completed` on this origin |
//! | `redirect-loop` | 302 to itself |
//! | `redirect-cross` | 302 to the other origin's `auth-absent` |
//! | `redirect-scheme` | 302 to a `ftp://` URL |
//! | `redirect-to-http` | 302 to the other origin, which is plain http even when this one is TLS |
//! | `video-at-<file>` | a completed job whose `video_url` is `/files/<file>` (see `files.rs`) |
//! | `video-expiring-<tag>` | a completed job whose `video_url` is `/files/expiring-<tag>.mp4?token=<n>`, a new token on each GET |
//! | `job-<n>` | a job created by POST (see `jobs.rs`) |
//! | `auth-absent` | 200 `vid_completed` only when no Authorization header came, else 400 |
//! | anything else | 404 "Video <id> not found" |

use std::time::Duration;

use crate::http::Request;
use crate::Shared;

/// The fixtures, by id, as shipped in `tests/fixtures/videos/`.
pub const FIXTURES: &[(&str, &str)] = &[
    ("vid_completed", include_str!("../../fixtures/videos/vid_completed.json")),
    ("vid_in_progress", include_str!("../../fixtures/videos/vid_in_progress.json")),
    ("vid_queued", include_str!("../../fixtures/videos/vid_queued.json")),
    ("vid_failed", include_str!("../../fixtures/videos/vid_failed.json")),
    ("vid_unknown_status", include_str!("../../fixtures/videos/vid_unknown_status.json")),
    ("vid_cost_integer", include_str!("../../fixtures/videos/vid_cost_integer.json")),
    ("vid_minimal", include_str!("../../fixtures/videos/vid_minimal.json")),
];

/// The size of the `huge` bodies: over the client's 8 MiB cap.
pub const HUGE_BODY: u64 = 9 * 1024 * 1024;
/// `endless` stops after this much, should a client read on and on (64 MiB).
pub const ENDLESS_BODY: u64 = 64 * 1024 * 1024;

pub(crate) enum Action {
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    RawThenClose(Vec<u8>),
    /// Bytes as they are, keeping the connection for the next request.
    Raw(Vec<u8>),
    Close,
    Delay(Duration, Box<Action>),
    Stall(Duration),
    Stream {
        total: u64,
        chunked: bool,
    },
    /// A response whose body goes out `chunk` bytes at a time, `pause` apart.
    Trickle {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        chunk: usize,
        pause: Duration,
    },
}

/// A fixture's body, with `{{origin}}` filled in.
pub(crate) fn fixture(shared: &Shared, id: &str) -> Option<String> {
    FIXTURES.iter().find(|(name, _)| *name == id).map(|(_, body)| body.replace("{{origin}}", &shared.origin))
}

pub(crate) fn route(shared: &Shared, request: &Request, other_origin: bool) -> Action {
    let path = request.target.split('?').next().unwrap_or_default();
    if let Some(name) = path.strip_prefix("/files/") {
        return crate::files::serve(shared, request, name);
    }
    if path == "/v2/videos" && request.method == "POST" && !other_origin {
        return match authorized(shared, request) {
            Ok(()) => crate::jobs::create(shared, request),
            Err(refusal) => refusal,
        };
    }
    let Some(raw_id) = path.strip_prefix("/v2/videos/") else {
        return error(404, &format!("no route for {} {path}", request.method), "req-no-route");
    };
    let id = percent_decode(raw_id);
    let previous_hits = shared.hit(&id);
    if id == "auth-absent" {
        return match request.header("authorization") {
            None => job(shared, "vid_completed", &id),
            Some(_) => error(400, "Authorization was forwarded to another origin", "req-auth-absent"),
        };
    }
    if other_origin {
        return error(404, "the other origin serves only auth-absent", "req-other");
    }
    if request.method != "GET" {
        return error(405, "only GET is served here", "req-method");
    }
    let key = request.header("authorization").unwrap_or_default().trim_start_matches("Bearer ");
    match id.as_str() {
        "echo-key" => return error(401, &format!("Incorrect API key provided: {key}"), "req-echo-key"),
        "echo-key-raw" => {
            let words = "The key you gave is not valid here. ".repeat(6);
            let body = format!("{}: {key} (check your dashboard)", &words[..188]);
            return Action::Respond {
                status: 401,
                headers: vec![("content-type".into(), "text/plain".into())],
                body: body.into_bytes(),
            };
        }
        "echo-key-request-id" => return error(401, "Invalid API key provided", &format!("req-{key}")),
        "echo-key-everywhere" if !key.is_empty() => {
            // A completed job that repeats the key in its body, its headers, its request id
            // and its video URL's signed query; the video is `drop-` (served in two parts).
            let body = serde_json::json!({
                "id": "echo-key-everywhere", "object": "video", "model": format!("model-{key}"),
                "status": "completed", "created_at": 1761000000, "completed_at": 1761000100,
                "error": {"code": key, "message": format!("your key {key} is fine")},
                "outputs": {"cost": 0.28, "video_url": format!("{}/files/drop-echo.mp4?token={key}&exp=1", shared.origin)},
            });
            return Action::Respond {
                status: 200,
                headers: vec![
                    json_type(),
                    ("x-request-id".into(), format!("req-{key}")),
                    ("x-echo".into(), format!("Bearer {key}")),
                ],
                body: body.to_string().into_bytes(),
            };
        }
        _ => {}
    }
    match authorized(shared, request) {
        Ok(()) => answer(shared, &id, previous_hits),
        Err(refusal) => refusal,
    }
}

fn authorized(shared: &Shared, request: &Request) -> Result<(), Action> {
    match request.header("authorization") {
        Some(presented) if presented == format!("Bearer {}", shared.api_key) => Ok(()),
        _ => Err(error(401, "Invalid API key provided", "req-unauthorized")),
    }
}

fn answer(shared: &Shared, id: &str, previous_hits: u32) -> Action {
    if fixture(shared, id).is_some() {
        return job(shared, id, id);
    }
    if let Some(poll) = crate::jobs::poll(shared, id, previous_hits) {
        return poll;
    }
    if let Some(tag) = id.strip_prefix("video-expiring-") {
        // Each GET signs a new URL; the video host takes each signature once.
        let mut video: serde_json::Value = serde_json::from_str(&fixture(shared, "vid_completed").unwrap()).unwrap();
        video["id"] = id.into();
        video["outputs"]["video_url"] =
            format!("{}/files/expiring-{tag}.mp4?token={previous_hits}", shared.origin).into();
        return json_response(200, &video, &format!("req-{id}"));
    }
    if let Some(file) = id.strip_prefix("video-at-") {
        let mut video: serde_json::Value = serde_json::from_str(&fixture(shared, "vid_completed").unwrap()).unwrap();
        video["id"] = id.into();
        video["outputs"]["video_url"] = format!("{}/files/{file}", shared.origin).into();
        return json_response(200, &video, &format!("req-{id}"));
    }
    let parts: Vec<&str> = id.split('-').collect();
    match parts.as_slice() {
        ["status", code] => match code.parse::<u16>() {
            Ok(code) => error(code, &format!("mock {code} response"), &format!("req-status-{code}")),
            Err(_) => not_found(id),
        },
        ["flaky", n, code, ..] => match (n.parse::<u32>(), code.parse::<u16>()) {
            (Ok(n), Ok(code)) if previous_hits < n => {
                error(code, "flaky, try again", &format!("req-flaky-{previous_hits}"))
            }
            (Ok(_), Ok(_)) => job(shared, "vid_completed", id),
            _ => not_found(id),
        },
        ["retry", "after", seconds, ..] if previous_hits == 0 => Action::Respond {
            status: 429,
            headers: vec![("retry-after".into(), (*seconds).into()), json_type()],
            body: error_body("slow down"),
        },
        ["retry", "after", ..] => job(shared, "vid_completed", id),
        ["slow", ms] => match ms.parse::<u64>() {
            Ok(ms) => Action::Delay(Duration::from_millis(ms), Box::new(job(shared, "vid_completed", id))),
            Err(_) => not_found(id),
        },
        _ => special(shared, id),
    }
}

fn special(shared: &Shared, id: &str) -> Action {
    let redirect = |status: u16, location: String| Action::Respond {
        status,
        headers: vec![("location".into(), location), json_type()],
        body: b"{}".to_vec(),
    };
    match id {
        "no-retry-503" => {
            let Action::Respond { status, mut headers, body } = error(503, "do not retry", "req-no-retry") else {
                unreachable!("error() responds")
            };
            headers.push(("x-should-retry".into(), "false".into()));
            Action::Respond { status, headers, body }
        }
        "text-error-502" => Action::Respond {
            status: 502,
            headers: vec![("content-type".into(), "text/html".into()), ("retry-after-ms".into(), "1".into())],
            body: b"<html><body>502 Bad Gateway</body></html>".to_vec(),
        },
        "html-200" => Action::Respond {
            status: 200,
            headers: vec![("content-type".into(), "text/html".into())],
            body: b"<html><body>Sign in to continue</body></html>".to_vec(),
        },
        "array-200" => ok_json(b"[1,2,3]".to_vec()),
        "nul-in-id" => ok_json(br#"{"id":"a\u0000b","status":"queued"}"#.to_vec()),
        "wrong-type" => ok_json(br#"{"id":"wrong-type","status":"queued","created_at":"yesterday"}"#.to_vec()),
        "huge" => Action::Stream { total: HUGE_BODY, chunked: false },
        "huge-chunked" => Action::Stream { total: HUGE_BODY, chunked: true },
        "truncated" => {
            let mut bytes =
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n".to_vec();
            bytes.extend_from_slice(&[b' '; 100]);
            Action::RawThenClose(bytes)
        }
        "reset" => Action::Close,
        "close-after" => Action::RawThenClose(raw_job(shared, id)),
        "stray-after" => {
            let mut bytes = raw_job(shared, id);
            bytes.extend_from_slice(b"HTTP/1.1 500 Stray\r\ncontent-length: 0\r\n\r\n");
            Action::Raw(bytes)
        }
        "reset-headers" => Action::RawThenClose(b"HTTP/1.1 200 OK\r\ncontent-type: appl".to_vec()),
        "bad-chunked" => Action::RawThenClose(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n".to_vec(),
        ),
        "endless" => Action::Stream { total: ENDLESS_BODY, chunked: true },
        "trickle-body" => {
            let body = fixture(shared, "vid_completed").expect("fixture").into_bytes();
            Action::Trickle { status: 200, headers: vec![json_type()], body, chunk: 1, pause: Duration::from_millis(200) }
        }
        "deep-json" => ok_json(format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes()),
        "bad-utf8" => ok_json(b"{\"id\":\"v\xff\xfe\",\"status\":\"queued\"}".to_vec()),
        "storm-429" => {
            let Action::Respond { status, mut headers, body } = error(429, "slow down", "req-storm") else {
                unreachable!("error() responds")
            };
            headers.retain(|(name, _)| name != "retry-after-ms");
            headers.push(("retry-after".into(), "30".into()));
            Action::Respond { status, headers, body }
        }
        "garbage" => Action::RawThenClose(b"SSH-2.0-OpenSSH_9.0\r\n\r\n".to_vec()),
        "stall" => Action::Stall(Duration::from_secs(30)),
        "redirect-same" => redirect(302, "/v2/videos/vid_completed".into()),
        "redirect-relative" => redirect(307, "vid_completed".into()),
        "redirect-loop" => redirect(302, "/v2/videos/redirect-loop".into()),
        "redirect-cross" => redirect(302, format!("{}/v2/videos/auth-absent", shared.other_origin)),
        "redirect-scheme" => redirect(302, "ftp://127.0.0.1/v2/videos/vid_completed".into()),
        "redirect-to-http" => redirect(302, format!("{}/v2/videos/auth-absent", shared.other_origin)),
        _ => not_found(id),
    }
}

/// `vid_completed` with this id as a whole HTTP response, for the raw actions.
fn raw_job(shared: &Shared, id: &str) -> Vec<u8> {
    let Action::Respond { status, headers, body } = job(shared, "vid_completed", id) else {
        unreachable!("job() responds")
    };
    crate::http::message(status, &headers, &body)
}

/// A fixture served as the job `id` (so retried and redirected ids stay recognisable).
fn job(shared: &Shared, fixture_id: &str, id: &str) -> Action {
    let body = fixture(shared, fixture_id).expect("fixture exists");
    let body = if fixture_id == id {
        body
    } else {
        let mut value: serde_json::Value = serde_json::from_str(&body).expect("fixtures are JSON");
        value["id"] = id.into();
        value.to_string()
    };
    Action::Respond {
        status: 200,
        headers: vec![json_type(), ("x-request-id".into(), format!("req-{id}"))],
        body: body.into_bytes(),
    }
}

/// A JSON value as a response with a request id.
pub(crate) fn json_response(status: u16, body: &serde_json::Value, request_id: &str) -> Action {
    Action::Respond {
        status,
        headers: vec![json_type(), ("x-request-id".into(), request_id.to_owned())],
        body: body.to_string().into_bytes(),
    }
}

fn ok_json(body: Vec<u8>) -> Action {
    Action::Respond { status: 200, headers: vec![json_type()], body }
}

fn not_found(id: &str) -> Action {
    error(404, &format!("Video {id} not found"), "req-not-found")
}

fn json_type() -> (String, String) {
    ("content-type".into(), "application/json".into())
}

fn error_body(message: &str) -> Vec<u8> {
    let escaped = message.replace('\\', "\\\\").replace('"', "\\\"");
    format!(r#"{{"error":{{"message":"{escaped}","type":"invalid_request_error"}}}}"#).into_bytes()
}

/// An error status with Together's error body; retryable statuses ask for a 1 ms wait.
pub(crate) fn error(status: u16, message: &str, request_id: &str) -> Action {
    let mut headers = vec![json_type(), ("x-request-id".into(), request_id.to_owned())];
    if matches!(status, 408 | 409 | 429 | 500..=599) {
        headers.push(("retry-after-ms".into(), "1".into()));
    }
    Action::Respond { status, headers, body: error_body(message) }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
