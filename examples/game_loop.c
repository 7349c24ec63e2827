/* game_loop: a frame loop that never blocks. It starts a wait for a video job without
 * blocking, polls the request once per frame while "rendering", and shows the result
 * when the request is done.
 *
 *   TOGETHER_API_KEY=... ./game_loop VIDEO_ID */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <time.h>

#include "together_video.h"

static void render_frame(int frame) {
  static const char spinner[] = "|/-\\";
  struct timespec frame_time = {0, 16 * 1000000L}; /* ~60 frames per second */
  printf("\r  frame %5d %c", frame, spinner[frame % 4]);
  fflush(stdout);
  nanosleep(&frame_time, NULL);
}

int main(int argc, char **argv) {
  TvClient *client;
  TvWaitOptions *options;
  TvCallOptions *call;
  TvResult result;
  TvRequest *request = NULL;
  TvVideo *video = NULL;
  TvError *error = NULL;
  int frame = 0, status = 0;

  if (argc != 2) {
    fprintf(stderr, "usage: %s VIDEO_ID\n", argv[0]);
    return 2;
  }
  client = tv_client_new(NULL);
  if (client == NULL) {
    fprintf(stderr, "error: %s\n", tv_last_error_message());
    return 1;
  }
  options = tv_wait_options_new();
  tv_wait_options_set_poll_interval_ms(options, 500);
  call = tv_call_options_new();
  tv_call_options_set_timeout_ms(call, 10 * 60 * 1000);
  result = tv_wait_video_start(client, argv[1], options, call, &request, &error);
  tv_wait_options_free(options); /* the request copied them */
  tv_call_options_free(call);
  if (result != TV_RESULT_OK) {
    fprintf(stderr, "error: %s\n", tv_error_message(error));
    tv_error_free(error);
    tv_client_free(client);
    return 1;
  }

  printf("Waiting for %s while the game runs:\n", argv[1]);
  while (tv_request_poll(request) == TV_REQUEST_STATE_PENDING) render_frame(frame++);

  if (tv_request_result(request, &video, &error) == TV_RESULT_OK) {
    printf("\n  %s is %s after %d frames", video->id, video->status_raw, frame);
    if (video->video_url) printf(": %s", video->video_url);
    printf("\n");
    tv_video_free(video);
  } else {
    printf("\n  the wait failed: %s\n", tv_error_message(error));
    tv_error_free(error);
    status = 1;
  }
  tv_request_free(request);
  tv_client_free(client);
  return status;
}
