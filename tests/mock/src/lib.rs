//! A mock of Together's video API on loopback, for the tests of every language and for
//! `make demo`. Plain std, HTTP/1.1 with keep-alive, a thread per connection.
//!
//! Routes: `POST /v2/videos` creates jobs (`jobs.rs`), `GET /files/{name}` serves their
//! videos (`files.rs`), and `GET /v2/videos/{id}` needs `Authorization: Bearer <key>` (else 401), and the
//! id picks the behaviour (the table in `scenarios.rs`): a fixture from `tests/fixtures/videos/`,
//! an HTTP status, a retry sequence, a redirect, or a broken response. A second listener
//! (the "other origin", another port) serves redirect targets that must not get the key.

mod files;
mod http;
mod jobs;
mod scenarios;

pub use files::{changed_video_bytes, video_bytes, VIDEO_SIZE};
pub use scenarios::{FIXTURES, HUGE_BODY};

use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};

/// The API key the mock accepts unless told otherwise.
pub const DEFAULT_API_KEY: &str = "test-key";

/// At most this many requests are remembered, so a soak does not grow the mock.
const MAX_RECORDED: usize = 10_000;

/// A request as the mock received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// The request target exactly as sent, e.g. `/v2/videos/a%2Fb`.
    pub target: String,
    pub headers: Vec<(String, String)>,
    /// The request body, as text.
    pub body: String,
    /// Which listener got it: false for the main origin, true for the other origin.
    pub other_origin: bool,
    /// When it arrived.
    pub at: std::time::Instant,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// State shared by the listeners and connections.
pub(crate) struct Shared {
    pub api_key: String,
    pub origin: String,
    pub other_origin: String,
    pub hits: Mutex<HashMap<String, u32>>,
    pub recorded: Mutex<VecDeque<Recorded>>,
    pub stopping: AtomicBool,
    /// Jobs created by POST, by id, with the model they were created with.
    pub jobs: Mutex<HashMap<String, String>>,
    pub next_job: AtomicU64,
    /// Requests being answered now, and the most there ever were at once.
    pub active: Mutex<(u32, u32)>,
}

impl Shared {
    /// Counts a request for `id` and returns how many came before it.
    pub fn hit(&self, id: &str) -> u32 {
        let mut hits = self.hits.lock().unwrap();
        let count = hits.entry(id.to_owned()).or_insert(0);
        *count += 1;
        *count - 1
    }
}

/// A running mock. Stops accepting when dropped.
pub struct MockServer {
    shared: Arc<Shared>,
    addr: SocketAddr,
    other_addr: SocketAddr,
}

impl MockServer {
    /// Starts on free loopback ports with [`DEFAULT_API_KEY`].
    pub fn start() -> MockServer {
        MockServer::start_with(DEFAULT_API_KEY, 0).expect("the mock can bind a loopback port")
    }

    /// Starts on `port` (0: any free one), accepting `api_key`.
    pub fn start_with(api_key: &str, port: u16) -> io::Result<MockServer> {
        MockServer::start_inner(api_key, port, None)
    }

    /// Starts over TLS with `certificate` (the other origin stays plain http, for
    /// redirects from https to http).
    pub fn start_tls(certificate: Certificate) -> MockServer {
        MockServer::start_inner(DEFAULT_API_KEY, 0, Some(tls_config(certificate))).expect("the mock can bind")
    }

    fn start_inner(api_key: &str, port: u16, tls: Option<Arc<ServerConfig>>) -> io::Result<MockServer> {
        let scheme = if tls.is_some() { "https" } else { "http" };
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let other = TcpListener::bind(("127.0.0.1", 0))?;
        let (addr, other_addr) = (listener.local_addr()?, other.local_addr()?);
        let shared = Arc::new(Shared {
            api_key: api_key.to_owned(),
            origin: format!("{scheme}://{addr}"),
            other_origin: format!("http://{other_addr}"),
            hits: Mutex::new(HashMap::new()),
            recorded: Mutex::new(VecDeque::new()),
            active: Mutex::new((0, 0)),
            stopping: AtomicBool::new(false),
            jobs: Mutex::new(HashMap::new()),
            next_job: AtomicU64::new(1),
        });
        for (listener, is_other, tls) in [(listener, false, tls), (other, true, None)] {
            let shared = Arc::clone(&shared);
            thread::spawn(move || accept_loop(listener, shared, is_other, tls));
        }
        Ok(MockServer { shared, addr, other_addr })
    }

    /// The base URL to configure a client with: `http://127.0.0.1:PORT/v2` (https for TLS).
    pub fn base_url(&self) -> String {
        format!("{}/v2", self.shared.origin)
    }

    /// `http://127.0.0.1:PORT`, as `{{origin}}` in fixtures is replaced with.
    pub fn origin(&self) -> &str {
        &self.shared.origin
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Every request received so far (the most recent [`MAX_RECORDED`]).
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.recorded.lock().unwrap().iter().cloned().collect()
    }

    /// The ids of the jobs created by POST, in no order.
    pub fn created_jobs(&self) -> Vec<String> {
        self.shared.jobs.lock().unwrap().keys().cloned().collect()
    }

    /// The most requests the mock was answering at once.
    pub fn max_concurrent(&self) -> u32 {
        self.shared.active.lock().unwrap().1
    }

    /// How many requests asked for this (decoded) id.
    pub fn hits(&self, id: &str) -> u32 {
        self.shared.hits.lock().unwrap().get(id).copied().unwrap_or(0)
    }

    /// Serves until the process ends.
    pub fn wait(self) -> ! {
        loop {
            thread::park();
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wake both accept loops so they see the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        let _ = TcpStream::connect_timeout(&self.other_addr, Duration::from_secs(1));
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>, other_origin: bool, tls: Option<Arc<ServerConfig>>) {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        let _ = stream.set_nodelay(true);
        let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
        let shared = Arc::clone(&shared);
        let tls = tls.clone();
        thread::spawn(move || match tls {
            None => http::serve_connection(stream, &shared, other_origin),
            Some(config) => {
                let Ok(connection) = ServerConnection::new(config) else { return };
                http::serve_connection(StreamOwned::new(connection, stream), &shared, other_origin)
            }
        });
    }
}

/// Which certificate a TLS mock presents (see tests/fixtures/tls/README.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Certificate {
    /// Valid for 127.0.0.1 and localhost, signed by the test CA.
    Server,
    /// Signed by the test CA, but for wrong.example only.
    WrongHost,
}

/// The test CA's certificate, as a path a client can trust.
pub fn test_ca_file() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/tls/ca.pem")
}

fn tls_config(certificate: Certificate) -> Arc<ServerConfig> {
    let (chain, key) = match certificate {
        Certificate::Server => {
            (include_str!("../../fixtures/tls/server.pem"), include_str!("../../fixtures/tls/server.key"))
        }
        Certificate::WrongHost => {
            (include_str!("../../fixtures/tls/wrong-host.pem"), include_str!("../../fixtures/tls/wrong-host.key"))
        }
    };
    let chain =
        CertificateDer::pem_slice_iter(chain.as_bytes()).collect::<Result<Vec<_>, _>>().expect("test certificate");
    let key = PrivateKeyDer::from_pem_slice(key.as_bytes()).expect("test key");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS 1.2 and 1.3")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("a valid test certificate");
    Arc::new(config)
}

pub(crate) fn record(shared: &Shared, request: Recorded) {
    let mut recorded = shared.recorded.lock().unwrap();
    if recorded.len() >= MAX_RECORDED {
        // A queue: dropping the oldest costs nothing, however many requests came.
        recorded.pop_front();
    }
    recorded.push_back(request);
}
