//! `TvResult`: the result code of every fallible function, and its static names.

use std::ffi::{c_char, c_int, CStr};

use super::boundary::run_infallible;
use crate::error::ErrorKind;

/// The result of a call. `TV_RESULT_OK` is 0. The numbers are part of the ABI: they are
/// explicit, never change, and a retired one is never reused. New codes may be added in a
/// minor release, so treat an unknown code like `TV_RESULT_INTERNAL`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TvResult {
    Ok = 0,
    /// NULL where a value is required, invalid UTF-8, an empty or unsafe id, a bad option.
    InvalidArgument = 1,
    /// HTTP 400.
    BadRequest = 2,
    /// HTTP 401, or no API key was configured.
    Authentication = 3,
    /// HTTP 403.
    PermissionDenied = 4,
    /// HTTP 404.
    NotFound = 5,
    /// HTTP 409 once retries are spent.
    Conflict = 6,
    /// HTTP 422.
    Unprocessable = 7,
    /// HTTP 429 once retries are spent.
    RateLimited = 8,
    /// HTTP 5xx once retries are spent.
    Server = 9,
    /// Any other non-2xx status, a refused redirect, or too many redirects.
    Http = 10,
    /// A timeout passed before the call finished.
    Timeout = 11,
    /// DNS, connect, TLS, reset, or a truncated body.
    Connection = 12,
    /// The body is not a valid video job, or is too large.
    Decode = 13,
    /// The caller cancelled the call.
    Cancelled = 14,
    /// A bug in this library (a caught panic), or the system refused it a thread.
    Internal = 15,
    /// A download's destination could not be created, written or replaced (permissions,
    /// a full disk, a missing directory), or exists and is not a regular file (a
    /// directory, a fifo, a symbolic link). The message holds the operating system's reason.
    FileSystem = 16,
}

impl From<ErrorKind> for TvResult {
    fn from(kind: ErrorKind) -> TvResult {
        match kind {
            ErrorKind::InvalidArgument => TvResult::InvalidArgument,
            ErrorKind::BadRequest => TvResult::BadRequest,
            ErrorKind::Authentication => TvResult::Authentication,
            ErrorKind::PermissionDenied => TvResult::PermissionDenied,
            ErrorKind::NotFound => TvResult::NotFound,
            ErrorKind::Conflict => TvResult::Conflict,
            ErrorKind::Unprocessable => TvResult::Unprocessable,
            ErrorKind::RateLimited => TvResult::RateLimited,
            ErrorKind::Server => TvResult::Server,
            ErrorKind::Http => TvResult::Http,
            ErrorKind::Timeout => TvResult::Timeout,
            ErrorKind::Connection => TvResult::Connection,
            ErrorKind::Decode => TvResult::Decode,
            ErrorKind::Cancelled => TvResult::Cancelled,
            ErrorKind::Internal => TvResult::Internal,
            ErrorKind::FileSystem => TvResult::FileSystem,
        }
    }
}

/// The static name of a result code, indexed by its number.
const NAMES: [&CStr; 17] = [
    c"ok",
    c"invalid argument",
    c"bad request",
    c"authentication failed",
    c"permission denied",
    c"not found",
    c"conflict",
    c"unprocessable request",
    c"rate limited",
    c"server error",
    c"unexpected HTTP response",
    c"timed out",
    c"connection failed",
    c"invalid response",
    c"cancelled",
    c"internal error",
    c"file system error",
];

/// A short static description of a result code, e.g. "not found" for `TV_RESULT_NOT_FOUND`.
///
/// Any `int` is safe: a code this version does not know gives "unknown result".
/// The string is static: never free it. Thread-safe.
#[no_mangle]
pub extern "C" fn tv_result_name(code: c_int) -> *const c_char {
    let unknown = c"unknown result";
    run_infallible(unknown.as_ptr(), || {
        usize::try_from(code).ok().and_then(|index| NAMES.get(index)).unwrap_or(&unknown).as_ptr()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_the_core_and_cover_every_code() {
        let kinds = [
            ErrorKind::InvalidArgument,
            ErrorKind::BadRequest,
            ErrorKind::Authentication,
            ErrorKind::PermissionDenied,
            ErrorKind::NotFound,
            ErrorKind::Conflict,
            ErrorKind::Unprocessable,
            ErrorKind::RateLimited,
            ErrorKind::Server,
            ErrorKind::Http,
            ErrorKind::Timeout,
            ErrorKind::Connection,
            ErrorKind::Decode,
            ErrorKind::Cancelled,
            ErrorKind::Internal,
            ErrorKind::FileSystem,
        ];
        for kind in kinds {
            let code = TvResult::from(kind) as usize;
            assert_eq!(NAMES[code].to_str().unwrap(), kind.name());
        }
    }
}
