/* Many jobs on one client (`make bench`, #18): N concurrent non-blocking waits on jobs
 * that stay queued, polled every INTERVAL_MS.
 *   many_jobs BASE_URL N INTERVAL_MS
 * Prints one JSON line: the OS threads while they wait, the resident memory they add per
 * waiting job, how long starting them took per start, and how the second polls of jobs
 * started together spread out (from the log callback's poll events). */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "together_video.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long status_field(const char *name) {
  char line[256];
  long value = -1;
  FILE *status = fopen("/proc/self/status", "r");
  if (!status) return -1;
  while (fgets(line, sizeof line, status)) {
    if (strncmp(line, name, strlen(name)) == 0) value = atol(line + strlen(name));
  }
  fclose(status);
  return value;
}

/* The times of each job's polls after the first, as seconds since the start. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static double *second_polls;
static long seconds_seen, capacity;
static double started;
static int polls_of_this_run;

static void on_log(void *user_data, const TvLogEvent *event) {
  (void)user_data;
  if (event->kind != TV_LOG_EVENT_KIND_POLL || !polls_of_this_run) return;
  pthread_mutex_lock(&lock);
  if (seconds_seen < capacity) second_polls[seconds_seen++] = now() - started;
  pthread_mutex_unlock(&lock);
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  TvClientOptions *options;
  TvClient *client = NULL;
  TvWaitOptions *wait;
  TvRequest **requests;
  long n, interval, rss_before, rss_waiting, threads_waiting, i, in_second = 0;
  double start_seconds, first, last, p10, p90;
  if (argc < 4) {
    fprintf(stderr, "usage: %s BASE_URL N INTERVAL_MS\n", argv[0]);
    return 2;
  }
  n = atol(argv[2]);
  interval = atol(argv[3]);
  requests = calloc((size_t)n, sizeof *requests);
  capacity = 4 * n;
  second_polls = calloc((size_t)capacity, sizeof *second_polls);
  options = tv_client_options_new();
  tv_client_options_set_api_key(options, "bench-key");
  tv_client_options_set_base_url(options, argv[1]);
  tv_client_options_set_proxy(options, "");
  tv_client_options_set_log_callback(options, TV_LOG_LEVEL_DEBUG, on_log, NULL);
  if (tv_client_new_with_options(options, &client, NULL) != TV_RESULT_OK) return 1;
  tv_client_options_free(options);
  wait = tv_wait_options_new();
  tv_wait_options_set_poll_interval_ms(wait, interval);

  {
    /* Warm: the pool's threads and a connection exist before the measurement. */
    TvRequest *warm = NULL;
    tv_wait_video_start(client, "vid_completed", wait, NULL, &warm, NULL);
    tv_request_wait(warm, UINT64_MAX);
    tv_request_free(warm);
  }
  rss_before = status_field("VmRSS:");
  started = now();
  polls_of_this_run = 1;
  for (i = 0; i < n; i++) {
    if (tv_wait_video_start(client, "vid_queued", wait, NULL, &requests[i], NULL) != TV_RESULT_OK) return 1;
  }
  start_seconds = now() - started;
  /* Two rounds of polls. */
  {
    struct timespec pause = {interval * 5 / 2000, (interval * 5 / 2 % 1000) * 1000000L};
    nanosleep(&pause, NULL);
  }
  rss_waiting = status_field("VmRSS:");
  threads_waiting = status_field("Threads:");
  pthread_mutex_lock(&lock);
  polls_of_this_run = 0;
  /* The second polls: those after the first round (every job's first poll is at once). */
  qsort(second_polls, (size_t)seconds_seen, sizeof *second_polls, compare);
  for (i = 0; i < seconds_seen; i++) {
    if (second_polls[i] >= interval / 1000.0 && second_polls[i] < 2 * interval / 1000.0) {
      if (in_second == 0) first = second_polls[i];
      last = second_polls[i];
      second_polls[in_second++] = second_polls[i];
    }
  }
  p10 = in_second ? second_polls[in_second / 10] : 0;
  p90 = in_second ? second_polls[in_second * 9 / 10] : 0;
  pthread_mutex_unlock(&lock);
  for (i = 0; i < n; i++) tv_request_cancel(requests[i]);
  for (i = 0; i < n; i++) tv_request_free(requests[i]);
  tv_wait_options_free(wait);
  tv_client_free(client);
  printf("{\"jobs\": %ld, \"interval_ms\": %ld, \"threads_waiting\": %ld, \"kib_per_job\": %.2f, "
         "\"start_us\": %.2f, \"second_polls\": %ld, \"second_poll_spread_ms\": %.0f, \"p10_p90_ms\": %.0f}\n",
         n, interval, threads_waiting, (double)(rss_waiting - rss_before) / n, start_seconds / n * 1e6, in_second,
         in_second ? (last - first) * 1000 : 0, (p90 - p10) * 1000);
  free(requests);
  free(second_polls);
  return 0;
}
