//! Non-blocking calls through the core: polled, waited on, called back, cancelled.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use together_video::{CallOptions, CreateVideoParams, ErrorKind, Outcome, Request, Source, VideoStatus, WaitOptions};
mod shared;
use shared::client;
use tv_mock::{video_bytes, MockServer};

fn video_of(request: &Request) -> together_video::Video {
    match request.outcome() {
        Some(Ok(Outcome::Video(video))) => *video,
        other => panic!("expected a video, got {other:?}"),
    }
}

#[test]
fn forty_waits_share_two_threads() {
    let server = MockServer::start();
    let client = client(&server, 2);
    let options = WaitOptions { poll_interval: Duration::from_millis(5) };
    let call = CallOptions { timeout: Some(Duration::from_secs(60)), ..CallOptions::default() };
    let ids: Vec<_> =
        (0..40).map(|_| client.create_video(&CreateVideoParams::new("m"), Default::default()).unwrap().id).collect();
    let requests: Vec<_> = ids.iter().map(|id| client.wait_video_start(id, options, &call, None).unwrap()).collect();
    for request in &requests {
        assert!(request.wait(Some(Duration::from_secs(60))));
        assert_eq!(video_of(request).status, VideoStatus::Completed);
    }
}

#[test]
fn wait_progress_runs_on_a_library_thread() {
    let server = MockServer::start();
    let client = client(&server, 1);
    let created = client.create_video(&CreateVideoParams::new("m"), Default::default()).unwrap();
    let (sender, statuses) = mpsc::channel();
    let progress = Box::new(move |video: &together_video::Video| {
        let thread = std::thread::current().name().unwrap_or_default().to_owned();
        sender.send((video.status_raw.clone(), thread)).unwrap();
        true
    });
    let options = WaitOptions { poll_interval: Duration::from_millis(5) };
    let request = client.wait_video_start(&created.id, options, &CallOptions::default(), Some(progress)).unwrap();
    assert!(request.wait(None));
    let seen: Vec<_> = statuses.try_iter().collect();
    assert_eq!(
        seen.iter().map(|(status, _)| status.as_str()).collect::<Vec<_>>(),
        ["queued", "in_progress", "completed"]
    );
    assert!(seen.iter().all(|(_, thread)| thread.starts_with("together-video")));
}

#[test]
fn cancel_returns_at_once_and_frees_the_thread_from_a_silent_server() {
    let server = MockServer::start();
    let client = client(&server, 1);
    let stuck = client.get_video_start("stall", &CallOptions::default()).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    assert!(!stuck.is_done());
    stuck.cancel();
    assert!(stuck.is_done(), "done as soon as cancel returns");
    assert_eq!(stuck.outcome().unwrap().unwrap_err().kind(), ErrorKind::Cancelled);
    // The only library thread is free again: its blocked read was interrupted.
    let next = client.get_video_start("vid_completed", &CallOptions::default()).unwrap();
    assert!(next.wait(Some(Duration::from_secs(10))), "the pool's one thread was released");
    assert_eq!(video_of(&next).id, "vid_completed");
}

#[test]
fn a_completion_callback_runs_exactly_once() {
    let server = MockServer::start();
    let client = client(&server, 2);
    let calls = Arc::new(AtomicUsize::new(0));
    let request = client.get_video_start("slow-200", &CallOptions::default()).unwrap();
    let counter = Arc::clone(&calls);
    request.on_complete(Box::new(move || {
        counter.fetch_add(1, Ordering::SeqCst);
    }));
    assert!(request.wait(None));
    request.cancel();
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(video_of(&request).id, "slow-200", "cancel after completion changes nothing");

    // Registered after completion: runs at once, on this thread.
    let counter = Arc::clone(&calls);
    request.on_complete(Box::new(move || {
        counter.fetch_add(1, Ordering::SeqCst);
    }));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[test]
fn errors_arrive_as_outcomes() {
    let server = MockServer::start();
    let client = client(&server, 2);
    let request = client.get_video_start("status-404", &CallOptions::default()).unwrap();
    assert!(request.wait(None));
    let error = request.outcome().unwrap().unwrap_err();
    assert_eq!((error.kind(), error.http_status()), (ErrorKind::NotFound, Some(404)));
    let request = client.create_video_start(CreateVideoParams::new("status-503"), &CallOptions::default()).unwrap();
    assert!(request.wait(None));
    assert_eq!(request.outcome().unwrap().unwrap_err().kind(), ErrorKind::Server);
}

#[test]
fn a_download_runs_in_the_background_and_can_be_cancelled() {
    let server = MockServer::start();
    let client = client(&server, 2);
    let dir = std::env::temp_dir().join(format!("tv-requests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let video = client.get_video("video-at-bg.webm").unwrap();
    let request = client
        .download_to_path_start(Source::of(&video).unwrap(), dir.join("bg.webm"), &CallOptions::default(), None)
        .unwrap();
    assert!(request.wait(None));
    assert_eq!(request.outcome().unwrap().unwrap(), Outcome::Downloaded(video_bytes("bg.webm").len() as u64));
    assert!(std::fs::read(dir.join("bg.webm")).unwrap() == video_bytes("bg.webm"));

    let slow = client.get_video("video-at-slow-bg.mp4").unwrap();
    let request = client
        .download_to_path_start(Source::of(&slow).unwrap(), dir.join("slow.mp4"), &CallOptions::default(), None)
        .unwrap();
    std::thread::sleep(Duration::from_millis(150));
    request.cancel();
    assert_eq!(request.outcome().unwrap().unwrap_err().kind(), ErrorKind::Cancelled);
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["bg.webm"], "the cancelled download left nothing behind once cancel returned");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn requests_outlive_the_callers_client_handle() {
    let server = MockServer::start();
    let client = client(&server, 1);
    let request = client.get_video_start("slow-100", &CallOptions::default()).unwrap();
    drop(client);
    assert!(request.wait(None));
    assert_eq!(video_of(&request).id, "slow-100");
}

#[test]
fn shutdown_cancels_what_is_left_and_is_final() {
    let server = MockServer::start();
    let client = client(&server, 2);
    let stuck = client.get_video_start("stall", &CallOptions::default()).unwrap();
    let options = WaitOptions { poll_interval: Duration::from_secs(60) };
    let waiting = client.wait_video_start("vid_in_progress", options, &CallOptions::default(), None).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    client.shutdown();
    for request in [&stuck, &waiting] {
        assert!(request.is_done());
        assert_eq!(request.outcome().unwrap().unwrap_err().kind(), ErrorKind::Cancelled);
    }
    let late = client.get_video_start("vid_completed", &CallOptions::default()).unwrap();
    assert_eq!(late.outcome().unwrap().unwrap_err().kind(), ErrorKind::Cancelled);
    assert_eq!(client.get_video("vid_completed").unwrap().id, "vid_completed", "blocking calls still work");
}

#[test]
fn no_progress_callback_runs_once_cancel_returns() {
    use std::sync::atomic::AtomicBool;
    let server = MockServer::start();
    let client = client(&server, 1);
    let created = client.create_video(&CreateVideoParams::new("stall-job"), Default::default()).unwrap();
    let (inside, calls) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicUsize::new(0)));
    let progress = {
        let (inside, calls) = (Arc::clone(&inside), Arc::clone(&calls));
        Box::new(move |_: &together_video::Video| {
            inside.store(true, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(100));
            calls.fetch_add(1, Ordering::SeqCst);
            inside.store(false, Ordering::SeqCst);
            true
        })
    };
    let options = WaitOptions { poll_interval: Duration::from_millis(1) };
    let request = client.wait_video_start(&created.id, options, &CallOptions::default(), Some(progress)).unwrap();
    while !inside.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(1));
    }
    request.cancel();
    assert!(!inside.load(Ordering::SeqCst), "cancel waited for the running callback");
    let seen = calls.load(Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(calls.load(Ordering::SeqCst), seen, "and no callback ran after it");
}

/// Tagged requests report to the client's event queue: a wait's status changes in order,
/// a download's progress, each one's done event last, after which its result is there.
#[test]
fn tagged_requests_report_to_the_clients_event_queue() {
    use together_video::QueuedEventKind;
    let server = MockServer::start();
    let client = client(&server, 4);
    let job = client.create_video_json(r#"{"model":"m"}"#, together_video::Call::default()).unwrap();
    let tagged = |tag| CallOptions { event_tag: Some(tag), ..CallOptions::default() };
    let wait = WaitOptions { poll_interval: Duration::from_millis(20) };
    let waiting = client.wait_video_start(&job.id, wait, &tagged(1), None).unwrap();
    let url = format!("{}/files/drop-events.mp4", server.origin());
    let sink = Box::new(together_video::WriterSink(Vec::new()));
    let downloading = client.download_to_sink_start(Source::Url(url), sink, &tagged(2), None).unwrap();
    let _untagged = client.get_video_start("vid_completed", &CallOptions::default()).unwrap();
    let (mut statuses, mut received, mut done) = (Vec::new(), Vec::new(), Vec::new());
    while done.len() < 2 {
        let event = client.next_event(None).unwrap();
        match (event.tag, event.kind) {
            (1, QueuedEventKind::StatusChanged) => statuses.push(event.status_raw.unwrap()),
            (2, QueuedEventKind::DownloadProgress) => received.push(event.received),
            (tag, QueuedEventKind::Done) => {
                let request = if tag == 1 { &waiting } else { &downloading };
                assert!(request.is_done(), "a done event comes once the result is there");
                assert!(request.outcome().unwrap().is_ok() && event.error.is_none());
                done.push(tag);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(statuses, ["queued", "in_progress", "completed"]);
    assert!(
        received.windows(2).all(|pair| pair[0] <= pair[1])
            && received.last() == Some(&(video_bytes("drop-events.mp4").len() as u64))
    );
    assert_eq!(client.next_event(Some(Duration::from_millis(50))), None, "untagged requests do not report");
}

/// A burst started while one library thread is idle gets more threads: a request to a
/// server that stopped answering, taken by the idle thread, does not hold up the rest.
#[test]
fn a_burst_behind_a_stalled_request_gets_threads_of_its_own() {
    let server = MockServer::start();
    let client = client(&server, 4);
    let warm = client.get_video_start("vid_completed", &CallOptions::default()).unwrap();
    assert!(warm.wait(None));
    std::thread::sleep(Duration::from_millis(50)); // its thread is idle again by now
    let stalled: Vec<_> = (0..1).map(|_| client.get_video_start("stall", &CallOptions::default()).unwrap()).collect();
    let quick = client.get_video_start("vid_completed", &CallOptions::default()).unwrap();
    assert!(quick.wait(None));
    assert!(matches!(quick.outcome(), Some(Ok(Outcome::Video(_)))));
    assert!(stalled.iter().all(|request| !request.is_done()), "the quick request waited for a stalled one to end");
    client.shutdown();
}
