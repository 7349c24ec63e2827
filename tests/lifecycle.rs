//! Create, wait and download through the core, against the mock on loopback.

use std::os::unix::fs::FileTypeExt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use together_video::{
    Call, CancelToken, Client, ClientConfig, CreateVideoParams, ErrorKind, FrameImage, FramePosition, MediaUrl,
    OutputFormat, ProxySetting, Source, Video, VideoStatus, WaitOptions, WriterSink,
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
    WaitOptions { poll_interval: Duration::from_millis(10) }
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
    let video = client.wait_video(&created.id, &fast(), Call::default(), Some(&mut progress)).unwrap();
    assert_eq!(video.status, VideoStatus::Completed);
    assert_eq!(seen, ["queued", "in_progress", "completed"]);
    assert!(video.outputs.unwrap().video_url.unwrap().ends_with(&format!("/files/{}.mp4", created.id)));
}

#[test]
fn a_servers_retry_after_on_a_poll_slows_the_pace() {
    let server = MockServer::start();
    let client = client(&server);
    let created = client.create_video(&CreateVideoParams::new("hinted-job"), Call::default()).unwrap();
    // Polls 1 ms apart as asked, unless the server's 20 ms hint asks for more: it does.
    let options = WaitOptions { poll_interval: Duration::from_millis(1) };
    let started = Instant::now();
    let video = client.wait_video(&created.id, &options, Call::default(), None).unwrap();
    assert_eq!(video.status, VideoStatus::Completed);
    assert!(started.elapsed() >= Duration::from_millis(40), "two waits of at least the hinted 20 ms");
}

#[test]
fn a_servers_tiny_hint_never_speeds_the_polls_up() {
    let server = MockServer::start();
    let client = client(&server);
    let created = client.create_video(&CreateVideoParams::new("tiny-hint-job"), Call::default()).unwrap();
    let options = WaitOptions { poll_interval: Duration::from_millis(50) };
    let call = Call { deadline: Some(Instant::now() + Duration::from_millis(300)), cancel: None };
    let error = client.wait_video(&created.id, &options, call, None).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
    // 300 ms at one poll per 50 ms is 7 polls at most; `retry-after-ms: 0.000001` obeyed
    // made thousands.
    let polls = server.hits(&created.id);
    assert!(polls <= 7, "{polls} polls in 300 ms");
}

#[test]
fn a_failed_job_is_a_result_with_its_error() {
    let server = MockServer::start();
    let client = client(&server);
    let created = client.create_video(&CreateVideoParams::new("fail-job"), Call::default()).unwrap();
    let video = client.wait_video(&created.id, &fast(), Call::default(), None).unwrap();
    assert_eq!(video.status, VideoStatus::Failed);
    assert_eq!(video.error.unwrap().code.as_deref(), Some("generation_failed"));
}

#[test]
fn an_unknown_status_ends_the_wait_at_once() {
    let server = MockServer::start();
    let client = client(&server);
    let created = client.create_video(&CreateVideoParams::new("unknown-job"), Call::default()).unwrap();
    let video = client.wait_video(&created.id, &fast(), Call::default(), None).unwrap();
    assert_eq!((video.status, video.status_raw.as_str()), (VideoStatus::Unknown, "expired"));
    assert_eq!(server.hits(&created.id), 3, "queued, in_progress, then expired: no more polls");
}

#[test]
fn the_deadline_holds_even_when_the_server_stops_answering() {
    let server = MockServer::start();
    let client = client(&server);
    for model in ["stall-job", "silent-job"] {
        let created = client.create_video(&CreateVideoParams::new(model), Call::default()).unwrap();
        let options = WaitOptions { poll_interval: Duration::from_millis(10) };
        let call = Call { deadline: Some(Instant::now() + Duration::from_millis(400)), cancel: None };
        let error = client.wait_video(&created.id, &options, call, None).unwrap_err();
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
    let error = client.wait_video(&created.id, &fast(), Call::default(), Some(&mut progress)).unwrap_err();
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
    let options = WaitOptions { poll_interval: Duration::from_millis(10) };
    let error =
        client.wait_video(&created.id, &options, Call { deadline: None, cancel: Some(&token) }, None).unwrap_err();
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
        let written = client
            .download_to_path(
                &Source::of(&completed(&client, file)).unwrap(),
                &path,
                Some(&mut progress),
                Call::default(),
            )
            .unwrap();
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
    client
        .download_to_sink(&Source::of(&completed(&client, "w.mp4")).unwrap(), &mut sink, None, Call::default())
        .unwrap();
    assert!(sink.0 == video_bytes("w.mp4"));
}

#[test]
fn an_interrupted_download_resumes_with_a_range() {
    let server = MockServer::start();
    let client = client(&server);
    let mut sink = WriterSink(Vec::new());
    client
        .download_to_sink(&Source::of(&completed(&client, "drop-r.mp4")).unwrap(), &mut sink, None, Call::default())
        .unwrap();
    assert!(sink.0 == video_bytes("drop-r.mp4"), "resumed without a gap or a repeat");
    let resume = server.requests().into_iter().filter(|r| r.target == "/files/drop-r.mp4").nth(1).unwrap();
    assert_eq!(resume.header("range"), Some(format!("bytes={}-", VIDEO_SIZE / 2).as_str()));
    assert_eq!(resume.header("if-range"), Some("\"v1\""));

    // A file can start over when the server ignores the range; a writer cannot take bytes back.
    let dir = temp_dir("norange");
    let path = dir.join("v.mp4");
    client
        .download_to_path(&Source::of(&completed(&client, "norange-drop-a.mp4")).unwrap(), &path, None, Call::default())
        .unwrap();
    assert!(std::fs::read(&path).unwrap() == video_bytes("norange-drop-a.mp4"));
    let error = client
        .download_to_sink(
            &Source::of(&completed(&client, "norange-drop-b.mp4")).unwrap(),
            &mut WriterSink(Vec::new()),
            None,
            Call::default(),
        )
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
        let error = client
            .download_to_path(&Source::of(&completed(&client, file)).unwrap(), &path, None, Call::default())
            .unwrap_err();
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
        // Told by the job at hand, or by the server when downloading by id.
        let by_video = Source::of(&client.get_video(id).unwrap()).unwrap_err();
        let by_id = client.download_to_path(&Source::Job(id.into()), &dir.join("x.mp4"), None, Call::default());
        for error in [by_video, by_id.unwrap_err()] {
            assert_eq!(error.kind(), ErrorKind::InvalidArgument);
            assert!(error.message().contains("not completed"), "{error}");
        }
    }
    let mut no_url = client.get_video("vid_completed").unwrap();
    no_url.outputs = None;
    assert!(Source::of(&no_url).unwrap_err().message().contains("no video_url"));
    let not_http =
        client.download_to_path(&Source::Url("file:///etc/passwd".into()), &dir.join("x"), None, Call::default());
    assert_eq!(not_http.unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert!(files_in(&dir).is_empty());
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
        let download = scope.spawn(|| {
            client.download_to_path(
                &Source::of(&video).unwrap(),
                &path,
                None,
                Call { deadline: None, cancel: Some(&token) },
            )
        });
        std::thread::sleep(Duration::from_millis(200));
        token.cancel();
        download.join().unwrap().unwrap_err()
    });
    assert_eq!(error.kind(), ErrorKind::Cancelled, "{error}");
    assert!(files_in(&dir).is_empty());

    // A progress callback can stop it as well.
    let mut progress = |done: u64, _: Option<u64>| done < 20_000;
    let error =
        client.download_to_path(&Source::of(&video).unwrap(), &path, Some(&mut progress), Call::default()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Cancelled);
    assert!(files_in(&dir).is_empty());
    std::fs::remove_dir_all(dir).unwrap();
}

/// Downloads `file` to a fresh directory; the result and what the directory holds after.
fn download_file(client: &Client, file: &str) -> (Result<u64, together_video::Error>, Vec<u8>, Vec<String>) {
    let dir = temp_dir(&format!("integrity-{file}"));
    let path = dir.join("out.mp4");
    let result = client.download_to_path(&Source::of(&completed(client, file)).unwrap(), &path, None, Call::default());
    let (bytes, names) = (std::fs::read(&path).unwrap_or_default(), files_in(&dir));
    std::fs::remove_dir_all(dir).unwrap();
    (result, bytes, names)
}

#[test]
fn a_resume_that_would_splice_another_file_starts_over_instead() {
    let server = MockServer::start();
    let client = client(&server);
    // Another ETag at the same offset, or another total under the same ETag: the rest is
    // not this file's, so the download starts over from the first byte.
    let (result, bytes, _) = download_file(&client, "changed-a.mp4");
    assert_eq!(result.unwrap(), VIDEO_SIZE as u64);
    assert!(bytes == tv_mock::changed_video_bytes("changed-a.mp4"), "the whole new file, not a splice");
    let (result, bytes, _) = download_file(&client, "resized-a.mp4");
    assert_eq!(result.unwrap(), VIDEO_SIZE as u64 + 1000);
    assert!(bytes[..VIDEO_SIZE] == video_bytes("resized-a.mp4")[..] && bytes[VIDEO_SIZE..] == [7u8; 1000][..]);
    let starts =
        server.requests().into_iter().filter(|r| r.target.starts_with("/files/") && r.header("range").is_none());
    assert_eq!(starts.count(), 4, "each file was asked for whole twice");

    // A writer cannot take back the bytes it was given: it fails rather than splice.
    let video = completed(&client, "changed-b.mp4");
    let mut sink = WriterSink(Vec::new());
    let error = client.download_to_sink(&Source::of(&video).unwrap(), &mut sink, None, Call::default()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Connection, "{error}");
    assert!(error.message().contains("changed"), "{error}");
    assert_eq!(sink.0.len(), VIDEO_SIZE / 2, "nothing of the other file was written");
}

/// Without an ETag, `Last-Modified` is the validator: the same date resumes with it in
/// `If-Range`; another date means another file, which is taken whole, never spliced.
#[test]
fn last_modified_vouches_for_a_resume_when_there_is_no_etag() {
    let server = MockServer::start();
    let client = client(&server);
    let (result, bytes, _) = download_file(&client, "lastmod-a.mp4");
    assert_eq!(result.unwrap(), VIDEO_SIZE as u64);
    assert!(bytes == video_bytes("lastmod-a.mp4"));
    let resume = server.requests().into_iter().filter(|r| r.target == "/files/lastmod-a.mp4").nth(1).unwrap();
    assert_eq!(resume.header("range"), Some(format!("bytes={}-", VIDEO_SIZE / 2).as_str()));
    assert_eq!(resume.header("if-range"), Some("Mon, 30 Nov 2026 08:00:00 GMT"));

    let (result, bytes, _) = download_file(&client, "lastmod-changed-a.mp4");
    assert_eq!(result.unwrap(), VIDEO_SIZE as u64);
    assert!(bytes == tv_mock::changed_video_bytes("lastmod-changed-a.mp4"), "the whole new file, not a splice");
    let whole = server.requests().into_iter().filter(|r| r.target == "/files/lastmod-changed-a.mp4");
    assert_eq!(whole.filter(|r| r.header("range").is_none()).count(), 2, "asked for whole twice");
}

#[test]
fn a_weak_etag_is_no_proof_so_the_download_starts_over() {
    let server = MockServer::start();
    let client = client(&server);
    let (result, bytes, _) = download_file(&client, "weak-a.mp4");
    assert_eq!(result.unwrap(), VIDEO_SIZE as u64);
    assert!(bytes == video_bytes("weak-a.mp4"));
    let requests: Vec<_> = server.requests().into_iter().filter(|r| r.target == "/files/weak-a.mp4").collect();
    assert_eq!(requests.len(), 2);
    assert!(requests.iter().all(|r| r.header("range").is_none()), "no range resumed on a weak ETag");
}

#[test]
fn a_partial_answer_to_a_whole_request_is_not_a_whole_file() {
    let server = MockServer::start();
    let client = client(&server);
    let (result, bytes, _) = download_file(&client, "unasked-206-a.mp4");
    assert_eq!(result.unwrap(), VIDEO_SIZE as u64);
    assert!(bytes == video_bytes("unasked-206-a.mp4"), "the first half, then the rest by range");
    let rest = server.requests().into_iter().filter(|r| r.target == "/files/unasked-206-a.mp4").nth(1).unwrap();
    assert_eq!(rest.header("range"), Some(format!("bytes={}-", VIDEO_SIZE / 2).as_str()));
}

#[test]
fn bytes_past_the_announced_end_are_refused() {
    let server = MockServer::start();
    let client = client(&server);
    let (result, bytes, names) = download_file(&client, "overlong-a.mp4");
    let error = result.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Http, "{error}");
    assert!(error.message().contains("more bytes"), "{error}");
    assert!(bytes.is_empty() && names.is_empty(), "no file, no temporary file: {names:?}");
}

#[test]
fn a_part_of_unknown_size_is_never_taken_for_the_whole_or_grown_past_it() {
    let server = MockServer::start();
    let client = client(&server);
    let (result, bytes, names) = download_file(&client, "star-206-a.mp4");
    let error = result.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Http, "{error}");
    assert!(bytes.is_empty() && names.is_empty(), "a 100-byte part is not saved as the video: {names:?}");
    // A resume reaching past the size the first response gave starts over.
    let (result, bytes, _) = download_file(&client, "star-resume-a.mp4");
    assert_eq!(result.unwrap(), VIDEO_SIZE as u64);
    assert!(bytes == video_bytes("star-resume-a.mp4"), "the file, and nothing past its size");
}

#[test]
fn a_416_on_resume_starts_over() {
    let server = MockServer::start();
    let client = client(&server);
    let (result, bytes, _) = download_file(&client, "gone-416-a.mp4");
    assert_eq!(result.unwrap(), VIDEO_SIZE as u64);
    assert!(bytes == video_bytes("gone-416-a.mp4"));
}

#[test]
fn a_destination_that_is_not_a_regular_file_is_refused() {
    let server = MockServer::start();
    let client = client(&server);
    let video = completed(&client, "dest.mp4");
    let dir = temp_dir("destinations");
    let download =
        |path: &std::path::Path| client.download_to_path(&Source::of(&video).unwrap(), path, None, Call::default());

    let directory = dir.join("a-directory");
    std::fs::create_dir(&directory).unwrap();
    let error = download(&directory).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::FileSystem, "{error}");
    assert!(error.message().contains("a directory"), "{error}");
    assert!(directory.is_dir());

    let fifo = dir.join("a-fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let error = download(&fifo).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::FileSystem, "{error}");
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(), "the fifo is left alone");

    let target = dir.join("target.txt");
    std::fs::write(&target, b"keep me").unwrap();
    let link = dir.join("a-link.mp4");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let error = download(&link).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::FileSystem, "{error}");
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read(&target).unwrap(), b"keep me");

    let error = download(&dir.join("no-such-dir").join("x.mp4")).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::FileSystem, "{error}");
    assert!(error.message().contains("No such file"), "the OS's reason: {error}");

    let regular = dir.join("old.mp4");
    std::fs::write(&regular, b"old").unwrap();
    download(&regular).unwrap();
    assert!(std::fs::read(&regular).unwrap() == video_bytes("dest.mp4"), "a regular file is replaced");
    assert_eq!(files_in(&dir), ["a-directory", "a-fifo", "a-link.mp4", "old.mp4", "target.txt"]);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_download_by_job_id_gets_a_fresh_url_when_the_old_one_expired() {
    let server = MockServer::start();
    let client = client(&server);
    let dir = temp_dir("expiring");
    let path = dir.join("v.mp4");
    // The first request drops halfway; the resume with the same signed URL gets 410; the
    // job, fetched again, has a new URL, and the download resumes there (206, kept).
    let written =
        client.download_to_path(&Source::Job("video-expiring-a".into()), &path, None, Call::default()).unwrap();
    assert_eq!(written, VIDEO_SIZE as u64);
    assert!(std::fs::read(&path).unwrap() == video_bytes("expiring-a.mp4"));
    let files: Vec<_> =
        server.requests().into_iter().filter(|r| r.target.starts_with("/files/expiring-a.mp4")).collect();
    let targets: Vec<_> = files.iter().map(|r| r.target.as_str()).collect();
    assert_eq!(
        targets,
        ["/files/expiring-a.mp4?token=0", "/files/expiring-a.mp4?token=0", "/files/expiring-a.mp4?token=1"]
    );
    assert_eq!(files[2].header("range"), Some(format!("bytes={}-", VIDEO_SIZE / 2).as_str()), "resumed, not restarted");
    assert_eq!(server.hits("video-expiring-a"), 2, "the job is fetched again once");

    // By URL there is no job to ask: the expired link is the answer.
    let mut sink = WriterSink(Vec::new());
    let url = format!("{}/files/expiring-b.mp4?token=0", server.origin());
    client.download_to_sink(&Source::Url(url.clone()), &mut sink, None, Call::default()).unwrap_err();
    let error = client.download_to_sink(&Source::Url(url), &mut sink, None, Call::default()).unwrap_err();
    assert_eq!(error.http_status(), Some(410));
}
