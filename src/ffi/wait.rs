//! `TvWaitOptions` and `tv_wait_video`: waiting for a job to finish.

use std::ffi::{c_char, c_int, c_void};
use std::ptr;
use std::time::{Duration, Instant};

use super::boundary::{free, handle, out_param, run, run_infallible, str_arg, update, UserData};
use super::cancel::TvCancelToken;
use super::client::TvClient;
use super::error::TvError;
use super::result::TvResult;
use super::video::{tv_video_free, TvVideo};
use crate::cancel::CancelToken;
use crate::error::Error;
use crate::executor::WaitProgressFn;
use crate::model::Video;
use crate::wait::WaitOptions;

/// The longest poll interval accepted: one hour, in milliseconds.
const MAX_POLL_INTERVAL_MS: u64 = 60 * 60 * 1000;

/// Called with each polled state of the job. `video` is borrowed for the call only (copy
/// what you keep). Return 0 to go on waiting, non-zero to stop (`TV_RESULT_CANCELLED`).
/// Runs on the thread that called `tv_wait_video`, or on a library thread for
/// `tv_wait_video_start`.
pub type TvWaitProgressCallback = Option<unsafe extern "C" fn(user_data: *mut c_void, video: *const TvVideo) -> c_int>;

/// How to wait. Opaque; create with `tv_wait_options_new` (defaults: poll every 2 s, give
/// up after 30 minutes, no progress callback, no cancel token), change with the
/// `tv_wait_options_set_*` functions, free with `tv_wait_options_free`. Settings are
/// copied when a wait starts, so options may be changed or freed afterwards.
/// Thread-safety: do not change one options object from two threads at once.
pub struct TvWaitOptions {
    poll_interval: Duration,
    timeout: Option<Duration>,
    progress: Option<(unsafe extern "C" fn(*mut c_void, *const TvVideo) -> c_int, UserData)>,
    cancel: Option<CancelToken>,
}

impl Default for TvWaitOptions {
    fn default() -> Self {
        TvWaitOptions {
            poll_interval: Duration::from_secs(2),
            timeout: Some(Duration::from_secs(30 * 60)),
            progress: None,
            cancel: None,
        }
    }
}

impl TvWaitOptions {
    /// The core's options for a wait starting now.
    pub(super) fn start_now(&self) -> WaitOptions {
        WaitOptions {
            poll_interval: self.poll_interval,
            deadline: self.timeout.map(|timeout| Instant::now() + timeout),
        }
    }

    /// A reference of the call's own to the cancel token, so the options may be freed
    /// while the call runs.
    pub(super) fn cancel(&self) -> Option<CancelToken> {
        self.cancel.clone()
    }

    /// The C progress callback as a Rust closure, showing it each state as a `TvVideo`.
    pub(super) fn progress(&self) -> Option<WaitProgressFn> {
        let (callback, user_data) = self.progress?;
        Some(Box::new(move |video: &Video| {
            let Ok(view) = TvVideo::allocate(video.clone()) else { return true };
            // SAFETY: the caller gave this callback and user_data for exactly this use, and
            // `view` is a live TvVideo freed right after the call.
            let verdict = unsafe { callback(user_data.get(), view) };
            // SAFETY: `view` came from `TvVideo::allocate` and is freed once, here.
            unsafe { tv_video_free(view) };
            verdict == 0
        }))
    }
}

/// Creates wait options holding the defaults. NULL only if the library failed internally.
#[no_mangle]
pub extern "C" fn tv_wait_options_new() -> *mut TvWaitOptions {
    run_infallible(ptr::null_mut(), || Box::into_raw(Box::<TvWaitOptions>::default()))
}

/// Frees wait options. NULL is fine. Must not be called twice.
///
/// # Safety
/// `options` must be NULL or a pointer from `tv_wait_options_new`, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn tv_wait_options_free(options: *mut TvWaitOptions) {
    // SAFETY: NULL or from `Box::into_raw` in `tv_wait_options_new`, not freed (contract).
    unsafe { free(options) }
}

/// Sets the time between polls, in milliseconds: 1 to 3600000. Default 2000. A server's
/// `Retry-After` on a poll may lengthen the interval, never shorten it.
///
/// # Safety
/// `options` must be NULL or live options.
#[no_mangle]
pub unsafe extern "C" fn tv_wait_options_set_poll_interval_ms(options: *mut TvWaitOptions, ms: u64) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        update(options, "options", |options| {
            if ms == 0 || ms > MAX_POLL_INTERVAL_MS {
                return Err(Error::invalid(format!("poll interval must be 1 to {MAX_POLL_INTERVAL_MS} ms, not {ms}")));
            }
            options.poll_interval = Duration::from_millis(ms);
            Ok(())
        })
    }
}

/// Sets the overall deadline, in milliseconds from the start of the wait; it also bounds
/// the request in flight, and passing it gives `TV_RESULT_TIMEOUT`. 0 waits without a
/// deadline. Default 1800000 (30 minutes).
///
/// # Safety
/// `options` must be NULL or live options.
#[no_mangle]
pub unsafe extern "C" fn tv_wait_options_set_timeout_ms(options: *mut TvWaitOptions, ms: u64) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        update(options, "options", |options| {
            options.timeout = (ms > 0).then(|| Duration::from_millis(ms));
            Ok(())
        })
    }
}

/// Sets the progress callback and the `user_data` passed to it; NULL `callback` removes
/// it. `user_data` must stay valid, and be usable from the thread the callback runs on,
/// for as long as a wait using these options runs.
///
/// # Safety
/// `options` must be NULL or live options; `callback` NULL or a function of that type.
#[no_mangle]
pub unsafe extern "C" fn tv_wait_options_set_progress(
    options: *mut TvWaitOptions,
    callback: TvWaitProgressCallback,
    user_data: *mut c_void,
) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        update(options, "options", |options| {
            options.progress = callback.map(|f| (f, UserData(user_data)));
            Ok(())
        })
    }
}

/// Lets `token` cancel waits started with these options (`tv_wait_video` only; cancel a
/// non-blocking wait with `tv_request_cancel`). NULL removes it. The options keep their
/// own reference: the token may be freed before them.
///
/// # Safety
/// `options` must be NULL or live options; `token` NULL or a live token.
#[no_mangle]
pub unsafe extern "C" fn tv_wait_options_set_cancel_token(
    options: *mut TvWaitOptions,
    token: *const TvCancelToken,
) -> TvResult {
    // SAFETY: forwarded contract; `token` is NULL or live.
    unsafe {
        update(options, "options", |options| {
            options.cancel = token.as_ref().map(|t| t.token.clone());
            Ok(())
        })
    }
}

/// Waits for a job: polls `GET /videos/{id}` until its status is `completed`, `failed`
/// or `cancelled`, and returns that final state as a `TvVideo` with `TV_RESULT_OK` (a
/// failed job is a result: read its `error_*` fields). `queued` and `in_progress` keep
/// waiting; any status this version does not know (`TV_VIDEO_STATUS_UNKNOWN`) is
/// returned at once rather than polled for ever.
///
/// `options` may be NULL (the defaults). `TV_RESULT_TIMEOUT` when the deadline passes,
/// even while a request is in flight; `TV_RESULT_CANCELLED` when the progress callback
/// returns non-zero or the options' cancel token is cancelled; any error of
/// `tv_get_video` when a poll fails after its retries. Out-parameters as `tv_get_video`.
/// Blocks the calling thread (see `tv_wait_video_start` for a non-blocking wait).
/// Thread-safe.
///
/// # Safety
/// `client` NULL or a live client; `id` NULL or a NUL-terminated string; `options` NULL
/// or live options; `out_video` and `out_error` NULL or pointing to writable storage.
#[no_mangle]
pub unsafe extern "C" fn tv_wait_video(
    client: *const TvClient,
    id: *const c_char,
    options: *const TvWaitOptions,
    out_video: *mut *mut TvVideo,
    out_error: *mut *mut TvError,
) -> TvResult {
    run(out_error, || {
        // SAFETY: NULL or live handles and strings, not freed concurrently (contract).
        let (client, id) = unsafe { (handle(client, "client")?, str_arg(id, "id")?) };
        let default = TvWaitOptions::default();
        // SAFETY: NULL or live options (contract).
        let options = unsafe { options.as_ref() }.unwrap_or(&default);
        let out_video = out_param(out_video, "out_video")?;
        let mut progress = options.progress();
        let progress = progress.as_mut().map(|p| &mut **p as crate::wait::Progress<'_>);
        let cancel = options.cancel();
        let video = client.inner.wait_video(id, &options.start_now(), cancel.as_ref(), progress)?;
        let video = TvVideo::allocate(video)?;
        // SAFETY: `out_video` is non-NULL (checked) and points to writable storage (contract).
        unsafe { out_video.write(video) };
        Ok(())
    })
}
