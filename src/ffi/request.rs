//! `TvRequest`: non-blocking calls for game loops and UI threads.

use std::ffi::c_void;
use std::time::Duration;

use super::boundary::{handle, run_infallible, Out, UserData};
use super::error::{run, TvError};
use super::result::TvResult;
use super::video::{tv_video_free, TvVideo};
use crate::error::Error;
use crate::request::{Outcome, Request};

/// Where a request stands. `TV_REQUEST_STATE_INVALID` answers a NULL request.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TvRequestState {
    Pending = 0,
    Done = 1,
    Invalid = 2,
}

/// Called once when a request is done; see `tv_request_on_complete`.
pub type TvRequestCallback = Option<unsafe extern "C" fn(user_data: *mut c_void)>;

/// A non-blocking call in flight. Opaque; every `*_start` function returns one. The work
/// runs on the client's small pool of library threads (see
/// `tv_client_options_set_worker_threads`), never on the caller's.
///
/// Poll it (`tv_request_poll`, e.g. once per frame), wait on it (`tv_request_wait`), or
/// be called back (`tv_request_on_complete`); then read its result (`tv_request_result`)
/// and free it (`tv_request_free`). `tv_request_cancel` returns at once, even when the
/// server has stopped answering.
///
/// Callbacks and their `user_data` (the completion callback, and a request's progress
/// and write callbacks) follow three rules, so that freeing `user_data` is safe:
/// - `tv_request_poll` and `tv_request_wait` report `TV_REQUEST_STATE_DONE` only once the
///   completion callback has returned.
/// - Once `tv_request_cancel` or `tv_request_free` returns, no callback of that request
///   is running or will run, except when the call is made from inside one of them (a
///   callback cannot wait for itself).
/// - Cancelling or freeing any request, or freeing the client, from inside any callback
///   of this library never deadlocks. If two threads each cancel, from inside a callback,
///   the request whose callback the other is running, one of them returns without
///   waiting for the other's callback to return. For the same reason
///   `tv_request_wait` does not block inside a callback.
///
/// Thread-safety: every function but `tv_request_free` may be called from any thread at
/// once. A request keeps what it needs alive: its client may be freed first.
pub struct TvRequest {
    request: Request,
}

/// Runs the body of a `*_start` function inside the panic boundary and hands the request
/// it starts to the caller through `out_request`.
pub(super) fn start(
    out_request: *mut *mut TvRequest,
    out_error: *mut *mut TvError,
    body: impl FnOnce() -> Result<Request, Error>,
) -> TvResult {
    run(out_error, || {
        // SAFETY: NULL or writable storage for one pointer (shared contract).
        let out_request = unsafe { Out::new(out_request, "out_request") }?;
        out_request.write(Box::into_raw(Box::new(TvRequest { request: body()? })));
        Ok(())
    })
}

/// Whether the request is done, without blocking: call it once per frame.
#[no_mangle]
pub unsafe extern "C" fn tv_request_poll(request: *const TvRequest) -> TvRequestState {
    // SAFETY: NULL or a live request (shared contract).
    run_infallible(TvRequestState::Invalid, || match unsafe { request.as_ref() } {
        None => TvRequestState::Invalid,
        Some(request) if request.request.is_done() => TvRequestState::Done,
        Some(_) => TvRequestState::Pending,
    })
}

/// Blocks until the request is done or `timeout_ms` passes (`UINT64_MAX`: no limit; 0:
/// just poll), and says which. Called from inside a callback of this library it does not
/// block, whatever `timeout_ms` (it answers as `tv_request_poll`): a callback waiting
/// for another request could wait, through it, for itself.
#[no_mangle]
pub unsafe extern "C" fn tv_request_wait(request: *const TvRequest, timeout_ms: u64) -> TvRequestState {
    // SAFETY: NULL or a live request (shared contract).
    run_infallible(TvRequestState::Invalid, || {
        let Some(request) = (unsafe { request.as_ref() }) else { return TvRequestState::Invalid };
        let timeout = (timeout_ms != u64::MAX).then(|| Duration::from_millis(timeout_ms));
        if request.request.wait(timeout) {
            TvRequestState::Done
        } else {
            TvRequestState::Pending
        }
    })
}

/// Cancels the request: a request not yet done is done from now on with
/// `TV_RESULT_CANCELLED`, its network I/O is interrupted, a file download's temporary
/// file is removed, and its completion callback runs on this thread before this
/// returns. It returns at once, except that it waits for a callback of the request
/// running on another thread to return: once it returns, no callback of the request is
/// running or will run, so their `user_data` may be freed (see `TvRequest` for the one
/// case where it does not wait). Cancelling a done request changes nothing (but still
/// waits for a completion callback still running). NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn tv_request_cancel(request: *const TvRequest) {
    // SAFETY: NULL or a live request (shared contract).
    run_infallible((), || {
        if let Some(request) = unsafe { request.as_ref() } {
            // A clone: the completion callback run by `cancel` may free the handle.
            let request = request.request.clone();
            request.cancel();
        }
    })
}

/// Calls `callback(user_data)` once when the request is done: on a library thread when
/// it finishes by itself, on the thread calling `tv_request_cancel` when that ends it, or
/// before this function returns when it is done already. Replaces an earlier callback
/// that has not run; NULL removes it. Inside the callback the request already counts as
/// done: `tv_request_result` gives its result and `tv_request_free` may free it.
///
/// Keep the callback short: it holds one of the client's worker threads, and threads
/// waiting on the request, cancelling it or freeing the client wait for it to return. A
/// request started from inside it while other worker threads are idle wakes none of them:
/// it usually runs on the same thread once the callback returns (a chain of requests,
/// each started by the last one's callback, runs without hand-offs between threads); if
/// the callback waits for it instead, an idle worker thread takes it within a millisecond.
#[no_mangle]
pub unsafe extern "C" fn tv_request_on_complete(
    request: *const TvRequest,
    callback: TvRequestCallback,
    user_data: *mut c_void,
) -> TvResult {
    run(std::ptr::null_mut(), || {
        // SAFETY: NULL or a live request (shared contract).
        let request = unsafe { handle(request, "request") }?;
        let user_data = UserData(user_data);
        match callback {
            // SAFETY: the caller gave this callback and user_data for exactly this use.
            // On a clone: a callback run at once may free the handle.
            Some(callback) => {
                let request = request.request.clone();
                request.on_complete(Box::new(move || unsafe { callback(user_data.get()) }))
            }
            None => request.request.on_complete_remove(),
        }
        Ok(())
    })
}

/// The request's result once done: its `TvResult`, and for get, create and wait a new
/// `TvVideo` in `*out_video` (free it; each call gives a new copy), or a new `TvError` in
/// `*out_error` (when not NULL) on failure. `out_video` may be NULL for downloads. A
/// request still pending is `TV_RESULT_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn tv_request_result(
    request: *const TvRequest,
    out_video: *mut *mut TvVideo,
    out_error: *mut *mut TvError,
) -> TvResult {
    run(out_error, || {
        // SAFETY: NULL or a live request (shared contract).
        let request = unsafe { handle(request, "request") }?;
        // The copy for C is made from the request's own outcome, under its lock.
        let copied = request.request.read_outcome(|outcome| match outcome {
            Ok(Outcome::Video(video)) => TvVideo::allocate(video).map(Some),
            Ok(Outcome::Downloaded(_)) => Ok(None),
            Err(error) => Err(error.clone()),
        });
        if let Some(video) = copied.ok_or_else(|| Error::invalid("the request is still pending"))?? {
            // SAFETY: NULL or writable storage for one pointer (shared contract).
            match unsafe { Out::new(out_video, "out_video") } {
                Ok(out) => out.write(video),
                Err(error) => {
                    // SAFETY: `video` came from `TvVideo::allocate` and reached no one.
                    unsafe { tv_video_free(video) };
                    return Err(error);
                }
            }
        }
        Ok(())
    })
}

/// Frees a request. A request still pending is cancelled first (its completion callback
/// is dropped, not called). Once this returns, none of its callbacks is running or will
/// run (as for `tv_request_cancel`), except when called from inside one of them. NULL is
/// fine. Must not be called twice, nor while another thread uses the request.
#[no_mangle]
pub unsafe extern "C" fn tv_request_free(request: *mut TvRequest) {
    run_infallible((), || {
        if request.is_null() {
            return;
        }
        // SAFETY: from `Box::into_raw` in `start`, not freed before (shared contract).
        let request = unsafe { Box::from_raw(request) };
        request.request.release();
    })
}
