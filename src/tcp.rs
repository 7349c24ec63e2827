//! TCP for ureq with fewer system calls per request.
//!
//! ureq's own transport sets the socket's timeouts whenever the remaining budget changes
//! (every request, since each gets a fresh deadline) and checks a pooled connection with
//! three calls (blocking off, read, blocking on), twice per request: about ten system
//! calls per request on a warm connection, against libcurl's five. This transport keeps
//! a socket timeout as long as it cannot overshoot the deadline by more than
//! [`TIMEOUT_SLACK`], retrying a read or write that times out early, and checks a pooled
//! connection with a single non-blocking peek, once per use: ureq checks a connection when
//! it returns to the pool and again when it is taken out, and only the second check can
//! see something the first could not (see [`TcpTransport::is_open`]). A warm request then
//! costs a peek, a send and a receive.
//!
//! Cancelling shuts the socket down (ureq's `ShutdownHandle`), which wakes a read or write
//! blocked on it at once on Linux and macOS. Windows does not wake a `recv` already blocked
//! in another thread that way, and a Winsock socket whose timeout fired is in an
//! indeterminate state, so there the socket is non-blocking instead: a read or write that
//! would block sleeps a little (up to [`WAKE_SLICE`]), then looks at the shutdown flag and
//! the deadline, and tries again.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, ShutdownHandle, Transport,
};
use ureq::Error;

use crate::stats::Stats;

/// How far a blocked read or write may run past its deadline, at most. Keeping a socket
/// timeout within this of the budget saves a system call per request.
#[cfg_attr(windows, allow(dead_code))] // Windows waits without socket timeouts.
pub const TIMEOUT_SLACK: Duration = Duration::from_millis(250);

/// How long a waiting read or write may go without looking at the shutdown flag, where
/// shutting a socket down does not wake it (Windows).
#[cfg(windows)]
const WAKE_SLICE: Duration = Duration::from_millis(100);
/// The first pause of a waiting read or write on Windows; each next one doubles.
#[cfg(windows)]
const FIRST_PAUSE: Duration = Duration::from_micros(50);

/// Opens plain TCP connections (TLS and proxies chain around it as with ureq's own),
/// counting them and the bytes they carry in the client's stats.
#[derive(Debug)]
pub struct TcpConnector {
    stats: Arc<Stats>,
}

impl TcpConnector {
    pub fn new(stats: Arc<Stats>) -> TcpConnector {
        TcpConnector { stats }
    }
}

impl<In: Transport> Connector<In> for TcpConnector {
    type Out = Either<In, TcpTransport>;

    fn connect(&self, details: &ConnectionDetails, chained: Option<In>) -> Result<Option<Self::Out>, Error> {
        self.stats.connection_opened();
        if chained.is_some() {
            // A proxy connector earlier in the chain already made the connection.
            return Ok(chained.map(Either::A));
        }
        let stream = connect(details)?;
        stream.set_nodelay(details.config.no_delay())?;
        #[cfg(windows)]
        stream.set_nonblocking(true)?;
        let buffers = LazyBuffers::new(details.config.input_buffer_size(), details.config.output_buffer_size());
        let transport = TcpTransport {
            socket: Arc::new(Socket { stream, shut_down: AtomicBool::new(false) }),
            buffers,
            read_timeout: None,
            write_timeout: None,
            used_since_check: false,
            stats: Arc::clone(&self.stats),
        };
        (details.register_shutdown)(Arc::downgrade(&transport.socket) as Weak<dyn ShutdownHandle>)?;
        Ok(Some(Either::B(transport)))
    }
}

/// Tries each resolved address in turn, sharing the connect budget between them.
fn connect(details: &ConnectionDetails) -> Result<TcpStream, Error> {
    let addrs: Vec<_> = details.addrs.iter().copied().collect();
    let deadline = deadline(&details.timeout);
    let mut last = None;
    for (index, addr) in addrs.iter().enumerate() {
        let result = match deadline {
            None => TcpStream::connect(addr),
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                let share = (left / (addrs.len() - index) as u32).max(Duration::from_millis(10));
                TcpStream::connect_timeout(addr, share)
            }
        };
        match result {
            Ok(stream) => return Ok(stream),
            Err(e) => last = Some(e),
        }
    }
    match last {
        Some(e) if matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) => {
            Err(Error::Timeout(details.timeout.reason))
        }
        Some(e) => Err(Error::Io(e)),
        None => Err(Error::ConnectionFailed),
    }
}

/// When a budget runs out; `None` when it never does.
fn deadline(timeout: &NextTimeout) -> Option<Instant> {
    (!timeout.after.is_not_happening()).then(|| Instant::now() + *timeout.after)
}

/// A connected socket, and whether a cancel has shut it down.
struct Socket {
    stream: TcpStream,
    shut_down: AtomicBool,
}

impl ShutdownHandle for Socket {
    fn shutdown(&self) {
        self.shut_down.store(true, Ordering::SeqCst);
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}

impl Socket {
    /// The error a read or write gets once the socket was shut down.
    fn check(&self) -> Result<(), Error> {
        if self.shut_down.load(Ordering::SeqCst) {
            return Err(Error::Io(io::ErrorKind::ConnectionAborted.into()));
        }
        Ok(())
    }
}

/// A TCP connection; blocking I/O bounded by socket timeouts.
pub struct TcpTransport {
    socket: Arc<Socket>,
    buffers: LazyBuffers,
    /// The socket timeouts as last set (`None`: none, reads may block for ever).
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
    /// Reads or writes happened since the last liveness check.
    used_since_check: bool,
    stats: Arc<Stats>,
}

impl std::fmt::Debug for TcpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpTransport").field("peer", &self.socket.stream.peer_addr().ok()).finish()
    }
}

/// Sets a socket timeout only when the current one could overshoot `left` by more than
/// the slack, or there is none while there must be one.
#[cfg_attr(windows, allow(dead_code))] // Windows waits without socket timeouts.
fn bound(
    current: &mut Option<Duration>,
    left: Option<Duration>,
    set: impl FnOnce(Option<Duration>) -> io::Result<()>,
) -> io::Result<()> {
    let keep = match (*current, left) {
        // No budget: whatever timeout is set only wakes a read to go round again.
        (_, None) => true,
        // Not so long that it overshoots, nor so short (left from a read near its deadline,
        // on a pooled connection) that a blocked read keeps waking for nothing.
        (Some(now), Some(left)) => now <= left + TIMEOUT_SLACK && now >= left.min(TIMEOUT_SLACK),
        (None, Some(_)) => false,
    };
    if !keep {
        set(left)?;
        *current = left;
    }
    Ok(())
}

/// What is left of a budget that started at `started`; `Err` once it is spent.
fn remaining(timeout: &NextTimeout, started: Instant) -> Result<Option<Duration>, Error> {
    if timeout.after.is_not_happening() {
        return Ok(None);
    }
    let left = timeout.after.saturating_sub(started.elapsed());
    if left.is_zero() {
        return Err(Error::Timeout(timeout.reason));
    }
    Ok(Some(left))
}

fn waits(error: &io::Error) -> bool {
    matches!(error.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted)
}

/// How a read or write waits for its socket: on Linux and macOS blocked in the call, with
/// a socket timeout bounding it (see [`bound`]); on Windows, where the socket is
/// non-blocking, in short and growing sleeps between tries.
struct Waiting {
    #[cfg(windows)]
    pause: Duration,
}

impl Waiting {
    fn new() -> Waiting {
        Waiting {
            #[cfg(windows)]
            pause: FIRST_PAUSE,
        }
    }

    /// Before a try: bounds the blocking call by what is `left` (where calls block).
    #[cfg_attr(windows, allow(unused_variables))]
    fn before(
        &mut self,
        current: &mut Option<Duration>,
        left: Option<Duration>,
        set: impl FnOnce(Option<Duration>) -> io::Result<()>,
    ) -> io::Result<()> {
        #[cfg(not(windows))]
        bound(current, left, set)?;
        Ok(())
    }

    /// After a try that would have blocked (or whose timeout fired): on Windows sleeps,
    /// never past what is `left`, before the next try.
    #[cfg_attr(not(windows), allow(unused_variables))]
    fn after(&mut self, left: Option<Duration>) {
        #[cfg(windows)]
        {
            std::thread::sleep(left.map_or(self.pause, |left| left.min(self.pause)));
            self.pause = (self.pause * 2).min(WAKE_SLICE);
        }
    }
}

impl Transport for TcpTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        self.used_since_check = true;
        let timeout = timeout.for_write();
        let started = Instant::now();
        let mut sent = 0;
        let mut waiting = Waiting::new();
        while sent < amount {
            self.socket.check()?;
            let left = remaining(&timeout, started)?;
            let stream = &self.socket.stream;
            waiting.before(&mut self.write_timeout, left, |t| stream.set_write_timeout(t))?;
            match (&*stream).write(&self.buffers.output()[sent..amount]) {
                Ok(0) => return Err(Error::Io(io::ErrorKind::WriteZero.into())),
                Ok(n) => {
                    sent += n;
                    self.stats.sent(n);
                }
                Err(e) if waits(&e) => waiting.after(left),
                Err(e) => return Err(Error::Io(e)),
            }
        }
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        self.used_since_check = true;
        let timeout = timeout.for_read();
        let started = Instant::now();
        let mut waiting = Waiting::new();
        loop {
            self.socket.check()?;
            let left = remaining(&timeout, started)?;
            let stream = &self.socket.stream;
            waiting.before(&mut self.read_timeout, left, |t| stream.set_read_timeout(t))?;
            match (&*stream).read(self.buffers.input_append_buf()) {
                Ok(n) => {
                    self.buffers.input_appended(n);
                    self.stats.received(n);
                    return Ok(n > 0);
                }
                Err(e) if waits(&e) => waiting.after(left),
                Err(e) => return Err(Error::Io(e)),
            }
        }
    }

    /// A pooled connection is usable when a non-blocking peek finds nothing to read: no
    /// close from the server and no bytes it should not have sent.
    ///
    /// ureq asks twice per use: right after a response, before pooling the connection,
    /// and when it takes the connection out of the pool for the next request. The first
    /// check is answered without a system call: whatever it could find (a close, stray
    /// bytes) is still there for the second, which peeks, so a bad connection is dropped
    /// before it is used either way.
    fn is_open(&mut self) -> bool {
        if std::mem::take(&mut self.used_since_check) {
            return true;
        }
        // The check as the connection leaves the pool: a use of a pooled connection.
        let open = !self.socket.shut_down.load(Ordering::SeqCst) && peek_finds_nothing(&self.socket.stream);
        if open {
            self.stats.connection_reused();
        }
        open
    }
}

/// One non-blocking peek: true when nothing waits to be read and the peer has not closed.
#[cfg(unix)]
fn peek_finds_nothing(stream: &TcpStream) -> bool {
    let mut byte = [std::mem::MaybeUninit::<u8>::uninit(); 1];
    match socket2::SockRef::from(stream).recv_with_flags(&mut byte, libc::MSG_PEEK | libc::MSG_DONTWAIT) {
        Err(e) => e.kind() == io::ErrorKind::WouldBlock,
        Ok(_) => false,
    }
}

/// On Windows the socket is non-blocking already.
#[cfg(not(unix))]
fn peek_finds_nothing(stream: &TcpStream) -> bool {
    let mut byte = [0u8; 1];
    matches!(stream.peek(&mut byte), Err(e) if e.kind() == io::ErrorKind::WouldBlock)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_timeouts_change_only_when_they_could_overshoot() {
        let mut current = None;
        let mut sets = Vec::new();
        let mut apply = |current: &mut Option<Duration>, left| {
            bound(current, left, |t| {
                sets.push(t);
                Ok(())
            })
            .unwrap()
        };
        apply(&mut current, Some(Duration::from_secs(60)));
        apply(&mut current, Some(Duration::from_secs(60)));
        apply(&mut current, Some(Duration::from_millis(59_900)));
        apply(&mut current, Some(Duration::from_secs(1)));
        apply(&mut current, Some(Duration::from_secs(60)));
        apply(&mut current, None);
        assert_eq!(current, Some(Duration::from_secs(1)), "a shorter timeout than the budget only wakes a read early");
        apply(&mut current, Some(Duration::from_millis(2)));
        apply(&mut current, Some(Duration::from_secs(60)));
        let expected =
            [Duration::from_secs(60), Duration::from_secs(1), Duration::from_millis(2), Duration::from_secs(60)];
        assert_eq!(sets, expected.map(Some), "a 2 ms timeout left from a deadline does not stick");
    }
}
