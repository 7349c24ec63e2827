package togethervideo_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"testing"

	"github.com/together-video/together-video/bindings/go/togethervideo"
)

// BenchmarkGetVideo is the binding's GetVideo; BenchmarkNetHTTPGetVideo the same call
// written with net/http and encoding/json, against the same server: TV_BENCH_URL (a base
// URL such as the repository's tv-mock, which `make bench-go` starts) or, without it, the
// in-process httptest mock. An in-process server shares the Go scheduler with the
// client, which penalises a call that waits in C; a separate process is the fair test.
func benchServer(b *testing.B) (baseURL string) {
	if url := os.Getenv("TV_BENCH_URL"); url != "" {
		return url
	}
	return newMock(b).baseURL()
}

func BenchmarkGetVideo(b *testing.B) {
	client, err := togethervideo.NewClient(togethervideo.WithAPIKey(apiKey), togethervideo.WithBaseURL(benchServer(b)), togethervideo.WithProxy(""))
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := client.GetVideo(ctx, "vid_completed"); err != nil {
			b.Fatal(err)
		}
	}
}

type netHTTPVideo struct {
	ID          string  `json:"id"`
	Object      string  `json:"object"`
	Model       string  `json:"model"`
	Status      string  `json:"status"`
	CreatedAt   float64 `json:"created_at"`
	CompletedAt float64 `json:"completed_at"`
	Size        string  `json:"size"`
	Seconds     string  `json:"seconds"`
	Error       *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Outputs *struct {
		Cost     float64 `json:"cost"`
		VideoURL string  `json:"video_url"`
	} `json:"outputs"`
}

func BenchmarkNetHTTPGetVideo(b *testing.B) {
	base := benchServer(b)
	client := &http.Client{}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		request, _ := http.NewRequest(http.MethodGet, base+"/videos/vid_completed", nil)
		request.Header.Set("Authorization", "Bearer "+apiKey)
		response, err := client.Do(request)
		if err != nil {
			b.Fatal(err)
		}
		var video netHTTPVideo
		err = json.NewDecoder(response.Body).Decode(&video)
		response.Body.Close()
		if err != nil || video.ID != "vid_completed" {
			b.Fatal(err)
		}
	}
}
