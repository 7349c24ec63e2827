//! `TvWaitOptions` and `tv_wait_video`: waiting for a job to finish.

use std::ffi::c_char;
use std::ptr;

use super::boundary::{assign, free, handle, run_infallible, str_arg, Out};
use super::call::TvCallOptions;
use super::client::TvClient;
use super::error::{run, update, TvError};
use super::request::{start, TvRequest};
use super::result::TvResult;
use super::video::TvVideo;
use crate::wait::{poll_interval_ms, WaitOptions};

/// What is particular to a wait: the time between polls (its bound, cancel token and
/// progress callback are the call's: see `TvCallOptions`). Opaque; create with
/// `tv_wait_options_new`, change with `tv_wait_options_set_*`, free with
/// `tv_wait_options_free`. Copied when a wait starts. Do not change one from two threads
/// at once.
#[derive(Default)]
pub struct TvWaitOptions {
    options: WaitOptions,
}

impl TvWaitOptions {
    /// The options of `options`, or the defaults for NULL.
    pub(super) fn of(options: Option<&TvWaitOptions>) -> WaitOptions {
        options.map(|options| options.options).unwrap_or_default()
    }
}

/// Creates wait options holding the defaults (a poll every 2 s). NULL only if the
/// library failed internally.
#[no_mangle]
pub extern "C" fn tv_wait_options_new() -> *mut TvWaitOptions {
    run_infallible(ptr::null_mut(), || Box::into_raw(Box::<TvWaitOptions>::default()))
}

/// Frees wait options. NULL is fine.
#[no_mangle]
pub unsafe extern "C" fn tv_wait_options_free(options: *mut TvWaitOptions) {
    // SAFETY: NULL or from `tv_wait_options_new`, not freed before (shared contract).
    unsafe { free(options) }
}

/// Sets the time between polls, in milliseconds: 1 to 3600000. Default 2000. A server's
/// `Retry-After` on a poll may lengthen the interval, never shorten it. Each poll comes
/// up to 20% later than the interval, at random, so that the polls of many jobs started
/// together spread out rather than reach the server at once.
#[no_mangle]
pub unsafe extern "C" fn tv_wait_options_set_poll_interval_ms(options: *mut TvWaitOptions, ms: i64) -> TvResult {
    // SAFETY: NULL or live options (shared contract).
    unsafe { update(options, "options", |o| assign(&mut o.options.poll_interval, poll_interval_ms(ms)?)) }
}

/// Waits for a job: polls `GET /videos/{id}` until its status is `completed`, `failed`
/// or `cancelled`, and returns that final state as a `TvVideo` with `TV_RESULT_OK` (a
/// failed job is a result: read its `error_*` fields). `queued` and `in_progress` keep
/// waiting; any status this version does not know (`TV_VIDEO_STATUS_UNKNOWN`) is
/// returned at once rather than polled for ever.
///
/// `wait` and `call` may be NULL. `call`'s timeout bounds the whole wait, the request in
/// flight included (`TV_RESULT_TIMEOUT`); without one it waits as long as the job takes.
/// `TV_RESULT_CANCELLED` when the progress callback returns non-zero or the cancel token
/// is cancelled; any error of `tv_get_video` when a poll fails after its retries.
#[no_mangle]
pub unsafe extern "C" fn tv_wait_video(
    client: *const TvClient,
    id: *const c_char,
    wait: *const TvWaitOptions,
    call: *const TvCallOptions,
    out_video: *mut *mut TvVideo,
    out_error: *mut *mut TvError,
) -> TvResult {
    run(out_error, || {
        // SAFETY: NULL or live handles, strings and out-parameters (shared contract).
        let (client, id, wait, call, out_video) = unsafe {
            (
                handle(client, "client")?,
                str_arg(id, "id")?,
                wait.as_ref(),
                call.as_ref(),
                Out::new(out_video, "out_video")?,
            )
        };
        let (options, mut progress) = (TvCallOptions::of(call), TvCallOptions::wait_progress(call));
        let progress = progress.as_mut().map(|p| &mut **p as crate::wait::Progress<'_>);
        let wait = wait.map(|wait| wait.options).unwrap_or_default();
        out_video.write(TvVideo::allocate(&client.inner.wait_video(id, &wait, options.call(), progress)?)?);
        Ok(())
    })
}

/// `tv_wait_video` without blocking: polls are scheduled on the library's threads, which
/// also run the progress callback; a wait holds no thread between polls. The options are
/// copied and the timeout counts from now. The request's result is the final `TvVideo`.
#[no_mangle]
pub unsafe extern "C" fn tv_wait_video_start(
    client: *const TvClient,
    id: *const c_char,
    wait: *const TvWaitOptions,
    call: *const TvCallOptions,
    out_request: *mut *mut TvRequest,
    out_error: *mut *mut TvError,
) -> TvResult {
    start(out_request, out_error, || {
        // SAFETY: NULL or live handles and strings (shared contract).
        let (client, id, wait, call) =
            unsafe { (handle(client, "client")?, str_arg(id, "id")?, wait.as_ref(), call.as_ref()) };
        let wait = wait.map(|wait| wait.options).unwrap_or_default();
        client.inner.wait_video_start(id, wait, &TvCallOptions::of(call), TvCallOptions::wait_progress(call))
    })
}
