//! Waiting for a job: poll `GET /videos/{id}` until it is terminal, within a deadline.
//!
//! One poll is one [`Client::wait_step`], so the blocking wait below and the
//! non-blocking one of `executor` share every rule: `queued` and `in_progress` keep
//! waiting; `completed`, `failed` and `cancelled` end it (a failed job is a result, not an
//! error); a status this version does not know ends it at once rather than polling forever.

use std::time::{Duration, Instant};

use crate::cancel::{Call, CancelToken};
use crate::client::Client;
use crate::error::{Error, ErrorKind};
use crate::model::{Video, VideoStatus};

/// How to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitOptions {
    /// Time between polls. A server's hint (`Retry-After`) may lengthen it, never shorten
    /// it. Default 2 s.
    pub poll_interval: Duration,
    /// When to give up with `Timeout`; it also bounds the request in flight. `None` waits
    /// as long as it takes.
    pub deadline: Option<Instant>,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions { poll_interval: Duration::from_secs(2), deadline: None }
    }
}

/// Called with each polled state of the job; return `false` to stop (`Cancelled`).
pub type Progress<'a> = &'a mut (dyn FnMut(&Video) -> bool + Send + 'a);

/// What one poll decided.
pub(crate) enum Step {
    Done(Box<Result<Video, Error>>),
    /// Poll again after this long.
    Again(Duration),
}

impl Client {
    /// Polls the job until it is terminal or has a status this version does not know.
    pub fn wait_video(
        &self,
        id: &str,
        options: &WaitOptions,
        cancel: Option<&CancelToken>,
        progress: Option<Progress<'_>>,
    ) -> Result<Video, Error> {
        let mut progress = progress;
        let call = Call { deadline: options.deadline, cancel };
        loop {
            match self.wait_step(id, options, cancel, progress.as_deref_mut()) {
                Step::Done(result) => return *result,
                Step::Again(delay) => call.sleep(delay).map_err(|e| waited_too_long(id, e))?,
            }
        }
    }

    /// One poll of a wait.
    pub(crate) fn wait_step<'p>(
        &self,
        id: &str,
        options: &WaitOptions,
        cancel: Option<&CancelToken>,
        progress: Option<&mut (dyn FnMut(&Video) -> bool + Send + 'p)>,
    ) -> Step {
        let call = Call { deadline: options.deadline, cancel };
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
        match video.status {
            // A server's hint may slow the polls down, never speed them up.
            VideoStatus::Queued | VideoStatus::InProgress => {
                Step::Again(hint.map_or(options.poll_interval, |hint| hint.max(options.poll_interval)))
            }
            _ => Step::Done(Box::new(Ok(video))),
        }
    }
}

/// Says which job a deadline ran out on.
fn waited_too_long(id: &str, error: Error) -> Error {
    if error.kind() != ErrorKind::Timeout || error.http_status().is_some() {
        return error;
    }
    Error::new(ErrorKind::Timeout, format!("gave up waiting for video {id:?}: {}", error.message()))
}
