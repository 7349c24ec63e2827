//! `TvDownloadOptions` and `tv_download_video_*`: fetching a completed job's video.

use std::ffi::{c_char, c_int, c_void};
use std::path::Path;
use std::ptr;
use std::time::{Duration, Instant};

use super::boundary::{free, handle, run, run_infallible, str_arg, update, UserData};
use super::cancel::TvCancelToken;
use super::client::TvClient;
use super::error::TvError;
use super::result::TvResult;
use super::video::TvVideo;
use crate::cancel::{Call, CancelToken};
use crate::download::{DownloadProgress, DownloadSink};
use crate::error::{Error, ErrorKind};
use crate::executor::DownloadProgressFn;

/// Called as bytes arrive: `received` so far and `total` (-1 when unknown). Return 0 to
/// go on, non-zero to stop (`TV_RESULT_CANCELLED`). Runs on the downloading thread.
pub type TvDownloadProgressCallback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, received: u64, total: i64) -> c_int>;

/// Receives the video's bytes in order: `data` is valid for the call only. Return 0 to go
/// on, non-zero to stop (`TV_RESULT_CANCELLED`). Runs on the downloading thread.
pub type TvWriteCallback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, data: *const u8, length: usize) -> c_int>;

/// How to download. Opaque; create with `tv_download_options_new` (defaults: no overall
/// deadline, a stall of the client's timeout fails, no progress callback, no cancel
/// token), change with `tv_download_options_set_*`, free with `tv_download_options_free`.
/// Settings are copied when a download starts. Do not change one from two threads at once.
#[derive(Default)]
pub struct TvDownloadOptions {
    timeout: Option<Duration>,
    progress: Option<(unsafe extern "C" fn(*mut c_void, u64, i64) -> c_int, UserData)>,
    cancel: Option<CancelToken>,
}

impl TvDownloadOptions {
    pub(super) fn deadline(&self) -> Option<Instant> {
        self.timeout.map(|timeout| Instant::now() + timeout)
    }

    /// The C progress callback as a Rust closure.
    pub(super) fn progress(&self) -> Option<DownloadProgressFn> {
        let (callback, user_data) = self.progress?;
        Some(Box::new(move |received: u64, total: Option<u64>| {
            let total = total.and_then(|total| i64::try_from(total).ok()).unwrap_or(-1);
            // SAFETY: the caller gave this callback and user_data for exactly this use.
            unsafe { callback(user_data.get(), received, total) == 0 }
        }))
    }
}

/// Creates download options holding the defaults. NULL only if the library failed internally.
#[no_mangle]
pub extern "C" fn tv_download_options_new() -> *mut TvDownloadOptions {
    run_infallible(ptr::null_mut(), || Box::into_raw(Box::<TvDownloadOptions>::default()))
}

/// Frees download options. NULL is fine. Must not be called twice.
///
/// # Safety
/// `options` must be NULL or a pointer from `tv_download_options_new`, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn tv_download_options_free(options: *mut TvDownloadOptions) {
    // SAFETY: NULL or from `Box::into_raw` in `tv_download_options_new`, not freed (contract).
    unsafe { free(options) }
}

/// Sets an overall deadline in milliseconds from the start of the download
/// (`TV_RESULT_TIMEOUT` when it passes); 0, the default, sets none.
///
/// # Safety
/// `options` must be NULL or live options.
#[no_mangle]
pub unsafe extern "C" fn tv_download_options_set_timeout_ms(options: *mut TvDownloadOptions, ms: u64) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        update(options, "options", |options| {
            options.timeout = (ms > 0).then(|| Duration::from_millis(ms));
            Ok(())
        })
    }
}

/// Sets the progress callback and its `user_data`; NULL `callback` removes it.
/// `user_data` must stay valid, and usable from the downloading thread, while a download
/// using these options runs.
///
/// # Safety
/// `options` must be NULL or live options; `callback` NULL or a function of that type.
#[no_mangle]
pub unsafe extern "C" fn tv_download_options_set_progress(
    options: *mut TvDownloadOptions,
    callback: TvDownloadProgressCallback,
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

/// Lets `token` cancel downloads started with these options (the blocking ones; cancel a
/// non-blocking download with `tv_request_cancel`). NULL removes it. The options keep
/// their own reference.
///
/// # Safety
/// `options` must be NULL or live options; `token` NULL or a live token.
#[no_mangle]
pub unsafe extern "C" fn tv_download_options_set_cancel_token(
    options: *mut TvDownloadOptions,
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

/// The client and the video of a download call: both checked, and the video's id, status
/// and URL read out of the C struct.
///
/// # Safety
/// `client` must be NULL or a live client; `video` NULL or a live `TvVideo` from this library.
pub(super) unsafe fn download_target<'a>(
    client: *const TvClient,
    video: *const TvVideo,
) -> Result<(&'a TvClient, crate::model::Video), Error> {
    // SAFETY: forwarded contract: NULL or live handles, not freed concurrently.
    let (client, video) = unsafe { (handle(client, "client")?, handle(video, "video")?) };
    // SAFETY: forwarded contract: a live TvVideo from this library.
    Ok((client, unsafe { video.download_target() }?))
}

/// A C write callback as a download sink. It cannot take bytes back.
pub(super) struct CallbackSink {
    pub(super) write: unsafe extern "C" fn(*mut c_void, *const u8, usize) -> c_int,
    pub(super) user_data: UserData,
}

impl DownloadSink for CallbackSink {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        // SAFETY: the caller gave this callback and user_data for exactly this use; `bytes`
        // is valid for the length given during the call.
        match unsafe { (self.write)(self.user_data.get(), bytes.as_ptr(), bytes.len()) } {
            0 => Ok(()),
            _ => Err(Error::new(ErrorKind::Cancelled, "the write callback stopped the download")),
        }
    }

    fn restart(&mut self) -> Result<bool, Error> {
        Ok(false)
    }
}

/// Downloads a completed job's video to the file `path`, streaming (constant memory).
///
/// The bytes go to a temporary file in the same directory, renamed to `path` only when
/// complete and checked: a failed or cancelled download leaves nothing under `path` and
/// removes its temporary file. A `path` that exists and is not a regular file (a
/// directory, a fifo, a symbolic link) is refused, and a file that cannot be created,
/// written or renamed into place fails, both with `TV_RESULT_FILE_SYSTEM` and the
/// operating system's reason in the message. The API key is never sent to the video's
/// host. A body that is plainly not a video (an HTML or JSON page, or bytes that are
/// neither MP4 nor WebM) is `TV_RESULT_DECODE`. An interrupted transfer resumes with a
/// `Range` request when the server proves (with a strong `ETag` or `Last-Modified` and a
/// matching `Content-Range`) that the rest belongs to the same file, and otherwise starts
/// over from the first byte; either way it counts against the client's retries. A job
/// that is not completed, or has no `video_url`, is `TV_RESULT_INVALID_ARGUMENT`.
///
/// `options` may be NULL. On success writes the size to `*out_bytes` when `out_bytes` is
/// not NULL. Blocks the calling thread. Thread-safe.
///
/// # Safety
/// `client` NULL or live; `video` NULL or a live `TvVideo` from this library; `path` NULL
/// or a NUL-terminated string; `options` NULL or live; `out_bytes` NULL or writable;
/// `out_error` NULL or pointing to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn tv_download_video_to_file(
    client: *const TvClient,
    video: *const TvVideo,
    path: *const c_char,
    options: *const TvDownloadOptions,
    out_bytes: *mut u64,
    out_error: *mut *mut TvError,
) -> TvResult {
    run(out_error, || {
        // SAFETY: NULL or live handles and strings, not freed concurrently (contract).
        let ((client, video), path) = unsafe { (download_target(client, video)?, str_arg(path, "path")?) };
        let default = TvDownloadOptions::default();
        // SAFETY: NULL or live options (contract).
        let options = unsafe { options.as_ref() }.unwrap_or(&default);
        // The call's own reference: the options may be freed while it runs.
        let cancel = options.cancel.clone();
        let call = Call { deadline: options.deadline(), cancel: cancel.as_ref() };
        let mut progress = options.progress();
        let progress = progress.as_mut().map(|p| &mut **p as DownloadProgress<'_>);
        let bytes = client.inner.download_to_path(&video, Path::new(path), progress, call)?;
        // SAFETY: NULL or writable storage for one u64 (contract).
        if let Some(out) = unsafe { out_bytes.as_mut() } {
            *out = bytes;
        }
        Ok(())
    })
}

/// Downloads a completed job's video through `write`, streaming, with the checks of
/// `tv_download_video_to_file`. `write` sees each byte once, in order: when a server
/// cannot resume an interrupted transfer, the download fails (`TV_RESULT_CONNECTION`)
/// rather than start over. NULL `write` is `TV_RESULT_INVALID_ARGUMENT`.
///
/// # Safety
/// As `tv_download_video_to_file`; `write` a function of its type, and `user_data` valid
/// for it throughout the call.
#[no_mangle]
pub unsafe extern "C" fn tv_download_video_to_callback(
    client: *const TvClient,
    video: *const TvVideo,
    write: TvWriteCallback,
    user_data: *mut c_void,
    options: *const TvDownloadOptions,
    out_bytes: *mut u64,
    out_error: *mut *mut TvError,
) -> TvResult {
    run(out_error, || {
        // SAFETY: NULL or live handles, not freed concurrently (contract).
        let (client, video) = unsafe { download_target(client, video) }?;
        let write = write.ok_or_else(|| Error::invalid("write is NULL"))?;
        let default = TvDownloadOptions::default();
        // SAFETY: NULL or live options (contract).
        let options = unsafe { options.as_ref() }.unwrap_or(&default);
        // The call's own reference: the options may be freed while it runs.
        let cancel = options.cancel.clone();
        let call = Call { deadline: options.deadline(), cancel: cancel.as_ref() };
        let mut sink = CallbackSink { write, user_data: UserData(user_data) };
        let mut progress = options.progress();
        let progress = progress.as_mut().map(|p| &mut **p as DownloadProgress<'_>);
        let bytes = client.inner.download_to_sink(&video, &mut sink, progress, call)?;
        // SAFETY: NULL or writable storage for one u64 (contract).
        if let Some(out) = unsafe { out_bytes.as_mut() } {
            *out = bytes;
        }
        Ok(())
    })
}
