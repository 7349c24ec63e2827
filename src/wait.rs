//! Waiting for a job: poll `GET /videos/{id}` until it is terminal, within the call's
//! deadline.
//!
//! One poll is one [`Client::wait_step`], so the blocking wait and the non-blocking one
//! (a job that reschedules itself between polls) share every rule: `queued` and
//! `in_progress` keep waiting; `completed`, `failed` and `cancelled` end it (a failed
//! job is a result, not an error); a status this version does not know ends it at once
//! rather than polling forever.
//!
//! Each next poll comes after the interval plus up to [`JITTER`] of it, at random: polls
//! of jobs started together spread out instead of reaching the server as one burst,
//! and no poll comes sooner than the interval asks.

use std::sync::Arc;
use std::time::{Duration, Instant};

/// The most a poll is delayed past its interval, as a share of it.
pub const JITTER: f64 = 0.2;

use crate::cancel::{Call, CallOptions};
use crate::client::Client;
use crate::error::{Error, ErrorKind};
use crate::log::{Event, EventKind, Level};
use crate::model::{Video, VideoStatus};
use crate::pool::{guarded, submit_with, Job};
use crate::request::{Outcome, Request};

/// The longest poll interval accepted: one hour.
pub const MAX_POLL_INTERVAL: Duration = Duration::from_secs(60 * 60);

/// What is particular to a wait (its bounds are the call's: see [`CallOptions`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitOptions {
    /// Time between polls. A server's hint (`Retry-After`) may lengthen it, never shorten
    /// it. Default 2 s.
    pub poll_interval: Duration,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions { poll_interval: Duration::from_secs(2) }
    }
}

/// A poll interval of 1 ms to [`MAX_POLL_INTERVAL`].
pub fn poll_interval_ms(ms: i64) -> Result<Duration, Error> {
    let max = MAX_POLL_INTERVAL.as_millis();
    match u64::try_from(ms) {
        Ok(ms) if ms >= 1 && u128::from(ms) <= max => Ok(Duration::from_millis(ms)),
        _ => Err(Error::invalid(format!("poll interval must be from 1 to {max} ms, not {ms}"))),
    }
}

/// Called with each polled state of the job; return `false` to stop (`Cancelled`).
pub type Progress<'a> = &'a mut (dyn FnMut(&Video) -> bool + Send + 'a);

/// A wait's progress callback for a non-blocking wait, run on a library thread.
pub type WaitProgressFn = Box<dyn FnMut(&Video) -> bool + Send>;

/// What one poll decided.
pub(crate) enum Step {
    Done(Box<Result<Video, Error>>),
    /// Poll again after this long.
    Again(Duration),
}

impl Client {
    /// Polls the job until it is terminal or has a status this version does not know.
    /// `call`'s deadline bounds the whole wait, the request in flight included.
    pub fn wait_video(
        &self,
        id: &str,
        options: &WaitOptions,
        call: Call<'_>,
        progress: Option<Progress<'_>>,
    ) -> Result<Video, Error> {
        self.finish("wait for video", self.wait_loop(id, options, call, progress))
    }

    /// [`Client::wait_video`] without counting its end (for calls made of several).
    pub(crate) fn wait_loop(
        &self,
        id: &str,
        options: &WaitOptions,
        call: Call<'_>,
        mut progress: Option<Progress<'_>>,
    ) -> Result<Video, Error> {
        loop {
            match self.wait_step(id, options, call, progress.as_deref_mut()) {
                Step::Done(result) => return *result,
                Step::Again(delay) => call.sleep(delay).map_err(|e| waited_too_long(id, e))?,
            }
        }
    }

    /// [`Client::wait_video`] as polls scheduled on the library's threads; `progress`
    /// runs on those threads. The deadline counts from now.
    pub fn wait_video_start(
        self: &Arc<Client>,
        id: &str,
        options: WaitOptions,
        call: &CallOptions,
        progress: Option<WaitProgressFn>,
    ) -> Result<Request, Error> {
        crate::url::encode_id(id)?;
        let request = Request::new();
        let subscription = self.observe(&request, "wait for video", call);
        let progress = progress.map(|mut progress| {
            let request = request.clone();
            Box::new(move |video: &Video| request.pass(|| progress(video)).unwrap_or(false)) as WaitProgressFn
        });
        // The event queue sees each poll before the caller's progress callback does.
        let progress = match (subscription, progress) {
            (None, progress) => progress,
            (Some(subscription), None) => Some(Box::new(move |video: &Video| {
                subscription.polled(video);
                true
            }) as WaitProgressFn),
            (Some(subscription), Some(mut progress)) => Some(Box::new(move |video: &Video| {
                subscription.polled(video);
                progress(video)
            }) as WaitProgressFn),
        };
        let wait = Wait {
            request: request.clone(),
            client: Arc::clone(self),
            id: id.to_owned(),
            options,
            deadline: call.deadline(),
            progress,
        };
        Ok(submit_with(self.pool(), request, call, Box::new(wait)))
    }

    /// One poll of a wait.
    pub(crate) fn wait_step<'p>(
        &self,
        id: &str,
        options: &WaitOptions,
        call: Call<'_>,
        progress: Option<&mut (dyn FnMut(&Video) -> bool + Send + 'p)>,
    ) -> Step {
        let (video, hint) = match self.fetch_video(id, call) {
            Ok(polled) => polled,
            Err(error) => return Step::Done(Box::new(Err(waited_too_long(id, error)))),
        };
        if let Some(progress) = progress {
            if !progress(&video) {
                return Step::Done(Box::new(Err(Error::new(
                    ErrorKind::Cancelled,
                    "the progress callback stopped the wait",
                ))));
            }
        }
        let again = match video.status {
            // A server's hint may slow the polls down, never speed them up.
            VideoStatus::Queued | VideoStatus::InProgress => {
                let delay = hint.map_or(options.poll_interval, |hint| hint.max(options.poll_interval));
                Some(delay.mul_f64(1.0 + JITTER * crate::retry::random_unit()))
            }
            _ => None,
        };
        self.log().emit(Level::Debug, || {
            let mut event = Event::new(Level::Debug, EventKind::Poll);
            event.job_id = Some(id.to_owned());
            event.job_status = Some(video.status_raw.clone());
            if let Some(delay) = again {
                event.delay = delay;
                event.delay_from_server = hint.is_some_and(|hint| hint > options.poll_interval);
            }
            event
        });
        match again {
            Some(delay) => Step::Again(delay),
            None => Step::Done(Box::new(Ok(video))),
        }
    }
}

/// A non-blocking wait, one poll per run.
struct Wait {
    request: Request,
    client: Arc<Client>,
    id: String,
    options: WaitOptions,
    deadline: Option<Instant>,
    progress: Option<WaitProgressFn>,
}

impl Job for Wait {
    fn run(mut self: Box<Self>) -> Option<(Duration, Box<dyn Job>)> {
        let call = Call { deadline: self.deadline, cancel: Some(self.request.token()) };
        let step = guarded(&self.request, || {
            self.client.wait_step(&self.id, &self.options, call, self.progress.as_deref_mut())
        })?;
        match step {
            Step::Done(outcome) => {
                self.request.complete((*outcome).map(|video| Outcome::Video(Box::new(video))));
                None
            }
            // Past the deadline, the next poll fails at once with `Timeout`. A rate limit
            // on the client holds the poll back without holding a thread.
            Step::Again(delay) => {
                let delay = self.client.limits().pause_left().map_or(delay, |pause| pause.max(delay));
                let left = self.deadline.map_or(delay, |d| d.saturating_duration_since(Instant::now()));
                Some((delay.min(left), self))
            }
        }
    }

    fn abandon(self: Box<Self>, error: Error) {
        self.request.complete(Err(error));
    }
}

/// Says which job a deadline ran out on.
fn waited_too_long(id: &str, error: Error) -> Error {
    if error.kind() != ErrorKind::Timeout || error.http_status().is_some() {
        return error;
    }
    Error::new(ErrorKind::Timeout, format!("gave up waiting for video {id:?}: {}", error.message()))
}
