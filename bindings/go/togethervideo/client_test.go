package togethervideo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/together-video/together-video/bindings/go/togethervideo"
)

func newClient(t testing.TB, m *mock, opts ...togethervideo.Option) *togethervideo.Client {
	t.Helper()
	base := []togethervideo.Option{togethervideo.WithAPIKey(apiKey), togethervideo.WithBaseURL(m.baseURL()), togethervideo.WithProxy("")}
	client, err := togethervideo.NewClient(append(base, opts...)...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}

// expected is tests/fixtures/expected.json: what every binding must decode.
func expected(t *testing.T) map[string]map[string]any {
	raw, err := os.ReadFile(filepath.Join(fixturesDir(), "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(raw, &all); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for id, fields := range all {
		if strings.HasPrefix(id, "_") {
			continue
		}
		var decoded map[string]any
		if err := json.Unmarshal(fields, &decoded); err != nil {
			t.Fatal(err)
		}
		out[id] = decoded
	}
	return out
}

func TestEveryFixtureDecodesAsExpected(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	for id, want := range expected(t) {
		video, err := client.GetVideo(context.Background(), id)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		text := func(name string) string {
			s, _ := want[name].(string)
			return strings.ReplaceAll(s, "{{origin}}", m.URL)
		}
		number := func(name string) float64 { f, _ := want[name].(float64); return f }
		checks := []struct {
			name      string
			got, want any
		}{
			{"object", video.Object, text("object")},
			{"model", video.Model, text("model")},
			{"status", video.Status, togethervideo.Status(text("status_raw"))},
			{"status known", video.Status.Known(), text("status") != "unknown"},
			{"size", video.Size, text("size")},
			{"seconds", video.Seconds, text("seconds")},
			{"error_code", video.ErrorCode, text("error_code")},
			{"error_message", video.ErrorMessage, text("error_message")},
			{"has_outputs", video.HasOutputs, want["has_outputs"]},
			{"cost", video.Cost.Or(0), number("cost")},
			{"cost present", video.Cost.IsSet(), want["has_outputs"]},
			{"video_url", video.VideoURL, text("video_url")},
		}
		for _, check := range checks {
			if check.got != check.want {
				t.Errorf("%s %s = %v, want %v", id, check.name, check.got, check.want)
			}
		}
		seconds := func(at time.Time) float64 { return float64(at.UnixNano()) / 1e9 }
		near := func(a, b float64) bool { return math.Abs(a-b) < 1e-6 }
		if created := number("created_at"); created == 0 != video.CreatedAt.IsZero() ||
			(created != 0 && !near(seconds(video.CreatedAt), created)) {
			t.Errorf("%s created_at = %v, want %v", id, video.CreatedAt, created)
		}
		if completed, ok := want["completed_at"].(float64); ok != !video.CompletedAt.IsZero() ||
			(ok && !near(seconds(video.CompletedAt), completed)) {
			t.Errorf("%s completed_at = %v, want %v", id, video.CompletedAt, want["completed_at"])
		}
		if !strings.Contains(video.RawJSON(), `"`+id+`"`) {
			t.Errorf("%s JSON is not the body: %s", id, video.RawJSON())
		}
	}
}

func TestEveryResultCodeMatchesItsSentinel(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m, togethervideo.WithMaxRetries(0))
	cases := []struct {
		status   int
		sentinel error
	}{
		{400, togethervideo.ErrBadRequest}, {401, togethervideo.ErrAuthentication}, {403, togethervideo.ErrPermissionDenied},
		{404, togethervideo.ErrNotFound}, {409, togethervideo.ErrConflict}, {418, togethervideo.ErrHTTP},
		{422, togethervideo.ErrUnprocessable}, {429, togethervideo.ErrRateLimited}, {500, togethervideo.ErrServer},
		{503, togethervideo.ErrServer},
	}
	for _, c := range cases {
		_, err := client.GetVideo(context.Background(), fmt.Sprintf("status-%d", c.status))
		var apiErr *togethervideo.Error
		if !errors.Is(err, c.sentinel) || !errors.As(err, &apiErr) {
			t.Fatalf("%d: %v is not %v", c.status, err, c.sentinel)
		}
		if apiErr.HTTPStatus != c.status || apiErr.RequestID != fmt.Sprintf("req-status-%d", c.status) {
			t.Errorf("%d: %+v", c.status, apiErr)
		}
		if !strings.Contains(apiErr.Message, fmt.Sprintf("mock %d response", c.status)) {
			t.Errorf("%d: message %q", c.status, apiErr.Message)
		}
		if errors.Is(err, togethervideo.ErrInternal) {
			t.Errorf("%d matches another sentinel", c.status)
		}
	}
	wrongKey, err := togethervideo.NewClient(togethervideo.WithAPIKey("wrong"), togethervideo.WithBaseURL(m.baseURL()))
	if err != nil {
		t.Fatal(err)
	}
	defer wrongKey.Close()
	if _, err := wrongKey.GetVideo(context.Background(), "vid_completed"); !errors.Is(err, togethervideo.ErrAuthentication) {
		t.Errorf("wrong key: %v", err)
	}
	if _, err := client.GetVideo(context.Background(), "html-200"); !errors.Is(err, togethervideo.ErrDecode) {
		t.Errorf("html body: %v", err)
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	refused, _ := togethervideo.NewClient(togethervideo.WithAPIKey(apiKey), togethervideo.WithBaseURL(closed.URL+"/v2"), togethervideo.WithMaxRetries(0))
	defer refused.Close()
	if _, err := refused.GetVideo(context.Background(), "vid_completed"); !errors.Is(err, togethervideo.ErrConnection) {
		t.Errorf("refused connection: %v", err)
	}
	if _, err := client.GetVideo(context.Background(), ".."); !errors.Is(err, togethervideo.ErrInvalidArgument) {
		t.Errorf("unsafe id: %v", err)
	}
	_, err = togethervideo.NewClient(togethervideo.WithAPIKey(apiKey), togethervideo.WithBaseURL("ftp://nowhere"))
	if !errors.Is(err, togethervideo.ErrInvalidArgument) {
		t.Errorf("bad base URL: %v", err)
	}
	_, err = togethervideo.NewClient(togethervideo.WithAPIKey(apiKey), togethervideo.WithMaxRetries(11))
	if !errors.Is(err, togethervideo.ErrInvalidArgument) {
		t.Errorf("bad retries: %v", err)
	}
	_, err = togethervideo.NewClient(togethervideo.WithAPIKey(apiKey), togethervideo.WithCAFile("/nonexistent.pem"))
	var apiErr *togethervideo.Error
	if !errors.As(err, &apiErr) || apiErr.Code != togethervideo.CodeInvalidArgument || !strings.Contains(apiErr.Message, "CA file") {
		t.Errorf("bad CA file: %v", err)
	}
}

func TestRetriesThenSuccess(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	video, err := client.GetVideo(context.Background(), "flaky-2-503-go")
	if err != nil || video.ID != "flaky-2-503-go" || m.count("flaky-2-503-go") != 3 {
		t.Fatalf("video %v, err %v, hits %d", video, err, m.count("flaky-2-503-go"))
	}
	_, err = client.GetVideo(context.Background(), "flaky-9-429-spent")
	if !errors.Is(err, togethervideo.ErrRateLimited) || m.count("flaky-9-429-spent") != 3 {
		t.Fatalf("err %v, hits %d", err, m.count("flaky-9-429-spent"))
	}
}

func TestContextStopsTheCallInFlight(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := client.GetVideo(ctx, "stall")
	if !errors.Is(err, togethervideo.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("deadline: %v", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	_, err = client.GetVideo(ctx, "stall")
	if !errors.Is(err, togethervideo.ErrCancelled) || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancel: %v", err)
	}
	if _, err := client.GetVideo(ctx, "vid_completed"); !errors.Is(err, context.Canceled) {
		t.Fatalf("a done context: %v", err)
	}
}

func TestCloseIsIdempotentAndEndsCalls(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	result := make(chan error)
	go func() {
		_, err := client.GetVideo(context.Background(), "stall")
		result <- err
	}()
	time.Sleep(100 * time.Millisecond)
	client.Close()
	client.Close()
	if err := <-result; !errors.Is(err, togethervideo.ErrCancelled) {
		t.Fatalf("call in flight at Close: %v", err)
	}
	if _, err := client.GetVideo(context.Background(), "vid_completed"); !errors.Is(err, togethervideo.ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

func TestThirtyTwoGoroutinesShareOneClient(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	ids := []string{"vid_completed", "vid_failed", "vid_queued", "vid_in_progress", "vid_unknown_status"}
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for g := 0; g < 32; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				id := ids[(g+i)%len(ids)]
				video, err := client.GetVideo(context.Background(), id)
				if err != nil || video.ID != id {
					errs <- fmt.Errorf("%s: %v %v", id, video, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestWaitFollowsAJobAndReportsProgress(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	ctx := context.Background()
	created, err := client.CreateVideo(ctx, &togethervideo.CreateVideoParams{Model: "m", Prompt: "a cat", Steps: 20})
	if err != nil || created.Status != togethervideo.StatusQueued {
		t.Fatalf("create: %v %v", created, err)
	}
	var mu sync.Mutex
	var seen []string
	video, err := client.WaitVideo(ctx, created.ID, &togethervideo.WaitOptions{
		PollInterval: 10 * time.Millisecond,
		Progress: func(v *togethervideo.Video) {
			mu.Lock()
			seen = append(seen, string(v.Status))
			mu.Unlock()
		},
	})
	if err != nil || video.Status != togethervideo.StatusCompleted || video.VideoURL == "" {
		t.Fatalf("wait: %v %v", video, err)
	}
	if strings.Join(seen, ",") != "queued,in_progress,completed" {
		t.Errorf("progress saw %v", seen)
	}

	failed, _ := client.CreateVideo(ctx, &togethervideo.CreateVideoParams{Model: "fail-job"})
	video, err = client.WaitVideo(ctx, failed.ID, &togethervideo.WaitOptions{PollInterval: 10 * time.Millisecond})
	if err != nil || video.Status != togethervideo.StatusFailed || video.ErrorCode != "generation_failed" {
		t.Fatalf("failed job: %v %v", video, err)
	}
}

func TestWaitDeadlineAndCancellationHoldAgainstASilentServer(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	silent, _ := client.CreateVideo(context.Background(), &togethervideo.CreateVideoParams{Model: "silent-job"})
	_, err := client.WaitVideo(context.Background(), silent.ID, &togethervideo.WaitOptions{PollInterval: 10 * time.Millisecond, Timeout: 300 * time.Millisecond})
	if !errors.Is(err, togethervideo.ErrTimeout) {
		t.Fatalf("timeout: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	silent, _ = client.CreateVideo(context.Background(), &togethervideo.CreateVideoParams{Model: "silent-job"})
	_, err = client.WaitVideo(ctx, silent.ID, &togethervideo.WaitOptions{PollInterval: 10 * time.Millisecond})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancel: %v", err)
	}
}

func TestCreateIsNotRetriedAfterSending(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	_, err := client.CreateVideo(context.Background(), &togethervideo.CreateVideoParams{Model: "status-503"})
	if !errors.Is(err, togethervideo.ErrServer) || m.count("create:status-503") != 1 {
		t.Fatalf("err %v, posts %d", err, m.count("create:status-503"))
	}
	if _, err := client.CreateVideo(context.Background(), &togethervideo.CreateVideoParams{Model: "m", Steps: 5}); !errors.Is(err, togethervideo.ErrInvalidArgument) {
		t.Fatalf("steps 5: %v", err)
	}
	video, err := client.CreateVideoJSON(context.Background(), `{"model":"m","brand_new":1}`)
	if err != nil || video.Status != togethervideo.StatusQueued {
		t.Fatalf("json: %v %v", video, err)
	}
}

func TestDownloadToAWriterAndAFile(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	ctx := context.Background()
	video, err := client.GetVideo(ctx, "video-at-clip.webm")
	if err != nil {
		t.Fatal(err)
	}
	var buffer bytes.Buffer
	var last int64
	n, err := client.Download(ctx, video, &buffer, func(received, total int64) { last = received })
	if err != nil || n != videoSize || !bytes.Equal(buffer.Bytes(), videoBytes("clip.webm")) || last != videoSize {
		t.Fatalf("writer: n %d, last %d, err %v", n, last, err)
	}
	path := filepath.Join(t.TempDir(), "clip.mp4")
	video, _ = client.GetVideo(ctx, "video-at-clip.mp4")
	if n, err := client.DownloadFile(ctx, video, path, nil); err != nil || n != videoSize {
		t.Fatalf("file: %d %v", n, err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, videoBytes("clip.mp4")) {
		t.Fatal("the file differs")
	}
	page, _ := client.GetVideo(ctx, "video-at-page.html")
	if _, err := client.DownloadFile(ctx, page, path+".html", nil); !errors.Is(err, togethervideo.ErrDecode) {
		t.Fatalf("page: %v", err)
	}
	queued, _ := client.GetVideo(ctx, "vid_queued")
	if _, err := client.Download(ctx, queued, &buffer, nil); !errors.Is(err, togethervideo.ErrInvalidArgument) {
		t.Fatalf("not completed: %v", err)
	}
}

func TestACancelledDownloadLeavesNoFile(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	dir := t.TempDir()
	video, _ := client.GetVideo(context.Background(), "video-at-slow-go.mp4")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := client.DownloadFile(ctx, video, filepath.Join(dir, "slow.mp4"), nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("left behind: %v", entries)
	}
}

func TestAPanickingCallbackPanicsInTheCaller(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	created, _ := client.CreateVideo(context.Background(), &togethervideo.CreateVideoParams{Model: "m"})
	defer func() {
		if r := recover(); r != "boom" {
			t.Fatalf("recovered %v", r)
		}
	}()
	client.WaitVideo(context.Background(), created.ID, &togethervideo.WaitOptions{
		PollInterval: 10 * time.Millisecond,
		Progress:     func(*togethervideo.Video) { panic("boom") },
	})
	t.Fatal("WaitVideo returned instead of panicking")
}

func TestVersionAndStatusNames(t *testing.T) {
	if togethervideo.Version() == "" {
		t.Fatal("no version")
	}
	if string(togethervideo.StatusInProgress) != "in_progress" || togethervideo.CodeNotFound.String() != "not found" {
		t.Fatal("names")
	}
}

func TestTheFileSystemResultCodeHasItsNameAndSentinel(t *testing.T) {
	err := error(&togethervideo.Error{Code: togethervideo.CodeFileSystem, Message: "cannot replace out.mp4"})
	if togethervideo.CodeFileSystem != 16 || togethervideo.CodeFileSystem.String() != "file system error" {
		t.Fatalf("code %d, name %q", togethervideo.CodeFileSystem, togethervideo.CodeFileSystem.String())
	}
	if !errors.Is(err, togethervideo.ErrFileSystem) || errors.Is(err, togethervideo.ErrInternal) {
		t.Fatalf("%v matches the wrong sentinel", err)
	}
}

// A call keeps its client alive: each call runs on a client that only the call itself
// references, while the test collects garbage, so a finalizer closing the client
// mid-call would cancel it.
func TestACallKeepsItsClientAlive(t *testing.T) {
	m := newMock(t)
	ctx := context.Background()
	slowClip, err := newClient(t, m).GetVideo(ctx, "video-at-slow-gc.mp4")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	calls := []struct {
		name string
		call func(*togethervideo.Client) error
	}{
		{"GetVideo", func(c *togethervideo.Client) error { _, err := c.GetVideo(ctx, "slow-500"); return err }},
		{"WaitVideo", func(c *togethervideo.Client) error { _, err := c.WaitVideo(ctx, "slow-500", nil); return err }},
		{"CreateVideo", func(c *togethervideo.Client) error {
			_, err := c.CreateVideo(ctx, &togethervideo.CreateVideoParams{Model: "slow-500"})
			return err
		}},
		{"CreateVideoJSON", func(c *togethervideo.Client) error {
			_, err := c.CreateVideoJSON(ctx, `{"model":"slow-500"}`)
			return err
		}},
		{"Download", func(c *togethervideo.Client) error { _, err := c.Download(ctx, slowClip, io.Discard, nil); return err }},
		{"DownloadFile", func(c *togethervideo.Client) error {
			_, err := c.DownloadFile(ctx, slowClip, filepath.Join(dir, "clip.mp4"), nil)
			return err
		}},
		{"DownloadURL", func(c *togethervideo.Client) error {
			_, err := c.DownloadURL(ctx, slowClip.VideoURL, io.Discard, nil)
			return err
		}},
		{"DownloadURLFile", func(c *togethervideo.Client) error {
			_, err := c.DownloadURLFile(ctx, slowClip.VideoURL, filepath.Join(dir, "url.mp4"), nil)
			return err
		}},
		{"DownloadVideo", func(c *togethervideo.Client) error {
			_, err := c.DownloadVideo(ctx, slowClip.ID, io.Discard, nil)
			return err
		}},
		{"DownloadVideoFile", func(c *togethervideo.Client) error {
			_, err := c.DownloadVideoFile(ctx, slowClip.ID, filepath.Join(dir, "id.mp4"), nil)
			return err
		}},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				client, err := togethervideo.NewClient(togethervideo.WithAPIKey(apiKey), togethervideo.WithBaseURL(m.baseURL()), togethervideo.WithProxy(""))
				if err != nil {
					done <- err
					return
				}
				done <- c.call(client)
			}()
			for {
				runtime.GC()
				select {
				case err := <-done:
					if err != nil {
						t.Fatal(err)
					}
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
		})
	}
}

// A string holding a NUL byte would reach C cut short at it, so every call refuses one
// before sending anything, naming the argument.
func TestANulByteInAStringIsRefused(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	ctx := context.Background()
	video, err := client.GetVideo(ctx, "vid_completed")
	if err != nil {
		t.Fatal(err)
	}
	withNul := *video
	withNul.VideoURL += "\x00"
	path := filepath.Join(t.TempDir(), "clip.mp4")
	create := func(params *togethervideo.CreateVideoParams) func() error {
		return func() error { _, err := client.CreateVideo(ctx, params); return err }
	}
	option := func(opt togethervideo.Option) func() error {
		return func() error {
			c, err := togethervideo.NewClient(togethervideo.WithAPIKey(apiKey), togethervideo.WithBaseURL(m.baseURL()), opt)
			if err == nil {
				c.Close()
			}
			return err
		}
	}
	cases := []struct {
		argument string
		call     func() error
	}{
		{"id", func() error { _, err := client.GetVideo(ctx, "vid_completed\x00x"); return err }},
		{"id", func() error { _, err := client.WaitVideo(ctx, "vid_completed\x00x", nil); return err }},
		{"model", create(&togethervideo.CreateVideoParams{Model: "m\x00x"})},
		{"prompt", create(&togethervideo.CreateVideoParams{Model: "m", Prompt: "a cat\x00"})},
		{"negative prompt", create(&togethervideo.CreateVideoParams{Model: "m", NegativePrompt: "\x00dogs"})},
		{"frame image", create(&togethervideo.CreateVideoParams{Model: "m", FrameImages: []togethervideo.FrameImage{{URL: "https://i/a.png\x00"}}})},
		{"audio input", create(&togethervideo.CreateVideoParams{Model: "m", AudioInputs: []togethervideo.MediaURL{{URL: "https://i/a.mp3\x00"}}})},
		{"extra field name", create(&togethervideo.CreateVideoParams{Model: "m", Extra: map[string]any{"knob\x00": 1}})},
		{"body", func() error { _, err := client.CreateVideoJSON(ctx, `{"model":"m"}`+"\x00"); return err }},
		{"video URL", func() error { _, err := client.Download(ctx, &withNul, io.Discard, nil); return err }},
		{"path", func() error { _, err := client.DownloadFile(ctx, video, path+"\x00.part", nil); return err }},
		{"url", func() error { _, err := client.DownloadURL(ctx, video.VideoURL+"\x00x", io.Discard, nil); return err }},
		{"url", func() error { _, err := client.DownloadURLFile(ctx, video.VideoURL+"\x00x", path, nil); return err }},
		{"path", func() error { _, err := client.DownloadURLFile(ctx, video.VideoURL, path+"\x00.part", nil); return err }},
		{"id", func() error { _, err := client.DownloadVideo(ctx, "vid_completed\x00x", io.Discard, nil); return err }},
		{"id", func() error { _, err := client.DownloadVideoFile(ctx, "vid_completed\x00x", path, nil); return err }},
		{"path", func() error {
			_, err := client.DownloadVideoFile(ctx, "vid_completed", path+"\x00.part", nil)
			return err
		}},
		{"API key", option(togethervideo.WithAPIKey(apiKey + "\x00"))},
		{"base URL", option(togethervideo.WithBaseURL(m.baseURL() + "\x00x"))},
		{"user agent", option(togethervideo.WithUserAgent("app/1.0\x00"))},
		{"CA file", option(togethervideo.WithCAFile("ca.pem\x00"))},
		{"proxy", option(togethervideo.WithProxy("\x00"))},
	}
	for _, c := range cases {
		err := c.call()
		var apiErr *togethervideo.Error
		if !errors.As(err, &apiErr) || apiErr.Code != togethervideo.CodeInvalidArgument || apiErr.Message != c.argument+" contains a NUL byte" {
			t.Errorf("%s: %v", c.argument, err)
		}
	}
	if gets, creates, files := m.count("vid_completed"), m.count("create:m"), m.count("/files/vid_completed.mp4"); gets != 1 || creates != 0 || files != 0 {
		t.Errorf("requests sent: %d gets, %d creates, %d downloads", gets, creates, files)
	}
}
