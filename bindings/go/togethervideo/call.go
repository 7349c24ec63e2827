package togethervideo

// One network call's native call options (TvCallOptions): how ctx bounds and cancels
// it, and the progress callbacks it reports through.

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

enum TvResult tv_go_call_options_set_wait_progress(TvCallOptions *options, uintptr_t handle) {
  return tv_call_options_set_wait_progress(options, tv_go_wait_progress, (void *)handle);
}
enum TvResult tv_go_call_options_set_download_progress(TvCallOptions *options, uintptr_t handle) {
  return tv_call_options_set_download_progress(options, tv_go_download_progress, (void *)handle);
}
enum TvResult tv_go_download_url_to_writer_start(const TvClient *client, const char *url, uintptr_t handle,
                                                 const TvCallOptions *call, TvRequest **out_request,
                                                 TvError **out_error) {
  return tv_download_url_to_callback_start(client, url, tv_go_write, (void *)handle, call, out_request, out_error);
}
enum TvResult tv_go_download_video_to_writer_start(const TvClient *client, const char *id, uintptr_t handle,
                                                   const TvCallOptions *call, TvRequest **out_request,
                                                   TvError **out_error) {
  return tv_download_video_to_callback_start(client, id, tv_go_write, (void *)handle, call, out_request, out_error);
}
*/
import "C"

import (
	"context"
	"errors"
	"time"
)

// call is one network call in flight: its native options carry ctx's deadline as the
// call's timeout and a cancel token that ctx ending, or Close, fires. Start one with
// begin and end it with end once the native call (or request) is over.
type call struct {
	client  *Client
	ctx     context.Context
	options *C.TvCallOptions
	token   *C.TvCancelToken
	// deadline is ctx's deadline when the library has it as the call's timeout.
	deadline time.Time
	stop     func() bool
	fired    chan struct{}
	// slot is held by a request's call (not GetVideo's) while it runs native code.
	slot slot
}

// begin prepares a call on c. timeout is the caller's own bound for the whole call (0
// for none), passed to the library as given; ctx's deadline replaces it when sooner.
// A request's call (request: not GetVideo's blocking call) takes a slot (see slots in
// request.go), which run gives back during the wait and end gives back for good.
func (c *Client) begin(ctx context.Context, timeout time.Duration, request bool) (*call, error) {
	if err := ctx.Err(); err != nil {
		return nil, contextError(err)
	}
	k := &call{client: c, ctx: ctx}
	if request {
		k.slot.take()
	}
	k.options = C.tv_call_options_new()
	if k.options == nil {
		k.slot.give()
		return nil, &Error{Code: CodeInternal, Message: "cannot allocate call options"}
	}
	if err := k.bound(timeout); err != nil {
		C.tv_call_options_free(k.options)
		k.slot.give()
		return nil, err
	}
	k.token = C.tv_cancel_token_new()
	if k.token == nil {
		C.tv_call_options_free(k.options)
		k.slot.give()
		return nil, &Error{Code: CodeInternal, Message: "cannot allocate a cancel token"}
	}
	C.tv_call_options_set_cancel_token(k.options, k.token)
	c.callsMu.Lock()
	if c.closing {
		c.callsMu.Unlock()
		C.tv_cancel_token_free(k.token)
		C.tv_call_options_free(k.options)
		k.slot.give()
		return nil, ErrClosed
	}
	c.calls[k.token] = struct{}{}
	c.callsMu.Unlock()
	token, fired := k.token, make(chan struct{})
	k.fired = fired
	k.stop = context.AfterFunc(ctx, func() {
		C.tv_cancel_token_cancel(token)
		close(fired)
	})
	return k, nil
}

// report has the call's request report to its client's event queue under tag (see
// Events); 0 reports nothing.
func (k *call) report(tag uint64) {
	if tag != 0 {
		// Fails only for NULL options, which begin never leaves.
		C.tv_call_options_set_event_tag(k.options, C.uint64_t(tag))
	}
}

// bound sets the call's timeout: the caller's, or ctx's deadline when that is sooner.
func (k *call) bound(timeout time.Duration) error {
	if timeout != 0 {
		if err := checkOption("timeout", func() C.enum_TvResult {
			return C.tv_call_options_set_timeout_ms(k.options, C.int64_t(milliseconds(timeout)))
		}); err != nil {
			return err
		}
	}
	deadline, ok := k.ctx.Deadline()
	if !ok {
		return nil
	}
	remaining := time.Until(deadline)
	if remaining <= 0 {
		return contextError(context.DeadlineExceeded)
	}
	if timeout > 0 && timeout <= remaining {
		return nil
	}
	// The library may refuse a deadline further away than any timeout it takes: then
	// the cancel token alone enforces it, when ctx ends.
	if C.tv_call_options_set_timeout_ms(k.options, C.int64_t(milliseconds(remaining))) == C.TV_RESULT_OK {
		k.deadline = deadline
	}
	return nil
}

// failure is the error for a call that failed with code: ctx's error when ctx ended
// the call (its deadline passing or it being cancelled), else the library's.
func (k *call) failure(code C.enum_TvResult, nativeErr *C.TvError) error {
	var cause error
	switch Code(code) {
	case CodeCancelled:
		cause = k.ctx.Err()
		if cause == nil && k.client.isClosing() {
			cause = ErrClosed
		}
	case CodeTimeout:
		// The library's timeout counts from after ctx's deadline was read, so once it
		// passes so has ctx's deadline, though ctx may not have noticed yet.
		if errors.Is(k.ctx.Err(), context.DeadlineExceeded) || (!k.deadline.IsZero() && !time.Now().Before(k.deadline)) {
			cause = context.DeadlineExceeded
		}
	}
	if cause == nil {
		return takeError(code, nativeErr)
	}
	C.tv_error_free(nativeErr)
	return contextError(cause)
}

// end waits for a cancel ctx may have begun and frees the call's native state.
func (k *call) end() {
	if !k.stop() {
		<-k.fired // the token must outlive the cancel
	}
	k.client.callsMu.Lock()
	delete(k.client.calls, k.token)
	k.client.callsMu.Unlock()
	C.tv_cancel_token_free(k.token)
	C.tv_call_options_free(k.options)
	k.slot.give()
}

// milliseconds converts d for the library, rounding away from zero so that a duration
// that is not zero never reaches it as 0 (which means "none" for some settings) and a
// negative one stays negative, for the library's message to show.
func milliseconds(d time.Duration) int64 {
	ms := int64(d / time.Millisecond)
	switch rest := d % time.Millisecond; {
	case rest > 0:
		ms++
	case rest < 0:
		ms--
	}
	return ms
}

// contextError is the *Error for a context that ended a call; it unwraps to ctx's error.
func contextError(err error) error {
	code := CodeCancelled
	if errors.Is(err, context.DeadlineExceeded) {
		code = CodeTimeout
	}
	return &Error{Code: code, Message: err.Error(), cause: err}
}
