package togethervideo_test

import (
	"context"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/together-video/together-video/bindings/go/togethervideo"
)

// together runs n calls at once and reports the first error.
func together(t *testing.T, n int, call func(i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- call(i)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// With WithMaxConcurrentRequests(2), eight slow calls at once reach the server two at
// a time, blocking GetVideo calls and downloads alike; without it, more at once.
func TestMaxConcurrentRequestsCapsTheRequestsAtTheServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	get := func(client *togethervideo.Client) func(int) error {
		return func(int) error {
			video, err := client.GetVideo(ctx, "slow-200")
			if err == nil && video.ID != "vid_completed" {
				err = fmt.Errorf("got %s", video.ID)
			}
			return err
		}
	}

	uncapped := newMock(t)
	together(t, 8, get(newClient(t, uncapped)))
	if peak := uncapped.peak("api"); peak <= 2 {
		t.Fatalf("without a cap, 8 slow calls at once reached the server at most %d at a time: the test measures nothing", peak)
	}

	m := newMock(t)
	client := newClient(t, m, togethervideo.WithMaxConcurrentRequests(2))
	together(t, 8, get(client))
	if peak, calls := m.peak("api"), len(m.arrivals("slow-200")); peak != 2 || calls != 8 {
		t.Errorf("with a cap of 2, 8 slow calls reached the server %d times, at most %d at a time", calls, peak)
	}
	// Downloads (16 KiB every 50 ms), non-blocking requests on the library's threads.
	together(t, 4, func(i int) error {
		_, err := client.DownloadURL(ctx, fmt.Sprintf("%s/files/slow-%d.mp4", m.URL, i), io.Discard, nil)
		return err
	})
	if peak := m.peak("files"); peak != 2 {
		t.Errorf("with a cap of 2, 4 slow downloads ran at most %d at a time", peak)
	}
}

// A 429 with Retry-After: 1 on one call pauses the client's other API requests: a
// call started meanwhile, blocking or a wait's poll, reaches the server only once the
// second has passed. (Only a lower bound: a slow machine may take longer.)
func TestARetryAfterPausesTheClientsOtherCalls(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	throttled := make(chan error, 1)
	go func() {
		_, err := client.GetVideo(ctx, "throttle-pause")
		throttled <- err
	}()
	// Once the client has paused for the 429, start the others. (The retry is counted
	// after the pause begins; the response is counted before, on receipt.)
	for deadline := time.Now().Add(eventually); client.Stats().RetriesRateLimited == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no 429 came")
		}
	}
	together(t, 2, func(i int) error {
		if i == 0 {
			_, err := client.GetVideo(ctx, "vid_completed")
			return err
		}
		_, err := client.WaitVideo(ctx, "vid_failed", nil)
		return err
	})
	if err := <-throttled; err != nil {
		t.Fatalf("the throttled call: %v", err)
	}

	limited := m.arrivals("throttle-pause")
	if len(limited) != 2 {
		t.Fatalf("the throttled call reached the server %d times", len(limited))
	}
	for _, id := range []string{"throttle-pause", "vid_completed", "vid_failed"} {
		arrived := m.arrivals(id)
		if len(arrived) == 0 {
			t.Fatalf("%s never arrived", id)
		}
		after := arrived[len(arrived)-1].Sub(limited[0])
		if after < 900*time.Millisecond {
			t.Errorf("%s arrived %v after the 429 with Retry-After: 1", id, after)
		}
		t.Logf("%s arrived %v after the 429", id, after)
	}
	if stats := client.Stats(); stats.RetriesRateLimited != 1 {
		t.Errorf("%d retries after 429", stats.RetriesRateLimited)
	}
}
