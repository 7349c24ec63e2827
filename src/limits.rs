//! What a client's requests share: a pause that a rate limit puts on all of them, and an
//! optional cap on how many HTTP requests run at once.

use std::cell::RefCell;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::cancel::{deadline_passed, Call};
use crate::error::Error;

/// How long a request waiting for a free slot sleeps before it looks at its cancel token
/// and deadline again (a cancel of a call waiting here takes effect within this).
const SLOT_CHECK: Duration = Duration::from_millis(10);

#[derive(Debug, Default)]
pub(crate) struct Limits {
    /// No request of the client starts before this: a 429's hint, shared.
    paused_until: Mutex<Option<Instant>>,
    /// At most this many HTTP requests at once; 0: no cap.
    max_concurrent: usize,
    running: Mutex<usize>,
    freed: Condvar,
}

impl Limits {
    pub(crate) fn new(max_concurrent: usize) -> Limits {
        Limits { max_concurrent, ..Limits::default() }
    }

    /// Pauses every request of the client for `hint` from now (a 429's `Retry-After`),
    /// unless a longer pause is on already.
    pub(crate) fn pause(&self, hint: Duration) {
        let until = Instant::now() + hint;
        let mut paused = self.paused_until.lock().unwrap_or_else(|e| e.into_inner());
        if paused.is_none_or(|current| current < until) {
            *paused = Some(until);
        }
    }

    /// How long requests must still wait, if at all.
    pub(crate) fn pause_left(&self) -> Option<Duration> {
        let paused = *self.paused_until.lock().unwrap_or_else(|e| e.into_inner());
        paused.map(|until| until.saturating_duration_since(Instant::now())).filter(|left| !left.is_zero())
    }

    /// For a request to the API: waits out a pause (within `call`), then for a slot
    /// (within `slot_call`); the slot is the request's until dropped.
    pub(crate) fn admit(&self, call: Call<'_>, slot_call: Call<'_>) -> Result<Slot<'_>, Error> {
        while let Some(left) = self.pause_left() {
            call.sleep(left)?;
        }
        self.slot(slot_call)
    }

    /// For a request to another host (a video download): the API's pause does not apply.
    /// A thread that holds a slot of these limits already (a callback of its request
    /// making a call of its own) goes ahead without another: it would wait for itself.
    pub(crate) fn slot(&self, call: Call<'_>) -> Result<Slot<'_>, Error> {
        if self.max_concurrent == 0 || HOLDING.with(|held| held.borrow().contains(&self.key())) {
            return Ok(Slot(None));
        }
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            call.check()?;
            if call.deadline.is_some_and(|deadline| Instant::now() >= deadline) {
                return Err(deadline_passed());
            }
            if *running < self.max_concurrent {
                *running += 1;
                HOLDING.with(|held| held.borrow_mut().push(self.key()));
                return Ok(Slot(Some(self)));
            }
            running = self.freed.wait_timeout(running, SLOT_CHECK).unwrap_or_else(|e| e.into_inner()).0;
        }
    }
}

/// A running HTTP request's hold on one of the client's slots.
pub(crate) struct Slot<'a>(Option<&'a Limits>);

impl Limits {
    fn key(&self) -> usize {
        self as *const Limits as usize
    }
}

thread_local! {
    /// The limits (by address) this thread holds a slot of.
    static HOLDING: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        if let Some(limits) = self.0 {
            HOLDING.with(|held| {
                let mut held = held.borrow_mut();
                if let Some(at) = held.iter().position(|key| *key == limits.key()) {
                    held.swap_remove(at);
                }
            });
            *limits.running.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
            limits.freed.notify_one();
        }
    }
}
