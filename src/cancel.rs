//! Cancellation from another thread, and the call context every long operation takes.
//!
//! A token cancels promptly even when the server has stopped answering: each operation
//! watching it runs on its own ureq agent (connection pool), which `cancel` shuts down,
//! so blocked reads and writes fail at once; sleeps between polls and retries wake too.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::{Duration, Instant};

use ureq::Agent;

use crate::error::{Error, ErrorKind};

/// A cancellation flag shared between the caller and operations. Cheap to clone.
#[derive(Clone, Default)]
pub struct CancelToken {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    cancelled: AtomicBool,
    next_watch: AtomicU64,
    watched: Mutex<Watched>,
    /// Wakes `sleep`ers on cancel.
    wake: Condvar,
    /// Non-blocking requests this token cancels too.
    linked: Mutex<Linked>,
}

#[derive(Default)]
struct Watched {
    /// The agents of operations in flight under this token: the first in place (a
    /// request's own token watches one at a time), any others in `more`.
    first: Option<(u64, Agent)>,
    more: Vec<(u64, Agent)>,
    /// Threads in `sleep` now: with none (the common case: a request cancelled while it
    /// sends or receives), a cancel wakes nobody and makes no system call.
    sleepers: usize,
}

/// Something that cancelling a token cancels as well: a non-blocking request.
pub(crate) trait Cancellable: Send + Sync {
    fn cancel_linked(self: Arc<Self>);
}

/// The requests linked to a token, pruned of dropped ones when the list has doubled.
#[derive(Default)]
struct Linked {
    requests: Vec<Weak<dyn Cancellable>>,
    prune_at: usize,
}

impl std::fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CancelToken").field("cancelled", &self.is_cancelled()).finish()
    }
}

impl CancelToken {
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// Cancels every operation watching this token, now and later, and the requests
    /// linked to it (each as `Request::cancel` would).
    pub fn cancel(&self) {
        self.inner.cancelled.store(true, Ordering::SeqCst);
        let (agents, sleepers) = {
            let mut watched = self.inner.watched.lock().unwrap_or_else(|e| e.into_inner());
            let mut agents = std::mem::take(&mut watched.more);
            agents.extend(watched.first.take());
            (agents, watched.sleepers)
        };
        // A sleeper counted here sees the flag once it wakes; one not yet counted checks
        // the flag under the lock this cancel took after setting it.
        if sleepers > 0 {
            self.inner.wake.notify_all();
        }
        for (_, agent) in agents {
            agent.shutdown();
        }
        // A copy, not the list itself: a second cancel on another thread must cancel (and
        // so wait for) the same requests, as a second `Request::cancel` waits for a first.
        let linked = self.inner.linked.lock().unwrap_or_else(|e| e.into_inner()).requests.clone();
        for request in linked.iter().filter_map(Weak::upgrade) {
            request.cancel_linked();
        }
    }

    /// Lets this token cancel `request` too; at once when it is cancelled already.
    pub(crate) fn link(&self, request: Weak<dyn Cancellable>) {
        {
            let mut linked = self.inner.linked.lock().unwrap_or_else(|e| e.into_inner());
            if !self.is_cancelled() {
                if linked.requests.len() >= linked.prune_at.max(64) {
                    linked.requests.retain(|request| request.strong_count() > 0);
                    linked.prune_at = 2 * linked.requests.len();
                }
                linked.requests.push(request);
                return;
            }
        }
        if let Some(request) = request.upgrade() {
            request.cancel_linked();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::SeqCst)
    }

    /// `Err(Cancelled)` once cancelled.
    pub(crate) fn check(&self) -> Result<(), Error> {
        if self.is_cancelled() {
            return Err(cancelled());
        }
        Ok(())
    }

    /// Sleeps for `duration` unless cancelled first.
    pub(crate) fn sleep(&self, duration: Duration) -> Result<(), Error> {
        let until = Instant::now() + duration;
        let mut guard = self.inner.watched.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            self.check()?;
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(());
            }
            guard.sleepers += 1;
            guard = self.inner.wake.wait_timeout(guard, left).unwrap_or_else(|e| e.into_inner()).0;
            guard.sleepers -= 1;
        }
    }

    /// Registers an operation's agent, to be shut down on cancel, until the guard drops.
    pub(crate) fn watch(&self, agent: &Agent) -> Result<Watch<'_>, Error> {
        let id = self.inner.next_watch.fetch_add(1, Ordering::Relaxed);
        let mut watched = self.inner.watched.lock().unwrap_or_else(|e| e.into_inner());
        self.check()?;
        let entry = (id, agent.clone());
        match watched.first {
            None => watched.first = Some(entry),
            Some(_) => watched.more.push(entry),
        }
        Ok(Watch { token: self, id })
    }
}

/// Keeps an agent registered with a token; unregisters it when dropped.
pub(crate) struct Watch<'a> {
    token: &'a CancelToken,
    id: u64,
}

impl Drop for Watch<'_> {
    fn drop(&mut self) {
        let mut watched = self.token.inner.watched.lock().unwrap_or_else(|e| e.into_inner());
        if watched.first.as_ref().is_some_and(|(id, _)| *id == self.id) {
            watched.first = None;
        } else {
            watched.more.retain(|(id, _)| *id != self.id);
        }
    }
}

pub(crate) fn cancelled() -> Error {
    Error::new(ErrorKind::Cancelled, "cancelled")
}

/// What a caller may bound a call with, before it starts: a timeout counted from the
/// start, and a token that cancels it (a non-blocking call too).
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    pub timeout: Option<Duration>,
    pub cancel: Option<CancelToken>,
    /// A non-blocking call with a tag reports to its client's event queue under it.
    pub event_tag: Option<u64>,
}

impl CallOptions {
    /// The deadline of a call starting now.
    pub fn deadline(&self) -> Option<Instant> {
        self.timeout.map(|timeout| Instant::now() + timeout)
    }

    /// The bounds of a blocking call starting now.
    pub fn call(&self) -> Call<'_> {
        Call { deadline: self.deadline(), cancel: self.cancel.as_ref() }
    }
}

/// How a long operation may be bounded: an overall deadline and a cancellation token.
#[derive(Debug, Clone, Copy, Default)]
pub struct Call<'a> {
    /// Bounds everything, the request in flight included: `Timeout` when it passes.
    pub deadline: Option<Instant>,
    pub cancel: Option<&'a CancelToken>,
}

impl Call<'_> {
    /// `Err` when cancelled or past the deadline.
    pub(crate) fn check(&self) -> Result<(), Error> {
        if let Some(token) = self.cancel {
            token.check()?;
        }
        if self.deadline.is_some_and(|deadline| Instant::now() >= deadline) {
            return Err(deadline_passed());
        }
        Ok(())
    }

    /// Sleeps, waking early for cancellation, and failing with `Timeout` rather than
    /// sleeping past the deadline.
    pub(crate) fn sleep(&self, duration: Duration) -> Result<(), Error> {
        let (duration, hits_deadline) = match self.deadline {
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                (duration.min(left), duration >= left)
            }
            None => (duration, false),
        };
        match self.cancel {
            Some(token) => token.sleep(duration)?,
            None => std::thread::sleep(duration),
        }
        if hits_deadline {
            return Err(deadline_passed());
        }
        Ok(())
    }
}

pub(crate) fn deadline_passed() -> Error {
    Error::new(ErrorKind::Timeout, "the deadline passed")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancel_wakes_a_sleeper_at_once() {
        let token = CancelToken::new();
        let sleeper = {
            let token = token.clone();
            std::thread::spawn(move || token.sleep(Duration::from_secs(600)))
        };
        std::thread::sleep(Duration::from_millis(20));
        token.cancel();
        assert_eq!(sleeper.join().unwrap().unwrap_err().kind(), ErrorKind::Cancelled);
    }

    #[test]
    fn a_sleep_past_the_deadline_is_a_timeout() {
        let call = Call { deadline: Some(Instant::now() + Duration::from_millis(10)), cancel: None };
        assert_eq!(call.sleep(Duration::from_secs(600)).unwrap_err().kind(), ErrorKind::Timeout);
        assert_eq!(call.check().unwrap_err().kind(), ErrorKind::Timeout);
        assert!(Call::default().sleep(Duration::from_millis(1)).is_ok());
    }
}
