package togethervideo_test

// WithLogger through the real library against the mock: every event kind as a slog
// record with its fields, levels filtered in the library, no secret at any level, a
// panicking handler, no record after Close, TOGETHER_LOG without a logger, and Stats
// from a handler.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/together-video/together-video/bindings/go/togethervideo"
)

// record is what recorder kept of a slog.Record.
type record struct {
	level   slog.Level
	message string
	attrs   map[string]slog.Value
}

func (r record) kind() string { return r.attrs["kind"].String() }

func (r record) String() string {
	return fmt.Sprintf("%v %q %v", r.level, r.message, r.attrs)
}

// recorder is a slog.Handler that keeps every record it handles (from any thread).
type recorder struct {
	level slog.Level
	// panicOn is a kind whose records make Handle panic.
	panicOn string

	mu      sync.Mutex
	records []record
	// refused counts Enabled calls answered false.
	refused int
	// closed is set by the test once Close has returned; late counts records after it.
	closed bool
	late   int
}

func (h *recorder) Enabled(_ context.Context, level slog.Level) bool {
	if level >= h.level {
		return true
	}
	h.mu.Lock()
	h.refused++
	h.mu.Unlock()
	return false
}

func (h *recorder) Handle(_ context.Context, r slog.Record) error {
	kept := record{level: r.Level, message: r.Message, attrs: map[string]slog.Value{}}
	r.Attrs(func(a slog.Attr) bool {
		kept.attrs[a.Key] = a.Value
		return true
	})
	if kept.kind() == h.panicOn {
		panic("a broken handler")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, kept)
	if h.closed {
		h.late++
	}
	return nil
}

func (h *recorder) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *recorder) WithGroup(string) slog.Handler      { return h }

func (h *recorder) all() []record {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]record(nil), h.records...)
}

func (h *recorder) ofKind(kind string) []record {
	var out []record
	for _, r := range h.all() {
		if r.kind() == kind {
			out = append(out, r)
		}
	}
	return out
}

func (h *recorder) refusals() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.refused
}

// newLogged is a client of m logging to a new recorder at level.
func newLogged(t *testing.T, m *mock, level slog.Level, opts ...togethervideo.Option) (*togethervideo.Client, *recorder) {
	t.Helper()
	h := &recorder{level: level}
	return newClient(t, m, append(opts, togethervideo.WithLogger(slog.New(h)))...), h
}

// The kinds of event the header lists, with their slog levels.
var eventLevels = map[string]slog.Level{
	"client_created": slog.LevelInfo, "client_freed": slog.LevelInfo, "retry": slog.LevelWarn,
	"redirect": slog.LevelDebug, "poll": slog.LevelDebug, "download_started": slog.LevelInfo,
	"download_resumed": slog.LevelWarn, "download_finished": slog.LevelInfo, "cancelled": slog.LevelInfo,
	"http_trace": togethervideo.LevelTrace,
}

// Every kind of event reaches the logger as a record whose message is the event's line
// and whose attributes are its fields, typed: one client's journey.
func TestTheLoggerGetsEveryKindOfEventWithItsFields(t *testing.T) {
	m := newMock(t)
	client, h := newLogged(t, m, togethervideo.LevelTrace)
	ctx := context.Background()
	for _, id := range []string{"vid_completed", "flaky-1-503-log", "redirect-same"} {
		if _, err := client.GetVideo(ctx, id); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
	}
	if _, err := client.GetVideo(ctx, "status-404"); !errors.Is(err, togethervideo.ErrNotFound) {
		t.Fatalf("status-404: %v", err)
	}
	created, err := client.CreateVideo(ctx, &togethervideo.CreateVideoParams{Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.WaitVideo(ctx, created.ID, &togethervideo.WaitOptions{PollInterval: 10 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "log.mp4")
	if n, err := client.DownloadURLFile(ctx, m.URL+"/files/drop-log.mp4?signature=topsecret", path, nil); err != nil || n != videoSize {
		t.Fatalf("download: %d %v", n, err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	time.AfterFunc(100*time.Millisecond, cancel)
	if _, err := client.GetVideo(cancelled, "stall"); !errors.Is(err, context.Canceled) {
		t.Fatalf("stall: %v", err)
	}
	client.Close()

	records := h.all()
	for kind, level := range eventLevels {
		of := h.ofKind(kind)
		if len(of) == 0 {
			t.Errorf("no %s record", kind)
		}
		for _, r := range of {
			if r.level != level {
				t.Errorf("%s at %v, want %v", kind, r.level, level)
			}
		}
	}
	if last := records[len(records)-1]; last.kind() != "client_freed" {
		t.Errorf("the last record is %v", last)
	}
	for _, r := range records {
		if r.message == "" {
			t.Errorf("no message: %v", r)
		}
		for key, value := range r.attrs {
			if value.String() == "" || (value.Kind() == slog.KindInt64 && value.Int64() == 0) {
				t.Errorf("empty attribute %s: %v", key, r)
			}
		}
		if strings.Contains(r.String(), "topsecret") {
			t.Errorf("the signed query: %v", r)
		}
	}

	// want checks that some record of kind has the attribute values and types given
	// (a func(slog.Value) bool checks a value itself).
	want := func(kind string, fields map[string]any) {
		t.Helper()
		for _, r := range h.ofKind(kind) {
			if matches(r, fields) {
				return
			}
		}
		t.Errorf("no %s record with %v among %v", kind, fields, h.ofKind(kind))
	}
	positive := func(v slog.Value) bool {
		return (v.Kind() == slog.KindDuration && v.Duration() > 0) || (v.Kind() == slog.KindInt64 && v.Int64() > 0)
	}
	prefix := func(p string) func(slog.Value) bool {
		return func(v slog.Value) bool { return v.Kind() == slog.KindString && strings.HasPrefix(v.String(), p) }
	}
	want("client_created", map[string]any{"url": m.baseURL()})
	want("http_attempt", map[string]any{
		"method": "GET", "url": m.baseURL() + "/videos/vid_completed", "attempt": int64(1), "status": int64(200),
		"duration": positive, "request_id": "req-job", "bytes": positive,
	})
	want("http_attempt", map[string]any{"status": int64(404), "result": "not found", "request_id": "req-status-404"})
	want("retry", map[string]any{
		"url": m.baseURL() + "/videos/flaky-1-503-log", "attempt": int64(1), "status": int64(503),
		"reason": prefix(""), "delay": positive, "delay_from_server": true, "result": "server error",
	})
	want("redirect", map[string]any{"status": int64(302), "url": m.URL, "method": "GET"})
	want("poll", map[string]any{"job_id": created.ID, "job_status": "queued", "delay": positive})
	want("poll", map[string]any{"job_id": created.ID, "job_status": "completed"})
	fileURL := prefix(m.URL + "/files/drop-log.mp4?<redacted>")
	want("download_started", map[string]any{"url": fileURL, "total": int64(videoSize)})
	want("download_resumed", map[string]any{"url": fileURL, "offset": positive, "total": int64(videoSize)})
	want("download_finished", map[string]any{"url": fileURL, "bytes": int64(videoSize), "duration": positive})
	want("cancelled", map[string]any{"reason": prefix(""), "result": "cancelled"})
	want("http_trace", map[string]any{"detail": func(v slog.Value) bool {
		return strings.Contains(strings.ToLower(v.String()), "authorization: <redacted>")
	}})
	for _, r := range h.ofKind("http_attempt") {
		if _, ok := r.attrs["delay_from_server"]; ok {
			t.Errorf("delay_from_server on an attempt: %v", r)
		}
	}
}

// matches reports whether r has every field: a value equal to the one given, or one
// that the func given accepts.
func matches(r record, fields map[string]any) bool {
	for key, w := range fields {
		got, ok := r.attrs[key]
		if !ok {
			return false
		}
		if check, isFunc := w.(func(slog.Value) bool); isFunc {
			if !check(got) {
				return false
			}
		} else if !reflect.DeepEqual(got.Any(), w) {
			return false
		}
	}
	return true
}

// The library builds only the events the handler is enabled for when the client is
// created: a handler at Warn is never asked about an info or debug record, let alone
// given one.
func TestTheLibraryLogsOnlyAtTheHandlersLevel(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelWarn, slog.LevelInfo, slog.LevelDebug} {
		t.Run(level.String(), func(t *testing.T) {
			m := newMock(t)
			client, h := newLogged(t, m, level)
			probed := h.refusals() // NewClient asks about the levels below
			ctx := context.Background()
			client.GetVideo(ctx, "vid_completed")
			client.GetVideo(ctx, "flaky-1-503-filter")
			client.GetVideo(ctx, "redirect-same")
			client.GetVideo(ctx, "status-404")
			created, _ := client.CreateVideo(ctx, &togethervideo.CreateVideoParams{Model: "m"})
			client.WaitVideo(ctx, created.ID, &togethervideo.WaitOptions{PollInterval: 10 * time.Millisecond})
			client.Close()
			for _, r := range h.all() {
				if r.level < level {
					t.Errorf("a record below %v: %v", level, r)
				}
			}
			if n := h.refusals() - probed; n != 0 {
				t.Errorf("the library built %d events the handler was not enabled for", n)
			}
			if len(h.ofKind("retry")) == 0 || (level <= slog.LevelInfo) != (len(h.ofKind("client_created")) > 0) ||
				(level <= slog.LevelDebug) != (len(h.ofKind("poll")) > 0) || len(h.ofKind("http_trace")) > 0 {
				t.Errorf("records at %v: %v", level, h.all())
			}
		})
	}
}

// A server that repeats the key in a body, headers, the request id and a signed video
// URL's query: at every level, no record's message or attribute holds the key, any 8
// characters of it, or the signed query.
func TestNoLogLevelShowsTheKeyOrASignedQuery(t *testing.T) {
	const key = "tvk_live_7Qm2Xr9Lp4Wd8Kf3Zt6Bn1Hc5Jy0Vs-eA9uR2oT4iP6gS8dF1hJ3"
	levels := []slog.Level{slog.LevelError, slog.LevelWarn, slog.LevelInfo, slog.LevelDebug, togethervideo.LevelTrace}
	for _, level := range levels {
		t.Run(level.String(), func(t *testing.T) {
			m := newMock(t)
			h := &recorder{level: level}
			client, err := togethervideo.NewClient(togethervideo.WithAPIKey(key), togethervideo.WithBaseURL(m.baseURL()),
				togethervideo.WithProxy(""), togethervideo.WithLogger(slog.New(h)))
			if err != nil {
				t.Fatal(err)
			}
			defer client.Close()
			ctx := context.Background()
			video, err := client.GetVideo(ctx, "echo-key-everywhere")
			if err != nil || !strings.Contains(video.VideoURL, key) {
				t.Fatalf("echo-key-everywhere: %v %v", video, err)
			}
			path := filepath.Join(t.TempDir(), "echo.mp4")
			if _, err := client.DownloadURLFile(ctx, video.VideoURL, path, nil); err != nil {
				t.Fatalf("download: %v", err)
			}
			for _, id := range []string{"echo-key", "echo-key-request-id"} {
				if _, err := client.GetVideo(ctx, id); !errors.Is(err, togethervideo.ErrAuthentication) {
					t.Fatalf("%s: %v", id, err)
				}
			}
			client.Close()

			records := h.all()
			if level <= slog.LevelInfo && len(records) == 0 {
				t.Fatal("no records")
			}
			if level <= slog.LevelWarn && len(h.ofKind("download_resumed")) == 0 {
				t.Error("the download did not resume")
			}
			if level > togethervideo.LevelTrace && len(h.ofKind("http_trace")) > 0 {
				t.Error("trace records")
			}
			// The key, or any 8 characters of it, nowhere; the signed query nowhere.
			for _, r := range records {
				if r.level < level {
					t.Errorf("a record below %v: %v", level, r)
				}
				texts := []string{r.message}
				for _, value := range r.attrs {
					texts = append(texts, value.String())
				}
				for _, text := range texts {
					for start := 0; start+8 <= len(key); start++ {
						if piece := key[start : start+8]; strings.Contains(text, piece) {
							t.Fatalf("%q of the key in %q", piece, text)
						}
					}
					if strings.Contains(text, signature) || strings.Contains(text, "token=") {
						t.Fatalf("the signed query in %q", text)
					}
				}
			}
			if level <= slog.LevelInfo {
				started := h.ofKind("download_started")
				if len(started) == 0 || !strings.HasPrefix(started[0].attrs["url"].String(), m.URL+"/files/drop-echo.mp4?<redacted>") {
					t.Errorf("download_started: %v", started)
				}
			}
		})
	}
}

// A handler that panics loses that record only: the call, and later records, go on.
func TestAPanickingHandlerDropsTheRecord(t *testing.T) {
	m := newMock(t)
	h := &recorder{level: slog.LevelInfo, panicOn: "http_attempt"}
	client := newClient(t, m, togethervideo.WithLogger(slog.New(h)))
	ctx := context.Background()
	if _, err := client.GetVideo(ctx, "vid_completed"); err != nil {
		t.Fatal(err)
	}
	created, err := client.CreateVideo(ctx, &togethervideo.CreateVideoParams{Model: "m"}) // on a library thread
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.WaitVideo(ctx, created.ID, &togethervideo.WaitOptions{PollInterval: 10 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	client.Close()
	if len(h.ofKind("client_created")) != 1 || len(h.ofKind("client_freed")) != 1 || len(h.ofKind("http_attempt")) != 0 {
		t.Fatalf("records: %v", h.all())
	}
}

// Once Close returns, the handler gets nothing more, though calls were logging on
// library threads (waits polling a job that never ends) and on a goroutine's thread (a
// GetVideo the server never answers); the last record is client_freed.
func TestNoRecordAfterClose(t *testing.T) {
	m := newMock(t)
	client, h := newLogged(t, m, togethervideo.LevelTrace)
	ctx := context.Background()
	created, err := client.CreateVideo(ctx, &togethervideo.CreateVideoParams{Model: "stall-job"})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client.WaitVideo(ctx, created.ID, &togethervideo.WaitOptions{PollInterval: 5 * time.Millisecond})
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		client.GetVideo(ctx, "stall")
	}()
	time.Sleep(100 * time.Millisecond)
	client.Close()
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	wg.Wait()
	time.Sleep(100 * time.Millisecond)
	records := h.all()
	if h.late != 0 || len(h.ofKind("client_freed")) != 1 || records[len(records)-1].kind() != "client_freed" {
		t.Fatalf("%d records after Close; the last: %v", h.late, records[len(records)-1])
	}
	if len(h.ofKind("poll")) < 8 || len(h.ofKind("cancelled")) < 9 {
		t.Fatalf("%d polls, %d cancelled calls", len(h.ofKind("poll")), len(h.ofKind("cancelled")))
	}
}

func TestANilLoggerIsRefused(t *testing.T) {
	_, err := togethervideo.NewClient(togethervideo.WithAPIKey(apiKey), togethervideo.WithLogger(nil))
	if !errors.Is(err, togethervideo.ErrInvalidArgument) {
		t.Fatalf("err %v", err)
	}
}

// togetherLogChild, in the environment, makes TestWithoutALoggerTogetherLogWritesToStderr
// the child process it starts: "plain" without a logger, "logged" with one.
const togetherLogChild = "TOGETHER_VIDEO_LOG_CHILD"

// Without WithLogger the library's own TOGETHER_LOG stays: one line per event on
// stderr. With WithLogger, the logger gets the events and stderr nothing. (The library
// writes to the process's stderr, so each case runs in a process of its own.)
func TestWithoutALoggerTogetherLogWritesToStderr(t *testing.T) {
	if mode := os.Getenv(togetherLogChild); mode != "" {
		m := newMock(t)
		var opts []togethervideo.Option
		if mode == "logged" {
			opts = append(opts, togethervideo.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
		}
		client := newClient(t, m, opts...)
		if _, err := client.GetVideo(context.Background(), "redirect-same"); err != nil {
			t.Fatal(err)
		}
		client.Close()
		return
	}
	run := func(mode string) string {
		child := exec.Command(os.Args[0], "-test.run=^TestWithoutALoggerTogetherLogWritesToStderr$", "-test.count=1")
		child.Env = append(os.Environ(), togetherLogChild+"="+mode, "TOGETHER_LOG=debug")
		var stderr bytes.Buffer
		child.Stderr = &stderr
		if out, err := child.Output(); err != nil {
			t.Fatalf("%s: %v\n%s%s", mode, err, out, stderr.String())
		}
		return stderr.String()
	}
	plain := run("plain")
	for _, line := range []string{
		"together-video info client_created: ", "together-video debug redirect: HTTP 302 redirects GET to ",
		"together-video info http_attempt: GET ", "/videos/redirect-same (attempt 1) -> 200",
		"together-video info client_freed: ",
	} {
		if !strings.Contains(plain, line) {
			t.Errorf("no %q on stderr:\n%s", line, plain)
		}
	}
	if logged := run("logged"); strings.Contains(logged, "together-video") {
		t.Errorf("with a logger, stderr has:\n%s", logged)
	}
}

// Stats from inside a handler, Close's client_freed record included, never blocks.
func TestStatsFromALogHandler(t *testing.T) {
	m := newMock(t)
	var client *togethervideo.Client
	var mu sync.Mutex
	var seen []togethervideo.Stats
	handler := &statsHandler{stats: func() {
		mu.Lock()
		defer mu.Unlock()
		if client != nil {
			seen = append(seen, client.Stats())
		}
	}}
	c := newClient(t, m, togethervideo.WithLogger(slog.New(handler)))
	mu.Lock()
	client = c
	mu.Unlock()
	if _, err := c.GetVideo(context.Background(), "vid_completed"); err != nil {
		t.Fatal(err)
	}
	c.Close()
	mu.Lock()
	defer mu.Unlock()
	if len(seen) < 2 || seen[0].Requests != 1 || !reflect.DeepEqual(seen[len(seen)-1], togethervideo.Stats{}) {
		t.Fatalf("stats seen: %+v", seen)
	}
}

// statsHandler calls stats for every record.
type statsHandler struct{ stats func() }

func (h *statsHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *statsHandler) Handle(context.Context, slog.Record) error {
	h.stats()
	return nil
}
func (h *statsHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *statsHandler) WithGroup(string) slog.Handler      { return h }
