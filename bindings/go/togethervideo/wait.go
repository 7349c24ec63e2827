package togethervideo

/*
#include <stdint.h>
#include <stdlib.h>
#include "together_video.h"

enum TvResult tv_go_call_options_set_wait_progress(TvCallOptions *options, uintptr_t handle);
*/
import "C"

import (
	"context"
	"time"
	"unsafe"
)

// WaitOptions tune WaitVideo. The zero value polls at the library's default interval
// (2 s) with no bound but ctx's: the wait lasts as long as the job takes.
type WaitOptions struct {
	// PollInterval is the time between polls (0: the library's default); a server's
	// Retry-After wins. The library checks it (in milliseconds, rounded away from zero)
	// and its message names the value given when it is out of range.
	PollInterval time.Duration
	// Timeout bounds the whole wait, the request in flight included, as ctx's deadline
	// does (0: only ctx bounds it); the sooner of the two applies. Checked as
	// PollInterval; passing it is ErrTimeout.
	Timeout time.Duration
	// Progress, if set, sees every polled state. It runs on a library thread.
	Progress func(*Video)
	// EventTag, when not 0, has the wait report to the client's event queue (see
	// Client.Events) under this tag: each change of the job's status, then EventDone.
	// The wait still returns its own result.
	EventTag uint64
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
	options, err := opts.native()
	if err != nil {
		return nil, err
	}
	defer C.tv_wait_options_free(options)
	k, err := c.begin(ctx, opts.Timeout, true)
	if err != nil {
		return nil, err
	}
	defer k.end()
	k.report(opts.EventTag)
	state := &callbackState{progress: opts.Progress}
	if opts.Progress != nil {
		release := withCallbacks(state, func(handle C.uintptr_t) { C.tv_go_call_options_set_wait_progress(k.options, handle) })
		defer release()
	}
	video, err := c.run(k, func(client *C.TvClient, call *C.TvCallOptions, request **C.TvRequest, nativeErr **C.TvError) C.enum_TvResult {
		return C.tv_wait_video_start(client, cid, options, call, request, nativeErr)
	})
	state.rethrow()
	return video, err
}

// native builds the native wait options (the poll interval); the caller frees them.
func (opts *WaitOptions) native() (*C.TvWaitOptions, error) {
	options := C.tv_wait_options_new()
	if options == nil {
		return nil, &Error{Code: CodeInternal, Message: "cannot allocate wait options"}
	}
	if opts.PollInterval != 0 {
		if err := checkOption("poll interval", func() C.enum_TvResult {
			return C.tv_wait_options_set_poll_interval_ms(options, C.int64_t(milliseconds(opts.PollInterval)))
		}); err != nil {
			C.tv_wait_options_free(options)
			return nil, err
		}
	}
	return options, nil
}
