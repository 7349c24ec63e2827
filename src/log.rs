//! What the library tells its host: structured events at five levels, given to the
//! client's log callback or, without one, written to stderr when `TOGETHER_LOG` asks
//! (as Together's official SDKs do). With neither, [`Logger::enabled`] is one load and
//! nothing is built or formatted.
//!
//! Nothing secret leaves: every text field and the message pass through the client's
//! [`Secrets`] at the one place events go out ([`Logger::emit`]), URLs carry no query
//! (a signed video URL's query is a credential: it becomes `?<redacted>`), and request
//! headers are logged without `Authorization`.
//!
//! After [`Logger::close`] returns (the client is freed) no callback runs or will run:
//! emitting threads count themselves in and out of a gate that `close` shuts and waits
//! on. No lock is held while the callback runs.

use std::cell::RefCell;
use std::fmt::{self, Write as _};
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use crate::error::ErrorKind;
use crate::redact::{Secrets, MARK};

/// How much of a header block or body a trace event carries.
pub const MAX_TRACE_BYTES: usize = 4096;

/// How much an event says; each level includes those above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Level {
    Error = 1,
    Warn = 2,
    Info = 3,
    Debug = 4,
    /// Adds request and response headers and bodies (capped, redacted).
    Trace = 5,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Info => "info",
            Level::Debug => "debug",
            Level::Trace => "trace",
        }
    }

    /// The level `TOGETHER_LOG` names (`error`, `warn`, `info`, `debug`, `trace`), if any.
    pub fn parse(text: &str) -> Option<Level> {
        match text.trim().to_ascii_lowercase().as_str() {
            "error" => Some(Level::Error),
            "warn" | "warning" => Some(Level::Warn),
            "info" => Some(Level::Info),
            "debug" => Some(Level::Debug),
            "trace" => Some(Level::Trace),
            _ => None,
        }
    }

    pub(crate) fn from_u8(n: u8) -> Option<Level> {
        [Level::Error, Level::Warn, Level::Info, Level::Debug, Level::Trace].into_iter().find(|l| *l as u8 == n)
    }

    /// The level numbered `n`, 1 (error) to 5 (trace), or why not.
    pub fn from_number(n: i64) -> Result<Level, crate::error::Error> {
        u8::try_from(n).ok().and_then(Level::from_u8).ok_or_else(|| {
            crate::error::Error::invalid(format!(
                "max_level must be from 1 (TV_LOG_LEVEL_ERROR) to 5 (TV_LOG_LEVEL_TRACE), not {n}"
            ))
        })
    }
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum EventKind {
    /// A client was created (info).
    ClientCreated = 1,
    /// A client is being freed (info).
    ClientFreed = 2,
    /// One HTTP attempt ended: a response, or a failure before one (info; warn when failed).
    HttpAttempt = 3,
    /// A request will be tried again after a delay (warn).
    Retry = 4,
    /// A redirect was followed; only the target's origin is given (debug).
    Redirect = 5,
    /// A wait polled its job (debug).
    Poll = 6,
    /// A download's first response arrived (info).
    DownloadStarted = 7,
    /// A download resumes where it stopped (warn).
    DownloadResumed = 8,
    /// A download finished (info).
    DownloadFinished = 9,
    /// A call was cancelled (info).
    Cancelled = 10,
    /// Request or response headers, or a body, capped (trace).
    HttpTrace = 11,
    /// The job journal could not record something (error): `reason` says what.
    JournalFailed = 12,
}

impl EventKind {
    pub fn name(self) -> &'static str {
        match self {
            EventKind::ClientCreated => "client_created",
            EventKind::ClientFreed => "client_freed",
            EventKind::HttpAttempt => "http_attempt",
            EventKind::Retry => "retry",
            EventKind::Redirect => "redirect",
            EventKind::Poll => "poll",
            EventKind::DownloadStarted => "download_started",
            EventKind::DownloadResumed => "download_resumed",
            EventKind::DownloadFinished => "download_finished",
            EventKind::Cancelled => "cancelled",
            EventKind::HttpTrace => "http_trace",
            EventKind::JournalFailed => "journal_failed",
        }
    }
}

/// One event. Fields that do not apply to its kind are empty (`None`, 0).
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub level: Level,
    pub kind: EventKind,
    /// The whole event as one line of text, e.g. `GET /v2/videos/abc -> 200 in 12.3 ms`.
    pub message: String,
    pub method: Option<String>,
    /// Scheme, host, port and path; a query becomes `?<redacted>`.
    pub url: Option<String>,
    /// 1 for the first attempt of a request.
    pub attempt: u32,
    /// The response's status; 0 when there was none.
    pub status: u16,
    pub duration: Duration,
    pub request_id: Option<String>,
    /// Body bytes received (an attempt), or written (a finished download).
    pub bytes: u64,
    /// Why: a retry's cause, a failure's message, a cancelled call's operation.
    pub reason: Option<String>,
    /// How long before the retry.
    pub delay: Duration,
    /// The delay is the server's (`retry-after-ms`, `Retry-After`).
    pub delay_from_server: bool,
    pub job_id: Option<String>,
    pub job_status: Option<String>,
    /// Where a download (re)starts.
    pub offset: u64,
    /// A download's size, when known.
    pub total: Option<u64>,
    /// The error an attempt or call ended with.
    pub error: Option<ErrorKind>,
    /// Trace: the header block or body text.
    pub detail: Option<String>,
}

impl Event {
    /// An event of `kind` with no fields set: fill in what applies.
    pub fn new(level: Level, kind: EventKind) -> Event {
        Event {
            level,
            kind,
            message: String::new(),
            method: None,
            url: None,
            attempt: 0,
            status: 0,
            duration: Duration::ZERO,
            request_id: None,
            bytes: 0,
            reason: None,
            delay: Duration::ZERO,
            delay_from_server: false,
            job_id: None,
            job_status: None,
            offset: 0,
            total: None,
            error: None,
            detail: None,
        }
    }

    /// The one-line form, from the fields.
    fn describe(&self) -> String {
        let mut line = String::new();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let text = |s: &Option<String>| s.clone().unwrap_or_default();
        let _ = match self.kind {
            EventKind::ClientCreated | EventKind::ClientFreed | EventKind::JournalFailed => {
                write!(line, "{}", text(&self.reason))
            }
            EventKind::HttpAttempt => {
                let _ = write!(line, "{} {} (attempt {})", text(&self.method), text(&self.url), self.attempt);
                if self.status != 0 {
                    let _ = write!(line, " -> {} in {:.1} ms, {} bytes", self.status, ms(self.duration), self.bytes);
                } else {
                    let _ = write!(line, " failed after {:.1} ms", ms(self.duration));
                }
                if let Some(reason) = &self.reason {
                    let _ = write!(line, ": {reason}");
                }
                match &self.request_id {
                    Some(id) => write!(line, " (request id {id})"),
                    None => Ok(()),
                }
            }
            EventKind::Retry => write!(
                line,
                "retrying {} {} in {:.0} ms ({}{}) after attempt {}",
                text(&self.method),
                text(&self.url),
                ms(self.delay),
                text(&self.reason),
                if self.delay_from_server { ", as the server asked" } else { "" },
                self.attempt
            ),
            EventKind::Redirect => {
                write!(line, "HTTP {} redirects {} to {}", self.status, text(&self.method), text(&self.url))
            }
            EventKind::Poll => write!(
                line,
                "job {} is {}; next poll in {:.0} ms",
                text(&self.job_id),
                text(&self.job_status),
                ms(self.delay)
            ),
            EventKind::DownloadStarted => write!(
                line,
                "downloading {} ({} bytes)",
                text(&self.url),
                self.total.map_or_else(|| "size unknown".to_owned(), |t| t.to_string())
            ),
            EventKind::DownloadResumed => write!(
                line,
                "resuming {} at byte {} of {}",
                text(&self.url),
                self.offset,
                self.total.map_or_else(|| "?".to_owned(), |t| t.to_string())
            ),
            EventKind::DownloadFinished => {
                write!(line, "downloaded {} bytes from {} in {:.1} ms", self.bytes, text(&self.url), ms(self.duration))
            }
            EventKind::Cancelled => write!(line, "cancelled: {}", text(&self.reason)),
            EventKind::HttpTrace => write!(line, "{}", text(&self.detail).replace(['\r', '\n'], " | ")),
        };
        line
    }

    /// Every text field through `secrets`, and the message made from them (so the message,
    /// made of redacted fields and the library's own words, needs no pass of its own).
    fn redacted(mut self, secrets: &Secrets) -> Event {
        for field in [
            &mut self.url,
            &mut self.request_id,
            &mut self.reason,
            &mut self.job_id,
            &mut self.job_status,
            &mut self.detail,
        ] {
            if let Some(text) = field.as_mut() {
                // Queries first: a secret redacted inside one would end the URL early.
                *text = secrets.redact(&without_queries(text)).into_owned();
            }
        }
        self.message = self.describe();
        self
    }
}

/// The host's log callback: each event, on the thread it happened on.
pub type LogFn = Arc<dyn Fn(&Event) + Send + Sync>;

/// Where a client's events go: its callback, up to a level.
#[derive(Clone)]
pub struct LogConfig {
    pub max_level: Level,
    pub callback: LogFn,
}

/// Two configurations are equal when they deliver to the same callback at the same level.
impl PartialEq for LogConfig {
    fn eq(&self, other: &LogConfig) -> bool {
        self.max_level == other.max_level && Arc::ptr_eq(&self.callback, &other.callback)
    }
}

impl Eq for LogConfig {}

impl fmt::Debug for LogConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogConfig").field("max_level", &self.max_level).finish_non_exhaustive()
    }
}

/// A client's logger.
pub(crate) struct Logger {
    /// The most detailed level delivered; 0 when nothing is.
    max_level: AtomicU8,
    /// `None`: stderr (TOGETHER_LOG).
    callback: Option<LogFn>,
    secrets: Secrets,
    gate: Gate,
}

impl Logger {
    /// The configured callback, else stderr at `TOGETHER_LOG`'s level, else nothing.
    pub(crate) fn new(config: Option<&LogConfig>, secrets: Secrets) -> Logger {
        let (max_level, callback) = match config {
            Some(config) => (config.max_level as u8, Some(Arc::clone(&config.callback))),
            None => (std::env::var("TOGETHER_LOG").ok().and_then(|v| Level::parse(&v)).map_or(0, |l| l as u8), None),
        };
        Logger { max_level: AtomicU8::new(max_level), callback, secrets, gate: Gate::default() }
    }

    /// Whether an event at `level` would go anywhere: check before building one.
    pub(crate) fn enabled(&self, level: Level) -> bool {
        level as u8 <= self.max_level.load(Ordering::Relaxed)
    }

    /// Builds and delivers an event when its level is enabled.
    pub(crate) fn emit(&self, level: Level, build: impl FnOnce() -> Event) {
        if !self.enabled(level) {
            return;
        }
        let Some(_inside) = self.gate.enter() else { return };
        let mut event = build();
        event.level = level;
        let event = event.redacted(&self.secrets);
        match &self.callback {
            Some(callback) => {
                // A panicking callback must not unwind into the library's threads: the
                // event is dropped and the call goes on. Counted as a callback of the
                // caller's, so that what it calls (a wait, freeing a client) does not block
                // the way it may on the caller's own threads.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    crate::request::in_callback(|| callback(&event))
                }));
            }
            None => {
                let line = format!("together-video {} {}: {}\n", level.name(), event.kind.name(), event.message);
                let _ = std::io::stderr().lock().write_all(line.as_bytes());
            }
        }
    }

    /// Stops all delivery and waits for callbacks running on other threads to return.
    /// From inside a callback of this logger it does not wait for that callback.
    pub(crate) fn close(&self) {
        self.max_level.store(0, Ordering::Relaxed);
        self.gate.close();
    }
}

thread_local! {
    /// The gates (by address) whose callbacks this thread is inside, and how deep (see
    /// `Gate::close`): a callback of one client may free another.
    static INSIDE: RefCell<Vec<(usize, usize)>> = const { RefCell::new(Vec::new()) };
}

/// How deep this thread is inside callbacks of `gate`.
fn depth(gate: &Gate) -> usize {
    let key = gate as *const Gate as usize;
    INSIDE.with(|inside| inside.borrow().iter().find(|(g, _)| *g == key).map_or(0, |(_, n)| *n))
}

/// Adds `change` to this thread's depth inside `gate`.
fn change_depth(gate: &Gate, change: isize) {
    let key = gate as *const Gate as usize;
    INSIDE.with(|inside| {
        let mut inside = inside.borrow_mut();
        match inside.iter().position(|(g, _)| *g == key) {
            Some(at) => {
                inside[at].1 = inside[at].1.saturating_add_signed(change);
                if inside[at].1 == 0 {
                    inside.swap_remove(at);
                }
            }
            None if change > 0 => inside.push((key, change as usize)),
            None => {}
        }
    });
}

/// Counts deliveries in and out; once closed, lets none in and waits for those inside.
#[derive(Default)]
struct Gate {
    closed: AtomicBool,
    inside: AtomicUsize,
    lock: Mutex<()>,
    left: Condvar,
}

struct Inside<'a>(&'a Gate);

impl Gate {
    fn enter(&self) -> Option<Inside<'_>> {
        self.inside.fetch_add(1, Ordering::SeqCst);
        if self.closed.load(Ordering::SeqCst) {
            self.exit();
            return None;
        }
        change_depth(self, 1);
        Some(Inside(self))
    }

    fn exit(&self) {
        if self.inside.fetch_sub(1, Ordering::SeqCst) == 1 && self.closed.load(Ordering::SeqCst) {
            let _lock = self.lock.lock().unwrap_or_else(|e| e.into_inner());
            self.left.notify_all();
        }
    }

    fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        // This thread's own deliveries of this logger cannot end first.
        let own = depth(self);
        let mut lock = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        while self.inside.load(Ordering::SeqCst) > own {
            lock = self.left.wait_timeout(lock, Duration::from_millis(50)).unwrap_or_else(|e| e.into_inner()).0;
        }
    }
}

impl Drop for Inside<'_> {
    fn drop(&mut self) {
        change_depth(self.0, -1);
        self.0.exit();
    }
}

/// A URL for a log line or a message: its query (and fragment) replaced by
/// `?<redacted>`, and any `user:password@` too.
pub(crate) fn log_url(url: &str) -> String {
    match url.find(['?', '#']) {
        Some(cut) => format!("{}?{MARK}", without_userinfo(&url[..cut])),
        None => without_userinfo(url).into_owned(),
    }
}

/// `url`'s origin only (`https://host:port`), for a redirect's target.
pub(crate) fn log_origin(url: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let end = url[after_scheme..].find(['/', '?', '#']).map_or(url.len(), |i| after_scheme + i);
    url[..end].to_owned()
}

/// Every http(s) URL in `text` (the scheme in any case) with its query replaced by
/// `?<redacted>`: bodies carry signed video URLs. JSON's escapes are URLs too
/// (`https:\/\/host\/v.mp4?a=1\u0026sig=2`): a backslash does not end one, and an escaped
/// `?` starts its query. Before the query, punctuation that often follows a URL in text
/// (`,` `)` `]` `}`) ends it; inside the query only whitespace, quotes and `<` `>` do,
/// since the rest may be part of a signature. Idempotent.
pub(crate) fn without_queries(text: &str) -> String {
    const STARTS: [&str; 4] = ["http://", "https://", "http:\\/\\/", "https:\\/\\/"];
    let lower = text.to_ascii_lowercase(); // same byte offsets as `text`
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while let Some(start) = STARTS.iter().filter_map(|scheme| lower[at..].find(scheme)).min().map(|i| at + i) {
        let url = &text[start..];
        let mut end = 0;
        let mut in_query = false;
        while let Some(c) = url[end..].chars().next() {
            // `<redacted>` (a secret or query replaced already) belongs to the URL.
            if url[end..].starts_with(MARK) {
                end += MARK.len();
                continue;
            }
            let ends_text = c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>');
            if ends_text || (!in_query && matches!(c, ',' | ')' | ']' | '}')) {
                break;
            }
            in_query |= c == '?' || c == '#' || lower[start + end..].starts_with("\\u003f");
            end += c.len_utf8();
        }
        let url = &url[..end];
        let url_lower = url.to_ascii_lowercase();
        let query = [url.find(['?', '#']), url_lower.find("\\u003f")].into_iter().flatten().min();
        out.push_str(&text[at..start]);
        match query {
            Some(cut) => {
                out.push_str(&without_userinfo(&url[..cut]));
                out.push('?');
                out.push_str(MARK);
            }
            None => out.push_str(&without_userinfo(url)),
        }
        at = start + end;
    }
    out.push_str(&text[at..]);
    out
}

/// `url` without a `user:password@` before its host.
fn without_userinfo(url: &str) -> std::borrow::Cow<'_, str> {
    let Some(after_scheme) = url.find("//").map(|i| i + 2) else { return url.into() };
    let authority_end = url[after_scheme..].find(['/', '\\']).map_or(url.len(), |i| after_scheme + i);
    match url[after_scheme..authority_end].rfind('@') {
        Some(at) => format!("{}{MARK}@{}", &url[..after_scheme], &url[after_scheme + at + 1..]).into(),
        None => url.into(),
    }
}

/// At most [`MAX_TRACE_BYTES`] of `text`, cut at a character boundary.
pub(crate) fn capped(text: &str) -> String {
    if text.len() <= MAX_TRACE_BYTES {
        return text.to_owned();
    }
    let mut end = MAX_TRACE_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes in all)", &text[..end], text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_leave_every_url() {
        assert_eq!(log_url("https://cdn.x/v.mp4?sig=abc&exp=1"), "https://cdn.x/v.mp4?<redacted>");
        assert_eq!(log_url("https://cdn.x/v.mp4"), "https://cdn.x/v.mp4");
        assert_eq!(log_origin("https://cdn.x:8443/a/b?c"), "https://cdn.x:8443");
        assert_eq!(
            without_queries(r#"{"video_url":"https://cdn.x/v.mp4?X-Amz-Signature=s3cr3t","u":"http://a/b?q=1"}"#),
            r#"{"video_url":"https://cdn.x/v.mp4?<redacted>","u":"http://a/b?<redacted>"}"#
        );
        // JSON's escapes: \u0026 and \/ do not end a URL or hide its query.
        assert_eq!(
            without_queries(
                r#"{"u":"https://cdn.x/v.mp4?token=k\u0026exp=1\u0026sig=s","w":"https:\/\/cdn.x\/v.mp4\u003fsig=s"}"#
            ),
            r#"{"u":"https://cdn.x/v.mp4?<redacted>","w":"https:\/\/cdn.x\/v.mp4?<redacted>"}"#
        );
        // Any case, commas and brackets inside the query, userinfo.
        assert_eq!(without_queries("a HTTPS://cdn.x/v?ids=1,2&sig=S) b"), "a HTTPS://cdn.x/v?<redacted> b");
        assert_eq!(without_queries("(see https://cdn.x/v), then"), "(see https://cdn.x/v), then");
        assert_eq!(log_url("https://user:tok@cdn.x/v.mp4?s=1"), "https://<redacted>@cdn.x/v.mp4?<redacted>");
        assert_eq!(without_queries("https://u:p@h/x"), "https://<redacted>@h/x");
        // A query with a secret already redacted in it goes whole; and twice is once.
        assert_eq!(without_queries("GET https://h/v?token=<redacted>&exp=1&sig=x ok"), "GET https://h/v?<redacted> ok");
        let once = without_queries("see https://h/v.mp4?a=1");
        assert_eq!(without_queries(&once), once);
    }

    #[test]
    fn nothing_is_built_without_a_listener() {
        let logger =
            Logger { max_level: AtomicU8::new(0), callback: None, secrets: Secrets::default(), gate: Gate::default() };
        logger.emit(Level::Error, || unreachable!("built though disabled"));
    }

    #[test]
    fn the_key_never_leaves() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        let config = LogConfig {
            max_level: Level::Trace,
            callback: Arc::new(move |e: &Event| sink.lock().unwrap().push(e.clone())),
        };
        let key = "tv-secret-key-0123456789abcdef";
        let logger = Logger::new(Some(&config), Secrets::new(key, []));
        logger.emit(Level::Info, || {
            let mut event = Event::new(Level::Info, EventKind::HttpAttempt);
            event.request_id = Some(format!("req-{key}"));
            event.reason = Some(format!("echo {}", &key[4..20]));
            event.url = Some("https://h/v2/videos/x?token=abc".into());
            event
        });
        logger.close();
        logger.emit(Level::Error, || Event::new(Level::Error, EventKind::Cancelled));
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1, "nothing is delivered after close");
        let all = format!("{:?}", seen[0]);
        assert!(!all.contains(&key[4..12]) && !all.contains("token=abc"), "{all}");
    }
}
