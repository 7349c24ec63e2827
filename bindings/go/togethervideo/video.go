package togethervideo

/*
#include "together_video.h"
*/
import "C"

import (
	"math"
	"time"
)

// Status is a job's lifecycle status, as the API spells it. A status this version does
// not know is still a Status, with the server's text.
type Status string

// The statuses the API documents.
const (
	StatusQueued     Status = "queued"
	StatusInProgress Status = "in_progress"
	StatusCompleted  Status = "completed"
	StatusFailed     Status = "failed"
	StatusCancelled  Status = "cancelled"
)

// Terminal reports whether the job will not change any more: completed, failed or
// cancelled.
func (s Status) Terminal() bool {
	return s == StatusCompleted || s == StatusFailed || s == StatusCancelled
}

// Known reports whether s is one of the statuses this version documents.
func (s Status) Known() bool {
	return s == StatusQueued || s == StatusInProgress || s.Terminal()
}

// Video is a video job, copied out of the native library. Absent strings are "";
// absent times are the zero time, as are times the server sent out of time.Time's
// printable range (years 1 to 9999).
type Video struct {
	ID     string
	Object string
	Model  string
	// Status is "" when the server sent none.
	Status      Status
	CreatedAt   time.Time
	CompletedAt time.Time
	// Size is the resolution, e.g. "1366x768".
	Size string
	// Seconds is the clip's length, as text.
	Seconds string
	// ErrorCode and ErrorMessage explain a failed job.
	ErrorCode    string
	ErrorMessage string
	// HasOutputs is true when the job has an outputs object (once completed).
	HasOutputs bool
	// Cost is the job's cost, absent until the job has outputs.
	Cost     Opt[float64]
	VideoURL string

	raw string
}

// RawJSON is the response body exactly as received, for fields this version does not
// know. It is "" for a Video the caller built.
func (v *Video) RawJSON() string {
	return v.raw
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
		Status:       Status(text(native.status_raw)),
		Size:         text(native.size),
		Seconds:      text(native.seconds),
		ErrorCode:    text(native.error_code),
		ErrorMessage: text(native.error_message),
		HasOutputs:   bool(native.has_outputs),
		VideoURL:     text(native.video_url),
		raw:          text(native.json),
	}
	if native.has_outputs {
		video.Cost = Float64(float64(native.cost))
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

// The Unix times of 0001-01-01 and of the end of 9999: time.Time formats years outside
// these as nonsense, so such times count as absent.
const (
	minUnixTime = -62135596800
	maxUnixTime = 253402300799
)

func unixTime(seconds float64) time.Time {
	if math.IsNaN(seconds) || seconds < minUnixTime || seconds > maxUnixTime {
		return time.Time{}
	}
	whole, fraction := math.Modf(seconds)
	return time.Unix(int64(whole), int64(fraction*1e9)).UTC()
}
