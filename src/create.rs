//! `POST {base}/videos`: the parameters of `CreateVideoBody`, checked and sent.
//!
//! A create is never retried once it may have reached the server (5xx, timeout, a
//! reset after sending): a second POST could start a second, billed job. Only 429
//! and failures to connect are retried.

use serde_json::{json, Map, Number, Value};
use ureq::http::Method;

use std::sync::Arc;

use crate::cancel::{Call, CallOptions};
use crate::client::Client;
use crate::error::Error;
use crate::model::Video;
use crate::request::{Outcome, Request};

/// The longest prompt the API accepts, in characters.
pub const MAX_PROMPT_CHARS: usize = 32_000;
/// The range of `steps` the API accepts.
pub const STEPS_RANGE: std::ops::RangeInclusive<i64> = 10..=50;

// The rules of each field, in one place: `validate`, the C setters and the bindings all
// use these, and each message names the value the caller gave.

pub fn check_prompt(prompt: &str) -> Result<(), Error> {
    let chars = prompt.chars().count();
    if chars == 0 || chars > MAX_PROMPT_CHARS {
        return Err(Error::invalid(format!("prompt must be 1 to {MAX_PROMPT_CHARS} characters, not {chars}")));
    }
    Ok(())
}

pub fn check_steps(steps: i64) -> Result<(), Error> {
    if !STEPS_RANGE.contains(&steps) {
        return Err(Error::invalid(format!(
            "steps must be from {} to {}, not {steps}",
            STEPS_RANGE.start(),
            STEPS_RANGE.end()
        )));
    }
    Ok(())
}

/// Width, height, fps.
pub fn check_positive(name: &str, value: i64) -> Result<(), Error> {
    if value <= 0 {
        return Err(Error::invalid(format!("{name} must be positive, not {value}")));
    }
    Ok(())
}

pub fn check_guidance_scale(scale: f64) -> Result<(), Error> {
    if !scale.is_finite() {
        return Err(Error::invalid(format!("guidance_scale must be a finite number, not {scale}")));
    }
    Ok(())
}

pub fn check_output_quality(quality: i64) -> Result<(), Error> {
    if quality < 0 {
        return Err(Error::invalid(format!("output quality must not be negative, not {quality}")));
    }
    Ok(())
}

/// A frame number of `media.frame_images`.
pub fn check_frame(frame: f64) -> Result<(), Error> {
    if !(frame.is_finite() && frame >= 0.0) {
        return Err(Error::invalid(format!("a frame number must be finite and not negative, not {frame}")));
    }
    Ok(())
}

pub fn check_url(url: &str) -> Result<(), Error> {
    if url.trim().is_empty() {
        return Err(Error::invalid("a media URL is empty"));
    }
    Ok(())
}

/// The container of the generated video.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Mp4,
    Webm,
}

impl OutputFormat {
    /// "MP4" or "WEBM", in any case.
    pub fn parse(text: &str) -> Result<OutputFormat, Error> {
        match text.to_ascii_uppercase().as_str() {
            "MP4" => Ok(OutputFormat::Mp4),
            "WEBM" => Ok(OutputFormat::Webm),
            _ => Err(Error::invalid(format!("output format must be MP4 or WEBM, not {text:?}"))),
        }
    }
}

/// Where a frame image goes on the timeline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FramePosition {
    First,
    Last,
    /// A frame number.
    At(f64),
}

/// An image to place at a position of the timeline (`media.frame_images`).
#[derive(Debug, Clone, PartialEq)]
pub struct FrameImage {
    pub input_image: String,
    /// `None` lets the server place it.
    pub frame: Option<FramePosition>,
}

/// A media URL, sent as a plain string or as an object (`{"video": url}`, `{"audio": url}`):
/// the API accepts both for `source_video` and `audio_inputs`.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaUrl {
    pub url: String,
    pub as_object: bool,
}

/// `media`: the inputs a model type accepts (i2v, r2v, video edit...).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Media {
    pub frame_images: Vec<FrameImage>,
    pub frame_videos: Vec<String>,
    pub reference_images: Vec<String>,
    pub reference_videos: Vec<String>,
    pub source_video: Option<MediaUrl>,
    pub audio_inputs: Vec<MediaUrl>,
}

impl Media {
    fn is_empty(&self) -> bool {
        *self == Media::default()
    }
}

/// What to create. Only `model` is required; unset fields are not sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreateVideoParams {
    pub model: String,
    pub prompt: Option<String>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub resolution: Option<String>,
    pub ratio: Option<String>,
    /// The clip's length in seconds, as text (the API takes a string).
    pub seconds: Option<String>,
    pub fps: Option<i64>,
    pub steps: Option<i64>,
    pub seed: Option<i64>,
    /// Sent as a decimal (the docs use 8.0).
    pub guidance_scale: Option<f64>,
    pub output_format: Option<OutputFormat>,
    pub output_quality: Option<i64>,
    pub negative_prompt: Option<String>,
    pub generate_audio: Option<bool>,
    pub media: Media,
    /// Fields this version does not know, sent as given; they win over a typed field
    /// of the same name.
    pub extra: Map<String, Value>,
}

impl CreateVideoParams {
    pub fn new(model: impl Into<String>) -> CreateVideoParams {
        CreateVideoParams { model: model.into(), ..CreateVideoParams::default() }
    }

    /// Checks what the spec constrains: a model, a prompt of 1 to 32000 characters, steps
    /// from 10 to 50, positive sizes, finite numbers, non-empty URLs.
    pub fn validate(&self) -> Result<(), Error> {
        if self.model.trim().is_empty() {
            return Err(Error::invalid("model is required"));
        }
        if let Some(prompt) = &self.prompt {
            check_prompt(prompt)?;
        }
        for (name, value) in [("width", self.width), ("height", self.height), ("fps", self.fps)] {
            value.map_or(Ok(()), |value| check_positive(name, value))?;
        }
        self.steps.map_or(Ok(()), check_steps)?;
        self.guidance_scale.map_or(Ok(()), check_guidance_scale)?;
        self.output_quality.map_or(Ok(()), check_output_quality)?;
        let media = &self.media;
        for image in &media.frame_images {
            if let Some(FramePosition::At(frame)) = image.frame {
                check_frame(frame)?;
            }
        }
        let urls = media
            .frame_images
            .iter()
            .map(|image| &image.input_image)
            .chain(&media.frame_videos)
            .chain(&media.reference_images)
            .chain(&media.reference_videos)
            .chain(media.source_video.iter().map(|video| &video.url))
            .chain(media.audio_inputs.iter().map(|audio| &audio.url));
        for url in urls {
            check_url(url)?;
        }
        Ok(())
    }

    /// The JSON body, with only the fields that are set.
    pub fn to_json(&self) -> Value {
        let mut body = Map::new();
        let mut put = |name: &str, value: Option<Value>| {
            if let Some(value) = value {
                body.insert(name.to_owned(), value);
            }
        };
        put("model", Some(self.model.clone().into()));
        put("prompt", self.prompt.clone().map(Value::from));
        put("width", self.width.map(Value::from));
        put("height", self.height.map(Value::from));
        put("resolution", self.resolution.clone().map(Value::from));
        put("ratio", self.ratio.clone().map(Value::from));
        put("seconds", self.seconds.clone().map(Value::from));
        put("fps", self.fps.map(Value::from));
        put("steps", self.steps.map(Value::from));
        put("seed", self.seed.map(Value::from));
        put("guidance_scale", self.guidance_scale.and_then(Number::from_f64).map(Value::Number));
        let format = self.output_format.map(|format| match format {
            OutputFormat::Mp4 => "MP4",
            OutputFormat::Webm => "WEBM",
        });
        put("output_format", format.map(Value::from));
        put("output_quality", self.output_quality.map(Value::from));
        put("negative_prompt", self.negative_prompt.clone().map(Value::from));
        put("generate_audio", self.generate_audio.map(Value::from));
        put("media", (!self.media.is_empty()).then(|| media_json(&self.media)));
        body.extend(self.extra.clone());
        Value::Object(body)
    }
}

fn media_json(media: &Media) -> Value {
    let mut out = Map::new();
    let url_or_object = |media_url: &MediaUrl, key: &str| match media_url.as_object {
        true => json!({ key: media_url.url }),
        false => json!(media_url.url),
    };
    if !media.frame_images.is_empty() {
        let images = media.frame_images.iter().map(|image| {
            let mut item = json!({ "input_image": image.input_image });
            match image.frame {
                Some(FramePosition::First) => item["frame"] = "first".into(),
                Some(FramePosition::Last) => item["frame"] = "last".into(),
                Some(FramePosition::At(frame)) => item["frame"] = frame_number(frame),
                None => {}
            }
            item
        });
        out.insert("frame_images".into(), images.collect());
    }
    let videos = |urls: &[String]| urls.iter().map(|url| json!({ "video": url })).collect::<Value>();
    if !media.frame_videos.is_empty() {
        out.insert("frame_videos".into(), videos(&media.frame_videos));
    }
    if !media.reference_images.is_empty() {
        out.insert("reference_images".into(), media.reference_images.clone().into());
    }
    if !media.reference_videos.is_empty() {
        out.insert("reference_videos".into(), videos(&media.reference_videos));
    }
    if let Some(source) = &media.source_video {
        out.insert("source_video".into(), url_or_object(source, "video"));
    }
    if !media.audio_inputs.is_empty() {
        let audio = media.audio_inputs.iter().map(|audio| url_or_object(audio, "audio"));
        out.insert("audio_inputs".into(), audio.collect());
    }
    Value::Object(out)
}

/// A whole frame number goes as an integer (`48`), any other as a decimal.
fn frame_number(frame: f64) -> Value {
    if frame.fract() == 0.0 && frame <= i64::MAX as f64 {
        Value::from(frame as i64)
    } else {
        Number::from_f64(frame).map_or(Value::Null, Value::Number)
    }
}

/// Checks a caller's create body: a JSON object with a non-empty `model` string.
pub(crate) fn check_json_body(body: &str) -> Result<(), Error> {
    let value: Value =
        serde_json::from_str(body).map_err(|e| Error::invalid(format!("the body is not valid JSON: {e}")))?;
    match value.get("model") {
        Some(Value::String(model)) if !model.trim().is_empty() => Ok(()),
        _ if !value.is_object() => Err(Error::invalid("the body must be a JSON object")),
        _ => Err(Error::invalid("the body needs a \"model\" string")),
    }
}

impl Client {
    /// `POST {base}/videos`: starts a job and returns it as created.
    pub fn create_video(&self, params: &CreateVideoParams, call: Call<'_>) -> Result<Video, Error> {
        let result = params.validate().and_then(|()| self.post_video(params.to_json().to_string().as_bytes(), call));
        self.finish("create video", result)
    }

    /// `POST {base}/videos` with a body of the caller's: a JSON object with a `model`.
    /// For fields this version does not know.
    pub fn create_video_json(&self, body: &str, call: Call<'_>) -> Result<Video, Error> {
        let result = check_json_body(body).and_then(|()| self.post_video(body.as_bytes(), call));
        self.finish("create video", result)
    }

    /// [`Client::create_video`] on a library thread. The parameters are checked here.
    pub fn create_video_start(
        self: &Arc<Client>,
        params: CreateVideoParams,
        options: &CallOptions,
    ) -> Result<Request, Error> {
        params.validate()?;
        Ok(self.start_as("create video", options, move |client, call| {
            client
                .post_video(params.to_json().to_string().as_bytes(), call)
                .map(|video| Outcome::Video(Box::new(video)))
        }))
    }

    /// [`Client::create_video_json`] on a library thread. The body is checked here.
    pub fn create_video_json_start(self: &Arc<Client>, body: String, options: &CallOptions) -> Result<Request, Error> {
        check_json_body(&body)?;
        Ok(self.start_as("create video", options, move |client, call| {
            client.post_video(body.as_bytes(), call).map(|video| Outcome::Video(Box::new(video)))
        }))
    }

    fn post_video(&self, body: &[u8], call: Call<'_>) -> Result<Video, Error> {
        let url = format!("{}/videos", self.base_url());
        // The journal holds the intent before anything is sent, and the job before the
        // caller gets it: a crash in between leaves the intent, a job that may exist.
        let intent = match self.journal() {
            Some(journal) => Some(journal.creating(&model_of(body), body)?),
            None => None,
        };
        let result = self.send(Method::POST, &url, Some(body), false, call).and_then(|reply| {
            Video::from_json(reply.body).map_err(|e| self.redact(e.with_response(reply.status, reply.request_id)))
        });
        if let (Some(journal), Some(intent)) = (self.journal(), intent) {
            let recorded = match &result {
                Ok(video) => journal.created(intent, video),
                // A refusal (4xx but 408 and 429, which may follow a job made anyway): the
                // server made no job. A 2xx whose body could not be read may have made one.
                Err(error)
                    if error
                        .http_status()
                        .is_some_and(|status| (400..500).contains(&status) && status != 408 && status != 429) =>
                {
                    journal.forget(intent)
                }
                Err(_) => Ok(()),
            };
            if let Err(error) = recorded {
                self.journal_failed(&error);
            }
        }
        result
    }
}

/// The `model` of a create's body, for the journal ("" when it has none).
fn model_of(body: &[u8]) -> String {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|value| value.get("model").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn only_set_fields_are_sent() {
        assert_eq!(CreateVideoParams::new("m").to_json(), json!({"model": "m"}));
        let params = CreateVideoParams {
            prompt: Some("a cat".into()),
            guidance_scale: Some(8.0),
            seconds: Some("5".into()),
            output_format: Some(OutputFormat::Webm),
            generate_audio: Some(false),
            ..CreateVideoParams::new("m")
        };
        let body = params.to_json().to_string();
        assert!(body.contains(r#""guidance_scale":8.0"#), "a decimal: {body}");
        assert!(body.contains(r#""seconds":"5""#) && body.contains(r#""output_format":"WEBM""#), "{body}");
        assert!(!body.contains("media") && !body.contains("steps"), "{body}");
    }

    #[test]
    fn media_takes_every_documented_form() {
        let media = Media {
            frame_images: vec![
                FrameImage { input_image: "a".into(), frame: Some(FramePosition::First) },
                FrameImage { input_image: "b".into(), frame: Some(FramePosition::At(48.0)) },
                FrameImage { input_image: "c".into(), frame: Some(FramePosition::Last) },
                FrameImage { input_image: "d".into(), frame: None },
            ],
            frame_videos: vec!["fv".into()],
            reference_images: vec!["ri".into()],
            reference_videos: vec!["rv".into()],
            source_video: Some(MediaUrl { url: "sv".into(), as_object: true }),
            audio_inputs: vec![
                MediaUrl { url: "a1".into(), as_object: false },
                MediaUrl { url: "a2".into(), as_object: true },
            ],
        };
        let body = CreateVideoParams { media, ..CreateVideoParams::new("m") }.to_json();
        assert_eq!(
            body["media"],
            json!({
                "frame_images": [{"input_image": "a", "frame": "first"}, {"input_image": "b", "frame": 48},
                                 {"input_image": "c", "frame": "last"}, {"input_image": "d"}],
                "frame_videos": [{"video": "fv"}],
                "reference_images": ["ri"],
                "reference_videos": [{"video": "rv"}],
                "source_video": {"video": "sv"},
                "audio_inputs": ["a1", {"audio": "a2"}]
            })
        );
    }

    #[test]
    fn extra_fields_are_merged_last() {
        let mut params = CreateVideoParams { steps: Some(20), ..CreateVideoParams::new("m") };
        params.extra.insert("future_knob".into(), json!({"x": 1}));
        params.extra.insert("steps".into(), json!(30));
        assert_eq!(params.to_json(), json!({"model": "m", "steps": 30, "future_knob": {"x": 1}}));
    }

    #[test]
    fn spec_constraints_are_checked_before_sending() {
        let bad = [
            CreateVideoParams::new(""),
            CreateVideoParams { prompt: Some(String::new()), ..CreateVideoParams::new("m") },
            CreateVideoParams { prompt: Some("é".repeat(32_001)), ..CreateVideoParams::new("m") },
            CreateVideoParams { steps: Some(9), ..CreateVideoParams::new("m") },
            CreateVideoParams { steps: Some(51), ..CreateVideoParams::new("m") },
            CreateVideoParams { guidance_scale: Some(f64::NAN), ..CreateVideoParams::new("m") },
        ];
        for params in bad {
            assert_eq!(params.validate().unwrap_err().kind(), ErrorKind::InvalidArgument, "{params:?}");
        }
        let good =
            CreateVideoParams { prompt: Some("é".repeat(32_000)), steps: Some(50), ..CreateVideoParams::new("m") };
        assert!(good.validate().is_ok());
    }
}
