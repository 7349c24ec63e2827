//! The client's event queue: `tv_client_next_event` and `TvEvent`.

use std::ffi::c_char;
use std::ptr;

use super::boundary::{free, handle, CStrings, Out};
use super::client::TvClient;
use super::error::run;
use super::result::TvResult;
use super::video::TvVideoStatus;
use crate::events::{QueuedEvent, QueuedEventKind};

/// What a `TvEvent` reports. New kinds may be added in a minor release: skip those you
/// do not know.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TvEventKind {
    /// A wait saw its job's status change (its first poll counts): `job_id`, `status`,
    /// `status_raw`.
    StatusChanged = 1,
    /// A download received more bytes: `received`, `total` (-1 when unknown).
    DownloadProgress = 2,
    /// The request is done: `result`; read its outcome with `tv_request_result` on the
    /// request (done by the time this event is taken), then free it.
    Done = 3,
}

/// One event of a client's queue, for the request started with the event `tag` given
/// to `tv_call_options_set_event_tag`. Free it with `tv_event_free`; its strings live as
/// long as it does. Fields that do not apply to its kind are NULL or 0.
///
/// At most one status event and one download progress event of a request wait in the
/// queue: a newer one updates the waiting one in place (the latest values, `coalesced`
/// counting the updates it stands for), so nothing but intermediate states is merged, a
/// request's events come out in order with its done event last (nothing of it follows),
/// and the queue holds at most three events per tagged request whose events were not
/// taken yet, however slowly it is drained. Tag requests only while something takes
/// their events: a done event waits in the queue until taken.
#[repr(C)]
pub struct TvEvent {
    /// `sizeof(TvEvent)` as the library was built; fields are only added at the end.
    pub size: u32,
    pub kind: TvEventKind,
    pub tag: u64,
    pub job_id: *const c_char,
    pub status: TvVideoStatus,
    pub status_raw: *const c_char,
    pub received: u64,
    pub total: i64,
    pub result: TvResult,
    pub coalesced: u32,
}

/// A `TvEvent` and the strings it points into: callers get a pointer to `event`, the
/// first field, so the same address frees both.
#[repr(C)]
struct OwnedEvent {
    event: TvEvent,
    strings: CStrings,
}

/// Takes the next event of `client`'s queue into `*out_event` (free it with
/// `tv_event_free`), waiting up to `timeout_ms` for one: 0 does not wait (for a frame
/// loop), -1 waits as long as it takes (for a worker thread), otherwise 1 to 86400000.
/// When none came in time, `*out_event` is NULL and the result is `TV_RESULT_OK`.
///
/// Only `*_start` requests made with an event tag (`tv_call_options_set_event_tag`)
/// report here; callbacks keep working alongside. Thread-safe: several threads may take
/// events, each event goes to one of them. Do not free the client while a thread waits
/// here: a thread that must stop (before `tv_client_free`) waits with a finite timeout
/// in a loop, since nothing but an event ends a wait of -1.
#[no_mangle]
pub unsafe extern "C" fn tv_client_next_event(
    client: *const TvClient,
    timeout_ms: i64,
    out_event: *mut *mut TvEvent,
) -> TvResult {
    run(ptr::null_mut(), || {
        // SAFETY: NULL or a live client and out-parameter (shared contract).
        let (client, out_event) = unsafe { (handle(client, "client")?, Out::new(out_event, "out_event")?) };
        let timeout = crate::config::event_wait_ms(timeout_ms)?;
        let event = client
            .inner
            .next_event(timeout)
            .map_or(ptr::null_mut(), |event| Box::into_raw(native(event)).cast::<TvEvent>());
        out_event.write(event);
        Ok(())
    })
}

/// Frees an event from `tv_client_next_event`. NULL is fine.
#[no_mangle]
pub unsafe extern "C" fn tv_event_free(event: *mut TvEvent) {
    // SAFETY: NULL or from `tv_client_next_event`, which gave out a boxed OwnedEvent at
    // the address of its first field; not freed before (shared contract).
    unsafe { free(event.cast::<OwnedEvent>()) }
}

fn native(event: QueuedEvent) -> Box<OwnedEvent> {
    let mut strings = CStrings::default();
    let job_id = strings.keep(event.job_id.as_deref());
    let status_raw = strings.keep(event.status_raw.as_deref());
    let event = TvEvent {
        size: std::mem::size_of::<TvEvent>() as u32,
        kind: match event.kind {
            QueuedEventKind::StatusChanged => TvEventKind::StatusChanged,
            QueuedEventKind::DownloadProgress => TvEventKind::DownloadProgress,
            QueuedEventKind::Done => TvEventKind::Done,
        },
        tag: event.tag,
        job_id,
        status: event.status.map_or(TvVideoStatus::Unknown, TvVideoStatus::from),
        status_raw,
        received: event.received,
        total: event.total.and_then(|total| i64::try_from(total).ok()).unwrap_or(-1),
        result: event.error.map_or(TvResult::Ok, TvResult::from),
        coalesced: event.coalesced,
    };
    Box::new(OwnedEvent { event, strings })
}
