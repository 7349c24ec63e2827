// The header-only C++ wrapper (together_video.hpp) against the mock, built against the
// installed package. Prints the closing "N passed, N failed" line.
#include <together_video.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <type_traits>
#include <vector>

namespace tv = together_video;

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

template <typename F>
static std::optional<tv::Error> error_of(F f) {
  try {
    f();
  } catch (const tv::Error &e) {
    return e;
  }
  return std::nullopt;
}

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

  CHECK(tv::version() == TV_VERSION_STRING);

  tv::Video video = client.get_video("vid_completed");
  CHECK(video.id == "vid_completed" && video.status == TV_VIDEO_STATUS_COMPLETED);
  CHECK(video.model == std::optional<std::string>("minimax/video-01-director"));
  CHECK(video.completed_at && *video.completed_at == 1761000094.5);
  CHECK(video.has_outputs && video.cost == 0.28 && video.video_url);
  tv::Video minimal = client.get_video("vid_minimal");
  CHECK(!minimal.object && !minimal.model && !minimal.created_at && minimal.status == TV_VIDEO_STATUS_QUEUED);
  CHECK(client.get_video("vid_unknown_status").status == TV_VIDEO_STATUS_UNKNOWN);

  auto missing = error_of([&] { client.get_video("status-404"); });
  CHECK(missing && missing->code() == TV_RESULT_NOT_FOUND && missing->http_status() == 404);
  CHECK(missing && missing->request_id() == std::optional<std::string>("req-status-404"));
  auto unsafe = error_of([&] { client.get_video(".."); });
  CHECK(unsafe && unsafe->code() == TV_RESULT_INVALID_ARGUMENT);
  auto bad_option = error_of([] {
    tv::ClientOptions o;
    o.api_key = "k";
    o.max_retries = 11;
    tv::Client c(o);
  });
  CHECK(bad_option && std::string(bad_option->what()).find("at most 10") != std::string::npos);

  // Create, wait with a lambda, download with lambdas.
  tv::Video job = client.create_video(tv::CreateParams("m").prompt("a cat").steps(20).guidance_scale(8.0));
  CHECK(job.status == TV_VIDEO_STATUS_QUEUED);
  auto bad_steps = error_of([] { tv::CreateParams("m").steps(5); });
  CHECK(bad_steps && bad_steps->code() == TV_RESULT_INVALID_ARGUMENT);
  std::vector<std::string> seen;
  tv::WaitOptions wait;
  wait.poll_interval = std::chrono::milliseconds(10);
  wait.progress = [&](const tv::Video &v) {
    seen.push_back(v.status_raw);
    return true;
  };
  tv::Video done = client.wait_video(job.id, wait);
  CHECK(done.status == TV_VIDEO_STATUS_COMPLETED);
  CHECK((seen == std::vector<std::string>{"queued", "in_progress", "completed"}));

  std::size_t received = 0;
  std::uint64_t last = 0;
  std::uint64_t size = client.download(
      done,
      [&](const std::uint8_t *, std::size_t n) {
        received += n;
        return true;
      },
      [&](std::uint64_t so_far, std::optional<std::uint64_t>) {
        last = so_far;
        return true;
      });
  CHECK(size == 256 * 1024 && received == size && last == size);
  std::string path = std::string("/tmp/tv-cpp-") + std::to_string(std::rand()) + ".mp4";
  CHECK(client.download_to_file(done, path) == 256 * 1024);
  std::remove(path.c_str());

  // An exception thrown in a lambda comes back out of the call, not through C.
  bool rethrown = false;
  try {
    wait.progress = [](const tv::Video &) -> bool { throw std::runtime_error("from the lambda"); };
    client.wait_video(client.create_video(tv::CreateParams("m")).id, wait);
  } catch (const std::runtime_error &e) {
    rethrown = std::string(e.what()) == "from the lambda";
  }
  CHECK(rethrown);

  // A game loop: start, poll each frame, never block.
  tv::Request request = client.get_video_start("vid_failed");
  int frames = 0;
  while (!request.done() && frames < 100000) frames++;
  CHECK(request.wait_for(std::chrono::milliseconds(10000)));
  tv::Video failed_job = request.video();
  CHECK(failed_job.status == TV_VIDEO_STATUS_FAILED && failed_job.error_code == std::optional<std::string>("content_policy_violation"));
  tv::Request stuck = client.get_video_start("stall");
  stuck.cancel();
  auto cancelled = error_of([&] { stuck.video(); });
  CHECK(cancelled && cancelled->code() == TV_RESULT_CANCELLED);

  tv::Client moved = std::move(client);
  CHECK(moved.get_video("vid_queued").status == TV_VIDEO_STATUS_QUEUED);

  std::printf("test_wrapper: %d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
