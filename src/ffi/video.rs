//! `TvVideo`: a video job laid out for C, with its strings in one library-owned allocation.

use std::ffi::{c_char, CString};
use std::ptr;

use super::boundary::{optional_str_arg, out_param, run, run_infallible, str_arg};
use super::error::TvError;
use super::result::TvResult;
use crate::error::Error;
use crate::model::{Video, VideoStatus};

/// The status of a job. `TV_VIDEO_STATUS_UNKNOWN` (0) stands for any status this version
/// does not know: read `status_raw` for the server's text. New values may be added in a
/// minor release; treat an unknown value like `TV_VIDEO_STATUS_UNKNOWN`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TvVideoStatus {
    Unknown = 0,
    Queued = 1,
    InProgress = 2,
    Completed = 3,
    Failed = 4,
    Cancelled = 5,
}

impl From<VideoStatus> for TvVideoStatus {
    fn from(status: VideoStatus) -> TvVideoStatus {
        match status {
            VideoStatus::Unknown => TvVideoStatus::Unknown,
            VideoStatus::Queued => TvVideoStatus::Queued,
            VideoStatus::InProgress => TvVideoStatus::InProgress,
            VideoStatus::Completed => TvVideoStatus::Completed,
            VideoStatus::Failed => TvVideoStatus::Failed,
            VideoStatus::Cancelled => TvVideoStatus::Cancelled,
        }
    }
}

/// A video job. Allocated by the library only (never declare one yourself: fields may be
/// appended in a minor release) and freed with `tv_video_free`. Every string is
/// NUL-terminated UTF-8 owned by the video, valid until `tv_video_free`. Read-only: it may
/// be read from several threads at once.
#[repr(C)]
pub struct TvVideo {
    /// The job id. Never NULL.
    pub id: *const c_char,
    /// Always "video" today; NULL when absent.
    pub object: *const c_char,
    /// The model; NULL when absent (older create responses omit it).
    pub model: *const c_char,
    pub status: TvVideoStatus,
    /// The status exactly as the server sent it. Never NULL.
    pub status_raw: *const c_char,
    /// Unix time in seconds; 0 when absent.
    pub created_at: f64,
    pub has_completed_at: bool,
    /// Unix time in seconds; meaningful only when `has_completed_at`.
    pub completed_at: f64,
    /// The resolution, e.g. "1366x768"; NULL when absent.
    pub size: *const c_char,
    /// The clip's duration in seconds, as text; NULL when absent.
    pub seconds: *const c_char,
    /// The failure's code; NULL when the job has no error object or it has no code.
    pub error_code: *const c_char,
    /// The failure's message; NULL when the job has no error object or it has no message.
    pub error_message: *const c_char,
    /// True when the job has an `outputs` object (usually once completed).
    pub has_outputs: bool,
    /// The cost charged (the docs show decimals such as 0.28); 0 when absent.
    pub cost: f64,
    /// Where to download the video; NULL when absent.
    pub video_url: *const c_char,
    /// The response body exactly as received. Never NULL.
    pub json: *const c_char,
}

/// The allocation behind a `*mut TvVideo`: the C view first, then the strings it points
/// into, owned as raw pointers (from `CString::into_raw`) so that nothing moving the
/// allocation around can invalidate the pointers C holds.
#[repr(C)]
struct VideoAllocation {
    video: TvVideo,
    strings: Vec<*mut c_char>,
}

impl Drop for VideoAllocation {
    fn drop(&mut self) {
        for text in self.strings.drain(..) {
            // SAFETY: every pointer here came from `CString::into_raw` in `keep`, once.
            drop(unsafe { CString::from_raw(text) });
        }
    }
}

impl VideoAllocation {
    fn keep(&mut self, text: String) -> Result<*const c_char, Error> {
        let text = CString::new(text).map_err(|_| Error::decode("response text contains a NUL character"))?;
        let pointer = text.into_raw();
        self.strings.push(pointer);
        Ok(pointer)
    }

    fn keep_optional(&mut self, text: Option<String>) -> Result<*const c_char, Error> {
        text.map_or(Ok(ptr::null()), |text| self.keep(text))
    }
}

impl TvVideo {
    /// Moves a decoded video into one C allocation. Free it with `tv_video_free`.
    pub(super) fn allocate(video: Video) -> Result<*mut TvVideo, Error> {
        let mut allocation = VideoAllocation {
            video: TvVideo {
                id: ptr::null(),
                object: ptr::null(),
                model: ptr::null(),
                status: video.status.into(),
                status_raw: ptr::null(),
                created_at: video.created_at.unwrap_or(0.0),
                has_completed_at: video.completed_at.is_some(),
                completed_at: video.completed_at.unwrap_or(0.0),
                size: ptr::null(),
                seconds: ptr::null(),
                error_code: ptr::null(),
                error_message: ptr::null(),
                has_outputs: video.outputs.is_some(),
                cost: video.outputs.as_ref().and_then(|o| o.cost).unwrap_or(0.0),
                video_url: ptr::null(),
                json: ptr::null(),
            },
            strings: Vec::with_capacity(12),
        };
        let (error_code, error_message) = video.error.map_or((None, None), |e| (e.code, e.message));
        allocation.video.id = allocation.keep(video.id)?;
        allocation.video.object = allocation.keep_optional(video.object)?;
        allocation.video.model = allocation.keep_optional(video.model)?;
        allocation.video.status_raw = allocation.keep(video.status_raw)?;
        allocation.video.size = allocation.keep_optional(video.size)?;
        allocation.video.seconds = allocation.keep_optional(video.seconds)?;
        allocation.video.error_code = allocation.keep_optional(error_code)?;
        allocation.video.error_message = allocation.keep_optional(error_message)?;
        allocation.video.video_url = allocation.keep_optional(video.outputs.and_then(|o| o.video_url))?;
        allocation.video.json = allocation.keep(video.json)?;
        // `video` is the first field of a repr(C) struct, so both pointers are the same address.
        Ok(Box::into_raw(Box::new(allocation)).cast::<TvVideo>())
    }
}

/// Frees a video and every string in it. NULL is fine. Must not be called twice for the
/// same video, nor while another thread reads it.
///
/// # Safety
/// `video` must be NULL or a pointer returned by this library and not yet freed.
#[no_mangle]
pub unsafe extern "C" fn tv_video_free(video: *mut TvVideo) {
    run_infallible((), || {
        if !video.is_null() {
            // SAFETY: every non-NULL `*mut TvVideo` the library hands out points to the
            // first field of a boxed, repr(C) `VideoAllocation` (see `allocate`), and the
            // caller promises it was not freed before.
            drop(unsafe { Box::from_raw(video.cast::<VideoAllocation>()) });
        }
    })
}

impl TvVideo {
    /// What a download needs of a `TvVideo` the library made: id, status and URL.
    ///
    /// # Safety
    /// `self` must be a live TvVideo from this library (its strings valid).
    pub(super) unsafe fn download_target(&self) -> Result<Video, Error> {
        // SAFETY: the library made every string field NULL or NUL-terminated (contract).
        let text = |pointer: *const c_char| unsafe { optional_str_arg(pointer, "video") };
        Ok(Video {
            id: text(self.id)?.unwrap_or_default().to_owned(),
            object: None,
            model: None,
            status: VideoStatus::parse(text(self.status_raw)?.unwrap_or_default()),
            status_raw: text(self.status_raw)?.unwrap_or_default().to_owned(),
            created_at: None,
            completed_at: None,
            size: None,
            seconds: None,
            error: None,
            outputs: Some(crate::model::Outputs { cost: None, video_url: text(self.video_url)?.map(str::to_owned) }),
            json: String::new(),
        })
    }
}

/// Decodes a video job from its JSON (such as the `json` field of a `TvVideo` saved
/// earlier), with the same rules as a response. On success writes a new `TvVideo` to
/// `*out_video` (free it with `tv_video_free`); an invalid job is `TV_RESULT_DECODE`,
/// NULL or invalid UTF-8 `TV_RESULT_INVALID_ARGUMENT`. Thread-safe.
///
/// # Safety
/// `json` must be NULL or a NUL-terminated string; `out_video` and `out_error` NULL or
/// pointing to writable storage for one pointer.
#[no_mangle]
pub unsafe extern "C" fn tv_video_from_json(
    json: *const c_char,
    out_video: *mut *mut TvVideo,
    out_error: *mut *mut TvError,
) -> TvResult {
    run(out_error, || {
        // SAFETY: NULL or a NUL-terminated string (contract).
        let json = unsafe { str_arg(json, "json") }?;
        let out_video = out_param(out_video, "out_video")?;
        let video = TvVideo::allocate(Video::from_json(json.as_bytes().to_vec())?)?;
        // SAFETY: `out_video` is non-NULL (checked) and points to writable storage (contract).
        unsafe { out_video.write(video) };
        Ok(())
    })
}
