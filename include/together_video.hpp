// together_video.hpp: a header-only C++17 wrapper of together_video.h.
//
// RAII, move-only handles; std::string_view in, std::string and std::optional out;
// failures throw together_video::Error (result code, HTTP status, request id); callbacks
// are lambdas. Everything the C API says about threads holds here: a Client may be used
// from many threads at once.
//
//   together_video::Client client;                      // TOGETHER_API_KEY
//   together_video::Video video = client.get_video("video_abc123");
//   if (video.status == TV_VIDEO_STATUS_COMPLETED) std::cout << *video.video_url;
#ifndef TOGETHER_VIDEO_HPP
#define TOGETHER_VIDEO_HPP

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "together_video.h"

namespace together_video {

/// A failed call. what() is the library's message (never the API key).
class Error : public std::runtime_error {
 public:
  Error(TvResult code, const std::string &message, std::uint16_t http_status, std::optional<std::string> request_id)
      : std::runtime_error(message), code_(code), http_status_(http_status), request_id_(std::move(request_id)) {}

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

/// Carries an exception out of a callback, across C, to the caller.
struct Captured {
  std::exception_ptr exception;
  /// Rethrows a captured exception, first freeing the call's own error.
  void rethrow_freeing(TvError *&error) const {
    if (!exception) return;
    tv_error_free(error);
    error = nullptr;
    std::rethrow_exception(exception);
  }
};

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

/// Settings for a Client; unset ones keep the library's defaults.
struct ClientOptions {
  std::optional<std::string> api_key;   // default TOGETHER_API_KEY
  std::optional<std::string> base_url;  // used as given; default TOGETHER_BASE_URL or Together's
  std::optional<std::chrono::milliseconds> timeout, connect_timeout;
  std::optional<std::uint32_t> max_retries;
  std::optional<std::string> user_agent_suffix;
  std::optional<std::string> ca_file;
  bool system_roots = false;
  std::optional<std::string> proxy;  // "" connects directly
  std::optional<std::uint32_t> worker_threads;
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
    std::string u(url);
    detail::check_setter(tv_create_params_add_frame_image(params_.get(), u.c_str(), position, frame));
    return *this;
  }
  CreateParams &reference_image(std::string_view url) { return set(tv_create_params_add_reference_image, url); }
  /// A field this version does not know, as JSON text.
  CreateParams &json_field(std::string_view name, std::string_view json) {
    std::string n(name), j(json);
    detail::check_setter(tv_create_params_set_json_field(params_.get(), n.c_str(), j.c_str()));
    return *this;
  }
  const TvCreateParams *get() const noexcept { return params_.get(); }

 private:
  CreateParams &set(TvResult (*setter)(TvCreateParams *, const char *), std::string_view value) {
    std::string v(value);
    detail::check_setter(setter(params_.get(), v.c_str()));
    return *this;
  }
  CreateParams &set_number(TvResult (*setter)(TvCreateParams *, std::int64_t), std::int64_t value) {
    detail::check_setter(setter(params_.get(), value));
    return *this;
  }
  detail::Handle<TvCreateParams, tv_create_params_free> params_;
};

/// Called with each polled state; return false to stop the wait (TV_RESULT_CANCELLED).
using WaitProgress = std::function<bool(const Video &)>;
/// Called with the bytes so far and the total when known; return false to stop.
using DownloadProgress = std::function<bool(std::uint64_t, std::optional<std::uint64_t>)>;

struct WaitOptions {
  std::chrono::milliseconds poll_interval{2000};
  /// The overall deadline; std::nullopt waits without one.
  std::optional<std::chrono::milliseconds> timeout = std::chrono::minutes(30);
  WaitProgress progress;
};

/// A non-blocking call: poll it each frame, wait on it, cancel it. Move-only.
class Request {
 public:
  explicit Request(TvRequest *request) : request_(request) {}
  bool done() const { return tv_request_poll(request_.get()) == TV_REQUEST_STATE_DONE; }
  bool wait_for(std::chrono::milliseconds timeout) const {
    return tv_request_wait(request_.get(), static_cast<std::uint64_t>(timeout.count())) == TV_REQUEST_STATE_DONE;
  }
  /// Returns at once; the request is then done with TV_RESULT_CANCELLED.
  void cancel() const noexcept { tv_request_cancel(request_.get()); }
  /// The video once done (throws Error on failure, or when still pending).
  Video video() const {
    TvVideo *video = nullptr;
    TvError *error = nullptr;
    TvResult result = tv_request_result(request_.get(), &video, &error);
    detail::check(result, error);
    if (!video) throw Error(TV_RESULT_INVALID_ARGUMENT, "this request has no video (a download)", 0, std::nullopt);
    return Video::take(video);
  }
  /// For downloads: throws Error unless the download succeeded.
  void get() const {
    TvError *error = nullptr;
    TvResult result = tv_request_result(request_.get(), nullptr, &error);
    detail::check(result, error);
  }

 private:
  detail::Handle<TvRequest, tv_request_free> request_;
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
    if (o.api_key) detail::check_setter(tv_client_options_set_api_key(p, o.api_key->c_str()));
    if (o.base_url) detail::check_setter(tv_client_options_set_base_url(p, o.base_url->c_str()));
    if (o.timeout) detail::check_setter(tv_client_options_set_timeout_ms(p, ms(*o.timeout)));
    if (o.connect_timeout) detail::check_setter(tv_client_options_set_connect_timeout_ms(p, ms(*o.connect_timeout)));
    if (o.max_retries) detail::check_setter(tv_client_options_set_max_retries(p, *o.max_retries));
    if (o.user_agent_suffix) detail::check_setter(tv_client_options_set_user_agent_suffix(p, o.user_agent_suffix->c_str()));
    if (o.ca_file) detail::check_setter(tv_client_options_set_ca_file(p, o.ca_file->c_str()));
    if (o.system_roots) detail::check_setter(tv_client_options_set_system_roots(p, 1));
    if (o.proxy) detail::check_setter(tv_client_options_set_proxy(p, o.proxy->c_str()));
    if (o.worker_threads) detail::check_setter(tv_client_options_set_worker_threads(p, *o.worker_threads));
    TvClient *client = nullptr;
    TvError *error = nullptr;
    TvResult result = tv_client_new_with_options(p, &client, &error);
    detail::check(result, error);
    client_.reset(client);
  }

  Video get_video(std::string_view id) const {
    std::string i(id);
    TvVideo *video = nullptr;
    TvError *error = nullptr;
    TvResult result = tv_get_video(client_.get(), i.c_str(), &video, &error);
    detail::check(result, error);
    return Video::take(video);
  }

  /// Never retried once it may have reached the server (a second POST could bill twice).
  Video create_video(const CreateParams &params) const {
    TvVideo *video = nullptr;
    TvError *error = nullptr;
    TvResult result = tv_create_video(client_.get(), params.get(), &video, &error);
    detail::check(result, error);
    return Video::take(video);
  }

  Video wait_video(std::string_view id, const WaitOptions &options = {}) const {
    std::string i(id);
    detail::Handle<TvWaitOptions, tv_wait_options_free> native(tv_wait_options_new());
    if (!native) throw std::bad_alloc();
    detail::check_setter(tv_wait_options_set_poll_interval_ms(native.get(), ms(options.poll_interval)));
    detail::check_setter(tv_wait_options_set_timeout_ms(native.get(), options.timeout ? ms(*options.timeout) : 0));
    Progress<WaitProgress> state{options.progress, {}};
    if (options.progress) detail::check_setter(tv_wait_options_set_progress(native.get(), on_wait, &state));
    TvVideo *video = nullptr;
    TvError *error = nullptr;
    TvResult code = tv_wait_video(client_.get(), i.c_str(), native.get(), &video, &error);
    if (code != TV_RESULT_OK) {
      state.captured.rethrow_freeing(error);
      detail::fail(code, error);
    }
    return Video::take(video);
  }

  /// Downloads a completed job's video to `path` (a temporary file renamed into place
  /// only when complete). Returns the size.
  std::uint64_t download_to_file(const Video &video, std::string_view path, const DownloadProgress &progress = {}) const {
    std::string p(path);
    return download(video, progress, [&](const TvVideo *native, const TvDownloadOptions *options, std::uint64_t *bytes, TvError **error) {
      return tv_download_video_to_file(client_.get(), native, p.c_str(), options, bytes, error);
    });
  }

  /// Downloads a completed job's video through `write`, which returns false to stop.
  std::uint64_t download(const Video &video, const std::function<bool(const std::uint8_t *, std::size_t)> &write,
                         const DownloadProgress &progress = {}) const {
    Progress<std::function<bool(const std::uint8_t *, std::size_t)>> sink{write, {}};
    std::uint64_t size = download(video, progress, [&](const TvVideo *native, const TvDownloadOptions *options, std::uint64_t *bytes, TvError **error) {
      TvResult code = tv_download_video_to_callback(client_.get(), native, on_write, &sink, options, bytes, error);
      if (code != TV_RESULT_OK && sink.captured.exception) {
        sink.captured.rethrow_freeing(*error);
      }
      return code;
    });
    return size;
  }

  /// Starts a get without blocking.
  Request get_video_start(std::string_view id) const {
    std::string i(id);
    TvRequest *request = nullptr;
    TvError *error = nullptr;
    TvResult result = tv_get_video_start(client_.get(), i.c_str(), &request, &error);
    detail::check(result, error);
    return Request(request);
  }

  /// Starts a wait without blocking (no progress callback: poll the request instead).
  Request wait_video_start(std::string_view id, std::optional<std::chrono::milliseconds> timeout = std::nullopt,
                           std::chrono::milliseconds poll_interval = std::chrono::milliseconds(2000)) const {
    std::string i(id);
    detail::Handle<TvWaitOptions, tv_wait_options_free> native(tv_wait_options_new());
    if (!native) throw std::bad_alloc();
    detail::check_setter(tv_wait_options_set_poll_interval_ms(native.get(), ms(poll_interval)));
    detail::check_setter(tv_wait_options_set_timeout_ms(native.get(), timeout ? ms(*timeout) : 0));
    TvRequest *request = nullptr;
    TvError *error = nullptr;
    TvResult result = tv_wait_video_start(client_.get(), i.c_str(), native.get(), &request, &error);
    detail::check(result, error);
    return Request(request);
  }

  const TvClient *get() const noexcept { return client_.get(); }

 private:
  template <typename F>
  struct Progress {
    F callback;
    detail::Captured captured;
  };

  static std::uint64_t ms(std::chrono::milliseconds d) { return d.count() > 0 ? static_cast<std::uint64_t>(d.count()) : 0; }

  static int on_wait(void *user_data, const TvVideo *video) {
    auto *state = static_cast<Progress<WaitProgress> *>(user_data);
    try {
      return state->callback(Video::copy(*video)) ? 0 : 1;
    } catch (...) {
      state->captured.exception = std::current_exception();
      return 1;
    }
  }

  static int on_bytes(void *user_data, std::uint64_t received, std::int64_t total) {
    auto *state = static_cast<Progress<DownloadProgress> *>(user_data);
    try {
      std::optional<std::uint64_t> known;
      if (total >= 0) known = static_cast<std::uint64_t>(total);
      return state->callback(received, known) ? 0 : 1;
    } catch (...) {
      state->captured.exception = std::current_exception();
      return 1;
    }
  }

  static int on_write(void *user_data, const std::uint8_t *data, std::size_t length) {
    auto *state = static_cast<Progress<std::function<bool(const std::uint8_t *, std::size_t)>> *>(user_data);
    try {
      return state->callback(data, length) ? 0 : 1;
    } catch (...) {
      state->captured.exception = std::current_exception();
      return 1;
    }
  }

  template <typename Call>
  std::uint64_t download(const Video &video, const DownloadProgress &progress, Call call) const {
    TvVideo *native = nullptr;
    TvError *error = nullptr;
    TvResult result = tv_video_from_json(video.json.c_str(), &native, &error);
    detail::check(result, error);
    detail::Handle<TvVideo, tv_video_free> owned(native);
    detail::Handle<TvDownloadOptions, tv_download_options_free> options(tv_download_options_new());
    if (!options) throw std::bad_alloc();
    Progress<DownloadProgress> state{progress, {}};
    if (progress) detail::check_setter(tv_download_options_set_progress(options.get(), on_bytes, &state));
    std::uint64_t bytes = 0;
    TvResult code = call(native, options.get(), &bytes, &error);
    if (code != TV_RESULT_OK) {
      state.captured.rethrow_freeing(error);
      detail::fail(code, error);
    }
    return bytes;
  }

  detail::Handle<TvClient, tv_client_free> client_;
};

/// The library's version, e.g. "0.1.0".
inline std::string version() { return tv_version(); }

}  // namespace together_video

#endif  // TOGETHER_VIDEO_HPP
