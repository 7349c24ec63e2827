//! `TvVideo`: a video job laid out for C, with its strings in one library-owned allocation.

use std::ffi::c_char;
use std::ptr;

use super::boundary::{run_infallible, str_arg, Out};
use super::error::{run, TvError};
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

/// The allocation behind a `*mut TvVideo`: the C view first, then one buffer holding all
/// its strings, NUL-terminated back to back. The buffer is owned as a raw pointer (from
/// `Box::into_raw`) so that nothing moving the allocation around can invalidate the
/// pointers C holds.
#[repr(C)]
struct VideoAllocation {
    video: TvVideo,
    text: *mut [u8],
}

impl Drop for VideoAllocation {
    fn drop(&mut self) {
        // SAFETY: `text` came from `Box::into_raw` in `allocate` and is freed here only, once.
        drop(unsafe { Box::from_raw(self.text) });
    }
}

impl TvVideo {
    /// Copies a decoded video into one C allocation. Free it with `tv_video_free`.
    pub(super) fn allocate(video: &Video) -> Result<*mut TvVideo, Error> {
        let (error_code, error_message) =
            video.error.as_ref().map_or((None, None), |e| (e.code.as_deref(), e.message.as_deref()));
        let video_url = video.outputs.as_ref().and_then(|o| o.video_url.as_deref());
        let texts = [
            Some(video.id.as_str()),
            video.object.as_deref(),
            video.model.as_deref(),
            Some(video.status_raw.as_str()),
            video.size.as_deref(),
            video.seconds.as_deref(),
            error_code,
            error_message,
            video_url,
            Some(video.json.as_str()),
        ];
        if texts.iter().flatten().any(|text| text.as_bytes().contains(&0)) {
            return Err(Error::decode("response text contains a NUL character"));
        }
        let mut buffer = Vec::with_capacity(texts.iter().flatten().map(|text| text.len() + 1).sum());
        let offsets = texts.map(|text| {
            text.map(|text| {
                let offset = buffer.len();
                buffer.extend_from_slice(text.as_bytes());
                buffer.push(0);
                offset
            })
        });
        let text = Box::into_raw(buffer.into_boxed_slice());
        let start = text.cast::<u8>().cast_const();
        let string = |index: usize| offsets[index].map_or(ptr::null(), |offset| start.wrapping_add(offset).cast());
        let allocation = VideoAllocation {
            video: TvVideo {
                id: string(0),
                object: string(1),
                model: string(2),
                status: video.status.into(),
                status_raw: string(3),
                created_at: video.created_at.unwrap_or(0.0),
                has_completed_at: video.completed_at.is_some(),
                completed_at: video.completed_at.unwrap_or(0.0),
                size: string(4),
                seconds: string(5),
                error_code: string(6),
                error_message: string(7),
                has_outputs: video.outputs.is_some(),
                cost: video.outputs.as_ref().and_then(|o| o.cost).unwrap_or(0.0),
                video_url: string(8),
                json: string(9),
            },
            text,
        };
        // `video` is the first field of a repr(C) struct, so both pointers are the same address.
        Ok(Box::into_raw(Box::new(allocation)).cast::<TvVideo>())
    }
}

/// Frees a video and every string in it. NULL is fine. Must not be called twice for the
/// same video, nor while another thread reads it.
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

/// Decodes a video job from its JSON (such as the `json` field of a `TvVideo` saved
/// earlier), with the same rules as a response. On success writes a new `TvVideo` to
/// `*out_video` (free it with `tv_video_free`); an invalid job is `TV_RESULT_DECODE`,
/// NULL or invalid UTF-8 `TV_RESULT_INVALID_ARGUMENT`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn tv_video_from_json(
    json: *const c_char,
    out_video: *mut *mut TvVideo,
    out_error: *mut *mut TvError,
) -> TvResult {
    run(out_error, || {
        // SAFETY: NULL or a NUL-terminated string and writable out-parameter (shared contract).
        let (json, out_video) = unsafe { (str_arg(json, "json")?, Out::new(out_video, "out_video")?) };
        out_video.write(TvVideo::allocate(&Video::from_json(json.as_bytes().to_vec())?)?);
        Ok(())
    })
}
