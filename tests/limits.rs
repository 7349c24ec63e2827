//! What a client's requests share: a rate limit's pause, and the cap on concurrent
//! requests. Against the mock on loopback.

use std::sync::Arc;
use std::time::{Duration, Instant};

use together_video::{CallOptions, Client, ClientConfig, ProxySetting, Source};
use tv_mock::{MockServer, DEFAULT_API_KEY};

fn client_with(server: &MockServer, max_concurrent_requests: usize) -> Arc<Client> {
    Arc::new(
        Client::new(&ClientConfig {
            api_key: Some(DEFAULT_API_KEY.into()),
            base_url: Some(server.base_url()),
            proxy: ProxySetting::Direct,
            worker_threads: 8,
            max_concurrent_requests,
            ..ClientConfig::default()
        })
        .unwrap(),
    )
}

/// A 429 with `Retry-After: 1` on one request holds back the client's other requests
/// too: one started meanwhile reaches the server only once the second is over.
#[test]
fn a_rate_limit_hint_pauses_every_request_of_the_client() {
    let server = MockServer::start();
    let client = client_with(&server, 0);
    let limited = client.get_video_start("retry-after-1-shared", &CallOptions::default()).unwrap();
    while server.hits("retry-after-1-shared") == 0 {
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(100)); // the 429 has been read by now
    client.get_video("vid_completed").unwrap();
    assert!(limited.wait(None));
    limited.outcome().unwrap().unwrap();
    let requests = server.requests();
    let first_429 = requests.iter().find(|r| r.target.ends_with("/retry-after-1-shared")).unwrap().at;
    let other = requests.iter().find(|r| r.target.ends_with("/vid_completed")).unwrap().at;
    assert!(
        other.duration_since(first_429) >= Duration::from_millis(900),
        "the other request went out {:?} after the 429, inside the server's second",
        other.duration_since(first_429)
    );
}

/// With a cap of 2, eight slow requests started at once reach the server two at a time.
#[test]
fn the_concurrency_cap_holds() {
    let server = MockServer::start();
    let client = client_with(&server, 2);
    let requests: Vec<_> =
        (0..8).map(|_| client.get_video_start("slow-150", &CallOptions::default()).unwrap()).collect();
    for request in &requests {
        assert!(request.wait(None));
        request.outcome().unwrap().unwrap();
    }
    assert_eq!(server.max_concurrent(), 2);

    // Without a cap they overlap.
    let server = MockServer::start();
    let client = client_with(&server, 0);
    let requests: Vec<_> =
        (0..8).map(|_| client.get_video_start("slow-150", &CallOptions::default()).unwrap()).collect();
    for request in &requests {
        assert!(request.wait(None));
    }
    assert!(server.max_concurrent() > 2);
}

/// A request waiting for a slot ends at once when cancelled, and at its deadline.
#[test]
fn a_request_waiting_for_a_slot_can_be_cancelled() {
    let server = MockServer::start();
    let client = client_with(&server, 1);
    let holder = client.get_video_start("stall", &CallOptions::default()).unwrap();
    while server.hits("stall") == 0 {
        std::thread::sleep(Duration::from_millis(5));
    }
    let waiting = client.get_video_start("vid_completed", &CallOptions::default()).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    assert!(!waiting.is_done(), "it waits for the slot");
    waiting.cancel();
    assert_eq!(waiting.outcome().unwrap().unwrap_err().kind(), together_video::ErrorKind::Cancelled);
    let error = client
        .get_video_with(
            "vid_completed",
            together_video::Call { deadline: Some(Instant::now() + Duration::from_millis(100)), cancel: None },
        )
        .unwrap_err();
    assert_eq!(error.kind(), together_video::ErrorKind::Timeout);
    holder.cancel();
    assert_eq!(server.hits("vid_completed"), 0, "neither went out");
}

#[test]
fn the_cap_is_checked() {
    let server = MockServer::start();
    let config =
        ClientConfig { base_url: Some(server.base_url()), max_concurrent_requests: 1025, ..ClientConfig::default() };
    let error = Client::new(&ClientConfig { api_key: Some("k".into()), ..config }).unwrap_err();
    assert_eq!(error.kind(), together_video::ErrorKind::InvalidArgument);
    assert!(error.message().contains("not 1025"), "{}", error.message());
}

/// Polls come no sooner than the interval, and later by a random part of it (up to 20%):
/// waits started together do not poll in step.
#[test]
fn polls_keep_the_interval_and_spread_out() {
    let server = MockServer::start();
    let client = client_with(&server, 0);
    let options = together_video::WaitOptions { poll_interval: Duration::from_millis(100) };
    let waits: Vec<_> = (0..10)
        .map(|_| {
            let job = client.create_video_json(r#"{"model":"m"}"#, together_video::Call::default()).unwrap();
            client.wait_video_start(&job.id, options, &CallOptions::default(), None).unwrap()
        })
        .collect();
    for wait in &waits {
        assert!(wait.wait(None));
        wait.outcome().unwrap().unwrap();
    }
    let polls = |id: &str| -> Vec<Instant> {
        server.requests().iter().filter(|r| r.method == "GET" && r.target.ends_with(id)).map(|r| r.at).collect()
    };
    let mut gaps = Vec::new();
    for job in 1..=10 {
        let times = polls(&format!("/job-{job}"));
        assert!(times.len() >= 3, "job-{job}: {} polls", times.len());
        gaps.extend(times.windows(2).map(|pair| pair[1] - pair[0]));
    }
    assert!(
        gaps.iter().all(|gap| *gap >= Duration::from_millis(100)),
        "a poll came sooner than the interval: {gaps:?}"
    );
    let (shortest, longest) = (gaps.iter().min().unwrap(), gaps.iter().max().unwrap());
    assert!(*longest - *shortest > Duration::from_millis(2), "the polls kept in step: {gaps:?}");
}

/// Waiting for a free slot counts against the client's timeout, as connecting would: a
/// call with no deadline of its own does not wait for ever behind a request that holds
/// the only slot. The holder is a download of a file the mock trickles for about 800 ms
/// (it keeps its slot while the body streams, bounded per read, not in all), so it holds
/// the slot well past the waiting call's 200 ms whenever that call starts.
#[test]
fn waiting_for_a_slot_counts_against_the_clients_timeout() {
    let server = MockServer::start();
    let client = Client::new(&ClientConfig {
        api_key: Some(DEFAULT_API_KEY.into()),
        base_url: Some(server.base_url()),
        proxy: ProxySetting::Direct,
        timeout: Duration::from_millis(200),
        max_retries: 0,
        max_concurrent_requests: 1,
        ..ClientConfig::default()
    })
    .unwrap();
    let client = Arc::new(client);
    let path = std::env::temp_dir().join(format!("tv-limits-slot-{}.mp4", std::process::id()));
    let url = format!("{}/files/slow-slot.mp4", server.origin());
    let holder = client.download_to_path_start(Source::Url(url), path.clone(), &CallOptions::default(), None).unwrap();
    while server.hits("/files/slow-slot.mp4") == 0 {
        std::thread::sleep(Duration::from_millis(5));
    }
    let error = client.get_video("vid_completed").unwrap_err();
    assert_eq!(error.kind(), together_video::ErrorKind::Timeout, "{error}");
    assert_eq!(server.hits("vid_completed"), 0);
    assert!(!holder.is_done(), "the download ended before the call gave up: the slot was free");
    holder.cancel();
    let _ = std::fs::remove_file(&path);
}
