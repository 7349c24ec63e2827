// The header-only C++ wrapper (together_video.hpp) against the mock, built against the
// installed package. Prints the closing "N passed, N failed" line.
#include <together_video.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace tv = together_video;
using namespace std::chrono_literals;

static int passed, failed;
#define CHECK(condition)                                                         \
  do {                                                                           \
    if (condition) {                                                             \
      passed++;                                                                  \
    } else {                                                                     \
      failed++;                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition); \
    }                                                                            \
  } while (0)

static_assert(!std::is_copy_constructible_v<tv::Client>, "handles are move-only");
static_assert(std::is_move_constructible_v<tv::Client>, "handles move");
static_assert(!std::is_copy_constructible_v<tv::Request>, "requests are move-only");
static_assert(std::is_nothrow_move_assignable_v<tv::Request>, "requests move");
static_assert(std::is_copy_constructible_v<tv::CallOptions>, "call options are a value type");
static_assert(std::is_copy_constructible_v<tv::CancelToken>, "tokens are shared");

template <typename F>
static std::optional<tv::Error> error_of(F f) {
  try {
    f();
  } catch (const tv::Error &e) {
    return e;
  }
  return std::nullopt;
}

static bool has(const std::optional<tv::Error> &e, TvResult code, const std::string &text = "") {
  if (!e) return false;
  bool ok = e->code() == code && std::string(e->what()).find(text) != std::string::npos;
  if (!ok) std::fprintf(stderr, "  got %s: %s\n", tv_result_name(e->code()), e->what());
  return ok;
}

static std::uint64_t file_size(const std::string &path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  return in ? static_cast<std::uint64_t>(in.tellg()) : 0;
}

static bool exists(const std::string &path) { return std::ifstream(path).good(); }

static double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

static const std::uint64_t VIDEO_SIZE = 256 * 1024;  // the mock's files.rs

int main() {
  const char *url = std::getenv("TV_MOCK_URL");
  if (!url) {
    std::fprintf(stderr, "set TV_MOCK_URL\n");
    return 2;
  }
  tv::ClientOptions options;
  options.api_key = "test-key";
  options.base_url = url;
  options.proxy = "";
  tv::Client client(options);
  std::string tmp = std::string("/tmp/tv-cpp-") + std::to_string(std::rand());

  CHECK(tv::version() == TV_VERSION_STRING);

  // ---- Get ----
  tv::Video video = client.get_video("vid_completed");
  CHECK(video.id == "vid_completed" && video.status == TV_VIDEO_STATUS_COMPLETED);
  CHECK(video.model == std::optional<std::string>("minimax/video-01-director"));
  CHECK(video.completed_at && *video.completed_at == 1761000094.5);
  CHECK(video.has_outputs && video.cost == 0.28 && video.video_url);
  tv::Video minimal = client.get_video("vid_minimal");
  CHECK(!minimal.object && !minimal.model && !minimal.created_at && minimal.status == TV_VIDEO_STATUS_QUEUED);
  CHECK(client.get_video("vid_unknown_status").status == TV_VIDEO_STATUS_UNKNOWN);

  // ---- The job journal ----
  {
    tv::ClientOptions journaled = options;
    journaled.journal = tmp + ".journal";
    std::string id;
    {
      tv::Client first(journaled);
      id = first.create_video_json(R"({"model":"m"})").id;
    }
    tv::Client second(journaled);
    auto jobs = second.journal_unfinished();
    CHECK(jobs.size() == 1 && jobs[0].id == id && jobs[0].model == "m" && !jobs[0].destination);
    tv::WaitOptions fast;
    fast.poll_interval = std::chrono::milliseconds(10);
    CHECK(second.resume_job(id, tmp + "-resumed.mp4", fast).status == TV_VIDEO_STATUS_COMPLETED);
    CHECK(second.journal_unfinished().empty());
    std::remove((tmp + "-resumed.mp4").c_str());
    std::remove((tmp + ".journal").c_str());
    std::remove((tmp + ".journal.lock").c_str());
  }

  // ---- The event queue ----
  {
    CHECK(!client.next_event());
    tv::CallOptions tagged;
    tagged.event_tag = 42;
    tv::Request request = client.get_video_start("vid_completed", tagged);
    auto event = client.next_event(std::chrono::milliseconds(60000));
    CHECK(event && event->kind == TV_EVENT_KIND_DONE && event->tag == 42 && event->result == TV_RESULT_OK);
    CHECK(request.video().id == "vid_completed");
  }

  // ---- Logging and counters ----
  {
    std::mutex lock;
    std::vector<std::string> lines;
    tv::ClientOptions logged = options;
    logged.log_level = TV_LOG_LEVEL_DEBUG;
    logged.log = [&](const TvLogEvent &event) {
      std::lock_guard<std::mutex> hold(lock);
      lines.push_back(std::to_string(static_cast<int>(event.kind)) + " " + event.message);
      if (event.kind == TV_LOG_EVENT_KIND_POLL) throw std::runtime_error("dropped, never unwinds into C");
    };
    {
      tv::Client with_log(logged);
      with_log.get_video("redirect-same");
      tv::WaitOptions fast;
      fast.poll_interval = std::chrono::milliseconds(10);
      with_log.wait_video(with_log.create_video_json(R"({"model":"m"})").id, fast);
      TvClientStats stats = with_log.stats();
      CHECK(stats.requests >= 5 && stats.responses_2xx >= 5 && stats.responses_3xx == 1 && stats.requests_in_flight == 0);
    }
    std::string all;
    for (const auto &line : lines) all += line + "\n";
    CHECK(all.find("1 client for ") != std::string::npos && all.find("2 client for ") != std::string::npos);
    CHECK(all.find("5 HTTP 302 redirects GET to ") != std::string::npos);
    CHECK(all.find(" is in_progress; next poll in ") != std::string::npos);
    CHECK(all.find("test-key") == std::string::npos);
  }

  auto missing = error_of([&] { client.get_video("status-404"); });
  CHECK(has(missing, TV_RESULT_NOT_FOUND) && missing->http_status() == 404);
  CHECK(missing && missing->request_id() == std::optional<std::string>("req-status-404"));
  CHECK(has(error_of([&] { client.get_video(".."); }), TV_RESULT_INVALID_ARGUMENT));
  // C would cut the id short at the NUL and ask for another job.
  CHECK(has(error_of([&] { client.get_video(std::string("vid_completed\0x", 15)); }), TV_RESULT_INVALID_ARGUMENT, "NUL"));

  // ---- Out-of-range settings: the library's rule and message, naming the value given ----
  auto client_with = [&](void (*change)(tv::ClientOptions &)) {
    return error_of([&] {
      tv::ClientOptions o = options;
      change(o);
      tv::Client c(o);
    });
  };
  CHECK(has(client_with([](tv::ClientOptions &o) { o.max_retries = 11; }), TV_RESULT_INVALID_ARGUMENT, "not 11"));
  CHECK(has(client_with([](tv::ClientOptions &o) { o.max_retries = -1; }), TV_RESULT_INVALID_ARGUMENT, "not -1"));
  CHECK(has(client_with([](tv::ClientOptions &o) { o.worker_threads = 0; }), TV_RESULT_INVALID_ARGUMENT, "not 0"));
  CHECK(has(client_with([](tv::ClientOptions &o) { o.timeout = 48h; }), TV_RESULT_INVALID_ARGUMENT, "not 172800000"));
  CHECK(has(client_with([](tv::ClientOptions &o) { o.connect_timeout = -1s; }), TV_RESULT_INVALID_ARGUMENT, "not -1000"));
  {
    tv::CallOptions call;
    call.timeout = -5ms;
    CHECK(has(error_of([&] { client.get_video("vid_completed", call); }), TV_RESULT_INVALID_ARGUMENT, "not -5"));
    call.timeout = 48h;
    CHECK(has(error_of([&] { client.get_video_start("vid_completed", call); }), TV_RESULT_INVALID_ARGUMENT,
              "not 172800000"));
    tv::WaitOptions wait;
    wait.poll_interval = 0ms;
    CHECK(has(error_of([&] { client.wait_video("vid_completed", wait); }), TV_RESULT_INVALID_ARGUMENT, "not 0"));
    CHECK(has(error_of([] { tv::CreateParams("m").steps(5); }), TV_RESULT_INVALID_ARGUMENT, "5"));
  }

  // ---- Create, then wait with progress in the call options ----
  tv::Video job = client.create_video(tv::CreateParams("m").prompt("a cat").steps(20).guidance_scale(8.0));
  CHECK(job.status == TV_VIDEO_STATUS_QUEUED);
  tv::Video from_json = client.create_video_json(R"({"model":"m","prompt":"a dog"})");
  CHECK(from_json.status == TV_VIDEO_STATUS_QUEUED && from_json.id != job.id);
  CHECK(has(error_of([&] { client.create_video(tv::CreateParams("status-400")); }), TV_RESULT_BAD_REQUEST));
  tv::WaitOptions fast;
  fast.poll_interval = 10ms;
  std::vector<std::string> seen;
  tv::CallOptions follow;
  follow.wait_progress = [&](const tv::Video &v) {
    seen.push_back(v.status_raw);
    return true;
  };
  tv::Video done = client.wait_video(job.id, fast, follow);
  CHECK(done.status == TV_VIDEO_STATUS_COMPLETED && done.video_url);
  CHECK((seen == std::vector<std::string>{"queued", "in_progress", "completed"}));
  CHECK(client.wait_video(done.id).status == TV_VIDEO_STATUS_COMPLETED);  // no call options at all

  // ---- A CallOptions timeout bounds the whole call ----
  {
    tv::CallOptions call;
    call.timeout = 200ms;
    auto start = std::chrono::steady_clock::now();
    CHECK(has(error_of([&] { client.get_video("stall", call); }), TV_RESULT_TIMEOUT));
    CHECK(seconds_since(start) < 10);
    std::string stalled = client.create_video(tv::CreateParams("stall-job")).id;
    start = std::chrono::steady_clock::now();
    CHECK(has(error_of([&] { client.wait_video(stalled, fast, call); }), TV_RESULT_TIMEOUT, stalled));
    CHECK(seconds_since(start) < 10);
    tv::Request request = client.wait_video_start(stalled, fast, call);
    CHECK(request.wait_for(10s));
    CHECK(has(error_of([&] { request.video(); }), TV_RESULT_TIMEOUT));
    CHECK(client.get_video("vid_completed", call).id == "vid_completed");  // in time
  }

  // ---- A cancel token in the call options ----
  {
    tv::CallOptions call;
    call.cancel.emplace();
    call.cancel->cancel();
    CHECK(call.cancel->cancelled());
    CHECK(has(error_of([&] { client.get_video("vid_completed", call); }), TV_RESULT_CANCELLED));
  }
  {
    // A blocking get on a server that never answers, cancelled from another thread.
    tv::CancelToken token;
    tv::CallOptions call;
    call.cancel = token;
    auto start = std::chrono::steady_clock::now();
    std::thread canceller([token] {
      std::this_thread::sleep_for(100ms);
      token.cancel();
    });
    auto cancelled = error_of([&] { client.get_video("stall", call); });
    canceller.join();
    CHECK(has(cancelled, TV_RESULT_CANCELLED));
    CHECK(seconds_since(start) < 10);
  }
  {
    // The token also cancels a `_start` request, and a wait from its own progress callback.
    tv::CancelToken token;
    tv::CallOptions call;
    call.cancel = token;
    tv::Request request = client.get_video_start("stall", call);
    CHECK(!request.done());
    token.cancel();
    CHECK(request.wait_for(10s));
    CHECK(has(error_of([&] { request.video(); }), TV_RESULT_CANCELLED));

    tv::CallOptions stop;
    stop.cancel.emplace();
    int polls = 0;
    stop.wait_progress = [&](const tv::Video &) {
      if (++polls == 2) stop.cancel->cancel();
      return true;
    };
    std::string stalled = client.create_video(tv::CreateParams("stall-job")).id;
    CHECK(has(error_of([&] { client.wait_video(stalled, fast, stop); }), TV_RESULT_CANCELLED));
    CHECK(polls == 2);
  }

  // ---- Download by URL ----
  tv::Video at = client.get_video("video-at-clip.mp4");
  CHECK(at.video_url && at.video_url->find("/files/clip.mp4") != std::string::npos);
  std::size_t received = 0;
  std::uint64_t last = 0;
  std::optional<std::uint64_t> total;
  tv::CallOptions progress;
  progress.download_progress = [&](std::uint64_t so_far, std::optional<std::uint64_t> all) {
    last = so_far;
    total = all;
    return true;
  };
  std::uint64_t size = client.download_url(
      *at.video_url,
      [&](const std::uint8_t *, std::size_t n) {
        received += n;
        return true;
      },
      progress);
  CHECK(size == VIDEO_SIZE && received == size && last == size && total == std::optional<std::uint64_t>(size));
  std::string path = tmp + "-url.mp4";
  CHECK(client.download_url_to_file(*at.video_url, path) == VIDEO_SIZE && file_size(path) == VIDEO_SIZE);
  std::remove(path.c_str());
  std::ostringstream bytes;
  CHECK(client.download_url(*at.video_url, bytes) == VIDEO_SIZE && bytes.str().size() == VIDEO_SIZE);
  const std::string clip = bytes.str();
  CHECK(clip.compare(4, 4, "ftyp") == 0);
  std::ostringstream sink;
  std::string origin = at.video_url->substr(0, at.video_url->find("/files/"));
  CHECK(has(error_of([&] { client.download_url(origin + "/files/missing.mp4", sink); }), TV_RESULT_NOT_FOUND));
  CHECK(has(error_of([&] { client.download_url_to_file(origin + "/files/page.html", path); }), TV_RESULT_DECODE));
  CHECK(!exists(path));
  CHECK(has(error_of([&] { client.download_url_to_file("ftp://example.com/v.mp4", path); }), TV_RESULT_INVALID_ARGUMENT));
  CHECK(has(error_of([&] { client.download_url_to_file(*at.video_url, "/nonexistent-dir-tv/v.mp4"); }),
            TV_RESULT_FILE_SYSTEM));

  // ---- Download by job id ----
  std::ostringstream webm;
  CHECK(client.download_video("video-at-clip.webm", webm) == VIDEO_SIZE && webm.str().size() == VIDEO_SIZE);
  CHECK(static_cast<unsigned char>(webm.str()[0]) == 0x1A);
  path = tmp + "-id.mp4";
  CHECK(client.download_video_to_file(done.id, path, progress) == VIDEO_SIZE && file_size(path) == VIDEO_SIZE);
  CHECK(last == VIDEO_SIZE);
  std::remove(path.c_str());
  received = 0;
  CHECK(client.download_video("video-at-clip.mp4", [&](const std::uint8_t *, std::size_t n) {
    received += n;
    return true;
  }) == VIDEO_SIZE);
  CHECK(received == VIDEO_SIZE);
  CHECK(has(error_of([&] { client.download_video_to_file("vid_queued", path); }), TV_RESULT_INVALID_ARGUMENT,
            "not completed"));
  CHECK(has(error_of([&] { client.download_video("status-404", sink); }), TV_RESULT_NOT_FOUND));
  {
    tv::CallOptions call;
    call.timeout = 300ms;
    auto start = std::chrono::steady_clock::now();
    CHECK(has(error_of([&] { client.download_video_to_file("stall", path, call); }), TV_RESULT_TIMEOUT));
    CHECK(seconds_since(start) < 10 && !exists(path));
  }

  // ---- Download a Video through its URL ----
  path = tmp + "-video.mp4";
  CHECK(client.download_to_file(done, path) == VIDEO_SIZE && file_size(path) == VIDEO_SIZE);
  std::remove(path.c_str());
  std::ostringstream whole;
  CHECK(client.download(done, whole) == VIDEO_SIZE && whole.str() == clip);
  CHECK(has(error_of([&] { client.download(minimal, whole); }), TV_RESULT_INVALID_ARGUMENT, "vid_minimal"));

  // ---- Stopping a download: a progress callback returning false, a failing stream ----
  {
    tv::CallOptions stop;
    stop.download_progress = [](std::uint64_t, std::optional<std::uint64_t>) { return false; };
    CHECK(has(error_of([&] { client.download_to_file(done, path, stop); }), TV_RESULT_CANCELLED));
    CHECK(!exists(path));
    std::ostringstream broken;
    broken.setstate(std::ios::badbit);
    bool stream_failed = false;
    try {
      client.download(done, broken);
    } catch (const std::ios_base::failure &) {
      stream_failed = true;
    }
    CHECK(stream_failed);
  }

  // ---- An exception thrown in a lambda comes back out of the call, not through C ----
  auto rethrows = [](auto f) {
    try {
      f();
    } catch (const std::runtime_error &e) {
      return std::string(e.what()) == "from the lambda";
    }
    return false;
  };
  tv::CallOptions throwing;
  throwing.wait_progress = [](const tv::Video &) -> bool { throw std::runtime_error("from the lambda"); };
  throwing.download_progress = [](std::uint64_t, std::optional<std::uint64_t>) -> bool {
    throw std::runtime_error("from the lambda");
  };
  CHECK(rethrows([&] { client.wait_video(client.create_video(tv::CreateParams("m")).id, fast, throwing); }));
  CHECK(rethrows([&] { client.download_to_file(done, path, throwing); }));
  CHECK(!exists(path));
  CHECK(rethrows([&] {
    client.download_video(done.id, [](const std::uint8_t *, std::size_t) -> bool { throw std::runtime_error("from the lambda"); });
  }));
  {
    tv::Request request = client.wait_video_start(client.create_video(tv::CreateParams("m")).id, fast, throwing);
    CHECK(request.wait_for(10s));
    CHECK(rethrows([&] { request.video(); }));
  }

  // ---- A game loop: start, poll each frame, never block ----
  tv::Request request = client.get_video_start("vid_failed");
  int frames = 0;
  while (!request.done() && frames < 100000) frames++;
  CHECK(request.wait_for(10000ms));
  tv::Video failed_job = request.video();
  CHECK(failed_job.status == TV_VIDEO_STATUS_FAILED &&
        failed_job.error_code == std::optional<std::string>("content_policy_violation"));
  tv::Request stuck = client.get_video_start("stall");
  stuck.cancel();
  CHECK(has(error_of([&] { stuck.video(); }), TV_RESULT_CANCELLED));
  tv::Request created = client.create_video_start(tv::CreateParams("m").prompt("a bird"));
  CHECK(created.wait_for(10s) && created.video().status == TV_VIDEO_STATUS_QUEUED);
  tv::Request created_json = client.create_video_json_start(R"({"model":"m"})");
  CHECK(created_json.wait_for(10s) && created_json.video().status == TV_VIDEO_STATUS_QUEUED);
  {
    // A non-blocking wait whose progress runs on a library thread.
    std::vector<std::string> states;
    tv::CallOptions call;
    call.wait_progress = [&](const tv::Video &v) {
      states.push_back(v.status_raw);
      return true;
    };
    tv::Request waiting = client.wait_video_start(client.create_video(tv::CreateParams("m")).id, fast, call);
    CHECK(waiting.wait_for(10s) && waiting.video().status == TV_VIDEO_STATUS_COMPLETED);
    CHECK((states == std::vector<std::string>{"queued", "in_progress", "completed"}));
  }
  {
    // Non-blocking downloads, by URL to a file and by id to a lambda, with progress.
    std::atomic<std::uint64_t> progressed{0};
    tv::CallOptions call;
    call.download_progress = [&](std::uint64_t so_far, std::optional<std::uint64_t>) {
      progressed = so_far;
      return true;
    };
    path = tmp + "-start.mp4";
    tv::Request to_file = client.download_url_to_file_start(*at.video_url, path, call);
    CHECK(to_file.wait_for(10s));
    to_file.get();
    CHECK(file_size(path) == VIDEO_SIZE && progressed == VIDEO_SIZE);
    std::remove(path.c_str());
    CHECK(has(error_of([&] { to_file.video(); }), TV_RESULT_INVALID_ARGUMENT, "no video"));

    std::string streamed;
    tv::Request to_lambda = client.download_video_start("video-at-clip.mp4", [&](const std::uint8_t *data, std::size_t n) {
      streamed.append(reinterpret_cast<const char *>(data), n);
      return true;
    });
    CHECK(to_lambda.wait_for(10s));
    to_lambda.get();
    CHECK(streamed == clip);

    tv::Request by_id = client.download_video_to_file_start("vid_queued", path);
    CHECK(by_id.wait_for(10s) && has(error_of([&] { by_id.get(); }), TV_RESULT_INVALID_ARGUMENT, "not completed"));
    tv::Request slow = client.download_url_start(origin + "/files/slow-clip.mp4", [](const std::uint8_t *, std::size_t) {
      return true;
    });
    slow.cancel();
    CHECK(has(error_of([&] { slow.get(); }), TV_RESULT_CANCELLED));
    // Dropping a request still in flight cancels it and frees its callbacks.
    slow = client.download_url_start(origin + "/files/slow-other.mp4", [&](const std::uint8_t *, std::size_t) {
      return true;
    });
  }

  tv::Client moved = std::move(client);
  CHECK(moved.get_video("vid_queued").status == TV_VIDEO_STATUS_QUEUED);

  std::printf("test_wrapper: %d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
