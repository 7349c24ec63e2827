// Package together is a Go client for Together AI's video generation API, built on
// the together-video native library (a Rust core with a C ABI) through cgo.
//
// A Client is safe for concurrent use. Every call takes a context: cancelling it, or
// its deadline passing, stops the call in flight promptly, even while the server has
// stopped answering. Errors are *Error values that match the sentinels with errors.Is:
//
//	client, err := together.NewClient() // TOGETHER_API_KEY from the environment
//	if err != nil { ... }
//	defer client.Close()
//	video, err := client.GetVideo(ctx, "video_abc123")
//	if errors.Is(err, together.ErrNotFound) { ... }
//
// Linking: by default the package links the static library
// ../../target/release/libtogether_video.a (build it with `make build` at the
// repository root), so programs need no shared library at run time. Build with
// `-tags together_dynamic` to link libtogether_video.so instead.
package together

/*
#cgo CFLAGS: -I${SRCDIR}/../../include
#include "together_video.h"
*/
import "C"

import "strings"

// cString copies caller text into C memory, for the caller to free with C.free. C would
// read the text only up to a NUL byte, so text holding one is refused, naming argument,
// rather than cut short.
func cString(argument, text string) (*C.char, error) {
	if strings.IndexByte(text, 0) >= 0 {
		return nil, invalidArgument("%s contains a NUL byte", argument)
	}
	return C.CString(text), nil
}

// Version is the version of the native library linked in, e.g. "0.2.0".
func Version() string {
	return C.GoString(C.tv_version())
}
