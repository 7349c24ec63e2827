//! Building and checking URLs: the base URL, the job id as a path segment, redirect targets.

use ureq::http::Uri;

use crate::error::Error;

pub const DEFAULT_BASE_URL: &str = "https://api.together.xyz/v2";

/// The longest job id accepted, in bytes.
pub const MAX_ID_LEN: usize = 1024;

/// Resolves the base URL: the configured one as given, else `TOGETHER_BASE_URL` (an origin
/// alone gets `/v2`, as Together's Python SDK expects), else the default. No trailing slash.
pub fn resolve_base_url(configured: Option<&str>) -> Result<String, Error> {
    if let Some(url) = configured {
        return normalize_base_url(url, false);
    }
    match std::env::var("TOGETHER_BASE_URL") {
        Ok(url) if !url.trim().is_empty() => normalize_base_url(url.trim(), true)
            .map_err(|e| Error::invalid(format!("TOGETHER_BASE_URL: {}", e.message()))),
        _ => Ok(DEFAULT_BASE_URL.to_owned()),
    }
}

fn normalize_base_url(url: &str, origin_gets_v2: bool) -> Result<String, Error> {
    let invalid = |why: &str| Error::invalid(format!("base URL {url:?} {why}"));
    let uri: Uri = url.parse().map_err(|_| invalid("is not a valid URL"))?;
    let scheme = uri.scheme_str().map(str::to_ascii_lowercase);
    if !matches!(scheme.as_deref(), Some("http" | "https")) {
        return Err(invalid("must start with https:// or http://"));
    }
    let authority = uri.authority().ok_or_else(|| invalid("has no host"))?;
    if authority.as_str().contains('@') {
        return Err(invalid("must not contain credentials; set the API key instead"));
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(invalid("has no host"));
    }
    if uri.query().is_some() {
        return Err(invalid("must not have a query"));
    }
    let mut path = uri.path().trim_end_matches('/');
    if path.is_empty() && origin_gets_v2 {
        path = "/v2";
    }
    Ok(format!("{}://{}{}", scheme.unwrap_or_default(), authority.as_str().to_ascii_lowercase(), path))
}

/// Checks a job id and percent-encodes it as one path segment (all but unreserved bytes).
pub fn encode_id(id: &str) -> Result<String, Error> {
    if id.is_empty() {
        return Err(Error::invalid("video id is empty"));
    }
    if id == "." || id == ".." {
        return Err(Error::invalid(format!("video id {id:?} is not allowed")));
    }
    if id.len() > MAX_ID_LEN {
        return Err(Error::invalid(format!("video id is {} bytes long; at most {MAX_ID_LEN} are allowed", id.len())));
    }
    if id.chars().any(char::is_control) {
        return Err(Error::invalid("video id contains a control character"));
    }
    let unreserved = |byte: u8| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~');
    if id.bytes().all(unreserved) {
        return Ok(id.to_owned()); // every id Together issues
    }
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut encoded = String::with_capacity(3 * id.len());
    for byte in id.bytes() {
        if unreserved(byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.extend(['%', char::from(HEX[usize::from(byte >> 4)]), char::from(HEX[usize::from(byte & 0xF)])]);
        }
    }
    Ok(encoded)
}

/// Scheme, host and port: what decides whether the API key may be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    pub fn of(url: &str) -> Option<Origin> {
        let uri: Uri = url.parse().ok()?;
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "https" => 443,
            "http" => 80,
            _ => return None,
        };
        Some(Origin { host: uri.host()?.to_ascii_lowercase(), port: uri.port_u16().unwrap_or(default_port), scheme })
    }

    pub fn is_https(&self) -> bool {
        self.scheme == "https"
    }
}

/// The absolute http(s) URL a `Location` header points to, relative to `current`.
pub fn resolve_location(current: &str, location: &str) -> Option<String> {
    let current: Uri = current.parse().ok()?;
    let scheme = current.scheme_str()?;
    let authority = current.authority()?.as_str();
    let has_scheme = location.split_once(':').is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    let target = if has_scheme {
        location.to_owned()
    } else if location.starts_with("//") {
        format!("{scheme}:{location}")
    } else if location.starts_with('/') {
        format!("{scheme}://{authority}{location}")
    } else {
        let path = current.path();
        let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
        format!("{scheme}://{authority}{dir}{location}")
    };
    Origin::of(&target).map(|_| target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_rules() {
        assert_eq!(normalize_base_url("https://API.example.com/v2/", false).unwrap(), "https://api.example.com/v2");
        assert_eq!(normalize_base_url("http://127.0.0.1:4010", false).unwrap(), "http://127.0.0.1:4010");
        assert_eq!(normalize_base_url("http://127.0.0.1:4010/", true).unwrap(), "http://127.0.0.1:4010/v2");
        assert_eq!(
            normalize_base_url("https://proxy.corp/together/v2", true).unwrap(),
            "https://proxy.corp/together/v2"
        );
        for bad in ["ftp://x/v2", "api.together.xyz", "https://u:p@x/v2", "https://x/v2?a=b", "", "https:///v2"] {
            assert!(normalize_base_url(bad, false).is_err(), "{bad}");
        }
    }

    #[test]
    fn ids_are_one_encoded_segment() {
        assert_eq!(encode_id("video_123-abc.~").unwrap(), "video_123-abc.~");
        assert_eq!(encode_id("a/../b").unwrap(), "a%2F..%2Fb");
        assert_eq!(encode_id("%2F?#x y").unwrap(), "%252F%3F%23x%20y");
        assert_eq!(encode_id("é").unwrap(), "%C3%A9");
        for bad in ["", ".", "..", "a\nb", "a\u{0}b", "a\u{7f}", &"x".repeat(MAX_ID_LEN + 1)] {
            assert!(encode_id(bad).is_err(), "{bad:?}");
        }
        assert!(encode_id(&"x".repeat(MAX_ID_LEN)).is_ok());
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        let base = Origin::of("https://api.together.xyz/v2/videos/x").unwrap();
        assert_eq!(Origin::of("https://API.together.xyz:443/other"), Some(base.clone()));
        assert_ne!(Origin::of("http://api.together.xyz/v2"), Some(base.clone()));
        assert_ne!(Origin::of("https://cdn.together.xyz/v2"), Some(base.clone()));
        assert_ne!(Origin::of("https://api.together.xyz:8443/v2"), Some(base));
    }

    #[test]
    fn redirect_targets_resolve_against_the_current_url() {
        let current = "https://h:8443/v2/videos/a";
        assert_eq!(resolve_location(current, "/v2/videos/b").unwrap(), "https://h:8443/v2/videos/b");
        assert_eq!(resolve_location(current, "b").unwrap(), "https://h:8443/v2/videos/b");
        assert_eq!(resolve_location(current, "//other/x").unwrap(), "https://other/x");
        assert_eq!(resolve_location(current, "HTTP://other/x").unwrap(), "HTTP://other/x");
        assert_eq!(resolve_location(current, "javascript:alert(1)"), None);
    }
}
