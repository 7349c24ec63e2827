//! Just enough HTTP/1.1 for the mock: read a request, perform an [`Action`].

use std::io::{self, BufRead, BufReader, Read, Write};
use std::thread;

use crate::scenarios::{route, Action};
use crate::{record, Recorded, Shared};

/// Longest request head the mock reads.
const MAX_HEAD: usize = 64 * 1024;
/// Largest request body the mock reads.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// A parsed request.
pub(crate) struct Request {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn keep_alive(&self) -> bool {
        !self.header("connection").is_some_and(|v| v.eq_ignore_ascii_case("close"))
    }
}

/// Serves requests on one connection, plain or TLS, until it closes.
pub(crate) fn serve_connection<S: Read + Write>(stream: S, shared: &Shared, other_origin: bool) {
    let mut reader = BufReader::new(stream);
    while let Ok(Some(request)) = read_request(&mut reader) {
        record(
            shared,
            Recorded {
                method: request.method.clone(),
                target: request.target.clone(),
                headers: request.headers.clone(),
                body: String::from_utf8_lossy(&request.body).into_owned(),
                other_origin,
                at: std::time::Instant::now(),
            },
        );
        let keep_alive = request.keep_alive();
        {
            let mut active = shared.active.lock().unwrap();
            active.0 += 1;
            active.1 = active.1.max(active.0);
        }
        let action = route(shared, &request, other_origin);
        let performed = perform(reader.get_mut(), action);
        shared.active.lock().unwrap().0 -= 1;
        match performed {
            Ok(true) if keep_alive => continue,
            _ => return,
        }
    }
}

fn read_request(reader: &mut impl BufRead) -> io::Result<Option<Request>> {
    let mut head = Vec::new();
    loop {
        let before = head.len();
        let read = reader.take((MAX_HEAD - head.len()) as u64).read_until(b'\n', &mut head)?;
        if read == 0 {
            return Ok(None);
        }
        if head.len() >= MAX_HEAD {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "request head too large"));
        }
        let line = &head[before..];
        if line == b"\r\n" || line == b"\n" {
            if before == 0 {
                head.clear(); // tolerate a stray empty line between requests
                continue;
            }
            break;
        }
    }
    let text = String::from_utf8_lossy(&head);
    let mut lines = text.lines();
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let (method, target) = (request_line.next().unwrap_or_default(), request_line.next().unwrap_or_default());
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    let mut request = Request { method: method.to_owned(), target: target.to_owned(), headers, body: Vec::new() };
    let length: usize = request.header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    if length > MAX_BODY {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "request body too large"));
    }
    request.body.resize(length, 0);
    reader.read_exact(&mut request.body)?;
    Ok(Some(request))
}

/// A whole response: status line, `content-length`, the headers, the body.
pub(crate) fn message(status: u16, headers: &[(String, String)], body: &[u8]) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {status} {}\r\ncontent-length: {}\r\n", reason(status), body.len());
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut message = head.into_bytes();
    message.extend_from_slice(body);
    message
}

/// Performs an action; `Ok(true)` when the connection may serve another request.
/// Returning `Ok(false)` drops, and so closes, the connection.
fn perform(stream: &mut impl Write, action: Action) -> io::Result<bool> {
    match action {
        Action::Respond { status, headers, body } => {
            stream.write_all(&message(status, &headers, &body))?;
            Ok(true)
        }
        Action::RawThenClose(bytes) => {
            stream.write_all(&bytes)?;
            stream.flush()?;
            Ok(false)
        }
        Action::Raw(bytes) => {
            stream.write_all(&bytes)?;
            stream.flush()?;
            Ok(true)
        }
        Action::Close => Ok(false),
        Action::Delay(wait, then) => {
            thread::sleep(wait);
            perform(stream, *then)
        }
        Action::Stall(wait) => {
            thread::sleep(wait);
            Ok(false)
        }
        Action::Trickle { status, headers, body, chunk, pause } => {
            let mut head = format!("HTTP/1.1 {status} {}\r\ncontent-length: {}\r\n", reason(status), body.len());
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            stream.write_all(format!("{head}\r\n").as_bytes())?;
            for piece in body.chunks(chunk) {
                stream.write_all(piece)?;
                thread::sleep(pause);
            }
            Ok(true)
        }
        Action::Stream { total, chunked } => {
            let mut head = String::from("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n");
            head.push_str(&if chunked {
                "transfer-encoding: chunked\r\n".to_owned()
            } else {
                format!("content-length: {total}\r\n")
            });
            stream.write_all(format!("{head}\r\n").as_bytes())?;
            let chunk = vec![b' '; 64 * 1024];
            let mut sent = 0u64;
            while sent < total {
                let n = chunk.len().min((total - sent) as usize);
                if chunked {
                    stream.write_all(format!("{n:x}\r\n").as_bytes())?;
                    stream.write_all(&chunk[..n])?;
                    stream.write_all(b"\r\n")?;
                } else {
                    stream.write_all(&chunk[..n])?;
                }
                sent += n as u64;
            }
            if chunked {
                stream.write_all(b"0\r\n\r\n")?;
            }
            Ok(true)
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        409 => "Conflict",
        418 => "I'm a teapot",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}
