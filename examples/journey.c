/* journey: create a video, wait for it with a progress line, download it to a file.
 *
 *   TOGETHER_API_KEY=... ./journey [OUTPUT_PATH]
 *
 * Environment: TOGETHER_API_KEY, TOGETHER_BASE_URL (default Together's service),
 * DEMO_MODEL (default minimax/video-01-director), DEMO_PROMPT, DEMO_POLL_MS (default
 * 2000). `make demo` runs it against the bundled mock. Against the real service it
 * starts a real, billed job. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "together_video.h"

static int show_status(void *user_data, const TvVideo *video) {
  int *polls = user_data;
  ++*polls;
  printf("\r  poll %-3d %-12s", *polls, video->status_raw);
  fflush(stdout);
  return 0; /* keep waiting */
}

static int show_bytes(void *user_data, uint64_t received, int64_t total) {
  (void)user_data;
  if (total > 0)
    printf("\r  %llu / %lld bytes (%d%%)", (unsigned long long)received, (long long)total,
           (int)(received * 100 / (uint64_t)total));
  else
    printf("\r  %llu bytes", (unsigned long long)received);
  fflush(stdout);
  return 0;
}

static int fail(const char *step, TvError *error) {
  fprintf(stderr, "\n%s failed: %s\n", step, error ? tv_error_message(error) : tv_last_error_message());
  tv_error_free(error);
  return 1;
}

int main(int argc, char **argv) {
  const char *model = getenv("DEMO_MODEL") ? getenv("DEMO_MODEL") : "minimax/video-01-director";
  const char *prompt = getenv("DEMO_PROMPT") ? getenv("DEMO_PROMPT") : "A paper boat drifting down a rainy street";
  const char *path = argc > 1 ? argv[1] : "together-video-demo.mp4";
  uint64_t poll_ms = getenv("DEMO_POLL_MS") ? strtoull(getenv("DEMO_POLL_MS"), NULL, 10) : 2000;
  TvClient *client = tv_client_new(NULL);
  TvCreateParams *params;
  TvWaitOptions *wait;
  TvCallOptions *call;
  TvVideo *created = NULL, *finished = NULL;
  TvError *error = NULL;
  uint64_t bytes = 0;
  int polls = 0, status = 0;

  if (client == NULL) return fail("connecting", NULL);

  params = tv_create_params_new();
  tv_create_params_set_model(params, model);
  tv_create_params_set_prompt(params, prompt);
  tv_create_params_set_seconds(params, "5");
  printf("Creating a video with %s:\n  \"%s\"\n", model, prompt);
  if (tv_create_video(client, params, NULL, &created, &error) != TV_RESULT_OK) status = fail("create", error);
  tv_create_params_free(params);
  if (status) goto done;
  printf("  job %s is %s\n\nWaiting for it:\n", created->id, created->status_raw);

  wait = tv_wait_options_new();
  tv_wait_options_set_poll_interval_ms(wait, (int64_t)poll_ms);
  call = tv_call_options_new();
  tv_call_options_set_timeout_ms(call, 30 * 60 * 1000);
  tv_call_options_set_wait_progress(call, show_status, &polls);
  if (tv_wait_video(client, created->id, wait, call, &finished, &error) != TV_RESULT_OK) status = fail("wait", error);
  tv_wait_options_free(wait);
  tv_call_options_free(call);
  if (status) goto done;
  printf("\n");
  if (finished->status != TV_VIDEO_STATUS_COMPLETED) {
    printf("  the job ended %s: %s\n", finished->status_raw, finished->error_message ? finished->error_message : "");
    status = 1;
    goto done;
  }
  printf("  done in %.0f s, cost %.2f\n\nDownloading %s:\n", finished->completed_at - finished->created_at,
         finished->cost, finished->video_url);

  call = tv_call_options_new();
  tv_call_options_set_download_progress(call, show_bytes, NULL);
  if (tv_download_url_to_file(client, finished->video_url, path, call, &bytes, &error) != TV_RESULT_OK)
    status = fail("download", error);
  tv_call_options_free(call);
  if (status == 0) printf("\n\nSaved %llu bytes to %s\n", (unsigned long long)bytes, path);

done:
  tv_video_free(created);
  tv_video_free(finished);
  tv_client_free(client);
  return status;
}
