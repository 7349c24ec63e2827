// Package togethervideo is a Go client for Together AI's video generation API, built on
// together-video, a native library (a Rust core with a C ABI), through cgo.
//
// A Client is safe for concurrent use. Every call takes a context: cancelling it, or
// its deadline passing, stops the call in flight promptly, even while the server has
// stopped answering. A wait holds no OS thread, so thousands can run at once. Errors are
// *Error values that match the sentinels with errors.Is:
//
//	client, err := togethervideo.NewClient() // TOGETHER_API_KEY from the environment
//	if err != nil { ... }
//	defer client.Close()
//	video, err := client.GetVideo(ctx, "video_abc123")
//	if errors.Is(err, togethervideo.ErrNotFound) { ... }
//
// WithLogger sends the client's events (each HTTP attempt, retries, redirects, polls,
// downloads, cancellations) to a log/slog Logger, with the API key and signed URL
// queries removed; Client.Stats reads its counters (requests, retries by reason,
// responses by class, bytes, connections, requests in flight, errors by code).
//
// A program following many jobs from one goroutine (a UI's) tags its waits and
// downloads (WaitOptions.EventTag, the EventTag download option) and reads
// Client.Events: each job's status changes, download progress and end, in order and
// coalesced while the reader is behind, while each call still returns its own result.
// WithMaxConcurrentRequests caps the requests a client runs at once.
//
// WithJournal keeps the client's jobs in a file so that none is lost with the process:
// after a crash or a restart, Client.UnfinishedJobs lists what the last run left and
// Client.ResumeJob waits for each job and downloads its video.
//
// # Linking the native library
//
// cgo links the library in one of three ways, chosen by build tag:
//
//   - No tag: the repository build. The static library that `make build` leaves in the
//     together-video checkout holding this module (target/release), for a module used
//     through a replace directive. Programs need no shared library at run time. Away
//     from a built checkout the build stops with a line saying what to run.
//   - -tags together_pkgconfig: an installed library (`make install`, or an unpacked
//     release archive), found with `pkg-config together_video` (set PKG_CONFIG_PATH to
//     its lib/pkgconfig when elsewhere than pkg-config's default). The program finds the
//     shared library through a RUNPATH to the installed lib directory.
//   - A fully static program: -tags together_pkgconfig on the Linux musl archive, with
//     CC=musl-gcc and -ldflags '-linkmode external -extldflags -static'.
//
// (-tags together_dynamic links the checkout's shared library instead, for working on
// the library itself.) NewClient fails with ErrLibraryVersion when a shared library's
// major or minor version is not BindingVersion's.
package togethervideo

/*
#cgo CFLAGS: -I${SRCDIR}
#include "together_video.h"
*/
import "C"
