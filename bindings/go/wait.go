package together

/*
#include <stdint.h>
#include <stdlib.h>
#include "together_video.h"

enum TvResult tv_go_wait_options_set_progress(TvWaitOptions *options, uintptr_t handle);
*/
import "C"

import (
	"context"
	"time"
	"unsafe"
)

// WaitOptions tune WaitVideo. The zero value polls every 2 s with no deadline but ctx's.
type WaitOptions struct {
	// PollInterval is the time between polls (default 2 s); a server's Retry-After wins.
	PollInterval time.Duration
	// Timeout bounds the wait, the request in flight included (0: only ctx bounds it).
	Timeout time.Duration
	// Progress, if set, sees every polled state. It runs on a library thread.
	Progress func(*Video)
}

// WaitVideo polls the job until it is completed, failed or cancelled and returns that
// final state; a failed job is a result, not an error. A status this version does not
// know is returned at once rather than polled forever. ctx (or Timeout) ends the wait,
// with the request in flight, as ErrCancelled or ErrTimeout.
func (c *Client) WaitVideo(ctx context.Context, id string, opts *WaitOptions) (*Video, error) {
	cid, err := cString("id", id)
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(cid))
	if opts == nil {
		opts = &WaitOptions{}
	}
	options := C.tv_wait_options_new()
	if options == nil {
		return nil, &Error{Code: CodeInternal, Message: "cannot allocate wait options"}
	}
	defer C.tv_wait_options_free(options)
	if opts.PollInterval != 0 {
		if err := checkOption("poll interval", func() C.enum_TvResult {
			return C.tv_wait_options_set_poll_interval_ms(options, C.uint64_t(max(opts.PollInterval.Milliseconds(), 1)))
		}); err != nil {
			return nil, err
		}
	}
	C.tv_wait_options_set_timeout_ms(options, C.uint64_t(max(opts.Timeout.Milliseconds(), 0)))
	state := &callbackState{progress: opts.Progress}
	if opts.Progress != nil {
		release := withCallbacks(state, func(handle C.uintptr_t) { C.tv_go_wait_options_set_progress(options, handle) })
		defer release()
	}
	video, err := c.run(ctx, func(client *C.TvClient, request **C.TvRequest, nativeErr **C.TvError) C.enum_TvResult {
		return C.tv_wait_video_start(client, cid, options, request, nativeErr)
	})
	state.rethrow()
	return video, err
}
