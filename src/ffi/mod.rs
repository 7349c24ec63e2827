//! The C ABI: thin conversions between C and the core. The only module allowed `unsafe`;
//! every `unsafe` block says why it is sound. Every export runs inside the panic boundary
//! of [`boundary`], checks each pointer and string, and writes out-parameters only on
//! success. cbindgen turns these doc comments into `include/together_video.h`.

#![allow(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn)]

mod boundary;
mod cancel;
mod client;
mod create;
mod download;
mod error;
mod request;
mod result;
mod video;
mod wait;

pub use cancel::*;
pub use client::*;
pub use create::*;
pub use download::*;
pub use error::*;
pub use request::*;
pub use result::*;
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
    #[test]
    fn header_is_current() {
        let generated = concat!(env!("OUT_DIR"), "/together_video.h");
        let committed = concat!(env!("CARGO_MANIFEST_DIR"), "/include/together_video.h");
        let read = |path| std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(
            read(generated) == read(committed),
            "include/together_video.h is out of date with src/ffi: run `make header` and commit it"
        );
    }
}
