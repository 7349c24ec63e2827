//! The C ABI: thin conversions between C and the core. The only module allowed `unsafe`;
//! every `unsafe` block says why it is sound. Every export runs inside the panic boundary
//! of [`boundary`], checks each pointer and string, and writes out-parameters only on
//! success. cbindgen turns these doc comments into `include/together_video.h`.

#![allow(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn)]
// Every export shares one safety contract, stated once at the top of the header (and in
// cbindgen.toml): per-function `# Safety` paragraphs would repeat it a hundred times.
#![allow(clippy::missing_safety_doc)]

mod boundary;
mod call;
mod cancel;
mod client;
mod create;
mod download;
mod error;
mod events;
mod journal;
mod log;
mod request;
mod result;
mod stats;
mod video;
mod wait;

pub use call::*;
pub use cancel::*;
pub use client::*;
pub use create::*;
pub use download::*;
pub use error::*;
pub use events::*;
pub use journal::*;
pub use log::*;
pub use request::*;
pub use result::*;
pub use stats::*;
pub use video::*;
pub use wait::*;

use std::ffi::c_char;

/// The library's version, e.g. "0.1.0" (the same as `TV_VERSION_STRING` in a header that
/// matches the library). Static: never free it. Thread-safe.
#[no_mangle]
pub extern "C" fn tv_version() -> *const c_char {
    const VERSION: &std::ffi::CStr =
        match std::ffi::CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
            Ok(version) => version,
            Err(_) => panic!("the package version has no NUL"),
        };
    boundary::run_infallible(VERSION.as_ptr(), || VERSION.as_ptr())
}

#[cfg(test)]
mod tests {
    /// The committed header, and the Go module's copy of it (the module must build from a
    /// module cache, away from `include/`), are what src/ffi generates.
    #[test]
    fn header_is_current() {
        let generated = concat!(env!("OUT_DIR"), "/together_video.h");
        let read = |path: &str| std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        for committed in ["include/together_video.h", "bindings/go/togethervideo/together_video.h"] {
            let path = format!("{}/{committed}", env!("CARGO_MANIFEST_DIR"));
            assert!(
                read(generated) == read(&path),
                "{committed} is out of date with src/ffi: run `make header` and commit it"
            );
        }
    }
}

/// The C ABI's memory handling without a network, small enough for Miri
/// (`make miri`): allocation and release of every handle, every out-parameter rule.
#[cfg(test)]
mod memory_tests {
    use std::ffi::CStr;
    use std::ptr;

    use super::*;

    fn text(pointer: *const std::ffi::c_char) -> Option<String> {
        // SAFETY: the library returns NULL or a NUL-terminated string it owns.
        (!pointer.is_null()).then(|| unsafe { CStr::from_ptr(pointer) }.to_string_lossy().into_owned())
    }

    #[test]
    fn videos_and_errors_are_allocated_read_and_freed() {
        let json = cr#"{"id":"v","status":"failed","error":{"code":"c","message":"m"},"outputs":{"cost":1.5,"video_url":"u"}}"#;
        unsafe {
            let mut video = ptr::null_mut();
            assert_eq!(tv_video_from_json(json.as_ptr(), &mut video, ptr::null_mut()), TvResult::Ok);
            let v = &*video;
            assert_eq!(
                (text(v.id), text(v.status_raw), v.status),
                (Some("v".into()), Some("failed".into()), TvVideoStatus::Failed)
            );
            assert_eq!((text(v.error_code), text(v.error_message)), (Some("c".into()), Some("m".into())));
            assert_eq!((v.has_outputs, v.cost, text(v.video_url)), (true, 1.5, Some("u".into())));
            assert_eq!((text(v.object), text(v.model), text(v.size)), (None, None, None));
            assert_eq!(text(v.json).as_deref(), json.to_str().ok());
            tv_video_free(video);

            let mut error = ptr::null_mut();
            assert_eq!(tv_video_from_json(c"{".as_ptr(), &mut video, &mut error), TvResult::Decode);
            assert_eq!(tv_error_code(error), TvResult::Decode);
            assert!(text(tv_error_message(error)).unwrap().contains("not valid JSON"));
            assert_eq!((tv_error_http_status(error), tv_error_request_id(error)), (0, ptr::null()));
            tv_error_free(error);

            let mut untouched = ptr::dangling_mut::<TvVideo>();
            let code = tv_get_video(ptr::null(), c"v".as_ptr(), ptr::null(), &mut untouched, &mut error);
            assert_eq!(code, TvResult::InvalidArgument);
            assert_eq!(untouched, ptr::dangling_mut());
            assert_eq!(text(tv_error_message(error)).as_deref(), Some("client is NULL"));
            tv_error_free(error);
            assert_eq!(text(tv_last_error_message()).as_deref(), Some("client is NULL"));
        }
    }

    #[test]
    fn option_objects_are_set_and_freed() {
        unsafe {
            let options = tv_client_options_new();
            assert_eq!(tv_client_options_set_api_key(options, c"k".as_ptr()), TvResult::Ok);
            assert_eq!(tv_client_options_set_proxy(options, c"".as_ptr()), TvResult::Ok);
            assert_eq!(tv_client_options_set_max_retries(options, 99), TvResult::InvalidArgument);
            tv_client_options_free(options);

            let params = tv_create_params_new();
            assert_eq!(tv_create_params_set_model(params, c"m".as_ptr()), TvResult::Ok);
            assert_eq!(tv_create_params_add_frame_image(params, c"u".as_ptr(), TV_FRAME_AT, 3.0), TvResult::Ok);
            assert_eq!(tv_create_params_set_json_field(params, c"x".as_ptr(), c"[1]".as_ptr()), TvResult::Ok);
            assert_eq!(tv_create_params_set_steps(params, 1), TvResult::InvalidArgument);
            tv_create_params_free(params);

            let token = tv_cancel_token_new();
            let call = tv_call_options_new();
            assert_eq!(tv_call_options_set_cancel_token(call, token), TvResult::Ok);
            assert_eq!(tv_call_options_set_timeout_ms(call, 5), TvResult::Ok);
            assert_eq!(tv_call_options_set_timeout_ms(call, -5), TvResult::InvalidArgument);
            tv_cancel_token_cancel(token);
            assert!(tv_cancel_token_is_cancelled(token));
            tv_cancel_token_free(token);
            tv_call_options_free(call);

            let wait = tv_wait_options_new();
            assert_eq!(tv_wait_options_set_poll_interval_ms(wait, 0), TvResult::InvalidArgument);
            assert_eq!(
                text(tv_last_error_message()).as_deref(),
                Some("poll interval must be from 1 to 3600000 ms, not 0")
            );
            tv_wait_options_free(wait);

            assert_eq!(tv_request_poll(ptr::null()), TvRequestState::Invalid);
            tv_request_free(ptr::null_mut());
            assert_eq!(text(tv_result_name(-3)).as_deref(), Some("unknown result"));
            assert_eq!(text(tv_version()).as_deref(), Some(env!("CARGO_PKG_VERSION")));
        }
    }
}
