//! Contract tests against Together's own OpenAPI spec, served by Stoplight Prism.
//! `make test-contract` starts Prism (validating on TV_PRISM_URL, generating random
//! responses on TV_PRISM_DYNAMIC_URL) and runs these with `--ignored`.

use std::time::Duration;

use together_video::{
    Call, Client, ClientConfig, CreateVideoParams, FrameImage, FramePosition, Media, MediaUrl, OutputFormat,
    ProxySetting,
};

fn client(variable: &str) -> Client {
    let base_url =
        std::env::var(variable).unwrap_or_else(|_| panic!("{variable} is not set: run `make test-contract`"));
    Client::new(&ClientConfig {
        api_key: Some("contract-test-key".into()),
        base_url: Some(base_url),
        timeout: Duration::from_secs(30),
        max_retries: 0,
        proxy: ProxySetting::Direct,
        ..ClientConfig::default()
    })
    .unwrap()
}

/// A create with every field of CreateVideoBody set, each form of media used.
fn every_field() -> CreateVideoParams {
    CreateVideoParams {
        prompt: Some("A paper boat drifting down a rainy street".into()),
        width: Some(1280),
        height: Some(720),
        resolution: Some("720p".into()),
        ratio: Some("16:9".into()),
        seconds: Some("5".into()),
        fps: Some(24),
        steps: Some(30),
        seed: Some(42),
        guidance_scale: Some(8.0),
        output_format: Some(OutputFormat::Webm),
        output_quality: Some(20),
        negative_prompt: Some("blur".into()),
        generate_audio: Some(true),
        media: Media {
            frame_images: vec![
                FrameImage { input_image: "https://example.com/a.png".into(), frame: Some(FramePosition::First) },
                FrameImage { input_image: "https://example.com/b.png".into(), frame: Some(FramePosition::At(48.0)) },
                FrameImage { input_image: "https://example.com/c.png".into(), frame: Some(FramePosition::Last) },
                FrameImage { input_image: "https://example.com/d.png".into(), frame: None },
            ],
            frame_videos: vec!["https://example.com/start.mp4".into()],
            reference_images: vec!["https://example.com/ref.png".into()],
            reference_videos: vec!["https://example.com/ref.mp4".into()],
            source_video: Some(MediaUrl { url: "https://example.com/src.mp4".into(), as_object: true }),
            audio_inputs: vec![
                MediaUrl { url: "https://example.com/a.mp3".into(), as_object: false },
                MediaUrl { url: "https://example.com/b.mp3".into(), as_object: true },
            ],
        },
        ..CreateVideoParams::new("minimax/video-01-director")
    }
}

#[test]
#[ignore = "needs Prism: make test-contract"]
fn requests_pass_prisms_validation() {
    let client = client("TV_PRISM_URL");
    let video = client.get_video("video_abc-123").expect("GET /videos/{id} is valid");
    assert!(!video.id.is_empty());
    let created = client.create_video(&every_field(), Call::default()).expect("POST /videos with every field is valid");
    assert!(!created.id.is_empty());
    let minimal = client.create_video(&CreateVideoParams::new("m"), Call::default()).expect("a model alone is valid");
    assert!(!minimal.id.is_empty());
    let raw = client.create_video_json(r#"{"model":"m","prompt":"p","seconds":"5"}"#, Call::default());
    assert!(raw.is_ok(), "{raw:?}");
}

#[test]
#[ignore = "needs Prism: make test-contract"]
fn prism_refuses_what_the_spec_forbids() {
    // The checks work: a body the spec forbids is refused by Prism (422), so the passes
    // above mean something.
    let client = client("TV_PRISM_URL");
    let error = client.create_video_json(r#"{"model":"m","prompt":""}"#, Call::default()).unwrap_err();
    assert_eq!(error.http_status(), Some(422), "{error}");
}

#[test]
#[ignore = "needs Prism: make test-contract"]
fn every_generated_response_decodes() {
    let client = client("TV_PRISM_DYNAMIC_URL");
    for i in 0..300 {
        let video = client.get_video(&format!("video_{i}"));
        assert!(video.is_ok(), "response {i}: {video:?}");
    }
    for i in 0..20 {
        let created = client.create_video(&every_field(), Call::default());
        assert!(created.is_ok(), "create {i}: {created:?}");
    }
}
