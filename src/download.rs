//! Downloading a completed job's video: streamed in constant memory, checked to be a
//! video, resumed with `Range` after an interruption, and never sent the API key.
//!
//! To a path, it writes a temporary file in the same directory and renames it into
//! place only once complete: a failed or cancelled download leaves nothing under the
//! final name (and removes its temporary file).

use std::fs::{self, File};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use ureq::http::{header, HeaderMap, Method};

use crate::cancel::{cancelled, Call};
use crate::client::Client;
use crate::error::{Error, ErrorKind};
use crate::model::{Video, VideoStatus};
use crate::transport::{self, Exchange};

/// Read size while streaming.
const CHUNK: usize = 64 * 1024;
/// Bytes needed to recognise a container.
const MAGIC_LEN: usize = 12;

/// Called with the bytes received so far and the total when known; return `false` to
/// stop (`Cancelled`).
pub type DownloadProgress<'a> = &'a mut (dyn FnMut(u64, Option<u64>) -> bool + Send + 'a);

/// Receives the video's bytes in order.
pub trait DownloadSink: Send {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error>;
    /// Starts over from the first byte, when a server ignores a resume request.
    /// Returns false when the bytes already given cannot be taken back.
    fn restart(&mut self) -> Result<bool, Error>;
}

/// The URL to fetch, or why there is none.
pub fn video_url(video: &Video) -> Result<&str, Error> {
    if video.status != VideoStatus::Completed {
        return Err(Error::invalid(format!(
            "video {:?} is {}, not completed: there is nothing to download",
            video.id, video.status_raw
        )));
    }
    let url = video.outputs.as_ref().and_then(|outputs| outputs.video_url.as_deref());
    url.filter(|url| !url.is_empty())
        .ok_or_else(|| Error::invalid(format!("video {:?} has no video_url to download", video.id)))
}

impl Client {
    /// Downloads the video to `path`, replacing any file there only once complete.
    /// Returns the number of bytes written.
    pub fn download_to_path(
        &self,
        video: &Video,
        path: &Path,
        progress: Option<DownloadProgress<'_>>,
        call: Call<'_>,
    ) -> Result<u64, Error> {
        self.download_via_temp(video, &temp_path_for(path)?, path, progress, call)
    }

    /// [`Client::download_to_path`] through a temporary file chosen by the caller.
    pub(crate) fn download_via_temp(
        &self,
        video: &Video,
        temp: &Path,
        path: &Path,
        progress: Option<DownloadProgress<'_>>,
        call: Call<'_>,
    ) -> Result<u64, Error> {
        let url = video_url(video)?;
        let mut file = TempFile::create(temp, path)?;
        let written = self.download_url(url, &mut file, progress, call)?;
        file.persist()?;
        Ok(written)
    }

    /// Downloads the video into `sink`. Returns the number of bytes delivered.
    pub fn download_to_sink(
        &self,
        video: &Video,
        sink: &mut dyn DownloadSink,
        progress: Option<DownloadProgress<'_>>,
        call: Call<'_>,
    ) -> Result<u64, Error> {
        self.download_url(video_url(video)?, sink, progress, call)
    }

    fn download_url(
        &self,
        url: &str,
        sink: &mut dyn DownloadSink,
        mut progress: Option<DownloadProgress<'_>>,
        call: Call<'_>,
    ) -> Result<u64, Error> {
        self.with_agent(call, |agent| {
            let mut state = Transfer::default();
            let mut retry = 0;
            loop {
                call.check()?;
                let interruption = match self.transfer(agent, url, sink, &mut progress, call, &mut state) {
                    Ok(()) => return Ok(state.written),
                    Err(Interrupted { error, retryable }) => {
                        call.check()?;
                        if !retryable || retry >= self.retry.max_retries {
                            return Err(self.redact(error));
                        }
                        error
                    }
                };
                call.sleep(self.retry.delay(retry, None::<&HeaderMap>)).map_err(|stop| {
                    Error::new(stop.kind(), format!("{} while waiting to resume after: {interruption}", stop.message()))
                })?;
                retry += 1;
            }
        })
    }

    /// One request: from the start, or resumed from `state.written`.
    fn transfer(
        &self,
        agent: &ureq::Agent,
        url: &str,
        sink: &mut dyn DownloadSink,
        progress: &mut Option<DownloadProgress<'_>>,
        call: Call<'_>,
        state: &mut Transfer,
    ) -> Result<(), Interrupted> {
        let mut headers = Vec::new();
        if state.written > 0 {
            headers.push((header::RANGE, format!("bytes={}-", state.written)));
            if let Some(validator) = &state.validator {
                headers.push((header::IF_RANGE, validator.clone()));
            }
        }
        let exchange = Exchange {
            agent,
            method: Method::GET,
            url,
            body: None,
            authorization: None,
            headers,
            deadline: call.deadline,
            stall_timeout: Some(self.timeout),
        };
        let response =
            transport::open(&exchange).map_err(|f| Interrupted { error: f.error, retryable: f.retryable })?;
        let status = response.status().as_u16();
        let request_id = transport::request_id(response.headers());
        let fatal =
            |error: Error| Interrupted { error: error.with_response(status, request_id.clone()), retryable: false };
        match status {
            206 if state.written > 0 => {
                let start = content_range_start(response.headers());
                if start != Some(state.written) {
                    return Err(fatal(Error::new(ErrorKind::Http, "the server resumed at the wrong offset")));
                }
            }
            200..=299 => {
                check_content_type(response.headers()).map_err(fatal)?;
                if state.written > 0 && !sink.restart().map_err(fatal)? {
                    return Err(fatal(Error::new(
                        ErrorKind::Connection,
                        "the download was interrupted and the server cannot resume it",
                    )));
                }
                state.restart(response.headers());
            }
            _ => {
                let reply = transport::read_error_reply(response);
                let retryable = crate::retry::should_retry_status(reply.status, &reply.headers);
                return Err(Interrupted { error: self.status_error(reply), retryable });
            }
        }
        let mut body = response.into_body().into_reader();
        let mut buffer = vec![0u8; CHUNK];
        loop {
            if let Some(token) = call.cancel {
                token.check().map_err(|error| Interrupted { error, retryable: false })?;
            }
            let read = match body.read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => read,
                Err(e) => {
                    let failure = transport::io_failure(e);
                    return Err(Interrupted { error: failure.error, retryable: true });
                }
            };
            state.accept(&buffer[..read], sink).map_err(fatal)?;
            if let Some(progress) = progress.as_mut() {
                if !progress(state.written, state.total) {
                    return Err(Interrupted { error: cancelled(), retryable: false });
                }
            }
        }
        if state.total.is_some_and(|total| state.written < total) {
            let error = Error::new(ErrorKind::Connection, "the connection closed before the video was complete");
            return Err(Interrupted { error, retryable: true });
        }
        state.finish(sink).map_err(fatal)
    }
}

/// A failed transfer, and whether resuming may help.
struct Interrupted {
    error: Error,
    retryable: bool,
}

/// What has arrived so far, across resumed requests.
#[derive(Default)]
struct Transfer {
    written: u64,
    total: Option<u64>,
    /// `ETag` or `Last-Modified`, so a resume gets the same file or all of a new one.
    validator: Option<String>,
    /// The first bytes, held back until the container is recognised.
    head: Vec<u8>,
    recognised: bool,
}

impl Transfer {
    fn restart(&mut self, headers: &HeaderMap) {
        let text = |name| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        *self = Transfer {
            total: text(header::CONTENT_LENGTH).and_then(|length| length.parse().ok()),
            validator: text(header::ETAG).or_else(|| text(header::LAST_MODIFIED)),
            ..Transfer::default()
        };
    }

    fn accept(&mut self, bytes: &[u8], sink: &mut dyn DownloadSink) -> Result<(), Error> {
        self.written += bytes.len() as u64;
        if self.recognised {
            return sink.write(bytes);
        }
        self.head.extend_from_slice(bytes);
        if self.head.len() >= MAGIC_LEN {
            self.recognise(sink)?;
        }
        Ok(())
    }

    fn recognise(&mut self, sink: &mut dyn DownloadSink) -> Result<(), Error> {
        if !is_video(&self.head) {
            return Err(Error::decode("the download is not an MP4 or WebM video"));
        }
        self.recognised = true;
        sink.write(&std::mem::take(&mut self.head))
    }

    fn finish(&mut self, sink: &mut dyn DownloadSink) -> Result<(), Error> {
        if !self.recognised {
            self.recognise(sink)?;
        }
        Ok(())
    }
}

/// ISO BMFF (MP4, MOV) starts with a box whose type is at bytes 4..8; WebM with EBML's magic.
fn is_video(head: &[u8]) -> bool {
    const BOX_TYPES: [&[u8; 4]; 6] = [b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip"];
    let webm = head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]);
    let mp4 = head.len() >= 8 && BOX_TYPES.iter().any(|kind| &head[4..8] == *kind);
    webm || mp4
}

/// Refuses a body that announces itself as a page or a document rather than a video.
fn check_content_type(headers: &HeaderMap) -> Result<(), Error> {
    let Some(kind) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else { return Ok(()) };
    let kind = kind.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let not_video = kind.starts_with("text/") || kind.contains("json") || kind.contains("xml") || kind.contains("html");
    if not_video {
        return Err(Error::decode(format!("the download is {kind}, not a video")));
    }
    Ok(())
}

fn content_range_start(headers: &HeaderMap) -> Option<u64> {
    let range = headers.get(header::CONTENT_RANGE)?.to_str().ok()?;
    range.strip_prefix("bytes ")?.split('-').next()?.trim().parse().ok()
}

/// A temporary file beside the destination, renamed into place by `persist` and removed
/// if dropped before.
struct TempFile {
    file: File,
    temp: PathBuf,
    destination: PathBuf,
    persisted: bool,
}

/// A fresh temporary path beside `destination`: `.NAME.PID-N.part`.
pub(crate) fn temp_path_for(destination: &Path) -> Result<PathBuf, Error> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = destination
        .file_name()
        .ok_or_else(|| Error::invalid(format!("{} is not a file path", destination.display())))?;
    let unique =
        format!(".{}.{}-{}.part", name.to_string_lossy(), std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
    Ok(destination.with_file_name(unique))
}

impl TempFile {
    fn create(temp: &Path, destination: &Path) -> Result<TempFile, Error> {
        let temp = temp.to_owned();
        let file = File::options()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(|e| Error::invalid(format!("cannot create {}: {e}", temp.display())))?;
        Ok(TempFile { file, temp, destination: destination.to_owned(), persisted: false })
    }

    fn persist(mut self) -> Result<(), Error> {
        let io = |e: std::io::Error| {
            Error::new(ErrorKind::Internal, format!("cannot finish {}: {e}", self.destination.display()))
        };
        self.file.sync_all().map_err(io)?;
        fs::rename(&self.temp, &self.destination).map_err(io)?;
        self.persisted = true;
        Ok(())
    }
}

impl DownloadSink for TempFile {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.file
            .write_all(bytes)
            .map_err(|e| Error::new(ErrorKind::Internal, format!("cannot write {}: {e}", self.temp.display())))
    }

    fn restart(&mut self) -> Result<bool, Error> {
        let io =
            |e: std::io::Error| Error::new(ErrorKind::Internal, format!("cannot rewind {}: {e}", self.temp.display()));
        self.file.set_len(0).map_err(io)?;
        self.file.rewind().map_err(io)?;
        Ok(true)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.persisted {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// Any `Write` as a sink; it cannot restart.
pub struct WriterSink<W: Write>(pub W);

impl<W: Write + Send> DownloadSink for WriterSink<W> {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.0
            .write_all(bytes)
            .map_err(|e| Error::new(ErrorKind::Cancelled, format!("the writer stopped the download: {e}")))
    }

    fn restart(&mut self) -> Result<bool, Error> {
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_are_recognised_by_their_magic() {
        assert!(is_video(b"\0\0\0\x20ftypisom\0\0\0\0"));
        assert!(is_video(&[0x1A, 0x45, 0xDF, 0xA3, 1, 0, 0, 0, 0, 0, 0, 0]));
        assert!(!is_video(b"<!DOCTYPE html>"));
        assert!(!is_video(b"{\"error\":1}"));
        assert!(!is_video(b""));
    }

    #[test]
    fn pages_and_documents_are_not_videos() {
        let with = |kind: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, kind.parse().unwrap());
            check_content_type(&headers)
        };
        for bad in ["text/html; charset=utf-8", "application/json", "application/xml", "text/plain"] {
            assert!(with(bad).is_err(), "{bad}");
        }
        for good in ["video/mp4", "video/webm", "application/octet-stream", "binary/octet-stream"] {
            assert!(with(good).is_ok(), "{good}");
        }
    }
}
