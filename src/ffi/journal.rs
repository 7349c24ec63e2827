//! The job journal from C: setting it, listing what is unfinished, resuming a job.

use std::ffi::c_char;
use std::path::PathBuf;
use std::ptr;

use super::boundary::{assign, free, handle, optional_str_arg, run_infallible, str_arg, CStrings, Out};
use super::call::TvCallOptions;
use super::client::{set, TvClient, TvClientOptions};
use super::error::{run, TvError};
use super::request::{start, TvRequest};
use super::result::TvResult;
use super::video::TvVideo;
use super::wait::TvWaitOptions;
use crate::journal::JournalJob;

/// Keeps a journal of this client's jobs in the file at `path` (NULL: none, the
/// default): each job it creates is recorded, durably, before the call returns it, then
/// its terminal status and its download by job id (destination, completion). After a
/// crash or a restart, `tv_journal_unfinished` lists what is left and `tv_resume_job`
/// finishes each. The journal is an append-only log of checksummed lines, fsynced per
/// record, compacted when a client opens it and as records pile up; it never holds the
/// API key. A journal that cannot record something (a full disk) does not fail the
/// call: a created job is still returned, and the log callback gets an error event
/// (`TV_LOG_EVENT_KIND_JOURNAL_FAILED`). A damaged line inside the file is skipped and
/// the file kept as `<path>.damaged-<time>`. A relative `path` is resolved against the
/// working directory when the client is created. One client at a time may use a journal (a second, in any process, gets `TV_RESULT_INVALID_ARGUMENT`
/// from `tv_client_new_with_options`); `<path>.lock` beside it holds the lock.
#[no_mangle]
pub unsafe extern "C" fn tv_client_options_set_journal(options: *mut TvClientOptions, path: *const c_char) -> TvResult {
    // SAFETY: shared contract.
    unsafe {
        set(options, |config| {
            let path = optional_str_arg(path, "path")?.map(PathBuf::from);
            assign(&mut config.journal, path)
        })
    }
}

/// One entry of the journal, from `tv_journal_jobs_get`. Strings live as long as the
/// list they came in.
///
/// ABI: fields are only ever added at the end; `size` is `sizeof(TvJournalJob)` as the
/// library was built, so read a field added later only when `size` covers it. (Hence
/// the accessor: an array indexed with the caller's `sizeof` would break when it grows.)
#[repr(C)]
pub struct TvJournalJob {
    pub size: u32,
    /// The journal's number for the entry, for `tv_journal_forget`.
    pub entry: u64,
    /// The job's id; NULL for a create that was sent but whose answer never came (the
    /// job may exist: compare `model`, `created_at` and `request_hash` with your records).
    pub id: *const c_char,
    pub model: *const c_char,
    /// Unix seconds when the create was sent.
    pub created_at: f64,
    /// A hash of the create's body (FNV-1a 64, hex).
    pub request_hash: *const c_char,
    /// The last status the client saw; NULL before any.
    pub status_raw: *const c_char,
    /// Where a download of it was going; NULL when none started.
    pub destination: *const c_char,
}

/// What `tv_journal_unfinished` returns: `count` entries, oldest first, each read with
/// `tv_journal_jobs_get`. Free it with `tv_journal_jobs_free`.
#[repr(C)]
pub struct TvJournalJobs {
    pub count: usize,
}

/// The list and what it points into; callers get the address of `list`, the first field.
#[repr(C)]
struct OwnedJobs {
    list: TvJournalJobs,
    jobs: Vec<TvJournalJob>,
    strings: CStrings,
}

/// Writes to `*out_jobs` the journal's entries that still need the application: jobs
/// not terminal, jobs completed but not downloaded, and creates whose answer never came.
/// `TV_RESULT_INVALID_ARGUMENT` when the client has no journal. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn tv_journal_unfinished(client: *const TvClient, out_jobs: *mut *mut TvJournalJobs) -> TvResult {
    run(ptr::null_mut(), || {
        // SAFETY: NULL or a live client and out-parameter (shared contract).
        let (client, out_jobs) = unsafe { (handle(client, "client")?, Out::new(out_jobs, "out_jobs")?) };
        let jobs = client.inner.journal_unfinished()?;
        out_jobs.write(Box::into_raw(native(jobs)).cast::<TvJournalJobs>());
        Ok(())
    })
}

/// Entry `index` (0 to `count - 1`) of `jobs`, valid as long as the list; NULL for NULL
/// `jobs` or an index out of range. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn tv_journal_jobs_get(jobs: *const TvJournalJobs, index: usize) -> *const TvJournalJob {
    run_infallible(ptr::null(), || {
        // SAFETY: NULL or from `tv_journal_unfinished`, which gave out a boxed OwnedJobs at
        // the address of its first field, not freed (shared contract).
        let Some(owned) = (unsafe { jobs.cast::<OwnedJobs>().as_ref() }) else { return ptr::null() };
        owned.jobs.get(index).map_or(ptr::null(), |job| job as *const TvJournalJob)
    })
}

/// Frees a list from `tv_journal_unfinished`. NULL is fine.
#[no_mangle]
pub unsafe extern "C" fn tv_journal_jobs_free(jobs: *mut TvJournalJobs) {
    // SAFETY: NULL or from `tv_journal_unfinished`, which gave out a boxed OwnedJobs at the
    // address of its first field; not freed before (shared contract).
    unsafe { free(jobs.cast::<OwnedJobs>()) }
}

/// Drops entry `entry` from the journal: the application is done with it (say, an
/// unanswered create it has dealt with). An unknown entry is fine.
#[no_mangle]
pub unsafe extern "C" fn tv_journal_forget(client: *const TvClient, entry: u64) -> TvResult {
    run(ptr::null_mut(), || {
        // SAFETY: NULL or a live client (shared contract).
        let client = unsafe { handle(client, "client") }?;
        client.inner.journal_forget(entry)
    })
}

/// Finishes job `id` after a restart: waits for it as `tv_wait_video` (with `wait`,
/// which may be NULL) and, once completed, downloads its video to `path`, or (NULL
/// `path`) where the journal says a download of it was going (else
/// `TV_RESULT_INVALID_ARGUMENT`). Writes its final state to `*out_video`; a job that
/// failed is returned, not downloaded.
#[no_mangle]
pub unsafe extern "C" fn tv_resume_job(
    client: *const TvClient,
    id: *const c_char,
    path: *const c_char,
    wait: *const TvWaitOptions,
    call: *const TvCallOptions,
    out_video: *mut *mut TvVideo,
    out_error: *mut *mut TvError,
) -> TvResult {
    run(out_error, || {
        // SAFETY: NULL or live handles, strings and out-parameters (shared contract).
        let (client, id, path, wait, call, out_video) = unsafe {
            (
                handle(client, "client")?,
                str_arg(id, "id")?,
                optional_str_arg(path, "path")?,
                wait.as_ref(),
                call.as_ref(),
                Out::new(out_video, "out_video")?,
            )
        };
        let options = TvCallOptions::of(call);
        let wait = TvWaitOptions::of(wait);
        let video = client.inner.resume_job(id, path.map(std::path::Path::new), &wait, options.call())?;
        out_video.write(TvVideo::allocate(&video)?);
        Ok(())
    })
}

/// `tv_resume_job` without blocking; the request's result is the `TvVideo`. It holds one
/// of the client's worker threads while it waits: to resume many jobs at once, give the
/// client more (`tv_client_options_set_worker_threads`).
#[no_mangle]
pub unsafe extern "C" fn tv_resume_job_start(
    client: *const TvClient,
    id: *const c_char,
    path: *const c_char,
    wait: *const TvWaitOptions,
    call: *const TvCallOptions,
    out_request: *mut *mut TvRequest,
    out_error: *mut *mut TvError,
) -> TvResult {
    start(out_request, out_error, || {
        // SAFETY: NULL or live handles and strings (shared contract).
        let (client, id, path, wait, call) = unsafe {
            (
                handle(client, "client")?,
                str_arg(id, "id")?,
                optional_str_arg(path, "path")?,
                wait.as_ref(),
                call.as_ref(),
            )
        };
        let wait = TvWaitOptions::of(wait);
        client.inner.resume_job_start(id, path.map(PathBuf::from), wait, &TvCallOptions::of(call))
    })
}

fn native(jobs: Vec<JournalJob>) -> Box<OwnedJobs> {
    let mut strings = CStrings::default();
    let native: Vec<TvJournalJob> = jobs
        .iter()
        .map(|job| TvJournalJob {
            size: std::mem::size_of::<TvJournalJob>() as u32,
            entry: job.entry,
            id: strings.keep(job.id.as_deref()),
            model: strings.keep(Some(&job.model)),
            created_at: job.created_at,
            request_hash: strings.keep(Some(&job.request_hash)),
            status_raw: strings.keep(job.status.as_deref()),
            destination: strings.keep(job.destination.as_ref().map(|path| path.to_string_lossy()).as_deref()),
        })
        .collect();
    let list = TvJournalJobs { count: native.len() };
    // Moving a Vec or a CString moves only its pointer: the entries and their text stay put.
    Box::new(OwnedJobs { list, jobs: native, strings })
}
