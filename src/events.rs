//! One event queue per client, for game loops and UI threads: the non-blocking requests
//! started with an event tag report there (a job's status changed, a download moved
//! on, the request is done), so one loop drains every job of a frame instead of polling
//! each handle.
//!
//! Bounded without losing anything that matters: each request has at most one pending
//! event of each kind. A newer status or download progress of a request whose event of
//! that kind is still in the queue updates that event in place (the latest values; its
//! `coalesced` count says how many it stands for), so the queue holds at most three
//! events per request in flight, however slowly it is drained. A request's events come
//! out in the order they happened, its done event last; done events are never merged.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::error::ErrorKind;
use crate::model::{Video, VideoStatus};

/// What an event reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueuedEventKind {
    /// A wait saw the job's status change (its first poll counts as a change).
    StatusChanged,
    /// A download received more bytes.
    DownloadProgress,
    /// The request is done: read its result from its handle.
    Done,
}

/// One event of the client's queue.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuedEvent {
    pub kind: QueuedEventKind,
    /// The caller's tag of the request (`CallOptions::event_tag`).
    pub tag: u64,
    /// The job's id and status (status changes).
    pub job_id: Option<String>,
    pub status: Option<VideoStatus>,
    pub status_raw: Option<String>,
    /// Bytes received so far, and the size when known (download progress).
    pub received: u64,
    pub total: Option<u64>,
    /// How the request ended (done): `None` for success.
    pub error: Option<ErrorKind>,
    /// How many updates this event stands for (1 unless it was updated in place).
    pub coalesced: u32,
}

/// A client's queue.
#[derive(Debug, Default)]
pub(crate) struct EventQueue {
    state: Mutex<QueueState>,
    ready: Condvar,
    next_request: AtomicU64,
}

#[derive(Debug, Default)]
struct QueueState {
    events: VecDeque<QueuedEvent>,
    /// The sequence number of `events[0]`.
    first: u64,
    /// Where each request's pending event of a kind is: its sequence number.
    pending: HashMap<(u64, QueuedEventKind), u64>,
    /// The request each queued event belongs to, by sequence number.
    owners: VecDeque<u64>,
}

impl EventQueue {
    /// A new request's way into the queue.
    pub(crate) fn subscribe(self: &Arc<EventQueue>, tag: u64) -> Subscription {
        let request = self.next_request.fetch_add(1, Ordering::Relaxed);
        Subscription {
            queue: Arc::clone(self),
            request,
            tag,
            last_status: Mutex::new(None),
            done: AtomicBool::new(false),
        }
    }

    /// Queues `event` of `request` unless `finished` (checked under the queue's lock, so
    /// that a done event and a racing progress report are ordered) says it is too late.
    fn push_unless(&self, request: u64, event: QueuedEvent, finished: impl FnOnce() -> bool) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if finished() {
            return;
        }
        let key = (request, event.kind);
        if event.kind != QueuedEventKind::Done {
            if let Some(&sequence) = state.pending.get(&key) {
                let index = (sequence - state.first) as usize;
                let pending = &mut state.events[index];
                let coalesced = pending.coalesced + 1;
                *pending = QueuedEvent { coalesced, ..event };
                return;
            }
        }
        let sequence = state.first + state.events.len() as u64;
        state.events.push_back(event);
        state.owners.push_back(request);
        state.pending.insert(key, sequence);
        drop(state);
        self.ready.notify_one();
    }

    /// The next event, waiting up to `timeout` for one (`None`: as long as it takes).
    pub(crate) fn next(&self, timeout: Option<Duration>) -> Option<QueuedEvent> {
        let deadline = timeout.map(|timeout| Instant::now() + timeout);
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(event) = state.events.pop_front() {
                let request = state.owners.pop_front().expect("one owner per event");
                let sequence = state.first;
                state.first += 1;
                if state.pending.get(&(request, event.kind)) == Some(&sequence) {
                    state.pending.remove(&(request, event.kind));
                }
                return Some(event);
            }
            state = match deadline {
                None => self.ready.wait(state).unwrap_or_else(|e| e.into_inner()),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return None;
                    }
                    self.ready.wait_timeout(state, left).unwrap_or_else(|e| e.into_inner()).0
                }
            };
        }
    }

    /// How many events wait to be taken.
    pub(crate) fn len(&self) -> usize {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).events.len()
    }
}

/// One request's way into its client's queue.
#[derive(Debug)]
pub(crate) struct Subscription {
    queue: Arc<EventQueue>,
    request: u64,
    tag: u64,
    last_status: Mutex<Option<String>>,
    /// Its done event is queued: nothing of it may follow (a poll or a progress report
    /// racing a cancel would come after it, and the tag may already name freed memory).
    done: AtomicBool,
}

impl Subscription {
    fn event(&self, kind: QueuedEventKind) -> QueuedEvent {
        QueuedEvent {
            kind,
            tag: self.tag,
            job_id: None,
            status: None,
            status_raw: None,
            received: 0,
            total: None,
            error: None,
            coalesced: 1,
        }
    }

    /// Queues `event` unless the request's done event is queued already.
    fn push(&self, event: QueuedEvent) {
        let done = event.kind == QueuedEventKind::Done;
        self.queue.push_unless(self.request, event, || match done {
            true => self.done.swap(true, Ordering::SeqCst),
            false => self.done.load(Ordering::SeqCst),
        });
    }

    /// A wait polled `video`: an event when its status is not the last one seen.
    pub(crate) fn polled(&self, video: &Video) {
        let mut last = self.last_status.lock().unwrap_or_else(|e| e.into_inner());
        if last.as_deref() == Some(video.status_raw.as_str()) {
            return;
        }
        *last = Some(video.status_raw.clone());
        drop(last);
        let mut event = self.event(QueuedEventKind::StatusChanged);
        event.job_id = Some(video.id.clone());
        event.status = Some(video.status);
        event.status_raw = Some(video.status_raw.clone());
        self.push(event);
    }

    /// A download has `received` bytes of `total`.
    pub(crate) fn downloaded(&self, received: u64, total: Option<u64>) {
        let mut event = self.event(QueuedEventKind::DownloadProgress);
        event.received = received;
        event.total = total;
        self.push(event);
    }

    /// The request is done, with `error` or success.
    pub(crate) fn done(&self, error: Option<ErrorKind>) {
        let mut event = self.event(QueuedEventKind::Done);
        event.error = error;
        self.push(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn video(status: &str) -> Video {
        Video::from_json(format!(r#"{{"id":"v","status":"{status}"}}"#).into_bytes()).unwrap()
    }

    #[test]
    fn a_slow_reader_gets_the_latest_of_each_kind_and_every_done() {
        let queue = Arc::new(EventQueue::default());
        let (a, b) = (queue.subscribe(1), queue.subscribe(2));
        a.polled(&video("queued"));
        a.polled(&video("queued")); // no change: no event
        b.downloaded(10, Some(100));
        a.polled(&video("in_progress"));
        b.downloaded(50, Some(100));
        b.downloaded(100, Some(100));
        b.done(None);
        a.polled(&video("completed"));
        a.done(Some(ErrorKind::Timeout));
        assert_eq!(queue.len(), 4, "one status and one done for a, one progress and one done for b");
        let first = queue.next(Some(Duration::ZERO)).unwrap();
        assert_eq!(
            (first.tag, first.kind, first.status_raw.as_deref(), first.coalesced),
            (1, QueuedEventKind::StatusChanged, Some("completed"), 3)
        );
        let second = queue.next(Some(Duration::ZERO)).unwrap();
        assert_eq!((second.tag, second.received, second.coalesced), (2, 100, 3));
        assert_eq!(queue.next(Some(Duration::ZERO)).unwrap().kind, QueuedEventKind::Done);
        let last = queue.next(Some(Duration::ZERO)).unwrap();
        assert_eq!((last.tag, last.kind, last.error), (1, QueuedEventKind::Done, Some(ErrorKind::Timeout)));
        assert!(queue.next(Some(Duration::ZERO)).is_none());
        // Nothing of a request follows its done event.
        a.polled(&video("failed"));
        b.downloaded(1, None);
        b.downloaded(2, None);
        assert!(queue.next(Some(Duration::ZERO)).is_none());
        // Once taken, a newer status is a new event.
        let c = queue.subscribe(3);
        c.polled(&video("queued"));
        queue.next(Some(Duration::ZERO)).unwrap();
        c.polled(&video("in_progress"));
        assert_eq!(queue.next(Some(Duration::ZERO)).unwrap().coalesced, 1);
    }

    #[test]
    fn a_blocking_reader_wakes_for_an_event() {
        let queue = Arc::new(EventQueue::default());
        let subscription = queue.subscribe(7);
        let writer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            subscription.done(None);
        });
        assert_eq!(queue.next(None).unwrap().tag, 7);
        writer.join().unwrap();
    }
}
