//! `TvCancelToken`: cancelling blocking calls from another thread.

use super::boundary::{free, run_infallible};
use crate::cancel::CancelToken;
use std::ptr;

/// A cancellation flag to set in call options (`tv_call_options_set_cancel_token`);
/// `tv_cancel_token_cancel` then stops the calls made with them promptly, even while a
/// request waits on a server that stopped answering (they return `TV_RESULT_CANCELLED`),
/// and cancels their `_start` requests as `tv_request_cancel` does. Once cancelled it
/// stays cancelled. Thread-safe: cancel it from any thread. Free it with
/// `tv_cancel_token_free` (call options keep their own reference, so freeing the token
/// does not disturb them).
pub struct TvCancelToken {
    pub(super) token: CancelToken,
}

/// Creates a token. NULL only if the library failed internally.
#[no_mangle]
pub extern "C" fn tv_cancel_token_new() -> *mut TvCancelToken {
    run_infallible(ptr::null_mut(), || Box::into_raw(Box::new(TvCancelToken { token: CancelToken::new() })))
}

/// Cancels every call watching `token`, now and later. Returns at once. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn tv_cancel_token_cancel(token: *const TvCancelToken) {
    // SAFETY: NULL or a live token (contract).
    run_infallible((), || {
        if let Some(token) = unsafe { token.as_ref() } {
            // A clone: a completion callback run by the cancel may free the handle.
            let token = token.token.clone();
            token.cancel();
        }
    })
}

/// True once `token` is cancelled (false for NULL).
#[no_mangle]
pub unsafe extern "C" fn tv_cancel_token_is_cancelled(token: *const TvCancelToken) -> bool {
    // SAFETY: NULL or a live token (contract).
    run_infallible(false, || unsafe { token.as_ref() }.is_some_and(|token| token.token.is_cancelled()))
}

/// Frees a token. NULL is fine. Must not be called twice.
#[no_mangle]
pub unsafe extern "C" fn tv_cancel_token_free(token: *mut TvCancelToken) {
    // SAFETY: NULL or from `Box::into_raw` in `tv_cancel_token_new`, not freed (contract).
    unsafe { free(token) }
}
