// journey.cpp: create a video, wait for it, look it up and download it, with the
// header-only C++ wrapper.
//
//   TOGETHER_API_KEY=... ./journey [OUTPUT_PATH]
//
// Environment: TOGETHER_API_KEY, TOGETHER_BASE_URL (default Together's service),
// DEMO_POLL_MS (the time between polls; default the library's). Against the real
// service it starts a real, billed job.
#include <together_video.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>

namespace tv = together_video;

int main(int argc, char **argv) {
  try {
    tv::Client client;  // TOGETHER_API_KEY, TOGETHER_BASE_URL

    auto job = client.create_video(
        tv::CreateParams("minimax/video-01-director").prompt("A paper boat drifting down a rainy street").seconds("5"));
    std::cout << "created " << job.id << " (" << job.status_raw << ")\n";

    tv::WaitOptions wait;
    if (const char *poll = std::getenv("DEMO_POLL_MS")) wait.poll_interval = std::chrono::milliseconds(std::atoll(poll));
    tv::CallOptions call;
    call.timeout = std::chrono::minutes(30);  // for the whole wait
    call.wait_progress = [](const tv::Video &v) {
      std::cout << "  " << v.status_raw << "\n";
      return true;  // keep waiting
    };
    auto video = client.wait_video(job.id, wait, call);
    if (video.status != TV_VIDEO_STATUS_COMPLETED) {
      std::cout << "the job ended " << video.status_raw << ": " << video.error_message.value_or("") << "\n";
      return 1;
    }

    auto looked_up = client.get_video(video.id);  // the same job, fetched again
    std::cout << looked_up.id << " cost " << looked_up.cost << "\n";

    // Through the video's URL; client.download_video_to_file(id, path) would do the same
    // from the job id alone, and client.download_url_to_file(url, path) from a stored URL.
    const char *path = argc > 1 ? argv[1] : "together-video-demo.mp4";
    tv::CallOptions download;
    download.download_progress = [](std::uint64_t received, std::optional<std::uint64_t> total) {
      std::cout << "\r  " << received << " / " << total.value_or(0) << " bytes" << std::flush;
      return true;
    };
    auto size = client.download_to_file(video, path, download);
    std::cout << "\nsaved " << size << " bytes to " << path << "\n";
  } catch (const tv::Error &e) {
    std::cerr << "error: " << e.what() << " (" << tv_result_name(e.code()) << ", HTTP " << e.http_status()
              << ", request id " << e.request_id().value_or("none") << ")\n";
    return 1;
  }
  return 0;
}
