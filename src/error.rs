//! The library's one error type: what went wrong, the HTTP status and request id
//! when there was a response, and a message safe to show (it never holds the API key).

use std::fmt;

/// What kind of failure an [`Error`] is. Each kind maps to one `TvResult` in C.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The caller passed something unusable: NULL, bad UTF-8, an unsafe id, a bad option.
    InvalidArgument,
    /// HTTP 400.
    BadRequest,
    /// HTTP 401, or no API key was configured.
    Authentication,
    /// HTTP 403.
    PermissionDenied,
    /// HTTP 404.
    NotFound,
    /// HTTP 409 once retries are spent.
    Conflict,
    /// HTTP 422.
    Unprocessable,
    /// HTTP 429 once retries are spent.
    RateLimited,
    /// HTTP 5xx once retries are spent.
    Server,
    /// Any other non-2xx status, a refused redirect, or too many redirects.
    Http,
    /// A timeout passed before the call finished.
    Timeout,
    /// DNS, connect, TLS, reset, or a truncated body.
    Connection,
    /// The body is not a valid video job, or is too large.
    Decode,
    /// The caller cancelled the call.
    Cancelled,
    /// A bug in this library (a caught panic), or the system refused it a thread.
    Internal,
    /// A download's destination could not be created, written or replaced, or exists and
    /// is not a regular file. The message holds the operating system's reason.
    FileSystem,
}

impl ErrorKind {
    /// The kind for a non-2xx HTTP status.
    pub fn from_status(status: u16) -> ErrorKind {
        match status {
            400 => ErrorKind::BadRequest,
            401 => ErrorKind::Authentication,
            403 => ErrorKind::PermissionDenied,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            422 => ErrorKind::Unprocessable,
            429 => ErrorKind::RateLimited,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::Http,
        }
    }

    /// The kind's number: its `TvResult` in C, 1 to 16 (0 is success).
    pub fn index(self) -> usize {
        match self {
            ErrorKind::InvalidArgument => 1,
            ErrorKind::BadRequest => 2,
            ErrorKind::Authentication => 3,
            ErrorKind::PermissionDenied => 4,
            ErrorKind::NotFound => 5,
            ErrorKind::Conflict => 6,
            ErrorKind::Unprocessable => 7,
            ErrorKind::RateLimited => 8,
            ErrorKind::Server => 9,
            ErrorKind::Http => 10,
            ErrorKind::Timeout => 11,
            ErrorKind::Connection => 12,
            ErrorKind::Decode => 13,
            ErrorKind::Cancelled => 14,
            ErrorKind::Internal => 15,
            ErrorKind::FileSystem => 16,
        }
    }

    /// A short lower-case name, e.g. "not found".
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::InvalidArgument => "invalid argument",
            ErrorKind::BadRequest => "bad request",
            ErrorKind::Authentication => "authentication failed",
            ErrorKind::PermissionDenied => "permission denied",
            ErrorKind::NotFound => "not found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Unprocessable => "unprocessable request",
            ErrorKind::RateLimited => "rate limited",
            ErrorKind::Server => "server error",
            ErrorKind::Http => "unexpected HTTP response",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Connection => "connection failed",
            ErrorKind::Decode => "invalid response",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::Internal => "internal error",
            ErrorKind::FileSystem => "file system error",
        }
    }
}

/// A failed call. `Display` gives the full message; it never contains the API key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    http_status: Option<u16>,
    request_id: Option<String>,
}

impl Error {
    /// An error with no HTTP response behind it.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error { kind, message: message.into(), http_status: None, request_id: None }
    }

    /// An error for a response with a non-2xx status.
    pub fn http(kind: ErrorKind, status: u16, message: impl Into<String>, request_id: Option<String>) -> Error {
        Error { kind, message: message.into(), http_status: Some(status), request_id }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidArgument, message)
    }

    pub(crate) fn file_system(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::FileSystem, message)
    }

    pub(crate) fn decode(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Decode, message)
    }

    /// Adds the HTTP status and request id of the response this error came from.
    pub(crate) fn with_response(mut self, status: u16, request_id: Option<String>) -> Error {
        self.http_status = Some(status);
        self.request_id = request_id;
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message, including the server's own message when there was one.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The HTTP status of the response, `None` when there was no response.
    pub fn http_status(&self) -> Option<u16> {
        self.http_status
    }

    /// The response's `x-request-id`, for Together's support.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
