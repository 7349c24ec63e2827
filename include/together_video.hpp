// together_video.hpp: a header-only C++17 wrapper of together_video.h.
//
// RAII, move-only handles; std::string_view in, std::string and std::optional out;
// failures throw together_video::Error (result code, HTTP status, request id); callbacks
// are lambdas. Everything the C API says about threads holds here: a Client may be used
// from many threads at once.
//
// Every network call takes an optional CallOptions last: a timeout for the whole call, a
// CancelToken, and progress callbacks. Each has a blocking form and a `_start` form that
// returns a Request at once.
//
//   together_video::Client client;                      // TOGETHER_API_KEY
//   together_video::CallOptions call;
//   call.timeout = std::chrono::seconds(30);
//   together_video::Video video = client.get_video("video_abc123", call);
//   if (video.status == TV_VIDEO_STATUS_COMPLETED) client.download_to_file(video, "out.mp4");
//
// Ranges and defaults are the library's: the wrapper passes each value on as given, and
// an out-of-range one throws Error with the library's message (which names the value).
#ifndef TOGETHER_VIDEO_HPP
#define TOGETHER_VIDEO_HPP

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <ios>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>
#include <string_view>
#include <utility>

#include "together_video.h"

namespace together_video {

/// A failed call. what() is the library's message (never the API key).
class Error : public std::runtime_error {
 public:
  Error(TvResult code, const std::string &message, std::uint16_t http_status, std::optional<std::string> request_id)
      : std::runtime_error(message), code_(code), http_status_(http_status), request_id_(std::move(request_id)) {}

  /// May be a code newer than this header: treat an unknown one like TV_RESULT_INTERNAL.
  TvResult code() const noexcept { return code_; }
  /// 0 when there was no HTTP response.
  std::uint16_t http_status() const noexcept { return http_status_; }
  const std::optional<std::string> &request_id() const noexcept { return request_id_; }

 private:
  TvResult code_;
  std::uint16_t http_status_;
  std::optional<std::string> request_id_;
};

namespace detail {

inline std::optional<std::string> text(const char *s) { return s ? std::optional<std::string>(s) : std::nullopt; }

/// A string for C. C would end it at a NUL character and use a shorter string than the
/// caller gave, so one holding a NUL is refused.
inline std::string c_string(std::string_view value, const char *what) {
  if (value.find('\0') != std::string_view::npos) {
    throw Error(TV_RESULT_INVALID_ARGUMENT, std::string(what) + " must not contain a NUL character", 0, std::nullopt);
  }
  return std::string(value);
}

/// Throws the error a failed call wrote (and frees it), or one for `code` alone.
[[noreturn]] inline void fail(TvResult code, TvError *error) {
  std::unique_ptr<TvError, void (*)(TvError *)> owned(error, tv_error_free);
  if (!error) throw Error(code, tv_result_name(static_cast<int>(code)), 0, std::nullopt);
  throw Error(tv_error_code(error), tv_error_message(error), tv_error_http_status(error),
              text(tv_error_request_id(error)));
}

/// Call as `TvResult result = tv_...(..., &error); check(result, error);`: reading
/// `error` in the same expression as the call would read it before the call wrote it.
inline void check(TvResult code, TvError *error = nullptr) {
  if (code != TV_RESULT_OK) fail(code, error);
}

/// A setter's failure explains itself through the thread's last error.
inline void check_setter(TvResult code) {
  if (code != TV_RESULT_OK) {
    const char *message = tv_last_error_message();
    throw Error(code, message ? message : tv_result_name(static_cast<int>(code)), 0, std::nullopt);
  }
}

template <typename T, void (*Free)(T *)>
struct Deleter {
  void operator()(T *p) const noexcept { Free(p); }
};

template <typename T, void (*Free)(T *)>
using Handle = std::unique_ptr<T, Deleter<T, Free>>;

}  // namespace detail

/// A video job, copied out of the library. Absent fields are std::nullopt.
struct Video {
  std::string id;
  std::optional<std::string> object, model;
  TvVideoStatus status = TV_VIDEO_STATUS_UNKNOWN;
  std::string status_raw;
  std::optional<double> created_at, completed_at;  // Unix seconds
  std::optional<std::string> size, seconds;
  std::optional<std::string> error_code, error_message;
  bool has_outputs = false;
  double cost = 0;
  std::optional<std::string> video_url;
  std::string json;  // the response body as received

  bool terminal() const noexcept {
    return status == TV_VIDEO_STATUS_COMPLETED || status == TV_VIDEO_STATUS_FAILED ||
           status == TV_VIDEO_STATUS_CANCELLED;
  }

  static Video copy(const TvVideo &v) {
    Video out;
    out.id = v.id;
    out.object = detail::text(v.object);
    out.model = detail::text(v.model);
    out.status = v.status;
    out.status_raw = v.status_raw;
    if (v.created_at != 0) out.created_at = v.created_at;
    if (v.has_completed_at) out.completed_at = v.completed_at;
    out.size = detail::text(v.size);
    out.seconds = detail::text(v.seconds);
    out.error_code = detail::text(v.error_code);
    out.error_message = detail::text(v.error_message);
    out.has_outputs = v.has_outputs;
    out.cost = v.cost;
    out.video_url = detail::text(v.video_url);
    out.json = v.json;
    return out;
  }

  /// Copies and frees a video the library returned.
  static Video take(TvVideo *v) {
    detail::Handle<TvVideo, tv_video_free> owned(v);
    return copy(*v);
  }
};

/// A cancellation flag: cancel() stops every call given it, now and later, promptly
/// (even one waiting on a server that stopped answering); they throw Error with
/// TV_RESULT_CANCELLED. Copies share one flag, so keep a copy to cancel from another
/// thread. Once cancelled it stays cancelled. Thread-safe.
class CancelToken {
 public:
  CancelToken() : token_(tv_cancel_token_new(), tv_cancel_token_free) {
    if (!token_) throw std::bad_alloc();
  }
  void cancel() const noexcept { tv_cancel_token_cancel(token_.get()); }
  bool cancelled() const noexcept { return tv_cancel_token_is_cancelled(token_.get()); }
  const TvCancelToken *get() const noexcept { return token_.get(); }

 private:
  std::shared_ptr<TvCancelToken> token_;
};

/// Called with each polled state of a wait; return false to stop it (TV_RESULT_CANCELLED).
using WaitProgress = std::function<bool(const Video &)>;
/// Called with the bytes so far and the total when known; return false to stop.
using DownloadProgress = std::function<bool(std::uint64_t received, std::optional<std::uint64_t> total)>;
/// Receives a download's bytes in order (valid for the call only); return false to stop.
using DownloadWrite = std::function<bool(const std::uint8_t *data, std::size_t length)>;

/// How one call may be bounded, cancelled and followed; every network call takes one
/// (default: none of it). A call copies what it needs when it starts, so one CallOptions
/// may serve many calls.
///
/// A callback that throws stops the call, and the exception comes out of the call (or
/// out of Request::video() / Request::get() for a `_start` call) instead of an Error.
/// For a `_start` call the callbacks run on a library thread, so what they capture must
/// stay valid until the Request is done or destroyed.
struct CallOptions {
  /// Bounds the whole call, retries, polls and the request in flight included
  /// (TV_RESULT_TIMEOUT). Unset: only the client's timeout per attempt, and a wait waits
  /// as long as the job takes. Passed to the library as given, which checks the range.
  std::optional<std::chrono::milliseconds> timeout;
  /// Cancels the call when cancelled (a `_start` call as Request::cancel() would).
  std::optional<CancelToken> cancel;
  /// Waits only: called with each polled state.
  WaitProgress wait_progress;
  /// Downloads only: called as bytes arrive.
  DownloadProgress download_progress;
  /// `_start` calls only: report to the client's event queue (Client::next_event) under
  /// this tag.
  std::optional<std::uint64_t> event_tag;
};

/// What is particular to a wait (its bound, token and progress are its CallOptions').
struct WaitOptions {
  /// The time between polls; unset: the library's default.
  std::optional<std::chrono::milliseconds> poll_interval;
};

/// Settings for a Client; unset ones keep the library's defaults. Each value is passed
/// to the library as given, which checks it.
struct ClientOptions {
  std::optional<std::string> api_key;   // default TOGETHER_API_KEY
  std::optional<std::string> base_url;  // used as given; default TOGETHER_BASE_URL or Together's
  std::optional<std::chrono::milliseconds> timeout, connect_timeout;
  std::optional<std::int64_t> max_retries;
  std::optional<std::string> user_agent_suffix;
  std::optional<std::string> ca_file;
  bool system_roots = false;
  std::optional<std::string> proxy;  // "" connects directly
  std::optional<std::int64_t> worker_threads;
  std::optional<std::int64_t> max_concurrent_requests;  // 0: no cap
  std::optional<std::string> journal;                   // the job journal's file (see README)
  /// Receives the client's events up to log_level. It runs on the thread where the event
  /// happened, several at once (see TvLogCallback), and never once the Client is
  /// destroyed; an exception it throws is dropped. Unset: TOGETHER_LOG on stderr.
  std::function<void(const TvLogEvent &)> log;
  TvLogLevel log_level = TV_LOG_LEVEL_INFO;
};

namespace detail {

/// What the C callbacks of one call point to: the caller's functions, and an exception
/// one of them threw, carried across C to be rethrown once the call has returned. A
/// blocking call keeps it on its stack; a `_start` call's Request owns it.
struct CallState {
  WaitProgress wait_progress;
  DownloadProgress download_progress;
  DownloadWrite write;

  void capture() noexcept {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!exception_) exception_ = std::current_exception();
  }
  std::exception_ptr captured() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return exception_;
  }
  /// Rethrows a captured exception, first freeing the call's own error.
  void rethrow_freeing(TvError *&error) const {
    std::exception_ptr exception = captured();
    if (!exception) return;
    tv_error_free(error);
    error = nullptr;
    std::rethrow_exception(exception);
  }

 private:
  // A `_start` call's callbacks run on library threads.
  mutable std::mutex mutex_;
  std::exception_ptr exception_;
};

// The C callbacks: nothing thrown crosses into C.
inline int on_wait_progress(void *user_data, const TvVideo *video) noexcept {
  auto *state = static_cast<CallState *>(user_data);
  try {
    return state->wait_progress(Video::copy(*video)) ? 0 : 1;
  } catch (...) {
    state->capture();
    return 1;
  }
}

inline int on_download_progress(void *user_data, std::uint64_t received, std::int64_t total) noexcept {
  auto *state = static_cast<CallState *>(user_data);
  try {
    std::optional<std::uint64_t> known;
    if (total >= 0) known = static_cast<std::uint64_t>(total);
    return state->download_progress(received, known) ? 0 : 1;
  } catch (...) {
    state->capture();
    return 1;
  }
}

inline int on_write(void *user_data, const std::uint8_t *data, std::size_t length) noexcept {
  auto *state = static_cast<CallState *>(user_data);
  try {
    return state->write(data, length) ? 0 : 1;
  } catch (...) {
    state->capture();
    return 1;
  }
}

using CallHandle = Handle<TvCallOptions, tv_call_options_free>;

/// The C call options for `options`, with the callbacks set in `state` (when not null)
/// pointing at it. Null when there is nothing to set.
inline CallHandle native_call(const CallOptions &options, CallState *state) {
  bool wait = state && state->wait_progress;
  bool download = state && state->download_progress;
  if (!options.timeout && !options.cancel && !wait && !download && !options.event_tag) return nullptr;
  CallHandle native(tv_call_options_new());
  if (!native) throw std::bad_alloc();
  TvCallOptions *p = native.get();
  if (options.timeout) check_setter(tv_call_options_set_timeout_ms(p, options.timeout->count()));
  if (options.cancel) check_setter(tv_call_options_set_cancel_token(p, options.cancel->get()));
  if (wait) check_setter(tv_call_options_set_wait_progress(p, on_wait_progress, state));
  if (download) check_setter(tv_call_options_set_download_progress(p, on_download_progress, state));
  if (options.event_tag) check_setter(tv_call_options_set_event_tag(p, *options.event_tag));
  return native;
}

/// After a blocking call: rethrows what a callback threw, else throws the call's error.
inline void finish(TvResult code, TvError *error, const CallState *state) {
  if (state) state->rethrow_freeing(error);
  check(code, error);
}

using WaitHandle = Handle<TvWaitOptions, tv_wait_options_free>;

inline WaitHandle native_wait(const WaitOptions &options) {
  if (!options.poll_interval) return nullptr;
  WaitHandle native(tv_wait_options_new());
  if (!native) throw std::bad_alloc();
  check_setter(tv_wait_options_set_poll_interval_ms(native.get(), options.poll_interval->count()));
  return native;
}

/// A completed job's URL, for the convenience downloads that take a Video.
inline std::string url_of(const Video &video) {
  if (!video.video_url) {
    throw Error(TV_RESULT_INVALID_ARGUMENT,
                "video \"" + video.id + "\" (" + video.status_raw + ") has no video_url to download", 0, std::nullopt);
  }
  return c_string(*video.video_url, "video_url");
}

/// A DownloadWrite into `out`; a failing stream stops the download with an exception.
inline DownloadWrite stream_writer(std::ostream &out) {
  return [&out](const std::uint8_t *data, std::size_t length) {
    out.write(reinterpret_cast<const char *>(data), static_cast<std::streamsize>(length));
    if (!out) throw std::ios_base::failure("together_video: writing the download to the stream failed");
    return true;
  };
}

}  // namespace detail

/// A non-blocking call: poll it each frame, wait on it, cancel it. Move-only. It owns
/// the call's callbacks: destroying it cancels a call still pending, and once that
/// returns no callback runs (do not destroy a Request from inside its own callback).
class Request {
 public:
  explicit Request(TvRequest *request, std::unique_ptr<detail::CallState> state = nullptr) noexcept
      : state_(std::move(state)), request_(request) {}
  Request(Request &&) noexcept = default;
  /// Frees the request it held before its callbacks' state (a default move would not).
  Request &operator=(Request &&other) noexcept {
    request_ = std::move(other.request_);
    state_ = std::move(other.state_);
    return *this;
  }
  ~Request() = default;  // request_, declared last, is freed first

  bool done() const { return tv_request_poll(request_.get()) == TV_REQUEST_STATE_DONE; }
  /// Blocks until done or `timeout` passes; true when done.
  bool wait_for(std::chrono::milliseconds timeout) const {
    auto ms = timeout.count() > 0 ? static_cast<std::uint64_t>(timeout.count()) : 0;
    return tv_request_wait(request_.get(), ms) == TV_REQUEST_STATE_DONE;
  }
  /// Returns at once; the request is then done with TV_RESULT_CANCELLED.
  void cancel() const noexcept { tv_request_cancel(request_.get()); }
  /// The video of a get, create or wait once done (throws Error on failure, or when
  /// still pending; or what one of its callbacks threw).
  Video video() const {
    TvVideo *video = nullptr;
    TvError *error = nullptr;
    TvResult result = tv_request_result(request_.get(), &video, &error);
    detail::Handle<TvVideo, tv_video_free> owned(video);
    if (state_) state_->rethrow_freeing(error);
    detail::check(result, error);
    if (!owned) throw Error(TV_RESULT_INVALID_ARGUMENT, "this request has no video (a download)", 0, std::nullopt);
    return Video::copy(*owned);
  }
  /// For downloads: throws unless the download succeeded (a file is then in place).
  void get() const {
    TvError *error = nullptr;
    TvResult result = tv_request_result(request_.get(), nullptr, &error);
    if (state_) state_->rethrow_freeing(error);
    detail::check(result, error);
  }
  const TvRequest *native() const noexcept { return request_.get(); }

 private:
  std::unique_ptr<detail::CallState> state_;
  detail::Handle<TvRequest, tv_request_free> request_;
};

/// What to create: the fields of CreateVideoBody, set one by one (each checked at once).
class CreateParams {
 public:
  explicit CreateParams(std::string_view model) : params_(tv_create_params_new()) {
    if (!params_) throw std::bad_alloc();
    set(tv_create_params_set_model, model);
  }
  CreateParams &prompt(std::string_view v) { return set(tv_create_params_set_prompt, v); }
  CreateParams &negative_prompt(std::string_view v) { return set(tv_create_params_set_negative_prompt, v); }
  CreateParams &resolution(std::string_view v) { return set(tv_create_params_set_resolution, v); }
  CreateParams &ratio(std::string_view v) { return set(tv_create_params_set_ratio, v); }
  CreateParams &seconds(std::string_view v) { return set(tv_create_params_set_seconds, v); }
  CreateParams &output_format(std::string_view v) { return set(tv_create_params_set_output_format, v); }
  CreateParams &width(std::int64_t v) { return set_number(tv_create_params_set_width, v); }
  CreateParams &height(std::int64_t v) { return set_number(tv_create_params_set_height, v); }
  CreateParams &fps(std::int64_t v) { return set_number(tv_create_params_set_fps, v); }
  CreateParams &steps(std::int64_t v) { return set_number(tv_create_params_set_steps, v); }
  CreateParams &seed(std::int64_t v) { return set_number(tv_create_params_set_seed, v); }
  CreateParams &output_quality(std::int64_t v) { return set_number(tv_create_params_set_output_quality, v); }
  CreateParams &guidance_scale(double v) {
    detail::check_setter(tv_create_params_set_guidance_scale(params_.get(), v));
    return *this;
  }
  CreateParams &generate_audio(bool v) {
    detail::check_setter(tv_create_params_set_generate_audio(params_.get(), v ? 1 : 0));
    return *this;
  }
  /// position: TV_FRAME_AUTO, TV_FRAME_FIRST, TV_FRAME_LAST or TV_FRAME_AT (with frame).
  CreateParams &frame_image(std::string_view url, int position = TV_FRAME_AUTO, double frame = 0) {
    std::string u = detail::c_string(url, "frame image URL");
    detail::check_setter(tv_create_params_add_frame_image(params_.get(), u.c_str(), position, frame));
    return *this;
  }
  CreateParams &reference_image(std::string_view url) { return set(tv_create_params_add_reference_image, url); }
  /// A field this version does not know, as JSON text.
  CreateParams &json_field(std::string_view name, std::string_view json) {
    std::string n = detail::c_string(name, "field name"), j = detail::c_string(json, "field JSON");
    detail::check_setter(tv_create_params_set_json_field(params_.get(), n.c_str(), j.c_str()));
    return *this;
  }
  const TvCreateParams *get() const noexcept { return params_.get(); }

 private:
  CreateParams &set(TvResult (*setter)(TvCreateParams *, const char *), std::string_view value) {
    std::string v = detail::c_string(value, "a create parameter");
    detail::check_setter(setter(params_.get(), v.c_str()));
    return *this;
  }
  CreateParams &set_number(TvResult (*setter)(TvCreateParams *, std::int64_t), std::int64_t value) {
    detail::check_setter(setter(params_.get(), value));
    return *this;
  }
  detail::Handle<TvCreateParams, tv_create_params_free> params_;
};

/// A client for Together's video API. Move-only; thread-safe.
class Client {
 public:
  /// Defaults: the key from TOGETHER_API_KEY.
  Client() : Client(ClientOptions{}) {}

  explicit Client(const ClientOptions &o) {
    detail::Handle<TvClientOptions, tv_client_options_free> options(tv_client_options_new());
    if (!options) throw std::bad_alloc();
    auto *p = options.get();
    auto text = [](const std::optional<std::string> &value, const char *what) {
      return detail::c_string(*value, what);
    };
    if (o.api_key) detail::check_setter(tv_client_options_set_api_key(p, text(o.api_key, "api_key").c_str()));
    if (o.base_url) detail::check_setter(tv_client_options_set_base_url(p, text(o.base_url, "base_url").c_str()));
    if (o.timeout) detail::check_setter(tv_client_options_set_timeout_ms(p, o.timeout->count()));
    if (o.connect_timeout) detail::check_setter(tv_client_options_set_connect_timeout_ms(p, o.connect_timeout->count()));
    if (o.max_retries) detail::check_setter(tv_client_options_set_max_retries(p, *o.max_retries));
    if (o.user_agent_suffix) {
      detail::check_setter(tv_client_options_set_user_agent_suffix(p, text(o.user_agent_suffix, "user_agent_suffix").c_str()));
    }
    if (o.ca_file) detail::check_setter(tv_client_options_set_ca_file(p, text(o.ca_file, "ca_file").c_str()));
    if (o.system_roots) detail::check_setter(tv_client_options_set_system_roots(p, 1));
    if (o.proxy) detail::check_setter(tv_client_options_set_proxy(p, text(o.proxy, "proxy").c_str()));
    if (o.worker_threads) detail::check_setter(tv_client_options_set_worker_threads(p, *o.worker_threads));
    if (o.journal) detail::check_setter(tv_client_options_set_journal(p, text(o.journal, "journal").c_str()));
    if (o.max_concurrent_requests) {
      detail::check_setter(tv_client_options_set_max_concurrent_requests(p, *o.max_concurrent_requests));
    }
    if (o.log) {
      log_ = std::make_unique<std::function<void(const TvLogEvent &)>>(o.log);
      detail::check_setter(tv_client_options_set_log_callback(p, o.log_level, &Client::on_log, log_.get()));
    }
    TvClient *client = nullptr;
    TvError *error = nullptr;
    TvResult result = tv_client_new_with_options(p, &client, &error);
    detail::check(result, error);
    client_.reset(client);
  }

  /// The next event of the client's queue (see TvEvent), waiting up to `timeout` (zero:
  /// not at all, for a frame loop); null when none came.
  detail::Handle<TvEvent, tv_event_free> next_event(std::chrono::milliseconds timeout = {}) const {
    TvEvent *event = nullptr;
    detail::check(tv_client_next_event(client_.get(), timeout.count(), &event), nullptr);
    return detail::Handle<TvEvent, tv_event_free>(event);
  }

  /// A journal entry (see TvJournalJob); absent strings are std::nullopt.
  struct JournalJob {
    std::uint64_t entry = 0;
    std::optional<std::string> id;  // nullopt: a create whose answer never came
    std::string model;
    double created_at = 0;
    std::string request_hash;
    std::optional<std::string> status, destination;
  };

  /// The journal's entries that still need the application (see tv_journal_unfinished).
  std::vector<JournalJob> journal_unfinished() const {
    TvJournalJobs *native = nullptr;
    detail::check(tv_journal_unfinished(client_.get(), &native), nullptr);
    detail::Handle<TvJournalJobs, tv_journal_jobs_free> owned(native);
    auto text = [](const char *s) { return s ? std::optional<std::string>(s) : std::nullopt; };
    std::vector<JournalJob> jobs;
    for (std::size_t i = 0; i < native->count; i++) {
      const TvJournalJob &job = *tv_journal_jobs_get(native, i);
      jobs.push_back({job.entry, text(job.id), job.model, job.created_at, job.request_hash, text(job.status_raw),
                      text(job.destination)});
    }
    return jobs;
  }

  /// Drops an entry the application is done with.
  void journal_forget(std::uint64_t entry) const { detail::check(tv_journal_forget(client_.get(), entry), nullptr); }

  /// Finishes a journaled job after a restart: waits, then downloads to `path` (empty:
  /// the journal's destination). See tv_resume_job.
  Video resume_job(std::string_view id, const std::string &path = {}, const WaitOptions &wait = {},
                   const CallOptions &call = {}) const {
    std::string i = detail::c_string(id, "id");
    std::string p = detail::c_string(path, "path");
    detail::WaitHandle native = detail::native_wait(wait);
    return video_call(call, nullptr, [&](const TvCallOptions *c, TvVideo **video, TvError **error) {
      return tv_resume_job(client_.get(), i.c_str(), p.empty() ? nullptr : p.c_str(), native.get(), c, video, error);
    });
  }

  /// The client's counters (see TvClientStats); cheap enough for every frame.
  TvClientStats stats() const {
    TvClientStats stats{};
    stats.size = sizeof stats;
    detail::check(tv_client_stats(client_.get(), &stats), nullptr);
    return stats;
  }

  // ---- Get, create, wait ----

  /// A job's current state; a job that failed on the server is returned, not thrown.
  Video get_video(std::string_view id, const CallOptions &call = {}) const {
    std::string i = detail::c_string(id, "id");
    return video_call(call, nullptr, [&](const TvCallOptions *c, TvVideo **video, TvError **error) {
      return tv_get_video(client_.get(), i.c_str(), c, video, error);
    });
  }

  /// Never retried once it may have reached the server (a second POST could bill twice).
  Video create_video(const CreateParams &params, const CallOptions &call = {}) const {
    return video_call(call, nullptr, [&](const TvCallOptions *c, TvVideo **video, TvError **error) {
      return tv_create_video(client_.get(), params.get(), c, video, error);
    });
  }

  /// Creates a job from a JSON body of your own (an object with a "model" string).
  Video create_video_json(std::string_view json_body, const CallOptions &call = {}) const {
    std::string body = detail::c_string(json_body, "JSON body");
    return video_call(call, nullptr, [&](const TvCallOptions *c, TvVideo **video, TvError **error) {
      return tv_create_video_json(client_.get(), body.c_str(), c, video, error);
    });
  }

  /// Polls the job until it is completed, failed or cancelled (or has a status this
  /// version does not know) and returns that state. call.wait_progress sees each poll;
  /// call.timeout bounds the whole wait.
  Video wait_video(std::string_view id, const CallOptions &call = {}) const { return wait_video(id, WaitOptions{}, call); }

  Video wait_video(std::string_view id, const WaitOptions &wait, const CallOptions &call = {}) const {
    std::string i = detail::c_string(id, "id");
    detail::WaitHandle native = detail::native_wait(wait);
    detail::CallState state;
    state.wait_progress = call.wait_progress;
    return video_call(call, &state, [&](const TvCallOptions *c, TvVideo **video, TvError **error) {
      return tv_wait_video(client_.get(), i.c_str(), native.get(), c, video, error);
    });
  }

  // ---- The same without blocking: the Request's video() is the result ----

  Request get_video_start(std::string_view id, const CallOptions &call = {}) const {
    std::string i = detail::c_string(id, "id");
    return start(call, nullptr, [&](const TvCallOptions *c, TvRequest **request, TvError **error) {
      return tv_get_video_start(client_.get(), i.c_str(), c, request, error);
    });
  }

  Request create_video_start(const CreateParams &params, const CallOptions &call = {}) const {
    return start(call, nullptr, [&](const TvCallOptions *c, TvRequest **request, TvError **error) {
      return tv_create_video_start(client_.get(), params.get(), c, request, error);
    });
  }

  Request create_video_json_start(std::string_view json_body, const CallOptions &call = {}) const {
    std::string body = detail::c_string(json_body, "JSON body");
    return start(call, nullptr, [&](const TvCallOptions *c, TvRequest **request, TvError **error) {
      return tv_create_video_json_start(client_.get(), body.c_str(), c, request, error);
    });
  }

  /// call.wait_progress runs on a library thread.
  Request wait_video_start(std::string_view id, const CallOptions &call = {}) const {
    return wait_video_start(id, WaitOptions{}, call);
  }

  Request wait_video_start(std::string_view id, const WaitOptions &wait, const CallOptions &call = {}) const {
    std::string i = detail::c_string(id, "id");
    detail::WaitHandle native = detail::native_wait(wait);
    auto state = std::make_unique<detail::CallState>();
    state->wait_progress = call.wait_progress;
    return start(call, std::move(state), [&](const TvCallOptions *c, TvRequest **request, TvError **error) {
      return tv_wait_video_start(client_.get(), i.c_str(), native.get(), c, request, error);
    });
  }

  // ---- Downloads: by URL, by job id, or from a Video; each returns the size ----
  //
  // A file download writes a temporary file renamed to `path` only when complete and
  // checked: a failure leaves nothing behind. A download to a callback or a stream sees
  // each byte once, in order. call.download_progress follows the bytes.

  std::uint64_t download_url_to_file(std::string_view url, std::string_view path, const CallOptions &call = {}) const {
    std::string u = detail::c_string(url, "URL"), p = detail::c_string(path, "path");
    return download_call(call, {}, [&](const TvCallOptions *c, detail::CallState *, std::uint64_t *bytes, TvError **error) {
      return tv_download_url_to_file(client_.get(), u.c_str(), p.c_str(), c, bytes, error);
    });
  }

  std::uint64_t download_url(std::string_view url, const DownloadWrite &write, const CallOptions &call = {}) const {
    std::string u = detail::c_string(url, "URL");
    return download_call(call, write, [&](const TvCallOptions *c, detail::CallState *s, std::uint64_t *bytes, TvError **error) {
      return tv_download_url_to_callback(client_.get(), u.c_str(), detail::on_write, s, c, bytes, error);
    });
  }

  std::uint64_t download_url(std::string_view url, std::ostream &out, const CallOptions &call = {}) const {
    return download_url(url, detail::stream_writer(out), call);
  }

  /// Gets the job `id` (it must be completed), then downloads its video; call bounds both.
  std::uint64_t download_video_to_file(std::string_view id, std::string_view path, const CallOptions &call = {}) const {
    std::string i = detail::c_string(id, "id"), p = detail::c_string(path, "path");
    return download_call(call, {}, [&](const TvCallOptions *c, detail::CallState *, std::uint64_t *bytes, TvError **error) {
      return tv_download_video_to_file(client_.get(), i.c_str(), p.c_str(), c, bytes, error);
    });
  }

  std::uint64_t download_video(std::string_view id, const DownloadWrite &write, const CallOptions &call = {}) const {
    std::string i = detail::c_string(id, "id");
    return download_call(call, write, [&](const TvCallOptions *c, detail::CallState *s, std::uint64_t *bytes, TvError **error) {
      return tv_download_video_to_callback(client_.get(), i.c_str(), detail::on_write, s, c, bytes, error);
    });
  }

  std::uint64_t download_video(std::string_view id, std::ostream &out, const CallOptions &call = {}) const {
    return download_video(id, detail::stream_writer(out), call);
  }

  /// A completed job's video, through its video_url (no request for the job itself).
  std::uint64_t download_to_file(const Video &video, std::string_view path, const CallOptions &call = {}) const {
    return download_url_to_file(detail::url_of(video), path, call);
  }

  std::uint64_t download(const Video &video, const DownloadWrite &write, const CallOptions &call = {}) const {
    return download_url(detail::url_of(video), write, call);
  }

  std::uint64_t download(const Video &video, std::ostream &out, const CallOptions &call = {}) const {
    return download_url(detail::url_of(video), out, call);
  }

  // ---- Downloads without blocking: the Request's get() throws unless it succeeded.
  // `write` and call.download_progress run on a library thread. ----

  Request download_url_to_file_start(std::string_view url, std::string_view path, const CallOptions &call = {}) const {
    std::string u = detail::c_string(url, "URL"), p = detail::c_string(path, "path");
    return start(call, download_state(call, {}), [&](const TvCallOptions *c, TvRequest **request, TvError **error) {
      return tv_download_url_to_file_start(client_.get(), u.c_str(), p.c_str(), c, request, error);
    });
  }

  Request download_url_start(std::string_view url, const DownloadWrite &write, const CallOptions &call = {}) const {
    std::string u = detail::c_string(url, "URL");
    auto state = download_state(call, write);
    detail::CallState *s = state.get();
    return start(call, std::move(state), [&](const TvCallOptions *c, TvRequest **request, TvError **error) {
      return tv_download_url_to_callback_start(client_.get(), u.c_str(), detail::on_write, s, c, request, error);
    });
  }

  Request download_video_to_file_start(std::string_view id, std::string_view path, const CallOptions &call = {}) const {
    std::string i = detail::c_string(id, "id"), p = detail::c_string(path, "path");
    return start(call, download_state(call, {}), [&](const TvCallOptions *c, TvRequest **request, TvError **error) {
      return tv_download_video_to_file_start(client_.get(), i.c_str(), p.c_str(), c, request, error);
    });
  }

  Request download_video_start(std::string_view id, const DownloadWrite &write, const CallOptions &call = {}) const {
    std::string i = detail::c_string(id, "id");
    auto state = download_state(call, write);
    detail::CallState *s = state.get();
    return start(call, std::move(state), [&](const TvCallOptions *c, TvRequest **request, TvError **error) {
      return tv_download_video_to_callback_start(client_.get(), i.c_str(), detail::on_write, s, c, request, error);
    });
  }

  const TvClient *get() const noexcept { return client_.get(); }

 private:
  /// A blocking call with a TvVideo result: `run(call, &video, &error)`.
  template <typename Run>
  static Video video_call(const CallOptions &call, detail::CallState *state, Run run) {
    detail::CallHandle native = detail::native_call(call, state);
    TvVideo *video = nullptr;
    TvError *error = nullptr;
    TvResult code = run(native.get(), &video, &error);
    detail::Handle<TvVideo, tv_video_free> owned(video);
    detail::finish(code, error, state);
    return Video::copy(*owned);
  }

  /// A blocking download: `run(call, state, &bytes, &error)`; `write` may be empty.
  template <typename Run>
  static std::uint64_t download_call(const CallOptions &call, const DownloadWrite &write, Run run) {
    detail::CallState state;
    state.download_progress = call.download_progress;
    state.write = write;
    detail::CallHandle native = detail::native_call(call, &state);
    std::uint64_t bytes = 0;
    TvError *error = nullptr;
    TvResult code = run(native.get(), &state, &bytes, &error);
    detail::finish(code, error, &state);
    return bytes;
  }

  static std::unique_ptr<detail::CallState> download_state(const CallOptions &call, const DownloadWrite &write) {
    auto state = std::make_unique<detail::CallState>();
    state->download_progress = call.download_progress;
    state->write = write;
    return state;
  }

  /// A `_start` call: `run(call, &request, &error)`. The Request owns `state`.
  template <typename Run>
  static Request start(const CallOptions &call, std::unique_ptr<detail::CallState> state, Run run) {
    detail::CallHandle native = detail::native_call(call, state.get());
    TvRequest *request = nullptr;
    TvError *error = nullptr;
    TvResult code = run(native.get(), &request, &error);
    detail::check(code, error);
    return Request(request, std::move(state));
  }

  static void on_log(void *user_data, const TvLogEvent *event) noexcept {
    try {
      (*static_cast<std::function<void(const TvLogEvent &)> *>(user_data))(*event);
    } catch (...) {
      // An exception must not unwind into C; the event is dropped.
    }
  }

  // Declared before client_, so destroyed after it: tv_client_free returns only once
  // no log callback runs, and none runs after.
  std::unique_ptr<std::function<void(const TvLogEvent &)>> log_;
  detail::Handle<TvClient, tv_client_free> client_;
};

/// The library's version, e.g. "0.2.0".
inline std::string version() { return tv_version(); }

}  // namespace together_video

#endif  // TOGETHER_VIDEO_HPP
