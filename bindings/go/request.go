package together

// Every network call runs as a native non-blocking request, so that a context can
// cancel it at any moment without leaking a goroutine or a native handle. The calling
// goroutine waits in C (holding its OS thread, as a blocking system call does), which
// costs less than a callback from a library thread into Go.

/*
#include <stdint.h>
#include "together_video.h"

extern int goWaitProgress(uintptr_t handle, TvVideo *video);
extern int goDownloadProgress(uintptr_t handle, uint64_t received, int64_t total);
extern int goWrite(uintptr_t handle, uint8_t *data, size_t length);

static int tv_go_wait_progress(void *handle, const TvVideo *video) {
  return goWaitProgress((uintptr_t)handle, (TvVideo *)video);
}
static int tv_go_download_progress(void *handle, uint64_t received, int64_t total) {
  return goDownloadProgress((uintptr_t)handle, received, total);
}
static int tv_go_write(void *handle, const uint8_t *data, size_t length) {
  return goWrite((uintptr_t)handle, (uint8_t *)data, length);
}

enum TvResult tv_go_wait_options_set_progress(TvWaitOptions *options, uintptr_t handle) {
  return tv_wait_options_set_progress(options, tv_go_wait_progress, (void *)handle);
}
enum TvResult tv_go_download_options_set_progress(TvDownloadOptions *options, uintptr_t handle) {
  return tv_download_options_set_progress(options, tv_go_download_progress, (void *)handle);
}
enum TvResult tv_go_download_to_writer_start(const TvClient *client, const TvVideo *video, uintptr_t handle,
                                               const TvDownloadOptions *options, TvRequest **out_request,
                                               TvError **out_error) {
  return tv_download_video_to_callback_start(client, video, tv_go_write, (void *)handle, options, out_request,
                                             out_error);
}
*/
import "C"

import (
	"context"
	"errors"
	"runtime"
	"runtime/cgo"
)

// starter starts a native request on client.
type starter func(client *C.TvClient, request **C.TvRequest, nativeErr **C.TvError) C.enum_TvResult

// run starts a request and waits for it or for ctx, whichever ends first. It returns
// the request's video, or nil for requests without one (downloads).
func (c *Client) run(ctx context.Context, start starter) (*Video, error) {
	if err := ctx.Err(); err != nil {
		return nil, contextError(err)
	}
	var request *C.TvRequest
	var nativeErr *C.TvError
	code, err := c.withNative(func(native *C.TvClient) C.enum_TvResult { return start(native, &request, &nativeErr) })
	if err != nil {
		return nil, err
	}
	if code != C.TV_RESULT_OK {
		return nil, takeError(code, nativeErr)
	}
	defer C.tv_request_free(request)

	// Wait on this goroutine's thread; if ctx ends first, cancel from ctx's goroutine,
	// which makes the wait return at once.
	cancelled := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		C.tv_request_cancel(request)
		close(cancelled)
	})
	C.tv_request_wait(request, C.UINT64_MAX)
	// The caller may hold no other reference to the client: without this, its finalizer
	// could free it during the wait, cancelling the request.
	runtime.KeepAlive(c)
	if !stop() {
		<-cancelled // the request must outlive the cancel call
	}

	var native *C.TvVideo
	code = C.tv_request_result(request, &native, &nativeErr)
	if code != C.TV_RESULT_OK {
		if ctx.Err() != nil && Code(code) == CodeCancelled {
			C.tv_error_free(nativeErr)
			return nil, contextError(ctx.Err())
		}
		return nil, takeError(code, nativeErr)
	}
	if native == nil {
		return nil, nil
	}
	return takeVideo(native), nil
}

// contextError is the *Error for a context that ended a call; it unwraps to ctx's error.
func contextError(err error) error {
	code := CodeCancelled
	if errors.Is(err, context.DeadlineExceeded) {
		code = CodeTimeout
	}
	return &Error{Code: code, Message: err.Error(), cause: err}
}

// withCallbacks registers state for the duration of a call, handing its handle to set.
func withCallbacks(state *callbackState, set func(handle C.uintptr_t)) (release func()) {
	handle := cgo.NewHandle(state)
	set(C.uintptr_t(handle))
	return func() {
		handle.Delete()
		runtime.KeepAlive(state)
	}
}
