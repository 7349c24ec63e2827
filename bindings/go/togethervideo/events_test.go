package togethervideo_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/together-video/together-video/bindings/go/togethervideo"
)

// until reads events until one for which last is true, and returns them all.
func until(t *testing.T, events <-chan togethervideo.Event, last func(togethervideo.Event) bool) []togethervideo.Event {
	t.Helper()
	var got []togethervideo.Event
	timeout := time.After(eventually)
	for {
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatalf("the channel closed after %+v", got)
			}
			got = append(got, e)
			if last(e) {
				return got
			}
		case <-timeout:
			t.Fatalf("no end after %+v", got)
		}
	}
}

// doneOf is true for tag's EventDone.
func doneOf(tag uint64) func(togethervideo.Event) bool {
	return func(e togethervideo.Event) bool { return e.Kind == togethervideo.EventDone && e.Tag == tag }
}

// checkStatuses checks a wait's events: every one of tag, status changes of job whose
// statuses come in the order of want and stand for all of its len(want) changes (some
// may have been merged), ending at want's last, then one EventDone with err.
func checkStatuses(t *testing.T, got []togethervideo.Event, tag uint64, job string, want []togethervideo.Status, err error) {
	t.Helper()
	if len(got) < 2 {
		t.Fatalf("events %+v", got)
	}
	var statuses []togethervideo.Status
	changes := 0
	for _, e := range got[:len(got)-1] {
		if e.Kind != togethervideo.EventStatusChanged || e.Tag != tag || e.JobID != job || e.Coalesced < 1 ||
			e.Received != 0 || e.Total != 0 || e.Err != nil {
			t.Errorf("not a status change of tag %d, job %s: %+v", tag, job, e)
		}
		statuses = append(statuses, e.Status)
		changes += e.Coalesced
	}
	// In order: each status is a later one of want than the one before.
	next := 0
	for _, status := range statuses {
		at := slices.Index(want[next:], status)
		if at < 0 {
			t.Errorf("statuses %v are not in the order of %v", statuses, want)
			break
		}
		next += at + 1
	}
	if statuses[len(statuses)-1] != want[len(want)-1] || changes != len(want) {
		t.Errorf("statuses %v standing for %d changes, want %v", statuses, changes, want)
	}
	done := got[len(got)-1]
	if done.Kind != togethervideo.EventDone || done.Tag != tag || done.Coalesced != 1 || done.JobID != "" || done.Status != "" {
		t.Errorf("last %+v", done)
	}
	if err == nil && done.Err != nil || err != nil && !errors.Is(done.Err, err) {
		t.Errorf("done with %v, want %v", done.Err, err)
	}
}

// A tagged wait reports each status change of its job, in order, then done: with a
// reader keeping up, and with one that reads only once the wait has returned, which
// gets the latest status with the changes it stands for. The wait still returns its
// result; a failed job is a success, a failed wait a done event with its error.
func TestATaggedWaitReportsItsStatusChangesInOrderThenDone(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	events := client.Events(ctx)
	create := func(model string) string {
		t.Helper()
		job, err := client.CreateVideo(ctx, &togethervideo.CreateVideoParams{Model: model, Prompt: "a cat"})
		if err != nil {
			t.Fatal(err)
		}
		return job.ID
	}
	wait := func(id string, tag uint64) (*togethervideo.Video, error) {
		return client.WaitVideo(ctx, id, &togethervideo.WaitOptions{PollInterval: 5 * time.Millisecond, EventTag: tag})
	}
	all := []togethervideo.Status{togethervideo.StatusQueued, togethervideo.StatusInProgress, togethervideo.StatusCompleted}

	// A reader that keeps up.
	id := create("m")
	result := make(chan error, 1)
	go func() {
		video, err := wait(id, 7)
		if err == nil && video.Status != togethervideo.StatusCompleted {
			err = errors.New("status " + string(video.Status))
		}
		result <- err
	}()
	checkStatuses(t, until(t, events, doneOf(7)), 7, id, all, nil)
	if err := <-result; err != nil {
		t.Fatal(err)
	}

	// A reader that is behind: the goroutine holds the first status it took while the
	// library merges the later ones, so at most two status events stand for three.
	id = create("m")
	if video, err := wait(id, 8); err != nil || video.Status != togethervideo.StatusCompleted {
		t.Fatalf("%v %v", video, err)
	}
	got := until(t, events, doneOf(8))
	checkStatuses(t, got, 8, id, all, nil)
	if len(got) > 3 {
		t.Errorf("a slow reader got %d events: %+v", len(got), got)
	}

	// A job that failed is the wait's result: done without an error.
	id = create("fail-job")
	if video, err := wait(id, 9); err != nil || video.Status != togethervideo.StatusFailed {
		t.Fatalf("%v %v", video, err)
	}
	checkStatuses(t, until(t, events, doneOf(9)), 9, id,
		[]togethervideo.Status{togethervideo.StatusQueued, togethervideo.StatusInProgress, togethervideo.StatusFailed}, nil)

	// A wait that fails: no status, done with the code (the call has the details).
	if _, err := wait("status-404", 10); !errors.Is(err, togethervideo.ErrNotFound) {
		t.Fatalf("wait: %v", err)
	}
	got = until(t, events, doneOf(10))
	var apiErr *togethervideo.Error
	if len(got) != 1 || !errors.Is(got[0].Err, togethervideo.ErrNotFound) || !errors.As(got[0].Err, &apiErr) ||
		apiErr.Code != togethervideo.CodeNotFound {
		t.Errorf("a failed wait: %+v", got)
	}
}

// checkProgress checks a download's events: progress of tag, growing to size, then
// done with err.
func checkProgress(t *testing.T, got []togethervideo.Event, tag uint64, size int64, err error) {
	t.Helper()
	var received int64
	for _, e := range got[:len(got)-1] {
		if e.Kind != togethervideo.EventDownloadProgress || e.Tag != tag || e.Total != size || e.Received < received ||
			e.Coalesced < 1 || e.JobID != "" || e.Status != "" || e.Err != nil {
			t.Errorf("not progress of tag %d after %d bytes: %+v", tag, received, e)
		}
		received = e.Received
	}
	if err == nil && received != size {
		t.Errorf("progress ended at %d of %d bytes", received, size)
	}
	done := got[len(got)-1]
	if done.Kind != togethervideo.EventDone || done.Tag != tag || done.Total != 0 || done.Received != 0 ||
		(err == nil) != (done.Err == nil) || !errors.Is(done.Err, err) {
		t.Errorf("last %+v, want done with %v", done, err)
	}
}

// A tagged download reports its progress, then done: to a writer, to a file, by URL
// and by job id, and failing. The progress callback keeps working alongside.
func TestATaggedDownloadReportsProgressThenDone(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	events := client.Events(ctx)

	// 16 KiB every 50 ms: many progress events.
	var buffer bytes.Buffer
	var calls atomic.Int64
	n, err := client.DownloadURL(ctx, m.URL+"/files/slow-events.mp4", &buffer, func(int64, int64) { calls.Add(1) },
		togethervideo.EventTag(3))
	if err != nil || n != videoSize || calls.Load() == 0 {
		t.Fatalf("download: %d bytes, %d progress calls, %v", n, calls.Load(), err)
	}
	got := until(t, events, doneOf(3))
	checkProgress(t, got, 3, videoSize, nil)
	if len(got) < 3 {
		t.Errorf("a slow download of 16 chunks reported only %+v", got)
	}

	path := filepath.Join(t.TempDir(), "video.mp4")
	if n, err := client.DownloadVideoFile(ctx, "vid_completed", path, nil, togethervideo.EventTag(4)); err != nil || n != videoSize {
		t.Fatalf("download to a file: %d %v", n, err)
	}
	checkProgress(t, until(t, events, doneOf(4)), 4, videoSize, nil)
	if info, err := os.Stat(path); err != nil || info.Size() != videoSize {
		t.Fatalf("the file: %v %v", info, err)
	}

	video, err := client.GetVideo(ctx, "vid_completed")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Download(ctx, video, &buffer, nil, togethervideo.EventTag(5)); err != nil {
		t.Fatal(err)
	}
	checkProgress(t, until(t, events, doneOf(5)), 5, videoSize, nil)

	// An HTML page is no video: the call fails, and so does its done event.
	if _, err := client.DownloadURL(ctx, m.URL+"/files/page.html", &buffer, nil, togethervideo.EventTag(6)); !errors.Is(err, togethervideo.ErrDecode) {
		t.Fatalf("a page: %v", err)
	}
	got = until(t, events, doneOf(6))
	if last := got[len(got)-1]; !errors.Is(last.Err, togethervideo.ErrDecode) {
		t.Errorf("a page: %+v", got)
	}

	// A nil option is refused before anything is sent.
	if _, err := client.DownloadURL(ctx, m.URL+"/files/video.mp4", &buffer, nil, nil); !errors.Is(err, togethervideo.ErrInvalidArgument) {
		t.Errorf("a nil option: %v", err)
	}
	if _, err := client.DownloadURLFile(ctx, m.URL+"/files/video.mp4", path, nil, togethervideo.EventTag(1), nil); !errors.Is(err, togethervideo.ErrInvalidArgument) {
		t.Errorf("a nil option: %v", err)
	}
	if m.count("/files/video.mp4") != 0 {
		t.Error("a download with a nil option went out")
	}
}

// Calls without a tag, or with tag 0, report nothing: the first event after them is
// the one tagged call's.
func TestUntaggedCallsReportNothing(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	events := client.Events(ctx)
	job, err := client.CreateVideo(ctx, &togethervideo.CreateVideoParams{Model: "m", Prompt: "a cat"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.WaitVideo(ctx, job.ID, &togethervideo.WaitOptions{PollInterval: 5 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.WaitVideo(ctx, "vid_completed", &togethervideo.WaitOptions{EventTag: 0}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.WaitVideo(ctx, "vid_completed", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := client.GetVideo(ctx, "vid_completed"); err != nil {
		t.Fatal(err)
	}
	var buffer bytes.Buffer
	if _, err := client.DownloadURL(ctx, m.URL+"/files/untagged.mp4", &buffer, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := client.DownloadVideoFile(ctx, job.ID, filepath.Join(t.TempDir(), "v.mp4"), nil, togethervideo.EventTag(0)); err != nil {
		t.Fatal(err)
	}
	if _, err := client.DownloadVideo(ctx, "status-404", &buffer, nil); !errors.Is(err, togethervideo.ErrNotFound) {
		t.Fatal(err)
	}

	if _, err := client.WaitVideo(ctx, "vid_completed", &togethervideo.WaitOptions{EventTag: 99}); err != nil {
		t.Fatal(err)
	}
	got := until(t, events, doneOf(99))
	for _, e := range got {
		if e.Tag != 99 {
			t.Errorf("an untagged call reported %+v", e)
		}
	}
	if len(got) != 2 || got[0].Status != togethervideo.StatusCompleted {
		t.Errorf("the tagged wait: %+v", got)
	}
}

// eventGoroutines counts the goroutines behind Events channels, by their stacks (all
// of which, started or not, say they were created by Events).
func eventGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), "created by github.com/together-video/together-video/bindings/go/togethervideo.(*Client).Events")
		}
		buf = make([]byte, 2*len(buf))
	}
}

// goroutinesBack waits until no goroutine is behind an Events channel and the process
// runs no more goroutines than before (a closed client's connections end theirs on the
// mock's side too, so the total alone could hide one).
func goroutinesBack(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(eventually)
	for eventGoroutines() > 0 || runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines behind Events, %d in all, %d before:\n%s", eventGoroutines(),
				runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// closes waits for events to be closed, reading what comes first.
func closes(t *testing.T, events <-chan togethervideo.Event) {
	t.Helper()
	timeout := time.After(eventually)
	for {
		select {
		case _, ok := <-events:
			if !ok {
				return
			}
		case <-timeout:
			t.Fatal("the channel never closed")
		}
	}
}

// The goroutine behind Events ends when ctx ends, and when the client is closed,
// whether it waits in the library or to hand over an event nobody reads; a done ctx or
// a closed client gets a closed channel at once. None is left behind.
func TestTheEventsGoroutineEndsWithItsContextAndWithClose(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	if _, err := client.WaitVideo(context.Background(), "vid_completed", nil); err != nil {
		t.Fatal(err) // the connection the tagged wait below reuses
	}
	before := runtime.NumGoroutine()

	ctx, cancel := context.WithCancel(context.Background())
	waiting := []<-chan togethervideo.Event{client.Events(ctx), client.Events(ctx), client.Events(ctx)}
	if n := eventGoroutines(); n != 3 {
		t.Fatalf("%d goroutines behind 3 channels", n)
	}
	time.Sleep(20 * time.Millisecond)
	cancel()
	goroutinesBack(t, before) // nobody reading
	for _, events := range waiting {
		closes(t, events)
	}
	closes(t, client.Events(ctx))

	// Unread: after the tagged wait the goroutine holds its status event, waiting to
	// hand it over, and the library queue holds its done event.
	unread := client.Events(context.Background())
	idle := client.Events(context.Background())
	if _, err := client.WaitVideo(context.Background(), "vid_completed", &togethervideo.WaitOptions{EventTag: 1}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if n := eventGoroutines(); n != 2 {
		t.Fatalf("%d goroutines behind 2 channels", n)
	}
	client.Close()
	goroutinesBack(t, before) // nobody reading
	closes(t, unread)
	closes(t, idle)
	closes(t, client.Events(context.Background()))
}

// Close never frees the client under a goroutine waiting in the library for an event:
// closing at any moment of its waits (run under -race and GOGC=1 by make test-go).
func TestCloseWhileEventsWaitInTheLibrary(t *testing.T) {
	m := newMock(t)
	before := runtime.NumGoroutine()
	for i := 0; i < 20; i++ {
		client := newClient(t, m)
		events := []<-chan togethervideo.Event{client.Events(context.Background()), client.Events(context.Background())}
		time.Sleep(time.Duration(i*7%60) * time.Millisecond)
		client.Close()
		for _, e := range events {
			closes(t, e)
		}
	}
	goroutinesBack(t, before)
}

func TestEventKindNames(t *testing.T) {
	for kind, want := range map[togethervideo.EventKind]string{
		togethervideo.EventStatusChanged: "status changed", togethervideo.EventDownloadProgress: "download progress",
		togethervideo.EventDone: "done", 9: "kind 9",
	} {
		if kind.String() != want {
			t.Errorf("%d is %q, want %q", int(kind), kind.String(), want)
		}
	}
}
