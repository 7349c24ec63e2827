//! What a client is built from. Every field has the default Together's official SDKs use.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::error::Error;
use crate::log::LogConfig;

/// The most retries a caller may ask for; more would only hide an outage.
pub const MAX_RETRIES_LIMIT: u32 = 10;
/// The most library threads a client may run for non-blocking calls.
pub const MAX_WORKER_THREADS: usize = 64;
/// The longest timeout any setting accepts: one day.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

// The rules for each setting, in one place: the C setters and the bindings pass the
// caller's value through these and report their message, which names the value given.

/// A timeout of 1 ms to one day.
pub fn timeout_ms(name: &str, ms: i64) -> Result<Duration, Error> {
    let max = MAX_TIMEOUT.as_millis();
    match u64::try_from(ms) {
        Ok(ms) if ms >= 1 && u128::from(ms) <= max => Ok(Duration::from_millis(ms)),
        _ => Err(Error::invalid(format!("{name} must be from 1 to {max} ms, not {ms}"))),
    }
}

/// A call's timeout: 0 for none, else as [`timeout_ms`].
pub fn call_timeout_ms(ms: i64) -> Result<Option<Duration>, Error> {
    if ms == 0 {
        return Ok(None);
    }
    timeout_ms("timeout", ms).map(Some)
}

/// How long to wait for a client's next event: -1 for no limit, else 0 (just look) up to
/// one day.
pub fn event_wait_ms(ms: i64) -> Result<Option<Duration>, Error> {
    let max = MAX_TIMEOUT.as_millis();
    match ms {
        -1 => Ok(None),
        ms if ms >= 0 && (ms as u128) <= max => Ok(Some(Duration::from_millis(ms as u64))),
        _ => Err(Error::invalid(format!("timeout_ms must be -1 (no limit), 0 or up to {max}, not {ms}"))),
    }
}

/// Retries after the first attempt: 0 to [`MAX_RETRIES_LIMIT`].
pub fn max_retries(count: i64) -> Result<u32, Error> {
    match u32::try_from(count) {
        Ok(count) if count <= MAX_RETRIES_LIMIT => Ok(count),
        _ => Err(Error::invalid(format!("max retries must be from 0 to {MAX_RETRIES_LIMIT}, not {count}"))),
    }
}

/// The most a cap on concurrent requests may be.
pub const MAX_CONCURRENT_REQUESTS: usize = 1024;

/// A cap on a client's concurrent HTTP requests: 0 (none) to [`MAX_CONCURRENT_REQUESTS`].
pub fn max_concurrent_requests(count: i64) -> Result<usize, Error> {
    match usize::try_from(count) {
        Ok(count) if count <= MAX_CONCURRENT_REQUESTS => Ok(count),
        _ => Err(Error::invalid(format!(
            "max concurrent requests must be from 0 (no cap) to {MAX_CONCURRENT_REQUESTS}, not {count}"
        ))),
    }
}

/// Library threads: 1 to [`MAX_WORKER_THREADS`].
pub fn worker_threads(count: i64) -> Result<usize, Error> {
    match usize::try_from(count) {
        Ok(count) if (1..=MAX_WORKER_THREADS).contains(&count) => Ok(count),
        _ => Err(Error::invalid(format!("worker threads must be from 1 to {MAX_WORKER_THREADS}, not {count}"))),
    }
}

/// Where requests go through. `Debug` hides a proxy's password.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum ProxySetting {
    /// `ALL_PROXY`, `HTTPS_PROXY` or `HTTP_PROXY`, honouring `NO_PROXY`.
    #[default]
    FromEnvironment,
    /// Connect directly, whatever the environment says.
    Direct,
    /// This proxy URL (`http://` or `https://`; SOCKS is refused).
    Url(String),
}

impl fmt::Debug for ProxySetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxySetting::FromEnvironment => f.write_str("FromEnvironment"),
            ProxySetting::Direct => f.write_str("Direct"),
            ProxySetting::Url(url) => write!(f, "Url({})", without_credentials(url)),
        }
    }
}

/// A proxy URL with everything before its last `@` (user and password) hidden, with or
/// without a scheme: `user:pass@host:3128` is a URL a proxy setting accepts. A password
/// may hold `/` or `?`, so no path is looked for: an `@` in a path hides too much, never
/// too little.
fn without_credentials(url: &str) -> std::borrow::Cow<'_, str> {
    let authority = url.find("://").map_or(0, |scheme| scheme + 3);
    match url[authority..].rfind('@') {
        Some(at) => format!("{}<redacted>{}", &url[..authority], &url[authority + at..]).into(),
        None => url.into(),
    }
}

/// Which certificate authorities a TLS server must chain to.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum TrustRoots {
    /// Mozilla's roots, built into the library (webpki-roots).
    #[default]
    BuiltIn,
    /// The operating system's store, where a corporate proxy's CA is usually installed.
    System,
    /// Only the certificates in this PEM file (like curl's `--cacert`).
    PemFile(PathBuf),
}

impl fmt::Debug for TrustRoots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrustRoots::BuiltIn => f.write_str("BuiltIn"),
            TrustRoots::System => f.write_str("System"),
            TrustRoots::PemFile(path) => write!(f, "PemFile({})", path.display()),
        }
    }
}

/// Settings for [`crate::Client::new`]. `Debug` never shows the API key.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// `None` or empty: `TOGETHER_API_KEY`.
    pub api_key: Option<String>,
    /// `None`: `TOGETHER_BASE_URL`, else `https://api.together.xyz/v2`. Taken as given.
    pub base_url: Option<String>,
    pub connect_timeout: Duration,
    /// Bounds each attempt from connecting to the last byte of the body.
    pub timeout: Duration,
    pub max_retries: u32,
    /// Appended to the User-Agent, e.g. `my-game/1.2`.
    pub user_agent_suffix: Option<String>,
    pub trust_roots: TrustRoots,
    pub proxy: ProxySetting,
    /// Library threads for non-blocking calls, started on first use.
    pub worker_threads: usize,
    /// Where events go; `None`: stderr at `TOGETHER_LOG`'s level, else nowhere.
    pub log: Option<LogConfig>,
    /// At most this many HTTP requests of the client at once; 0: no cap.
    pub max_concurrent_requests: usize,
    /// The job journal's file (see `journal.rs`); `None`: no journal.
    pub journal: Option<PathBuf>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            api_key: None,
            base_url: None,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(60),
            max_retries: 2,
            user_agent_suffix: None,
            trust_roots: TrustRoots::default(),
            proxy: ProxySetting::default(),
            worker_threads: 4,
            log: None,
            max_concurrent_requests: 0,
            journal: None,
        }
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("trust_roots", &self.trust_roots)
            .field("proxy", &self.proxy)
            .field("worker_threads", &self.worker_threads)
            .field("log", &self.log)
            .field("max_concurrent_requests", &self.max_concurrent_requests)
            .field("journal", &self.journal)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_reports_the_value_given() {
        assert_eq!(timeout_ms("timeout", 1).unwrap(), Duration::from_millis(1));
        assert_eq!(timeout_ms("timeout", -1).unwrap_err().message(), "timeout must be from 1 to 86400000 ms, not -1");
        assert!(timeout_ms("timeout", 86_400_001).is_err() && timeout_ms("timeout", 0).is_err());
        assert_eq!(call_timeout_ms(0).unwrap(), None);
        assert_eq!(max_retries(-1).unwrap_err().message(), "max retries must be from 0 to 10, not -1");
        assert_eq!(max_retries(10).unwrap(), 10);
        assert_eq!(worker_threads(0).unwrap_err().message(), "worker threads must be from 1 to 64, not 0");
        assert_eq!(
            worker_threads(i64::MIN).unwrap_err().message(),
            format!("worker threads must be from 1 to 64, not {}", i64::MIN)
        );
        assert_eq!(event_wait_ms(-1).unwrap(), None);
        assert_eq!(event_wait_ms(0).unwrap(), Some(Duration::ZERO));
        assert_eq!(event_wait_ms(86_400_000).unwrap(), Some(MAX_TIMEOUT));
        assert_eq!(
            event_wait_ms(-2).unwrap_err().message(),
            "timeout_ms must be -1 (no limit), 0 or up to 86400000, not -2"
        );
        assert!(event_wait_ms(86_400_001).is_err() && event_wait_ms(i64::MIN).is_err());
        assert_eq!(crate::create::OutputFormat::parse("webm").unwrap(), crate::create::OutputFormat::Webm);
        assert_eq!(
            crate::create::OutputFormat::parse("avi").unwrap_err().message(),
            "output format must be MP4 or WEBM, not \"avi\""
        );
        assert_eq!(crate::log::Level::from_number(5).unwrap(), crate::log::Level::Trace);
        assert_eq!(
            crate::log::Level::from_number(0).unwrap_err().message(),
            "max_level must be from 1 (TV_LOG_LEVEL_ERROR) to 5 (TV_LOG_LEVEL_TRACE), not 0"
        );
    }

    #[test]
    fn debug_never_shows_a_proxy_password() {
        let shown = |url: &str| format!("{:?}", ProxySetting::Url(url.to_owned()));
        assert_eq!(shown("http://user:pass@proxy:3128"), "Url(http://<redacted>@proxy:3128)");
        assert_eq!(shown("user:pass@proxy:3128"), "Url(<redacted>@proxy:3128)");
        assert_eq!(shown("user:p@ss@proxy:3128/"), "Url(<redacted>@proxy:3128/)");
        assert_eq!(shown("http://user:pa/ss?#@proxy:3128"), "Url(http://<redacted>@proxy:3128)");
        assert_eq!(shown("proxy:3128"), "Url(proxy:3128)");
        let config = ClientConfig { proxy: ProxySetting::Url("u:secret@h:1".into()), ..ClientConfig::default() };
        assert!(!format!("{config:?}").contains("secret"));
    }
}
