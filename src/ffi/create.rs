//! `TvCreateParams` and `tv_create_video`: starting a job from C.

use std::ffi::{c_char, c_int};
use std::ptr;

use super::boundary::{free, handle, optional_str_arg, out_param, run, run_infallible, str_arg, update};
use super::client::TvClient;
use super::error::TvError;
use super::result::TvResult;
use super::video::TvVideo;
use crate::cancel::Call;
use crate::create::{CreateVideoParams, FrameImage, FramePosition, MediaUrl, OutputFormat, STEPS_RANGE};
use crate::error::Error;

/// `tv_create_params_add_frame_image`: let the server place the frame.
pub const TV_FRAME_AUTO: c_int = 0;
/// `tv_create_params_add_frame_image`: the first frame.
pub const TV_FRAME_FIRST: c_int = 1;
/// `tv_create_params_add_frame_image`: the last frame.
pub const TV_FRAME_LAST: c_int = 2;
/// `tv_create_params_add_frame_image`: the frame number given.
pub const TV_FRAME_AT: c_int = 3;

/// What to create: the fields of Together's `CreateVideoBody`. Opaque; create it with
/// `tv_create_params_new`, set fields with `tv_create_params_set_*` / `_add_*`, free it
/// with `tv_create_params_free`. Only the model is required; unset fields are not sent.
/// Strings are copied. Each setter checks what it can at once and returns
/// `TV_RESULT_INVALID_ARGUMENT` (with `tv_last_error_message`) for NULL `params`, invalid
/// UTF-8 or a value out of range; NULL for a string field unsets it.
///
/// Thread-safety: not synchronised; do not change it from two threads at once. It may be
/// read by several `tv_create_video` calls at once.
pub struct TvCreateParams {
    params: CreateVideoParams,
}

/// Creates empty create parameters. Set the model before creating. NULL only if the
/// library failed internally.
#[no_mangle]
pub extern "C" fn tv_create_params_new() -> *mut TvCreateParams {
    run_infallible(ptr::null_mut(), || Box::into_raw(Box::new(TvCreateParams { params: CreateVideoParams::default() })))
}

/// Frees create parameters. NULL is fine. Must not be called twice.
///
/// # Safety
/// `params` must be NULL or a pointer from `tv_create_params_new`, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_free(params: *mut TvCreateParams) {
    // SAFETY: NULL or from `Box::into_raw` in `tv_create_params_new`, not freed (contract).
    unsafe { free(params) }
}

/// Applies `change` to live parameters inside the panic boundary.
///
/// # Safety
/// `params` must be NULL or live parameters not used by another thread.
unsafe fn set(
    params: *mut TvCreateParams,
    change: impl FnOnce(&mut CreateVideoParams) -> Result<(), Error>,
) -> TvResult {
    // SAFETY: forwarded contract of the calling setter.
    unsafe { update(params, "params", |params| change(&mut params.params)) }
}

/// The text of a string argument; NULL unsets the field.
///
/// # Safety
/// `text` must be NULL or a NUL-terminated string.
unsafe fn text(text: *const c_char, name: &str) -> Result<Option<String>, Error> {
    // SAFETY: forwarded contract.
    Ok(unsafe { optional_str_arg(text, name) }?.map(str::to_owned))
}

/// A URL argument that must be there.
///
/// # Safety
/// `url` must be NULL or a NUL-terminated string.
unsafe fn url(url: *const c_char) -> Result<String, Error> {
    // SAFETY: forwarded contract.
    let url = unsafe { str_arg(url, "url") }?;
    if url.trim().is_empty() {
        return Err(Error::invalid("url is empty"));
    }
    Ok(url.to_owned())
}

fn positive(value: i64, name: &str) -> Result<Option<i64>, Error> {
    if value <= 0 {
        return Err(Error::invalid(format!("{name} must be positive, not {value}")));
    }
    Ok(Some(value))
}

/// Sets the model, e.g. "minimax/video-01-director". Required.
///
/// # Safety
/// `params` must be NULL or live parameters; `model` NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_model(params: *mut TvCreateParams, model: *const c_char) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(params, |p| {
            p.model = text(model, "model")?.unwrap_or_default();
            Ok(())
        })
    }
}

/// Sets the prompt: 1 to 32000 characters.
///
/// # Safety
/// `params` must be NULL or live parameters; `prompt` NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_prompt(params: *mut TvCreateParams, prompt: *const c_char) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(params, |p| {
            let prompt = text(prompt, "prompt")?;
            let chars = prompt.as_deref().map_or(1, |prompt| prompt.chars().count());
            if !(1..=crate::create::MAX_PROMPT_CHARS).contains(&chars) {
                return Err(Error::invalid(format!("prompt must be 1 to 32000 characters, not {chars}")));
            }
            p.prompt = prompt;
            Ok(())
        })
    }
}

/// Sets what the video should avoid.
///
/// # Safety
/// `params` must be NULL or live parameters; `negative_prompt` NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_negative_prompt(
    params: *mut TvCreateParams,
    negative_prompt: *const c_char,
) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(params, |p| {
            p.negative_prompt = text(negative_prompt, "negative_prompt")?;
            Ok(())
        })
    }
}

/// Sets the width in pixels (positive).
///
/// # Safety
/// `params` must be NULL or live parameters.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_width(params: *mut TvCreateParams, width: i64) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(params, |p| {
            p.width = positive(width, "width")?;
            Ok(())
        })
    }
}

/// Sets the height in pixels (positive).
///
/// # Safety
/// `params` must be NULL or live parameters.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_height(params: *mut TvCreateParams, height: i64) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(params, |p| {
            p.height = positive(height, "height")?;
            Ok(())
        })
    }
}

/// Sets the resolution, e.g. "720p".
///
/// # Safety
/// `params` must be NULL or live parameters; `resolution` NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_resolution(
    params: *mut TvCreateParams,
    resolution: *const c_char,
) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(params, |p| {
            p.resolution = text(resolution, "resolution")?;
            Ok(())
        })
    }
}

/// Sets the aspect ratio, e.g. "16:9".
///
/// # Safety
/// `params` must be NULL or live parameters; `ratio` NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_ratio(params: *mut TvCreateParams, ratio: *const c_char) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(params, |p| {
            p.ratio = text(ratio, "ratio")?;
            Ok(())
        })
    }
}

/// Sets the clip's length in seconds, as text (the API takes a string), e.g. "5".
///
/// # Safety
/// `params` must be NULL or live parameters; `seconds` NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_seconds(params: *mut TvCreateParams, seconds: *const c_char) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(params, |p| {
            p.seconds = text(seconds, "seconds")?;
            Ok(())
        })
    }
}

/// Sets frames per second (positive; the server's default is 24).
///
/// # Safety
/// `params` must be NULL or live parameters.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_fps(params: *mut TvCreateParams, fps: i64) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(params, |p| {
            p.fps = positive(fps, "fps")?;
            Ok(())
        })
    }
}

/// Sets the denoising steps: 10 to 50.
///
/// # Safety
/// `params` must be NULL or live parameters.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_steps(params: *mut TvCreateParams, steps: i64) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(params, |p| {
            if !STEPS_RANGE.contains(&steps) {
                return Err(Error::invalid(format!("steps must be from 10 to 50, not {steps}")));
            }
            p.steps = Some(steps);
            Ok(())
        })
    }
}

/// Sets the seed, for repeatable results.
///
/// # Safety
/// `params` must be NULL or live parameters.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_seed(params: *mut TvCreateParams, seed: i64) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(params, |p| {
            p.seed = Some(seed);
            Ok(())
        })
    }
}

/// Sets how closely the video follows the prompt (sent as a decimal, e.g. 8.0). Finite.
///
/// # Safety
/// `params` must be NULL or live parameters.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_guidance_scale(
    params: *mut TvCreateParams,
    guidance_scale: f64,
) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(params, |p| {
            if !guidance_scale.is_finite() {
                return Err(Error::invalid("guidance_scale must be a finite number"));
            }
            p.guidance_scale = Some(guidance_scale);
            Ok(())
        })
    }
}

/// Sets the container: "MP4" or "WEBM" (any case).
///
/// # Safety
/// `params` must be NULL or live parameters; `format` NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_output_format(
    params: *mut TvCreateParams,
    format: *const c_char,
) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(params, |p| {
            p.output_format = match text(format, "format")?.map(|f| f.to_ascii_uppercase()).as_deref() {
                None => None,
                Some("MP4") => Some(OutputFormat::Mp4),
                Some("WEBM") => Some(OutputFormat::Webm),
                Some(other) => return Err(Error::invalid(format!("output format must be MP4 or WEBM, not {other:?}"))),
            };
            Ok(())
        })
    }
}

/// Sets the compression quality (not negative; the server's default is 20).
///
/// # Safety
/// `params` must be NULL or live parameters.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_output_quality(params: *mut TvCreateParams, quality: i64) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(params, |p| {
            if quality < 0 {
                return Err(Error::invalid(format!("output quality must not be negative, not {quality}")));
            }
            p.output_quality = Some(quality);
            Ok(())
        })
    }
}

/// Non-zero: generate audio; zero: do not.
///
/// # Safety
/// `params` must be NULL or live parameters.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_generate_audio(params: *mut TvCreateParams, enabled: c_int) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(params, |p| {
            p.generate_audio = Some(enabled != 0);
            Ok(())
        })
    }
}

/// Adds an image at a position of the timeline (`media.frame_images`): `position` is
/// `TV_FRAME_AUTO`, `TV_FRAME_FIRST`, `TV_FRAME_LAST`, or `TV_FRAME_AT` with `frame` the
/// frame number (finite, not negative; ignored otherwise).
///
/// # Safety
/// `params` must be NULL or live parameters; `image_url` NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_add_frame_image(
    params: *mut TvCreateParams,
    image_url: *const c_char,
    position: c_int,
    frame: f64,
) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(params, |p| {
            let input_image = url(image_url)?;
            let frame = match position {
                TV_FRAME_AUTO => None,
                TV_FRAME_FIRST => Some(FramePosition::First),
                TV_FRAME_LAST => Some(FramePosition::Last),
                TV_FRAME_AT if frame.is_finite() && frame >= 0.0 => Some(FramePosition::At(frame)),
                TV_FRAME_AT => return Err(Error::invalid("frame must be a finite number, not negative")),
                other => return Err(Error::invalid(format!("position {other} is not a TV_FRAME_* value"))),
            };
            p.media.frame_images.push(FrameImage { input_image, frame });
            Ok(())
        })
    }
}

/// Adds a starting clip (`media.frame_videos`).
///
/// # Safety
/// `params` must be NULL or live parameters; `video_url` NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_add_frame_video(
    params: *mut TvCreateParams,
    video_url: *const c_char,
) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(params, |p| {
            p.media.frame_videos.push(url(video_url)?);
            Ok(())
        })
    }
}

/// Adds an image that guides the general appearance (`media.reference_images`).
///
/// # Safety
/// `params` must be NULL or live parameters; `image_url` NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_add_reference_image(
    params: *mut TvCreateParams,
    image_url: *const c_char,
) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(params, |p| {
            p.media.reference_images.push(url(image_url)?);
            Ok(())
        })
    }
}

/// Adds a reference video (`media.reference_videos`).
///
/// # Safety
/// `params` must be NULL or live parameters; `video_url` NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_add_reference_video(
    params: *mut TvCreateParams,
    video_url: *const c_char,
) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(params, |p| {
            p.media.reference_videos.push(url(video_url)?);
            Ok(())
        })
    }
}

/// Sets the video to edit (`media.source_video`), sent as a URL string, or as
/// `{"video": url}` when `as_object` is non-zero. NULL `video_url` unsets it.
///
/// # Safety
/// `params` must be NULL or live parameters; `video_url` NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_source_video(
    params: *mut TvCreateParams,
    video_url: *const c_char,
    as_object: c_int,
) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(params, |p| {
            p.media.source_video = match video_url.is_null() {
                true => None,
                false => Some(MediaUrl { url: url(video_url)?, as_object: as_object != 0 }),
            };
            Ok(())
        })
    }
}

/// Adds an audio input (`media.audio_inputs`), sent as a URL string, or as
/// `{"audio": url}` when `as_object` is non-zero.
///
/// # Safety
/// `params` must be NULL or live parameters; `audio_url` NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_add_audio_input(
    params: *mut TvCreateParams,
    audio_url: *const c_char,
    as_object: c_int,
) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(params, |p| {
            p.media.audio_inputs.push(MediaUrl { url: url(audio_url)?, as_object: as_object != 0 });
            Ok(())
        })
    }
}

/// Sets a field this version does not know to a JSON value (`json_value` is JSON text,
/// e.g. `"{\"x\":1}"` or `"true"`); it is sent as given and wins over a typed setter of
/// the same name. NULL `json_value` removes the field.
///
/// # Safety
/// `params` must be NULL or live parameters; `name` and `json_value` NULL or NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_json_field(
    params: *mut TvCreateParams,
    name: *const c_char,
    json_value: *const c_char,
) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(params, |p| {
            let name = str_arg(name, "name")?;
            if name.is_empty() {
                return Err(Error::invalid("name is empty"));
            }
            match optional_str_arg(json_value, "json_value")? {
                None => {
                    p.extra.remove(name);
                }
                Some(json) => {
                    let value = serde_json::from_str(json)
                        .map_err(|e| Error::invalid(format!("json_value for {name:?} is not valid JSON: {e}")))?;
                    p.extra.insert(name.to_owned(), value);
                }
            }
            Ok(())
        })
    }
}

/// Creates a video job: `POST {base}/videos` with the fields set in `params`, checked
/// first (a model; a prompt of 1 to 32000 characters; steps 10 to 50), and returns the
/// job as created (usually `queued`).
///
/// Never retried once the request may have reached the server (5xx, a timeout, a reset
/// after sending): a second POST could start a second, billed job. Only 429 and
/// failures to connect are retried. On success writes a new `TvVideo` to `*out_video`;
/// on failure leaves it and writes a `TvError` to `*out_error` if not NULL.
/// Blocks for up to the client's timeout per attempt. Thread-safe.
///
/// # Safety
/// `client` NULL or a live client; `params` NULL or live parameters; `out_video` and
/// `out_error` NULL or pointing to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn tv_create_video(
    client: *const TvClient,
    params: *const TvCreateParams,
    out_video: *mut *mut TvVideo,
    out_error: *mut *mut TvError,
) -> TvResult {
    run(out_error, || {
        // SAFETY: NULL or live handles, not freed concurrently (contract).
        let (client, params) = unsafe { (handle(client, "client")?, handle(params, "params")?) };
        let out_video = out_param(out_video, "out_video")?;
        let video = TvVideo::allocate(client.inner.create_video(&params.params, Call::default())?)?;
        // SAFETY: `out_video` is non-NULL (checked) and points to writable storage (contract).
        unsafe { out_video.write(video) };
        Ok(())
    })
}

/// Creates a video job from a JSON body of your own (a JSON object with a "model"
/// string), for fields this version does not know. Otherwise as `tv_create_video`.
///
/// # Safety
/// `client` NULL or a live client; `json_body` NULL or a NUL-terminated string;
/// `out_video` and `out_error` NULL or pointing to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn tv_create_video_json(
    client: *const TvClient,
    json_body: *const c_char,
    out_video: *mut *mut TvVideo,
    out_error: *mut *mut TvError,
) -> TvResult {
    run(out_error, || {
        // SAFETY: NULL or a live client; NULL or a NUL-terminated string (contract).
        let (client, body) = unsafe { (handle(client, "client")?, str_arg(json_body, "json_body")?) };
        let out_video = out_param(out_video, "out_video")?;
        let video = TvVideo::allocate(client.inner.create_video_json(body, Call::default())?)?;
        // SAFETY: `out_video` is non-NULL (checked) and points to writable storage (contract).
        unsafe { out_video.write(video) };
        Ok(())
    })
}

impl TvCreateParams {
    pub(super) fn params(&self) -> &CreateVideoParams {
        &self.params
    }
}
