package togethervideo

/*
#include "together_video.h"
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// Stats are a client's counters since NewClient, as Client.Stats reads them.
type Stats struct {
	// Requests counts the HTTP requests started (API calls and download transfers),
	// retries not counted.
	Requests uint64
	// Attempts counts the HTTP attempts: requests, their retries and download resumes.
	Attempts uint64
	// RetriesRateLimited counts retries after HTTP 429.
	RetriesRateLimited uint64
	// RetriesServer counts retries after HTTP 408, 409 or 5xx.
	RetriesServer uint64
	// RetriesConnection counts retries after a connection failed or broke, a
	// download's resume included.
	RetriesConnection uint64
	// RetriesTimeout counts retries after an attempt timed out.
	RetriesTimeout uint64
	// Responses1xx to Responses5xx count the responses by status class, redirects
	// included.
	Responses1xx, Responses2xx, Responses3xx, Responses4xx, Responses5xx uint64
	// BytesSent and BytesReceived count the bytes written to and read from the
	// connections the library opened, TLS included; traffic tunnelled through an HTTP
	// proxy is not counted.
	BytesSent, BytesReceived uint64
	// ConnectionsOpened counts the connections opened.
	ConnectionsOpened uint64
	// ConnectionsReused counts the requests that went out on a connection kept from
	// an earlier one.
	ConnectionsReused uint64
	// RequestsInFlight is the number of HTTP requests running now.
	RequestsInFlight uint64
	// Errors counts the calls that ended with each code (a call that ctx or Close
	// cancelled ends with CodeCancelled, one whose deadline passed usually with
	// CodeTimeout). Only codes that occurred are present, and it is nil when no call
	// failed, so Errors[CodeTimeout] is 0 when none timed out. Calls the binding
	// refused before sending (a NUL byte in an id, a closed client) are not counted.
	Errors map[Code]uint64
}

// Stats reads the client's counters: cheap (no lock in the library, no allocation
// unless a call failed), never blocking, safe from any goroutine and from a WithLogger
// handler. Counters read while calls run may be a few increments apart. Once Close has
// begun it returns the zero Stats.
func (c *Client) Stats() Stats {
	// Close holds mu while it frees the native client, and may be waiting for it on
	// behalf of a logger's handler that is calling this: so no waiting here.
	if !c.mu.TryRLock() {
		return Stats{}
	}
	defer c.mu.RUnlock()
	if c.native == nil {
		return Stats{}
	}
	var native C.TvClientStats
	native.size = C.uint32_t(unsafe.Sizeof(native))
	code := C.tv_client_stats(c.native, &native)
	runtime.KeepAlive(c)
	if code != C.TV_RESULT_OK {
		return Stats{}
	}
	stats := Stats{
		Requests:           uint64(native.requests),
		Attempts:           uint64(native.attempts),
		RetriesRateLimited: uint64(native.retries_rate_limited),
		RetriesServer:      uint64(native.retries_server),
		RetriesConnection:  uint64(native.retries_connection),
		RetriesTimeout:     uint64(native.retries_timeout),
		Responses1xx:       uint64(native.responses_1xx),
		Responses2xx:       uint64(native.responses_2xx),
		Responses3xx:       uint64(native.responses_3xx),
		Responses4xx:       uint64(native.responses_4xx),
		Responses5xx:       uint64(native.responses_5xx),
		BytesSent:          uint64(native.bytes_sent),
		BytesReceived:      uint64(native.bytes_received),
		ConnectionsOpened:  uint64(native.connections_opened),
		ConnectionsReused:  uint64(native.connections_reused),
		RequestsInFlight:   uint64(native.requests_in_flight),
	}
	for code, n := range native.errors {
		if n != 0 && code != int(CodeOK) {
			if stats.Errors == nil {
				stats.Errors = map[Code]uint64{}
			}
			stats.Errors[Code(code)] = uint64(n)
		}
	}
	return stats
}
