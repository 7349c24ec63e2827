// Journey creates a video, waits for it and downloads it: the Go binding as a program of
// its own uses it. With no TOGETHER_API_KEY it talks to the local mock that `make demo`
// starts (TOGETHER_BASE_URL); with one, to Together.
//
//	go run . [output.mp4]
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/together-video/together-video/bindings/go/togethervideo"
)

func main() {
	out := "journey.mp4"
	if len(os.Args) > 1 {
		out = os.Args[1]
	}
	client, err := togethervideo.NewClient(togethervideo.WithUserAgent("journey-example/1.0"))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	job, err := client.CreateVideo(ctx, &togethervideo.CreateVideoParams{
		Model:  "minimax/video-01-director",
		Prompt: "A paper boat drifting down a rainy street",
		Seed:   togethervideo.Int64(7),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("created", job.ID)
	poll := 5 * time.Second
	if os.Getenv("TOGETHER_API_KEY") == "" || os.Getenv("TOGETHER_BASE_URL") != "" {
		poll = 20 * time.Millisecond // the local mock moves on at once
	}
	video, err := client.WaitVideo(ctx, job.ID, &togethervideo.WaitOptions{
		PollInterval: poll,
		Progress:     func(v *togethervideo.Video) { fmt.Println("status:", v.Status) },
	})
	if err != nil {
		log.Fatal(err)
	}
	if video.Status != togethervideo.StatusCompleted {
		log.Fatalf("the job ended %s: %s", video.Status, video.ErrorMessage)
	}
	size, err := client.DownloadVideoFile(ctx, video.ID, out, func(received, total int64) {})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("saved %s (%d bytes, cost %v) with together-video %s\n", out, size, video.Cost, togethervideo.Version())
}
