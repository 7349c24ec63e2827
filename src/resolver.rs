//! Host name resolution for ureq, cached.
//!
//! ureq resolves the host before every request, pooled connection or not, and with a
//! timeout set it does so on a new thread each time. This resolver answers IP literals
//! at once and keeps names for a short while, so a warm connection costs no lookup.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// How long a resolved name is trusted; short, so a moved host is found again soon.
const TTL: Duration = Duration::from_secs(30);
/// Names remembered at most (a client talks to a handful of hosts).
const CAPACITY: usize = 64;

/// Clones share one cache: every agent of a client uses it.
#[derive(Debug, Default, Clone)]
pub struct CachingResolver {
    inner: Arc<DefaultResolver>,
    cache: Arc<Mutex<HashMap<String, (Instant, ResolvedSocketAddrs)>>>,
}

impl Resolver for CachingResolver {
    fn resolve(&self, uri: &Uri, config: &Config, timeout: NextTimeout) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let port = uri.port_u16().or_else(|| match uri.scheme_str() {
            Some("https") => Some(443),
            Some("http") => Some(80),
            _ => None,
        });
        let (Some(host), Some(port)) = (uri.host(), port) else {
            return self.inner.resolve(uri, config, timeout);
        };
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = literal.parse::<IpAddr>() {
            let mut addrs = self.empty();
            addrs.push(SocketAddr::new(ip, port));
            return Ok(addrs);
        }
        let key = format!("{host}:{port}");
        let now = Instant::now();
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((at, addrs)) = cache.get(&key) {
            if now.duration_since(*at) < TTL {
                return Ok(addrs.clone());
            }
        }
        drop(cache);
        let addrs = self.inner.resolve(uri, config, timeout)?;
        cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= CAPACITY {
            cache.retain(|_, (at, _)| now.duration_since(*at) < TTL);
            if cache.len() >= CAPACITY {
                cache.clear();
            }
        }
        cache.insert(key, (now, addrs.clone()));
        Ok(addrs)
    }
}
