//! Create, wait and download through the core, against the mock on loopback.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use together_video::{
    Call, CancelToken, Client, ClientConfig, CreateVideoParams, ErrorKind, FrameImage, FramePosition, MediaUrl,
    OutputFormat, ProxySetting, Video, VideoStatus, WaitOptions, WriterSink,
};
use tv_mock::{video_bytes, MockServer, DEFAULT_API_KEY, VIDEO_SIZE};

fn client(server: &MockServer) -> Client {
    Client::new(&ClientConfig {
        api_key: Some(DEFAULT_API_KEY.into()),
        base_url: Some(server.base_url()),
        timeout: Duration::from_secs(10),
        proxy: ProxySetting::Direct,
        ..ClientConfig::default()
    })
    .unwrap()
}

fn fast() -> WaitOptions {
    WaitOptions { poll_interval: Duration::from_millis(10), deadline: Some(Instant::now() + Duration::from_secs(30)) }
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("tv-lifecycle-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn create_sends_every_set_field_and_returns_the_job() {
    let server = MockServer::start();
    let params = CreateVideoParams {
        prompt: Some("a lighthouse at dusk".into()),
        width: Some(1280),
        height: Some(720),
        seconds: Some("5".into()),
        fps: Some(24),
        steps: Some(30),
        seed: Some(42),
        guidance_scale: Some(8.0),
        output_format: Some(OutputFormat::Mp4),
        output_quality: Some(20),
        negative_prompt: Some("blur".into()),
        generate_audio: Some(true),
        media: together_video::Media {
            frame_images: vec![FrameImage {
                input_image: "https://img/a.png".into(),
                frame: Some(FramePosition::First),
            }],
            audio_inputs: vec![MediaUrl { url: "https://a/b.mp3".into(), as_object: true }],
            ..Default::default()
        },
        ..CreateVideoParams::new("minimax/video-01-director")
    };
    let video = client(&server).create_video(&params, Call::default()).unwrap();
    assert_eq!((video.status, video.model.as_deref()), (VideoStatus::Queued, Some("minimax/video-01-director")));
    assert!(video.id.starts_with("job-"));
    let request = server.requests().pop().unwrap();
    assert_eq!((request.method.as_str(), request.target.as_str()), ("POST", "/v2/videos"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    let body: Value = serde_json::from_str(&request.body).unwrap();
    assert_eq!(body, params.to_json());
    assert!(request.body.contains("\"guidance_scale\":8.0"), "a decimal: {}", request.body);
}

#[test]
fn a_raw_json_body_is_sent_as_given() {
    let server = MockServer::start();
    let client = client(&server);
    let body = r#"{"model":"m","future_field":{"x":[1,2]}}"#;
    assert_eq!(client.create_video_json(body, Call::default()).unwrap().status, VideoStatus::Queued);
    assert_eq!(server.requests().pop().unwrap().body, body);
    for bad in ["", "[]", "{}", r#"{"model":""}"#, r#"{"model":5}"#, "{nope"] {
        assert_eq!(
            client.create_video_json(bad, Call::default()).unwrap_err().kind(),
            ErrorKind::InvalidArgument,
            "{bad}"
        );
    }
}

#[test]
fn invalid_params_send_nothing() {
    let server = MockServer::start();
    let client = client(&server);
    let bad = CreateVideoParams { steps: Some(5), ..CreateVideoParams::new("m") };
    assert_eq!(client.create_video(&bad, Call::default()).unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert!(server.requests().is_empty());
}

#[test]
fn a_create_is_never_retried_once_it_may_have_reached_the_server() {
    let server = MockServer::start();
    let client = client(&server);
    for (model, kind) in
        [("status-503", ErrorKind::Server), ("status-500", ErrorKind::Server), ("status-409", ErrorKind::Conflict)]
    {
        let error = client.create_video(&CreateVideoParams::new(model), Call::default()).unwrap_err();
        assert_eq!(error.kind(), kind, "{model}");
        let posts = server.requests().iter().filter(|r| r.body.contains(model)).count();
        assert_eq!(posts, 1, "{model} must not be retried");
    }
    // 429 means the server refused it: safe to retry.
    let video = client.create_video(&CreateVideoParams::new("flaky-429"), Call::default()).unwrap();
    assert_eq!(video.status, VideoStatus::Queued);
}

#[test]
fn wait_follows_a_job_to_completion_with_progress() {
    let server = MockServer::start();
    let client = client(&server);
    let created = client.create_video(&CreateVideoParams::new("m"), Call::default()).unwrap();
    let mut seen = Vec::new();
    let mut progress = |video: &Video| {
        seen.push(video.status_raw.clone());
        true
    };
    let video = client.wait_video(&created.id, &fast(), None, Some(&mut progress)).unwrap();
    assert_eq!(video.status, VideoStatus::Completed);
    assert_eq!(seen, ["queued", "in_progress", "completed"]);
    assert!(video.outputs.unwrap().video_url.unwrap().ends_with(&format!("/files/{}.mp4", created.id)));
}

#[test]
fn a_servers_retry_after_on_a_poll_sets_the_pace() {
    let server = MockServer::start();
    let client = client(&server);
    let created = client.create_video(&CreateVideoParams::new("hinted-job"), Call::default()).unwrap();
    // Without the server's 20 ms hint this would sleep ten minutes between polls.
    let options = WaitOptions { poll_interval: Duration::from_secs(600), deadline: None };
    let video = client.wait_video(&created.id, &options, None, None).unwrap();
    assert_eq!(video.status, VideoStatus::Completed);
}

#[test]
fn a_failed_job_is_a_result_with_its_error() {
    let server = MockServer::start();
    let client = client(&server);
    let created = client.create_video(&CreateVideoParams::new("fail-job"), Call::default()).unwrap();
    let video = client.wait_video(&created.id, &fast(), None, None).unwrap();
    assert_eq!(video.status, VideoStatus::Failed);
    assert_eq!(video.error.unwrap().code.as_deref(), Some("generation_failed"));
}

#[test]
fn an_unknown_status_ends_the_wait_at_once() {
    let server = MockServer::start();
    let client = client(&server);
    let created = client.create_video(&CreateVideoParams::new("unknown-job"), Call::default()).unwrap();
    let video = client.wait_video(&created.id, &fast(), None, None).unwrap();
    assert_eq!((video.status, video.status_raw.as_str()), (VideoStatus::Unknown, "expired"));
    assert_eq!(server.hits(&created.id), 3, "queued, in_progress, then expired: no more polls");
}

#[test]
fn the_deadline_holds_even_when_the_server_stops_answering() {
    let server = MockServer::start();
    let client = client(&server);
    for model in ["stall-job", "silent-job"] {
        let created = client.create_video(&CreateVideoParams::new(model), Call::default()).unwrap();
        let options = WaitOptions {
            poll_interval: Duration::from_millis(10),
            deadline: Some(Instant::now() + Duration::from_millis(400)),
        };
        let error = client.wait_video(&created.id, &options, None, None).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Timeout, "{model}: {error}");
        assert!(error.message().contains(&created.id), "{error}");
    }
}

#[test]
fn a_progress_callback_can_stop_the_wait() {
    let server = MockServer::start();
    let client = client(&server);
    let created = client.create_video(&CreateVideoParams::new("stall-job"), Call::default()).unwrap();
    let polls = AtomicU32::new(0);
    let mut progress = |_: &Video| polls.fetch_add(1, Ordering::SeqCst) < 2;
    let error = client.wait_video(&created.id, &fast(), None, Some(&mut progress)).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Cancelled);
    assert_eq!(polls.load(Ordering::SeqCst), 3);
}

#[test]
fn another_thread_can_cancel_a_wait_blocked_on_a_silent_server() {
    let server = MockServer::start();
    let client = client(&server);
    let created = client.create_video(&CreateVideoParams::new("silent-job"), Call::default()).unwrap();
    let token = CancelToken::new();
    let canceller = {
        let token = token.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            token.cancel();
        })
    };
    let options = WaitOptions { poll_interval: Duration::from_millis(10), deadline: None };
    let error = client.wait_video(&created.id, &options, Some(&token), None).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Cancelled, "{error}");
    canceller.join().unwrap();
}

fn completed(client: &Client, file: &str) -> Video {
    client.get_video(&format!("video-at-{file}")).unwrap()
}

#[test]
fn a_download_streams_to_a_file_without_the_key() {
    let server = MockServer::start();
    let client = client(&server);
    let dir = temp_dir("file");
    for file in ["clip.mp4", "clip.webm", "big-clip.mp4"] {
        let path = dir.join(file);
        let mut last = (0, None);
        let mut progress = |done: u64, total: Option<u64>| {
            last = (done, total);
            true
        };
        let written =
            client.download_to_path(&completed(&client, file), &path, Some(&mut progress), Call::default()).unwrap();
        let expected = video_bytes(file);
        assert_eq!(written, expected.len() as u64);
        assert_eq!(last, (written, Some(written)));
        assert!(std::fs::read(&path).unwrap() == expected, "{file} arrives intact");
    }
    assert_eq!(files_in(&dir), ["big-clip.mp4", "clip.mp4", "clip.webm"], "no temporary files left");
    let downloads = server.requests().into_iter().filter(|r| r.target.starts_with("/files/")).collect::<Vec<_>>();
    assert!(downloads.iter().all(|r| r.header("authorization").is_none()));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_download_streams_to_a_writer() {
    let server = MockServer::start();
    let client = client(&server);
    let mut sink = WriterSink(Vec::new());
    client.download_to_sink(&completed(&client, "w.mp4"), &mut sink, None, Call::default()).unwrap();
    assert!(sink.0 == video_bytes("w.mp4"));
}

#[test]
fn an_interrupted_download_resumes_with_a_range() {
    let server = MockServer::start();
    let client = client(&server);
    let mut sink = WriterSink(Vec::new());
    client.download_to_sink(&completed(&client, "drop-r.mp4"), &mut sink, None, Call::default()).unwrap();
    assert!(sink.0 == video_bytes("drop-r.mp4"), "resumed without a gap or a repeat");
    let resume = server.requests().into_iter().filter(|r| r.target == "/files/drop-r.mp4").nth(1).unwrap();
    assert_eq!(resume.header("range"), Some(format!("bytes={}-", VIDEO_SIZE / 2).as_str()));
    assert_eq!(resume.header("if-range"), Some("\"v1\""));

    // A file can start over when the server ignores the range; a writer cannot take bytes back.
    let dir = temp_dir("norange");
    let path = dir.join("v.mp4");
    client.download_to_path(&completed(&client, "norange-drop-a.mp4"), &path, None, Call::default()).unwrap();
    assert!(std::fs::read(&path).unwrap() == video_bytes("norange-drop-a.mp4"));
    let error = client
        .download_to_sink(&completed(&client, "norange-drop-b.mp4"), &mut WriterSink(Vec::new()), None, Call::default())
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Connection, "{error}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn pages_and_non_videos_are_refused_and_leave_no_file() {
    let server = MockServer::start();
    let client = client(&server);
    let dir = temp_dir("refused");
    let path = dir.join("out.mp4");
    for (file, kind) in [
        ("page.html", ErrorKind::Decode),
        ("error.json", ErrorKind::Decode),
        ("notvideo.bin", ErrorKind::Decode),
        ("missing.mp4", ErrorKind::NotFound),
    ] {
        let error = client.download_to_path(&completed(&client, file), &path, None, Call::default()).unwrap_err();
        assert_eq!(error.kind(), kind, "{file}: {error}");
    }
    assert!(files_in(&dir).is_empty(), "neither the final nor a temporary file");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn only_completed_jobs_with_a_url_can_be_downloaded() {
    let server = MockServer::start();
    let client = client(&server);
    let dir = temp_dir("notready");
    for id in ["vid_in_progress", "vid_failed", "vid_queued"] {
        let error = client
            .download_to_path(&client.get_video(id).unwrap(), &dir.join("x.mp4"), None, Call::default())
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidArgument);
        assert!(error.message().contains("not completed"), "{error}");
    }
    let mut no_url = client.get_video("vid_completed").unwrap();
    no_url.outputs = None;
    let error = client.download_to_path(&no_url, &dir.join("x.mp4"), None, Call::default()).unwrap_err();
    assert!(error.message().contains("no video_url"), "{error}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_cancelled_download_leaves_no_partial_file() {
    let server = MockServer::start();
    let client = client(&server);
    let dir = temp_dir("cancel");
    let path = dir.join("slow.mp4");
    let token = CancelToken::new();
    let video = completed(&client, "slow-c.mp4");
    let error = std::thread::scope(|scope| {
        let download =
            scope.spawn(|| client.download_to_path(&video, &path, None, Call { deadline: None, cancel: Some(&token) }));
        std::thread::sleep(Duration::from_millis(200));
        token.cancel();
        download.join().unwrap().unwrap_err()
    });
    assert_eq!(error.kind(), ErrorKind::Cancelled, "{error}");
    assert!(files_in(&dir).is_empty());

    // A progress callback can stop it as well.
    let mut progress = |done: u64, _: Option<u64>| done < 20_000;
    let error = client.download_to_path(&video, &path, Some(&mut progress), Call::default()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Cancelled);
    assert!(files_in(&dir).is_empty());
    std::fs::remove_dir_all(dir).unwrap();
}
