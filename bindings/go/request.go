package together

// How a network call runs. GetVideo makes the library's blocking call on the calling
// goroutine's thread (no library thread, no callback into Go). CreateVideo,
// CreateVideoJSON, WaitVideo and the downloads start a native request (the `*_start`
// form) that runs on the library's threads, which also run any progress or write
// callback, and wait for it in C. Either way the calling goroutine waits in C, holding
// its OS thread as a blocking system call does, which costs less than a callback from
// a library thread into Go per call. Each call carries call options (see call.go):
// ctx's deadline as the call's timeout, and a cancel token that ctx ending, or Close,
// fires to end the call at once, even while the server has stopped answering, without
// leaking a goroutine or a native handle.

/*
#include <stdint.h>
#include "together_video.h"
*/
import "C"

import (
	"runtime"
	"runtime/cgo"
)

// starter starts a native request on client with the call's options.
type starter func(client *C.TvClient, call *C.TvCallOptions, request **C.TvRequest, nativeErr **C.TvError) C.enum_TvResult

// run starts a request for k and waits for it to end, by itself or through k's cancel
// token. It returns the request's video, or nil for requests without one (downloads).
func (c *Client) run(k *call, start starter) (*Video, error) {
	var request *C.TvRequest
	var nativeErr *C.TvError
	code, err := c.withNative(func(native *C.TvClient) C.enum_TvResult {
		return start(native, k.options, &request, &nativeErr)
	})
	if err != nil {
		return nil, err
	}
	if code != C.TV_RESULT_OK {
		return nil, k.failure(code, nativeErr)
	}
	defer C.tv_request_free(request)
	C.tv_request_wait(request, C.UINT64_MAX)
	// The caller may hold no other reference to the client: without this, its finalizer
	// could free it during the wait, cancelling the request.
	runtime.KeepAlive(c)

	var native *C.TvVideo
	code = C.tv_request_result(request, &native, &nativeErr)
	if code != C.TV_RESULT_OK {
		return nil, k.failure(code, nativeErr)
	}
	if native == nil {
		return nil, nil
	}
	return takeVideo(native), nil
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
