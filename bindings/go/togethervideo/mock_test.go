package togethervideo_test

// A mock of Together's video API for the Go tests, on net/http/httptest, serving the
// shared fixtures of tests/fixtures/. Ids pick the behaviour, as in the repository's
// own mock (tests/mock): fixtures, status-<code>, flaky-<n>-<code>-<tag>, stall,
// slow-<ms>, video-at-<file>, redirect-same (302 to vid_completed), reset (closes
// without answering), and, whatever the key presented: echo-key (401 repeating the key),
// echo-key-request-id (401 whose x-request-id holds the key), echo-key-everywhere (a
// completed job repeating the key in its body, its headers, its request id and its
// video URL's signed query, whose video is drop-echo.mp4); POST /v2/videos creates
// job-<n> (queued, in_progress, completed), or by model: fail-job, silent-job,
// status-<code>, slow-<ms> (answers after ms milliseconds); /files/ serves videos
// (slow-*: 16 KiB every 50 ms; drop-*: half the body then a closed connection the
// first time, and ranges with a strong ETag after); throttle-<tag> answers 429 with
// `Retry-After: 1` (seconds, nothing finer) the first time, then a completed job.
// The mock records when each request arrived (arrivals) and how many ran at once at
// most (peak), API requests and file transfers apart.

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const apiKey = "test-key"
const videoSize = 256 * 1024

// eventually is how long a test waits for something that must happen before it fails.
const eventually = 10 * time.Second

type mock struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string]int
	jobs map[string]string
	next int
	// bodies are the create requests' bodies, in order.
	bodies []string
	// arrived holds when each request arrived, by id (or "/files/<name>").
	arrived map[string][]time.Time
	// running and peaks count the requests being answered now and at most at once, by
	// group: "api" or "files".
	running, peaks map[string]int
}

func fixturesDir() string { return filepath.Join("..", "..", "..", "tests", "fixtures") }

func fixture(id, origin string) (string, bool) {
	body, err := os.ReadFile(filepath.Join(fixturesDir(), "videos", id+".json"))
	if err != nil {
		return "", false
	}
	return strings.ReplaceAll(string(body), "{{origin}}", origin), true
}

// videoBytes is what /files/<name> serves: the bytes of tests/mock's generator.
func videoBytes(name string) []byte {
	bytes := make([]byte, videoSize)
	for i := range bytes {
		bytes[i] = byte((i*31 + 7) % 251)
	}
	magic := []byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2")
	if strings.HasSuffix(name, ".webm") {
		magic = []byte{0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0xF7, 0x81}
	}
	copy(bytes, magic)
	return bytes
}

func newMock(t testing.TB) *mock {
	m := &mock{hits: map[string]int{}, jobs: map[string]string{}, arrived: map[string][]time.Time{},
		running: map[string]int{}, peaks: map[string]int{}}
	m.Server = httptest.NewUnstartedServer(http.HandlerFunc(m.serve))
	m.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			m.hit("connections")
		}
	}
	m.Start()
	t.Cleanup(m.Close)
	return m
}

func (m *mock) baseURL() string { return m.URL + "/v2" }

func (m *mock) hit(key string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.hits[key]++
	return m.hits[key] - 1
}

func (m *mock) count(key string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.hits[key]
}

// arrive records a request of group arriving for key; the caller calls leave when it
// is answered.
func (m *mock) arrive(group, key string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.arrived[key] = append(m.arrived[key], time.Now())
	m.running[group]++
	m.peaks[group] = max(m.peaks[group], m.running[group])
}

func (m *mock) leave(group string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.running[group]--
}

// arrivals are when the requests for key arrived, in order.
func (m *mock) arrivals(key string) []time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]time.Time(nil), m.arrived[key]...)
}

// peak is the most requests of group ("api" or "files") that were answered at once.
func (m *mock) peak(group string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.peaks[group]
}

func fail(w http.ResponseWriter, status int, message, requestID string) {
	w.Header().Set("content-type", "application/json")
	w.Header().Set("x-request-id", requestID)
	if status == 408 || status == 409 || status == 429 || status >= 500 {
		w.Header().Set("retry-after-ms", "1")
	}
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"message":%q}}`, message)
}

func job(w http.ResponseWriter, body string) {
	w.Header().Set("content-type", "application/json")
	w.Header().Set("x-request-id", "req-job")
	fmt.Fprint(w, body)
}

// signature is the signed query's own secret in echo-key-everywhere's video URL.
const signature = "5f0c9e2a7b41d83e"

// echoKey answers the echo-key scenarios, which repeat the presented key (a careless
// server), and reports whether id is one.
func (m *mock) echoKey(w http.ResponseWriter, r *http.Request, id string) bool {
	key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	switch id {
	case "echo-key":
		fail(w, 401, "Incorrect API key provided: "+key, "req-echo-key")
	case "echo-key-request-id":
		fail(w, 401, "Invalid API key provided", "req-"+key)
	case "echo-key-everywhere":
		// Encoded as tests/mock's serde_json does: "&" as is, not "\u0026".
		var body strings.Builder
		encoder := json.NewEncoder(&body)
		encoder.SetEscapeHTML(false)
		encoder.Encode(map[string]any{
			"id": id, "object": "video", "model": "model-" + key, "status": "completed",
			"created_at": 1761000000, "completed_at": 1761000100,
			"error": map[string]any{"code": key, "message": "your key " + key + " is fine"},
			"outputs": map[string]any{"cost": 0.28,
				"video_url": m.URL + "/files/drop-echo.mp4?token=" + key + "&exp=1&sig=" + signature},
		})
		w.Header().Set("x-request-id", "req-"+key)
		w.Header().Set("x-echo", "Bearer "+key)
		job(w, body.String())
	default:
		return false
	}
	return true
}

func (m *mock) serve(w http.ResponseWriter, r *http.Request) {
	if name, ok := strings.CutPrefix(r.URL.Path, "/files/"); ok {
		m.arrive("files", r.URL.Path)
		var left sync.Once
		leave := func() { left.Do(func() { m.leave("files") }) }
		defer leave()
		m.serveFile(w, r, name, leave)
		return
	}
	m.arrive("api", strings.TrimPrefix(r.URL.Path, "/v2/videos/"))
	defer m.leave("api")
	if id, ok := strings.CutPrefix(r.URL.Path, "/v2/videos/"); ok && m.echoKey(w, r, id) {
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+apiKey {
		fail(w, 401, "Invalid API key provided", "req-unauthorized")
		return
	}
	if r.URL.Path == "/v2/videos" && r.Method == http.MethodPost {
		m.create(w, r)
		return
	}
	id, ok := strings.CutPrefix(r.URL.Path, "/v2/videos/")
	if !ok {
		fail(w, 404, "no route", "req-no-route")
		return
	}
	previous := m.hit(id)
	if body, ok := fixture(id, m.URL); ok {
		job(w, body)
		return
	}
	m.mu.Lock()
	model, created := m.jobs[id]
	m.mu.Unlock()
	parts := strings.Split(id, "-")
	switch {
	case created:
		m.poll(w, r, id, model, previous)
	case parts[0] == "status" && len(parts) == 2:
		code, _ := strconv.Atoi(parts[1])
		fail(w, code, fmt.Sprintf("mock %d response", code), "req-status-"+parts[1])
	case parts[0] == "flaky" && len(parts) >= 3:
		n, _ := strconv.Atoi(parts[1])
		code, _ := strconv.Atoi(parts[2])
		if previous < n {
			fail(w, code, "flaky, try again", fmt.Sprintf("req-flaky-%d", previous))
			return
		}
		body, _ := fixture("vid_completed", m.URL)
		job(w, strings.Replace(body, `"vid_completed"`, strconv.Quote(id), 1))
	case parts[0] == "throttle" && len(parts) == 2:
		if previous == 0 {
			w.Header().Set("content-type", "application/json")
			w.Header().Set("retry-after", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"error":{"message":"slow down"}}`)
			return
		}
		body, _ := fixture("vid_completed", m.URL)
		job(w, strings.Replace(body, `"vid_completed"`, strconv.Quote(id), 1))
	case id == "html-200":
		w.Header().Set("content-type", "text/html")
		fmt.Fprint(w, "<html><body>Sign in</body></html>")
	case id == "stall":
		<-r.Context().Done()
	case id == "redirect-same":
		http.Redirect(w, r, "/v2/videos/vid_completed", http.StatusFound)
	case id == "reset":
		panic(http.ErrAbortHandler) // the connection closes, nothing answered
	case parts[0] == "slow" && len(parts) == 2:
		ms, _ := strconv.Atoi(parts[1])
		time.Sleep(time.Duration(ms) * time.Millisecond)
		body, _ := fixture("vid_completed", m.URL)
		job(w, body)
	case strings.HasPrefix(id, "video-at-"):
		body, _ := fixture("vid_completed", m.URL)
		body = strings.Replace(body, m.URL+"/files/vid_completed.mp4", m.URL+"/files/"+strings.TrimPrefix(id, "video-at-"), 1)
		job(w, strings.Replace(body, `"vid_completed"`, strconv.Quote(id), 1))
	default:
		fail(w, 404, "Video "+id+" not found", "req-not-found")
	}
}

func (m *mock) create(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Model string `json:"model"`
	}
	raw, err := io.ReadAll(r.Body)
	m.mu.Lock()
	m.bodies = append(m.bodies, string(raw))
	m.mu.Unlock()
	if err != nil || json.Unmarshal(raw, &body) != nil || body.Model == "" {
		fail(w, 400, "model is required", "req-create")
		return
	}
	m.hit("create:" + body.Model)
	if code, ok := strings.CutPrefix(body.Model, "status-"); ok {
		status, _ := strconv.Atoi(code)
		fail(w, status, "mock create failure", "req-create-"+code)
		return
	}
	if ms, ok := strings.CutPrefix(body.Model, "slow-"); ok {
		delay, _ := strconv.Atoi(ms)
		time.Sleep(time.Duration(delay) * time.Millisecond)
	}
	m.mu.Lock()
	m.next++
	id := fmt.Sprintf("job-%d", m.next)
	m.jobs[id] = body.Model
	m.mu.Unlock()
	job(w, jobJSON(m.URL, id, body.Model, "queued"))
}

func (m *mock) poll(w http.ResponseWriter, r *http.Request, id, model string, previous int) {
	status := "completed"
	switch {
	case model == "silent-job" && previous > 0:
		<-r.Context().Done()
		return
	case model == "stall-job" || previous == 1:
		status = "in_progress"
	case previous == 0:
		status = "queued"
	case model == "fail-job":
		status = "failed"
	}
	job(w, jobJSON(m.URL, id, model, status))
}

func jobJSON(origin, id, model, status string) string {
	extra := ""
	switch status {
	case "completed":
		extra = fmt.Sprintf(`,"completed_at":1761000100,"outputs":{"cost":0.28,"video_url":"%s/files/%s.mp4"}`, origin, id)
	case "failed":
		extra = `,"completed_at":1761000100,"error":{"code":"generation_failed","message":"The model could not render this prompt."}`
	}
	return fmt.Sprintf(`{"id":%q,"object":"video","model":%q,"status":%q,"created_at":1761000000,"size":"1280x720","seconds":"5"%s}`,
		id, model, status, extra)
}

// serveFile answers /files/<name>. A slow file's transfer calls leave before its last
// chunk: the client cannot finish before that, so a client that waits for a transfer
// to end before starting the next is never counted twice.
func (m *mock) serveFile(w http.ResponseWriter, r *http.Request, name string, leave func()) {
	m.hit("/files/" + name)
	if r.Header.Get("Authorization") != "" {
		fail(w, 400, "the API key was sent to the video host", "req-files-auth")
		return
	}
	switch {
	case name == "page.html":
		w.Header().Set("content-type", "text/html")
		fmt.Fprint(w, "<!DOCTYPE html><html><body>Access denied</body></html>")
		return
	case !strings.HasSuffix(name, ".mp4") && !strings.HasSuffix(name, ".webm"):
		fail(w, 404, "no such file", "req-files-404")
		return
	}
	bytes := videoBytes(name)
	w.Header().Set("content-type", "video/mp4")
	if strings.HasPrefix(name, "drop-") {
		// A strong ETag, so that a client may resume; ServeContent answers ranges.
		w.Header().Set("etag", `"v1"`)
		w.Header().Set("accept-ranges", "bytes")
		if m.count("/files/"+name) > 1 {
			http.ServeContent(w, r, name, time.Time{}, strings.NewReader(string(bytes)))
			return
		}
		w.Header().Set("content-length", strconv.Itoa(len(bytes)))
		w.Write(bytes[:len(bytes)/2])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // closes the connection half way
	}
	w.Header().Set("content-length", strconv.Itoa(len(bytes)))
	if !strings.HasPrefix(name, "slow-") {
		w.Write(bytes)
		return
	}
	for offset := 0; offset < len(bytes); offset += 16 * 1024 {
		if offset > 0 {
			time.Sleep(50 * time.Millisecond)
		}
		if offset+16*1024 >= len(bytes) {
			leave()
		}
		if _, err := w.Write(bytes[offset : offset+16*1024]); err != nil {
			return
		}
		w.(http.Flusher).Flush()
	}
}
