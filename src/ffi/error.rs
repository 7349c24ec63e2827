//! `TvError`: a failure's code, message, HTTP status and request id, owned by the caller.

use std::ffi::{c_char, CString};
use std::ptr;

use super::boundary::{c_string, free, last_error, run_infallible};
use super::result::TvResult;
use crate::error::Error;

/// An error returned through a `TvError **out_error` parameter. Opaque; read it with the
/// `tv_error_*` functions and free it with `tv_error_free`. Immutable, so it may be read
/// from several threads at once.
pub struct TvError {
    code: TvResult,
    message: CString,
    http_status: u16,
    request_id: Option<CString>,
}

impl From<Error> for TvError {
    fn from(error: Error) -> TvError {
        TvError {
            code: TvResult::from(error.kind()),
            message: c_string(error.message()),
            http_status: error.http_status().unwrap_or(0),
            request_id: error.request_id().map(c_string),
        }
    }
}

/// The result code of `error`; `TV_RESULT_INVALID_ARGUMENT` when `error` is NULL.
#[no_mangle]
pub unsafe extern "C" fn tv_error_code(error: *const TvError) -> TvResult {
    // SAFETY: a non-NULL `error` is a live TvError from this library (documented contract).
    run_infallible(TvResult::Internal, || unsafe { error.as_ref() }.map_or(TvResult::InvalidArgument, |e| e.code))
}

/// A human-readable message, including the server's own message when there was one.
/// Never contains the API key. Owned by `error`: valid until `tv_error_free(error)`.
/// NULL when `error` is NULL.
#[no_mangle]
pub unsafe extern "C" fn tv_error_message(error: *const TvError) -> *const c_char {
    // SAFETY: a non-NULL `error` is a live TvError from this library (documented contract).
    run_infallible(ptr::null(), || unsafe { error.as_ref() }.map_or(ptr::null(), |e| e.message.as_ptr()))
}

/// The HTTP status of the response behind the error; 0 when there was no response
/// (or `error` is NULL).
#[no_mangle]
pub unsafe extern "C" fn tv_error_http_status(error: *const TvError) -> u16 {
    // SAFETY: a non-NULL `error` is a live TvError from this library (documented contract).
    run_infallible(0, || unsafe { error.as_ref() }.map_or(0, |e| e.http_status))
}

/// The response's `x-request-id` (quote it to Together's support); NULL when absent or
/// when `error` is NULL. Owned by `error`: valid until `tv_error_free(error)`.
#[no_mangle]
pub unsafe extern "C" fn tv_error_request_id(error: *const TvError) -> *const c_char {
    // SAFETY: a non-NULL `error` is a live TvError from this library (documented contract).
    run_infallible(ptr::null(), || {
        unsafe { error.as_ref() }.and_then(|e| e.request_id.as_ref()).map_or(ptr::null(), |id| id.as_ptr())
    })
}

/// Frees an error. NULL is fine. Must not be called twice for the same error.
#[no_mangle]
pub unsafe extern "C" fn tv_error_free(error: *mut TvError) {
    // SAFETY: NULL or from `Box::into_raw` in `boundary::run`, not freed before (contract).
    unsafe { free(error) }
}

/// The message of the last failed call on this thread, for C programs that did not ask
/// for a `TvError`. NULL when no call on this thread has failed. Success does not clear
/// it. Owned by the library: valid until the next failing call on this thread; copy it
/// to keep it. Do not use it from Go or other runtimes that move work between threads.
#[no_mangle]
pub extern "C" fn tv_last_error_message() -> *const c_char {
    run_infallible(ptr::null(), last_error)
}
