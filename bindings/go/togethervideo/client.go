package togethervideo

/*
#include <stdlib.h>
#include "together_video.h"
*/
import "C"

import (
	"context"
	"log/slog"
	"runtime"
	"runtime/cgo"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// Client talks to Together's video API. It is safe for concurrent use by many
// goroutines (it shares one connection pool). Close it when done; a finalizer closes a
// forgotten one.
type Client struct {
	// mu is held for reading by every native call on the client, for writing by Close.
	mu     sync.RWMutex
	native *C.TvClient

	// calls are the cancel tokens of the calls in flight, cancelled by Close.
	callsMu sync.Mutex
	calls   map[*C.TvCancelToken]struct{}
	closing bool
	// closed is closed when Close begins (with closing set), for the Events goroutines
	// waiting to hand over an event.
	closed chan struct{}

	// logHandle is the log callback's user_data (WithLogger), 0 without a logger:
	// deleted once tv_client_free has returned, after which the library never calls it.
	logHandle cgo.Handle
}

type settings struct {
	apply []func(*C.TvClientOptions) error
	// logger is WithLogger's, when withLogger.
	logger     *slog.Logger
	withLogger bool
}

// Option configures NewClient: WithAPIKey, WithBaseURL and the other With functions.
type Option interface {
	apply(*settings)
}

// optionFunc is an Option made of a function.
type optionFunc func(*settings)

func (f optionFunc) apply(s *settings) { f(s) }

func optionString(name string, value string, set func(*C.TvClientOptions, *C.char) C.enum_TvResult) Option {
	return optionFunc(func(s *settings) {
		s.apply = append(s.apply, func(options *C.TvClientOptions) error {
			text, err := cString(name, value)
			if err != nil {
				return err
			}
			defer C.free(unsafe.Pointer(text))
			return checkOption(name, func() C.enum_TvResult { return set(options, text) })
		})
	})
}

// checkOption runs a native setter. A failing setter explains itself only through the
// thread's last error, so the goroutine stays on one OS thread to read it. The error
// carries the library's message, which names the value the caller gave; it is prefixed
// with name unless it already starts with it.
func checkOption(name string, set func() C.enum_TvResult) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if code := set(); code != C.TV_RESULT_OK {
		return lastError(code, name)
	}
	return nil
}

// lastError is the error of a native call that failed with code and explains itself
// only through the thread's last error: call it on the thread that made the call. The
// library's message is prefixed with name ("": none) unless it already starts with it.
func lastError(code C.enum_TvResult, name string) error {
	message := Code(code).String()
	if last := C.tv_last_error_message(); last != nil {
		message = C.GoString(last)
	}
	if name != "" && !strings.HasPrefix(message, name) {
		message = name + ": " + message
	}
	return &Error{Code: Code(code), Message: message}
}

// optionDuration passes d to a setter in milliseconds, as given: the library checks it.
func optionDuration(name string, d time.Duration, set func(*C.TvClientOptions, C.int64_t) C.enum_TvResult) Option {
	return optionFunc(func(s *settings) {
		s.apply = append(s.apply, func(options *C.TvClientOptions) error {
			return checkOption(name, func() C.enum_TvResult { return set(options, C.int64_t(milliseconds(d))) })
		})
	})
}

// optionNumber passes n to a setter as given: the library checks it.
func optionNumber(name string, n int, set func(*C.TvClientOptions, C.int64_t) C.enum_TvResult) Option {
	return optionFunc(func(s *settings) {
		s.apply = append(s.apply, func(options *C.TvClientOptions) error {
			return checkOption(name, func() C.enum_TvResult { return set(options, C.int64_t(n)) })
		})
	})
}

// WithAPIKey sets the API key (default: TOGETHER_API_KEY).
func WithAPIKey(key string) Option {
	return optionString("API key", key, func(o *C.TvClientOptions, v *C.char) C.enum_TvResult {
		return C.tv_client_options_set_api_key(o, v)
	})
}

// WithBaseURL sets the base URL, used as given, e.g. "http://127.0.0.1:8080/v2"
// (default: TOGETHER_BASE_URL, else https://api.together.xyz/v2).
func WithBaseURL(url string) Option {
	return optionString("base URL", url, func(o *C.TvClientOptions, v *C.char) C.enum_TvResult {
		return C.tv_client_options_set_base_url(o, v)
	})
}

// WithTimeout bounds each attempt of a request, from connecting to the last byte
// (default 60 s); a download may take longer as long as no read stalls for this long. A
// context's deadline bounds the whole call. The library checks d (in milliseconds,
// rounded away from zero): NewClient fails with ErrInvalidArgument and the library's
// message, which names the value given, when it is out of range.
func WithTimeout(d time.Duration) Option {
	return optionDuration("timeout", d, func(o *C.TvClientOptions, ms C.int64_t) C.enum_TvResult {
		return C.tv_client_options_set_timeout_ms(o, ms)
	})
}

// WithConnectTimeout bounds connecting: DNS, TCP and TLS (default 5 s). The library
// checks d as for WithTimeout.
func WithConnectTimeout(d time.Duration) Option {
	return optionDuration("connect timeout", d, func(o *C.TvClientOptions, ms C.int64_t) C.enum_TvResult {
		return C.tv_client_options_set_connect_timeout_ms(o, ms)
	})
}

// WithMaxRetries sets how often a failed request is retried (default 2). The library
// checks n: NewClient fails with ErrInvalidArgument and the library's message, which
// names n, when it is out of range.
func WithMaxRetries(n int) Option {
	return optionNumber("max retries", n, func(o *C.TvClientOptions, v C.int64_t) C.enum_TvResult {
		return C.tv_client_options_set_max_retries(o, v)
	})
}

// WithUserAgent appends text to the User-Agent, e.g. "my-app/1.2".
func WithUserAgent(suffix string) Option {
	return optionString("user agent", suffix, func(o *C.TvClientOptions, v *C.char) C.enum_TvResult {
		return C.tv_client_options_set_user_agent_suffix(o, v)
	})
}

// WithCAFile trusts only the certificates in a PEM file (like curl's --cacert).
func WithCAFile(path string) Option {
	return optionString("CA file", path, func(o *C.TvClientOptions, v *C.char) C.enum_TvResult {
		return C.tv_client_options_set_ca_file(o, v)
	})
}

// WithSystemRoots verifies servers with the operating system's certificate store.
func WithSystemRoots() Option {
	return optionFunc(func(s *settings) {
		s.apply = append(s.apply, func(options *C.TvClientOptions) error {
			return checkOption("system roots", func() C.enum_TvResult { return C.tv_client_options_set_system_roots(options, 1) })
		})
	})
}

// WithProxy sends requests through a proxy URL; "" connects directly. The default
// reads HTTPS_PROXY, ALL_PROXY and NO_PROXY.
func WithProxy(url string) Option {
	return optionString("proxy", url, func(o *C.TvClientOptions, v *C.char) C.enum_TvResult {
		return C.tv_client_options_set_proxy(o, v)
	})
}

// WithWorkerThreads sets how many library threads carry this client's non-blocking
// calls (default 4). Many waits share them: a wait holds no thread between polls. The
// library checks n as for WithMaxRetries.
func WithWorkerThreads(n int) Option {
	return optionNumber("worker threads", n, func(o *C.TvClientOptions, v C.int64_t) C.enum_TvResult {
		return C.tv_client_options_set_worker_threads(o, v)
	})
}

// WithMaxConcurrentRequests caps how many HTTP requests of the client run at once, API
// calls and download transfers alike (0, the default: no cap); a request over the cap
// waits for a slot, and still ends at once when its ctx ends. Independently of any cap,
// a 429 answer with a Retry-After hint pauses every API request of the client (the polls
// of waits too) for that long, not only the call that got it. The library checks n as
// for WithMaxRetries.
func WithMaxConcurrentRequests(n int) Option {
	return optionNumber("max concurrent requests", n, func(o *C.TvClientOptions, v C.int64_t) C.enum_TvResult {
		return C.tv_client_options_set_max_concurrent_requests(o, v)
	})
}

// NewClient builds a client. Without WithAPIKey it reads TOGETHER_API_KEY; with no key
// at all it fails with ErrAuthentication. It fails with ErrLibraryVersion when the
// native library linked in is not one this package was written for.
func NewClient(opts ...Option) (*Client, error) {
	if err := checkLibraryVersion(Version()); err != nil {
		return nil, err
	}
	var s settings
	for _, opt := range opts {
		if opt == nil {
			return nil, invalidArgument("a nil Option")
		}
		opt.apply(&s)
	}
	if s.withLogger && s.logger == nil {
		return nil, invalidArgument("logger is nil")
	}
	options := C.tv_client_options_new()
	if options == nil {
		return nil, &Error{Code: CodeInternal, Message: "cannot allocate client options"}
	}
	defer C.tv_client_options_free(options)
	for _, apply := range s.apply {
		if err := apply(options); err != nil {
			return nil, err
		}
	}
	var logHandle cgo.Handle
	if s.withLogger {
		var err error
		if logHandle, err = setLogger(options, s.logger.Handler()); err != nil {
			return nil, err
		}
	}
	var native *C.TvClient
	var nativeErr *C.TvError
	if code := C.tv_client_new_with_options(options, &native, &nativeErr); code != C.TV_RESULT_OK {
		// No client: nothing logs through the handle any more.
		if logHandle != 0 {
			logHandle.Delete()
		}
		return nil, takeError(code, nativeErr)
	}
	client := &Client{native: native, calls: map[*C.TvCancelToken]struct{}{}, closed: make(chan struct{}), logHandle: logHandle}
	runtime.SetFinalizer(client, (*Client).Close)
	return client, nil
}

// Close cancels the client's calls in flight (they return ErrCancelled, which unwraps to
// ErrClosed) and frees it. Closing twice is fine; calls after Close return ErrClosed.
// A WithLogger handler gets the client_freed record before Close returns, and nothing
// after. Channels from Events are closed; Close waits for their goroutines to leave the
// library (at most about 50 ms).
func (c *Client) Close() error {
	c.callsMu.Lock()
	if !c.closing {
		c.closing = true
		close(c.closed)
	}
	for token := range c.calls {
		C.tv_cancel_token_cancel(token)
	}
	c.callsMu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.native != nil {
		// Logs client_freed through the handle, and waits for the log callbacks running
		// on other threads; none runs after it returns.
		C.tv_client_free(c.native)
		c.native = nil
		if c.logHandle != 0 {
			c.logHandle.Delete()
			c.logHandle = 0
		}
		runtime.SetFinalizer(c, nil)
	}
	return nil
}

// withNative runs f with the native client, which Close cannot free meanwhile.
func (c *Client) withNative(f func(*C.TvClient) C.enum_TvResult) (C.enum_TvResult, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.native == nil {
		return 0, ErrClosed
	}
	code := f(c.native)
	runtime.KeepAlive(c)
	return code, nil
}

// GetVideo fetches a video job: GET /videos/{id}, retried as configured. A job that
// failed on Together's side is not an error: read its Status and ErrorMessage.
func (c *Client) GetVideo(ctx context.Context, id string) (*Video, error) {
	cid, err := cString("id", id)
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(cid))
	k, err := c.begin(ctx, 0, false)
	if err != nil {
		return nil, err
	}
	defer k.end()
	var native *C.TvVideo
	var nativeErr *C.TvError
	// The blocking call, on this goroutine's thread: see request.go.
	code, err := c.withNative(func(client *C.TvClient) C.enum_TvResult {
		return C.tv_get_video(client, cid, k.options, &native, &nativeErr)
	})
	if err != nil {
		return nil, err
	}
	if code != C.TV_RESULT_OK {
		return nil, k.failure(code, nativeErr)
	}
	return takeVideo(native), nil
}

// isClosing reports whether Close has begun.
func (c *Client) isClosing() bool {
	c.callsMu.Lock()
	defer c.callsMu.Unlock()
	return c.closing
}
