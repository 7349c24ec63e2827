package togethervideo

// The client's events as log/slog records (WithLogger), through the library's log
// callback: a cgo.Handle to the logger's handler is the callback's user_data, from
// NewClient until tv_client_free has returned in Close (after which the library calls
// it no more).

/*
#include <stdint.h>
#include <string.h>
#include "together_video.h"

extern void goLog(uintptr_t handle, TvLogEvent *event);

// Hands Go a copy of the event: a library built before a field was added sends a
// shorter one (its size says so), and the fields it lacks then read as empty.
static void tv_go_log(void *handle, const TvLogEvent *event) {
  TvLogEvent copy;
  size_t size = event->size < sizeof copy ? event->size : sizeof copy;
  memset(&copy, 0, sizeof copy);
  memcpy(&copy, event, size);
  goLog((uintptr_t)handle, &copy);
}

static enum TvResult tv_go_client_options_set_log(TvClientOptions *options, int max_level, uintptr_t handle) {
  return tv_client_options_set_log_callback(options, max_level, tv_go_log, (void *)handle);
}
*/
import "C"

import (
	"context"
	"log/slog"
	"runtime/cgo"
	"strconv"
	"time"
)

// LevelTrace is the slog level of the library's most detailed events: the request and
// response headers and bodies (kind "http_trace"), capped at 4 KiB each and redacted.
// A handler sees them only when it is enabled for LevelTrace (slog.LevelDebug-4), e.g.
// slog.HandlerOptions{Level: togethervideo.LevelTrace}; slog prints it as "DEBUG-4".
const LevelTrace = slog.LevelDebug - 4

// WithLogger sends the client's events to logger, as structured records, instead of the
// library's default (without WithLogger, TOGETHER_LOG=error|warn|info|debug|trace
// writes one line per event to stderr; with neither, nothing is logged, at no cost).
//
// Each record's message is the event's one-line description; its attributes are the
// fields that apply to the event, empty ones left out:
//
//	kind               client_created, client_freed, http_attempt, retry, redirect, poll,
//	                   download_started, download_resumed, download_finished, cancelled,
//	                   http_trace (a kind added later is "kind_<number>")
//	method, url        the HTTP method; scheme, host, port and path (a query is "?<redacted>";
//	                   a redirect gives the target's origin only)
//	attempt, status    1 for a request's first attempt; the response's HTTP status
//	duration           a time.Duration
//	request_id, bytes  the response's x-request-id; body bytes received, or a download's size
//	reason             why: a retry's cause, a failure's message, a cancelled operation
//	delay              a time.Duration: until the retry, or the next poll
//	delay_from_server  on retries: whether the server chose the delay (Retry-After)
//	job_id, job_status a polled job
//	offset, total      where a download resumes; its size, when known
//	result             the error an attempt or call ended with, as Code.String ("not found")
//	detail             trace: the header block or body
//
// Levels: the library's error, warn, info and debug are slog.LevelError, LevelWarn,
// LevelInfo and LevelDebug; its trace is LevelTrace. The library builds only the events
// the handler is enabled for when NewClient runs (a handler enabled for Info gets no
// debug or trace event, at no cost); the handler's Enabled is asked again for each
// event, so raising its level later filters more, and lowering it below what it was at
// NewClient brings nothing more.
//
// No record holds the API key (nor any 8 characters of it) or a URL's query (a signed
// video URL's credentials), at any level. The handler gets context.Background() and
// runs on the goroutine whose call logs (NewClient, GetVideo, Close) or, for the other
// calls, on the library's threads, several at once; the call waits for it, so a slow
// handler slows the call. A panic in the handler drops the record and the call goes
// on. The handler may call the client's Stats, but no other method of the client.
// NewClient fails with ErrInvalidArgument when logger is nil.
func WithLogger(logger *slog.Logger) Option {
	return optionFunc(func(s *settings) {
		s.logger, s.withLogger = logger, true
	})
}

// logSink is what the library's log callback reaches through its handle.
type logSink struct {
	handler slog.Handler
}

// setLogger makes options send events to handler, through a new handle that the caller
// deletes once no client built from options can log any more.
func setLogger(options *C.TvClientOptions, handler slog.Handler) (cgo.Handle, error) {
	handle := cgo.NewHandle(&logSink{handler: handler})
	err := checkOption("logger", func() C.enum_TvResult {
		return C.tv_go_client_options_set_log(options, nativeLogLevel(handler), C.uintptr_t(handle))
	})
	if err != nil {
		handle.Delete()
		return 0, err
	}
	return handle, nil
}

// logLevels pairs the library's levels with slog's, the most detailed first.
var logLevels = []struct {
	native C.enum_TvLogLevel
	level  slog.Level
}{
	{C.TV_LOG_LEVEL_TRACE, LevelTrace},
	{C.TV_LOG_LEVEL_DEBUG, slog.LevelDebug},
	{C.TV_LOG_LEVEL_INFO, slog.LevelInfo},
	{C.TV_LOG_LEVEL_WARN, slog.LevelWarn},
	{C.TV_LOG_LEVEL_ERROR, slog.LevelError},
}

// nativeLogLevel is the most detailed library level handler is enabled for; error when
// it is enabled for none (the library then sends its rare errors, which Enabled drops).
func nativeLogLevel(handler slog.Handler) C.int {
	for _, l := range logLevels {
		if handler.Enabled(context.Background(), l.level) {
			return C.int(l.native)
		}
	}
	return C.TV_LOG_LEVEL_ERROR
}

// slogLevel is the slog level of a library level; a level added later is LevelTrace.
func slogLevel(native C.enum_TvLogLevel) slog.Level {
	for _, l := range logLevels {
		if l.native == native {
			return l.level
		}
	}
	return LevelTrace
}

// kindName is the name of an event's kind (the name TOGETHER_LOG's lines use).
func kindName(kind C.enum_TvLogEventKind) string {
	switch kind {
	case C.TV_LOG_EVENT_KIND_CLIENT_CREATED:
		return "client_created"
	case C.TV_LOG_EVENT_KIND_CLIENT_FREED:
		return "client_freed"
	case C.TV_LOG_EVENT_KIND_HTTP_ATTEMPT:
		return "http_attempt"
	case C.TV_LOG_EVENT_KIND_RETRY:
		return "retry"
	case C.TV_LOG_EVENT_KIND_REDIRECT:
		return "redirect"
	case C.TV_LOG_EVENT_KIND_POLL:
		return "poll"
	case C.TV_LOG_EVENT_KIND_DOWNLOAD_STARTED:
		return "download_started"
	case C.TV_LOG_EVENT_KIND_DOWNLOAD_RESUMED:
		return "download_resumed"
	case C.TV_LOG_EVENT_KIND_DOWNLOAD_FINISHED:
		return "download_finished"
	case C.TV_LOG_EVENT_KIND_CANCELLED:
		return "cancelled"
	case C.TV_LOG_EVENT_KIND_HTTP_TRACE:
		return "http_trace"
	}
	return "kind_" + strconv.Itoa(int(kind))
}

// goLog is the library's log callback. It runs on the thread where the event happened
// (a library thread, or the goroutine's thread in a blocking call), several at once. It
// copies the event into a record and hands it to the handler; a panic in the handler
// must not unwind into the library, so the record is dropped instead.
//
//export goLog
func goLog(handle C.uintptr_t, event *C.TvLogEvent) {
	sink := cgo.Handle(handle).Value().(*logSink)
	level := slogLevel(event.level)
	defer func() {
		_ = recover() // the handler panicked: the record is dropped
	}()
	ctx := context.Background()
	if !sink.handler.Enabled(ctx, level) {
		return
	}
	record := slog.NewRecord(time.Now(), level, C.GoString(event.message), 0)
	record.AddAttrs(slog.String("kind", kindName(event.kind)))
	text := func(key string, value *C.char) {
		if value != nil {
			if s := C.GoString(value); s != "" {
				record.AddAttrs(slog.String(key, s))
			}
		}
	}
	number := func(key string, value int64) {
		if value != 0 {
			record.AddAttrs(slog.Int64(key, value))
		}
	}
	duration := func(key string, value time.Duration) {
		if value != 0 {
			record.AddAttrs(slog.Duration(key, value))
		}
	}
	text("method", event.method)
	text("url", event.url)
	number("attempt", int64(event.attempt))
	number("status", int64(event.status))
	duration("duration", time.Duration(event.duration_us)*time.Microsecond)
	text("request_id", event.request_id)
	number("bytes", int64(event.bytes))
	text("reason", event.reason)
	duration("delay", time.Duration(event.delay_ms)*time.Millisecond)
	if event.delay_from_server || event.kind == C.TV_LOG_EVENT_KIND_RETRY {
		record.AddAttrs(slog.Bool("delay_from_server", bool(event.delay_from_server)))
	}
	text("job_id", event.job_id)
	text("job_status", event.job_status)
	number("offset", int64(event.offset))
	if event.total >= 0 {
		record.AddAttrs(slog.Int64("total", int64(event.total)))
	}
	if event.result != C.TV_RESULT_OK {
		record.AddAttrs(slog.String("result", Code(event.result).String()))
	}
	text("detail", event.detail)
	_ = sink.handler.Handle(ctx, record)
}
