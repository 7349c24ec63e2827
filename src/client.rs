//! The client: one configured HTTP agent (connection pool, TLS, proxy) and the API calls.
//! Safe to share between threads; every call is synchronous.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::{HeaderMap, Method};
use ureq::tls::{parse_pem, PemItem, RootCerts, TlsConfig};
use ureq::unversioned::transport::{ConnectProxyConnector, Connector, RustlsConnector};
use ureq::{Agent, Proxy, ProxyProtocol};

use crate::cancel::{cancelled, Call, CallOptions};
use crate::config::{ClientConfig, ProxySetting, TrustRoots};
use crate::error::{Error, ErrorKind};
use crate::events::{EventQueue, QueuedEvent, Subscription};
use crate::journal::{Journal, JournalJob};
use crate::limits::Limits;
use crate::log::{log_url, Event, EventKind, Level, Logger};
use crate::model::Video;
use crate::pool::{start_once, Pool};
use crate::redact::Secrets;
use crate::request::{Outcome, Request};
use crate::resolver::CachingResolver;
use crate::retry::{server_hint, should_retry_status, RetryPolicy};
use crate::stats::{RetryReason, Snapshot, Stats};
use crate::tcp::TcpConnector;
use crate::transport::{self, Exchange, Reply};
use crate::url::{encode_id, resolve_base_url};

/// Idle agents kept for cancellable calls, with their warm connections.
const SPARE_AGENTS: usize = 8;
/// Connection pools shared by a client's blocking calls (threads are spread over them).
const POOL_STRIPES: usize = 4;

/// The User-Agent every request carries, before the caller's suffix.
pub const USER_AGENT: &str = concat!("together-video/", env!("CARGO_PKG_VERSION"));

/// A client for Together's video API. Cheap to share: `&Client` is `Send + Sync`.
pub struct Client {
    /// For calls that cannot be cancelled: a few agents (connection pools), each thread
    /// keeping to one, so threads sharing the client do not queue on one pool's lock.
    agents: Box<[Agent]>,
    /// For agents of cancellable calls, each shut down on its own (see `cancel.rs`).
    agent_config: Config,
    resolver: CachingResolver,
    spare_agents: Mutex<Vec<Agent>>,
    /// The library threads of non-blocking calls, started on first use.
    pool: OnceLock<Pool>,
    worker_threads: usize,
    base_url: String,
    authorization: String,
    /// The API key and a proxy's password, kept out of every error.
    secrets: Secrets,
    timeout: Duration,
    retry: RetryPolicy,
    /// Shared with requests, which report how they ended after the client may be gone.
    log: Arc<Logger>,
    stats: Arc<Stats>,
    limits: Limits,
    events: Arc<EventQueue>,
    journal: Option<Journal>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Builds a client. Fails with `Authentication` when no API key is configured or in
    /// `TOGETHER_API_KEY`, and with `InvalidArgument` for an unusable setting.
    pub fn new(config: &ClientConfig) -> Result<Client, Error> {
        let api_key = resolve_api_key(config.api_key.as_deref())?;
        let base_url = resolve_base_url(config.base_url.as_deref())?;
        crate::config::max_retries(i64::from(config.max_retries))?;
        crate::config::worker_threads(i64::try_from(config.worker_threads).unwrap_or(i64::MAX))?;
        crate::config::max_concurrent_requests(i64::try_from(config.max_concurrent_requests).unwrap_or(i64::MAX))?;
        for (name, timeout) in [("connect timeout", config.connect_timeout), ("timeout", config.timeout)] {
            crate::config::timeout_ms(name, i64::try_from(timeout.as_millis()).unwrap_or(i64::MAX))?;
        }
        let user_agent = match config.user_agent_suffix.as_deref().map(str::trim) {
            Some(suffix) if !suffix.is_empty() => {
                if !suffix.bytes().all(|b| (0x20..0x7f).contains(&b)) {
                    return Err(Error::invalid("user agent suffix must be printable ASCII"));
                }
                format!("{USER_AGENT} {suffix}")
            }
            _ => USER_AGENT.to_owned(),
        };
        let proxy = proxy(&config.proxy)?;
        let proxy_password = proxy.as_ref().and_then(Proxy::password).map(str::to_owned);
        let agent_config = Agent::config_builder()
            .http_status_as_error(false)
            // Redirects are followed by `transport`, which knows when the key may go along.
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_connect(Some(config.connect_timeout))
            .user_agent(user_agent)
            .accept("application/json")
            .max_idle_connections(64)
            .max_idle_connections_per_host(64)
            .proxy(proxy)
            .tls_config(tls_config(&config.trust_roots)?)
            .build();
        let journal = config.journal.as_deref().map(Journal::open).transpose()?;
        let resolver = CachingResolver::default();
        let secrets = Secrets::new(&api_key, proxy_password);
        let log = Arc::new(Logger::new(config.log.as_ref(), secrets.clone()));
        let stats = Arc::new(Stats::default());
        log.emit(Level::Info, || {
            let mut event = Event::new(Level::Info, EventKind::ClientCreated);
            event.url = Some(base_url.clone());
            event.reason = Some(format!("client for {base_url} ({USER_AGENT})"));
            event
        });
        Ok(Client {
            agents: (0..POOL_STRIPES).map(|_| new_agent(&agent_config, &resolver, &stats)).collect(),
            resolver,
            agent_config,
            spare_agents: Mutex::new(Vec::new()),
            pool: OnceLock::new(),
            worker_threads: config.worker_threads,
            base_url,
            secrets,
            authorization: format!("Bearer {api_key}"),
            timeout: config.timeout,
            retry: RetryPolicy { max_retries: config.max_retries, ..RetryPolicy::default() },
            log,
            stats,
            limits: Limits::new(config.max_concurrent_requests),
            events: Arc::new(EventQueue::default()),
            journal,
        })
    }

    /// The client's job journal, if it has one.
    pub(crate) fn journal(&self) -> Option<&Journal> {
        self.journal.as_ref()
    }

    /// The journal's jobs that still need the application (not terminal, or completed
    /// and not downloaded) and the creates whose answer never came, oldest first.
    /// `InvalidArgument` when the client has no journal.
    pub fn journal_unfinished(&self) -> Result<Vec<JournalJob>, Error> {
        Ok(self.require_journal()?.unfinished())
    }

    /// Drops entry `entry` from the journal (the application is done with it).
    pub fn journal_forget(&self, entry: u64) -> Result<(), Error> {
        self.require_journal()?.forget(entry)
    }

    fn require_journal(&self) -> Result<&Journal, Error> {
        self.journal.as_ref().ok_or_else(|| Error::invalid("this client has no journal (set one in its options)"))
    }

    /// Records in the journal what went wrong writing it, where the call must go on (a
    /// job the server created is returned even when the journal cannot take it).
    pub(crate) fn journal_failed(&self, error: &Error) {
        self.log.emit(Level::Error, || {
            let mut event = Event::new(Level::Error, EventKind::JournalFailed);
            event.reason = Some(format!("the job journal failed: {}", error.message()));
            event.error = Some(error.kind());
            event
        });
    }

    /// The next event of the client's queue (see `events.rs`), waiting up to `timeout`
    /// for one (`Some(ZERO)`: not at all; `None`: as long as it takes).
    pub fn next_event(&self, timeout: Option<Duration>) -> Option<QueuedEvent> {
        self.events.next(timeout)
    }

    /// How many events wait in the client's queue.
    pub fn pending_events(&self) -> usize {
        self.events.len()
    }

    /// What the client's requests share: a rate limit's pause, the concurrency cap.
    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The client's counters now.
    pub fn stats(&self) -> Snapshot {
        self.stats.snapshot()
    }

    /// Logs the client's end and stops its logging: once this returns, its log callback
    /// is not running (except on this thread, when called from inside it) and never
    /// runs again. Dropping the client does the same.
    pub fn close_log(&self) {
        self.log.emit(Level::Info, || {
            let mut event = Event::new(Level::Info, EventKind::ClientFreed);
            let stats = self.stats.snapshot();
            event.reason = Some(format!(
                "client for {} freed after {} requests ({} attempts, {} bytes received)",
                self.base_url, stats.requests, stats.attempts, stats.bytes_received
            ));
            event
        });
        self.log.close();
    }

    pub(crate) fn log(&self) -> &Logger {
        &self.log
    }

    pub(crate) fn counters(&self) -> &Stats {
        &self.stats
    }

    /// Counts and logs how a call the host made ended: `result`, returned as it is.
    pub(crate) fn finish<T>(&self, operation: &'static str, result: Result<T, Error>) -> Result<T, Error> {
        if let Err(error) = &result {
            ended(&self.stats, &self.log, operation, error.kind());
        }
        result
    }

    /// Has `request` count and log how it ends, as [`Client::finish`] does for blocking
    /// calls, and, when `options` has an event tag, report to the client's event queue:
    /// the subscription returned is for its progress.
    pub(crate) fn observe(
        &self,
        request: &Request,
        operation: &'static str,
        options: &CallOptions,
    ) -> Option<Arc<Subscription>> {
        let (stats, log) = (Arc::clone(&self.stats), Arc::clone(&self.log));
        request.observe(Box::new(move |error| {
            if let Some(kind) = error {
                ended(&stats, &log, operation, kind);
            }
        }));
        let subscription = Arc::new(self.events.subscribe(options.event_tag?));
        let done = Arc::clone(&subscription);
        request.announce(Box::new(move |error| done.done(error)));
        Some(subscription)
    }

    /// The base URL requests go to, e.g. `https://api.together.xyz/v2`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// How long one attempt may take; also how long a download may stall.
    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }

    pub(crate) fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The library threads of this client's non-blocking calls, started on first use.
    pub(crate) fn pool(&self) -> &Pool {
        self.pool.get_or_init(|| Pool::new(self.worker_threads))
    }

    /// Cancels this client's non-blocking requests that are not done (they end with
    /// `Cancelled`; their handles stay valid) and waits for its library threads to end.
    /// Final: non-blocking calls started afterwards end at once with `Cancelled`.
    /// From inside a callback of a request it does not wait for the threads.
    pub fn shutdown(&self) {
        self.pool().shutdown();
    }

    /// Runs `work` with this client on a library thread, as a new request; `operation`
    /// names it in logs.
    pub(crate) fn start_as(
        self: &Arc<Client>,
        operation: &'static str,
        options: &CallOptions,
        work: impl FnOnce(&Client, Call<'_>) -> Result<Outcome, Error> + Send + 'static,
    ) -> Request {
        let client = Arc::clone(self);
        let request = Request::new();
        self.observe(&request, operation, options);
        start_once(self.pool(), request, options, move |call: Call<'_>| work(&client, call))
    }

    /// `GET {base}/videos/{id}`: the job's current state.
    pub fn get_video(&self, id: &str) -> Result<Video, Error> {
        self.get_video_with(id, Call::default())
    }

    /// [`Client::get_video`], bounded by a deadline and cancellable.
    pub fn get_video_with(&self, id: &str, call: Call<'_>) -> Result<Video, Error> {
        self.finish("get video", self.fetch_video(id, call).map(|(video, _)| video))
    }

    /// [`Client::get_video_with`] on a library thread. The id is checked here.
    pub fn get_video_start(self: &Arc<Client>, id: &str, options: &CallOptions) -> Result<Request, Error> {
        let encoded = encode_id(id)?;
        Ok(self.start_as("get video", options, move |client, call| {
            client.fetch_encoded(&encoded, call).map(|(video, _)| Outcome::Video(Box::new(video)))
        }))
    }

    /// The job and the server's hint (`retry-after-ms`, `Retry-After`) for when to ask again.
    pub(crate) fn fetch_video(&self, id: &str, call: Call<'_>) -> Result<(Video, Option<Duration>), Error> {
        self.fetch_encoded(&encode_id(id)?, call)
    }

    /// [`Client::fetch_video`] for an id [`encode_id`] has checked and encoded.
    fn fetch_encoded(&self, encoded_id: &str, call: Call<'_>) -> Result<(Video, Option<Duration>), Error> {
        let url = format!("{}/videos/{}", self.base_url, encoded_id);
        let reply = self.send(Method::GET, &url, None, true, call)?;
        let hint = crate::retry::server_hint(&reply.headers);
        let video =
            Video::from_json(reply.body).map_err(|e| self.redact(e.with_response(reply.status, reply.request_id)))?;
        if let Some(journal) = &self.journal {
            if let Err(error) = journal.saw(&video) {
                self.journal_failed(&error);
            }
        }
        Ok((video, hint))
    }

    /// This thread's agent among the shared ones.
    fn shared_agent(&self) -> &Agent {
        static NEXT_THREAD: AtomicUsize = AtomicUsize::new(0);
        thread_local! {
            static THREAD: usize = NEXT_THREAD.fetch_add(1, Ordering::Relaxed);
        }
        let stripe = THREAD.try_with(|thread| *thread).unwrap_or(0) % self.agents.len();
        &self.agents[stripe]
    }

    /// Runs `operation` with an agent: a shared one, or, when the call can be cancelled,
    /// one of its own registered with the token so that cancelling interrupts its I/O.
    pub(crate) fn with_agent<T>(
        &self,
        call: Call<'_>,
        operation: impl FnOnce(&Agent) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let Some(token) = call.cancel else { return operation(self.shared_agent()) };
        let agent = self.spare_agents.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let agent = agent.unwrap_or_else(|| new_agent(&self.agent_config, &self.resolver, &self.stats));
        let result = {
            let _watch = token.watch(&agent)?;
            operation(&agent)
        };
        if token.is_cancelled() {
            // Its connections were shut down: the agent is not kept. A result that arrived
            // before the cancel is still returned (a created job's id must reach the
            // journal); a failure is the cancel's.
            return match result {
                Ok(value) => Ok(value),
                Err(_) => Err(cancelled()),
            };
        }
        let mut spare = self.spare_agents.lock().unwrap_or_else(|e| e.into_inner());
        if spare.len() < SPARE_AGENTS {
            spare.push(agent);
        }
        result
    }

    /// Sends a request, retrying as [`RetryPolicy`] says. A request that is not
    /// idempotent is retried only when it cannot have reached the server, or on 429.
    pub(crate) fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<&[u8]>,
        idempotent: bool,
        call: Call<'_>,
    ) -> Result<Reply, Error> {
        let _in_flight = self.stats.request();
        self.with_agent(call, |agent| {
            let mut retry = 0;
            loop {
                call.check()?;
                // A rate limit's pause is waited out as a retry's delay is; waiting for a free
                // slot counts against the attempt's timeout, as connecting would.
                let admission = Instant::now() + self.timeout;
                let bounded = Call { deadline: Some(call.deadline.map_or(admission, |d| d.min(admission))), ..call };
                let slot = self.limits.admit(call, bounded)?;
                let attempt_deadline = Instant::now() + self.timeout;
                let exchange = Exchange {
                    agent,
                    method: method.clone(),
                    url,
                    body,
                    authorization: Some(&self.authorization),
                    headers: Vec::new(),
                    deadline: Some(call.deadline.map_or(attempt_deadline, |d| d.min(attempt_deadline))),
                    stall_timeout: None,
                    log: &self.log,
                    stats: &self.stats,
                };
                self.stats.attempt();
                let started = Instant::now();
                let may_retry = retry < self.retry.max_retries;
                let outcome = transport::run(exchange);
                drop(slot);
                let (error, wait, reason, from_server) = match outcome {
                    Ok(reply) => {
                        self.log_attempt(&method, url, retry + 1, started, Ok(&reply));
                        if (200..300).contains(&reply.status) {
                            return Ok(reply);
                        }
                        let retryable =
                            should_retry_status(reply.status, &reply.headers) && (idempotent || reply.status == 429);
                        let wait = self.retry.delay(retry, Some(&reply.headers));
                        let from_server = server_hint(&reply.headers).is_some();
                        if reply.status == 429 && from_server {
                            // Every request of this client waits as long, not only this one.
                            self.limits.pause(wait);
                        }
                        let reason = if reply.status == 429 { RetryReason::RateLimited } else { RetryReason::Server };
                        let error = self.status_error(reply);
                        if !(may_retry && retryable) {
                            return Err(error);
                        }
                        (error, wait, reason, from_server)
                    }
                    Err(failure) => {
                        let error = self.redact(failure.error);
                        self.log_attempt(&method, url, retry + 1, started, Err(&error));
                        call.check()?;
                        let retryable = if idempotent { failure.retryable } else { failure.before_sending };
                        if !(may_retry && retryable) {
                            return Err(error);
                        }
                        let reason = match error.kind() {
                            ErrorKind::Timeout => RetryReason::Timeout,
                            _ => RetryReason::Connection,
                        };
                        (error, self.retry.delay(retry, None::<&HeaderMap>), reason, false)
                    }
                };
                self.stats.retry(reason);
                self.log_retry(&method, url, retry + 1, reason, &error, wait, from_server);
                call.sleep(wait).map_err(|stop| {
                    let detail = self.redact(error);
                    Error::new(stop.kind(), format!("{} while waiting to retry after: {detail}", stop.message()))
                })?;
                retry += 1;
            }
        })
    }

    /// Logs one attempt: its response, or the failure before one.
    pub(crate) fn log_attempt(
        &self,
        method: &Method,
        url: &str,
        attempt: u32,
        started: Instant,
        outcome: Result<&Reply, &Error>,
    ) {
        let level = match outcome {
            Ok(reply) if reply.status < 400 => Level::Info,
            _ => Level::Warn,
        };
        self.log.emit(level, || {
            let mut event = Event::new(level, EventKind::HttpAttempt);
            event.method = Some(method.to_string());
            event.url = Some(log_url(url));
            event.attempt = attempt;
            event.duration = started.elapsed();
            match outcome {
                Ok(reply) => {
                    event.status = reply.status;
                    event.request_id = reply.request_id.clone();
                    event.bytes = reply.body.len() as u64;
                    if !(200..300).contains(&reply.status) {
                        event.error = Some(ErrorKind::from_status(reply.status));
                    }
                }
                Err(error) => {
                    event.status = error.http_status().unwrap_or(0);
                    event.request_id = error.request_id().map(str::to_owned);
                    event.reason = Some(error.message().to_owned());
                    event.error = Some(error.kind());
                }
            }
            event
        });
    }

    /// Logs that a request will be tried again after `delay`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn log_retry(
        &self,
        method: &Method,
        url: &str,
        attempt: u32,
        reason: RetryReason,
        error: &Error,
        delay: Duration,
        from_server: bool,
    ) {
        self.log.emit(Level::Warn, || {
            let mut event = Event::new(Level::Warn, EventKind::Retry);
            event.method = Some(method.to_string());
            event.url = Some(log_url(url));
            event.attempt = attempt;
            event.status = error.http_status().unwrap_or(0);
            event.reason = Some(format!("{}: {}", reason.name(), error.message()));
            event.delay = delay;
            event.delay_from_server = from_server;
            event.error = Some(error.kind());
            event
        });
    }

    /// The error for a non-2xx reply: its kind, status, request id and the server's message.
    pub(crate) fn status_error(&self, reply: Reply) -> Error {
        let kind = ErrorKind::from_status(reply.status);
        // Redacted before `server_message` cuts it: a secret cut in two would survive.
        let body = self.secrets.redact(&String::from_utf8_lossy(&reply.body)).into_owned();
        let detail = transport::server_message(body.as_bytes());
        let mut message = format!("{} (HTTP {})", kind.name(), reply.status);
        if !detail.is_empty() {
            message = format!("{message}: {detail}");
        }
        self.redact(Error::http(kind, reply.status, message, reply.request_id))
    }

    /// Removes the API key and any proxy password from an error's message and request
    /// id, should a server or proxy ever echo them.
    pub(crate) fn redact(&self, error: Error) -> Error {
        self.secrets.error(error)
    }
}

fn new_agent(config: &Config, resolver: &CachingResolver, stats: &Arc<Stats>) -> Agent {
    let connector =
        ().chain(ConnectProxyConnector::default())
            .chain(TcpConnector::new(Arc::clone(stats)))
            .chain(RustlsConnector::default());
    Agent::with_parts(config.clone(), connector, resolver.clone())
}

/// Counts a call the host made that ended with `kind`, and logs it when cancelled.
fn ended(stats: &Stats, log: &Logger, operation: &'static str, kind: ErrorKind) {
    stats.error(kind);
    if kind == ErrorKind::Cancelled {
        log.emit(Level::Info, || {
            let mut event = Event::new(Level::Info, EventKind::Cancelled);
            event.reason = Some(operation.to_owned());
            event.error = Some(kind);
            event
        });
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        self.close_log();
    }
}

fn resolve_api_key(configured: Option<&str>) -> Result<String, Error> {
    let key = match configured {
        Some(key) if !key.is_empty() => key.to_owned(),
        _ => std::env::var("TOGETHER_API_KEY").unwrap_or_default(),
    };
    let key = key.trim().to_owned();
    if key.is_empty() {
        return Err(Error::new(ErrorKind::Authentication, "no API key: pass one or set TOGETHER_API_KEY"));
    }
    if !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::invalid("the API key contains a space, control or non-ASCII character"));
    }
    Ok(key)
}

/// The proxy to use. SOCKS proxies are refused rather than silently bypassed: this
/// build of ureq has no SOCKS support, and going around a proxy the user configured
/// could leak traffic past it.
fn proxy(setting: &ProxySetting) -> Result<Option<Proxy>, Error> {
    let proxy = match setting {
        ProxySetting::FromEnvironment => Proxy::try_from_env(),
        ProxySetting::Direct => None,
        ProxySetting::Url(url) => {
            Some(Proxy::new(url).map_err(|_| Error::invalid("proxy URL is not valid (expected http:// or https://)"))?)
        }
    };
    match proxy.as_ref().map(Proxy::protocol) {
        Some(ProxyProtocol::Socks4 | ProxyProtocol::Socks4A | ProxyProtocol::Socks5) => {
            Err(Error::invalid("SOCKS proxies are not supported; use an http:// or https:// proxy"))
        }
        _ => Ok(proxy),
    }
}

fn tls_config(roots: &TrustRoots) -> Result<TlsConfig, Error> {
    let roots = match roots {
        TrustRoots::BuiltIn => RootCerts::WebPki,
        TrustRoots::System => RootCerts::PlatformVerifier,
        TrustRoots::PemFile(path) => {
            let pem = std::fs::read(path)
                .map_err(|e| Error::invalid(format!("cannot read CA file {}: {e}", path.display())))?;
            let mut certificates = Vec::new();
            for item in parse_pem(&pem) {
                match item {
                    Ok(PemItem::Certificate(certificate)) => certificates.push(certificate),
                    Ok(_) => {}
                    Err(e) => return Err(Error::invalid(format!("CA file {} is not valid PEM: {e}", path.display()))),
                }
            }
            if certificates.is_empty() {
                return Err(Error::invalid(format!("CA file {} holds no certificate", path.display())));
            }
            RootCerts::new_with_certs(&certificates)
        }
    };
    Ok(TlsConfig::builder().root_certs(roots).build())
}
