/* event_loop: a game loop that follows many jobs through one queue. It creates N
 * videos, waits for each and downloads each without blocking, every request tagged
 * with its job's slot; each frame drains the client's event queue (status changes,
 * download progress, done) instead of polling every handle.
 *
 *   TOGETHER_API_KEY=... ./event_loop [N] [MODEL]
 * DEMO_POLL_MS sets the poll interval (default 5000; the tests' mock moves at once). */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "together_video.h"

#define MAX_JOBS 16

typedef struct {
  TvRequest *wait;      /* then the download, once the wait is done */
  TvRequest *download;
  char id[128];
  char file[64];
  int finished;
} Job;

static void frame_pause(void) {
  struct timespec frame = {0, 16 * 1000000L}; /* ~60 frames per second */
  nanosleep(&frame, NULL);
}

/* The tag of a request: which job, and whether it is the download. */
static uint64_t tag_of(int slot, int download) { return (uint64_t)slot * 2 + (uint64_t)download; }

static int start_download(TvClient *client, Job *job, int slot) {
  TvCallOptions *call = tv_call_options_new();
  TvError *error = NULL;
  TvResult result;
  tv_call_options_set_event_tag(call, tag_of(slot, 1));
  snprintf(job->file, sizeof job->file, "event-loop-%d.mp4", slot);
  result = tv_download_video_to_file_start(client, job->id, job->file, call, &job->download, &error);
  tv_call_options_free(call);
  if (result != TV_RESULT_OK) {
    fprintf(stderr, "job %d: %s\n", slot, tv_error_message(error));
    tv_error_free(error);
    return 0;
  }
  return 1;
}

int main(int argc, char **argv) {
  int count = argc > 1 ? atoi(argv[1]) : 3, slot, finished = 0, failed = 0, frames = 0;
  const char *model = argc > 2 ? argv[2] : "minimax/video-01-director";
  const char *poll = getenv("DEMO_POLL_MS");
  Job jobs[MAX_JOBS] = {0};
  TvClient *client;
  TvWaitOptions *wait;
  TvCreateParams *params;

  if (count < 1 || count > MAX_JOBS) {
    fprintf(stderr, "usage: %s [1-%d] [MODEL]\n", argv[0], MAX_JOBS);
    return 2;
  }
  client = tv_client_new(NULL);
  if (client == NULL) {
    fprintf(stderr, "error: %s\n", tv_last_error_message());
    return 1;
  }
  wait = tv_wait_options_new();
  tv_wait_options_set_poll_interval_ms(wait, poll ? atol(poll) : 5000);
  params = tv_create_params_new();
  tv_create_params_set_model(params, model);
  tv_create_params_set_prompt(params, "A paper boat drifting down a rainy street");

  for (slot = 0; slot < count; slot++) {
    TvVideo *created = NULL;
    TvError *error = NULL;
    TvCallOptions *call;
    if (tv_create_video(client, params, NULL, &created, &error) != TV_RESULT_OK) {
      fprintf(stderr, "create: %s\n", tv_error_message(error));
      tv_error_free(error);
      failed++;
      jobs[slot].finished = 1;
      continue;
    }
    snprintf(jobs[slot].id, sizeof jobs[slot].id, "%s", created->id);
    tv_video_free(created);
    call = tv_call_options_new();
    tv_call_options_set_event_tag(call, tag_of(slot, 0));
    if (tv_wait_video_start(client, jobs[slot].id, wait, call, &jobs[slot].wait, NULL) != TV_RESULT_OK) {
      failed++;
      jobs[slot].finished = 1;
    }
    tv_call_options_free(call);
    printf("job %d: %s created\n", slot, jobs[slot].id);
  }
  tv_create_params_free(params);
  tv_wait_options_free(wait);
  finished = failed;

  /* The game loop: each frame takes every event that arrived, then renders. */
  while (finished < count) {
    TvEvent *event = NULL;
    while (tv_client_next_event(client, 0, &event) == TV_RESULT_OK && event != NULL) {
      int job_slot = (int)(event->tag / 2), is_download = (int)(event->tag % 2);
      Job *job = &jobs[job_slot];
      switch (event->kind) {
        case TV_EVENT_KIND_STATUS_CHANGED:
          printf("job %d: %s\n", job_slot, event->status_raw);
          break;
        case TV_EVENT_KIND_DOWNLOAD_PROGRESS:
          printf("job %d: %llu of %lld bytes\n", job_slot, (unsigned long long)event->received,
                 (long long)event->total);
          break;
        case TV_EVENT_KIND_DONE:
          if (!is_download) {
            TvVideo *video = NULL;
            if (event->result == TV_RESULT_OK && tv_request_result(job->wait, &video, NULL) == TV_RESULT_OK &&
                video->status == TV_VIDEO_STATUS_COMPLETED && start_download(client, job, job_slot)) {
              printf("job %d: completed, downloading\n", job_slot);
            } else {
              printf("job %d: ended without a video\n", job_slot);
              job->finished = 1;
              finished++;
              failed++;
            }
            tv_video_free(video);
          } else {
            printf("job %d: %s %s\n", job_slot, event->result == TV_RESULT_OK ? "saved" : "download failed:",
                   event->result == TV_RESULT_OK ? job->file : tv_result_name(event->result));
            failed += event->result != TV_RESULT_OK;
            job->finished = 1;
            finished++;
          }
          break;
        default:
          break; /* a kind this program does not know */
      }
      tv_event_free(event);
    }
    frame_pause();
    frames++;
  }
  printf("%d jobs in %d frames, %d failed\n", count, frames, failed);
  for (slot = 0; slot < count; slot++) {
    tv_request_free(jobs[slot].wait);
    tv_request_free(jobs[slot].download);
  }
  tv_client_free(client);
  return failed ? 1 : 0;
}
