/* One contender of `make bench`: GET a video job N times over a kept-alive connection,
 * with THREADS threads, and print one JSON line of results.
 *
 *   bench library BASE_URL CALLS THREADS [CA_FILE]   this library: get and decode
 *   bench library-log-info|library-log-trace ...     the same with a log callback that
 *                                                     discards every event at that level
 *   bench curl    BASE_URL CALLS THREADS [CA_FILE]   libcurl, a reused easy handle per
 *                                                    thread: GET only, no decoding (the
 *                                                    floor for a C program)
 * BASE_URL is like http://127.0.0.1:8080/v2. The library's threads share one client. */
#define _POSIX_C_SOURCE 200809L

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "together_video.h"

static const char *base_url, *ca_file;
static long calls_per_thread;
static TvClient *client;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static long resident_kib(void) {
  long pages = 0, resident = 0;
  FILE *statm = fopen("/proc/self/statm", "r");
  if (statm) {
    if (fscanf(statm, "%ld %ld", &pages, &resident) != 2) resident = 0;
    fclose(statm);
  }
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* The log level of the library-log-* contenders; 0: no callback. */
static int log_level;

static void discard_event(void *user_data, const TvLogEvent *event) {
  (void)user_data;
  (void)event;
}

static TvClient *new_client(void) {
  TvClientOptions *options = tv_client_options_new();
  TvClient *created = NULL;
  TvError *error = NULL;
  tv_client_options_set_api_key(options, "bench-key");
  tv_client_options_set_base_url(options, base_url);
  tv_client_options_set_proxy(options, "");
  if (ca_file) tv_client_options_set_ca_file(options, ca_file);
  if (log_level) tv_client_options_set_log_callback(options, log_level, discard_event, NULL);
  if (tv_client_new_with_options(options, &created, &error) != TV_RESULT_OK) {
    fprintf(stderr, "client: %s\n", tv_error_message(error));
    exit(1);
  }
  tv_client_options_free(options);
  return created;
}

static void library_get(void) {
  TvVideo *video = NULL;
  TvError *error = NULL;
  if (tv_get_video(client, "vid_completed", NULL, &video, &error) != TV_RESULT_OK) {
    fprintf(stderr, "get: %s\n", tv_error_message(error));
    exit(1);
  }
  tv_video_free(video);
}

static void *library_thread(void *unused) {
  (void)unused;
  for (long i = 0; i < calls_per_thread; i++) library_get();
  return NULL;
}

static size_t discard(char *data, size_t size, size_t count, void *unused) {
  (void)data;
  (void)unused;
  return size * count;
}

static CURL *new_curl(struct curl_slist *headers, char *url) {
  CURL *curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  if (ca_file) curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file);
  return curl;
}

static void curl_get(CURL *curl) {
  long status = 0;
  if (curl_easy_perform(curl) != CURLE_OK) {
    fprintf(stderr, "curl failed\n");
    exit(1);
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    fprintf(stderr, "curl: HTTP %ld\n", status);
    exit(1);
  }
}

static struct curl_slist *curl_headers;
static char job_url[512];

static void *curl_thread(void *unused) {
  (void)unused;
  CURL *curl = new_curl(curl_headers, job_url);
  for (long i = 0; i < calls_per_thread; i++) curl_get(curl);
  curl_easy_cleanup(curl);
  return NULL;
}

int main(int argc, char **argv) {
  int use_curl, threads;
  long calls;
  double cold_start, started, seconds;
  long rss_warm, rss_after;
  pthread_t workers[64];

  if (argc < 5) {
    fprintf(stderr, "usage: %s library|curl BASE_URL CALLS THREADS [CA_FILE]\n", argv[0]);
    return 2;
  }
  use_curl = strcmp(argv[1], "curl") == 0;
  if (strcmp(argv[1], "library-log-info") == 0) log_level = TV_LOG_LEVEL_INFO;
  if (strcmp(argv[1], "library-log-trace") == 0) log_level = TV_LOG_LEVEL_TRACE;
  base_url = argv[2];
  calls = atol(argv[3]);
  threads = atoi(argv[4]);
  ca_file = argc > 5 ? argv[5] : NULL;
  if (threads < 1 || threads > 64) return 2;
  calls_per_thread = calls / threads;

  started = now();
  if (use_curl) {
    CURL *warm;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    curl_headers = curl_slist_append(NULL, "Authorization: Bearer bench-key");
    snprintf(job_url, sizeof job_url, "%s/videos/vid_completed", base_url);
    warm = new_curl(curl_headers, job_url);
    curl_get(warm);
    cold_start = now() - started;
    for (int i = 0; i < 200; i++) curl_get(warm);
    curl_easy_cleanup(warm);
  } else {
    client = new_client();
    library_get();
    cold_start = now() - started;
    for (int i = 0; i < 200; i++) library_get();
  }
  rss_warm = resident_kib();

  started = now();
  if (threads == 1) {
    /* On this thread: a new thread's stack and malloc arena would count as growth. */
    (use_curl ? curl_thread : library_thread)(NULL);
  } else {
    for (int t = 0; t < threads; t++) pthread_create(&workers[t], NULL, use_curl ? curl_thread : library_thread, NULL);
    for (int t = 0; t < threads; t++) pthread_join(workers[t], NULL);
  }
  seconds = now() - started;
  rss_after = resident_kib();

  printf("{\"contender\": \"%s\", \"threads\": %d, \"calls\": %ld, \"seconds\": %.4f, \"calls_per_second\": %.1f, "
         "\"cold_start_ms\": %.3f, \"rss_kib_warm\": %ld, \"rss_kib_after\": %ld, \"tls\": %s}\n",
         use_curl ? "libcurl (GET only)"
         : log_level == TV_LOG_LEVEL_INFO ? "together-video (C), log callback at info"
         : log_level == TV_LOG_LEVEL_TRACE ? "together-video (C), log callback at trace"
                                           : "together-video (C)",
         threads, calls_per_thread * threads, seconds,
         (double)(calls_per_thread * threads) / seconds, cold_start * 1000, rss_warm, rss_after,
         ca_file ? "true" : "false");
  if (use_curl) {
    curl_slist_free_all(curl_headers);
    curl_global_cleanup();
  } else {
    tv_client_free(client);
  }
  return 0;
}
