package together

/*
#include <stdint.h>
#include <stdlib.h>
#include "together_video.h"

enum TvResult tv_go_download_options_set_progress(TvDownloadOptions *options, uintptr_t handle);
enum TvResult tv_go_download_to_writer_start(const TvClient *client, const TvVideo *video, uintptr_t handle,
                                        const TvDownloadOptions *options, TvRequest **out_request,
                                        TvError **out_error);
*/
import "C"

import (
	"context"
	"fmt"
	"io"
	"os"
	"unsafe"
)

// Progress, if not nil, is told the bytes received so far and the total (-1 when
// unknown). It runs on a library thread.
type Progress func(received, total int64)

// Download streams a completed job's video into w and returns the bytes written. The
// API key is never sent to the video host; an HTML or JSON page or bytes that are not
// MP4 or WebM fail with ErrDecode; an interrupted transfer resumes when the server
// allows ranges. w is written from a library thread, one call at a time.
func (c *Client) Download(ctx context.Context, video *Video, w io.Writer, progress Progress) (int64, error) {
	if w == nil {
		return 0, invalidArgument("writer is nil")
	}
	state := &callbackState{writer: w, bytes: progress}
	err := c.download(ctx, video, state, func(client *C.TvClient, native *C.TvVideo, handle C.uintptr_t,
		options *C.TvDownloadOptions, request **C.TvRequest, nativeErr **C.TvError) C.enum_TvResult {
		return C.tv_go_download_to_writer_start(client, native, handle, options, request, nativeErr)
	})
	if state.err != nil {
		err = fmt.Errorf("together: writing the video: %w", state.err)
	}
	return state.written, err
}

// DownloadFile downloads a completed job's video to path and returns its size. It writes
// a temporary file beside path and renames it only when complete: a failed or
// cancelled download leaves nothing under path.
func (c *Client) DownloadFile(ctx context.Context, video *Video, path string, progress Progress) (int64, error) {
	state := &callbackState{bytes: progress}
	cpath, err := cString("path", path)
	if err != nil {
		return 0, err
	}
	defer C.free(unsafe.Pointer(cpath))
	err = c.download(ctx, video, state, func(client *C.TvClient, native *C.TvVideo, _ C.uintptr_t,
		options *C.TvDownloadOptions, request **C.TvRequest, nativeErr **C.TvError) C.enum_TvResult {
		return C.tv_download_video_to_file_start(client, native, cpath, options, request, nativeErr)
	})
	if err != nil {
		return 0, err
	}
	info, statErr := os.Stat(path)
	if statErr != nil {
		return 0, statErr
	}
	return info.Size(), nil
}

type downloadStarter func(client *C.TvClient, video *C.TvVideo, handle C.uintptr_t, options *C.TvDownloadOptions,
	request **C.TvRequest, nativeErr **C.TvError) C.enum_TvResult

func (c *Client) download(ctx context.Context, video *Video, state *callbackState, start downloadStarter) error {
	if video == nil {
		return invalidArgument("video is nil")
	}
	// The Go video was copied out of C; its JSON rebuilds the native one.
	cjson, err := cString("video JSON", video.JSON)
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(cjson))
	var native *C.TvVideo
	var nativeErr *C.TvError
	if code := C.tv_video_from_json(cjson, &native, &nativeErr); code != C.TV_RESULT_OK {
		return takeError(code, nativeErr)
	}
	defer C.tv_video_free(native)
	options := C.tv_download_options_new()
	if options == nil {
		return &Error{Code: CodeInternal, Message: "cannot allocate download options"}
	}
	defer C.tv_download_options_free(options)
	var handle C.uintptr_t
	release := withCallbacks(state, func(h C.uintptr_t) { handle = h })
	defer release()
	if state.bytes != nil {
		C.tv_go_download_options_set_progress(options, handle)
	}
	_, err = c.run(ctx, func(client *C.TvClient, request **C.TvRequest, nativeErr **C.TvError) C.enum_TvResult {
		return start(client, native, handle, options, request, nativeErr)
	})
	state.rethrow()
	return err
}
