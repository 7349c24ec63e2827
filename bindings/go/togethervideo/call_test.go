package togethervideo_test

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/together-video/together-video/bindings/go/togethervideo"
)

// The binding checks no number of its own: each reaches the library as the caller gave
// it (a duration in milliseconds, a negative one negative), and the error is the
// library's message, which names that value.
func TestAnOutOfRangeValueGetsTheLibrarysMessageNamingIt(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	ctx := context.Background()
	newClientWith := func(opt togethervideo.Option) error {
		c, err := togethervideo.NewClient(togethervideo.WithAPIKey(apiKey), togethervideo.WithBaseURL(m.baseURL()), opt)
		if err == nil {
			c.Close()
		}
		return err
	}
	wait := func(opts *togethervideo.WaitOptions) error {
		_, err := client.WaitVideo(ctx, "vid_completed", opts)
		return err
	}
	cases := []struct {
		name    string
		err     error
		setting string
		value   string
	}{
		{"max retries -1", newClientWith(togethervideo.WithMaxRetries(-1)), "max retries", "-1"},
		{"max retries 11", newClientWith(togethervideo.WithMaxRetries(11)), "max retries", "11"},
		{"worker threads 0", newClientWith(togethervideo.WithWorkerThreads(0)), "worker threads", "0"},
		{"worker threads MinInt", newClientWith(togethervideo.WithWorkerThreads(math.MinInt)), "worker threads", strconv.Itoa(math.MinInt)},
		{"max concurrent requests -1", newClientWith(togethervideo.WithMaxConcurrentRequests(-1)), "max concurrent requests", "-1"},
		{"max concurrent requests 1025", newClientWith(togethervideo.WithMaxConcurrentRequests(1025)), "max concurrent requests", "1025"},
		{"timeout -1s", newClientWith(togethervideo.WithTimeout(-time.Second)), "timeout", "-1000"},
		{"timeout 0", newClientWith(togethervideo.WithTimeout(0)), "timeout", "0"},
		{"timeout 2 days", newClientWith(togethervideo.WithTimeout(48 * time.Hour)), "timeout", "172800000"},
		{"connect timeout -1µs", newClientWith(togethervideo.WithConnectTimeout(-time.Microsecond)), "connect timeout", "-1"},
		{"poll interval -10ms", wait(&togethervideo.WaitOptions{PollInterval: -10 * time.Millisecond}), "poll interval", "-10"},
		{"wait timeout -1s", wait(&togethervideo.WaitOptions{Timeout: -time.Second}), "timeout", "-1000"},
		{"wait timeout 2 days", wait(&togethervideo.WaitOptions{Timeout: 48 * time.Hour}), "timeout", "172800000"},
	}
	for _, c := range cases {
		var apiErr *togethervideo.Error
		if !errors.As(c.err, &apiErr) || apiErr.Code != togethervideo.CodeInvalidArgument ||
			!strings.HasPrefix(apiErr.Message, c.setting+" must be ") || !strings.HasSuffix(apiErr.Message, ", not "+c.value) {
			t.Errorf("%s: %v", c.name, c.err)
		}
	}
	if m.count("vid_completed") != 0 {
		t.Errorf("a wait with a bad option polled %d times", m.count("vid_completed"))
	}
	// A positive duration under a millisecond is the library's smallest, not 0.
	if err := newClientWith(togethervideo.WithTimeout(time.Microsecond)); err != nil {
		t.Errorf("timeout 1µs: %v", err)
	}
	for _, n := range []int{0, 1, 1024} {
		if err := newClientWith(togethervideo.WithMaxConcurrentRequests(n)); err != nil {
			t.Errorf("max concurrent requests %d: %v", n, err)
		}
	}
}

// Every kind of call ends when its context is cancelled or its deadline passes, with
// the request in flight, and says so with ctx's error.
func TestContextEndsEveryKindOfCall(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	background := context.Background()
	calls := map[string]func(ctx context.Context) error{
		"GetVideo": func(ctx context.Context) error { _, err := client.GetVideo(ctx, "stall"); return err },
		"CreateVideo": func(ctx context.Context) error {
			_, err := client.CreateVideo(ctx, &togethervideo.CreateVideoParams{Model: "slow-1000"})
			return err
		},
		"CreateVideoJSON": func(ctx context.Context) error {
			_, err := client.CreateVideoJSON(ctx, `{"model":"slow-1000"}`)
			return err
		},
		"WaitVideo": func(ctx context.Context) error {
			silent, err := client.CreateVideo(background, &togethervideo.CreateVideoParams{Model: "silent-job"})
			if err != nil {
				return err
			}
			_, err = client.WaitVideo(ctx, silent.ID, &togethervideo.WaitOptions{PollInterval: 10 * time.Millisecond})
			return err
		},
		"DownloadVideo": func(ctx context.Context) error {
			_, err := client.DownloadVideo(ctx, "video-at-slow-ctx.mp4", discard{}, nil)
			return err
		},
	}
	for name, call := range calls {
		ctx, cancel := context.WithCancel(background)
		time.AfterFunc(150*time.Millisecond, cancel)
		start := time.Now()
		if err := call(ctx); !errors.Is(err, togethervideo.ErrCancelled) || !errors.Is(err, context.Canceled) {
			t.Errorf("%s cancelled: %v", name, err)
		}
		ctx, cancel = context.WithTimeout(background, 150*time.Millisecond)
		if err := call(ctx); !errors.Is(err, togethervideo.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s past its deadline: %v", name, err)
		}
		cancel()
		if elapsed := time.Since(start); elapsed > 700*time.Millisecond {
			t.Errorf("%s took %v to end twice", name, elapsed)
		}
		if err := call(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s with a context already done: %v", name, err)
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// A deadline further away than any timeout the library takes still lets the call run,
// and cancelling that context still ends it.
func TestAFarDeadlineIsLeftToTheContext(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	ctx, cancel := context.WithTimeout(context.Background(), 72*time.Hour)
	defer cancel()
	if video, err := client.GetVideo(ctx, "vid_completed"); err != nil || video.ID != "vid_completed" {
		t.Fatalf("get: %v %v", video, err)
	}
	if n, err := client.DownloadVideo(ctx, "video-at-far.mp4", discard{}, nil); err != nil || n != videoSize {
		t.Fatalf("download: %d %v", n, err)
	}
	time.AfterFunc(100*time.Millisecond, cancel)
	if _, err := client.GetVideo(ctx, "stall"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancel: %v", err)
	}
}

// WaitOptions.Timeout is the library's own bound: passing it is ErrTimeout without
// ctx's error, while a sooner ctx deadline wins and reports ctx's.
func TestTheSoonerOfTimeoutAndDeadlineBoundsAWait(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	background := context.Background()
	silent, _ := client.CreateVideo(background, &togethervideo.CreateVideoParams{Model: "silent-job"})
	ctx, cancel := context.WithTimeout(background, time.Hour)
	defer cancel()
	_, err := client.WaitVideo(ctx, silent.ID, &togethervideo.WaitOptions{PollInterval: 10 * time.Millisecond, Timeout: 150 * time.Millisecond})
	if !errors.Is(err, togethervideo.ErrTimeout) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Timeout first: %v", err)
	}
	ctx, cancel = context.WithTimeout(background, 150*time.Millisecond)
	defer cancel()
	_, err = client.WaitVideo(ctx, silent.ID, &togethervideo.WaitOptions{PollInterval: 10 * time.Millisecond, Timeout: time.Hour})
	if !errors.Is(err, togethervideo.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("deadline first: %v", err)
	}
}

// Close ends the calls in flight of every kind, not only the blocking GetVideo.
func TestCloseEndsRequestsInFlight(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	background := context.Background()
	silent, err := client.CreateVideo(background, &togethervideo.CreateVideoParams{Model: "silent-job"})
	if err != nil {
		t.Fatal(err)
	}
	results := make(chan error, 3)
	go func() {
		_, err := client.WaitVideo(background, silent.ID, &togethervideo.WaitOptions{PollInterval: 10 * time.Millisecond})
		results <- err
	}()
	go func() {
		_, err := client.DownloadURL(background, m.URL+"/files/slow-close.mp4", discard{}, nil)
		results <- err
	}()
	go func() { _, err := client.GetVideo(background, "stall"); results <- err }()
	time.Sleep(150 * time.Millisecond)
	client.Close()
	for i := 0; i < 3; i++ {
		select {
		case err := <-results:
			if !errors.Is(err, togethervideo.ErrCancelled) {
				t.Errorf("a call in flight at Close: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a call outlived Close")
		}
	}
}

// deadlineOnly has a deadline but never ends by itself: only the library, which has
// the deadline as the call's timeout, can end a call made with it.
type deadlineOnly struct {
	context.Context
	deadline time.Time
}

func (c deadlineOnly) Deadline() (time.Time, bool) { return c.deadline, true }

// ctx's deadline reaches the library as the call's timeout, which bounds the whole
// call, the request in flight included.
func TestTheDeadlineIsTheLibrarysTimeout(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	silent, err := client.CreateVideo(context.Background(), &togethervideo.CreateVideoParams{Model: "silent-job"})
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string]func(ctx context.Context) error{
		"GetVideo": func(ctx context.Context) error { _, err := client.GetVideo(ctx, "stall"); return err },
		"WaitVideo": func(ctx context.Context) error {
			_, err := client.WaitVideo(ctx, silent.ID, &togethervideo.WaitOptions{PollInterval: 10 * time.Millisecond})
			return err
		},
		"DownloadVideo": func(ctx context.Context) error {
			_, err := client.DownloadVideo(ctx, "video-at-slow-deadline.mp4", discard{}, nil)
			return err
		},
	}
	for name, call := range calls {
		start := time.Now()
		err := call(deadlineOnly{context.Background(), start.Add(200 * time.Millisecond)})
		if !errors.Is(err, togethervideo.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: %v", name, err)
		}
		if elapsed := time.Since(start); elapsed < 200*time.Millisecond || elapsed > 2*time.Second {
			t.Errorf("%s ended after %v", name, elapsed)
		}
	}
}
