package togethervideo

/*
#include <stdlib.h>
#include "together_video.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"sort"
	"unsafe"
)

// FramePosition says where a frame image goes on the timeline.
type FramePosition int

// The frame positions.
const (
	// FrameAuto lets the server place the image.
	FrameAuto  FramePosition = 0
	FrameFirst FramePosition = 1
	FrameLast  FramePosition = 2
	// FrameAt places it at FrameImage.Frame.
	FrameAt FramePosition = 3
)

// FrameImage is an image at a position of the timeline (media.frame_images).
type FrameImage struct {
	URL      string
	Position FramePosition
	// Frame is the frame number, for FrameAt.
	Frame float64
}

// MediaURL is a media input sent as a URL string, or as {"video": url} / {"audio": url}
// when AsObject is set (the API accepts both).
type MediaURL struct {
	URL      string
	AsObject bool
}

// CreateVideoParams are the fields of Together's CreateVideoBody. Only Model is
// required; zero values, absent Opts and nil slices are not sent.
type CreateVideoParams struct {
	Model          string
	Prompt         string
	Width, Height  int
	Resolution     string
	Ratio          string
	Seconds        string
	FPS            int
	Steps          int
	Seed           Opt[int64]   // Int64(0) sends 0
	GuidanceScale  Opt[float64] // Float64(0) sends 0
	OutputFormat   string       // "MP4" or "WEBM"
	OutputQuality  Opt[int]
	NegativePrompt string
	GenerateAudio  Opt[bool] // Bool(false) sends false

	FrameImages     []FrameImage
	FrameVideos     []string
	ReferenceImages []string
	ReferenceVideos []string
	SourceVideo     *MediaURL
	AudioInputs     []MediaURL

	// Extra holds fields this version does not know, each encoded with encoding/json;
	// they win over a typed field of the same name.
	Extra map[string]any
}

// native builds the native parameters; the caller frees them.
func (p *CreateVideoParams) native() (*C.TvCreateParams, error) {
	params := C.tv_create_params_new()
	if params == nil {
		return nil, &Error{Code: CodeInternal, Message: "cannot allocate create parameters"}
	}
	var steps []func() error
	text := func(name, value string, set func(*C.TvCreateParams, *C.char) C.enum_TvResult) {
		if value == "" {
			return
		}
		steps = append(steps, func() error {
			ctext, err := cString(name, value)
			if err != nil {
				return err
			}
			defer C.free(unsafe.Pointer(ctext))
			return checkOption(name, func() C.enum_TvResult { return set(params, ctext) })
		})
	}
	number := func(name string, set bool, apply func() C.enum_TvResult) {
		if set {
			steps = append(steps, func() error { return checkOption(name, apply) })
		}
	}
	text("model", p.Model, func(o *C.TvCreateParams, v *C.char) C.enum_TvResult { return C.tv_create_params_set_model(o, v) })
	text("prompt", p.Prompt, func(o *C.TvCreateParams, v *C.char) C.enum_TvResult { return C.tv_create_params_set_prompt(o, v) })
	text("resolution", p.Resolution, func(o *C.TvCreateParams, v *C.char) C.enum_TvResult { return C.tv_create_params_set_resolution(o, v) })
	text("ratio", p.Ratio, func(o *C.TvCreateParams, v *C.char) C.enum_TvResult { return C.tv_create_params_set_ratio(o, v) })
	text("seconds", p.Seconds, func(o *C.TvCreateParams, v *C.char) C.enum_TvResult { return C.tv_create_params_set_seconds(o, v) })
	text("output format", p.OutputFormat, func(o *C.TvCreateParams, v *C.char) C.enum_TvResult {
		return C.tv_create_params_set_output_format(o, v)
	})
	text("negative prompt", p.NegativePrompt, func(o *C.TvCreateParams, v *C.char) C.enum_TvResult {
		return C.tv_create_params_set_negative_prompt(o, v)
	})
	number("width", p.Width != 0, func() C.enum_TvResult { return C.tv_create_params_set_width(params, C.int64_t(p.Width)) })
	number("height", p.Height != 0, func() C.enum_TvResult { return C.tv_create_params_set_height(params, C.int64_t(p.Height)) })
	number("fps", p.FPS != 0, func() C.enum_TvResult { return C.tv_create_params_set_fps(params, C.int64_t(p.FPS)) })
	number("steps", p.Steps != 0, func() C.enum_TvResult { return C.tv_create_params_set_steps(params, C.int64_t(p.Steps)) })
	seed, hasSeed := p.Seed.Get()
	number("seed", hasSeed, func() C.enum_TvResult { return C.tv_create_params_set_seed(params, C.int64_t(seed)) })
	guidance, hasGuidance := p.GuidanceScale.Get()
	number("guidance scale", hasGuidance, func() C.enum_TvResult {
		return C.tv_create_params_set_guidance_scale(params, C.double(guidance))
	})
	quality, hasQuality := p.OutputQuality.Get()
	number("output quality", hasQuality, func() C.enum_TvResult {
		return C.tv_create_params_set_output_quality(params, C.int64_t(quality))
	})
	audio, hasAudio := p.GenerateAudio.Get()
	number("generate audio", hasAudio, func() C.enum_TvResult {
		return C.tv_create_params_set_generate_audio(params, boolInt(audio))
	})
	for _, image := range p.FrameImages {
		image := image
		text("frame image", image.URL, func(o *C.TvCreateParams, v *C.char) C.enum_TvResult {
			return C.tv_create_params_add_frame_image(o, v, C.int(image.Position), C.double(image.Frame))
		})
	}
	for _, url := range p.FrameVideos {
		text("frame video", url, func(o *C.TvCreateParams, v *C.char) C.enum_TvResult { return C.tv_create_params_add_frame_video(o, v) })
	}
	for _, url := range p.ReferenceImages {
		text("reference image", url, func(o *C.TvCreateParams, v *C.char) C.enum_TvResult {
			return C.tv_create_params_add_reference_image(o, v)
		})
	}
	for _, url := range p.ReferenceVideos {
		text("reference video", url, func(o *C.TvCreateParams, v *C.char) C.enum_TvResult {
			return C.tv_create_params_add_reference_video(o, v)
		})
	}
	if p.SourceVideo != nil {
		asObject := boolInt(p.SourceVideo.AsObject)
		text("source video", p.SourceVideo.URL, func(o *C.TvCreateParams, v *C.char) C.enum_TvResult {
			return C.tv_create_params_set_source_video(o, v, asObject)
		})
	}
	for _, audio := range p.AudioInputs {
		asObject := boolInt(audio.AsObject)
		text("audio input", audio.URL, func(o *C.TvCreateParams, v *C.char) C.enum_TvResult {
			return C.tv_create_params_add_audio_input(o, v, asObject)
		})
	}
	names := make([]string, 0, len(p.Extra))
	for name := range p.Extra {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		encoded, err := json.Marshal(p.Extra[name])
		if err != nil {
			C.tv_create_params_free(params)
			return nil, invalidArgument("extra field %q: %v", name, err)
		}
		field, err := cString("extra field name", name)
		if err != nil {
			C.tv_create_params_free(params)
			return nil, err
		}
		defer C.free(unsafe.Pointer(field))
		text("extra field "+name, string(encoded), func(o *C.TvCreateParams, v *C.char) C.enum_TvResult {
			return C.tv_create_params_set_json_field(o, field, v)
		})
	}
	for _, step := range steps {
		if err := step(); err != nil {
			C.tv_create_params_free(params)
			return nil, err
		}
	}
	return params, nil
}

func boolInt(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

// CreateVideo starts a job: POST /videos. The library checks the parameters first
// (see tv_create_video). A create is never retried once it may have reached the
// server, since a second POST could start a second, billed job.
func (c *Client) CreateVideo(ctx context.Context, params *CreateVideoParams) (*Video, error) {
	if params == nil {
		return nil, invalidArgument("params is nil")
	}
	native, err := params.native()
	if err != nil {
		return nil, err
	}
	defer C.tv_create_params_free(native) // the request copies them
	k, err := c.begin(ctx, 0, true)
	if err != nil {
		return nil, err
	}
	defer k.end()
	return c.run(k, func(client *C.TvClient, call *C.TvCallOptions, request **C.TvRequest, nativeErr **C.TvError) C.enum_TvResult {
		return C.tv_create_video_start(client, native, call, request, nativeErr)
	})
}

// CreateVideoJSON starts a job from a JSON body of your own: an object with a "model".
func (c *Client) CreateVideoJSON(ctx context.Context, body string) (*Video, error) {
	cbody, err := cString("body", body)
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(cbody))
	k, err := c.begin(ctx, 0, true)
	if err != nil {
		return nil, err
	}
	defer k.end()
	return c.run(k, func(client *C.TvClient, call *C.TvCallOptions, request **C.TvRequest, nativeErr **C.TvError) C.enum_TvResult {
		return C.tv_create_video_json_start(client, cbody, call, request, nativeErr)
	})
}
