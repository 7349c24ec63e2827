//! `TvClient` and `TvClientOptions`: building a client from C, and fetching a job.

use std::ffi::{c_char, c_int};
use std::path::PathBuf;
use std::ptr;
use std::sync::Arc;

use super::boundary::{assign, free, handle, optional_str_arg, run_infallible, str_arg, Out};
use super::call::TvCallOptions;
use super::error::{run, update, TvError};
use super::request::{start, TvRequest};
use super::result::TvResult;
use super::video::TvVideo;
use crate::client::Client;
use crate::config::{ClientConfig, ProxySetting, TrustRoots};
use crate::error::Error;

/// A client for Together's video API. Opaque.
///
/// Thread-safety: every function that takes a `const TvClient *` may be called on the same
/// client from many threads at once (it holds a shared connection pool). `tv_client_free`
/// must not run while another call on the same client is in progress.
pub struct TvClient {
    pub(super) inner: Arc<Client>,
}

/// Settings for `tv_client_new_with_options`. Opaque; create it with
/// `tv_client_options_new`, change it with the `tv_client_options_set_*` functions, and
/// free it with `tv_client_options_free` (the client keeps its own copy, so the options
/// may be freed or reused as soon as the client is built).
///
/// Why setters rather than a struct: a new option is a new function, so programs built
/// against an older header keep working with a newer library, and no struct layout has to
/// match between C, Go and C#. Each setter is typed (no varargs, which cgo cannot call).
///
/// Thread-safety: not synchronised; do not change one options object from two threads
/// at once. Reading it in `tv_client_new_with_options` from several threads is fine.
pub struct TvClientOptions {
    config: ClientConfig,
}

/// Creates a client with default settings. The API key is `api_key`, or the
/// `TOGETHER_API_KEY` environment variable when `api_key` is NULL or empty; the base URL
/// is `TOGETHER_BASE_URL` (an origin alone gets `/v2`) or `https://api.together.xyz/v2`.
///
/// Returns NULL on failure (no API key, an invalid environment setting); the reason is in
/// `tv_last_error_message()`. Free the client with `tv_client_free`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn tv_client_new(api_key: *const c_char) -> *mut TvClient {
    let mut client = ptr::null_mut();
    run(ptr::null_mut(), || {
        // SAFETY: NULL or a NUL-terminated string (shared contract).
        let api_key = unsafe { optional_str_arg(api_key, "api_key") }?;
        let config = ClientConfig { api_key: api_key.map(str::to_owned), ..ClientConfig::default() };
        client = new_client(&config)?;
        Ok(())
    });
    client
}

/// Creates a client from `options` (NULL means all defaults, as `tv_client_new(NULL)`).
///
/// On success writes the new client to `*out_client` and returns `TV_RESULT_OK`; free it
/// with `tv_client_free`. On failure returns the code (`TV_RESULT_AUTHENTICATION` when no
/// API key is set, `TV_RESULT_INVALID_ARGUMENT` for an unusable option such as an
/// unreadable CA file or a malformed base URL), leaves `*out_client` untouched, and writes
/// a new `TvError` to `*out_error` when `out_error` is not NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn tv_client_new_with_options(
    options: *const TvClientOptions,
    out_client: *mut *mut TvClient,
    out_error: *mut *mut TvError,
) -> TvResult {
    run(out_error, || {
        // SAFETY: NULL or live options and out-parameter (shared contract).
        let (options, out_client) = unsafe { (options.as_ref(), Out::new(out_client, "out_client")?) };
        let default = ClientConfig::default();
        out_client.write(new_client(options.map_or(&default, |options| &options.config))?);
        Ok(())
    })
}

fn new_client(config: &ClientConfig) -> Result<*mut TvClient, Error> {
    let inner = Arc::new(Client::new(config)?);
    Ok(Box::into_raw(Box::new(TvClient { inner })))
}

/// Frees a client and closes its idle connections. NULL is fine. Must not be called twice
/// for the same client, nor while another thread is using it. Its non-blocking requests
/// that are not done are cancelled as by `tv_request_cancel` (they end with
/// `TV_RESULT_CANCELLED`; free their handles as usual), so once this returns none of
/// their callbacks is running or will run. The library threads it started are joined
/// before this returns, so no library thread of this client outlives it (safe for
/// unloading a plugin), and once it returns its log callback is not running and never
/// runs again. Called from inside a callback of this library it does not
/// deadlock: it then cancels the requests but does not wait for the threads, which end
/// by themselves once their work is cancelled.
#[no_mangle]
pub unsafe extern "C" fn tv_client_free(client: *mut TvClient) {
    run_infallible((), || {
        // SAFETY: NULL or a live client, not in use by another thread (shared contract).
        if let Some(client) = unsafe { client.as_ref() } {
            client.inner.shutdown();
            // Requests still holding the client (freed from inside a callback) must not
            // log after this returns.
            client.inner.close_log();
        }
    });
    // SAFETY: NULL or from `Box::into_raw` in `new_client`, not freed before (shared contract).
    unsafe { free(client) }
}

/// Fetches a video job: `GET {base}/videos/{id}`, retrying 408, 409, 429, 5xx and
/// connection failures as configured (honouring `Retry-After`).
///
/// `id` is sent as one percent-encoded path segment; an empty id, `.`, `..`, an id over
/// 1024 bytes or one with a control character is `TV_RESULT_INVALID_ARGUMENT` and no
/// request is sent. `call` may be NULL (see `TvCallOptions`).
///
/// On success writes a new `TvVideo` to `*out_video` (free it with `tv_video_free`); a
/// job that failed on the server is still a success here: read its `status` and
/// `error_*` fields. Blocks for up to the client's timeout per attempt, or `call`'s.
#[no_mangle]
pub unsafe extern "C" fn tv_get_video(
    client: *const TvClient,
    id: *const c_char,
    call: *const TvCallOptions,
    out_video: *mut *mut TvVideo,
    out_error: *mut *mut TvError,
) -> TvResult {
    run(out_error, || {
        // SAFETY: NULL or live handles, strings and out-parameters (shared contract).
        let (client, id, call, out_video) = unsafe {
            (handle(client, "client")?, str_arg(id, "id")?, call.as_ref(), Out::new(out_video, "out_video")?)
        };
        let options = TvCallOptions::of(call);
        out_video.write(TvVideo::allocate(&client.inner.get_video_with(id, options.call())?)?);
        Ok(())
    })
}

/// `tv_get_video` without blocking: writes a new request to `*out_request`, whose result
/// is the `TvVideo`. Argument errors (NULL, an unsafe id) are reported here, at once.
#[no_mangle]
pub unsafe extern "C" fn tv_get_video_start(
    client: *const TvClient,
    id: *const c_char,
    call: *const TvCallOptions,
    out_request: *mut *mut TvRequest,
    out_error: *mut *mut TvError,
) -> TvResult {
    start(out_request, out_error, || {
        // SAFETY: NULL or live handles and strings (shared contract).
        let (client, id, call) = unsafe { (handle(client, "client")?, str_arg(id, "id")?, call.as_ref()) };
        client.inner.get_video_start(id, &TvCallOptions::of(call))
    })
}

/// Creates an options object holding the defaults: key from `TOGETHER_API_KEY`, base URL
/// from `TOGETHER_BASE_URL` or Together's, connect timeout 5 s, timeout 60 s, 2 retries,
/// Mozilla's root certificates (built in), proxy from the environment, 4 worker threads.
/// Free it with `tv_client_options_free`. NULL only if the library failed internally.
#[no_mangle]
pub extern "C" fn tv_client_options_new() -> *mut TvClientOptions {
    run_infallible(ptr::null_mut(), || Box::into_raw(Box::new(TvClientOptions { config: ClientConfig::default() })))
}

/// Frees an options object. NULL is fine.
#[no_mangle]
pub unsafe extern "C" fn tv_client_options_free(options: *mut TvClientOptions) {
    // SAFETY: NULL or from `tv_client_options_new`, not freed before (shared contract).
    unsafe { free(options) }
}

/// Applies `change` to a live options object, inside the panic boundary.
///
/// # Safety
/// `options` must be NULL or a live options object not used by another thread.
pub(super) unsafe fn set(
    options: *mut TvClientOptions,
    change: impl FnOnce(&mut ClientConfig) -> Result<(), Error>,
) -> TvResult {
    // SAFETY: forwarded contract of the calling setter.
    unsafe { update(options, "options", |options| change(&mut options.config)) }
}

/// A string setting: NULL unsets it.
///
/// # Safety
/// As [`set`]; `value` NULL or a NUL-terminated string.
unsafe fn set_text(
    options: *mut TvClientOptions,
    value: *const c_char,
    name: &str,
    change: impl FnOnce(&mut ClientConfig, Option<&str>) -> Result<(), Error>,
) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe { set(options, |config| change(config, optional_str_arg(value, name)?)) }
}

/// Sets the API key; NULL or "" means `TOGETHER_API_KEY`. The key is copied.
#[no_mangle]
pub unsafe extern "C" fn tv_client_options_set_api_key(
    options: *mut TvClientOptions,
    api_key: *const c_char,
) -> TvResult {
    // SAFETY: shared contract.
    unsafe { set_text(options, api_key, "api_key", |c, key| assign(&mut c.api_key, key.map(str::to_owned))) }
}

/// Sets the base URL, used exactly as given (e.g. `http://127.0.0.1:8080/v2`); NULL means
/// `TOGETHER_BASE_URL` or Together's. Checked by `tv_client_new_with_options`.
#[no_mangle]
pub unsafe extern "C" fn tv_client_options_set_base_url(
    options: *mut TvClientOptions,
    base_url: *const c_char,
) -> TvResult {
    // SAFETY: shared contract.
    unsafe { set_text(options, base_url, "base_url", |c, url| assign(&mut c.base_url, url.map(str::to_owned))) }
}

/// Sets how long connecting (DNS, TCP, TLS) may take, in milliseconds: 1 to 86400000.
/// Default 5000.
#[no_mangle]
pub unsafe extern "C" fn tv_client_options_set_connect_timeout_ms(options: *mut TvClientOptions, ms: i64) -> TvResult {
    // SAFETY: shared contract.
    unsafe { set(options, |c| assign(&mut c.connect_timeout, crate::config::timeout_ms("connect timeout", ms)?)) }
}

/// Sets how long one attempt may take from connecting to the last byte of the response,
/// in milliseconds: 1 to 86400000. Default 60000. Retries each get a fresh timeout; a
/// download may take longer, as long as no read stalls for this long.
#[no_mangle]
pub unsafe extern "C" fn tv_client_options_set_timeout_ms(options: *mut TvClientOptions, ms: i64) -> TvResult {
    // SAFETY: shared contract.
    unsafe { set(options, |c| assign(&mut c.timeout, crate::config::timeout_ms("timeout", ms)?)) }
}

/// Sets how many times a failed request is retried: 0 to 10. Default 2.
#[no_mangle]
pub unsafe extern "C" fn tv_client_options_set_max_retries(
    options: *mut TvClientOptions,
    max_retries: i64,
) -> TvResult {
    // SAFETY: shared contract.
    unsafe { set(options, |c| assign(&mut c.max_retries, crate::config::max_retries(max_retries)?)) }
}

/// Appends printable ASCII text to the User-Agent (`together-video/<version> <suffix>`),
/// e.g. "my-game/1.2". NULL or "" removes it.
#[no_mangle]
pub unsafe extern "C" fn tv_client_options_set_user_agent_suffix(
    options: *mut TvClientOptions,
    suffix: *const c_char,
) -> TvResult {
    // SAFETY: shared contract.
    unsafe {
        set_text(options, suffix, "suffix", |c, suffix| assign(&mut c.user_agent_suffix, suffix.map(str::to_owned)))
    }
}

/// Trusts only the certificates in a PEM file (like curl's `--cacert`), e.g. a corporate
/// proxy's CA bundle. The file is read by `tv_client_new_with_options`. NULL goes back to
/// the built-in roots. Replaces any earlier `tv_client_options_set_system_roots`.
#[no_mangle]
pub unsafe extern "C" fn tv_client_options_set_ca_file(
    options: *mut TvClientOptions,
    pem_path: *const c_char,
) -> TvResult {
    // SAFETY: shared contract.
    unsafe {
        set_text(options, pem_path, "pem_path", |c, path| {
            assign(
                &mut c.trust_roots,
                path.map_or(TrustRoots::BuiltIn, |path| TrustRoots::PemFile(PathBuf::from(path))),
            )
        })
    }
}

/// Non-zero: verify servers with the operating system's certificate store (where a
/// corporate proxy's CA is usually installed) instead of the built-in roots. Zero: back to
/// the built-in roots. Replaces any earlier `tv_client_options_set_ca_file`.
#[no_mangle]
pub unsafe extern "C" fn tv_client_options_set_system_roots(options: *mut TvClientOptions, enabled: c_int) -> TvResult {
    let roots = if enabled != 0 { TrustRoots::System } else { TrustRoots::BuiltIn };
    // SAFETY: shared contract.
    unsafe { set(options, |c| assign(&mut c.trust_roots, roots)) }
}

/// Sets the proxy: NULL (the default) reads `ALL_PROXY`, `HTTPS_PROXY` or `HTTP_PROXY`
/// and honours `NO_PROXY`; "" connects directly; otherwise a proxy URL such as
/// `http://proxy:3128`, checked by `tv_client_new_with_options`. SOCKS proxies are not
/// supported and are refused (`TV_RESULT_INVALID_ARGUMENT`), from the environment too.
#[no_mangle]
pub unsafe extern "C" fn tv_client_options_set_proxy(
    options: *mut TvClientOptions,
    proxy_url: *const c_char,
) -> TvResult {
    // SAFETY: shared contract.
    unsafe {
        set_text(options, proxy_url, "proxy_url", |c, url| {
            let proxy = match url {
                None => ProxySetting::FromEnvironment,
                Some("") => ProxySetting::Direct,
                Some(url) => ProxySetting::Url(url.to_owned()),
            };
            assign(&mut c.proxy, proxy)
        })
    }
}

/// Caps how many HTTP requests of this client run at once, API calls and download
/// transfers alike: 0 (the default) for no cap, up to 1024. A request over the cap waits
/// for a slot (it notices a cancel or its deadline within 10 ms). Independently of any
/// cap, a 429 answer with a `Retry-After` or `retry-after-ms` hint pauses every API
/// request of the client (polls of waits too) for that long, not only the one that got it.
#[no_mangle]
pub unsafe extern "C" fn tv_client_options_set_max_concurrent_requests(
    options: *mut TvClientOptions,
    max_requests: i64,
) -> TvResult {
    // SAFETY: shared contract.
    unsafe {
        set(options, |c| assign(&mut c.max_concurrent_requests, crate::config::max_concurrent_requests(max_requests)?))
    }
}

/// Sets how many library threads run this client's non-blocking calls (`*_start`): 1 to
/// 64, default 4. They start on first use and end after `tv_client_free`.
#[no_mangle]
pub unsafe extern "C" fn tv_client_options_set_worker_threads(options: *mut TvClientOptions, threads: i64) -> TvResult {
    // SAFETY: shared contract.
    unsafe { set(options, |c| assign(&mut c.worker_threads, crate::config::worker_threads(threads)?)) }
}
