package togethervideo

// The Go side of the native library's callbacks. They run on library threads; each
// recovers a panic (which must not unwind through C) and hands it to the goroutine that
// made the call, which panics with it there.

/*
#include <stdint.h>
#include "together_video.h"
*/
import "C"

import (
	"runtime/cgo"
	"sync"
	"unsafe"
)

// callbackState is what a call's callbacks share with the calling goroutine.
type callbackState struct {
	mu       sync.Mutex
	panicked any
	// err is set by a write that failed.
	err      error
	progress func(*Video)
	bytes    func(received, total int64)
	writer   interface{ Write([]byte) (int, error) }
	written  int64
}

// guard runs f, turning a panic into a recorded one and false.
func (s *callbackState) guard(f func()) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			s.mu.Lock()
			s.panicked = r
			s.mu.Unlock()
			ok = false
		}
	}()
	f()
	return true
}

// rethrow re-panics, on the calling goroutine, a panic that happened in a callback,
// with the value the callback panicked with (a recover in the caller sees that value).
func (s *callbackState) rethrow() {
	s.mu.Lock()
	panicked := s.panicked
	s.mu.Unlock()
	if panicked != nil {
		panic(panicked)
	}
}

//export goWaitProgress
func goWaitProgress(handle C.uintptr_t, native *C.TvVideo) C.int {
	state := cgo.Handle(handle).Value().(*callbackState)
	if !state.guard(func() { state.progress(copyVideo(native)) }) {
		return 1
	}
	return 0
}

//export goDownloadProgress
func goDownloadProgress(handle C.uintptr_t, received C.uint64_t, total C.int64_t) C.int {
	state := cgo.Handle(handle).Value().(*callbackState)
	if !state.guard(func() { state.bytes(int64(received), int64(total)) }) {
		return 1
	}
	return 0
}

//export goWrite
func goWrite(handle C.uintptr_t, data *C.uint8_t, length C.size_t) C.int {
	state := cgo.Handle(handle).Value().(*callbackState)
	var err error
	ok := state.guard(func() {
		// The bytes are the library's, valid during this call only; io.Writer must not keep them.
		var n int
		n, err = state.writer.Write(unsafe.Slice((*byte)(unsafe.Pointer(data)), int(length)))
		state.written += int64(n)
	})
	if !ok {
		return 1
	}
	if err != nil {
		state.mu.Lock()
		state.err = err
		state.mu.Unlock()
		return 1
	}
	return 0
}
