//! One HTTP exchange: send, follow redirects safely, read a capped body, and turn
//! ureq's errors into ours. Retrying is the caller's business (see `client`).

use std::borrow::Cow;
use std::io::Read;
use std::time::{Duration, Instant};

use ureq::http::{header, HeaderMap, Method, Request, Response};
use ureq::{Agent, AsSendBody, Body, Timeout};

use crate::error::{Error, ErrorKind};
use crate::log::{capped, log_origin, log_url, Event, EventKind, Level, Logger};
use crate::stats::Stats;
use crate::url::{resolve_location, Origin};

/// The largest response body read for metadata; a larger one is a `Decode` error.
pub const MAX_BODY: u64 = 8 * 1024 * 1024;
/// The most reserved up front for a body, whatever its declared length.
const PREALLOCATE_BODY: u64 = 64 * 1024;
/// How much of an error body is kept to find the server's message in.
const MAX_ERROR_BODY: u64 = 64 * 1024;
/// Redirects followed before giving up.
pub const MAX_REDIRECTS: usize = 5;
/// How much of a non-JSON error body goes into a message.
const RAW_MESSAGE_BYTES: usize = 200;

/// What to send. The API key goes only to the origin of `url`, never to a redirect elsewhere.
pub struct Exchange<'a> {
    pub agent: &'a Agent,
    pub method: Method,
    pub url: &'a str,
    pub body: Option<&'a [u8]>,
    /// `Bearer <key>`, or `None` for requests that must never carry the key (downloads).
    pub authorization: Option<&'a str>,
    /// Extra request headers, such as `Range`.
    pub headers: Vec<(header::HeaderName, String)>,
    /// Bounds the whole exchange: connecting, redirects and reading the body.
    pub deadline: Option<Instant>,
    /// Bounds each read and write on its own: a stalled transfer fails after this long.
    pub stall_timeout: Option<Duration>,
    /// Where redirects and, at trace level, headers and bodies are logged.
    pub log: &'a Logger,
    /// Counts every response, redirects included.
    pub stats: &'a Stats,
}

/// A response, read whole (2xx bodies up to [`MAX_BODY`], others up to 64 KiB).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub request_id: Option<String>,
    pub body: Vec<u8>,
}

/// A failure before a complete reply arrived.
#[derive(Debug)]
pub struct Failure {
    pub error: Error,
    /// Trying again could succeed (a reset, a refused connection), for idempotent requests.
    pub retryable: bool,
    /// Nothing reached the server, so even a non-idempotent request may be retried.
    pub before_sending: bool,
}

impl Failure {
    fn fatal(error: Error) -> Failure {
        Failure { error, retryable: false, before_sending: false }
    }
}

/// Runs one exchange and reads the whole reply (see [`open`] and [`Reply`]).
pub fn run(exchange: Exchange<'_>) -> Result<Reply, Failure> {
    let response = open(&exchange)?;
    let reply = read_reply(response, exchange.deadline)?;
    exchange.log.emit(Level::Trace, || trace(format!("response body: {}", String::from_utf8_lossy(&reply.body))));
    Ok(reply)
}

/// A trace event carrying `detail`.
fn trace(detail: String) -> Event {
    let mut event = Event::new(Level::Trace, EventKind::HttpTrace);
    event.detail = Some(capped(&detail));
    event
}

/// Sends a request and follows up to [`MAX_REDIRECTS`] redirects, returning the final
/// response with its body unread. Never follows https to http, and sends `Authorization`
/// only to the origin the exchange started at.
pub fn open(exchange: &Exchange<'_>) -> Result<Response<Body>, Failure> {
    let origin = Origin::of(exchange.url)
        .ok_or_else(|| Failure::fatal(Error::invalid(format!("not an http(s) URL: {}", log_url(exchange.url)))))?;
    let mut url = Cow::Borrowed(exchange.url);
    // Where the request goes now, once a redirect has left `url`; `None`: still `origin`.
    let mut moved_to: Option<Origin> = None;
    let mut method = exchange.method.clone();
    let mut body = exchange.body;
    for _ in 0..=MAX_REDIRECTS {
        let target = moved_to.as_ref().unwrap_or(&origin);
        let mut response = send_once(exchange, &method, &url, body, *target == origin)?;
        let status = response.status().as_u16();
        let location = response.headers().get(header::LOCATION).and_then(|value| value.to_str().ok());
        let (Some(location), 301 | 302 | 303 | 307 | 308) = (location, status) else {
            return Ok(response);
        };
        let request_id = request_id(response.headers());
        let refuse = |why: String| Failure::fatal(Error::http(ErrorKind::Http, status, why, request_id.clone()));
        let next = resolve_location(&url, location)
            .ok_or_else(|| refuse(format!("redirect (HTTP {status}) to an unusable location")))?;
        let next_origin = Origin::of(&next).expect("resolve_location returns http(s) URLs");
        if is_downgrade(target, &next_origin) {
            return Err(refuse(format!("refused a redirect (HTTP {status}) from https to http")));
        }
        if status == 303 || (matches!(status, 301 | 302) && method == Method::POST) {
            method = Method::GET;
            body = None;
        }
        drain(response.body_mut());
        exchange.log.emit(Level::Debug, || {
            let mut event = Event::new(Level::Debug, EventKind::Redirect);
            event.method = Some(method.to_string());
            event.status = status;
            event.url = Some(log_origin(&next));
            event.request_id = request_id.clone();
            event
        });
        url = Cow::Owned(next);
        moved_to = Some(next_origin);
    }
    Err(Failure::fatal(Error::new(ErrorKind::Http, format!("too many redirects (more than {MAX_REDIRECTS})"))))
}

/// True for a redirect that would leave TLS: https to http is never followed.
fn is_downgrade(from: &Origin, to: &Origin) -> bool {
    from.is_https() && !to.is_https()
}

fn send_once(
    exchange: &Exchange<'_>,
    method: &Method,
    url: &str,
    body: Option<&[u8]>,
    same_origin: bool,
) -> Result<Response<Body>, Failure> {
    let remaining = match exchange.deadline {
        Some(deadline) => match deadline.checked_duration_since(Instant::now()).filter(|left| !left.is_zero()) {
            Some(left) => Some(left),
            None => {
                return Err(Failure::fatal(Error::new(ErrorKind::Timeout, "timed out before the request was sent")))
            }
        },
        None => None,
    };
    let mut request = Request::builder().method(method.clone()).uri(url);
    if let (Some(authorization), true) = (exchange.authorization, same_origin) {
        request = request.header(header::AUTHORIZATION, authorization);
    }
    for (name, value) in &exchange.headers {
        request = request.header(name, value);
    }
    let invalid = |e: ureq::http::Error| Failure::fatal(Error::invalid(format!("cannot build the request: {e}")));
    exchange.log.emit(Level::Trace, || {
        let mut detail = format!("request: {method} {}", log_url(url));
        for (name, value) in request.headers_ref().into_iter().flatten() {
            // The key is never logged, not even redacted in place.
            let value = if name == header::AUTHORIZATION { "<redacted>" } else { value.to_str().unwrap_or("<binary>") };
            detail.push_str(&format!("\n{name}: {value}"));
        }
        if let Some(bytes) = body {
            detail.push_str(&format!("\n\n{}", String::from_utf8_lossy(bytes)));
        }
        trace(detail)
    });
    let result = match body {
        Some(bytes) => {
            let request = request.header(header::CONTENT_TYPE, "application/json").body(bytes).map_err(invalid)?;
            run_with_timeouts(exchange, request, remaining)
        }
        None => run_with_timeouts(exchange, request.body(()).map_err(invalid)?, remaining),
    };
    let response = result.map_err(transport_failure)?;
    exchange.stats.response(response.status().as_u16());
    exchange.log.emit(Level::Trace, || {
        let mut detail = format!("response: HTTP {}", response.status().as_u16());
        for (name, value) in response.headers() {
            let value = if name == header::SET_COOKIE { "<redacted>" } else { value.to_str().unwrap_or("<binary>") };
            detail.push_str(&format!("\n{name}: {value}"));
        }
        trace(detail)
    });
    Ok(response)
}

/// Runs a request on the exchange's agent with its timeouts: `remaining` for the whole
/// exchange, the stall timeout for each read and write.
fn run_with_timeouts<B: AsSendBody>(
    exchange: &Exchange<'_>,
    request: Request<B>,
    remaining: Option<Duration>,
) -> Result<Response<Body>, ureq::Error> {
    let request = exchange
        .agent
        .configure_request(request)
        .timeout_global(remaining)
        .timeout_per_read(exchange.stall_timeout)
        .timeout_per_write(exchange.stall_timeout)
        .build();
    exchange.agent.run(request)
}

fn read_reply(mut response: Response<Body>, deadline: Option<Instant>) -> Result<Reply, Failure> {
    let status = response.status().as_u16();
    let request_id = request_id(response.headers());
    let with_response =
        |failure: Failure| Failure { error: failure.error.with_response(status, request_id.clone()), ..failure };
    let success = (200..300).contains(&status);
    let body = if success {
        let declared =
            response.headers().get(header::CONTENT_LENGTH).and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|length| length > MAX_BODY) {
            return Err(with_response(too_large()));
        }
        // Sized from the declared length, the body usually arrives in one read, then EOF.
        let mut body = Vec::with_capacity(declared.unwrap_or(0).min(PREALLOCATE_BODY) as usize);
        response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .reader()
            .read_to_end(&mut body)
            .map_err(|e| with_response(io_failure(e)))?;
        body
    } else {
        return Ok(read_error_reply(response));
    };
    if deadline.is_some_and(|deadline| Instant::now() > deadline) {
        return Err(with_response(Failure::fatal(Error::new(ErrorKind::Timeout, "timed out reading the response"))));
    }
    let (parts, _) = response.into_parts();
    Ok(Reply { status, headers: parts.headers, request_id, body })
}

/// Reads the first 64 KiB of a non-2xx response, where the server's message is.
pub fn read_error_reply(mut response: Response<Body>) -> Reply {
    let mut body = Vec::new();
    // An unreadable error body still leaves the status to report.
    let _ = response.body_mut().as_reader().take(MAX_ERROR_BODY).read_to_end(&mut body);
    let (parts, _) = response.into_parts();
    Reply { status: parts.status.as_u16(), request_id: request_id(&parts.headers), headers: parts.headers, body }
}

/// Maps an error from reading a response body, which wraps ureq's own errors.
pub fn io_failure(error: std::io::Error) -> Failure {
    if error.get_ref().is_some_and(|inner| inner.is::<ureq::Error>()) {
        if let Ok(inner) = error.into_inner().expect("checked above").downcast::<ureq::Error>() {
            return transport_failure(*inner);
        }
        unreachable!("checked above");
    }
    transport_failure(ureq::Error::Io(error))
}

/// Reads and drops what is left of a redirect's body so its connection can be reused.
fn drain(body: &mut Body) {
    let _ = std::io::copy(&mut body.as_reader().take(MAX_ERROR_BODY), &mut std::io::sink());
}

pub fn request_id(headers: &HeaderMap) -> Option<String> {
    let id = headers.get("x-request-id")?.to_str().ok()?.trim();
    (!id.is_empty() && !id.contains('\0')).then(|| id.to_owned())
}

fn too_large() -> Failure {
    Failure::fatal(Error::decode(format!("response body is larger than {} MiB", MAX_BODY / (1024 * 1024))))
}

/// Maps a ureq error to ours, and says whether it may be retried.
pub fn transport_failure(error: ureq::Error) -> Failure {
    use std::io::ErrorKind as Io;
    let connection = |message: String| Error::new(ErrorKind::Connection, message);
    let (error, retryable, before_sending) = match error {
        ureq::Error::Timeout(Timeout::Connect | Timeout::Resolve) => {
            (Error::new(ErrorKind::Timeout, "timed out connecting to the server"), true, true)
        }
        ureq::Error::Timeout(which) => (Error::new(ErrorKind::Timeout, format!("timed out ({which})")), false, false),
        ureq::Error::HostNotFound => (connection("could not resolve the host name".into()), true, true),
        ureq::Error::ConnectionFailed => (connection("could not connect to the server".into()), true, true),
        ureq::Error::Io(e) if matches!(e.kind(), Io::TimedOut | Io::WouldBlock) => {
            (Error::new(ErrorKind::Timeout, format!("timed out: {e}")), false, false)
        }
        ureq::Error::Io(e) if e.kind() == Io::ConnectionRefused => {
            (connection(format!("could not connect to the server: {e}")), true, true)
        }
        ureq::Error::Io(e) if e.kind() == Io::UnexpectedEof => {
            (connection("the connection closed before the response was complete".into()), true, false)
        }
        ureq::Error::Io(e) => (connection(format!("connection error: {e}")), true, false),
        ureq::Error::Protocol(e) => (connection(format!("invalid HTTP response: {e}")), true, false),
        ureq::Error::BodyExceedsLimit(_) => return too_large(),
        ureq::Error::LargeResponseHeader(..) => (Error::decode("response headers are too large"), false, false),
        ureq::Error::Tls(e) => (connection(format!("TLS error: {e}")), false, false),
        ureq::Error::Rustls(e) => (connection(format!("TLS error: {e}")), false, false),
        ureq::Error::Pem(e) => (connection(format!("TLS certificate error: {e}")), false, false),
        ureq::Error::BadUri(e) => (Error::invalid(format!("invalid URL: {e}")), false, false),
        ureq::Error::Http(e) => (Error::invalid(format!("cannot build the request: {e}")), false, false),
        ureq::Error::InvalidProxyUrl => (Error::invalid("invalid proxy URL"), false, false),
        ureq::Error::ConnectProxyFailed(e) => (connection(format!("proxy refused the connection: {e}")), true, true),
        other => (connection(other.to_string()), false, false),
    };
    Failure { error, retryable, before_sending }
}

/// The server's own words from an error body: `{"error":{"message":..}}`, `{"error":".."}`
/// or `{"message":..}`, else the first 200 bytes of the body as text.
pub fn server_message(body: &[u8]) -> String {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        let text = value
            .pointer("/error/message")
            .or_else(|| value.get("error").filter(|e| e.is_string()))
            .or_else(|| value.get("message"))
            .and_then(|message| message.as_str());
        if let Some(text) = text {
            return clean(text);
        }
    }
    let cut = &body[..body.len().min(RAW_MESSAGE_BYTES)];
    clean(&String::from_utf8_lossy(cut))
}

/// One line of printable text: control characters become spaces.
fn clean(text: &str) -> String {
    let cleaned: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    cleaned.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_never_leave_tls() {
        let origin = |url| Origin::of(url).unwrap();
        assert!(is_downgrade(&origin("https://a/x"), &origin("http://a/x")));
        assert!(!is_downgrade(&origin("https://a/x"), &origin("https://b/x")));
        assert!(!is_downgrade(&origin("http://a/x"), &origin("https://a/x")));
        assert!(!is_downgrade(&origin("http://a/x"), &origin("http://b/x")));
    }

    #[test]
    fn server_message_prefers_the_json_message() {
        assert_eq!(server_message(br#"{"error":{"message":"bad id","type":"x"}}"#), "bad id");
        assert_eq!(server_message(br#"{"error":"quota"}"#), "quota");
        assert_eq!(server_message(br#"{"message":"gone"}"#), "gone");
        assert_eq!(server_message(b"<html>\n<b>502</b></html>"), "<html> <b>502</b></html>");
        assert_eq!(server_message(&[b'x'; 500]).len(), RAW_MESSAGE_BYTES);
        assert_eq!(server_message(b""), "");
    }
}
