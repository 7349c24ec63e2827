package togethervideo

/*
#include <stdint.h>
#include <stdlib.h>
#include "together_video.h"

enum TvResult tv_go_call_options_set_download_progress(TvCallOptions *options, uintptr_t handle);
enum TvResult tv_go_download_url_to_writer_start(const TvClient *client, const char *url, uintptr_t handle,
                                                 const TvCallOptions *call, TvRequest **out_request,
                                                 TvError **out_error);
enum TvResult tv_go_download_video_to_writer_start(const TvClient *client, const char *id, uintptr_t handle,
                                                   const TvCallOptions *call, TvRequest **out_request,
                                                   TvError **out_error);
*/
import "C"

import (
	"context"
	"fmt"
	"io"
	"os"
	"unsafe"
)

// Progress, if not nil, is told the bytes received so far and the total (-1 when
// unknown). It runs on a library thread.
type Progress func(received, total int64)

// DownloadOption configures one download, given after its progress argument: EventTag.
type DownloadOption interface {
	applyDownload(*downloadSettings)
}

// downloadSettings are what a download's options set.
type downloadSettings struct {
	eventTag uint64
}

// downloadOptionFunc is a DownloadOption made of a function.
type downloadOptionFunc func(*downloadSettings)

func (f downloadOptionFunc) applyDownload(s *downloadSettings) { f(s) }

// EventTag has a download report to the client's event queue (see Client.Events) under
// tag: its progress (coalesced while the reader is behind), then EventDone. 0 reports
// nothing, as without the option. The download still returns its own result:
//
//	size, err := client.DownloadVideoFile(ctx, id, path, nil, togethervideo.EventTag(7))
func EventTag(tag uint64) DownloadOption {
	return downloadOptionFunc(func(s *downloadSettings) { s.eventTag = tag })
}

// downloadOptions applies opts.
func downloadOptions(opts []DownloadOption) (downloadSettings, error) {
	var s downloadSettings
	for _, opt := range opts {
		if opt == nil {
			return s, invalidArgument("a nil DownloadOption")
		}
		opt.applyDownload(&s)
	}
	return s, nil
}

// Every download streams (constant memory) and has the same checks: the API key is
// never sent to the video's host; an HTML or JSON page, or bytes that are neither MP4
// nor WebM, fail with ErrDecode; an interrupted transfer resumes when the server proves
// the rest belongs to the same file. A download to a writer writes each byte once, in
// order, from a library thread, one call at a time, and returns the bytes written. A
// download to a file writes a temporary file beside path and renames it only when
// complete: a failed or cancelled download leaves nothing under path, and a path that
// cannot be written or is not a regular file fails with ErrFileSystem.

// DownloadURL streams the video at url (a completed job's VideoURL, stored or fresh)
// into w and returns the bytes written. A url that is not http(s) is ErrInvalidArgument.
func (c *Client) DownloadURL(ctx context.Context, url string, w io.Writer, progress Progress, opts ...DownloadOption) (int64, error) {
	curl, err := cString("url", url)
	if err != nil {
		return 0, err
	}
	defer C.free(unsafe.Pointer(curl))
	return c.downloadTo(ctx, curl, false, w, progress, opts)
}

// DownloadURLFile downloads the video at url to path and returns its size.
func (c *Client) DownloadURLFile(ctx context.Context, url, path string, progress Progress, opts ...DownloadOption) (int64, error) {
	curl, err := cString("url", url)
	if err != nil {
		return 0, err
	}
	defer C.free(unsafe.Pointer(curl))
	return c.downloadFile(ctx, curl, false, path, progress, opts)
}

// DownloadVideo gets the job id, which must be completed (else ErrInvalidArgument),
// and streams its video into w; it returns the bytes written. ctx bounds both steps.
func (c *Client) DownloadVideo(ctx context.Context, id string, w io.Writer, progress Progress, opts ...DownloadOption) (int64, error) {
	cid, err := cString("id", id)
	if err != nil {
		return 0, err
	}
	defer C.free(unsafe.Pointer(cid))
	return c.downloadTo(ctx, cid, true, w, progress, opts)
}

// DownloadVideoFile gets the job id, which must be completed (else
// ErrInvalidArgument), and downloads its video to path; it returns the file's size.
func (c *Client) DownloadVideoFile(ctx context.Context, id, path string, progress Progress, opts ...DownloadOption) (int64, error) {
	cid, err := cString("id", id)
	if err != nil {
		return 0, err
	}
	defer C.free(unsafe.Pointer(cid))
	return c.downloadFile(ctx, cid, true, path, progress, opts)
}

// Download streams the video of a completed job, as returned by GetVideo or WaitVideo,
// into w and returns the bytes written: DownloadURL with video.VideoURL.
func (c *Client) Download(ctx context.Context, video *Video, w io.Writer, progress Progress, opts ...DownloadOption) (int64, error) {
	curl, err := videoURL(video)
	if err != nil {
		return 0, err
	}
	defer C.free(unsafe.Pointer(curl))
	return c.downloadTo(ctx, curl, false, w, progress, opts)
}

// DownloadFile downloads the video of a completed job to path and returns its size:
// DownloadURLFile with video.VideoURL.
func (c *Client) DownloadFile(ctx context.Context, video *Video, path string, progress Progress, opts ...DownloadOption) (int64, error) {
	curl, err := videoURL(video)
	if err != nil {
		return 0, err
	}
	defer C.free(unsafe.Pointer(curl))
	return c.downloadFile(ctx, curl, false, path, progress, opts)
}

// videoURL is video's URL in C memory, for the caller to free.
func videoURL(video *Video) (*C.char, error) {
	if video == nil {
		return nil, invalidArgument("video is nil")
	}
	if video.VideoURL == "" {
		return nil, invalidArgument("video %q has no video URL to download (status %s)", video.ID, video.Status)
	}
	return cString("video URL", video.VideoURL)
}

// downloadTo streams the video at the URL source, or of the job whose id is source
// when byID, into w.
func (c *Client) downloadTo(ctx context.Context, source *C.char, byID bool, w io.Writer, progress Progress, opts []DownloadOption) (int64, error) {
	if w == nil {
		return 0, invalidArgument("writer is nil")
	}
	settings, err := downloadOptions(opts)
	if err != nil {
		return 0, err
	}
	state := &callbackState{writer: w, bytes: progress}
	err = c.download(ctx, state, settings, func(client *C.TvClient, handle C.uintptr_t, call *C.TvCallOptions,
		request **C.TvRequest, nativeErr **C.TvError) C.enum_TvResult {
		if byID {
			return C.tv_go_download_video_to_writer_start(client, source, handle, call, request, nativeErr)
		}
		return C.tv_go_download_url_to_writer_start(client, source, handle, call, request, nativeErr)
	})
	if state.err != nil {
		err = fmt.Errorf("togethervideo: writing the video: %w", state.err)
	}
	return state.written, err
}

// downloadFile downloads the video at the URL source, or of the job whose id is
// source when byID, to path.
func (c *Client) downloadFile(ctx context.Context, source *C.char, byID bool, path string, progress Progress, opts []DownloadOption) (int64, error) {
	settings, err := downloadOptions(opts)
	if err != nil {
		return 0, err
	}
	cpath, err := cString("path", path)
	if err != nil {
		return 0, err
	}
	defer C.free(unsafe.Pointer(cpath))
	state := &callbackState{bytes: progress}
	err = c.download(ctx, state, settings, func(client *C.TvClient, _ C.uintptr_t, call *C.TvCallOptions,
		request **C.TvRequest, nativeErr **C.TvError) C.enum_TvResult {
		if byID {
			return C.tv_download_video_to_file_start(client, source, cpath, call, request, nativeErr)
		}
		return C.tv_download_url_to_file_start(client, source, cpath, call, request, nativeErr)
	})
	if err != nil {
		return 0, err
	}
	info, statErr := os.Stat(path)
	if statErr != nil {
		return 0, statErr
	}
	return info.Size(), nil
}

type downloadStarter func(client *C.TvClient, handle C.uintptr_t, call *C.TvCallOptions,
	request **C.TvRequest, nativeErr **C.TvError) C.enum_TvResult

// download runs a download request whose callbacks report to state.
func (c *Client) download(ctx context.Context, state *callbackState, settings downloadSettings, start downloadStarter) error {
	k, err := c.begin(ctx, 0, true)
	if err != nil {
		return err
	}
	defer k.end()
	k.report(settings.eventTag)
	var handle C.uintptr_t
	release := withCallbacks(state, func(h C.uintptr_t) { handle = h })
	defer release()
	if state.bytes != nil {
		C.tv_go_call_options_set_download_progress(k.options, handle)
	}
	_, err = c.run(k, func(client *C.TvClient, call *C.TvCallOptions, request **C.TvRequest, nativeErr **C.TvError) C.enum_TvResult {
		return start(client, handle, call, request, nativeErr)
	})
	state.rethrow()
	return err
}
