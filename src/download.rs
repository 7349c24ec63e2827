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
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ureq::http::{header, HeaderMap, Method};

use crate::cancel::{cancelled, Call, CallOptions};
use crate::client::Client;
use crate::error::{Error, ErrorKind};
use crate::events::Subscription;
use crate::log::{log_url, Event, EventKind, Level};
use crate::model::{Video, VideoStatus};
use crate::pool::start_once;
use crate::request::{Outcome, Request};
use crate::stats::RetryReason;
use crate::transport::{self, Exchange};
use crate::url::Origin;

/// Read size while streaming.
const CHUNK: usize = 64 * 1024;
/// Bytes needed to recognise a container.
const MAGIC_LEN: usize = 12;

/// Called with the bytes received so far and the total when known; return `false` to
/// stop (`Cancelled`).
pub type DownloadProgress<'a> = &'a mut (dyn FnMut(u64, Option<u64>) -> bool + Send + 'a);

/// A download's progress callback for a non-blocking download, run on a library thread.
pub type DownloadProgressFn = Box<dyn FnMut(u64, Option<u64>) -> bool + Send>;

/// Receives the video's bytes in order.
pub trait DownloadSink: Send {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error>;
    /// Starts over from the first byte, when a server ignores a resume request.
    /// Returns false when the bytes already given cannot be taken back.
    fn restart(&mut self) -> Result<bool, Error>;
}

/// What to download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A video's URL, such as a completed job's `outputs.video_url`.
    Url(String),
    /// A job id: the job is fetched (it must be completed) and its video downloaded.
    Job(String),
}

impl Source {
    /// A completed job's video URL, or why it has none.
    pub fn of(video: &Video) -> Result<Source, Error> {
        video_url(video).map(|url| Source::Url(url.to_owned()))
    }

    /// What can be checked before anything is sent: an http(s) URL, a usable id.
    pub fn check(&self) -> Result<(), Error> {
        match self {
            Source::Url(url) if Origin::of(url).is_none() => {
                // Only the scheme: a URL may carry credentials in its query.
                let scheme = url.split_once(':').map_or("none", |(scheme, _)| scheme);
                Err(Error::invalid(format!("the video URL must be http:// or https://, not {scheme}:")))
            }
            Source::Url(_) => Ok(()),
            Source::Job(id) => crate::url::encode_id(id).map(|_| ()),
        }
    }
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
    let url = url
        .filter(|url| !url.is_empty())
        .ok_or_else(|| Error::invalid(format!("video {:?} has no video_url to download", video.id)))?;
    if Origin::of(url).is_none() {
        // Only the scheme: the URL may carry credentials in its query.
        let scheme = url.split_once(':').map_or("none", |(scheme, _)| scheme);
        return Err(Error::decode(format!("video {:?} has a video_url that is not http(s) but {scheme}:", video.id)));
    }
    Ok(url)
}

impl Client {
    /// Downloads the video to `path`, replacing a regular file there only once complete.
    /// Returns the number of bytes written. A `path` that exists and is not a regular
    /// file (a directory, a fifo, a symbolic link) is refused with `FileSystem`.
    pub fn download_to_path(
        &self,
        source: &Source,
        path: &Path,
        progress: Option<DownloadProgress<'_>>,
        call: Call<'_>,
    ) -> Result<u64, Error> {
        self.finish("download", self.download_file(source, path, progress, call))
    }

    /// [`Client::download_to_path`] without counting its end.
    fn download_file(
        &self,
        source: &Source,
        path: &Path,
        progress: Option<DownloadProgress<'_>>,
        call: Call<'_>,
    ) -> Result<u64, Error> {
        let url = self.video_url_of(source, call)?;
        let mut file = TempFile::create(path)?;
        self.journal_download(source, Some(path));
        let written = self.download_url(source, &url, &mut file, progress, call)?;
        file.sync()?;
        file.persist()?;
        self.journal_download(source, None);
        Ok(written)
    }

    /// Downloads the video into `sink`. Returns the number of bytes delivered.
    pub fn download_to_sink(
        &self,
        source: &Source,
        sink: &mut dyn DownloadSink,
        progress: Option<DownloadProgress<'_>>,
        call: Call<'_>,
    ) -> Result<u64, Error> {
        self.finish("download", self.download_source(source, sink, progress, call))
    }

    fn download_source(
        &self,
        source: &Source,
        sink: &mut dyn DownloadSink,
        progress: Option<DownloadProgress<'_>>,
        call: Call<'_>,
    ) -> Result<u64, Error> {
        let url = self.video_url_of(source, call)?;
        self.download_url(source, &url, sink, progress, call)
    }

    /// [`Client::download_to_path`] on a library thread. The file is renamed into place
    /// only if the request ends with it: cancelling leaves neither the file nor its
    /// temporary file, and a request done with `Ok` has its file.
    pub fn download_to_path_start(
        self: &Arc<Client>,
        source: Source,
        path: PathBuf,
        options: &CallOptions,
        progress: Option<DownloadProgressFn>,
    ) -> Result<Request, Error> {
        source.check()?;
        let request = Request::new();
        let subscription = self.observe(&request, "download", options);
        let mut progress = with_events(subscription, gate_progress(&request, progress));
        let (client, committer) = (Arc::clone(self), request.clone());
        let work = move |call: Call<'_>| {
            let url = client.video_url_of(&source, call)?;
            let mut file = committer.unless_cancelled(|| TempFile::create(&path), |file| Box::new(file.discarder()))?;
            client.journal_download(&source, Some(&path));
            let progress = progress.as_mut().map(|p| &mut **p as DownloadProgress<'_>);
            let written = client.download_url(&source, &url, &mut file, progress, call)?;
            file.sync()?;
            let outcome = Outcome::Downloaded(written);
            committer.complete_with(|| file.persist().map(|()| outcome.clone()));
            if matches!(committer.outcome(), Some(Ok(_))) {
                client.journal_download(&source, None);
            }
            Ok(outcome)
        };
        Ok(start_once(self.pool(), request, options, work))
    }

    /// [`Client::download_to_sink`] on a library thread; the sink is written from there.
    pub fn download_to_sink_start(
        self: &Arc<Client>,
        source: Source,
        sink: Box<dyn DownloadSink + Send>,
        options: &CallOptions,
        progress: Option<DownloadProgressFn>,
    ) -> Result<Request, Error> {
        source.check()?;
        let request = Request::new();
        let subscription = self.observe(&request, "download", options);
        let mut progress = with_events(subscription, gate_progress(&request, progress));
        let mut sink = GatedSink { sink, request: request.clone() };
        let client = Arc::clone(self);
        let work = move |call: Call<'_>| {
            let progress = progress.as_mut().map(|p| &mut **p as DownloadProgress<'_>);
            client.download_source(&source, &mut sink, progress, call).map(Outcome::Downloaded)
        };
        Ok(start_once(self.pool(), request, options, work))
    }

    /// Tells the journal, for a download by job id, that it starts to `destination`, or
    /// (`None`) that its file is in place.
    fn journal_download(&self, source: &Source, destination: Option<&Path>) {
        let (Some(journal), Source::Job(id)) = (self.journal(), source) else { return };
        let recorded = match destination {
            Some(destination) => journal.downloading(id, destination),
            None => journal.downloaded(id),
        };
        if let Err(error) = recorded {
            self.journal_failed(&error);
        }
    }

    /// Finishes job `id` after a restart: waits for it (as [`Client::wait_video`]) and,
    /// once completed, downloads its video to `path`, or where the journal says a
    /// download of it was going. Returns its final state; a job that failed is returned,
    /// not downloaded. `InvalidArgument` when there is no path and the journal has none.
    pub fn resume_job(
        &self,
        id: &str,
        path: Option<&Path>,
        wait: &crate::wait::WaitOptions,
        call: Call<'_>,
    ) -> Result<Video, Error> {
        self.finish("resume job", self.resume(id, path, wait, call))
    }

    fn resume(
        &self,
        id: &str,
        path: Option<&Path>,
        wait: &crate::wait::WaitOptions,
        call: Call<'_>,
    ) -> Result<Video, Error> {
        let destination = match path {
            Some(path) => path.to_owned(),
            None => self.journal().and_then(|journal| journal.destination(id)).ok_or_else(|| {
                Error::invalid(format!("no destination for job {id:?}: pass a path (the journal has none)"))
            })?,
        };
        let video = self.wait_loop(id, wait, call, None)?;
        if video.status == VideoStatus::Completed {
            self.download_file(&Source::Job(id.to_owned()), &destination, None, call)?;
        }
        Ok(video)
    }

    /// [`Client::resume_job`] on a library thread, which it holds while it waits: for
    /// many jobs at once, give the client more worker threads.
    pub fn resume_job_start(
        self: &Arc<Client>,
        id: &str,
        path: Option<PathBuf>,
        wait: crate::wait::WaitOptions,
        options: &CallOptions,
    ) -> Result<Request, Error> {
        crate::url::encode_id(id)?;
        let id = id.to_owned();
        Ok(self.start_as("resume job", options, move |client, call| {
            client.resume(&id, path.as_deref(), &wait, call).map(|video| Outcome::Video(Box::new(video)))
        }))
    }

    /// The URL of `source`: as given, or the completed job's (fetched within `call`).
    fn video_url_of(&self, source: &Source, call: Call<'_>) -> Result<String, Error> {
        source.check()?;
        let url = match source {
            Source::Url(url) => Ok(url.clone()),
            Source::Job(id) => video_url(&self.fetch_video(id, call)?.0).map(str::to_owned),
        };
        url.map_err(|error| self.redact(error))
    }

    /// Streams `url` into `sink`, resuming or starting over after interruptions, up to
    /// the client's retries.
    pub(crate) fn download_url(
        &self,
        source: &Source,
        url: &str,
        sink: &mut dyn DownloadSink,
        mut progress: Option<DownloadProgress<'_>>,
        call: Call<'_>,
    ) -> Result<u64, Error> {
        let _in_flight = self.counters().request();
        let started = Instant::now();
        let mut url = url.to_owned();
        // A download by job id gets the job again, once, for a fresh URL when the video
        // host says the one it has expired (signed URLs do).
        let mut may_refresh = matches!(source, Source::Job(_));
        let result = self.with_agent(call, |agent| {
            let mut state = Transfer::default();
            let mut retry = 0;
            loop {
                call.check()?;
                let before = state.written;
                let url = &mut url;
                let interruption = match self.transfer(agent, url, sink, &mut progress, call, &mut state) {
                    Ok(()) => {
                        self.log().emit(Level::Info, || {
                            let mut event = Event::new(Level::Info, EventKind::DownloadFinished);
                            event.url = Some(log_url(url));
                            event.bytes = state.written;
                            event.total = state.total;
                            event.attempt = state.attempts;
                            event.duration = started.elapsed();
                            event
                        });
                        return Ok(state.written);
                    }
                    Err(Interrupted { error, .. })
                        if may_refresh && matches!(error.http_status(), Some(401 | 403 | 404 | 410)) =>
                    {
                        let Source::Job(id) = source else { unreachable!("only jobs refresh") };
                        may_refresh = false;
                        let fresh = video_url(&self.fetch_video(id, call)?.0)?.to_owned();
                        self.log_retry(
                            &Method::GET,
                            url,
                            state.attempts,
                            RetryReason::Server,
                            &error,
                            Duration::ZERO,
                            false,
                        );
                        // Resumed with the validator it had: the partial file is kept only
                        // if the new URL serves the same video (else it starts over).
                        *url = fresh;
                        continue;
                    }
                    Err(Interrupted { error, retryable, at_once }) => {
                        call.check()?;
                        // A complete response that covered part of the video, and moved
                        // it on, is no failure: the rest is asked for without using a retry.
                        let progressed = at_once && state.written > before;
                        if !retryable || (retry >= self.retry_policy().max_retries && !progressed) {
                            return Err(error);
                        }
                        if at_once {
                            retry += u32::from(!progressed);
                            continue;
                        }
                        error
                    }
                };
                let delay = self.retry_policy().delay(retry, None::<&HeaderMap>);
                let reason = match interruption.kind() {
                    ErrorKind::Timeout => RetryReason::Timeout,
                    ErrorKind::RateLimited => RetryReason::RateLimited,
                    _ if interruption.http_status().is_some() => RetryReason::Server,
                    _ => RetryReason::Connection,
                };
                self.counters().retry(reason);
                self.log_retry(&Method::GET, url, state.attempts, reason, &interruption, delay, false);
                call.sleep(delay).map_err(|stop| {
                    Error::new(stop.kind(), format!("{} while waiting to resume after: {interruption}", stop.message()))
                })?;
                retry += 1;
            }
        });
        result.map_err(|error| self.redact(error))
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
        if state.written > 0 && state.validator.is_none() {
            // Nothing proves a resumed response would be the same file: start over.
            state.start_over(sink, "the server gave no validator to resume the download safely")?;
        }
        let mut headers = Vec::new();
        if let (true, Some(validator)) = (state.written > 0, &state.validator) {
            headers.push((header::RANGE, format!("bytes={}-", state.written)));
            headers.push((header::IF_RANGE, validator.clone()));
        }
        let exchange = Exchange {
            agent,
            method: Method::GET,
            url,
            body: None,
            authorization: None,
            headers,
            deadline: call.deadline,
            stall_timeout: Some(self.timeout()),
            log: self.log(),
            stats: self.counters(),
        };
        let resuming_at = state.written;
        // Held until this transfer ends: the body streams on the same request.
        let _slot = self.limits().slot(call).map_err(|error| Interrupted::new(error, false))?;
        self.counters().attempt();
        state.attempts += 1;
        let started = Instant::now();
        let response = transport::open(&exchange).map_err(|f| {
            let error = self.redact(f.error);
            self.log_attempt(&Method::GET, url, state.attempts, started, Err(&error));
            Interrupted::new(error, f.retryable)
        })?;
        let status = response.status().as_u16();
        let request_id = transport::request_id(response.headers());
        let fatal = |error: Error| Interrupted::new(error.with_response(status, request_id.clone()), false);
        match status {
            206 => {
                let range = ContentRange::of(response.headers()).ok_or_else(|| {
                    fatal(Error::new(ErrorKind::Http, "a partial response (HTTP 206) without a valid Content-Range"))
                })?;
                if state.written == 0 {
                    if range.total.is_none() {
                        return Err(fatal(Error::new(
                            ErrorKind::Http,
                            "a partial response of unknown total size to a request for the whole video",
                        )));
                    }
                    if range.start != 0 {
                        return Err(fatal(Error::new(
                            ErrorKind::Http,
                            format!(
                                "a partial response starting at byte {} to a request for the whole video",
                                range.start
                            ),
                        )));
                    }
                    check_content_type(response.headers()).map_err(fatal)?;
                    state.begin(range.total, validator(response.headers()));
                } else if let Err(why) = state.resume(&range, validator(response.headers()).as_deref()) {
                    return Err(state.start_over_or_fail(sink, why));
                }
                // `parse` keeps `end` below u64::MAX.
                state.end = Some(range.end + 1);
            }
            416 if state.written > 0 => {
                return Err(state.start_over_or_fail(sink, "the server cannot serve the rest of the video (HTTP 416)"));
            }
            200..=299 => {
                check_content_type(response.headers()).map_err(fatal)?;
                if state.written > 0 {
                    state
                        .start_over(sink, "the server sent the whole video again")
                        .map_err(|e| Interrupted { error: e.error.with_response(status, request_id.clone()), ..e })?;
                }
                let length = response.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse().ok());
                state.begin(length, validator(response.headers()));
                state.end = length;
            }
            _ => {
                let reply = transport::read_error_reply(response);
                self.log_attempt(&Method::GET, url, state.attempts, started, Ok(&reply));
                let retryable = crate::retry::should_retry_status(reply.status, &reply.headers);
                return Err(Interrupted::new(self.status_error(reply), retryable));
            }
        }
        let (kind, level) = if resuming_at > 0 && state.written == resuming_at {
            (EventKind::DownloadResumed, Level::Warn)
        } else {
            (EventKind::DownloadStarted, Level::Info)
        };
        self.log().emit(level, || {
            let mut event = Event::new(level, kind);
            event.url = Some(log_url(url));
            event.status = status;
            event.request_id = request_id.clone();
            event.offset = state.written;
            event.total = state.total;
            event.attempt = state.attempts;
            event
        });
        let received_before = state.written;
        let mut body = response.into_body().into_reader();
        let mut buffer = vec![0u8; CHUNK];
        loop {
            if let Some(token) = call.cancel {
                token.check().map_err(|error| Interrupted::new(error, false))?;
            }
            let read = match body.read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => read,
                Err(e) => return Err(Interrupted::new(transport::io_failure(e).error, true)),
            };
            state.accept(&buffer[..read], sink).map_err(fatal)?;
            if let Some(progress) = progress.as_mut() {
                if !progress(state.written, state.total) {
                    return Err(Interrupted::new(cancelled(), false));
                }
            }
        }
        self.log().emit(Level::Debug, || {
            let mut event = Event::new(Level::Debug, EventKind::HttpAttempt);
            event.method = Some("GET".to_owned());
            event.url = Some(log_url(url));
            event.attempt = state.attempts;
            event.status = status;
            event.request_id = request_id.clone();
            event.duration = started.elapsed();
            event.bytes = state.written.saturating_sub(received_before);
            event
        });
        if state.end.is_some_and(|end| state.written < end) {
            let error = Error::new(ErrorKind::Connection, "the connection closed before the video was complete");
            return Err(Interrupted::new(error, true));
        }
        if state.total.is_some_and(|total| state.written < total) {
            // A complete response that covered part of the video: ask for the rest now.
            let error = Error::new(ErrorKind::Connection, "the server sent part of the video");
            return Err(Interrupted { error, retryable: true, at_once: true });
        }
        state.finish(sink).map_err(fatal)
    }
}

/// A failed transfer, and whether resuming may help.
struct Interrupted {
    error: Error,
    retryable: bool,
    /// Go again without waiting (nothing failed: the transfer starts over, or goes on).
    at_once: bool,
}

impl Interrupted {
    fn new(error: Error, retryable: bool) -> Interrupted {
        Interrupted { error, retryable, at_once: false }
    }
}

/// What has arrived so far, across resumed requests.
#[derive(Default)]
struct Transfer {
    written: u64,
    /// The video's size, from the first response (`Content-Length` or a 206's total).
    total: Option<u64>,
    /// Where the current response's bytes end (exclusive): no byte past it is taken.
    end: Option<u64>,
    /// A strong `ETag` or `Last-Modified`: a resumed response must carry the same one.
    validator: Option<String>,
    /// The first bytes, held back until the container is recognised.
    head: Vec<u8>,
    recognised: bool,
    /// HTTP attempts so far, resumes included.
    attempts: u32,
}

impl Transfer {
    /// A response that starts the video at its first byte.
    fn begin(&mut self, total: Option<u64>, validator: Option<String>) {
        *self = Transfer { total, validator, attempts: self.attempts, ..Transfer::default() };
    }

    /// Checks that a 206 continues this very file where it stopped; says why not.
    fn resume(&mut self, range: &ContentRange, validator: Option<&str>) -> Result<(), &'static str> {
        if range.start != self.written {
            return Err("the server resumed the download at another byte than asked");
        }
        if validator.is_none() || validator != self.validator.as_deref() {
            return Err("the video changed on the server during the download (its validator differs)");
        }
        match (range.total, self.total) {
            (Some(now), Some(before)) if now != before => {
                Err("the video changed on the server during the download (its size differs)")
            }
            (None, Some(total)) if range.end >= total => Err("the server resumed with bytes past the video's size"),
            (Some(now), None) => {
                self.total = Some(now);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Rewinds the sink to fetch the whole video again, or fails when it cannot.
    fn start_over(&mut self, sink: &mut dyn DownloadSink, why: &str) -> Result<(), Interrupted> {
        let rewound = sink.restart().map_err(|error| Interrupted::new(error, false))?;
        if !rewound {
            let error = Error::new(
                ErrorKind::Connection,
                format!("{why}, and the bytes already delivered cannot be taken back"),
            );
            return Err(Interrupted::new(error, false));
        }
        *self = Transfer { attempts: self.attempts, ..Transfer::default() };
        Ok(())
    }

    /// Starts over (`Interrupted` that goes again at once) or says why it cannot.
    fn start_over_or_fail(&mut self, sink: &mut dyn DownloadSink, why: &str) -> Interrupted {
        match self.start_over(sink, why) {
            Ok(()) => Interrupted { error: Error::new(ErrorKind::Connection, why), retryable: true, at_once: true },
            Err(failed) => failed,
        }
    }

    fn accept(&mut self, bytes: &[u8], sink: &mut dyn DownloadSink) -> Result<(), Error> {
        let after = self.written + bytes.len() as u64;
        let limit = match (self.end, self.total) {
            (Some(end), Some(total)) => Some(end.min(total)),
            (end, total) => end.or(total),
        };
        if limit.is_some_and(|limit| after > limit) {
            return Err(Error::new(ErrorKind::Http, "the server sent more bytes than it announced"));
        }
        self.written = after;
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

/// The response's validator for `If-Range`: a strong `ETag`, else `Last-Modified`. A weak
/// `ETag` promises equivalence, not the same bytes, so it cannot vouch for a splice.
fn validator(headers: &HeaderMap) -> Option<String> {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty());
    text(header::ETAG).filter(|etag| !etag.starts_with("W/")).or_else(|| text(header::LAST_MODIFIED)).map(str::to_owned)
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

/// A 206's `Content-Range: bytes START-END/TOTAL` (TOTAL may be `*`), checked to be
/// coherent: START <= END < TOTAL.
#[derive(Debug, PartialEq, Eq)]
struct ContentRange {
    start: u64,
    /// The last byte, inclusive.
    end: u64,
    total: Option<u64>,
}

impl ContentRange {
    fn of(headers: &HeaderMap) -> Option<ContentRange> {
        ContentRange::parse(headers.get(header::CONTENT_RANGE)?.to_str().ok()?)
    }

    fn parse(value: &str) -> Option<ContentRange> {
        let (range, total) = value.trim().strip_prefix("bytes ")?.split_once('/')?;
        let (start, end) = range.split_once('-')?;
        let number = |text: &str| -> Option<u64> {
            let text = text.trim();
            (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok()).flatten()
        };
        let (start, end) = (number(start)?, number(end)?);
        let total = match total.trim() {
            "*" => None,
            total => Some(number(total)?),
        };
        let coherent = start <= end && end < u64::MAX && total.is_none_or(|total| end < total);
        coherent.then_some(ContentRange { start, end, total })
    }
}

/// Refuses a destination that exists and is not a regular file: renaming over a fifo,
/// a device or a symbolic link would silently replace it, and a directory cannot be.
fn check_destination(path: &Path) -> Result<(), Error> {
    let kind = match fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::file_system(format!("cannot check {}: {e}", path.display()))),
        Ok(meta) => meta.file_type(),
    };
    let what = if kind.is_file() {
        return Ok(());
    } else if kind.is_dir() {
        "a directory"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else {
        "a special file"
    };
    Err(Error::file_system(format!(
        "{} exists and is {what}, not a regular file: refusing to replace it",
        path.display()
    )))
}

/// A temporary file beside the destination, renamed into place by `persist` and removed
/// if dropped before. Its handle is closed before the file is removed or renamed: Windows
/// cannot delete a file that is open, or leaves its name behind until the last handle
/// closes. The handle sits in a shared slot so that a cancel on another thread can close
/// and remove the file at once (`discarder`); the downloading thread's next write fails.
pub(crate) struct TempFile {
    file: Arc<Mutex<Option<File>>>,
    temp: PathBuf,
    destination: PathBuf,
    persisted: bool,
}

/// A fresh temporary path beside `destination`: `.NAME.PID-N.part`.
fn temp_path_for(destination: &Path) -> Result<PathBuf, Error> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = destination
        .file_name()
        .ok_or_else(|| Error::invalid(format!("{} is not a file path", destination.display())))?;
    let unique =
        format!(".{}.{}-{}.part", name.to_string_lossy(), std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
    Ok(destination.with_file_name(unique))
}

impl TempFile {
    /// Checks the destination and creates a new temporary file beside it.
    pub(crate) fn create(destination: &Path) -> Result<TempFile, Error> {
        check_destination(destination)?;
        let temp = temp_path_for(destination)?;
        let file = File::options()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(|e| Error::file_system(format!("cannot create {}: {e}", temp.display())))?;
        Ok(TempFile {
            file: Arc::new(Mutex::new(Some(file))),
            temp,
            destination: destination.to_owned(),
            persisted: false,
        })
    }

    /// Closes and removes the file, from any thread; what the file's owner does next fails.
    pub(crate) fn discarder(&self) -> impl FnOnce() + Send + 'static {
        let (file, temp) = (Arc::clone(&self.file), self.temp.clone());
        move || {
            drop(file.lock().unwrap_or_else(|e| e.into_inner()).take());
            let _ = fs::remove_file(temp);
        }
    }

    /// Runs `operation` on the open file; an error once it was closed by a discarder.
    fn with_file<T>(&self, what: &str, operation: impl FnOnce(&mut File) -> std::io::Result<T>) -> Result<T, Error> {
        let mut slot = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let file = slot.as_mut().ok_or_else(|| Error::file_system(format!("{} was removed", self.temp.display())))?;
        operation(file).map_err(|e| Error::file_system(format!("cannot {what} {}: {e}", self.temp.display())))
    }

    /// Flushes the bytes to the disk (slow: done before `persist`, outside any lock),
    /// through a handle of its own so that a discarder never waits for the disk.
    pub(crate) fn sync(&self) -> Result<(), Error> {
        let file = self.with_file("write", |file| file.try_clone())?;
        file.sync_all().map_err(|e| Error::file_system(format!("cannot write {}: {e}", self.temp.display())))
    }

    /// Closes the file and renames it into place, after checking the destination again.
    pub(crate) fn persist(&mut self) -> Result<(), Error> {
        check_destination(&self.destination)?;
        let closed = self.file.lock().unwrap_or_else(|e| e.into_inner()).take();
        if closed.is_none() {
            return Err(Error::file_system(format!("{} was removed", self.temp.display())));
        }
        drop(closed);
        fs::rename(&self.temp, &self.destination)
            .map_err(|e| Error::file_system(format!("cannot replace {}: {e}", self.destination.display())))?;
        self.persisted = true;
        Ok(())
    }
}

impl DownloadSink for TempFile {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.with_file("write", |file| file.write_all(bytes))
    }

    fn restart(&mut self) -> Result<bool, Error> {
        self.with_file("rewind", |file| {
            file.set_len(0)?;
            file.rewind()
        })?;
        Ok(true)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.persisted {
            (self.discarder())();
        }
    }
}

/// A download's progress callback behind its request's gate.
fn gate_progress(request: &Request, progress: Option<DownloadProgressFn>) -> Option<DownloadProgressFn> {
    progress.map(|mut progress| {
        let request = request.clone();
        Box::new(move |done, total| request.pass(|| progress(done, total)).unwrap_or(false)) as DownloadProgressFn
    })
}

/// `progress`, reporting to the client's event queue first when the call has a tag.
fn with_events(
    subscription: Option<Arc<Subscription>>,
    progress: Option<DownloadProgressFn>,
) -> Option<DownloadProgressFn> {
    let Some(subscription) = subscription else { return progress };
    Some(match progress {
        None => Box::new(move |received, total| {
            subscription.downloaded(received, total);
            true
        }),
        Some(mut progress) => Box::new(move |received, total| {
            subscription.downloaded(received, total);
            progress(received, total)
        }),
    })
}

/// A caller's sink behind its request's gate: no write once the request is cancelled.
struct GatedSink {
    sink: Box<dyn DownloadSink + Send>,
    request: Request,
}

impl DownloadSink for GatedSink {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let sink = &mut self.sink;
        self.request.pass(|| sink.write(bytes)).unwrap_or_else(|| Err(cancelled()))
    }

    fn restart(&mut self) -> Result<bool, Error> {
        self.sink.restart()
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
    fn content_ranges_are_whole_and_coherent() {
        let range = |start, end, total| Some(ContentRange { start, end, total });
        assert_eq!(ContentRange::parse("bytes 0-99/100"), range(0, 99, Some(100)));
        assert_eq!(ContentRange::parse("bytes 5-9/*"), range(5, 9, None));
        for bad in [
            "bytes 0-100/100",
            "bytes 9-5/100",
            "bytes 0-18446744073709551615/*",
            "bytes -5/100",
            "bytes 0-+5/100",
            "bytes */100",
            "items 0-1/2",
            "bytes 0-99999999999999999999/*",
        ] {
            assert_eq!(ContentRange::parse(bad), None, "{bad}");
        }
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
