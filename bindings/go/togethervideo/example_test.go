package togethervideo_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/together-video/together-video/bindings/go/togethervideo"
)

// Fetch a job and read its state. The key comes from TOGETHER_API_KEY.
func ExampleClient_GetVideo() {
	client, err := togethervideo.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	video, err := client.GetVideo(context.Background(), "video_abc123")
	switch {
	case errors.Is(err, togethervideo.ErrNotFound):
		fmt.Println("no such job")
	case err != nil:
		log.Fatal(err)
	case video.Status == togethervideo.StatusCompleted:
		fmt.Println("ready at", video.VideoURL)
	case video.Status == togethervideo.StatusFailed:
		fmt.Println("failed:", video.ErrorMessage)
	default:
		fmt.Println("still", video.Status)
	}
}

// Create a video, wait for it with a deadline, and save it.
func ExampleClient_WaitVideo() {
	client, err := togethervideo.NewClient(togethervideo.WithUserAgent("example/1.0"))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	job, err := client.CreateVideo(ctx, &togethervideo.CreateVideoParams{
		Model:  "minimax/video-01-director",
		Prompt: "A paper boat drifting down a rainy street",
	})
	if err != nil {
		log.Fatal(err)
	}
	video, err := client.WaitVideo(ctx, job.ID, &togethervideo.WaitOptions{
		Progress: func(v *togethervideo.Video) { fmt.Println("status:", v.Status) },
	})
	if err != nil {
		log.Fatal(err)
	}
	if video.Status != togethervideo.StatusCompleted {
		log.Fatalf("the job ended %s: %s", video.Status, video.ErrorMessage)
	}
	size, err := client.DownloadFile(ctx, video, "boat.mp4", nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("saved", size, "bytes")
}

// Download a video later, from what was stored: its URL, or only the job's id.
func ExampleClient_DownloadURLFile() {
	client, err := togethervideo.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	progress := func(received, total int64) { fmt.Printf("\r%d of %d bytes", received, total) }
	storedURL := "https://example.com/videos/boat.mp4" // a completed job's VideoURL
	if _, err := client.DownloadURLFile(ctx, storedURL, "boat.mp4", progress); err != nil {
		log.Fatal(err)
	}
	// By id, the job is fetched first: it must be completed.
	if _, err := client.DownloadVideoFile(ctx, "video_abc123", "abc.mp4", progress); errors.Is(err, togethervideo.ErrInvalidArgument) {
		fmt.Println("not ready yet:", err)
	} else if err != nil {
		log.Fatal(err)
	}
}

// Log the client's events as JSON lines, and read its counters.
func ExampleWithLogger() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client, err := togethervideo.NewClient(togethervideo.WithLogger(logger))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	if _, err := client.GetVideo(context.Background(), "video_abc123"); err != nil {
		log.Println(err)
	}
	stats := client.Stats()
	fmt.Printf("%d requests, %d retries after 429, %d in flight, %d timed out\n",
		stats.Requests, stats.RetriesRateLimited, stats.RequestsInFlight, stats.Errors[togethervideo.CodeTimeout])
}

// Follow many jobs from one goroutine, as a UI would: each job's wait and download
// report to the client's event queue under the job's tag, and each call still returns
// its own result to the goroutine that made it.
func ExampleClient_Events() {
	client, err := togethervideo.NewClient(togethervideo.WithMaxConcurrentRequests(4))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	ids := []string{"video_a", "video_b", "video_c"}

	// The UI: one goroutine sees every job move.
	events := client.Events(ctx)
	ui := make(chan struct{})
	go func() {
		defer close(ui)
		for e := range events {
			job := ids[e.Tag-1]
			switch e.Kind {
			case togethervideo.EventStatusChanged:
				fmt.Println(job, e.Status)
			case togethervideo.EventDownloadProgress:
				fmt.Printf("%s: %d of %d bytes\n", job, e.Received, e.Total)
			}
		}
	}()

	// The work: a goroutine per job, with its own results.
	var wg sync.WaitGroup
	for i, id := range ids {
		tag := uint64(i + 1) // 0 would report nothing
		wg.Add(1)
		go func() {
			defer wg.Done()
			video, err := client.WaitVideo(ctx, id, &togethervideo.WaitOptions{EventTag: tag})
			if err != nil || video.Status != togethervideo.StatusCompleted {
				log.Println(id, "has no video:", err)
				return
			}
			if _, err := client.DownloadFile(ctx, video, id+".mp4", nil, togethervideo.EventTag(tag)); err != nil {
				log.Println(id, err)
			}
		}()
	}
	wg.Wait()
	cancel() // ends the events goroutine
	<-ui
}
