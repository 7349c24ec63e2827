package togethervideo

// How a network call runs. GetVideo makes the library's blocking call on the calling
// goroutine's thread (no library thread, no callback into Go): the fast path for one
// short call. CreateVideo, CreateVideoJSON, WaitVideo and the downloads start a native
// request (the `*_start` form) that runs on the library's threads, which also run any
// progress or write callback, and the calling goroutine then waits on a channel that the
// request's completion callback closes: a wait holds no OS thread, so thousands of waits
// run on a few threads. The short native calls that prepare, start and end a request
// take turns through slots (see slots below): each cgo call occupies an OS thread while
// it runs, and thousands of goroutines making them at once would each take one. Each
// call carries call options (see call.go): ctx's deadline as the call's timeout, and a
// cancel token that ctx ending, or Close, fires to end the call at once, even while the
// server has stopped answering, without leaking a goroutine or a native handle.

/*
#include <stdint.h>
#include "together_video.h"

extern void goRequestDone(uintptr_t handle);

static void tv_go_request_done(void *handle) {
  goRequestDone((uintptr_t)handle);
}

static enum TvResult tv_go_request_on_complete(const TvRequest *request, uintptr_t handle) {
  return tv_request_on_complete(request, tv_go_request_done, (void *)handle);
}
*/
import "C"

import (
	"runtime"
	"runtime/cgo"
)

// slots bound how many goroutines run a request's short native calls at once (create
// its options, start it, read its result, free it). A goroutine in a cgo call holds its
// OS thread, and the runtime starts another thread to run Go code meanwhile: without a
// bound, 10 000 goroutines starting waits at once pile up thousands of threads, though
// none blocks for long. A goroutine waiting for a slot is parked, on no thread.
var slots = make(chan struct{}, min(max(2*runtime.GOMAXPROCS(0), 2), 16))

// slot is one call's hold on slots: taken by begin for requests, given back while the
// request runs, and for good by end.
type slot struct{ held bool }

func (s *slot) take() {
	if !s.held {
		slots <- struct{}{}
		s.held = true
	}
}

func (s *slot) give() {
	if s.held {
		s.held = false
		<-slots
	}
}

// goRequestDone is a request's completion callback: it closes the channel that the
// waiting goroutine waits on, and returns at once. It runs on a library thread, or on
// the thread cancelling the request (ctx's cancel, or Close), or inside
// tv_request_on_complete when the request is done already. It never calls the library.
//
//export goRequestDone
func goRequestDone(handle C.uintptr_t) {
	close(cgo.Handle(handle).Value().(chan struct{}))
}

// starter starts a native request on client with the call's options.
type starter func(client *C.TvClient, call *C.TvCallOptions, request **C.TvRequest, nativeErr **C.TvError) C.enum_TvResult

// run starts a request for k and waits for it to end, by itself or through k's cancel
// token (which ctx ending, or Close, fires). It returns the request's video, or nil for
// requests without one (downloads). k holds a slot (see begin): run gives it back while
// the request runs and takes it again to read the result.
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
	done := make(chan struct{})
	handle := cgo.NewHandle(done)
	defer handle.Delete()
	// Once tv_request_free returns, the completion callback is not running and never
	// will (a request still pending then is cancelled, its callback dropped), so the
	// handle outlives every use of it.
	defer C.tv_request_free(request)
	if C.tv_go_request_on_complete(request, C.uintptr_t(handle)) == C.TV_RESULT_OK {
		k.slot.give()
		// No select on ctx.Done: ctx ending fires k's cancel token (see begin), which
		// cancels the request, whose completion callback then runs before the cancel
		// returns; the request's result says it was cancelled.
		<-done
		k.slot.take()
	}
	// The request counts as done for other threads only once its completion callback
	// has returned, which the callback, having closed done, is about to do: this waits
	// for that, briefly. (It also covers the registration failing, which cannot happen
	// for a live request.)
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
