//! `tv_client_stats`: a client's counters, copied into a caller's size-prefixed struct.

use super::boundary::handle;
use super::client::TvClient;
use super::error::run;
use super::result::TvResult;
use crate::error::Error;
use crate::stats::ERROR_KINDS;

/// The slots of `TvClientStats.errors`: room for result codes added later, so that the
/// fields after it never move.
pub const TV_STATS_ERROR_SLOTS: usize = 32;
const _: () = assert!(ERROR_KINDS <= TV_STATS_ERROR_SLOTS);

/// A client's counters, filled by `tv_client_stats`. Counts since the client was created.
///
/// ABI: fields are only ever added at the end. Set `size` to `sizeof(TvClientStats)`
/// before the call: the library fills what fits in `size` bytes and sets `size` to what
/// it filled, so a program built against an older header keeps working.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct TvClientStats {
    pub size: u32,
    /// HTTP requests started (API calls and download transfers), retries not counted.
    pub requests: u64,
    /// HTTP attempts: requests, retries and download resumes.
    pub attempts: u64,
    /// Retries after HTTP 429.
    pub retries_rate_limited: u64,
    /// Retries after HTTP 408, 409 or 5xx.
    pub retries_server: u64,
    /// Retries after a connection failed or broke.
    pub retries_connection: u64,
    /// Retries after an attempt timed out.
    pub retries_timeout: u64,
    pub responses_1xx: u64,
    pub responses_2xx: u64,
    pub responses_3xx: u64,
    pub responses_4xx: u64,
    pub responses_5xx: u64,
    /// Bytes written to and read from the connections the library opened, TLS included;
    /// traffic tunnelled through an HTTP proxy is not counted.
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub connections_opened: u64,
    /// Requests that went out on a connection kept from an earlier one.
    pub connections_reused: u64,
    /// HTTP requests running now.
    pub requests_in_flight: u64,
    /// Calls that ended with each result code, indexed by `TvResult`
    /// (`errors[TV_RESULT_TIMEOUT]`); `errors[TV_RESULT_OK]` and slots past the last
    /// code are 0.
    pub errors: [u64; TV_STATS_ERROR_SLOTS],
}

/// Fills `*out_stats` with `client`'s counters; set `out_stats->size` first (see
/// `TvClientStats`). A `size` smaller than 8 is `TV_RESULT_INVALID_ARGUMENT`.
///
/// Cheap (about twenty relaxed atomic loads, no lock, no allocation): fine to call every
/// frame. Thread-safe; counters read while calls run may be a few increments apart.
#[no_mangle]
pub unsafe extern "C" fn tv_client_stats(client: *const TvClient, out_stats: *mut TvClientStats) -> TvResult {
    run(std::ptr::null_mut(), || {
        // SAFETY: NULL or a live client (shared contract).
        let client = unsafe { handle(client, "client") }?;
        if out_stats.is_null() {
            return Err(Error::invalid("out_stats is NULL"));
        }
        // SAFETY: not NULL, and points to a TvClientStats whose first field the caller set
        // (the function's contract): reading a u32 from it is in bounds.
        let size = unsafe { std::ptr::addr_of!((*out_stats).size).read_unaligned() } as usize;
        if size < 8 {
            return Err(Error::invalid(format!("out_stats->size must be sizeof(TvClientStats), not {size}")));
        }
        let snapshot = client.inner.stats();
        let [r1, r2, r3, r4, r5] = snapshot.responses;
        // SAFETY: TvClientStats is integers only, for which all-zero bytes are a value.
        // Zeroed, then set field by field, its padding stays zero for the byte copy below.
        let mut stats: TvClientStats = unsafe { std::mem::zeroed() };
        stats.requests = snapshot.requests;
        stats.attempts = snapshot.attempts;
        stats.retries_rate_limited = snapshot.retries_rate_limited;
        stats.retries_server = snapshot.retries_server;
        stats.retries_connection = snapshot.retries_connection;
        stats.retries_timeout = snapshot.retries_timeout;
        stats.responses_1xx = r1;
        stats.responses_2xx = r2;
        stats.responses_3xx = r3;
        stats.responses_4xx = r4;
        stats.responses_5xx = r5;
        stats.bytes_sent = snapshot.bytes_sent;
        stats.bytes_received = snapshot.bytes_received;
        stats.connections_opened = snapshot.connections_opened;
        stats.connections_reused = snapshot.connections_reused;
        stats.requests_in_flight = snapshot.requests_in_flight;
        stats.errors = std::array::from_fn(|code| snapshot.errors.get(code).copied().unwrap_or(0));
        let filled = size.min(std::mem::size_of::<TvClientStats>());
        stats.size = filled as u32;
        // SAFETY: the caller's struct has `size` writable bytes (its contract), and
        // `filled` is at most that and at most ours: the copy stays inside both.
        unsafe {
            std::ptr::copy_nonoverlapping(
                (&stats as *const TvClientStats).cast::<u8>(),
                out_stats.cast::<u8>(),
                filled,
            );
        }
        Ok(())
    })
}
