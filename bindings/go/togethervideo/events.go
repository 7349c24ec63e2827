package togethervideo

// The client's event queue (tv_client_next_event) as a channel. A goroutine per Events
// channel takes events from the library in short bounded waits, holding the client's
// read lock only while inside the library: Close takes the write lock before freeing
// the client, so it never frees it under a waiting reader, and waits at most one such
// wait for the reader to leave.

/*
#include "together_video.h"
*/
import "C"

import (
	"context"
	"strconv"
	"time"
)

// EventKind says what an Event reports.
type EventKind int

// The kinds of event. A later version may add kinds: skip those you do not know.
const (
	// EventStatusChanged: a wait saw its job's status change (its first poll counts):
	// JobID, Status.
	EventStatusChanged EventKind = 1
	// EventDownloadProgress: a download received more bytes: Received, Total.
	EventDownloadProgress EventKind = 2
	// EventDone: the call's request is over: Err. It is the call's last event, and
	// comes as the call returns (just before or just after).
	EventDone EventKind = 3
)

// String is the kind's name, e.g. "status changed".
func (k EventKind) String() string {
	switch k {
	case EventStatusChanged:
		return "status changed"
	case EventDownloadProgress:
		return "download progress"
	case EventDone:
		return "done"
	}
	return "kind " + strconv.Itoa(int(k))
}

// Event is one event of a client's queue, about the call made with Tag (see Events).
// Fields that do not apply to its Kind are zero.
type Event struct {
	Kind EventKind
	// Tag is the call's: WaitOptions.EventTag, or a download's EventTag option.
	Tag uint64
	// JobID and Status are the job's, for EventStatusChanged.
	JobID  string
	Status Status
	// Received is the bytes received so far and Total the video's size (-1 when
	// unknown), for EventDownloadProgress.
	Received, Total int64
	// Err is nil when the call succeeded, for EventDone (a job that failed on
	// Together's side is a success of its wait); otherwise an *Error with the code
	// only, which errors.Is matches with the sentinels. The call itself returns the
	// error with the server's message and request id.
	Err error
	// Coalesced is how many updates the event stands for: 1, or more when newer values
	// replaced those of an event still waiting to be taken.
	Coalesced int
}

// eventWait bounds each wait in the library for an event, so that the reading
// goroutine notices ctx and Close, and Close waits for it no longer than this.
const eventWait = 50 * time.Millisecond

// Events delivers the client's events until ctx ends or Close begins, then closes the
// channel. It is for following many jobs from one goroutine, such as a UI's: the
// waits and downloads made with an event tag (WaitOptions.EventTag, the EventTag
// download option) report there, each call still returning its own result to its own
// goroutine. Calls without a tag, and GetVideo and CreateVideo, report nothing.
//
// A wait reports each change of its job's status, a download its progress, and each
// call then EventDone. A call's events come in the order they happened, its EventDone
// last (calls' events are not ordered with each other: give a job's wait and download
// tags of their own when a Done must say which ended). The queue is the library's,
// bounded without losing what matters: while a reader is behind, a newer status or
// progress of a call updates its event that is still waiting (Coalesced counts the
// updates), so the queue holds at most three events per call in flight, and no
// EventDone is merged. The channel is unbuffered: an event the goroutine has taken
// waits there until read, so read it promptly (or end ctx) for the latest values.
//
//	for e := range client.Events(ctx) {
//		switch e.Kind {
//		case togethervideo.EventStatusChanged:    // e.Tag's job is e.Status
//		case togethervideo.EventDownloadProgress: // e.Received of e.Total bytes
//		case togethervideo.EventDone:             // e.Err
//		}
//	}
//
// Each event goes to one reader: call Events once per client. A tagged call's
// EventDone stays in the queue until taken, so tag calls only while something reads
// the events. Events still queued when ctx ends stay for a later Events; those queued
// when Close begins are dropped, as is one the goroutine had taken and not handed over
// when ctx ended. The goroutine holds the client (no finalizer closes it meanwhile)
// and ends, leaving no goroutine behind, once the channel is closed. On a closed
// client, or with ctx done, the channel is closed at once.
func (c *Client) Events(ctx context.Context) <-chan Event {
	events := make(chan Event)
	if ctx.Err() != nil || c.isClosing() {
		close(events)
		return events
	}
	go c.deliverEvents(ctx, events)
	return events
}

// deliverEvents takes the client's events and hands them to events, until ctx ends or
// Close begins.
func (c *Client) deliverEvents(ctx context.Context, events chan<- Event) {
	defer close(events)
	for ctx.Err() == nil {
		event, ok := c.nextEvent(eventWait)
		if !ok {
			return // the client is closed
		}
		if event == nil {
			continue
		}
		select {
		case events <- *event:
		case <-ctx.Done():
			return
		case <-c.closed:
			return
		}
	}
}

// nextEvent takes the next event, waiting up to wait (under a second) for one: nil
// when none came; false once the client is closed.
func (c *Client) nextEvent(wait time.Duration) (*Event, bool) {
	var native *C.TvEvent
	code, err := c.withNative(func(client *C.TvClient) C.enum_TvResult {
		return C.tv_client_next_event(client, C.int64_t(wait/time.Millisecond), &native)
	})
	// Only arguments the binding never gives (a NULL client, a timeout out of range)
	// fail: the reader stops rather than spin.
	if err != nil || code != C.TV_RESULT_OK {
		return nil, false
	}
	if native == nil {
		return nil, true
	}
	defer C.tv_event_free(native)
	// Every field read here came with tv_client_next_event: a library with the symbol
	// has them all (TvEvent only grows at its end).
	event := &Event{
		Kind:      EventKind(native.kind),
		Tag:       uint64(native.tag),
		Received:  int64(native.received),
		Coalesced: int(native.coalesced),
	}
	if native.job_id != nil {
		event.JobID = C.GoString(native.job_id)
	}
	if native.status_raw != nil {
		event.Status = Status(C.GoString(native.status_raw))
	}
	if event.Kind == EventDownloadProgress {
		event.Total = int64(native.total)
	}
	if native.result != C.TV_RESULT_OK {
		event.Err = &Error{Code: Code(native.result), Message: Code(native.result).String()}
	}
	return event, true
}
