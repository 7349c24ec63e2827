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
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::cancel::{cancelled, Call};
use crate::client::Client;
use crate::create::CreateVideoParams;
use crate::download::{video_url, DownloadProgress, DownloadSink, TempFile};
use crate::error::{Error, ErrorKind};
use crate::model::Video;
use crate::request::{inside_callback, Outcome, Request, WeakRequest};
use crate::wait::{Step, WaitOptions};

/// A wait's progress callback, run on a library thread; `false` stops the wait.
pub type WaitProgressFn = Box<dyn FnMut(&Video) -> bool + Send>;

/// A download's progress callback, run on a library thread; `false` stops the download.
pub type DownloadProgressFn = Box<dyn FnMut(u64, Option<u64>) -> bool + Send>;

/// A unit of work: runs once and may ask to run again later.
trait Job: Send {
    fn run(self: Box<Self>) -> Option<(Duration, Box<dyn Job>)>;
    /// Ends the job's request with `error`, when no thread can run the job.
    fn abandon(self: Box<Self>, error: Error);
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

impl Executor {
    pub(crate) fn new(max_threads: usize) -> Executor {
        Executor {
            shared: Arc::new(Shared { max_threads: max_threads.max(1), state: Mutex::default(), work: Condvar::new() }),
        }
    }

    /// Queues the first job of `request`, remembering the request for `shutdown`. After
    /// `shutdown` the request ends at once with `Cancelled`.
    fn submit(&self, request: &Request, job: Box<dyn Job>) {
        {
            // Lock order: the pool, then a request; never the other way round.
            let mut state = self.shared.state.lock().unwrap_or_else(|e| e.into_inner());
            if !state.closing {
                state.requests.push(request);
                drop(state);
                Shared::schedule(&self.shared, Duration::ZERO, job);
                return;
            }
        }
        request.complete(Err(Error::new(ErrorKind::Cancelled, "the client was shut down")));
    }

    /// Cancels every request not yet done and waits for the threads to end (except the
    /// calling thread, when it is one of them). From inside a callback it does not wait
    /// for the threads, which end by themselves once their queue is empty: one of them
    /// may be waiting for the callback this thread is running.
    fn shutdown(&self) {
        let (requests, handles) = {
            let mut state = self.shared.state.lock().unwrap_or_else(|e| e.into_inner());
            state.closing = true;
            (state.requests.take(), std::mem::take(&mut state.handles))
        };
        for request in requests.iter().filter_map(WeakRequest::upgrade) {
            request.cancel();
        }
        self.shared.work.notify_all();
        if inside_callback() {
            return;
        }
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
    /// Queues `job`, starting a thread for it when none is idle. If the system refuses
    /// a thread while the pool has none, nothing could ever run the queue: its jobs end
    /// with the error instead of staying pending for ever.
    fn schedule(shared: &Arc<Shared>, delay: Duration, job: Box<dyn Job>) {
        let mut state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
        state.sequence += 1;
        let sequence = state.sequence;
        state.queue.push(Scheduled { due: Instant::now() + delay, sequence, job });
        if state.idle == 0 && state.threads < shared.max_threads && !state.closing {
            let worker = Arc::clone(shared);
            let name = format!("together-video-{}", state.threads + 1);
            match std::thread::Builder::new().name(name).spawn(move || worker.serve()) {
                Ok(handle) => {
                    state.threads += 1;
                    state.handles.push(handle);
                }
                Err(error) if state.threads == 0 => {
                    let stranded = std::mem::take(&mut state.queue);
                    drop(state);
                    let error = Error::new(
                        ErrorKind::Internal,
                        format!("the system refused to start a library thread: {error}"),
                    );
                    for scheduled in stranded {
                        scheduled.job.abandon(error.clone());
                    }
                    return;
                }
                // A running thread will get to the job.
                Err(_) => {}
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
            request.complete(Err(Error::new(ErrorKind::Internal, "internal error: a request panicked")));
            None
        }
    }
}

/// The work of a one-shot request: given the client, the call's bounds and the request
/// itself (for downloads, which commit their file through it).
type Work = Box<dyn FnOnce(&Client, Call<'_>, &Request) -> Result<Outcome, Error> + Send>;

/// A job that runs one call to completion.
struct Once {
    request: Request,
    client: Arc<Client>,
    deadline: Option<Instant>,
    work: Work,
}

impl Job for Once {
    fn run(self: Box<Self>) -> Option<(Duration, Box<dyn Job>)> {
        let Once { request, client, deadline, work } = *self;
        let call = Call { deadline, cancel: Some(request.token()) };
        if let Some(outcome) = guarded(&request, || work(&client, call, &request)) {
            request.complete(outcome);
        }
        None
    }

    fn abandon(self: Box<Self>, error: Error) {
        self.request.complete(Err(error));
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

    fn abandon(self: Box<Self>, error: Error) {
        self.request.complete(Err(error));
    }
}

impl Client {
    fn executor(&self) -> &Executor {
        self.executor.get_or_init(|| Executor::new(self.worker_threads))
    }

    /// Cancels this client's non-blocking requests that are not done (they end with
    /// `Cancelled`; their handles stay valid) and waits for its library threads to end.
    /// Final: non-blocking calls started afterwards end at once with `Cancelled`.
    /// From inside a callback of a request it does not wait for the threads.
    pub fn shutdown(&self) {
        self.executor().shutdown();
    }

    fn start(
        self: &Arc<Client>,
        request: Request,
        deadline: Option<Instant>,
        work: impl FnOnce(&Client, Call<'_>, &Request) -> Result<Outcome, Error> + Send + 'static,
    ) -> Request {
        let job = Once { request: request.clone(), client: Arc::clone(self), deadline, work: Box::new(work) };
        self.executor().submit(&request, Box::new(job));
        request
    }

    /// [`Client::get_video`] on a library thread.
    pub fn get_video_start(self: &Arc<Client>, id: &str) -> Request {
        let id = id.to_owned();
        self.start(Request::new(), None, move |client, call, _| {
            client.get_video_with(&id, call).map(|video| Outcome::Video(Box::new(video)))
        })
    }

    /// [`Client::create_video`] on a library thread.
    pub fn create_video_start(self: &Arc<Client>, params: CreateVideoParams) -> Request {
        self.start(Request::new(), None, move |client, call, _| {
            client.create_video(&params, call).map(|video| Outcome::Video(Box::new(video)))
        })
    }

    /// [`Client::create_video_json`] on a library thread.
    pub fn create_video_json_start(self: &Arc<Client>, body: String) -> Request {
        self.start(Request::new(), None, move |client, call, _| {
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
        let progress = progress.map(|mut progress| {
            let request = request.clone();
            Box::new(move |video: &Video| request.pass(|| progress(video)).unwrap_or(false)) as WaitProgressFn
        });
        let wait = Wait { request: request.clone(), client: Arc::clone(self), id: id.to_owned(), options, progress };
        self.executor().submit(&request, Box::new(wait));
        request
    }

    /// [`Client::download_to_path`] on a library thread, bounded by `deadline`. The file
    /// is renamed into place only if the request ends with it: cancelling leaves neither
    /// the file nor its temporary file, and a request done with `Ok` has its file.
    pub fn download_to_path_start(
        self: &Arc<Client>,
        video: Video,
        path: PathBuf,
        deadline: Option<Instant>,
        progress: Option<DownloadProgressFn>,
    ) -> Request {
        let request = Request::new();
        let mut progress = gate_download_progress(&request, progress);
        self.start(request, deadline, move |client, call, request| {
            let url = video_url(&video)?;
            let mut file = request.unless_cancelled(
                || TempFile::create(&path),
                |file| {
                    let temp = file.temp_path().to_owned();
                    Box::new(move || {
                        let _ = std::fs::remove_file(temp);
                    })
                },
            )?;
            let progress = progress.as_mut().map(|p| &mut **p as DownloadProgress<'_>);
            let written = client.download_url(url, &mut file, progress, call)?;
            file.sync()?;
            let outcome = Outcome::Downloaded(written);
            request.complete_with(|| file.persist().map(|()| outcome.clone()));
            Ok(outcome)
        })
    }

    /// [`Client::download_to_sink`] on a library thread, bounded by `deadline`; the sink
    /// is written from there.
    pub fn download_to_sink_start(
        self: &Arc<Client>,
        video: Video,
        sink: Box<dyn DownloadSink + Send>,
        deadline: Option<Instant>,
        progress: Option<DownloadProgressFn>,
    ) -> Request {
        let request = Request::new();
        let mut progress = gate_download_progress(&request, progress);
        let mut sink = GatedSink { sink, request: request.clone() };
        self.start(request, deadline, move |client, call, _| {
            let progress = progress.as_mut().map(|p| &mut **p as DownloadProgress<'_>);
            client.download_to_sink(&video, &mut sink, progress, call).map(Outcome::Downloaded)
        })
    }
}

/// A download's progress callback behind its request's gate.
fn gate_download_progress(request: &Request, progress: Option<DownloadProgressFn>) -> Option<DownloadProgressFn> {
    progress.map(|mut progress| {
        let request = request.clone();
        Box::new(move |done, total| request.pass(|| progress(done, total)).unwrap_or(false)) as DownloadProgressFn
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starting_requests_costs_constant_amortised_work() {
        let mut tracked = Tracked::default();
        let (mut visited, mut live) = (0, Vec::new());
        for n in 0..100_000 {
            let request = Request::new();
            if n % 10 == 0 {
                live.push(request.clone());
            } else {
                request.complete(Err(cancelled()));
            }
            visited += tracked.push(&request);
        }
        assert!(visited <= 3 * 100_000, "visited {visited} entries for 100 000 starts");
        assert!(tracked.requests.len() <= 2 * live.len() + Tracked::MIN_PRUNE + 1);
    }
}
