package togethervideo

/*
#include "together_video.h"
*/
import "C"

// The constants are the header's: a line fails to compile (a constant index out of
// range) when a value differs.
var (
	_ = [1]struct{}{}[CodeOK-C.TV_RESULT_OK]
	_ = [1]struct{}{}[CodeInvalidArgument-C.TV_RESULT_INVALID_ARGUMENT]
	_ = [1]struct{}{}[CodeBadRequest-C.TV_RESULT_BAD_REQUEST]
	_ = [1]struct{}{}[CodeAuthentication-C.TV_RESULT_AUTHENTICATION]
	_ = [1]struct{}{}[CodePermissionDenied-C.TV_RESULT_PERMISSION_DENIED]
	_ = [1]struct{}{}[CodeNotFound-C.TV_RESULT_NOT_FOUND]
	_ = [1]struct{}{}[CodeConflict-C.TV_RESULT_CONFLICT]
	_ = [1]struct{}{}[CodeUnprocessable-C.TV_RESULT_UNPROCESSABLE]
	_ = [1]struct{}{}[CodeRateLimited-C.TV_RESULT_RATE_LIMITED]
	_ = [1]struct{}{}[CodeServer-C.TV_RESULT_SERVER]
	_ = [1]struct{}{}[CodeHTTP-C.TV_RESULT_HTTP]
	_ = [1]struct{}{}[CodeTimeout-C.TV_RESULT_TIMEOUT]
	_ = [1]struct{}{}[CodeConnection-C.TV_RESULT_CONNECTION]
	_ = [1]struct{}{}[CodeDecode-C.TV_RESULT_DECODE]
	_ = [1]struct{}{}[CodeCancelled-C.TV_RESULT_CANCELLED]
	_ = [1]struct{}{}[CodeInternal-C.TV_RESULT_INTERNAL]
	_ = [1]struct{}{}[CodeFileSystem-C.TV_RESULT_FILE_SYSTEM]
	_ = [1]struct{}{}[FrameAuto-C.TV_FRAME_AUTO]
	_ = [1]struct{}{}[FrameFirst-C.TV_FRAME_FIRST]
	_ = [1]struct{}{}[FrameLast-C.TV_FRAME_LAST]
	_ = [1]struct{}{}[FrameAt-C.TV_FRAME_AT]
	_ = [1]struct{}{}[EventStatusChanged-C.TV_EVENT_KIND_STATUS_CHANGED]
	_ = [1]struct{}{}[EventDownloadProgress-C.TV_EVENT_KIND_DOWNLOAD_PROGRESS]
	_ = [1]struct{}{}[EventDone-C.TV_EVENT_KIND_DONE]
)
