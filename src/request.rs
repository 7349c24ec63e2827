//! A non-blocking call's state: its outcome, its completion callback, and the rules that
//! keep a caller's callbacks from running once the caller has let go of them.
//!
//! What a caller may rely on (the C header states the same):
//! - `is_done` and `wait` report done only once the completion callback has returned.
//! - `cancel` of a request not yet done ends it with `Cancelled`, and its completion
//!   callback runs on the cancelling thread, before `cancel` returns.
//! - Once `cancel` returns, no callback of the request (progress, write or completion) is
//!   running or will run, except one running on the calling thread itself.
//! - `cancel` never deadlocks, even from inside a callback: where two threads would each
//!   wait for the other's callback to return, the second one does not wait (see `waits`).
//!   Inside a callback, `wait` does not block (it answers as `is_done`): a callback
//!   waiting for another request could otherwise wait for itself through a third.

use std::cell::Cell;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::thread::LocalKey;
use std::time::{Duration, Instant};

use crate::cancel::{cancelled, CancelToken, Cancellable};
use crate::error::{Error, ErrorKind};
use crate::model::Video;

/// What a finished request produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// From get, create and wait.
    Video(Box<Video>),
    /// From a download: the bytes written.
    Downloaded(u64),
}

pub(crate) type Callback = Box<dyn FnOnce() + Send>;

/// Told how a request ended (the error's kind, `None` for success) before its completion
/// callback runs, on the same thread: a client's counters and log.
pub(crate) type Observer = Box<dyn FnOnce(Option<ErrorKind>) + Send>;

/// A call in flight. Cheap to clone; every clone sees the same request.
#[derive(Clone)]
pub struct Request {
    inner: Arc<Inner>,
}

struct Inner {
    cancel: CancelToken,
    state: Mutex<State>,
    /// Signalled when the request is done and when a callback returns.
    changed: Condvar,
}

#[derive(Default)]
struct State {
    /// Set once, by whoever ends the request first: its job, or `cancel`.
    outcome: Option<Result<Outcome, Error>>,
    /// The outcome is set and the completion callback, if any, has returned.
    done: bool,
    callback: Option<Callback>,
    /// The thread that set the outcome and has yet to mark the request done (running its
    /// completion callbacks, or a cancel's cleanup).
    completing: Option<ThreadId>,
    /// The threads running a progress or write callback now.
    running: Vec<ThreadId>,
    /// Undoes what the job left behind (a download's temporary file) if it is cancelled.
    cleanup: Option<Callback>,
    observer: Option<Observer>,
    /// Threads waiting on `changed` now: with none, a change wakes nobody (and makes no
    /// system call).
    sleepers: usize,
    /// Told how it ended once it is done (after its completion callback): the client's
    /// event queue, whose reader may read the result at once.
    announcer: Option<Observer>,
}

impl State {
    /// A thread other than `me` running a callback, if any.
    fn other_callback(&self, me: ThreadId) -> Option<ThreadId> {
        self.running.iter().chain(self.completing.iter()).copied().find(|thread| *thread != me)
    }

    /// Done, as seen from `me`: the completion callback sees its own request as done.
    fn done_for(&self, me: ThreadId) -> bool {
        self.done || (self.outcome.is_some() && self.completing == Some(me))
    }

    /// Done as seen from `me`, with no other thread in a callback of it: its job is over
    /// or its token cancelled already, so a cancel has nothing to stop or wait for.
    fn settled_for(&self, me: ThreadId) -> bool {
        self.done_for(me) && self.other_callback(me).is_none()
    }
}

impl Default for Request {
    fn default() -> Request {
        Request::new()
    }
}

impl Request {
    pub(crate) fn new() -> Request {
        Request {
            inner: Arc::new(Inner {
                cancel: CancelToken::new(),
                state: Mutex::new(State::default()),
                changed: Condvar::new(),
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The request as something a caller's cancel token may cancel.
    pub(crate) fn cancellable(&self) -> Weak<dyn Cancellable> {
        let weak: Weak<Inner> = Arc::downgrade(&self.inner);
        weak
    }

    /// A handle that does not keep the request alive.
    pub(crate) fn downgrade(&self) -> WeakRequest {
        WeakRequest(Arc::downgrade(&self.inner))
    }

    pub(crate) fn token(&self) -> &CancelToken {
        &self.inner.cancel
    }

    /// True once the outcome is known and the completion callback has returned.
    pub fn is_done(&self) -> bool {
        self.state().done_for(current())
    }

    /// Blocks until done or until `timeout` passes (`None`: no limit). True when done.
    /// Inside a callback of any request it does not block.
    pub fn wait(&self, timeout: Option<Duration>) -> bool {
        let me = current();
        let timeout = if inside_callback() { Some(Duration::ZERO) } else { timeout };
        let until = timeout.map(|timeout| Instant::now() + timeout);
        let mut state = self.state();
        while !state.done_for(me) {
            let left = match until {
                None => None,
                Some(until) => match until.saturating_duration_since(Instant::now()) {
                    left if left.is_zero() => return false,
                    left => Some(left),
                },
            };
            state = self.sleep(state, left);
        }
        true
    }

    /// The outcome once done (and, to its completion callback, while it runs).
    pub fn outcome(&self) -> Option<Result<Outcome, Error>> {
        let state = self.state();
        state.done_for(current()).then(|| state.outcome.clone()).flatten()
    }

    /// Whether the request has its outcome (it may still be running its completion callback).
    pub(crate) fn has_outcome(&self) -> bool {
        self.state().outcome.is_some()
    }

    /// Runs `read` on the outcome, under the request's lock, once done (and, to its
    /// completion callback, while it runs): `outcome` without the copy.
    pub(crate) fn read_outcome<T>(&self, read: impl FnOnce(&Result<Outcome, Error>) -> T) -> Option<T> {
        let state = self.state();
        state.done_for(current()).then(|| state.outcome.as_ref().map(read)).flatten()
    }

    /// Cancels the request. A request not yet done is done from now on with `Cancelled`:
    /// its network I/O is interrupted, its job's leftovers removed, and its completion
    /// callback run here. Returns at once, except that it waits for a callback of the
    /// request running on another thread to return (unless that would deadlock).
    pub fn cancel(&self) {
        // A callback run below may free the handle holding `self`: keep the request alive.
        let this = self.clone();
        let me = current();
        let claimed = {
            let mut state = this.state();
            match state.outcome {
                Some(_) if state.settled_for(me) => return,
                Some(_) => None,
                None => {
                    state.outcome = Some(Err(cancelled()));
                    state.completing = Some(me);
                    Some(state.cleanup.take())
                }
            }
        };
        this.inner.cancel.cancel();
        this.wait_for_other_callbacks(me);
        let Some(cleanup) = claimed else { return };
        if let Some(cleanup) = cleanup {
            cleanup();
        }
        this.finish_completion();
    }

    /// Runs `callback` once the request is done: on the thread that finishes it (a library
    /// thread, or the one calling `cancel`), or right here when it is done already.
    /// Replaces an earlier callback that has not run. Set while another thread is ending
    /// the request, it runs there, before the request counts as done.
    pub fn on_complete(&self, callback: Callback) {
        let mut state = self.state();
        if !state.done_for(current()) {
            state.callback = Some(callback);
            return;
        }
        drop(state);
        run_completion(callback);
    }

    /// Sets the observer of how the request ends; set it before the request starts.
    pub(crate) fn observe(&self, observer: Observer) {
        self.state().observer = Some(observer);
    }

    /// Sets what is told how the request ended once it is done; set it before it starts.
    pub(crate) fn announce(&self, announcer: Observer) {
        self.state().announcer = Some(announcer);
    }

    /// Forgets a completion callback that has not run.
    pub fn on_complete_remove(&self) {
        self.state().callback = None;
    }

    /// What freeing the handle does: forgets the completion callback, then cancels (see
    /// `cancel`), all under one lock in the common case of a request already done.
    pub fn release(&self) {
        let me = current();
        {
            let mut state = self.state();
            state.callback = None;
            if state.settled_for(me) {
                return;
            }
        }
        self.cancel();
    }

    /// Records the outcome unless there is one already, and runs the completion callback.
    pub(crate) fn complete(&self, outcome: Result<Outcome, Error>) {
        self.complete_with(|| outcome);
    }

    /// Like `complete`, but `decide` runs, under the request's lock, only if the request
    /// has no outcome yet: what it does (say, renaming a finished download into place)
    /// happens if and only if its result becomes the outcome, so a racing `cancel` sees
    /// either all of it or none. Keep `decide` short: `poll` and `cancel` wait for it.
    pub(crate) fn complete_with(&self, decide: impl FnOnce() -> Result<Outcome, Error>) {
        {
            let mut state = self.state();
            if state.outcome.is_some() {
                return;
            }
            state.outcome = Some(decide());
            state.completing = Some(current());
        };
        self.finish_completion();
    }

    /// Runs the completion callback (and any set meanwhile), then marks the request done.
    /// Called by the thread that set the outcome.
    fn finish_completion(&self) {
        let observed = {
            let mut state = self.state();
            let error = state.outcome.as_ref().and_then(|outcome| outcome.as_ref().err()).map(Error::kind);
            state.observer.take().map(|observer| (observer, error))
        };
        if let Some((observer, error)) = observed {
            observer(error);
        }
        let (announced, sleepers) = loop {
            let mut state = self.state();
            let Some(callback) = state.callback.take() else {
                state.completing = None;
                state.done = true;
                let error = state.outcome.as_ref().and_then(|outcome| outcome.as_ref().err()).map(Error::kind);
                break (state.announcer.take().map(|announcer| (announcer, error)), state.sleepers);
            };
            drop(state);
            run_completion(callback);
        };
        if sleepers > 0 {
            self.inner.changed.notify_all();
        }
        if let Some((announcer, error)) = announced {
            announcer(error);
        }
    }

    /// Runs `create` unless the request already has an outcome, and if it succeeds keeps
    /// the cleanup `undo` makes for it, to run on cancel. Both happen under the request's
    /// lock, so a racing `cancel` either finds the cleanup or stops `create` from running.
    pub(crate) fn unless_cancelled<T>(
        &self,
        create: impl FnOnce() -> Result<T, Error>,
        undo: impl FnOnce(&T) -> Callback,
    ) -> Result<T, Error> {
        let mut state = self.state();
        if state.outcome.is_some() || self.inner.cancel.is_cancelled() {
            return Err(cancelled());
        }
        let created = create()?;
        state.cleanup = Some(undo(&created));
        Ok(created)
    }

    /// Runs one of the caller's progress or write callbacks, unless the request is
    /// cancelled or has its outcome (then `None`). `cancel` waits for it to return.
    pub(crate) fn pass<T>(&self, callback: impl FnOnce() -> T) -> Option<T> {
        struct Leave<'a>(&'a Request, ThreadId);
        impl Drop for Leave<'_> {
            fn drop(&mut self) {
                let mut state = self.0.state();
                if let Some(index) = state.running.iter().position(|thread| *thread == self.1) {
                    state.running.swap_remove(index);
                }
                let sleepers = state.sleepers;
                drop(state);
                if sleepers > 0 {
                    self.0.inner.changed.notify_all();
                }
            }
        }
        let me = current();
        {
            let mut state = self.state();
            if state.outcome.is_some() || self.inner.cancel.is_cancelled() {
                return None;
            }
            state.running.push(me);
        }
        let _leave = Leave(self, me);
        Some(in_callback(callback))
    }

    /// Waits on `changed` (for up to `timeout`), counted in `sleepers`.
    fn sleep<'a>(&'a self, mut state: MutexGuard<'a, State>, timeout: Option<Duration>) -> MutexGuard<'a, State> {
        state.sleepers += 1;
        let mut state = match timeout {
            None => self.inner.changed.wait(state).unwrap_or_else(|e| e.into_inner()),
            Some(timeout) => self.inner.changed.wait_timeout(state, timeout).unwrap_or_else(|e| e.into_inner()).0,
        };
        state.sleepers -= 1;
        state
    }

    /// Waits until no other thread runs a callback of this request, unless that thread
    /// is (through other requests' cancels) waiting for this one: then waiting would
    /// deadlock, and this returns at once.
    fn wait_for_other_callbacks(&self, me: ThreadId) {
        let mut state = self.state();
        while let Some(other) = state.other_callback(me) {
            if !waits::begin(me, other) {
                return;
            }
            state = self.sleep(state, None);
            waits::end(me);
        }
    }
}

impl Cancellable for Inner {
    fn cancel_linked(self: Arc<Self>) {
        Request { inner: self }.cancel();
    }
}

/// A request remembered without being kept alive (the pool's list of requests).
pub(crate) struct WeakRequest(Weak<Inner>);

impl WeakRequest {
    pub(crate) fn upgrade(&self) -> Option<Request> {
        self.0.upgrade().map(|inner| Request { inner })
    }
}

/// Which thread, as a number of its own. (Not std's `ThreadId`: asking for it gives a
/// thread the library did not start, the host's main thread say, a handle that is never
/// freed.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ThreadId(u64);

/// The calling thread's [`ThreadId`].
pub(crate) fn current() -> ThreadId {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    thread_local! {
        static ID: u64 = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    ThreadId(ID.with(|id| *id))
}

thread_local! {
    /// How many of the caller's callbacks this thread is inside.
    static CALLBACK_DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// True on a thread that is running one of the caller's callbacks now.
pub(crate) fn inside_callback() -> bool {
    CALLBACK_DEPTH.try_with(Cell::get).unwrap_or(0) > 0
}

thread_local! {
    /// How many completion callbacks this thread is inside.
    static COMPLETION_DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// True on a thread that is running a completion callback now.
pub(crate) fn inside_completion() -> bool {
    COMPLETION_DEPTH.try_with(Cell::get).unwrap_or(0) > 0
}

/// Runs a completion callback. A panicking Rust callback is contained here: it must not
/// take a library thread, or the request's `done`, with it.
fn run_completion(callback: Callback) {
    let _ =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| deeper(&COMPLETION_DEPTH, || in_callback(callback))));
}

/// Runs a caller's callback, counted for `inside_callback`. (Progress and write
/// callbacks run inside their job, whose panic boundary ends the request.)
pub(crate) fn in_callback<T>(callback: impl FnOnce() -> T) -> T {
    deeper(&CALLBACK_DEPTH, callback)
}

/// Runs `work` with this thread's `depth` one higher, and lowers it again even if `work`
/// unwinds.
fn deeper<T>(depth: &'static LocalKey<Cell<u32>>, work: impl FnOnce() -> T) -> T {
    struct Leave(&'static LocalKey<Cell<u32>>);
    impl Drop for Leave {
        fn drop(&mut self) {
            let _ = self.0.try_with(|depth| depth.set(depth.get().saturating_sub(1)));
        }
    }
    let _ = depth.try_with(|depth| depth.set(depth.get() + 1));
    let _leave = Leave(depth);
    work()
}

/// Which thread waits for which in `cancel`, across all requests: the graph that lets a
/// cancel decline a wait that would close a cycle. Each thread waits for one at a time.
mod waits {
    use std::sync::Mutex;

    use super::ThreadId;

    static WAITING: Mutex<Vec<(ThreadId, ThreadId)>> = Mutex::new(Vec::new());

    /// Records that `me` waits for `other`, unless `other` already waits (directly or
    /// through others) for `me`. False when the wait would deadlock.
    pub(super) fn begin(me: ThreadId, other: ThreadId) -> bool {
        let mut waiting = WAITING.lock().unwrap_or_else(|e| e.into_inner());
        let mut next = other;
        // Each thread has at most one edge and no cycle is ever recorded, so the chain ends.
        for _ in 0..=waiting.len() {
            if next == me {
                return false;
            }
            match waiting.iter().find(|(from, _)| *from == next) {
                Some((_, to)) => next = *to,
                None => break,
            }
        }
        waiting.push((me, other));
        true
    }

    pub(super) fn end(me: ThreadId) {
        let mut waiting = WAITING.lock().unwrap_or_else(|e| e.into_inner());
        waiting.retain(|(from, _)| *from != me);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{mpsc, Barrier};

    #[test]
    fn a_wait_that_would_close_a_cycle_is_declined() {
        let (sender, other) = mpsc::channel();
        let (release, released) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            sender.send(current()).unwrap();
            released.recv().unwrap();
        });
        let (me, other) = (current(), other.recv().unwrap());
        assert!(waits::begin(me, other));
        assert!(!waits::begin(other, me), "other waiting for me would close the cycle");
        waits::end(me);
        assert!(waits::begin(other, me));
        waits::end(other);
        release.send(()).unwrap();
        thread.join().unwrap();
    }

    /// A request whose completion callback, once entered, stays until `leave` is passed.
    fn held_in_its_callback() -> (Request, Arc<Barrier>, Arc<Barrier>) {
        let request = Request::new();
        let (entered, leave) = (Arc::new(Barrier::new(2)), Arc::new(Barrier::new(2)));
        let (inside, stay) = (Arc::clone(&entered), Arc::clone(&leave));
        request.on_complete(Box::new(move || {
            inside.wait();
            stay.wait();
        }));
        (request, entered, leave)
    }

    #[test]
    fn a_callback_set_while_another_thread_ends_the_request_runs_before_done() {
        let (request, entered, leave) = held_in_its_callback();
        let finisher = {
            let request = request.clone();
            std::thread::spawn(move || request.complete(Ok(Outcome::Downloaded(1))))
        };
        entered.wait();
        // The first callback runs on the finisher; a second one set now runs there too.
        let (sender, ran_on) = mpsc::channel();
        request.on_complete(Box::new(move || sender.send(std::thread::current().id()).unwrap()));
        assert!(ran_on.try_recv().is_err(), "not run on the thread that set it");
        leave.wait();
        assert!(request.wait(None));
        assert_eq!(ran_on.try_recv().unwrap(), finisher.thread().id());
        finisher.join().unwrap();
    }

    #[test]
    fn a_panicking_completion_callback_still_leaves_the_request_done() {
        let request = Request::new();
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        request.on_complete(Box::new(|| panic!("a caller's bug")));
        request.complete(Err(cancelled()));
        std::panic::set_hook(previous);
        assert!(request.is_done());
        request.cancel();
    }

    /// Ends a request by `end` on one thread, its completion callback held there, then
    /// runs `then` on another: `then` must return only once the callback has, with the
    /// request done.
    fn waits_for_the_callback_on_another_thread(end: fn(&Request), then: fn(&Request), what: &str) {
        let (request, entered, leave) = held_in_its_callback();
        let ender = {
            let request = request.clone();
            std::thread::spawn(move || end(&request))
        };
        entered.wait();
        let waiter = {
            let request = request.clone();
            std::thread::spawn(move || {
                then(&request);
                request.is_done()
            })
        };
        std::thread::sleep(Duration::from_millis(20));
        assert!(!waiter.is_finished(), "{what} waits for the callback running on the other thread");
        leave.wait();
        assert!(waiter.join().unwrap(), "done once {what} returns");
        ender.join().unwrap();
    }

    #[test]
    fn a_second_cancel_returns_only_once_the_first_has_finished() {
        waits_for_the_callback_on_another_thread(Request::cancel, Request::cancel, "the second cancel");
    }

    #[test]
    fn release_waits_for_another_threads_callback_but_not_for_its_own() {
        waits_for_the_callback_on_another_thread(
            |request| request.complete(Ok(Outcome::Downloaded(1))),
            Request::release,
            "release",
        );

        // Released from inside its own completion callback: returns there, outcome kept.
        let request = Request::new();
        let (sender, released) = mpsc::channel();
        let inside = request.clone();
        request.on_complete(Box::new(move || {
            inside.release();
            sender.send(inside.outcome()).unwrap();
        }));
        request.complete(Ok(Outcome::Downloaded(2)));
        assert_eq!(released.recv().unwrap(), Some(Ok(Outcome::Downloaded(2))));
        assert_eq!(request.outcome(), Some(Ok(Outcome::Downloaded(2))));
        assert!(!request.token().is_cancelled(), "a settled request's job has nothing left to stop");
    }

    #[test]
    fn done_only_after_the_completion_callback_returned() {
        let request = Request::new();
        let (entered, leave) = (Arc::new(Barrier::new(2)), Arc::new(Barrier::new(2)));
        let seen = {
            let (request, entered, leave) = (request.clone(), Arc::clone(&entered), Arc::clone(&leave));
            let (sender, seen) = mpsc::channel();
            request.clone().on_complete(Box::new(move || {
                sender.send((request.is_done(), request.outcome().is_some())).unwrap();
                entered.wait();
                leave.wait();
            }));
            seen
        };
        let finisher = {
            let request = request.clone();
            std::thread::spawn(move || request.complete(Ok(Outcome::Downloaded(1))))
        };
        entered.wait();
        assert_eq!(seen.recv().unwrap(), (true, true), "the callback sees its request done");
        assert!(!request.is_done(), "not done while the callback runs");
        assert!(request.outcome().is_none());
        assert!(!request.wait(Some(Duration::from_millis(1))));
        leave.wait();
        assert!(request.wait(None));
        assert_eq!(request.outcome(), Some(Ok(Outcome::Downloaded(1))));
        finisher.join().unwrap();
    }
}
