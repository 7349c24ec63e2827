//! Non-blocking calls: work runs on a small pool of library threads, and the caller
//! gets a [`Request`] to poll, wait on, be called back by, or cancel.
//!
//! The pool is a time-ordered queue served by at most `worker_threads` threads, started
//! on first use. A wait is a series of one-poll jobs scheduled between polls, so a
//! thousand waits need no more threads than one. `Client::shutdown` cancels what is left
//! and joins the threads (`tv_client_free` does); otherwise they end once their client
//! is dropped and the queue is empty.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::cancel::{cancelled, Call, CancelToken};
use crate::client::Client;
use crate::create::CreateVideoParams;
use crate::download::{temp_path_for, DownloadProgress, DownloadSink};
use crate::error::Error;
use crate::model::Video;
use crate::wait::{Step, WaitOptions};

/// What a finished request produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// From get, create and wait.
    Video(Box<Video>),
    /// From a download: the bytes written.
    Downloaded(u64),
}

type Callback = Box<dyn FnOnce() + Send>;

/// A wait's progress callback, run on a library thread; `false` stops the wait.
pub type WaitProgressFn = Box<dyn FnMut(&Video) -> bool + Send>;

/// A download's progress callback, run on a library thread; `false` stops the download.
pub type DownloadProgressFn = Box<dyn FnMut(u64, Option<u64>) -> bool + Send>;

/// A call in flight. Cheap to clone; every clone sees the same request.
#[derive(Clone)]
pub struct Request {
    inner: Arc<RequestInner>,
}

struct RequestInner {
    cancel: CancelToken,
    state: Mutex<RequestState>,
    done: Condvar,
    gate: Gate,
}

/// Keeps the caller's progress and write callbacks from running once `cancel` returns:
/// each call enters the gate, and `cancel` waits for a call inside to leave.
#[derive(Default)]
struct Gate {
    /// The thread running a callback now, if any.
    running: Mutex<Option<std::thread::ThreadId>>,
    left: Condvar,
}

impl Gate {
    /// Runs `callback` unless the request is cancelled (then `None`).
    fn pass<T>(&self, token: &CancelToken, callback: impl FnOnce() -> T) -> Option<T> {
        struct Leave<'a>(&'a Gate);
        impl Drop for Leave<'_> {
            fn drop(&mut self) {
                *self.0.running.lock().unwrap_or_else(|e| e.into_inner()) = None;
                self.0.left.notify_all();
            }
        }
        {
            let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
            if token.is_cancelled() {
                return None;
            }
            *running = Some(std::thread::current().id());
        }
        let _leave = Leave(self);
        Some(callback())
    }

    /// Waits until no callback runs, unless it is this thread's own (a callback cancelling
    /// its request cannot wait for itself).
    fn drain(&self) {
        let me = std::thread::current().id();
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        while running.is_some_and(|thread| thread != me) {
            running = self.left.wait(running).unwrap_or_else(|e| e.into_inner());
        }
    }
}

#[derive(Default)]
struct RequestState {
    outcome: Option<Result<Outcome, Error>>,
    callback: Option<Callback>,
    /// Undoes what the job leaves behind when cancelled (a download's temporary file),
    /// so that nothing is left once `cancel` returns.
    cleanup: Option<Callback>,
}

impl Request {
    fn new() -> Request {
        Request {
            inner: Arc::new(RequestInner {
                cancel: CancelToken::new(),
                state: Mutex::new(RequestState::default()),
                done: Condvar::new(),
                gate: Gate::default(),
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, RequestState> {
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn is_done(&self) -> bool {
        self.state().outcome.is_some()
    }

    /// Blocks until done or until `timeout` passes (`None`: no limit). True when done.
    pub fn wait(&self, timeout: Option<Duration>) -> bool {
        let until = timeout.map(|timeout| Instant::now() + timeout);
        let mut state = self.state();
        while state.outcome.is_none() {
            match until {
                None => state = self.inner.done.wait(state).unwrap_or_else(|e| e.into_inner()),
                Some(until) => {
                    let left = until.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return false;
                    }
                    state = self.inner.done.wait_timeout(state, left).unwrap_or_else(|e| e.into_inner()).0;
                }
            }
        }
        true
    }

    /// The outcome once done.
    pub fn outcome(&self) -> Option<Result<Outcome, Error>> {
        self.state().outcome.clone()
    }

    /// Cancels the request and returns at once. A request not yet done is done from now
    /// on, with `Cancelled`; its network I/O is interrupted and its job discarded. Once
    /// this returns, no progress or write callback of the request runs again (a call
    /// already running is waited for, unless it is the caller).
    pub fn cancel(&self) {
        self.inner.cancel.cancel();
        self.inner.gate.drain();
        let cleanup = self.state().cleanup.take();
        if let Some(cleanup) = cleanup {
            cleanup();
        }
        self.complete(Err(cancelled()));
    }

    /// Wraps a wait's progress callback in this request's gate.
    fn gate_wait_progress(&self, mut progress: WaitProgressFn) -> WaitProgressFn {
        let request = self.clone();
        Box::new(move |video: &Video| request.inner.gate.pass(request.token(), || progress(video)).unwrap_or(false))
    }

    /// Wraps a download's progress callback in this request's gate.
    fn gate_download_progress(&self, mut progress: DownloadProgressFn) -> DownloadProgressFn {
        let request = self.clone();
        Box::new(move |done, total| request.inner.gate.pass(request.token(), || progress(done, total)).unwrap_or(false))
    }

    /// Runs `callback` once the request is done: on the thread that finishes it (a library
    /// thread, or the one calling `cancel`), or right here when it is done already.
    /// Replaces an earlier callback that has not run.
    pub fn on_complete(&self, callback: Callback) {
        let mut state = self.state();
        if state.outcome.is_none() {
            state.callback = Some(callback);
            return;
        }
        drop(state);
        callback();
    }

    /// Forgets a completion callback that has not run.
    pub fn on_complete_remove(&self) {
        self.state().callback = None;
    }

    /// Records the outcome unless there is one already, wakes waiters, runs the callback.
    fn complete(&self, outcome: Result<Outcome, Error>) {
        let callback = {
            let mut state = self.state();
            if state.outcome.is_some() {
                return;
            }
            state.outcome = Some(outcome);
            state.callback.take()
        };
        self.inner.done.notify_all();
        if let Some(callback) = callback {
            callback();
        }
    }

    fn token(&self) -> &CancelToken {
        &self.inner.cancel
    }
}

/// A unit of work: runs once and may ask to run again later.
trait Job: Send {
    fn run(self: Box<Self>) -> Option<(Duration, Box<dyn Job>)>;
}

struct Scheduled {
    due: Instant,
    sequence: u64,
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
pub(crate) struct Executor {
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
    threads: usize,
    idle: usize,
    /// No new threads; run what is queued at once (it is cancelled) and end.
    closing: bool,
    sequence: u64,
    handles: Vec<JoinHandle<()>>,
    /// Requests not yet done, for `shutdown` to cancel.
    requests: Vec<Weak<RequestInner>>,
}

impl Executor {
    pub(crate) fn new(max_threads: usize) -> Executor {
        Executor {
            shared: Arc::new(Shared { max_threads: max_threads.max(1), state: Mutex::default(), work: Condvar::new() }),
        }
    }

    fn schedule(&self, delay: Duration, job: Box<dyn Job>) {
        Shared::schedule(&self.shared, delay, job);
    }

    /// Queues the first job of `request`, remembering the request for `shutdown`. After
    /// `shutdown` the request ends at once with `Cancelled`.
    fn submit(&self, request: &Request, job: Box<dyn Job>) {
        {
            // Lock order: the pool, then a request; never the other way round.
            let mut state = self.shared.state.lock().unwrap_or_else(|e| e.into_inner());
            if !state.closing {
                state.requests.retain(|weak| weak.upgrade().is_some_and(|inner| !Request { inner }.is_done()));
                state.requests.push(Arc::downgrade(&request.inner));
                drop(state);
                self.schedule(Duration::ZERO, job);
                return;
            }
        }
        request.complete(Err(Error::new(crate::ErrorKind::Cancelled, "the client was shut down")));
    }

    /// Cancels every request not yet done and waits for the threads to end (except the
    /// calling thread, when it is one of them).
    fn shutdown(&self) {
        let (requests, handles) = {
            let mut state = self.shared.state.lock().unwrap_or_else(|e| e.into_inner());
            state.closing = true;
            (std::mem::take(&mut state.requests), std::mem::take(&mut state.handles))
        };
        for inner in requests.iter().filter_map(Weak::upgrade) {
            Request { inner }.cancel();
        }
        self.shared.work.notify_all();
        let me = std::thread::current().id();
        for handle in handles {
            if handle.thread().id() != me {
                let _ = handle.join();
            }
        }
    }
}

impl Drop for Executor {
    fn drop(&mut self) {
        self.shared.state.lock().unwrap_or_else(|e| e.into_inner()).closing = true;
        self.shared.work.notify_all();
    }
}

impl Shared {
    fn schedule(shared: &Arc<Shared>, delay: Duration, job: Box<dyn Job>) {
        let mut state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
        state.sequence += 1;
        let sequence = state.sequence;
        state.queue.push(Scheduled { due: Instant::now() + delay, sequence, job });
        if state.idle == 0 && state.threads < shared.max_threads && !state.closing {
            let worker = Arc::clone(shared);
            let name = format!("together-video-{}", state.threads + 1);
            if let Ok(handle) = std::thread::Builder::new().name(name).spawn(move || worker.serve()) {
                state.threads += 1;
                state.handles.push(handle);
            }
        }
        drop(state);
        shared.work.notify_one();
    }

    fn serve(self: Arc<Shared>) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let now = Instant::now();
            match state.queue.peek().map(|next| next.due) {
                Some(due) if due <= now || state.closing => {
                    let job = state.queue.pop().expect("peeked").job;
                    drop(state);
                    // A job never unwinds (each catches its own panics), so this thread lives on.
                    if let Some((delay, again)) = job.run() {
                        Shared::schedule(&self, delay, again);
                    }
                    state = self.state.lock().unwrap_or_else(|e| e.into_inner());
                }
                next => {
                    if state.closing && next.is_none() {
                        state.threads -= 1;
                        return;
                    }
                    state.idle += 1;
                    state = match next {
                        Some(due) => self.work.wait_timeout(state, due - now).unwrap_or_else(|e| e.into_inner()).0,
                        None => self.work.wait(state).unwrap_or_else(|e| e.into_inner()),
                    };
                    state.idle -= 1;
                }
            }
        }
    }
}

/// Runs `work` for `request` unless it was cancelled, catching a panic as `Internal`.
fn guarded<T>(request: &Request, work: impl FnOnce() -> T) -> Option<T> {
    if request.token().is_cancelled() {
        return None;
    }
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
        Ok(value) => Some(value),
        Err(_) => {
            request.complete(Err(Error::new(crate::ErrorKind::Internal, "internal error: a request panicked")));
            None
        }
    }
}

/// A job that runs one call to completion.
struct Once<F: FnOnce(Call<'_>) -> Result<Outcome, Error> + Send> {
    request: Request,
    work: F,
}

impl<F: FnOnce(Call<'_>) -> Result<Outcome, Error> + Send> Job for Once<F> {
    fn run(self: Box<Self>) -> Option<(Duration, Box<dyn Job>)> {
        let Once { request, work } = *self;
        let call = Call { deadline: None, cancel: Some(request.token()) };
        if let Some(outcome) = guarded(&request, || work(call)) {
            request.complete(outcome);
        }
        None
    }
}

/// A wait, one poll per run.
struct Wait {
    request: Request,
    client: Arc<Client>,
    id: String,
    options: WaitOptions,
    progress: Option<WaitProgressFn>,
}

impl Job for Wait {
    fn run(mut self: Box<Self>) -> Option<(Duration, Box<dyn Job>)> {
        let step = guarded(&self.request, || {
            self.client.wait_step(&self.id, &self.options, Some(self.request.token()), self.progress.as_deref_mut())
        })?;
        match step {
            Step::Done(outcome) => {
                self.request.complete((*outcome).map(|video| Outcome::Video(Box::new(video))));
                None
            }
            // Past the deadline, the next poll fails at once with `Timeout`.
            Step::Again(delay) => {
                let left = self.options.deadline.map_or(delay, |d| d.saturating_duration_since(Instant::now()));
                Some((delay.min(left), self))
            }
        }
    }
}

impl Client {
    fn executor(&self) -> &Executor {
        self.executor.get_or_init(|| Executor::new(self.worker_threads))
    }

    /// Cancels this client's non-blocking requests that are not done (they end with
    /// `Cancelled`; their handles stay valid) and waits for its library threads to end.
    /// Final: non-blocking calls started afterwards end at once with `Cancelled`.
    /// Do not call it from a callback of a request (that thread cannot wait for itself).
    pub fn shutdown(&self) {
        self.executor().shutdown();
    }

    fn start(
        self: &Arc<Client>,
        work: impl FnOnce(&Client, Call<'_>) -> Result<Outcome, Error> + Send + 'static,
    ) -> Request {
        self.start_with(Request::new(), work)
    }

    fn start_with(
        self: &Arc<Client>,
        request: Request,
        work: impl FnOnce(&Client, Call<'_>) -> Result<Outcome, Error> + Send + 'static,
    ) -> Request {
        let client = Arc::clone(self);
        let job = Once { request: request.clone(), work: move |call: Call<'_>| work(&client, call) };
        self.executor().submit(&request, Box::new(job));
        request
    }

    /// [`Client::get_video`] on a library thread.
    pub fn get_video_start(self: &Arc<Client>, id: &str) -> Request {
        let id = id.to_owned();
        self.start(move |client, call| client.get_video_with(&id, call).map(|video| Outcome::Video(Box::new(video))))
    }

    /// [`Client::create_video`] on a library thread.
    pub fn create_video_start(self: &Arc<Client>, params: CreateVideoParams) -> Request {
        self.start(move |client, call| client.create_video(&params, call).map(|video| Outcome::Video(Box::new(video))))
    }

    /// [`Client::create_video_json`] on a library thread.
    pub fn create_video_json_start(self: &Arc<Client>, body: String) -> Request {
        self.start(move |client, call| {
            client.create_video_json(&body, call).map(|video| Outcome::Video(Box::new(video)))
        })
    }

    /// [`Client::wait_video`] as polls scheduled on the library's threads; `progress` runs
    /// on those threads.
    pub fn wait_video_start(
        self: &Arc<Client>,
        id: &str,
        options: WaitOptions,
        progress: Option<WaitProgressFn>,
    ) -> Request {
        let request = Request::new();
        let progress = progress.map(|progress| request.gate_wait_progress(progress));
        let wait = Wait { request: request.clone(), client: Arc::clone(self), id: id.to_owned(), options, progress };
        self.executor().submit(&request, Box::new(wait));
        request
    }

    /// [`Client::download_to_path`] on a library thread.
    pub fn download_to_path_start(
        self: &Arc<Client>,
        video: Video,
        path: PathBuf,
        progress: Option<DownloadProgressFn>,
    ) -> Request {
        let request = Request::new();
        let mut progress = progress.map(|progress| request.gate_download_progress(progress));
        let temp = match temp_path_for(&path) {
            Ok(temp) => temp,
            Err(error) => {
                request.complete(Err(error));
                return request;
            }
        };
        let removable = temp.clone();
        request.state().cleanup = Some(Box::new(move || {
            let _ = std::fs::remove_file(removable);
        }));
        self.start_with(request, move |client, call| {
            let progress = progress.as_mut().map(|p| &mut **p as DownloadProgress<'_>);
            client.download_via_temp(&video, &temp, &path, progress, call).map(Outcome::Downloaded)
        })
    }

    /// [`Client::download_to_sink`] on a library thread; the sink is written from there.
    pub fn download_to_sink_start(
        self: &Arc<Client>,
        video: Video,
        sink: Box<dyn DownloadSink + Send>,
        progress: Option<DownloadProgressFn>,
    ) -> Request {
        let request = Request::new();
        let mut progress = progress.map(|progress| request.gate_download_progress(progress));
        let mut sink = GatedSink { sink, request: request.clone() };
        self.start_with(request, move |client, call| {
            let progress = progress.as_mut().map(|p| &mut **p as DownloadProgress<'_>);
            client.download_to_sink(&video, &mut sink, progress, call).map(Outcome::Downloaded)
        })
    }
}

/// A caller's sink behind its request's gate: no write once the request is cancelled.
struct GatedSink {
    sink: Box<dyn DownloadSink + Send>,
    request: Request,
}

impl DownloadSink for GatedSink {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let (gate, token) = (&self.request.inner.gate, self.request.token());
        gate.pass(token, || self.sink.write(bytes)).unwrap_or_else(|| Err(cancelled()))
    }

    fn restart(&mut self) -> Result<bool, Error> {
        self.sink.restart()
    }
}
