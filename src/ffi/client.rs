//! `TvClient` and `TvClientOptions`: building a client from C, and fetching a job.

use std::ffi::{c_char, c_int};
use std::path::PathBuf;
use std::ptr;
use std::sync::Arc;
use std::time::Duration;

use super::boundary::{free, handle, optional_str_arg, out_param, run, run_infallible, str_arg, update};
use super::cancel::TvCancelToken;
use super::error::TvError;
use super::result::TvResult;
use super::video::TvVideo;
use crate::cancel::Call;
use crate::client::Client;
use crate::config::{ClientConfig, ProxySetting, TrustRoots, MAX_RETRIES_LIMIT, MAX_WORKER_THREADS};
use crate::error::Error;

/// The longest timeout accepted by the option setters: one day, in milliseconds.
const MAX_TIMEOUT_MS: u64 = 24 * 60 * 60 * 1000;

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
///
/// # Safety
/// `api_key` must be NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn tv_client_new(api_key: *const c_char) -> *mut TvClient {
    let mut client = ptr::null_mut();
    run(ptr::null_mut(), || {
        // SAFETY: the caller passes NULL or a NUL-terminated string (documented contract).
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
///
/// # Safety
/// `options` must be NULL or a live options object; `out_client` must be NULL or point to
/// writable storage for one pointer; likewise `out_error`.
#[no_mangle]
pub unsafe extern "C" fn tv_client_new_with_options(
    options: *const TvClientOptions,
    out_client: *mut *mut TvClient,
    out_error: *mut *mut TvError,
) -> TvResult {
    run(out_error, || {
        let out_client = out_param(out_client, "out_client")?;
        let default = ClientConfig::default();
        // SAFETY: the caller passes NULL or a live options object (documented contract).
        let config = match unsafe { options.as_ref() } {
            Some(options) => &options.config,
            None => &default,
        };
        let client = new_client(config)?;
        // SAFETY: `out_client` is non-NULL (checked) and points to writable storage (contract).
        unsafe { out_client.write(client) };
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
/// unloading a plugin). Called from inside a callback of this library it does not
/// deadlock: it then cancels the requests but does not wait for the threads, which end
/// by themselves once their work is cancelled.
///
/// # Safety
/// `client` must be NULL or a pointer returned by this library and not yet freed.
#[no_mangle]
pub unsafe extern "C" fn tv_client_free(client: *mut TvClient) {
    run_infallible((), || {
        // SAFETY: NULL or a live client, not in use by another thread (contract).
        if let Some(client) = unsafe { client.as_ref() } {
            client.inner.shutdown();
        }
    });
    // SAFETY: NULL or from `Box::into_raw` in `new_client`, not freed before (contract).
    unsafe { free(client) }
}

/// Fetches a video job: `GET {base}/videos/{id}`, retrying 408, 409, 429, 5xx and
/// connection failures as configured (honouring `Retry-After`).
///
/// `id` is sent as one percent-encoded path segment; an empty id, `.`, `..`, an id over
/// 1024 bytes or one with a control character is `TV_RESULT_INVALID_ARGUMENT` and no
/// request is sent. NULL `client`, `id` or `out_video` is `TV_RESULT_INVALID_ARGUMENT`.
///
/// On success writes a new `TvVideo` to `*out_video` (free it with `tv_video_free`) and
/// returns `TV_RESULT_OK`; a job that failed on the server is still a success here: read
/// its `status` and `error_*` fields. On failure returns the code, leaves `*out_video`
/// untouched, and writes a new `TvError` to `*out_error` when `out_error` is not NULL
/// (free it with `tv_error_free`).
///
/// Blocks for up to the client's timeout per attempt. Thread-safe: many threads may call
/// it on one client at once.
///
/// # Safety
/// `client` must be NULL or a live client; `id` NULL or a NUL-terminated string;
/// `out_video` and `out_error` NULL or pointing to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn tv_get_video(
    client: *const TvClient,
    id: *const c_char,
    out_video: *mut *mut TvVideo,
    out_error: *mut *mut TvError,
) -> TvResult {
    run(out_error, || {
        // SAFETY: NULL or a live client, not being freed concurrently (documented contract).
        let client = unsafe { handle(client, "client") }?;
        // SAFETY: NULL or a NUL-terminated string (documented contract).
        let id = unsafe { str_arg(id, "id") }?;
        let out_video = out_param(out_video, "out_video")?;
        let video = TvVideo::allocate(client.inner.get_video(id)?)?;
        // SAFETY: `out_video` is non-NULL (checked) and points to writable storage (contract).
        unsafe { out_video.write(video) };
        Ok(())
    })
}

/// Creates an options object holding the defaults: key from `TOGETHER_API_KEY`, base URL
/// from `TOGETHER_BASE_URL` or Together's, connect timeout 5 s, timeout 60 s, 2 retries,
/// Mozilla's root certificates (built in), proxy from the environment.
/// Free it with `tv_client_options_free`. NULL only if the library failed internally.
#[no_mangle]
pub extern "C" fn tv_client_options_new() -> *mut TvClientOptions {
    run_infallible(ptr::null_mut(), || Box::into_raw(Box::new(TvClientOptions { config: ClientConfig::default() })))
}

/// Frees an options object. NULL is fine. Must not be called twice.
///
/// # Safety
/// `options` must be NULL or a pointer returned by `tv_client_options_new`, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn tv_client_options_free(options: *mut TvClientOptions) {
    // SAFETY: NULL or from `Box::into_raw` in `tv_client_options_new`, not freed before.
    unsafe { free(options) }
}

/// Applies `change` to a live options object, inside the panic boundary.
///
/// # Safety
/// `options` must be NULL or a live options object not used by another thread.
unsafe fn set(options: *mut TvClientOptions, change: impl FnOnce(&mut ClientConfig) -> Result<(), Error>) -> TvResult {
    // SAFETY: forwarded contract of the calling setter.
    unsafe { update(options, "options", |options| change(&mut options.config)) }
}

pub(super) fn timeout(ms: u64, name: &str) -> Result<Duration, Error> {
    if ms == 0 || ms > MAX_TIMEOUT_MS {
        return Err(Error::invalid(format!("{name} must be between 1 and {MAX_TIMEOUT_MS} ms, not {ms}")));
    }
    Ok(Duration::from_millis(ms))
}

/// Sets the API key; NULL or "" means `TOGETHER_API_KEY`. The key is copied.
/// Returns `TV_RESULT_INVALID_ARGUMENT` for NULL `options` or invalid UTF-8.
///
/// # Safety
/// `options` must be NULL or a live options object; `api_key` NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn tv_client_options_set_api_key(
    options: *mut TvClientOptions,
    api_key: *const c_char,
) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(options, |config| {
            config.api_key = optional_str_arg(api_key, "api_key")?.map(str::to_owned);
            Ok(())
        })
    }
}

/// Sets the base URL, used exactly as given (e.g. `http://127.0.0.1:8080/v2`); NULL means
/// `TOGETHER_BASE_URL` or Together's. Checked by `tv_client_new_with_options`.
///
/// # Safety
/// `options` must be NULL or a live options object; `base_url` NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn tv_client_options_set_base_url(
    options: *mut TvClientOptions,
    base_url: *const c_char,
) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(options, |config| {
            config.base_url = optional_str_arg(base_url, "base_url")?.map(str::to_owned);
            Ok(())
        })
    }
}

/// Sets how long connecting (DNS, TCP, TLS) may take, in milliseconds: 1 to 86400000.
/// Default 5000.
///
/// # Safety
/// `options` must be NULL or a live options object.
#[no_mangle]
pub unsafe extern "C" fn tv_client_options_set_connect_timeout_ms(options: *mut TvClientOptions, ms: u64) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(options, |config| {
            config.connect_timeout = timeout(ms, "connect timeout")?;
            Ok(())
        })
    }
}

/// Sets how long one attempt may take from connecting to the last byte of the response,
/// in milliseconds: 1 to 86400000. Default 60000. Retries each get a fresh timeout.
///
/// # Safety
/// `options` must be NULL or a live options object.
#[no_mangle]
pub unsafe extern "C" fn tv_client_options_set_timeout_ms(options: *mut TvClientOptions, ms: u64) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(options, |config| {
            config.timeout = timeout(ms, "timeout")?;
            Ok(())
        })
    }
}

/// Sets how many times a failed request is retried: 0 to 10. Default 2.
///
/// # Safety
/// `options` must be NULL or a live options object.
#[no_mangle]
pub unsafe extern "C" fn tv_client_options_set_max_retries(
    options: *mut TvClientOptions,
    max_retries: u32,
) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(options, |config| {
            if max_retries > MAX_RETRIES_LIMIT {
                return Err(Error::invalid(format!(
                    "max retries must be at most {MAX_RETRIES_LIMIT}, not {max_retries}"
                )));
            }
            config.max_retries = max_retries;
            Ok(())
        })
    }
}

/// Appends printable ASCII text to the User-Agent (`together-video/<version> <suffix>`),
/// e.g. "my-game/1.2". NULL or "" removes it.
///
/// # Safety
/// `options` must be NULL or a live options object; `suffix` NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn tv_client_options_set_user_agent_suffix(
    options: *mut TvClientOptions,
    suffix: *const c_char,
) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(options, |config| {
            config.user_agent_suffix = optional_str_arg(suffix, "suffix")?.map(str::to_owned);
            Ok(())
        })
    }
}

/// Trusts only the certificates in a PEM file (like curl's `--cacert`), e.g. a corporate
/// proxy's CA bundle. The file is read by `tv_client_new_with_options`. NULL goes back to
/// the built-in roots. Replaces any earlier `tv_client_options_set_system_roots`.
///
/// # Safety
/// `options` must be NULL or a live options object; `pem_path` NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn tv_client_options_set_ca_file(
    options: *mut TvClientOptions,
    pem_path: *const c_char,
) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(options, |config| {
            config.trust_roots = match optional_str_arg(pem_path, "pem_path")? {
                Some(path) => TrustRoots::PemFile(PathBuf::from(path)),
                None => TrustRoots::BuiltIn,
            };
            Ok(())
        })
    }
}

/// Non-zero: verify servers with the operating system's certificate store (where a
/// corporate proxy's CA is usually installed) instead of the built-in roots. Zero: back to
/// the built-in roots. Replaces any earlier `tv_client_options_set_ca_file`.
///
/// # Safety
/// `options` must be NULL or a live options object.
#[no_mangle]
pub unsafe extern "C" fn tv_client_options_set_system_roots(options: *mut TvClientOptions, enabled: c_int) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(options, |config| {
            config.trust_roots = if enabled != 0 { TrustRoots::System } else { TrustRoots::BuiltIn };
            Ok(())
        })
    }
}

/// Sets the proxy: NULL (the default) reads `ALL_PROXY`, `HTTPS_PROXY` or `HTTP_PROXY`
/// and honours `NO_PROXY`; "" connects directly; otherwise a proxy URL such as
/// `http://proxy:3128`, checked by `tv_client_new_with_options`. SOCKS proxies are not
/// supported and are refused (`TV_RESULT_INVALID_ARGUMENT`), from the environment too.
///
/// # Safety
/// `options` must be NULL or a live options object; `proxy_url` NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn tv_client_options_set_proxy(
    options: *mut TvClientOptions,
    proxy_url: *const c_char,
) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(options, |config| {
            config.proxy = match optional_str_arg(proxy_url, "proxy_url")? {
                None => ProxySetting::FromEnvironment,
                Some("") => ProxySetting::Direct,
                Some(url) => ProxySetting::Url(url.to_owned()),
            };
            Ok(())
        })
    }
}

/// Sets how many library threads run this client's non-blocking calls (`*_start`): 1 to
/// 64, default 4. They start on first use and end after `tv_client_free`.
///
/// # Safety
/// `options` must be NULL or a live options object.
#[no_mangle]
pub unsafe extern "C" fn tv_client_options_set_worker_threads(options: *mut TvClientOptions, threads: u32) -> TvResult {
    // SAFETY: forwarded contract.
    unsafe {
        set(options, |config| {
            let threads = threads as usize;
            if !(1..=MAX_WORKER_THREADS).contains(&threads) {
                return Err(Error::invalid(format!(
                    "worker threads must be from 1 to {MAX_WORKER_THREADS}, not {threads}"
                )));
            }
            config.worker_threads = threads;
            Ok(())
        })
    }
}

/// `tv_get_video` that `token` can cancel from another thread (`TV_RESULT_CANCELLED`),
/// even while the request waits on a server that stopped answering. It blocks the
/// calling thread like `tv_get_video` and needs no library thread, which makes it the
/// cheapest cancellable call (bindings use it to honour their own cancellation). NULL
/// `token` behaves as `tv_get_video`.
///
/// # Safety
/// As `tv_get_video`; `token` NULL or a live token.
#[no_mangle]
pub unsafe extern "C" fn tv_get_video_cancellable(
    client: *const TvClient,
    id: *const c_char,
    token: *const TvCancelToken,
    out_video: *mut *mut TvVideo,
    out_error: *mut *mut TvError,
) -> TvResult {
    run(out_error, || {
        // SAFETY: NULL or live handles and strings, not freed concurrently (contract).
        let (client, id, token) = unsafe { (handle(client, "client")?, str_arg(id, "id")?, token.as_ref()) };
        let out_video = out_param(out_video, "out_video")?;
        // Our own reference: the caller may free the token while the call runs.
        let token = token.map(|token| token.token.clone());
        let call = Call { deadline: None, cancel: token.as_ref() };
        let video = TvVideo::allocate(client.inner.get_video_with(id, call)?)?;
        // SAFETY: `out_video` is non-NULL (checked) and points to writable storage (contract).
        unsafe { out_video.write(video) };
        Ok(())
    })
}
