//! The per-client pool of library threads that runs non-blocking calls. It knows jobs,
//! not API calls: each `*_start` call builds its job beside the blocking call it runs
//! (`client.rs`, `create.rs`, `wait.rs`, `download.rs`).
//!
//! The pool is a time-ordered queue served by at most `max_threads` threads, started
//! on first use. A wait is a series of one-poll jobs scheduled between polls, so a
//! thousand waits need no more threads than one. `shutdown` cancels what is left and
//! joins the threads (`tv_client_free` does); otherwise they end once the pool is
//! dropped and the queue is empty.
//!
//! A job queued from inside a completion callback by one of the pool's threads, while
//! enough threads are idle, is handed over: it wakes no other thread, and the callback's
//! thread takes it once the callback returns. A chain of calls, each started from the
//! last one's completion (a C# continuation, say), so runs on one thread with no
//! hand-off between threads. Should the callback not return, the idle thread on standby
//! takes the job once it has waited `STANDBY_TICK`: while jobs are handed over, one idle
//! thread looks at them from time to time (every `STANDBY_TICK`, less often while its
//! looks find every job taken by its own thread), and when it takes one, another idle
//! thread takes over the watch if more are waiting. A hand-over counts on an idle thread
//! to spare: once other jobs are queued beyond the idle threads, the handed-over ones
//! rejoin the time-ordered queue, so that a later job cannot take that thread first.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::cancel::{cancelled, Call, CallOptions};
use crate::error::{Error, ErrorKind};
use crate::request::{current, inside_callback, inside_completion, Outcome, Request, ThreadId, WeakRequest};

/// How long a job queued from inside a completion callback may wait for the callback's
/// thread before a thread on standby takes it, and how often that thread looks at first.
const STANDBY_TICK: Duration = Duration::from_millis(1);
/// The longest a thread on standby goes between looks, once looks keep finding nothing
/// to take: so a chain of calls, each started from the last one's callback, wakes a
/// thread about 125 times a second rather than 1 000. A callback that then stops
/// returning has its job taken within `STANDBY_TICK` + `STANDBY_LOOK_MAX` while a thread
/// is idle.
const STANDBY_LOOK_MAX: Duration = Duration::from_millis(8);
/// How long after the last such job a thread stays on standby (then it waits to be
/// woken, using no CPU).
const STANDBY_FOR: Duration = Duration::from_millis(50);

thread_local! {
    /// On a pool's thread: that pool.
    static SERVING: RefCell<Option<Arc<Shared>>> = const { RefCell::new(None) };
}

/// A unit of work: runs once and may ask to run again later.
pub(crate) trait Job: Send {
    fn run(self: Box<Self>) -> Option<(Duration, Box<dyn Job>)>;
    /// Ends the job's request with `error`, when no thread can run the job.
    fn abandon(self: Box<Self>, error: Error);
}

struct Scheduled {
    due: Instant,
    sequence: u64,
    job: Box<dyn Job>,
}

/// A job queued from inside a completion callback, for the callback's thread.
struct HandedOver {
    at: Instant,
    job: Box<dyn Job>,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.due, self.sequence) == (other.due, other.sequence)
    }
}

impl Eq for Scheduled {}

impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Scheduled {
    /// Reversed, so that the max-heap pops the earliest due job first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.due, other.sequence).cmp(&(self.due, self.sequence))
    }
}

/// The pool of library threads. Dropping it lets the threads end once the queue is empty.
pub(crate) struct Pool {
    shared: Arc<Shared>,
}

struct Shared {
    max_threads: usize,
    state: Mutex<PoolState>,
    work: Condvar,
}

#[derive(Default)]
struct PoolState {
    queue: BinaryHeap<Scheduled>,
    /// Handed-over jobs, oldest first: any thread back from a job takes them first (its
    /// own or another's); any other thread only those that have waited `STANDBY_TICK`,
    /// after the jobs due in `queue`.
    handed: VecDeque<HandedOver>,
    threads: usize,
    idle: usize,
    /// Idle threads on standby (0 or 1), looking at the queues every `standby_look`.
    standby: usize,
    /// From `STANDBY_TICK`, doubled (to `STANDBY_LOOK_MAX`) by every look that finds
    /// nothing to take, back to `STANDBY_TICK` when one does.
    standby_look: Duration,
    /// When a job was last handed over.
    handed_over_at: Option<Instant>,
    /// An idle thread was woken to go on standby: the first idle thread to wake takes the
    /// role (clearing this), whichever it is.
    recruiting: bool,
    /// No new threads; run what is queued at once (it is cancelled) and end.
    closing: bool,
    sequence: u64,
    /// Each thread, and which it is (set as it starts: a thread not started yet is not
    /// the one shutting down).
    handles: Vec<(Arc<OnceLock<ThreadId>>, JoinHandle<()>)>,
    /// Requests not yet done, for `shutdown` to cancel.
    requests: Tracked,
}

/// The requests a pool has started, pruned of finished ones only when the list has
/// doubled since the last pruning: starting a request costs O(1) amortised.
#[derive(Default)]
struct Tracked {
    requests: Vec<WeakRequest>,
    prune_at: usize,
}

impl Tracked {
    /// The smallest list worth pruning.
    const MIN_PRUNE: usize = 64;

    /// Adds a request; returns how many entries it looked at (for the cost test).
    fn push(&mut self, request: &Request) -> usize {
        let mut visited = 0;
        if self.requests.len() >= self.prune_at.max(Self::MIN_PRUNE) {
            visited = self.requests.len();
            self.requests.retain(|weak| weak.upgrade().is_some_and(|request| !request.is_done()));
            self.prune_at = 2 * self.requests.len();
        }
        self.requests.push(request.downgrade());
        visited
    }

    fn take(&mut self) -> Vec<WeakRequest> {
        self.prune_at = 0;
        std::mem::take(&mut self.requests)
    }
}

impl Pool {
    pub(crate) fn new(max_threads: usize) -> Pool {
        Pool {
            shared: Arc::new(Shared { max_threads: max_threads.max(1), state: Mutex::default(), work: Condvar::new() }),
        }
    }

    /// Queues the first job of `request`, remembering the request for `shutdown`. After
    /// `shutdown` the request ends at once with `Cancelled`.
    pub(crate) fn submit(&self, request: &Request, job: Box<dyn Job>) {
        {
            // Lock order: the pool, then a request; never the other way round.
            let mut state = self.shared.lock();
            if !state.closing {
                state.requests.push(request);
                Shared::schedule_locked(&self.shared, state, Duration::ZERO, job);
                return;
            }
        }
        request.complete(Err(Error::new(ErrorKind::Cancelled, "the client was shut down")));
    }

    /// Cancels every request not yet done and waits for the threads to end (except the
    /// calling thread, when it is one of them). From inside a callback it does not wait
    /// for the threads, which end by themselves once their queue is empty: one of them
    /// may be waiting for the callback this thread is running.
    pub(crate) fn shutdown(&self) {
        let (requests, handles) = {
            let mut state = self.shared.state.lock().unwrap_or_else(|e| e.into_inner());
            state.closing = true;
            (state.requests.take(), std::mem::take(&mut state.handles))
        };
        // Pending requests first: a completion callback still running (a C# continuation,
        // say) may be waiting for one of them, and cancelling its own request first would
        // wait for that callback for as long as the pending request lasts.
        let mut live: Vec<Request> = requests.iter().filter_map(WeakRequest::upgrade).collect();
        live.sort_by_key(Request::has_outcome);
        for request in &live {
            request.cancel();
        }
        self.shared.work.notify_all();
        if inside_callback() {
            return;
        }
        let me = current();
        for (thread, handle) in handles {
            if thread.get() != Some(&me) {
                let _ = handle.join();
            }
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.shared.state.lock().unwrap_or_else(|e| e.into_inner()).closing = true;
        self.shared.work.notify_all();
    }
}

impl Shared {
    /// Queues `job`, starting a thread for it when the idle ones are fewer than the jobs
    /// queued. If the system refuses
    /// a thread while the pool has none, nothing could ever run the queue: its jobs end
    /// with the error instead of staying pending for ever.
    fn schedule(shared: &Arc<Shared>, delay: Duration, job: Box<dyn Job>) {
        Shared::schedule_locked(shared, shared.lock(), delay, job);
    }

    /// `schedule`, with the pool's lock held already.
    fn schedule_locked(shared: &Arc<Shared>, mut state: MutexGuard<'_, PoolState>, delay: Duration, job: Box<dyn Job>) {
        let now = Instant::now();
        // Every queued job has an idle thread to take it, this one too (an idle thread may
        // have been woken for another already).
        if delay.is_zero() && !state.closing && state.pending() < state.idle && shared.completing_here() {
            // This thread takes the job once its callback returns (see the module's doc).
            state.handed.push_back(HandedOver { at: now, job });
            state.handed_over_at = Some(now);
            if state.recruit() {
                drop(state);
                shared.work.notify_one();
            }
            return;
        }
        // The idle threads the hand-overs counted on are too few with this job: those jobs
        // queue like any other, in time order, ahead of it, and every idle thread is woken
        // (nothing else would wake them for jobs already due).
        let demoted = state.pending() >= state.idle && !state.handed.is_empty();
        if demoted {
            while let Some(handed) = state.handed.pop_front() {
                state.sequence += 1;
                let sequence = state.sequence;
                state.queue.push(Scheduled { due: handed.at, sequence, job: handed.job });
            }
        }
        state.sequence += 1;
        let sequence = state.sequence;
        state.queue.push(Scheduled { due: now + delay, sequence, job });
        // More jobs waiting than threads idle to take them: one more thread, so that a job
        // on a server that stopped answering cannot hold up a burst queued behind it.
        if state.pending() > state.idle && state.threads < shared.max_threads && !state.closing {
            let worker = Arc::clone(shared);
            let name = format!("together-video-{}", state.threads + 1);
            let thread = Arc::new(OnceLock::new());
            let its = Arc::clone(&thread);
            match std::thread::Builder::new().name(name).spawn(move || {
                let _ = its.set(current());
                worker.serve()
            }) {
                Ok(handle) => {
                    state.threads += 1;
                    state.handles.push((thread, handle));
                }
                Err(error) if state.threads == 0 => {
                    let stranded: Vec<Box<dyn Job>> = std::mem::take(&mut state.queue)
                        .into_iter()
                        .map(|scheduled| scheduled.job)
                        .chain(std::mem::take(&mut state.handed).into_iter().map(|handed| handed.job))
                        .collect();
                    drop(state);
                    let error = Error::new(
                        ErrorKind::Internal,
                        format!("the system refused to start a library thread: {error}"),
                    );
                    for job in stranded {
                        job.abandon(error.clone());
                    }
                    return;
                }
                // A running thread will get to the job.
                Err(_) => {}
            }
        }
        // Only idle threads wait on `work`: with none, a wake would be a wasted system call.
        let wake = state.idle > 0;
        drop(state);
        if wake && demoted {
            shared.work.notify_all();
        } else if wake {
            shared.work.notify_one();
        }
    }

    fn lock(&self) -> MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the calling thread is one of this pool's, inside a completion callback.
    fn completing_here(self: &Arc<Shared>) -> bool {
        inside_completion()
            && SERVING
                .try_with(|serving| serving.borrow().as_ref().is_some_and(|pool| Arc::ptr_eq(pool, self)))
                .unwrap_or(false)
    }

    fn serve(self: Arc<Shared>) {
        let _ = SERVING.try_with(|serving| *serving.borrow_mut() = Some(Arc::clone(&self)));
        let mut state = self.lock();
        // Back from running a job (its callback may have handed one over), or on standby
        // (woken by its timeout or a wake, or recruited): watching the handed-over jobs.
        let (mut back, mut looking) = (false, false);
        loop {
            let now = Instant::now();
            if let Some((job, rescued)) = state.take(now, back) {
                if rescued {
                    state.standby_look = STANDBY_TICK; // a callback that did not return: look often
                }
                // Leaving the watch: another idle thread takes it up if jobs are still handed over.
                let wake = looking && !state.handed.is_empty() && state.recruit();
                looking = false;
                back = true;
                drop(state);
                if wake {
                    self.work.notify_one();
                }
                // A job never unwinds (each catches its own panics), so this thread lives on.
                if let Some((delay, again)) = job.run() {
                    Shared::schedule(&self, delay, again);
                }
                state = self.lock();
                continue;
            }
            if state.closing && state.pending() == 0 {
                state.threads -= 1;
                return;
            }
            if looking {
                state.standby_look = (state.standby_look * 2).clamp(STANDBY_TICK, STANDBY_LOOK_MAX);
            }
            let standby = state.standby == 0
                && (!state.handed.is_empty()
                    || state.handed_over_at.is_some_and(|at| now.duration_since(at) < STANDBY_FOR));
            let due = state.queue.peek().map(|next| next.due);
            let wake_at = if standby {
                let look = now + state.standby_look.max(STANDBY_TICK);
                let stuck = state.handed.front().map(|handed| handed.at + STANDBY_TICK);
                [Some(look), due, stuck].into_iter().flatten().min()
            } else {
                due
            };
            state.idle += 1;
            state.standby += usize::from(standby);
            state = match wake_at {
                Some(at) => {
                    self.work
                        .wait_timeout(state, at.saturating_duration_since(now))
                        .unwrap_or_else(|e| e.into_inner())
                        .0
                }
                None => self.work.wait(state).unwrap_or_else(|e| e.into_inner()),
            };
            state.idle -= 1;
            state.standby -= usize::from(standby);
            let recruited = std::mem::take(&mut state.recruiting);
            looking = standby || recruited;
            back = false;
        }
    }
}

impl PoolState {
    /// Jobs queued, handed over or not.
    fn pending(&self) -> usize {
        self.queue.len() + self.handed.len()
    }

    /// The job a thread takes now, if any, and whether it was rescued from a callback that
    /// did not return. A thread `back` from running a job takes a handed-over job first
    /// (its own callback's, or another's: any will do); any thread, a job that is due,
    /// then a handed-over job that has waited `STANDBY_TICK` (its callback's thread has
    /// not come back for it); everything once closing.
    fn take(&mut self, now: Instant, back: bool) -> Option<(Box<dyn Job>, bool)> {
        if self.closing || back {
            if let Some(handed) = self.handed.pop_front() {
                return Some((handed.job, false));
            }
        }
        if self.closing || self.queue.peek().is_some_and(|next| next.due <= now) {
            return self.queue.pop().map(|scheduled| (scheduled.job, false));
        }
        if self.handed.front().is_some_and(|handed| handed.at + STANDBY_TICK <= now) {
            return self.handed.pop_front().map(|handed| (handed.job, true));
        }
        None
    }

    /// Asks for an idle thread to go on standby, unless one is or has been asked:
    /// true when the caller is to wake one (after unlocking).
    fn recruit(&mut self) -> bool {
        if self.standby > 0 || self.recruiting || self.idle == 0 {
            return false;
        }
        self.recruiting = true;
        self.standby_look = STANDBY_TICK;
        true
    }
}

/// Runs `work` for `request` unless it was cancelled (then ends it so), catching a panic
/// as `Internal`.
pub(crate) fn guarded<T>(request: &Request, work: impl FnOnce() -> T) -> Option<T> {
    if request.token().is_cancelled() {
        request.complete(Err(cancelled()));
        return None;
    }
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
        Ok(value) => Some(value),
        Err(_) => {
            request.complete(Err(Error::new(ErrorKind::Internal, "internal error: a request panicked")));
            None
        }
    }
}

/// A job that runs one call (`work`, given its bounds) to completion, bounded by
/// `deadline`. Generic, so that the job and its work are one allocation.
struct Once<F> {
    request: Request,
    deadline: Option<Instant>,
    work: F,
}

impl<F> Job for Once<F>
where
    F: FnOnce(Call<'_>) -> Result<Outcome, Error> + Send,
{
    fn run(self: Box<Self>) -> Option<(Duration, Box<dyn Job>)> {
        let Once { request, deadline, work } = *self;
        let call = Call { deadline, cancel: Some(request.token()) };
        if let Some(outcome) = guarded(&request, || work(call)) {
            request.complete(outcome);
        }
        None
    }

    fn abandon(self: Box<Self>, error: Error) {
        self.request.complete(Err(error));
    }
}

/// Starts `work` as `request` on `pool`, bounded and cancellable as `options` say (their
/// token cancels the request as `Request::cancel` does).
pub(crate) fn start_once<F>(pool: &Pool, request: Request, options: &CallOptions, work: F) -> Request
where
    F: FnOnce(Call<'_>) -> Result<Outcome, Error> + Send + 'static,
{
    let job = Once { request: request.clone(), deadline: options.deadline(), work };
    submit_with(pool, request, options, Box::new(job))
}

/// Submits the first job of `request`, linked first to the caller's cancel token: a
/// token cancelled already ends the request before its job can send anything.
pub(crate) fn submit_with(pool: &Pool, request: Request, options: &CallOptions, job: Box<dyn Job>) -> Request {
    if let Some(token) = &options.cancel {
        token.link(request.cancellable());
    }
    pool.submit(&request, job);
    request
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starting_requests_costs_constant_amortised_work() {
        // Miri runs this a thousand times slower; the bound is per start either way.
        let starts = if cfg!(miri) { 1_000 } else { 100_000 };
        let mut tracked = Tracked::default();
        let (mut visited, mut live) = (0, Vec::new());
        for n in 0..starts {
            let request = Request::new();
            if n % 10 == 0 {
                live.push(request.clone());
            } else {
                request.complete(Err(cancelled()));
            }
            visited += tracked.push(&request);
        }
        assert!(visited <= 3 * starts, "visited {visited} entries for {starts} starts");
        assert!(tracked.requests.len() <= 2 * live.len() + Tracked::MIN_PRUNE + 1);
    }
}
