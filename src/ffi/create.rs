//! `TvCreateParams` and `tv_create_video`: starting a job from C.

use std::ffi::{c_char, c_int};
use std::ptr;

use super::boundary::{append, assign, free, handle, optional_str_arg, run_infallible, str_arg, Out};
use super::call::TvCallOptions;
use super::client::TvClient;
use super::error::{run, update, TvError};
use super::request::{start, TvRequest};
use super::result::TvResult;
use super::video::TvVideo;
use crate::create::{self as rules, CreateVideoParams, FrameImage, FramePosition, MediaUrl, OutputFormat};
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

/// Frees create parameters. NULL is fine.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_free(params: *mut TvCreateParams) {
    // SAFETY: NULL or from `tv_create_params_new`, not freed before (shared contract).
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

/// A text field: NULL unsets it; `check` is the core's rule for it.
///
/// # Safety
/// As [`set`]; `value` NULL or a NUL-terminated string.
unsafe fn set_text(
    params: *mut TvCreateParams,
    value: *const c_char,
    name: &str,
    check: fn(&str) -> Result<(), Error>,
    field: fn(&mut CreateVideoParams) -> &mut Option<String>,
) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(params, |p| {
            let value = optional_str_arg(value, name)?.map(str::to_owned);
            value.as_deref().map_or(Ok(()), check)?;
            assign(field(p), value)
        })
    }
}

/// A number field, checked by the core's rule for it.
///
/// # Safety
/// As [`set`].
unsafe fn set_number<T>(
    params: *mut TvCreateParams,
    value: T,
    check: impl FnOnce(T) -> Result<(), Error>,
    field: fn(&mut CreateVideoParams) -> &mut Option<T>,
) -> TvResult
where
    T: Copy,
{
    // SAFETY: forwarded contract.
    unsafe {
        set(params, |p| {
            check(value)?;
            assign(field(p), Some(value))
        })
    }
}

/// A media URL to add: required and not empty.
///
/// # Safety
/// As [`set`]; `url` NULL or a NUL-terminated string.
unsafe fn add_url(
    params: *mut TvCreateParams,
    url: *const c_char,
    field: fn(&mut CreateVideoParams) -> &mut Vec<String>,
) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe { set(params, |p| append(field(p), media_url(url)?)) }
}

/// A media URL argument, checked by the core's rule.
///
/// # Safety
/// `url` must be NULL or a NUL-terminated string.
unsafe fn media_url(url: *const c_char) -> Result<String, Error> {
    // SAFETY: forwarded contract.
    let url = unsafe { str_arg(url, "url") }?;
    rules::check_url(url)?;
    Ok(url.to_owned())
}

fn any_text(_: &str) -> Result<(), Error> {
    Ok(())
}

fn any_number<T>(_: T) -> Result<(), Error> {
    Ok(())
}

/// Sets the model, e.g. "minimax/video-01-director". Required.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_model(params: *mut TvCreateParams, model: *const c_char) -> TvResult {
    // SAFETY: shared contract.
    unsafe { set(params, |p| assign(&mut p.model, optional_str_arg(model, "model")?.unwrap_or_default().to_owned())) }
}

/// Sets the prompt: 1 to 32000 characters.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_prompt(params: *mut TvCreateParams, prompt: *const c_char) -> TvResult {
    // SAFETY: shared contract.
    unsafe { set_text(params, prompt, "prompt", rules::check_prompt, |p| &mut p.prompt) }
}

/// Sets what the video should avoid.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_negative_prompt(
    params: *mut TvCreateParams,
    text: *const c_char,
) -> TvResult {
    // SAFETY: shared contract.
    unsafe { set_text(params, text, "negative_prompt", any_text, |p| &mut p.negative_prompt) }
}

/// Sets the width in pixels (positive).
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_width(params: *mut TvCreateParams, width: i64) -> TvResult {
    // SAFETY: shared contract.
    unsafe { set_number(params, width, |v| rules::check_positive("width", v), |p| &mut p.width) }
}

/// Sets the height in pixels (positive).
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_height(params: *mut TvCreateParams, height: i64) -> TvResult {
    // SAFETY: shared contract.
    unsafe { set_number(params, height, |v| rules::check_positive("height", v), |p| &mut p.height) }
}

/// Sets the resolution, e.g. "720p".
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_resolution(params: *mut TvCreateParams, text: *const c_char) -> TvResult {
    // SAFETY: shared contract.
    unsafe { set_text(params, text, "resolution", any_text, |p| &mut p.resolution) }
}

/// Sets the aspect ratio, e.g. "16:9".
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_ratio(params: *mut TvCreateParams, text: *const c_char) -> TvResult {
    // SAFETY: shared contract.
    unsafe { set_text(params, text, "ratio", any_text, |p| &mut p.ratio) }
}

/// Sets the clip's length in seconds, as text (the API takes a string), e.g. "5".
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_seconds(params: *mut TvCreateParams, text: *const c_char) -> TvResult {
    // SAFETY: shared contract.
    unsafe { set_text(params, text, "seconds", any_text, |p| &mut p.seconds) }
}

/// Sets frames per second (positive; the server's default is 24).
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_fps(params: *mut TvCreateParams, fps: i64) -> TvResult {
    // SAFETY: shared contract.
    unsafe { set_number(params, fps, |v| rules::check_positive("fps", v), |p| &mut p.fps) }
}

/// Sets the denoising steps: 10 to 50.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_steps(params: *mut TvCreateParams, steps: i64) -> TvResult {
    // SAFETY: shared contract.
    unsafe { set_number(params, steps, rules::check_steps, |p| &mut p.steps) }
}

/// Sets the seed, for repeatable results.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_seed(params: *mut TvCreateParams, seed: i64) -> TvResult {
    // SAFETY: shared contract.
    unsafe { set_number(params, seed, any_number, |p| &mut p.seed) }
}

/// Sets how closely the video follows the prompt (sent as a decimal, e.g. 8.0). Finite.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_guidance_scale(params: *mut TvCreateParams, scale: f64) -> TvResult {
    // SAFETY: shared contract.
    unsafe { set_number(params, scale, rules::check_guidance_scale, |p| &mut p.guidance_scale) }
}

/// Sets the compression quality (not negative; the server's default is 20).
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_output_quality(params: *mut TvCreateParams, quality: i64) -> TvResult {
    // SAFETY: shared contract.
    unsafe { set_number(params, quality, rules::check_output_quality, |p| &mut p.output_quality) }
}

/// Non-zero: generate audio; zero: do not.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_generate_audio(params: *mut TvCreateParams, enabled: c_int) -> TvResult {
    // SAFETY: shared contract.
    unsafe { set_number(params, enabled != 0, any_number, |p| &mut p.generate_audio) }
}

/// Sets the container: "MP4" or "WEBM" (any case); NULL unsets it.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_output_format(
    params: *mut TvCreateParams,
    format: *const c_char,
) -> TvResult {
    // SAFETY: shared contract.
    unsafe {
        set(params, |p| {
            let format = optional_str_arg(format, "format")?.map(OutputFormat::parse).transpose()?;
            assign(&mut p.output_format, format)
        })
    }
}

/// Adds an image at a position of the timeline (`media.frame_images`): `position` is
/// `TV_FRAME_AUTO`, `TV_FRAME_FIRST`, `TV_FRAME_LAST`, or `TV_FRAME_AT` with `frame` the
/// frame number (finite, not negative; ignored otherwise).
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_add_frame_image(
    params: *mut TvCreateParams,
    image_url: *const c_char,
    position: c_int,
    frame: f64,
) -> TvResult {
    // SAFETY: shared contract.
    unsafe {
        set(params, |p| {
            let input_image = media_url(image_url)?;
            let frame = match position {
                TV_FRAME_AUTO => None,
                TV_FRAME_FIRST => Some(FramePosition::First),
                TV_FRAME_LAST => Some(FramePosition::Last),
                TV_FRAME_AT => Some(FramePosition::At(rules::check_frame(frame).map(|()| frame)?)),
                other => return Err(Error::invalid(format!("position {other} is not a TV_FRAME_* value"))),
            };
            p.media.frame_images.push(FrameImage { input_image, frame });
            Ok(())
        })
    }
}

/// Adds a starting clip (`media.frame_videos`).
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_add_frame_video(params: *mut TvCreateParams, url: *const c_char) -> TvResult {
    // SAFETY: shared contract.
    unsafe { add_url(params, url, |p| &mut p.media.frame_videos) }
}

/// Adds an image that guides the general appearance (`media.reference_images`).
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_add_reference_image(
    params: *mut TvCreateParams,
    url: *const c_char,
) -> TvResult {
    // SAFETY: shared contract.
    unsafe { add_url(params, url, |p| &mut p.media.reference_images) }
}

/// Adds a reference video (`media.reference_videos`).
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_add_reference_video(
    params: *mut TvCreateParams,
    url: *const c_char,
) -> TvResult {
    // SAFETY: shared contract.
    unsafe { add_url(params, url, |p| &mut p.media.reference_videos) }
}

/// Sets the video to edit (`media.source_video`), sent as a URL string, or as
/// `{"video": url}` when `as_object` is non-zero. NULL `url` unsets it.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_source_video(
    params: *mut TvCreateParams,
    url: *const c_char,
    as_object: c_int,
) -> TvResult {
    // SAFETY: shared contract.
    unsafe {
        set(params, |p| {
            let video = (!url.is_null()).then(|| media_url(url)).transpose()?;
            assign(&mut p.media.source_video, video.map(|url| MediaUrl { url, as_object: as_object != 0 }))
        })
    }
}

/// Adds an audio input (`media.audio_inputs`), sent as a URL string, or as
/// `{"audio": url}` when `as_object` is non-zero.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_add_audio_input(
    params: *mut TvCreateParams,
    url: *const c_char,
    as_object: c_int,
) -> TvResult {
    // SAFETY: shared contract.
    unsafe {
        set(params, |p| append(&mut p.media.audio_inputs, MediaUrl { url: media_url(url)?, as_object: as_object != 0 }))
    }
}

/// Sets a field this version does not know to a JSON value (`json_value` is JSON text,
/// e.g. `"{\"x\":1}"` or `"true"`); it is sent as given and wins over a typed setter of
/// the same name. NULL `json_value` removes the field.
#[no_mangle]
pub unsafe extern "C" fn tv_create_params_set_json_field(
    params: *mut TvCreateParams,
    name: *const c_char,
    json_value: *const c_char,
) -> TvResult {
    // SAFETY: shared contract.
    unsafe {
        set(params, |p| {
            let name = str_arg(name, "name")?;
            if name.is_empty() {
                return Err(Error::invalid("name is empty"));
            }
            match optional_str_arg(json_value, "json_value")? {
                None => p.extra.remove(name),
                Some(json) => {
                    let value = serde_json::from_str(json)
                        .map_err(|e| Error::invalid(format!("json_value for {name:?} is not valid JSON: {e}")))?;
                    p.extra.insert(name.to_owned(), value)
                }
            };
            Ok(())
        })
    }
}

/// Creates a video job: `POST {base}/videos` with the fields set in `params`, checked
/// first (a model; a prompt of 1 to 32000 characters; steps 10 to 50), and returns the
/// job as created (usually `queued`). `call` may be NULL.
///
/// Never retried once the request may have reached the server (5xx, a timeout, a reset
/// after sending): a second POST could start a second, billed job. Only 429 and
/// failures to connect are retried. Blocks for up to the client's timeout per attempt,
/// or `call`'s.
#[no_mangle]
pub unsafe extern "C" fn tv_create_video(
    client: *const TvClient,
    params: *const TvCreateParams,
    call: *const TvCallOptions,
    out_video: *mut *mut TvVideo,
    out_error: *mut *mut TvError,
) -> TvResult {
    run(out_error, || {
        // SAFETY: NULL or live handles and out-parameters (shared contract).
        let (client, params, call, out_video) = unsafe {
            (handle(client, "client")?, handle(params, "params")?, call.as_ref(), Out::new(out_video, "out_video")?)
        };
        let options = TvCallOptions::of(call);
        out_video.write(TvVideo::allocate(&client.inner.create_video(&params.params, options.call())?)?);
        Ok(())
    })
}

/// `tv_create_video` without blocking. `params` are checked here and copied: they may be
/// freed at once. The request's result is the created `TvVideo`.
#[no_mangle]
pub unsafe extern "C" fn tv_create_video_start(
    client: *const TvClient,
    params: *const TvCreateParams,
    call: *const TvCallOptions,
    out_request: *mut *mut TvRequest,
    out_error: *mut *mut TvError,
) -> TvResult {
    start(out_request, out_error, || {
        // SAFETY: NULL or live handles (shared contract).
        let (client, params, call) = unsafe { (handle(client, "client")?, handle(params, "params")?, call.as_ref()) };
        client.inner.create_video_start(params.params.clone(), &TvCallOptions::of(call))
    })
}

/// Creates a video job from a JSON body of your own (a JSON object with a "model"
/// string), for fields this version does not know. Otherwise as `tv_create_video`.
#[no_mangle]
pub unsafe extern "C" fn tv_create_video_json(
    client: *const TvClient,
    json_body: *const c_char,
    call: *const TvCallOptions,
    out_video: *mut *mut TvVideo,
    out_error: *mut *mut TvError,
) -> TvResult {
    run(out_error, || {
        // SAFETY: NULL or live handles, strings and out-parameters (shared contract).
        let (client, body, call, out_video) = unsafe {
            (
                handle(client, "client")?,
                str_arg(json_body, "json_body")?,
                call.as_ref(),
                Out::new(out_video, "out_video")?,
            )
        };
        let options = TvCallOptions::of(call);
        out_video.write(TvVideo::allocate(&client.inner.create_video_json(body, options.call())?)?);
        Ok(())
    })
}

/// `tv_create_video_json` without blocking. The body is checked here and copied.
#[no_mangle]
pub unsafe extern "C" fn tv_create_video_json_start(
    client: *const TvClient,
    json_body: *const c_char,
    call: *const TvCallOptions,
    out_request: *mut *mut TvRequest,
    out_error: *mut *mut TvError,
) -> TvResult {
    start(out_request, out_error, || {
        // SAFETY: NULL or live handles and strings (shared contract).
        let (client, body, call) =
            unsafe { (handle(client, "client")?, str_arg(json_body, "json_body")?, call.as_ref()) };
        client.inner.create_video_json_start(body.to_owned(), &TvCallOptions::of(call))
    })
}
