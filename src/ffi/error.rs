//! `TvError`: a failure's code, message, HTTP status and request id, owned by the caller.

use std::ffi::{c_char, CString};
use std::ptr;

use std::panic::{catch_unwind, AssertUnwindSafe};

use super::boundary::{c_string, free, handle_mut, last_error, run_infallible, set_last_error, PANICKED};
use super::result::TvResult;
use crate::error::{Error, ErrorKind};

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

/// Runs the body of a fallible export. A failure (or a caught panic) is recorded as this
/// thread's last error and, when `out_error` is not NULL, written there as a new `TvError`.
pub(super) fn run(out_error: *mut *mut TvError, body: impl FnOnce() -> Result<(), Error>) -> TvResult {
    let error = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return TvResult::Ok,
        Ok(Err(error)) => error,
        Err(_) => Error::new(ErrorKind::Internal, PANICKED),
    };
    let code = TvResult::from(error.kind());
    set_last_error(error.message());
    if !out_error.is_null() {
        // The allocation itself could only fail by aborting, so no second boundary is needed.
        let boxed = Box::into_raw(Box::new(TvError::from(error)));
        // SAFETY: the caller passed a non-NULL `TvError **` that, per the documented
        // contract of every fallible function, points to writable storage for one pointer.
        unsafe { out_error.write(boxed) };
    }
    code
}

/// Applies `change` to a live handle, inside the panic boundary: what every setter does.
///
/// # Safety
/// As for [`handle_mut`].
pub(super) unsafe fn update<T>(
    handle: *mut T,
    name: &str,
    change: impl FnOnce(&mut T) -> Result<(), Error>,
) -> TvResult {
    run(std::ptr::null_mut(), || {
        // SAFETY: forwarded contract.
        let handle = unsafe { handle_mut(handle, name) }?;
        change(handle)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::boundary::run_infallible;
    use std::ffi::CStr;

    #[test]
    fn a_panic_becomes_internal_with_an_error_and_a_message() {
        let mut error: *mut TvError = ptr::null_mut();
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let code = run(&mut error, || panic!("a bug"));
        let fallback = run_infallible(7, || panic!("again"));
        std::panic::set_hook(previous);
        assert_eq!(fallback, 7);
        assert_eq!(code, TvResult::Internal);
        assert!(!error.is_null());
        // SAFETY: `run` wrote a live TvError; it is freed once below.
        unsafe {
            assert_eq!(tv_error_code(error), TvResult::Internal);
            tv_error_free(error);
        }
        // SAFETY: the last error is a NUL-terminated string owned by this thread.
        let message = unsafe { CStr::from_ptr(last_error()) }.to_str().unwrap();
        assert!(message.contains("caught a panic"), "{message}");
    }
}
