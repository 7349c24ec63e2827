//! The Rust core against the mock of Together's API on loopback.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use together_video::{Client, ClientConfig, ErrorKind, ProxySetting, TrustRoots, Video, VideoStatus, USER_AGENT};
use tv_mock::{MockServer, DEFAULT_API_KEY, FIXTURES};

fn config(server: &MockServer) -> ClientConfig {
    ClientConfig {
        api_key: Some(DEFAULT_API_KEY.into()),
        base_url: Some(server.base_url()),
        timeout: Duration::from_secs(10),
        proxy: ProxySetting::Direct,
        ..ClientConfig::default()
    }
}

fn client(server: &MockServer) -> Client {
    Client::new(&config(server)).unwrap()
}

fn expected() -> Value {
    serde_json::from_str(include_str!("fixtures/expected.json")).unwrap()
}

/// Checks a decoded video against `tests/fixtures/expected.json`.
fn assert_matches_expected(video: &Video, id: &str, origin: &str) {
    let want = &expected()[id];
    let text = |name: &str| want[name].as_str().map(|s| s.replace("{{origin}}", origin));
    let status = match video.status {
        VideoStatus::Unknown => "unknown",
        VideoStatus::Queued => "queued",
        VideoStatus::InProgress => "in_progress",
        VideoStatus::Completed => "completed",
        VideoStatus::Failed => "failed",
        VideoStatus::Cancelled => "cancelled",
    };
    assert_eq!(video.id, id);
    assert_eq!(video.object, text("object"), "{id} object");
    assert_eq!(video.model, text("model"), "{id} model");
    assert_eq!(status, want["status"].as_str().unwrap(), "{id} status");
    assert_eq!(video.status_raw, want["status_raw"].as_str().unwrap(), "{id} status_raw");
    assert_eq!(video.created_at.unwrap_or(0.0), want["created_at"].as_f64().unwrap(), "{id} created_at");
    assert_eq!(video.completed_at, want["completed_at"].as_f64(), "{id} completed_at");
    assert_eq!(video.size, text("size"), "{id} size");
    assert_eq!(video.seconds, text("seconds"), "{id} seconds");
    let error = video.error.as_ref();
    assert_eq!(error.and_then(|e| e.code.clone()), text("error_code"), "{id} error_code");
    assert_eq!(error.and_then(|e| e.message.clone()), text("error_message"), "{id} error_message");
    assert_eq!(video.outputs.is_some(), want["has_outputs"].as_bool().unwrap(), "{id} has_outputs");
    let outputs = video.outputs.as_ref();
    assert_eq!(outputs.and_then(|o| o.cost).unwrap_or(0.0), want["cost"].as_f64().unwrap(), "{id} cost");
    assert_eq!(outputs.and_then(|o| o.video_url.clone()), text("video_url"), "{id} video_url");
}

#[test]
fn every_fixture_decodes_as_expected() {
    let server = MockServer::start();
    let client = client(&server);
    for (id, body) in FIXTURES {
        let video = client.get_video(id).unwrap();
        assert_matches_expected(&video, id, server.origin());
        assert_eq!(video.json, body.replace("{{origin}}", server.origin()), "json is the body as received");
    }
}

#[test]
fn every_status_maps_to_its_kind_with_message_and_request_id() {
    let server = MockServer::start();
    let client = Client::new(&ClientConfig { max_retries: 0, ..config(&server) }).unwrap();
    let cases = [
        (400, ErrorKind::BadRequest),
        (401, ErrorKind::Authentication),
        (403, ErrorKind::PermissionDenied),
        (404, ErrorKind::NotFound),
        (409, ErrorKind::Conflict),
        (418, ErrorKind::Http),
        (422, ErrorKind::Unprocessable),
        (429, ErrorKind::RateLimited),
        (500, ErrorKind::Server),
        (503, ErrorKind::Server),
    ];
    for (status, kind) in cases {
        let error = client.get_video(&format!("status-{status}")).unwrap_err();
        assert_eq!(error.kind(), kind, "{status}");
        assert_eq!(error.http_status(), Some(status));
        assert_eq!(error.request_id(), Some(format!("req-status-{status}").as_str()));
        assert!(error.message().contains(&format!("HTTP {status}")), "{error}");
        assert!(error.message().contains(&format!("mock {status} response")), "{error}");
    }
}

#[test]
fn unknown_id_is_not_found_with_the_servers_message() {
    let server = MockServer::start();
    let error = client(&server).get_video("vid_missing").unwrap_err();
    assert_eq!((error.kind(), error.http_status()), (ErrorKind::NotFound, Some(404)));
    assert_eq!(error.message(), "not found (HTTP 404): Video vid_missing not found");
    assert_eq!(server.hits("vid_missing"), 1, "404 is not retried");
}

#[test]
fn a_non_json_error_body_is_quoted() {
    let server = MockServer::start();
    let error = client(&server).get_video("text-error-502").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Server);
    assert!(error.message().ends_with("<html><body>502 Bad Gateway</body></html>"), "{error}");
}

#[test]
fn a_wrong_key_is_an_authentication_error() {
    let server = MockServer::start();
    let client = Client::new(&ClientConfig { api_key: Some("wrong-key".into()), ..config(&server) }).unwrap();
    let error = client.get_video("vid_completed").unwrap_err();
    assert_eq!((error.kind(), error.http_status()), (ErrorKind::Authentication, Some(401)));
}

#[test]
fn the_api_key_never_appears_in_messages_or_debug_output() {
    let server = MockServer::start();
    let secret = "sk-very-secret-key-123";
    let config = ClientConfig { api_key: Some(secret.into()), ..config(&server) };
    let client = Client::new(&config).unwrap();
    let error = client.get_video("echo-key").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Authentication);
    assert!(!error.message().contains(secret), "{error}");
    assert!(error.message().contains("<redacted>"), "{error}");
    for text in [format!("{error:?}"), format!("{client:?}"), format!("{config:?}")] {
        assert!(!text.contains(secret), "{text}");
    }
    let proxy = ProxySetting::Url("http://user:hunter2@proxy:3128".into());
    assert!(!format!("{proxy:?}").contains("hunter2"));
}

#[test]
fn an_echoed_key_is_redacted_wherever_a_message_is_cut_or_a_request_id_carries_it() {
    let server = MockServer::start();
    let secret = "tgp_v1_0123456789abcdefghijklmnopqrstuvwxyz";
    let client = Client::new(&ClientConfig { api_key: Some(secret.into()), ..config(&server) }).unwrap();
    for id in ["echo-key", "echo-key-raw", "echo-key-request-id"] {
        let error = client.get_video(id).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Authentication, "{id}");
        let shown = format!("{} {:?} {error:?}", error.message(), error.request_id());
        // Not the key, nor any piece of it as long as its recognisable prefix.
        for window in secret.as_bytes().windows(8) {
            let piece = std::str::from_utf8(window).unwrap();
            assert!(!shown.contains(piece), "{id}: {piece:?} of the key in {shown}");
        }
    }
    assert_eq!(client.get_video("echo-key-request-id").unwrap_err().request_id(), Some("req-<redacted>"));

    // A key so short that it stands inside ordinary words: only the key itself goes.
    let client = Client::new(&ClientConfig { api_key: Some("k".into()), ..config(&server) }).unwrap();
    let error = client.get_video("echo-key").unwrap_err();
    assert!(error.message().ends_with("Incorrect API key provided: <redacted>"), "{error}");
}

#[test]
fn a_scheme_less_proxy_url_hides_its_password() {
    let proxy = ProxySetting::Url("user:hunter2@proxy:3128".into());
    assert!(!format!("{proxy:?}").contains("hunter2"), "{proxy:?}");
    let config = ClientConfig { proxy, ..ClientConfig::default() };
    assert!(!format!("{config:?}").contains("hunter2"));
}

#[test]
fn retryable_statuses_are_retried_until_success() {
    let server = MockServer::start();
    let client = client(&server);
    for status in [408, 409, 429, 500, 502, 503] {
        let id = format!("flaky-2-{status}-ok");
        let video = client.get_video(&id).unwrap();
        assert_eq!((video.id.as_str(), video.status), (id.as_str(), VideoStatus::Completed));
        assert_eq!(server.hits(&id), 3, "{status}: two failures, then success");
    }
}

#[test]
fn the_error_after_the_last_retry_keeps_the_last_status() {
    let server = MockServer::start();
    let error = client(&server).get_video("flaky-5-503-spent").unwrap_err();
    assert_eq!((error.kind(), error.http_status()), (ErrorKind::Server, Some(503)));
    assert_eq!(error.request_id(), Some("req-flaky-2"), "the third attempt's request id");
    assert_eq!(server.hits("flaky-5-503-spent"), 3, "1 attempt + 2 retries");

    let error = client(&server).get_video("flaky-5-429-spent").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::RateLimited);
}

#[test]
fn max_retries_is_honoured() {
    let server = MockServer::start();
    for retries in [0, 1, 4] {
        let client = Client::new(&ClientConfig { max_retries: retries, ..config(&server) }).unwrap();
        let id = format!("flaky-9-500-r{retries}");
        assert_eq!(client.get_video(&id).unwrap_err().kind(), ErrorKind::Server);
        assert_eq!(server.hits(&id), retries + 1);
    }
}

#[test]
fn x_should_retry_false_and_client_errors_are_not_retried() {
    let server = MockServer::start();
    let client = client(&server);
    assert_eq!(client.get_video("no-retry-503").unwrap_err().kind(), ErrorKind::Server);
    assert_eq!(server.hits("no-retry-503"), 1);
    assert_eq!(client.get_video("status-400").unwrap_err().kind(), ErrorKind::BadRequest);
    assert_eq!(server.hits("status-400"), 1);
}

#[test]
fn retry_after_in_seconds_is_waited_for() {
    let server = MockServer::start();
    let started = Instant::now();
    let video = client(&server).get_video("retry-after-1-wait").unwrap();
    assert_eq!(video.status, VideoStatus::Completed);
    assert_eq!(server.hits("retry-after-1-wait"), 2);
    assert!(started.elapsed() >= Duration::from_millis(950), "waited {:?}", started.elapsed());
}

#[test]
fn broken_connections_are_connection_errors_and_retried() {
    let server = MockServer::start();
    let client = client(&server);
    // In parallel: each waits out two backoffs (about 1 s and 2 s).
    std::thread::scope(|scope| {
        for id in ["reset", "truncated", "garbage"] {
            let (client, server) = (&client, &server);
            scope.spawn(move || {
                let error = client.get_video(id).unwrap_err();
                assert_eq!(error.kind(), ErrorKind::Connection, "{id}: {error}");
                assert_eq!(server.hits(id), 3, "{id} is retried");
            });
        }
    });
}

#[test]
fn a_refused_connection_is_a_connection_error() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = ClientConfig {
        api_key: Some("k".into()),
        base_url: Some(format!("http://127.0.0.1:{port}/v2")),
        max_retries: 1,
        proxy: ProxySetting::Direct,
        ..ClientConfig::default()
    };
    let error = Client::new(&config).unwrap().get_video("vid_completed").unwrap_err();
    assert_eq!((error.kind(), error.http_status()), (ErrorKind::Connection, None), "{error}");
}

#[test]
fn bodies_that_are_not_jobs_are_decode_errors() {
    let server = MockServer::start();
    let client = client(&server);
    let cases = [
        ("html-200", "not valid JSON"),
        ("array-200", "a JSON array, not an object"),
        ("nul-in-id", "field `id` contains a NUL character"),
        ("wrong-type", "field `created_at` must be a number, got string"),
        ("huge", "larger than 8 MiB"),
        ("huge-chunked", "larger than 8 MiB"),
    ];
    for (id, message) in cases {
        let error = client.get_video(id).unwrap_err();
        assert_eq!((error.kind(), error.http_status()), (ErrorKind::Decode, Some(200)), "{id}: {error}");
        assert!(error.message().contains(message), "{id}: {error}");
        assert_eq!(server.hits(id), 1, "{id} is not retried");
    }
}

#[test]
fn a_slow_or_silent_server_times_out_without_retrying_the_read() {
    let server = MockServer::start();
    let client = Client::new(&ClientConfig { timeout: Duration::from_millis(300), ..config(&server) }).unwrap();
    for id in ["slow-3000", "stall"] {
        let started = Instant::now();
        let error = client.get_video(id).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Timeout, "{id}: {error}");
        assert_eq!(server.hits(id), 1);
        assert!(started.elapsed() >= Duration::from_millis(290));
    }
}

#[test]
fn redirects_are_followed_on_the_same_origin_with_the_key() {
    let server = MockServer::start();
    let client = client(&server);
    for id in ["redirect-same", "redirect-relative"] {
        assert_eq!(client.get_video(id).unwrap().id, "vid_completed", "{id}");
    }
}

#[test]
fn the_key_is_not_sent_to_another_origin() {
    let server = MockServer::start();
    let video = client(&server).get_video("redirect-cross").unwrap();
    assert_eq!(video.id, "auth-absent");
    let request = server.requests().into_iter().find(|r| r.other_origin).unwrap();
    assert_eq!(request.header("authorization"), None);
}

#[test]
fn redirect_loops_and_other_schemes_are_refused() {
    let server = MockServer::start();
    let client = client(&server);
    let error = client.get_video("redirect-loop").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Http);
    assert!(error.message().contains("too many redirects"), "{error}");
    assert_eq!(server.hits("redirect-loop"), 6, "the request and 5 redirects");
    let error = client.get_video("redirect-scheme").unwrap_err();
    assert_eq!((error.kind(), error.http_status()), (ErrorKind::Http, Some(302)), "{error}");
}

#[test]
fn ids_are_sent_as_one_encoded_segment() {
    let server = MockServer::start();
    let client = client(&server);
    for (id, target) in
        [("a/../b", "/v2/videos/a%2F..%2Fb"), ("x?y#z w", "/v2/videos/x%3Fy%23z%20w"), ("%2F", "/v2/videos/%252F")]
    {
        assert_eq!(client.get_video(id).unwrap_err().kind(), ErrorKind::NotFound);
        assert_eq!(server.requests().last().unwrap().target, target);
        assert_eq!(server.hits(id), 1, "the mock decodes back to the same id");
    }
}

#[test]
fn unsafe_ids_send_no_request() {
    let server = MockServer::start();
    let client = client(&server);
    let long = "x".repeat(1025);
    for id in ["", ".", "..", "a\nb", "tab\there", long.as_str()] {
        assert_eq!(client.get_video(id).unwrap_err().kind(), ErrorKind::InvalidArgument, "{id:?}");
    }
    assert!(server.requests().is_empty());
}

#[test]
fn requests_carry_the_key_user_agent_and_accept_headers() {
    let server = MockServer::start();
    let client =
        Client::new(&ClientConfig { user_agent_suffix: Some("my-game/1.2".into()), ..config(&server) }).unwrap();
    client.get_video("vid_completed").unwrap();
    let request = server.requests().pop().unwrap();
    assert_eq!(request.method, "GET");
    assert_eq!(request.header("authorization"), Some("Bearer test-key"));
    assert_eq!(request.header("user-agent"), Some(format!("{USER_AGENT} my-game/1.2").as_str()));
    assert_eq!(request.header("accept"), Some("application/json"));
    assert!(USER_AGENT.starts_with("together-video/"));
}

#[test]
fn one_client_serves_sixteen_threads_at_once() {
    let server = MockServer::start();
    let client = Arc::new(client(&server));
    let threads: Vec<_> = (0..16)
        .map(|t| {
            let client = Arc::clone(&client);
            let origin = server.origin().to_owned();
            std::thread::spawn(move || {
                for i in 0..40 {
                    let (id, _) = FIXTURES[(t + i) % FIXTURES.len()];
                    assert_matches_expected(&client.get_video(id).unwrap(), id, &origin);
                }
                assert_eq!(client.get_video("status-404").unwrap_err().kind(), ErrorKind::NotFound);
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(server.requests().len(), 16 * 41);
}

#[test]
fn bad_settings_are_invalid_arguments() {
    let server = MockServer::start();
    let base = config(&server);
    let dir = std::env::temp_dir().join(format!("tv-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let empty_pem = dir.join("empty.pem");
    std::fs::write(&empty_pem, "no certificates here\n").unwrap();
    let cases = [
        ClientConfig { base_url: Some("ftp://example.com".into()), ..base.clone() },
        ClientConfig { base_url: Some("https://user:pw@example.com/v2".into()), ..base.clone() },
        ClientConfig { max_retries: 11, ..base.clone() },
        ClientConfig { timeout: Duration::ZERO, ..base.clone() },
        ClientConfig { user_agent_suffix: Some("bad\r\nheader".into()), ..base.clone() },
        ClientConfig { api_key: Some("has space".into()), ..base.clone() },
        ClientConfig { trust_roots: TrustRoots::PemFile(dir.join("missing.pem")), ..base.clone() },
        ClientConfig { trust_roots: TrustRoots::PemFile(empty_pem), ..base.clone() },
        ClientConfig { proxy: ProxySetting::Url("::not a url::".into()), ..base.clone() },
        ClientConfig { proxy: ProxySetting::Url("socks5://127.0.0.1:1080".into()), ..base.clone() },
    ];
    for config in cases {
        let error = Client::new(&config).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidArgument, "{config:?}: {error}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn no_api_key_is_an_authentication_error() {
    if std::env::var_os("TOGETHER_API_KEY").is_some() {
        eprintln!("TOGETHER_API_KEY is set; `make test-c` checks this case with it unset");
        return;
    }
    let error = Client::new(&ClientConfig::default()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Authentication);
    assert!(error.message().contains("TOGETHER_API_KEY"));
}
