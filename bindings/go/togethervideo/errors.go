package togethervideo

/*
#include "together_video.h"
*/
import "C"

import (
	"errors"
	"fmt"
)

// Code says what kind of failure an Error is. The values are the library's TvResult
// codes (checked against the header when the package compiles) and never change.
type Code int

// The result codes.
const (
	CodeOK               Code = 0
	CodeInvalidArgument  Code = 1
	CodeBadRequest       Code = 2
	CodeAuthentication   Code = 3
	CodePermissionDenied Code = 4
	CodeNotFound         Code = 5
	CodeConflict         Code = 6
	CodeUnprocessable    Code = 7
	CodeRateLimited      Code = 8
	CodeServer           Code = 9
	CodeHTTP             Code = 10
	CodeTimeout          Code = 11
	CodeConnection       Code = 12
	CodeDecode           Code = 13
	CodeCancelled        Code = 14
	CodeInternal         Code = 15
	// CodeFileSystem is a download destination that cannot be created, written or
	// replaced, or that exists and is not a regular file.
	CodeFileSystem Code = 16
)

// String is the code's short name, e.g. "not found".
func (c Code) String() string {
	return C.GoString(C.tv_result_name(C.int(c)))
}

// Error is what every failing call returns. Compare it with the sentinels using
// errors.Is (errors.Is(err, togethervideo.ErrNotFound)), or read its fields with errors.As.
// It never contains the API key.
type Error struct {
	Code Code
	// HTTPStatus is the response's status, 0 when there was no response.
	HTTPStatus int
	// RequestID is the response's x-request-id, for Together's support; "" when absent.
	RequestID string
	// Message includes the server's own message when there was one.
	Message string
	// cause is the context's error when the context ended the call.
	cause error
}

func (e *Error) Error() string {
	if e.Message == "" {
		return "togethervideo: " + e.Code.String()
	}
	return "togethervideo: " + e.Message
}

// Is reports whether target is the sentinel for e's code.
func (e *Error) Is(target error) bool {
	sentinel, ok := target.(*Error)
	return ok && sentinel.Message == "" && sentinel.HTTPStatus == 0 && sentinel.Code == e.Code
}

// Unwrap gives context.Canceled or context.DeadlineExceeded when the context ended the call.
func (e *Error) Unwrap() error {
	return e.cause
}

// Sentinels, one per code: errors.Is(err, ErrRateLimited) is true for any *Error with
// that code.
var (
	ErrInvalidArgument  = &Error{Code: CodeInvalidArgument}
	ErrBadRequest       = &Error{Code: CodeBadRequest}
	ErrAuthentication   = &Error{Code: CodeAuthentication}
	ErrPermissionDenied = &Error{Code: CodePermissionDenied}
	ErrNotFound         = &Error{Code: CodeNotFound}
	ErrConflict         = &Error{Code: CodeConflict}
	ErrUnprocessable    = &Error{Code: CodeUnprocessable}
	ErrRateLimited      = &Error{Code: CodeRateLimited}
	ErrServer           = &Error{Code: CodeServer}
	ErrHTTP             = &Error{Code: CodeHTTP}
	ErrTimeout          = &Error{Code: CodeTimeout}
	ErrConnection       = &Error{Code: CodeConnection}
	ErrDecode           = &Error{Code: CodeDecode}
	ErrCancelled        = &Error{Code: CodeCancelled}
	ErrInternal         = &Error{Code: CodeInternal}
	ErrFileSystem       = &Error{Code: CodeFileSystem}
)

// ErrClosed is what a call on a closed Client returns, and what a call that Close
// cancelled unwraps to (it is also ErrCancelled): errors.Is(err, ErrClosed).
var ErrClosed = errors.New("togethervideo: the client is closed")

// takeError copies a native error into Go and frees it.
func takeError(code C.enum_TvResult, native *C.TvError) error {
	defer C.tv_error_free(native)
	if native == nil {
		return &Error{Code: Code(code), Message: Code(code).String()}
	}
	err := &Error{
		Code:       Code(C.tv_error_code(native)),
		HTTPStatus: int(C.tv_error_http_status(native)),
		Message:    C.GoString(C.tv_error_message(native)),
	}
	if id := C.tv_error_request_id(native); id != nil {
		err.RequestID = C.GoString(id)
	}
	return err
}

func invalidArgument(format string, args ...any) error {
	return &Error{Code: CodeInvalidArgument, Message: fmt.Sprintf(format, args...)}
}
