//! The log callback: `TvLogEvent` for each event of a client, at the levels its host asks.

use std::ffi::{c_char, c_int, c_void};
use std::sync::Arc;

use super::boundary::CStrings;
use super::client::{set, TvClientOptions};
use super::result::TvResult;
use crate::log::{Event, EventKind, Level, LogConfig};

/// How much an event says; each level includes the ones before it.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TvLogLevel {
    Error = 1,
    Warn = 2,
    Info = 3,
    Debug = 4,
    /// Adds request and response headers and bodies (capped at 4 KiB each, redacted).
    Trace = 5,
}

/// What an event reports. New kinds may be added in a minor release: ignore those you
/// do not know (their `message` still describes them).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TvLogEventKind {
    /// A client was created (info). `url` is its base URL.
    ClientCreated = 1,
    /// A client is being freed (info).
    ClientFreed = 2,
    /// One HTTP attempt ended (info; warn for a failure or a 4xx/5xx): `method`, `url`,
    /// `attempt`, `status` (0 when no response came), `duration_us`, `request_id`,
    /// `bytes` received, and `result` and `reason` when it failed.
    HttpAttempt = 3,
    /// A request will be tried again (warn): `reason`, `delay_ms`, `delay_from_server`,
    /// `attempt` (the one that failed), `status`, `result`.
    Retry = 4,
    /// A redirect was followed (debug): `status`, and the target's origin only in `url`.
    Redirect = 5,
    /// A wait polled its job (debug): `job_id`, `job_status`, and `delay_ms` until the
    /// next poll (0 when the job is done).
    Poll = 6,
    /// A download's first response arrived (info): `url`, `total` (-1 when unknown).
    DownloadStarted = 7,
    /// A download resumes where it stopped (warn): `offset`, `total`.
    DownloadResumed = 8,
    /// A download finished (info): `bytes`, `duration_us`, `attempt`s it took.
    DownloadFinished = 9,
    /// A call was cancelled (info): `reason` names the operation.
    Cancelled = 10,
    /// Request or response headers, or a body (trace): `detail`, capped at 4 KiB.
    HttpTrace = 11,
    /// The job journal could not record something (error): `reason` says what; the call
    /// went on (a created job is still returned), but the journal may miss it.
    JournalFailed = 12,
}

/// One event, valid only during the callback: copy what you keep. Text fields are NULL
/// when they do not apply to the event's kind, numbers 0. No field ever holds the API
/// key or a URL's query string (a signed video URL's query becomes `?<redacted>`).
///
/// ABI: fields are only ever added at the end; `size` is `sizeof(TvLogEvent)` as the
/// library was built, so read a field added later only when `size` covers it.
#[repr(C)]
pub struct TvLogEvent {
    pub size: u32,
    pub level: TvLogLevel,
    pub kind: TvLogEventKind,
    /// The whole event as one line of text. Never NULL.
    pub message: *const c_char,
    pub method: *const c_char,
    /// Scheme, host, port and path; a query is replaced by `?<redacted>`.
    pub url: *const c_char,
    /// 1 for a request's first attempt.
    pub attempt: u32,
    /// The response's HTTP status; 0 when there was none.
    pub status: u16,
    pub duration_us: u64,
    pub request_id: *const c_char,
    pub bytes: u64,
    pub reason: *const c_char,
    pub delay_ms: u64,
    /// The delay is the server's (`retry-after-ms`, `Retry-After`).
    pub delay_from_server: bool,
    pub job_id: *const c_char,
    pub job_status: *const c_char,
    pub offset: u64,
    /// A download's size; -1 when unknown.
    pub total: i64,
    /// The error an attempt or call ended with; `TV_RESULT_OK` when none.
    pub result: TvResult,
    /// Trace: the header block or body.
    pub detail: *const c_char,
}

/// Receives the events of a client. `event` and its strings are valid during the call
/// only.
///
/// It runs on the thread where the event happened: the caller's thread for blocking
/// calls, a library thread for non-blocking ones, the cancelling thread for a cancel.
/// It may run on several threads at once, so it must be thread-safe. It may call any
/// library function except `tv_client_free` on the client it logs for; as inside any
/// callback of the library, `tv_request_wait` there does not block, and freeing another
/// client does not wait for that client's threads. It holds no lock
/// of the library while it runs, but the call that logs waits for it: keep it short
/// (hand events to a queue). It is never called after `tv_client_free` returns.
pub type TvLogCallback = Option<unsafe extern "C" fn(user_data: *mut c_void, event: *const TvLogEvent)>;

/// Sends the client's events up to `max_level` (a `TvLogLevel`, 1 to 5) to `callback`
/// with `user_data` (see `TvLogCallback` for its threads); NULL `callback` goes back to
/// the default: with `TOGETHER_LOG=error|warn|info|debug|trace` in the environment when
/// the client is created, one line per event on stderr; without it, nothing, at no
/// cost. A `max_level` out of range is `TV_RESULT_INVALID_ARGUMENT`.
///
/// `user_data` must stay valid until `tv_client_free` of every client built with these
/// options has returned.
#[no_mangle]
pub unsafe extern "C" fn tv_client_options_set_log_callback(
    options: *mut TvClientOptions,
    max_level: c_int,
    callback: TvLogCallback,
    user_data: *mut c_void,
) -> TvResult {
    let change = |config: &mut crate::config::ClientConfig| {
        let Some(callback) = callback else {
            config.log = None;
            return Ok(());
        };
        let level = Level::from_number(i64::from(max_level))?;
        let user_data = SharedUserData(user_data);
        let deliver = move |event: &Event| {
            let native = NativeEvent::of(event);
            // SAFETY: the caller's callback with the caller's user_data, as documented;
            // the event and its strings live until it returns.
            unsafe { callback(user_data.get(), &native.event) };
        };
        config.log = Some(LogConfig { max_level: level, callback: Arc::new(deliver) });
        Ok(())
    };
    // SAFETY: shared contract.
    unsafe { set(options, change) }
}

/// The log callback's `user_data`, handed to it on any thread, several at once.
#[derive(Clone, Copy)]
struct SharedUserData(*mut c_void);

impl SharedUserData {
    /// The pointer. (A method, so that closures capture the whole wrapper.)
    fn get(self) -> *mut c_void {
        self.0
    }
}

// SAFETY: the library never dereferences it; it only hands it back to the caller's log
// callback, which `TvLogCallback` documents as running on any thread, several at once:
// making that safe is the caller's part of the contract.
unsafe impl Send for SharedUserData {}
// SAFETY: as for Send; the library only copies the pointer.
unsafe impl Sync for SharedUserData {}

/// A `TvLogEvent` and the C strings it points into.
struct NativeEvent {
    event: TvLogEvent,
    _strings: CStrings,
}

impl NativeEvent {
    fn of(event: &Event) -> NativeEvent {
        let mut strings = CStrings::default();
        let native = TvLogEvent {
            size: std::mem::size_of::<TvLogEvent>() as u32,
            level: level(event.level),
            kind: kind(event.kind),
            message: strings.keep(Some(&event.message)),
            method: strings.keep(event.method.as_deref()),
            url: strings.keep(event.url.as_deref()),
            attempt: event.attempt,
            status: event.status,
            duration_us: u64::try_from(event.duration.as_micros()).unwrap_or(u64::MAX),
            request_id: strings.keep(event.request_id.as_deref()),
            bytes: event.bytes,
            reason: strings.keep(event.reason.as_deref()),
            delay_ms: u64::try_from(event.delay.as_millis()).unwrap_or(u64::MAX),
            delay_from_server: event.delay_from_server,
            job_id: strings.keep(event.job_id.as_deref()),
            job_status: strings.keep(event.job_status.as_deref()),
            offset: event.offset,
            total: event.total.and_then(|t| i64::try_from(t).ok()).unwrap_or(-1),
            result: event.error.map_or(TvResult::Ok, TvResult::from),
            detail: strings.keep(event.detail.as_deref()),
        };
        NativeEvent { event: native, _strings: strings }
    }
}

fn level(level: Level) -> TvLogLevel {
    match level {
        Level::Error => TvLogLevel::Error,
        Level::Warn => TvLogLevel::Warn,
        Level::Info => TvLogLevel::Info,
        Level::Debug => TvLogLevel::Debug,
        Level::Trace => TvLogLevel::Trace,
    }
}

fn kind(kind: EventKind) -> TvLogEventKind {
    match kind {
        EventKind::ClientCreated => TvLogEventKind::ClientCreated,
        EventKind::ClientFreed => TvLogEventKind::ClientFreed,
        EventKind::HttpAttempt => TvLogEventKind::HttpAttempt,
        EventKind::Retry => TvLogEventKind::Retry,
        EventKind::Redirect => TvLogEventKind::Redirect,
        EventKind::Poll => TvLogEventKind::Poll,
        EventKind::DownloadStarted => TvLogEventKind::DownloadStarted,
        EventKind::DownloadResumed => TvLogEventKind::DownloadResumed,
        EventKind::DownloadFinished => TvLogEventKind::DownloadFinished,
        EventKind::Cancelled => TvLogEventKind::Cancelled,
        EventKind::HttpTrace => TvLogEventKind::HttpTrace,
        EventKind::JournalFailed => TvLogEventKind::JournalFailed,
    }
}
