//! Fault injection: broken servers and networks get clear errors, bounded in time and
//! memory. The README's table "What a broken server gets you" lists these cases.

use std::time::{Duration, Instant};

use together_video::{Call, Client, ClientConfig, ErrorKind, ProxySetting};
use tv_mock::{MockServer, DEFAULT_API_KEY};

fn client(server: &MockServer, timeout: Duration, max_retries: u32) -> Client {
    Client::new(&ClientConfig {
        api_key: Some(DEFAULT_API_KEY.into()),
        base_url: Some(server.base_url()),
        timeout,
        max_retries,
        proxy: ProxySetting::Direct,
        ..ClientConfig::default()
    })
    .unwrap()
}

#[test]
fn broken_responses_are_connection_or_decode_errors() {
    let server = MockServer::start();
    let client = client(&server, Duration::from_secs(10), 0);
    let cases = [
        ("reset", ErrorKind::Connection),
        ("reset-headers", ErrorKind::Connection),
        ("truncated", ErrorKind::Connection),
        ("bad-chunked", ErrorKind::Connection),
        ("garbage", ErrorKind::Connection),
        ("huge", ErrorKind::Decode),
        ("huge-chunked", ErrorKind::Decode),
        ("endless", ErrorKind::Decode),
        ("deep-json", ErrorKind::Decode),
        ("bad-utf8", ErrorKind::Decode),
        ("nul-in-id", ErrorKind::Decode),
        ("wrong-type", ErrorKind::Decode),
        ("html-200", ErrorKind::Decode),
    ];
    for (id, kind) in cases {
        let error = client.get_video(id).unwrap_err();
        assert_eq!(error.kind(), kind, "{id}: {error}");
    }
}

#[test]
fn slow_headers_and_a_slow_body_time_out_within_a_second_of_the_timeout() {
    let server = MockServer::start();
    let timeout = Duration::from_millis(500);
    let client = client(&server, timeout, 0);
    for id in ["slow-5000", "trickle-body", "stall"] {
        let started = Instant::now();
        let error = client.get_video(id).unwrap_err();
        let took = started.elapsed();
        assert_eq!(error.kind(), ErrorKind::Timeout, "{id}: {error}");
        assert!(took >= timeout && took < timeout + Duration::from_secs(1), "{id} took {took:?}");
    }
}

#[test]
fn a_429_storm_is_bounded_by_the_callers_deadline() {
    let server = MockServer::start();
    let client = client(&server, Duration::from_secs(10), 10);
    let started = Instant::now();
    let call = Call { deadline: Some(Instant::now() + Duration::from_millis(500)), cancel: None };
    let error = client.get_video_with("storm-429", call).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
    assert!(error.message().contains("rate limited"), "says what it was waiting out: {error}");
    assert!(started.elapsed() < Duration::from_secs(10), "Retry-After: 30 was cut short by the deadline");
    assert_eq!(server.hits("storm-429"), 1);
}

#[test]
fn a_pooled_connection_the_server_closed_or_spoiled_is_not_reused() {
    let server = MockServer::start();
    // No retries: a reused dead connection would surface as an error.
    let client = client(&server, Duration::from_secs(10), 0);
    for id in ["close-after", "stray-after"] {
        for round in 0..3 {
            assert_eq!(client.get_video(id).unwrap().id, id, "{id}, round {round}");
            // Let the close or the stray bytes reach the idle pooled connection.
            std::thread::sleep(Duration::from_millis(50));
            let next = client.get_video("vid_completed").unwrap_or_else(|e| panic!("after {id}: {e}"));
            assert_eq!(next.id, "vid_completed");
        }
    }
}
