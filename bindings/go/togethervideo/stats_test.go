package togethervideo_test

import (
	"context"
	"errors"
	"io"
	"reflect"
	"testing"
	"time"

	"github.com/together-video/together-video/bindings/go/togethervideo"
)

// The counters after a known sequence of calls: requests, attempts, retries by reason,
// responses by class, a request in flight and back to none, errors by code.
func TestStatsCountAKnownSequenceOfCalls(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m, togethervideo.WithMaxRetries(1))
	if got := client.Stats(); !reflect.DeepEqual(got, togethervideo.Stats{}) {
		t.Fatalf("a new client: %+v", got)
	}
	ctx := context.Background()
	get := func(id string, sentinel error) {
		t.Helper()
		if _, err := client.GetVideo(ctx, id); !errors.Is(err, sentinel) {
			t.Fatalf("%s: %v, want %v", id, err, sentinel)
		}
	}
	get("vid_completed", nil)                    // 1 attempt: 200
	get("flaky-1-503-stats", nil)                // 2: 503, 200
	get("flaky-1-429-stats", nil)                // 2: 429, 200
	get("status-404", togethervideo.ErrNotFound) // 1: 404
	get("status-500", togethervideo.ErrServer)   // 2: 500, 500
	get("redirect-same", nil)                    // 1: 302, 200
	get("reset", togethervideo.ErrConnection)    // 2: no response
	if _, err := client.DownloadURL(ctx, m.URL+"/files/drop-stats.mp4", io.Discard, nil); err != nil {
		t.Fatal(err) // 2: 200 cut short, 206
	}

	stalled, cancel := context.WithCancel(ctx)
	result := make(chan error)
	go func() {
		_, err := client.GetVideo(stalled, "stall") // 1: no response
		result <- err
	}()
	for deadline := time.Now().Add(5 * time.Second); client.Stats().RequestsInFlight != 1; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("never in flight: %+v", client.Stats())
		}
	}
	cancel()
	if err := <-result; !errors.Is(err, context.Canceled) {
		t.Fatalf("stall: %v", err)
	}

	got := client.Stats()
	want := togethervideo.Stats{
		Requests: 9, Attempts: 14,
		RetriesRateLimited: 1, RetriesServer: 2, RetriesConnection: 2, // reset, and the download's resume
		Responses2xx: 6, Responses3xx: 1, Responses4xx: 2, Responses5xx: 3,
		Errors: map[togethervideo.Code]uint64{
			togethervideo.CodeNotFound: 1, togethervideo.CodeServer: 1,
			togethervideo.CodeConnection: 1, togethervideo.CodeCancelled: 1,
		},
		// Measured, checked below.
		BytesSent: got.BytesSent, BytesReceived: got.BytesReceived,
		ConnectionsOpened: got.ConnectionsOpened, ConnectionsReused: got.ConnectionsReused,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stats\n got %+v\nwant %+v", got, want)
	}
	if got.BytesSent < 9*50 || got.BytesReceived < videoSize {
		t.Errorf("bytes sent %d, received %d", got.BytesSent, got.BytesReceived)
	}
	if got.ConnectionsOpened != uint64(m.count("connections")) || got.ConnectionsReused == 0 ||
		got.ConnectionsOpened+got.ConnectionsReused != got.Attempts+1 { // the redirect's second request
		t.Errorf("connections: %d opened (the mock saw %d), %d reused", got.ConnectionsOpened, m.count("connections"), got.ConnectionsReused)
	}
	if got.Errors[togethervideo.CodeTimeout] != 0 {
		t.Error("a timeout counted")
	}

	client.Close()
	if after := client.Stats(); !reflect.DeepEqual(after, togethervideo.Stats{}) {
		t.Errorf("after Close: %+v", after)
	}
}
