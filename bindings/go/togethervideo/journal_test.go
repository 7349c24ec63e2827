package togethervideo_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/together-video/together-video/bindings/go/togethervideo"
)

// journaled is a client of m keeping its journal at path.
func journaled(t *testing.T, m *mock, path string) *togethervideo.Client {
	t.Helper()
	return newClient(t, m, togethervideo.WithJournal(path))
}

// The job journal's story, as tests/c/test_lifecycle.c's test_journal tells it: a job
// created by one client, which then ends, is finished by the next client on the journal.
func TestAJournaledJobSurvivesItsClient(t *testing.T) {
	m := newMock(t)
	ctx := context.Background()
	journal := filepath.Join(t.TempDir(), "jobs.journal")
	first := journaled(t, m, journal)

	// One client at a time: the second is refused with the library's message.
	second, err := togethervideo.NewClient(togethervideo.WithAPIKey(apiKey), togethervideo.WithBaseURL(m.baseURL()),
		togethervideo.WithProxy(""), togethervideo.WithJournal(journal))
	if second != nil {
		second.Close()
	}
	if !errors.Is(err, togethervideo.ErrInvalidArgument) || !strings.Contains(err.Error(), journal) {
		t.Fatalf("a second client on the journal: %v", err)
	}

	before := time.Now()
	created, err := first.CreateVideo(ctx, &togethervideo.CreateVideoParams{Model: "m", Prompt: "a cat"})
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	first.Close() // "the process ends" before waiting
	if _, err := first.UnfinishedJobs(); !errors.Is(err, togethervideo.ErrClosed) {
		t.Errorf("UnfinishedJobs after Close: %v", err)
	}
	if err := first.ForgetJob(1); !errors.Is(err, togethervideo.ErrClosed) {
		t.Errorf("ForgetJob after Close: %v", err)
	}
	if _, err := first.ResumeJob(ctx, created.ID, "", nil); !errors.Is(err, togethervideo.ErrClosed) {
		t.Errorf("ResumeJob after Close: %v", err)
	}

	client := journaled(t, m, journal) // Close released the journal
	jobs, err := client.UnfinishedJobs()
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 {
		t.Fatalf("unfinished jobs %v", jobs)
	}
	job := jobs[0]
	// The journal keeps Unix seconds as a float: allow for its rounding.
	if job.ID != created.ID || job.Unanswered() || job.Model != "m" || job.Status != togethervideo.StatusQueued ||
		job.Destination != "" || job.RequestHash == "" || job.CreatedAt.Location() != time.UTC ||
		job.CreatedAt.Before(before.Add(-time.Millisecond)) || job.CreatedAt.After(after.Add(time.Millisecond)) {
		t.Errorf("entry %+v, want job %s created between %v and %v", job, created.ID, before, after)
	}
	if want := created.ID + " (queued) m"; !strings.HasSuffix(job.String(), want) {
		t.Errorf("String() = %q, want it to end with %q", job.String(), want)
	}

	// No path and no download started: nothing to resume to, refused before any poll.
	if _, err := client.ResumeJob(ctx, job.ID, "", nil); !errors.Is(err, togethervideo.ErrInvalidArgument) ||
		!strings.Contains(err.Error(), job.ID) {
		t.Errorf("ResumeJob without a destination: %v", err)
	}
	if polls := m.count(job.ID); polls != 0 {
		t.Errorf("the refused resume polled %d times", polls)
	}

	// With a path: it waits (queued, in_progress, completed) and downloads by job id
	// (one more get, for the video's URL).
	path := filepath.Join(t.TempDir(), "resumed.mp4")
	const tag = 9
	video, err := client.ResumeJob(ctx, job.ID, path, &togethervideo.WaitOptions{PollInterval: 10 * time.Millisecond, EventTag: tag})
	if err != nil {
		t.Fatal(err)
	}
	if video.ID != job.ID || video.Status != togethervideo.StatusCompleted || m.count(job.ID) != 4 {
		t.Errorf("resumed %+v after %d polls", video, m.count(job.ID))
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, videoBytes(job.ID+".mp4")) {
		t.Errorf("the file has %d bytes, not the %d the mock serves", len(got), videoSize)
	}
	// The tag reports the resume's end only.
	events, stop := context.WithTimeout(ctx, eventually)
	defer stop()
	if e := until(t, client.Events(events), doneOf(tag)); len(e) != 1 || e[0].Err != nil {
		t.Errorf("the resume's events: %+v", e)
	}

	if jobs, err := client.UnfinishedJobs(); err != nil || len(jobs) != 0 {
		t.Errorf("after the resume: %v, %v", jobs, err)
	}
	if err := client.ForgetJob(12345); err != nil {
		t.Errorf("forgetting an unknown entry: %v", err)
	}
}

// A create whose answer never came stays in the journal without an id until forgotten.
func TestAnUnansweredCreateIsListedUntilForgotten(t *testing.T) {
	m := newMock(t)
	journal := filepath.Join(t.TempDir(), "jobs.journal")
	client := journaled(t, m, journal)
	ctx, cancel := context.WithCancel(context.Background())
	result := make(chan error, 1)
	go func() {
		_, err := client.CreateVideo(ctx, &togethervideo.CreateVideoParams{Model: "slow-300"})
		result <- err
	}()
	for deadline := time.Now().Add(eventually); m.count("create:slow-300") == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the create never arrived")
		}
	}
	cancel() // the server has the request: the job may exist
	if err := <-result; !errors.Is(err, context.Canceled) {
		t.Fatalf("the cancelled create: %v", err)
	}
	client.Close()

	client = journaled(t, m, journal)
	jobs, err := client.UnfinishedJobs()
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || !jobs[0].Unanswered() || jobs[0].ID != "" || jobs[0].Model != "slow-300" || jobs[0].Status != "" ||
		jobs[0].RequestHash == "" || jobs[0].CreatedAt.IsZero() || !strings.HasSuffix(jobs[0].String(), "unanswered create slow-300") {
		t.Fatalf("unfinished jobs %+v", jobs)
	}
	if err := client.ForgetJob(jobs[0].Entry); err != nil {
		t.Fatal(err)
	}
	if jobs, err := client.UnfinishedJobs(); err != nil || len(jobs) != 0 {
		t.Errorf("after ForgetJob: %v, %v", jobs, err)
	}
}

// ctx ends a resume of a job that never completes, promptly, leaving the job listed and
// no file.
func TestContextEndsAResume(t *testing.T) {
	m := newMock(t)
	client := journaled(t, m, filepath.Join(t.TempDir(), "jobs.journal"))
	created, err := client.CreateVideo(context.Background(), &togethervideo.CreateVideoParams{Model: "stall-job"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	path := filepath.Join(t.TempDir(), "never.mp4")
	result := make(chan error, 1)
	go func() {
		_, err := client.ResumeJob(ctx, created.ID, path, &togethervideo.WaitOptions{PollInterval: 10 * time.Millisecond})
		result <- err
	}()
	for deadline := time.Now().Add(eventually); m.count(created.ID) < 3; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the resume does not poll")
		}
	}
	cancelled := time.Now()
	cancel()
	select {
	case err := <-result:
		if !errors.Is(err, context.Canceled) || !errors.Is(err, togethervideo.ErrCancelled) {
			t.Errorf("the cancelled resume: %v", err)
		}
		if took := time.Since(cancelled); took > time.Second {
			t.Errorf("the resume ended %v after the cancel", took)
		}
	case <-time.After(eventually):
		t.Fatal("the cancel did not end the resume")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the cancelled resume left %s: %v", path, err)
	}
	jobs, err := client.UnfinishedJobs()
	if err != nil || len(jobs) != 1 || jobs[0].ID != created.ID || jobs[0].Status != togethervideo.StatusInProgress {
		t.Errorf("after the cancelled resume: %+v, %v", jobs, err)
	}
}

// Without a journal, the journal's calls are ErrInvalidArgument, and a resume needs a path.
func TestAClientWithoutAJournal(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	ctx := context.Background()
	if _, err := client.UnfinishedJobs(); !errors.Is(err, togethervideo.ErrInvalidArgument) || !strings.Contains(err.Error(), "journal") {
		t.Errorf("UnfinishedJobs: %v", err)
	}
	if err := client.ForgetJob(1); !errors.Is(err, togethervideo.ErrInvalidArgument) {
		t.Errorf("ForgetJob: %v", err)
	}
	if _, err := client.ResumeJob(ctx, "vid_completed", "", nil); !errors.Is(err, togethervideo.ErrInvalidArgument) {
		t.Errorf("ResumeJob without a path: %v", err)
	}
	path := filepath.Join(t.TempDir(), "video.mp4")
	progress := &togethervideo.WaitOptions{Progress: func(*togethervideo.Video) {}}
	if _, err := client.ResumeJob(ctx, "vid_completed", path, progress); !errors.Is(err, togethervideo.ErrInvalidArgument) {
		t.Errorf("ResumeJob with a Progress: %v", err)
	}
	// With a path a resume is a wait and a download, journal or not.
	video, err := client.ResumeJob(ctx, "vid_completed", path, nil)
	if err != nil || video.Status != togethervideo.StatusCompleted {
		t.Fatalf("ResumeJob with a path: %+v, %v", video, err)
	}
	if info, err := os.Stat(path); err != nil || info.Size() != videoSize {
		t.Errorf("the download: %v, %v", info, err)
	}
}

// A journal path that is empty, or that cannot be created, fails NewClient.
func TestJournalPathsNewClientRefuses(t *testing.T) {
	m := newMock(t)
	for path, want := range map[string]error{
		"": togethervideo.ErrInvalidArgument,
		filepath.Join(t.TempDir(), "missing", "jobs.journal"): togethervideo.ErrFileSystem,
	} {
		client, err := togethervideo.NewClient(togethervideo.WithAPIKey(apiKey), togethervideo.WithBaseURL(m.baseURL()),
			togethervideo.WithJournal(path))
		if client != nil {
			client.Close()
		}
		if !errors.Is(err, want) || !strings.Contains(err.Error(), "journal") {
			t.Errorf("WithJournal(%q): %v, want %v", path, err, want)
		}
	}
}
