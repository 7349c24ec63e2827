package together

/*
#include "together_video.h"
*/
import "C"

import (
	"math"
	"time"
)

// Status is a job's lifecycle status. StatusUnknown stands for any status this version
// does not know: Video.StatusRaw has the server's text.
type Status int

// The statuses.
const (
	StatusUnknown    Status = C.TV_VIDEO_STATUS_UNKNOWN
	StatusQueued     Status = C.TV_VIDEO_STATUS_QUEUED
	StatusInProgress Status = C.TV_VIDEO_STATUS_IN_PROGRESS
	StatusCompleted  Status = C.TV_VIDEO_STATUS_COMPLETED
	StatusFailed     Status = C.TV_VIDEO_STATUS_FAILED
	StatusCancelled  Status = C.TV_VIDEO_STATUS_CANCELLED
)

// String is the status as the API spells it ("in_progress"), or "unknown".
func (s Status) String() string {
	switch s {
	case StatusQueued:
		return "queued"
	case StatusInProgress:
		return "in_progress"
	case StatusCompleted:
		return "completed"
	case StatusFailed:
		return "failed"
	case StatusCancelled:
		return "cancelled"
	}
	return "unknown"
}

// Terminal reports whether the job will not change any more.
func (s Status) Terminal() bool {
	return s == StatusCompleted || s == StatusFailed || s == StatusCancelled
}

// Video is a video job, copied out of the native library. Absent strings are "";
// absent times are the zero time.
type Video struct {
	ID     string
	Object string
	Model  string
	Status Status
	// StatusRaw is the status exactly as the server sent it.
	StatusRaw   string
	CreatedAt   time.Time
	CompletedAt time.Time
	// Size is the resolution, e.g. "1366x768".
	Size string
	// Seconds is the clip's length, as text.
	Seconds      string
	ErrorCode    string
	ErrorMessage string
	// HasOutputs is true when the job has an outputs object (once completed).
	HasOutputs bool
	Cost       float64
	VideoURL   string
	// JSON is the response body as received.
	JSON string
}

// copyVideo copies a native video into Go. It does not free it.
func copyVideo(native *C.TvVideo) *Video {
	text := func(s *C.char) string {
		if s == nil {
			return ""
		}
		return C.GoString(s)
	}
	video := &Video{
		ID:           text(native.id),
		Object:       text(native.object),
		Model:        text(native.model),
		Status:       Status(native.status),
		StatusRaw:    text(native.status_raw),
		Size:         text(native.size),
		Seconds:      text(native.seconds),
		ErrorCode:    text(native.error_code),
		ErrorMessage: text(native.error_message),
		HasOutputs:   bool(native.has_outputs),
		Cost:         float64(native.cost),
		VideoURL:     text(native.video_url),
		JSON:         text(native.json),
	}
	if native.created_at != 0 {
		video.CreatedAt = unixTime(float64(native.created_at))
	}
	if native.has_completed_at {
		video.CompletedAt = unixTime(float64(native.completed_at))
	}
	return video
}

// takeVideo copies a native video into Go and frees it.
func takeVideo(native *C.TvVideo) *Video {
	defer C.tv_video_free(native)
	return copyVideo(native)
}

func unixTime(seconds float64) time.Time {
	whole, fraction := math.Modf(seconds)
	return time.Unix(int64(whole), int64(fraction*1e9)).UTC()
}
