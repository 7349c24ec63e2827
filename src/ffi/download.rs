//! `tv_download_*`: fetching a completed job's video, by its URL or by the job's id.

use std::ffi::{c_char, c_int, c_void};
use std::path::{Path, PathBuf};

use super::boundary::{handle, str_arg, Out, UserData};
use super::call::TvCallOptions;
use super::client::TvClient;
use super::error::{run, TvError};
use super::request::{start, TvRequest};
use super::result::TvResult;
use crate::download::{DownloadProgress, DownloadSink, Source};
use crate::error::{Error, ErrorKind};

/// Receives the video's bytes in order: `data` is valid for the call only. Return 0 to go
/// on, non-zero to stop (`TV_RESULT_CANCELLED`). Runs on the downloading thread.
pub type TvWriteCallback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, data: *const u8, length: usize) -> c_int>;

/// A C write callback as a download sink. It cannot take bytes back.
struct CallbackSink {
    write: unsafe extern "C" fn(*mut c_void, *const u8, usize) -> c_int,
    user_data: UserData,
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

/// What the caller asked to download: `text` is a URL or a job id (the core checks it).
///
/// # Safety
/// `text` must be NULL or a NUL-terminated string.
unsafe fn source(text: *const c_char, by_id: bool) -> Result<Source, Error> {
    // SAFETY: forwarded contract.
    Ok(match by_id {
        true => Source::Job(unsafe { str_arg(text, "id") }?.to_owned()),
        false => Source::Url(unsafe { str_arg(text, "url") }?.to_owned()),
    })
}

/// A blocking download to a file.
///
/// # Safety
/// The shared contract, for every argument.
unsafe fn to_file(
    client: *const TvClient,
    what: *const c_char,
    by_id: bool,
    path: *const c_char,
    call: *const TvCallOptions,
    out_bytes: *mut u64,
    out_error: *mut *mut TvError,
) -> TvResult {
    run(out_error, || {
        // SAFETY: NULL or live handles, strings and out-parameters (shared contract).
        let (client, source, path, call, out_bytes) = unsafe {
            (
                handle(client, "client")?,
                source(what, by_id)?,
                str_arg(path, "path")?,
                call.as_ref(),
                Out::optional(out_bytes),
            )
        };
        let (options, mut progress) = (TvCallOptions::of(call), TvCallOptions::download_progress(call));
        let progress = progress.as_mut().map(|p| &mut **p as DownloadProgress<'_>);
        let bytes = client.inner.download_to_path(&source, Path::new(path), progress, options.call())?;
        if let Some(out) = out_bytes {
            out.write(bytes);
        }
        Ok(())
    })
}

/// A blocking download through a write callback.
///
/// # Safety
/// The shared contract, for every argument.
#[allow(clippy::too_many_arguments)]
unsafe fn to_callback(
    client: *const TvClient,
    what: *const c_char,
    by_id: bool,
    write: TvWriteCallback,
    user_data: *mut c_void,
    call: *const TvCallOptions,
    out_bytes: *mut u64,
    out_error: *mut *mut TvError,
) -> TvResult {
    run(out_error, || {
        // SAFETY: NULL or live handles, strings and out-parameters (shared contract).
        let (client, source, call, out_bytes) =
            unsafe { (handle(client, "client")?, source(what, by_id)?, call.as_ref(), Out::optional(out_bytes)) };
        let write = write.ok_or_else(|| Error::invalid("write is NULL"))?;
        let mut sink = CallbackSink { write, user_data: UserData(user_data) };
        let (options, mut progress) = (TvCallOptions::of(call), TvCallOptions::download_progress(call));
        let progress = progress.as_mut().map(|p| &mut **p as DownloadProgress<'_>);
        let bytes = client.inner.download_to_sink(&source, &mut sink, progress, options.call())?;
        if let Some(out) = out_bytes {
            out.write(bytes);
        }
        Ok(())
    })
}

/// A non-blocking download to a file.
///
/// # Safety
/// The shared contract, for every argument.
unsafe fn to_file_start(
    client: *const TvClient,
    what: *const c_char,
    by_id: bool,
    path: *const c_char,
    call: *const TvCallOptions,
    out_request: *mut *mut TvRequest,
    out_error: *mut *mut TvError,
) -> TvResult {
    start(out_request, out_error, || {
        // SAFETY: NULL or live handles and strings (shared contract).
        let (client, source, path, call) =
            unsafe { (handle(client, "client")?, source(what, by_id)?, str_arg(path, "path")?, call.as_ref()) };
        let (options, progress) = (TvCallOptions::of(call), TvCallOptions::download_progress(call));
        client.inner.download_to_path_start(source, PathBuf::from(path), &options, progress)
    })
}

/// A non-blocking download through a write callback.
///
/// # Safety
/// The shared contract, for every argument.
#[allow(clippy::too_many_arguments)]
unsafe fn to_callback_start(
    client: *const TvClient,
    what: *const c_char,
    by_id: bool,
    write: TvWriteCallback,
    user_data: *mut c_void,
    call: *const TvCallOptions,
    out_request: *mut *mut TvRequest,
    out_error: *mut *mut TvError,
) -> TvResult {
    start(out_request, out_error, || {
        // SAFETY: NULL or live handles and strings (shared contract).
        let (client, source, call) = unsafe { (handle(client, "client")?, source(what, by_id)?, call.as_ref()) };
        let write = write.ok_or_else(|| Error::invalid("write is NULL"))?;
        let sink = Box::new(CallbackSink { write, user_data: UserData(user_data) });
        let (options, progress) = (TvCallOptions::of(call), TvCallOptions::download_progress(call));
        client.inner.download_to_sink_start(source, sink, &options, progress)
    })
}

/// Downloads the video at `url` (a completed job's `video_url`) to the file `path`,
/// streaming (constant memory).
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
/// over from the first byte; either way it counts against the client's retries. A `url`
/// that is not http(s) is `TV_RESULT_INVALID_ARGUMENT`.
///
/// `call` may be NULL: then only a stall of the client's timeout ends it. On success
/// writes the size to `*out_bytes` when `out_bytes` is not NULL.
#[no_mangle]
pub unsafe extern "C" fn tv_download_url_to_file(
    client: *const TvClient,
    url: *const c_char,
    path: *const c_char,
    call: *const TvCallOptions,
    out_bytes: *mut u64,
    out_error: *mut *mut TvError,
) -> TvResult {
    // SAFETY: shared contract.
    unsafe { to_file(client, url, false, path, call, out_bytes, out_error) }
}

/// Downloads the video at `url` through `write`, streaming, with the checks of
/// `tv_download_url_to_file`. `write` sees each byte once, in order: when a transfer
/// cannot be resumed safely, the download fails (`TV_RESULT_CONNECTION`) rather than
/// start over. NULL `write` is `TV_RESULT_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn tv_download_url_to_callback(
    client: *const TvClient,
    url: *const c_char,
    write: TvWriteCallback,
    user_data: *mut c_void,
    call: *const TvCallOptions,
    out_bytes: *mut u64,
    out_error: *mut *mut TvError,
) -> TvResult {
    // SAFETY: shared contract.
    unsafe { to_callback(client, url, false, write, user_data, call, out_bytes, out_error) }
}

/// Downloads the video of the job `id`: gets the job (it must be `completed`, else
/// `TV_RESULT_INVALID_ARGUMENT`), then its `video_url` as `tv_download_url_to_file`.
/// `call` bounds both. When the video host answers 401, 403, 404 or 410 (a signed URL
/// that expired), the job is fetched once more for a fresh URL and the download resumes
/// there; the bytes so far are kept only when the new URL serves the same file (the
/// same `ETag` or `Last-Modified`), else it starts over.
#[no_mangle]
pub unsafe extern "C" fn tv_download_video_to_file(
    client: *const TvClient,
    id: *const c_char,
    path: *const c_char,
    call: *const TvCallOptions,
    out_bytes: *mut u64,
    out_error: *mut *mut TvError,
) -> TvResult {
    // SAFETY: shared contract.
    unsafe { to_file(client, id, true, path, call, out_bytes, out_error) }
}

/// Downloads the video of the job `id` through `write`: as `tv_download_video_to_file`
/// and `tv_download_url_to_callback`.
#[no_mangle]
pub unsafe extern "C" fn tv_download_video_to_callback(
    client: *const TvClient,
    id: *const c_char,
    write: TvWriteCallback,
    user_data: *mut c_void,
    call: *const TvCallOptions,
    out_bytes: *mut u64,
    out_error: *mut *mut TvError,
) -> TvResult {
    // SAFETY: shared contract.
    unsafe { to_callback(client, id, true, write, user_data, call, out_bytes, out_error) }
}

/// `tv_download_url_to_file` without blocking. The request has no `TvVideo` result:
/// `tv_request_result` returns `TV_RESULT_OK` once the file is in place. The outcome is
/// all or nothing, even when a cancel races the end of the download: `TV_RESULT_OK` with
/// the file at `path`, or an error with no file and no temporary file left behind.
#[no_mangle]
pub unsafe extern "C" fn tv_download_url_to_file_start(
    client: *const TvClient,
    url: *const c_char,
    path: *const c_char,
    call: *const TvCallOptions,
    out_request: *mut *mut TvRequest,
    out_error: *mut *mut TvError,
) -> TvResult {
    // SAFETY: shared contract.
    unsafe { to_file_start(client, url, false, path, call, out_request, out_error) }
}

/// `tv_download_url_to_callback` without blocking: `write` and the progress callback run
/// on a library thread, so `user_data` must be usable there until the request is done.
#[no_mangle]
pub unsafe extern "C" fn tv_download_url_to_callback_start(
    client: *const TvClient,
    url: *const c_char,
    write: TvWriteCallback,
    user_data: *mut c_void,
    call: *const TvCallOptions,
    out_request: *mut *mut TvRequest,
    out_error: *mut *mut TvError,
) -> TvResult {
    // SAFETY: shared contract.
    unsafe { to_callback_start(client, url, false, write, user_data, call, out_request, out_error) }
}

/// `tv_download_video_to_file` without blocking, as `tv_download_url_to_file_start`.
#[no_mangle]
pub unsafe extern "C" fn tv_download_video_to_file_start(
    client: *const TvClient,
    id: *const c_char,
    path: *const c_char,
    call: *const TvCallOptions,
    out_request: *mut *mut TvRequest,
    out_error: *mut *mut TvError,
) -> TvResult {
    // SAFETY: shared contract.
    unsafe { to_file_start(client, id, true, path, call, out_request, out_error) }
}

/// `tv_download_video_to_callback` without blocking, as
/// `tv_download_url_to_callback_start`.
#[no_mangle]
pub unsafe extern "C" fn tv_download_video_to_callback_start(
    client: *const TvClient,
    id: *const c_char,
    write: TvWriteCallback,
    user_data: *mut c_void,
    call: *const TvCallOptions,
    out_request: *mut *mut TvRequest,
    out_error: *mut *mut TvError,
) -> TvResult {
    // SAFETY: shared contract.
    unsafe { to_callback_start(client, id, true, write, user_data, call, out_request, out_error) }
}
