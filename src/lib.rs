//! together-video: a small, fast, safe native client for Together AI's video API.
//!
//! The pure-Rust core (`Client`, `Video`, `Error`) is usable from Rust directly;
//! [`ffi`] wraps it in the C ABI declared in `include/together_video.h`.
//! Only `ffi` may use `unsafe`.

#![deny(unsafe_code)]

mod cancel;
mod client;
mod config;
mod create;
mod download;
mod error;
mod events;
mod journal;
mod limits;
mod log;
mod model;
mod pool;
mod redact;
mod request;
mod resolver;
mod retry;
mod stats;
mod tcp;
mod transport;
mod url;
mod wait;

pub mod ffi;

pub use cancel::{Call, CallOptions, CancelToken};
pub use client::{Client, USER_AGENT};
pub use config::{ClientConfig, ProxySetting, TrustRoots, MAX_RETRIES_LIMIT, MAX_TIMEOUT, MAX_WORKER_THREADS};
pub use create::{CreateVideoParams, FrameImage, FramePosition, Media, MediaUrl, OutputFormat, MAX_PROMPT_CHARS};
pub use download::{video_url, DownloadProgress, DownloadProgressFn, DownloadSink, Source, WriterSink};
pub use error::{Error, ErrorKind};
pub use events::{QueuedEvent, QueuedEventKind};
pub use journal::JournalJob;
pub use log::{Event, EventKind, Level, LogConfig, LogFn, MAX_TRACE_BYTES};
pub use model::{JobError, Outputs, Video, VideoStatus};
pub use request::{Outcome, Request};
pub use retry::RetryPolicy;
pub use stats::{RetryReason, Snapshot, ERROR_KINDS};
pub use transport::{MAX_BODY, MAX_REDIRECTS};
pub use url::{DEFAULT_BASE_URL, MAX_ID_LEN};
pub use wait::{Progress, WaitOptions, WaitProgressFn, MAX_POLL_INTERVAL};

/// Internals exposed for the fuzz targets in `fuzz/` and their corpus replay test; not
/// part of the API.
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::url::{encode_id, resolve_location, Origin};
}
