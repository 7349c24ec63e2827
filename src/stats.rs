//! A client's counters: relaxed atomic additions on the paths they count, read whole by
//! [`Stats::snapshot`] (cheap enough for every frame of a game loop).

use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::ErrorKind;

/// How many error kinds there are: `Snapshot::errors` has one slot per kind, in
/// [`ErrorKind::index`] order.
pub const ERROR_KINDS: usize = 17;

/// Why a request was tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryReason {
    /// HTTP 429.
    RateLimited,
    /// HTTP 408, 409 or 5xx (or a status the server marked with `x-should-retry`).
    Server,
    /// The connection failed or broke.
    Connection,
    /// The attempt timed out.
    Timeout,
}

impl RetryReason {
    pub fn name(self) -> &'static str {
        match self {
            RetryReason::RateLimited => "rate limited",
            RetryReason::Server => "server error",
            RetryReason::Connection => "connection",
            RetryReason::Timeout => "timeout",
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Stats {
    requests: AtomicU64,
    attempts: AtomicU64,
    retries: [AtomicU64; 4],
    responses: [AtomicU64; 5],
    bytes_sent: AtomicU64,
    bytes_received: AtomicU64,
    connections_opened: AtomicU64,
    connections_reused: AtomicU64,
    in_flight: AtomicU64,
    errors: [AtomicU64; ERROR_KINDS],
}

/// The counters at one moment (each read on its own: a snapshot taken while requests run
/// may be a few increments apart between fields).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// HTTP requests started: API calls and download transfers, not counting retries.
    pub requests: u64,
    /// HTTP attempts: requests and their retries and resumes.
    pub attempts: u64,
    pub retries_rate_limited: u64,
    pub retries_server: u64,
    pub retries_connection: u64,
    pub retries_timeout: u64,
    /// Responses by status class: 1xx, 2xx, 3xx, 4xx, 5xx.
    pub responses: [u64; 5],
    /// Bytes written to and read from the connections the library opened (TLS records
    /// included); traffic through an HTTP proxy's tunnel is not counted.
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub connections_opened: u64,
    /// Requests that went out on a pooled connection.
    pub connections_reused: u64,
    /// HTTP requests running now.
    pub requests_in_flight: u64,
    /// Calls that ended with each error kind, in [`ErrorKind::index`] order.
    pub errors: [u64; ERROR_KINDS],
}

fn add(counter: &AtomicU64, n: u64) {
    counter.fetch_add(n, Ordering::Relaxed);
}

impl Stats {
    /// An HTTP request begins; the guard counts it as running until dropped.
    pub(crate) fn request(&self) -> InFlight<'_> {
        add(&self.requests, 1);
        add(&self.in_flight, 1);
        InFlight(self)
    }

    pub(crate) fn attempt(&self) {
        add(&self.attempts, 1);
    }

    pub(crate) fn retry(&self, reason: RetryReason) {
        add(&self.retries[reason as usize], 1);
    }

    pub(crate) fn response(&self, status: u16) {
        if let Some(class) = (status / 100).checked_sub(1).filter(|class| *class < 5) {
            add(&self.responses[class as usize], 1);
        }
    }

    pub(crate) fn sent(&self, bytes: usize) {
        add(&self.bytes_sent, bytes as u64);
    }

    pub(crate) fn received(&self, bytes: usize) {
        add(&self.bytes_received, bytes as u64);
    }

    pub(crate) fn connection_opened(&self) {
        add(&self.connections_opened, 1);
    }

    pub(crate) fn connection_reused(&self) {
        add(&self.connections_reused, 1);
    }

    /// A call ended with `kind`.
    pub(crate) fn error(&self, kind: ErrorKind) {
        add(&self.errors[kind.index()], 1);
    }

    pub(crate) fn snapshot(&self) -> Snapshot {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        Snapshot {
            requests: read(&self.requests),
            attempts: read(&self.attempts),
            retries_rate_limited: read(&self.retries[RetryReason::RateLimited as usize]),
            retries_server: read(&self.retries[RetryReason::Server as usize]),
            retries_connection: read(&self.retries[RetryReason::Connection as usize]),
            retries_timeout: read(&self.retries[RetryReason::Timeout as usize]),
            responses: std::array::from_fn(|class| read(&self.responses[class])),
            bytes_sent: read(&self.bytes_sent),
            bytes_received: read(&self.bytes_received),
            connections_opened: read(&self.connections_opened),
            connections_reused: read(&self.connections_reused),
            requests_in_flight: read(&self.in_flight),
            errors: std::array::from_fn(|kind| read(&self.errors[kind])),
        }
    }
}

/// An HTTP request running: counted in `requests_in_flight` until dropped.
pub(crate) struct InFlight<'a>(&'a Stats);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}
