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

// The module builds from a module cache or a vendor directory, away from include/, so
// it carries its own copy of the header: the same bytes.
func TestTheModulesHeaderIsTheLibrarysHeader(t *testing.T) {
	own, err := os.ReadFile("together_video.h")
	if err != nil {
		t.Fatal(err)
	}
	library, err := os.ReadFile(filepath.Join("..", "..", "..", "include", "together_video.h"))
	if err != nil {
		t.Skipf("not in a together-video checkout: %v", err)
	}
	if !bytes.Equal(own, library) {
		t.Fatal("together_video.h differs from include/together_video.h: run `make header`")
	}
}

// An Opt holding zero sends zero; an absent one sends nothing.
func TestZeroOptionalValuesAreSentAndAbsentOnesAreNot(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	ctx := context.Background()
	if _, err := client.CreateVideo(ctx, &togethervideo.CreateVideoParams{
		Model: "m", Seed: togethervideo.Int64(0), GuidanceScale: togethervideo.Float64(0),
		GenerateAudio: togethervideo.Bool(false),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateVideo(ctx, &togethervideo.CreateVideoParams{Model: "m"}); err != nil {
		t.Fatal(err)
	}
	m.mu.Lock()
	given, absent := m.bodies[0], m.bodies[1]
	m.mu.Unlock()
	for _, field := range []string{`"seed":0`, `"guidance_scale":0`, `"generate_audio":false`} {
		if !strings.Contains(strings.ReplaceAll(given, " ", ""), field) {
			t.Errorf("%s not sent: %s", field, given)
		}
	}
	for _, field := range []string{"seed", "guidance_scale", "generate_audio", "output_quality"} {
		if strings.Contains(absent, field) {
			t.Errorf("%s sent though absent: %s", field, absent)
		}
	}
}

func TestOpt(t *testing.T) {
	var absent togethervideo.Opt[int64]
	if v, ok := absent.Get(); ok || v != 0 || absent.IsSet() || absent.Or(7) != 7 || absent.String() != "<absent>" {
		t.Errorf("absent: %v %v %v", v, ok, absent)
	}
	zero := togethervideo.Int64(0)
	if v, ok := zero.Get(); !ok || v != 0 || zero.Or(7) != 0 || zero.String() != "0" {
		t.Errorf("zero: %v %v %v", v, ok, zero)
	}
}

// Calls after Close, and calls Close ended, are ErrClosed; the latter are ErrCancelled too.
func TestCallsAfterCloseAreErrClosed(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	result := make(chan error)
	go func() {
		_, err := client.WaitVideo(context.Background(), "stall", nil)
		result <- err
	}()
	time.Sleep(100 * time.Millisecond)
	client.Close()
	if err := <-result; !errors.Is(err, togethervideo.ErrClosed) || !errors.Is(err, togethervideo.ErrCancelled) {
		t.Errorf("a wait Close ended: %v", err)
	}
	ctx := context.Background()
	_, getErr := client.GetVideo(ctx, "vid_completed")
	_, waitErr := client.WaitVideo(ctx, "vid_completed", nil)
	_, createErr := client.CreateVideo(ctx, &togethervideo.CreateVideoParams{Model: "m"})
	_, downloadErr := client.DownloadURL(ctx, m.URL+"/files/video.mp4", &bytes.Buffer{}, nil)
	for name, err := range map[string]error{"get": getErr, "wait": waitErr, "create": createErr, "download": downloadErr} {
		if !errors.Is(err, togethervideo.ErrClosed) {
			t.Errorf("%s after Close: %v", name, err)
		}
	}
}

// A status this version does not know keeps the server's text.
func TestAnUnknownStatusKeepsItsText(t *testing.T) {
	m := newMock(t)
	client := newClient(t, m)
	video, err := client.GetVideo(context.Background(), "vid_unknown_status")
	if err != nil {
		t.Fatal(err)
	}
	if video.Status.Known() || video.Status.Terminal() || video.Status == "" {
		t.Errorf("status %q", video.Status)
	}
}
