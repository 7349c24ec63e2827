/* get_video: fetch video jobs and print them for a person to read.
 *
 *   TOGETHER_API_KEY=... ./get_video VIDEO_ID [VIDEO_ID...]
 *
 * The key comes from TOGETHER_API_KEY and the server from TOGETHER_BASE_URL (default
 * https://api.together.xyz/v2). `make demo` runs it against the bundled mock. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <time.h>

#include "together_video.h"

static const char *status_name(TvVideoStatus status) {
  switch (status) {
    case TV_VIDEO_STATUS_QUEUED: return "queued";
    case TV_VIDEO_STATUS_IN_PROGRESS: return "in progress";
    case TV_VIDEO_STATUS_COMPLETED: return "completed";
    case TV_VIDEO_STATUS_FAILED: return "failed";
    case TV_VIDEO_STATUS_CANCELLED: return "cancelled";
    case TV_VIDEO_STATUS_UNKNOWN: break;
  }
  return "unknown";
}

static void print_time(const char *label, double unix_seconds) {
  char text[64] = "?";
  time_t seconds = (time_t)unix_seconds;
  struct tm utc;
  if (gmtime_r(&seconds, &utc) != NULL) strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &utc);
  printf("  %-9s %s\n", label, text);
}

static void print_video(const TvVideo *video) {
  printf("Video job %s\n", video->id);
  if (video->status == TV_VIDEO_STATUS_UNKNOWN)
    printf("  %-9s %s (not known to together-video %s)\n", "status", video->status_raw, tv_version());
  else
    printf("  %-9s %s\n", "status", status_name(video->status));
  if (video->model) printf("  %-9s %s\n", "model", video->model);
  if (video->created_at > 0) print_time("created", video->created_at);
  if (video->has_completed_at) {
    print_time("finished", video->completed_at);
    if (video->created_at > 0) printf("  %-9s %.1f s\n", "took", video->completed_at - video->created_at);
  }
  if (video->size) printf("  %-9s %s\n", "size", video->size);
  if (video->seconds) printf("  %-9s %s s\n", "length", video->seconds);
  if (video->error_message) printf("  %-9s %s\n", "error", video->error_message);
  if (video->error_code) printf("  %-9s %s\n", "code", video->error_code);
  if (video->has_outputs) printf("  %-9s %.2f\n", "cost", video->cost);
  if (video->video_url) printf("  %-9s %s\n", "video", video->video_url);
}

int main(int argc, char **argv) {
  int failures = 0;
  TvClient *client;

  if (argc < 2) {
    fprintf(stderr, "usage: %s VIDEO_ID [VIDEO_ID...]\n", argv[0]);
    return 2;
  }
  client = tv_client_new(NULL); /* NULL: the key comes from TOGETHER_API_KEY */
  if (client == NULL) {
    fprintf(stderr, "error: %s\n", tv_last_error_message());
    return 1;
  }
  for (int i = 1; i < argc; i++) {
    TvVideo *video = NULL;
    TvError *error = NULL;
    if (tv_get_video(client, argv[i], NULL, &video, &error) == TV_RESULT_OK) {
      print_video(video);
      tv_video_free(video);
    } else {
      printf("Video job %s\n  error     %s", argv[i], tv_error_message(error));
      if (tv_error_request_id(error)) printf(" (request id %s)", tv_error_request_id(error));
      printf("\n");
      tv_error_free(error);
      failures++;
    }
    if (i + 1 < argc) printf("\n");
  }
  tv_client_free(client);
  return failures == 0 ? 0 : 1;
}
