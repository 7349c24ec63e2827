package togethervideo_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/together-video/together-video/bindings/go/togethervideo"
)

// progressLog records what a Progress callback saw.
type progressLog struct {
	mu              sync.Mutex
	calls           int
	received, total int64
}

func (p *progressLog) report(received, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	p.received, p.total = received, total
}

func (p *progressLog) last() (calls int, received, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls, p.received, p.total
}

// A stored URL downloads without any job; a job id downloads with one GET of the job.
func TestDownloadByURLAndByJobID(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	ctx := context.Background()
	dir := t.TempDir()

	var buffer bytes.Buffer
	var progress progressLog
	n, err := client.DownloadURL(ctx, m.URL+"/files/by-url.webm", &buffer, progress.report)
	if calls, received, total := progress.last(); err != nil || n != videoSize || calls == 0 || received != videoSize || total != videoSize {
		t.Fatalf("DownloadURL: n %d, err %v, progress %d calls, last %d of %d", n, err, calls, received, total)
	}
	if !bytes.Equal(buffer.Bytes(), videoBytes("by-url.webm")) {
		t.Fatal("DownloadURL: the bytes differ")
	}

	path := filepath.Join(dir, "by-url.mp4")
	if n, err := client.DownloadURLFile(ctx, m.URL+"/files/by-url.mp4", path, nil); err != nil || n != videoSize {
		t.Fatalf("DownloadURLFile: %d %v", n, err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, videoBytes("by-url.mp4")) {
		t.Fatal("DownloadURLFile: the file differs")
	}
	if len(jobsFetched(m, "by-url")) != 0 {
		t.Fatal("a download by URL fetched a job")
	}

	buffer.Reset()
	n, err = client.DownloadVideo(ctx, "video-at-by-id.webm", &buffer, nil)
	if err != nil || n != videoSize || !bytes.Equal(buffer.Bytes(), videoBytes("by-id.webm")) {
		t.Fatalf("DownloadVideo: n %d, err %v", n, err)
	}
	if m.count("video-at-by-id.webm") != 1 || m.count("/files/by-id.webm") != 1 {
		t.Fatalf("DownloadVideo: %d gets, %d downloads", m.count("video-at-by-id.webm"), m.count("/files/by-id.webm"))
	}

	progress = progressLog{}
	path = filepath.Join(dir, "by-id.mp4")
	if n, err := client.DownloadVideoFile(ctx, "video-at-by-id.mp4", path, progress.report); err != nil || n != videoSize {
		t.Fatalf("DownloadVideoFile: %d %v", n, err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, videoBytes("by-id.mp4")) {
		t.Fatal("DownloadVideoFile: the file differs")
	}
	if _, received, _ := progress.last(); received != videoSize {
		t.Fatalf("DownloadVideoFile: progress ended at %d", received)
	}
}

// jobsFetched lists the ids containing part that the mock was asked for.
func jobsFetched(m *mock, part string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ids []string
	for key := range m.hits {
		if strings.Contains(key, part) && !strings.HasPrefix(key, "/files/") {
			ids = append(ids, key)
		}
	}
	return ids
}

// Download and DownloadFile use the Video's URL as it is: no second GET of the job.
func TestDownloadOfAVideoUsesItsURL(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	ctx := context.Background()
	video, err := client.GetVideo(ctx, "video-at-held.mp4")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := client.Download(ctx, video, io.Discard, nil); err != nil || n != videoSize {
		t.Fatalf("Download: %d %v", n, err)
	}
	if n, err := client.DownloadFile(ctx, video, filepath.Join(t.TempDir(), "held.mp4"), nil); err != nil || n != videoSize {
		t.Fatalf("DownloadFile: %d %v", n, err)
	}
	if m.count("video-at-held.mp4") != 1 || m.count("/files/held.mp4") != 2 {
		t.Fatalf("%d gets, %d downloads", m.count("video-at-held.mp4"), m.count("/files/held.mp4"))
	}
	// A Video built by hand needs nothing but its URL.
	stored := &togethervideo.Video{VideoURL: m.URL + "/files/stored.mp4"}
	if n, err := client.Download(ctx, stored, io.Discard, nil); err != nil || n != videoSize {
		t.Fatalf("a stored URL: %d %v", n, err)
	}
}

func TestDownloadFailures(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m, togethervideo.WithMaxRetries(0))
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "out.mp4")
	writeFailure := errors.New("disk full")
	cases := []struct {
		name string
		call func() error
		want error
	}{
		{"a job not completed", func() error { _, err := client.DownloadVideo(ctx, "vid_queued", io.Discard, nil); return err }, togethervideo.ErrInvalidArgument},
		{"a job not completed, to a file", func() error { _, err := client.DownloadVideoFile(ctx, "vid_queued", path, nil); return err }, togethervideo.ErrInvalidArgument},
		{"no such job", func() error { _, err := client.DownloadVideo(ctx, "status-404", io.Discard, nil); return err }, togethervideo.ErrNotFound},
		{"an unsafe id", func() error { _, err := client.DownloadVideoFile(ctx, "..", path, nil); return err }, togethervideo.ErrInvalidArgument},
		{"not an http URL", func() error { _, err := client.DownloadURL(ctx, "ftp://host/clip.mp4", io.Discard, nil); return err }, togethervideo.ErrInvalidArgument},
		{"an HTML page", func() error { _, err := client.DownloadURLFile(ctx, m.URL+"/files/page.html", path, nil); return err }, togethervideo.ErrDecode},
		{"a missing file", func() error { _, err := client.DownloadURL(ctx, m.URL+"/files/none.txt", io.Discard, nil); return err }, togethervideo.ErrNotFound},
		{"a directory as path", func() error { _, err := client.DownloadURLFile(ctx, m.URL+"/files/clip.mp4", dir, nil); return err }, togethervideo.ErrFileSystem},
		{"a nil writer", func() error { _, err := client.DownloadURL(ctx, m.URL+"/files/clip.mp4", nil, nil); return err }, togethervideo.ErrInvalidArgument},
		{"a nil video", func() error { _, err := client.Download(ctx, nil, io.Discard, nil); return err }, togethervideo.ErrInvalidArgument},
		{"a video without a URL", func() error {
			_, err := client.DownloadFile(ctx, &togethervideo.Video{ID: "vid_queued", Status: togethervideo.StatusQueued}, path, nil)
			return err
		}, togethervideo.ErrInvalidArgument},
		{"a failing writer", func() error {
			_, err := client.DownloadURL(ctx, m.URL+"/files/clip.mp4", failingWriter{writeFailure}, nil)
			return err
		}, writeFailure},
	}
	for _, c := range cases {
		if err := c.call(); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("left behind: %v", entries)
	}
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

// A context ends a download by URL or by id, to a writer or a file, while the bytes
// trickle in, and a file download then leaves nothing behind.
func TestContextEndsADownload(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	dir := t.TempDir()
	downloads := map[string]func(ctx context.Context) error{
		"DownloadURL": func(ctx context.Context) error {
			_, err := client.DownloadURL(ctx, m.URL+"/files/slow-url.mp4", io.Discard, nil)
			return err
		},
		"DownloadURLFile": func(ctx context.Context) error {
			_, err := client.DownloadURLFile(ctx, m.URL+"/files/slow-url.mp4", filepath.Join(dir, "url.mp4"), nil)
			return err
		},
		"DownloadVideo": func(ctx context.Context) error {
			_, err := client.DownloadVideo(ctx, "video-at-slow-id.mp4", io.Discard, nil)
			return err
		},
		"DownloadVideoFile": func(ctx context.Context) error {
			_, err := client.DownloadVideoFile(ctx, "video-at-slow-id.mp4", filepath.Join(dir, "id.mp4"), nil)
			return err
		},
	}
	for name, download := range downloads {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(150*time.Millisecond, cancel)
		if err := download(ctx); !errors.Is(err, togethervideo.ErrCancelled) || !errors.Is(err, context.Canceled) {
			t.Errorf("%s cancelled: %v", name, err)
		}
		ctx, cancel = context.WithTimeout(context.Background(), 150*time.Millisecond)
		if err := download(ctx); !errors.Is(err, togethervideo.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s past its deadline: %v", name, err)
		}
		cancel()
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("left behind: %v", entries)
	}
}
