//! When to retry and how long to wait, as Together's official SDKs do: 408, 409, 429
//! and 5xx are retried unless `x-should-retry: false`; the server's `retry-after-ms` or
//! `Retry-After` (seconds or HTTP date) wins when 0 < hint <= 60 s, but never waits less
//! than [`MIN_HINT`]; otherwise the delay starts at 1 s and doubles up to 10 s, less up to
//! 25% jitter.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ureq::http::HeaderMap;

/// The longest server hint that is obeyed; a longer one falls back to backoff.
const MAX_HINT: Duration = Duration::from_secs(60);
/// The shortest wait a server hint can ask for: `retry-after-ms: 0.000001` must not turn
/// retries into a burst.
pub const MIN_HINT: Duration = Duration::from_millis(50);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt; 0 disables retrying.
    pub max_retries: u32,
    pub initial_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_retries: 2, initial_delay: Duration::from_secs(1), max_delay: Duration::from_secs(10) }
    }
}

impl RetryPolicy {
    /// How long to wait before retry number `retry` (0 for the first retry).
    pub fn delay(&self, retry: u32, headers: Option<&HeaderMap>) -> Duration {
        if let Some(hint) = headers.and_then(server_hint) {
            return hint.max(MIN_HINT);
        }
        let doubled = self.initial_delay.saturating_mul(1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX));
        doubled.min(self.max_delay).mul_f64(1.0 - 0.25 * random_unit())
    }
}

/// Whether a response with this status should be tried again.
pub fn should_retry_status(status: u16, headers: &HeaderMap) -> bool {
    match header(headers, "x-should-retry") {
        Some("true") => true,
        Some("false") => false,
        _ => matches!(status, 408 | 409 | 429 | 500..=599),
    }
}

/// The wait the server asked for, if it is one we obey.
pub(crate) fn server_hint(headers: &HeaderMap) -> Option<Duration> {
    let hint = header(headers, "retry-after-ms")
        .and_then(|ms| ms.trim().parse::<f64>().ok())
        .map(|ms| ms / 1000.0)
        .or_else(|| header(headers, "retry-after").and_then(parse_retry_after))?;
    (hint > 0.0 && hint <= MAX_HINT.as_secs_f64()).then(|| Duration::from_secs_f64(hint))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// `Retry-After` in seconds: a decimal number, or an HTTP date measured from now.
fn parse_retry_after(value: &str) -> Option<f64> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return seconds.is_finite().then_some(seconds);
    }
    let at = parse_http_date(value)?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs_f64();
    Some(at as f64 - now)
}

/// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) into Unix seconds.
fn parse_http_date(value: &str) -> Option<i64> {
    let mut parts = value.split_ascii_whitespace();
    let (_weekday, day, month, year, time, zone) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if zone != "GMT" || parts.next().is_some() {
        return None;
    }
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = MONTHS.iter().position(|m| *m == month)? as i64 + 1;
    let day: i64 = day.parse().ok()?;
    let year: i64 = year.parse().ok()?;
    let mut clock = time.split(':').map(|part| part.parse::<i64>().ok());
    let (hour, minute, second) = (clock.next()??, clock.next()??, clock.next()??);
    if !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second)
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// A uniformly distributed number in [0, 1), from the standard library's random hasher keys.
pub(crate) fn random_unit() -> f64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64));
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use ureq::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn statuses_retried_like_the_official_sdks() {
        let none = HeaderMap::new();
        for status in [408, 409, 429, 500, 503, 599] {
            assert!(should_retry_status(status, &none), "{status}");
        }
        for status in [400, 401, 403, 404, 422] {
            assert!(!should_retry_status(status, &none), "{status}");
        }
        assert!(!should_retry_status(503, &headers(&[("x-should-retry", "false")])));
        assert!(should_retry_status(400, &headers(&[("x-should-retry", "true")])));
    }

    #[test]
    fn server_hints_win_when_reasonable() {
        let policy = RetryPolicy::default();
        let delay = |pairs: &[(&'static str, &str)]| policy.delay(0, Some(&headers(pairs)));
        assert_eq!(delay(&[("retry-after-ms", "250")]), Duration::from_millis(250));
        assert_eq!(delay(&[("retry-after-ms", "0.000001")]), MIN_HINT, "a tiny hint is raised to the floor");
        assert_eq!(delay(&[("retry-after", "0.001")]), MIN_HINT);
        assert_eq!(delay(&[("retry-after-ms", "250"), ("retry-after", "3")]), Duration::from_millis(250));
        assert_eq!(delay(&[("retry-after", "3")]), Duration::from_secs(3));
        assert_eq!(delay(&[("retry-after", "1.5")]), Duration::from_millis(1500));
        for ignored in [&[("retry-after", "0")][..], &[("retry-after", "61")], &[("retry-after", "soon")]] {
            let fallback = delay(ignored);
            assert!(fallback > Duration::from_millis(740) && fallback <= Duration::from_secs(1), "{fallback:?}");
        }
    }

    #[test]
    fn http_date_hint_is_measured_from_now() {
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(parse_http_date("06 Nov 1994"), None);
        let soon = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() + 30;
        let days = soon / 86_400;
        let date = format_http_date_for_test(days as i64, soon % 86_400);
        let hint = parse_retry_after(&date).unwrap();
        assert!((28.0..=31.0).contains(&hint), "{date} -> {hint}");
    }

    fn format_http_date_for_test(days: i64, seconds_of_day: u64) -> String {
        const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        let (mut year, mut month) = (1970, 1);
        while days_from_civil(year + 1, 1, 1) <= days {
            year += 1;
        }
        while month < 12 && days_from_civil(year, month + 1, 1) <= days {
            month += 1;
        }
        let day = days - days_from_civil(year, month, 1) + 1;
        let (h, m, s) = (seconds_of_day / 3600, seconds_of_day / 60 % 60, seconds_of_day % 60);
        format!("Mon, {day:02} {} {year} {h:02}:{m:02}:{s:02} GMT", MONTHS[month as usize - 1])
    }

    #[test]
    fn backoff_doubles_to_the_cap_with_jitter() {
        let policy = RetryPolicy::default();
        for (retry, full) in [(0, 1.0), (1, 2.0), (2, 4.0), (3, 8.0), (4, 10.0), (40, 10.0)] {
            let delay = policy.delay(retry, None).as_secs_f64();
            assert!(delay > full * 0.74 && delay <= full, "retry {retry}: {delay}");
        }
    }
}
