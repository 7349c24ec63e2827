package togethervideo_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/together-video/together-video/bindings/go/togethervideo"
)

// osThreads is the process's number of OS threads, from /proc/self/status.
func osThreads() (int, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		if rest, ok := strings.CutPrefix(scanner.Text(), "Threads:"); ok {
			return strconv.Atoi(strings.TrimSpace(rest))
		}
	}
	return 0, fmt.Errorf("no Threads: line in /proc/self/status")
}

// concurrentWaits is how many WaitVideo calls TestTenThousandWaitsHoldFewOSThreads
// runs at once: 10 000, except under the race detector, which allows at most 8 128
// live goroutines (the waits, the mock's connection goroutines and the test's own), so
// there it runs 2 000.
func concurrentWaits() int {
	if raceEnabled {
		return 2000
	}
	return 10000
}

// inFreshProcess is set in the environment of the test binary that
// TestTenThousandWaitsHoldFewOSThreads starts to run itself in.
const inFreshProcess = "TOGETHER_VIDEO_THREADS_CHILD"

// A wait holds no OS thread: it waits on a channel that the library's completion
// callback signals, and the short native calls that start and end each wait take turns.
// So thousands of concurrent waits on one client run on a few dozen threads, far from
// the runtime's limit of 10 000 (SetMaxThreads).
//
// The count is the whole process's, so the test runs in a process of its own: the
// runtime never ends an idle OS thread, and the other tests (blocking GetVideo calls
// from many goroutines, say) leave dozens behind.
func TestTenThousandWaitsHoldFewOSThreads(t *testing.T) {
	if _, err := osThreads(); err != nil {
		t.Skipf("cannot count OS threads (not Linux?): %v", err)
	}
	if os.Getenv(inFreshProcess) == "" {
		child := exec.Command(os.Args[0], "-test.run=^TestTenThousandWaitsHoldFewOSThreads$", "-test.v", "-test.count=1")
		child.Env = append(os.Environ(), inFreshProcess+"=1")
		out, err := child.CombinedOutput()
		t.Logf("in a process of its own:\n%s", out)
		if err != nil {
			t.Fatalf("the test failed in its own process: %v", err)
		}
		return
	}
	// The binding runs at most 16 short native calls at once, whatever GOMAXPROCS; on a
	// large machine the runtime's own threads (one per P) would still count, so cap it.
	if runtime.GOMAXPROCS(0) > 8 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	}
	m := newMock(t)
	client := newClient(t, m)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Some waits follow created jobs through queued and in_progress (polled every few
	// milliseconds, holding no thread between polls); the rest wait on a job that is
	// completed already. (Not on a slow server: a request in flight holds one of the
	// client's few library threads, so those would run a few at a time.)
	var created []string
	for i := 0; i < 200; i++ {
		video, err := client.CreateVideo(ctx, &togethervideo.CreateVideoParams{Model: "m", Prompt: "a cat"})
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		created = append(created, video.ID)
	}

	var peak atomic.Int64
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		ticker := time.NewTicker(2 * time.Millisecond)
		defer ticker.Stop()
		for {
			if n, err := osThreads(); err == nil && int64(n) > peak.Load() {
				peak.Store(int64(n))
			}
			select {
			case <-done:
				return
			case <-ticker.C:
			}
		}
	}()

	n := concurrentWaits()
	var wg sync.WaitGroup
	var failures, inFlight, peakInFlight atomic.Int64
	errs := make(chan error, 10)
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		id, want := "vid_completed", "vid_completed"
		if i%10 == 0 {
			id = created[(i/10)%len(created)]
			want = id
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if now := inFlight.Add(1); now > peakInFlight.Load() {
				peakInFlight.Store(now) // racy maximum, good enough for the log
			}
			video, err := client.WaitVideo(ctx, id, &togethervideo.WaitOptions{PollInterval: 5 * time.Millisecond})
			inFlight.Add(-1)
			if err != nil || video.ID != want || video.Status != togethervideo.StatusCompleted {
				failures.Add(1)
				select {
				case errs <- fmt.Errorf("%s: %v %v", id, video, err):
				default:
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	close(done)
	<-sampled
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if f := failures.Load(); f > 0 {
		t.Fatalf("%d of %d waits failed", f, n)
	}
	t.Logf("%d concurrent waits (up to %d in flight at once): peak %d OS threads", n, peakInFlight.Load(), peak.Load())
	if peak.Load() >= 50 {
		t.Errorf("%d concurrent waits took up to %d OS threads, want fewer than 50", n, peak.Load())
	}
}
