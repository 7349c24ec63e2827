//! `TvCallOptions`: how any network call may be bounded, cancelled and followed.

use std::ffi::{c_int, c_void};
use std::ptr;

use super::boundary::{assign, free, run_infallible, UserData};
use super::cancel::TvCancelToken;
use super::error::update;
use super::result::TvResult;
use super::video::{tv_video_free, TvVideo};
use crate::cancel::CallOptions;
use crate::download::DownloadProgressFn;
use crate::model::Video;
use crate::wait::WaitProgressFn;

/// Called with each polled state of a waited-for job. `video` is borrowed for the call
/// only (copy what you keep). Return 0 to go on waiting, non-zero to stop
/// (`TV_RESULT_CANCELLED`).
pub type TvWaitProgressCallback = Option<unsafe extern "C" fn(user_data: *mut c_void, video: *const TvVideo) -> c_int>;

/// Called as a download's bytes arrive: `received` so far and `total` (-1 when
/// unknown). Return 0 to go on, non-zero to stop (`TV_RESULT_CANCELLED`).
pub type TvDownloadProgressCallback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, received: u64, total: i64) -> c_int>;

/// How a call may be bounded, cancelled and followed: the last argument but the
/// out-parameters of every network call, blocking (`tv_get_video`) and non-blocking
/// (`tv_get_video_start`) alike. NULL means none of it. Opaque; create it with
/// `tv_call_options_new`, change it with `tv_call_options_set_*`, free it with
/// `tv_call_options_free`. A call copies what it needs when it starts (the token by
/// reference), so the options may be changed or freed at once; one options object may
/// serve many calls. Do not change one from two threads at once.
///
/// Callbacks run on the thread making a blocking call, and on a library thread for a
/// `*_start` call: their `user_data` must be usable there while the call runs.
#[derive(Default)]
pub struct TvCallOptions {
    options: CallOptions,
    wait_progress: Option<(unsafe extern "C" fn(*mut c_void, *const TvVideo) -> c_int, UserData)>,
    download_progress: Option<(unsafe extern "C" fn(*mut c_void, u64, i64) -> c_int, UserData)>,
}

impl TvCallOptions {
    /// The options of `options`, or the defaults for NULL.
    pub(super) fn of(options: Option<&TvCallOptions>) -> CallOptions {
        options.map(|options| options.options.clone()).unwrap_or_default()
    }

    /// The wait progress callback as a Rust closure, showing it each state as a `TvVideo`.
    pub(super) fn wait_progress(options: Option<&TvCallOptions>) -> Option<WaitProgressFn> {
        let (callback, user_data) = options?.wait_progress?;
        Some(Box::new(move |video: &Video| {
            let Ok(view) = TvVideo::allocate(video) else { return true };
            // SAFETY: the caller gave this callback and user_data for exactly this use, and
            // `view` is a live TvVideo freed right after the call.
            let verdict = unsafe { callback(user_data.get(), view) };
            // SAFETY: `view` came from `TvVideo::allocate` and is freed once, here.
            unsafe { tv_video_free(view) };
            verdict == 0
        }))
    }

    /// The download progress callback as a Rust closure.
    pub(super) fn download_progress(options: Option<&TvCallOptions>) -> Option<DownloadProgressFn> {
        let (callback, user_data) = options?.download_progress?;
        Some(Box::new(move |received: u64, total: Option<u64>| {
            let total = total.and_then(|total| i64::try_from(total).ok()).unwrap_or(-1);
            // SAFETY: the caller gave this callback and user_data for exactly this use.
            unsafe { callback(user_data.get(), received, total) == 0 }
        }))
    }
}

/// Creates call options with nothing set: no timeout but the client's own per attempt,
/// no cancel token, no progress callbacks. NULL only if the library failed internally.
#[no_mangle]
pub extern "C" fn tv_call_options_new() -> *mut TvCallOptions {
    run_infallible(ptr::null_mut(), || Box::into_raw(Box::<TvCallOptions>::default()))
}

/// Frees call options. NULL is fine. Calls already started are not affected.
#[no_mangle]
pub unsafe extern "C" fn tv_call_options_free(options: *mut TvCallOptions) {
    // SAFETY: NULL or from `tv_call_options_new`, not freed before (shared contract).
    unsafe { free(options) }
}

/// Bounds the whole call, retries, polls and the request in flight included, to `ms`
/// milliseconds from its start (1 to 86400000); passing it gives `TV_RESULT_TIMEOUT`.
/// 0, the default, sets no bound: a wait then waits as long as the job takes.
#[no_mangle]
pub unsafe extern "C" fn tv_call_options_set_timeout_ms(options: *mut TvCallOptions, ms: i64) -> TvResult {
    // SAFETY: NULL or live options (shared contract).
    unsafe { update(options, "options", |o| assign(&mut o.options.timeout, crate::config::call_timeout_ms(ms)?)) }
}

/// Lets `token` cancel calls made with these options (`TV_RESULT_CANCELLED`), even while
/// a request waits on a server that stopped answering. A `*_start` request is cancelled
/// as `tv_request_cancel` would (its completion callback then runs on the thread
/// cancelling the token). NULL removes it. The options keep their own reference: the
/// token may be freed before them.
#[no_mangle]
pub unsafe extern "C" fn tv_call_options_set_cancel_token(
    options: *mut TvCallOptions,
    token: *const TvCancelToken,
) -> TvResult {
    // SAFETY: NULL or live options, NULL or a live token (shared contract).
    unsafe { update(options, "options", |o| assign(&mut o.options.cancel, token.as_ref().map(|t| t.token.clone()))) }
}

/// Has `*_start` requests made with these options report to their client's event queue
/// (`tv_client_next_event`) under `tag`, a number of the caller's (an index, a pointer
/// cast to an integer) that comes back in each `TvEvent`. Blocking calls ignore it.
#[no_mangle]
pub unsafe extern "C" fn tv_call_options_set_event_tag(options: *mut TvCallOptions, tag: u64) -> TvResult {
    // SAFETY: NULL or live options (shared contract).
    unsafe { update(options, "options", |o| assign(&mut o.options.event_tag, Some(tag))) }
}

/// Sets the callback a wait (`tv_wait_video`, `tv_wait_video_start`) calls with each
/// polled state; NULL `callback` removes it. Other calls ignore it.
#[no_mangle]
pub unsafe extern "C" fn tv_call_options_set_wait_progress(
    options: *mut TvCallOptions,
    callback: TvWaitProgressCallback,
    user_data: *mut c_void,
) -> TvResult {
    // SAFETY: NULL or live options (shared contract).
    unsafe { update(options, "options", |o| assign(&mut o.wait_progress, callback.map(|f| (f, UserData(user_data))))) }
}

/// Sets the callback a download (`tv_download_*`) calls as bytes arrive; NULL
/// `callback` removes it. Other calls ignore it.
#[no_mangle]
pub unsafe extern "C" fn tv_call_options_set_download_progress(
    options: *mut TvCallOptions,
    callback: TvDownloadProgressCallback,
    user_data: *mut c_void,
) -> TvResult {
    // SAFETY: NULL or live options (shared contract).
    unsafe {
        update(options, "options", |o| assign(&mut o.download_progress, callback.map(|f| (f, UserData(user_data)))))
    }
}
