package togethervideo_test

import (
	"context"
	"encoding/json"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/together-video/together-video/bindings/go/togethervideo"
)

// residentKiB is the process's resident memory, from /proc/self/status.
func residentKiB(t *testing.T) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("cannot read resident memory: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kib, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kib
		}
	}
	t.Skip("no VmRSS in /proc/self/status")
	return 0
}

// TestManyWaitsFigures is `make bench`'s Go figure for many jobs on one client: 10 000
// concurrent WaitVideo calls on jobs that stay queued, polled every 4 s, against the
// out-of-process server TV_BENCH_URL names (skipped without it). It prints one JSON line:
// the OS threads while they wait and the resident memory each wait adds (its goroutine,
// channel and native request together).
func TestManyWaitsFigures(t *testing.T) {
	url := os.Getenv("TV_BENCH_URL")
	if url == "" {
		t.Skip("TV_BENCH_URL is not set (make bench sets it)")
	}
	key := os.Getenv("TV_BENCH_KEY")
	if key == "" {
		key = apiKey
	}
	client, err := togethervideo.NewClient(togethervideo.WithAPIKey(key), togethervideo.WithBaseURL(url), togethervideo.WithProxy(""))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	const n = 10000
	interval := 4 * time.Second
	if _, err := client.GetVideo(context.Background(), "vid_queued"); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	before := residentKiB(t)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client.WaitVideo(ctx, "vid_queued", &togethervideo.WaitOptions{PollInterval: interval})
		}()
	}
	time.Sleep(interval * 5 / 2)
	threads, err := osThreads()
	if err != nil {
		t.Skip(err)
	}
	waiting := residentKiB(t)
	cancel()
	wg.Wait()
	line, _ := json.Marshal(map[string]any{
		"language": "Go", "waits": n, "threads_waiting": threads,
		"kib_per_wait": float64(waiting-before) / n,
	})
	os.Stdout.Write(append(line, '\n'))
}
