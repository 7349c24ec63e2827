/* The log callback and the counters, checked from C against the mock: every event kind
 * the header lists, level filtering, the key and signed URL queries absent from every
 * field at trace level, no callback after tv_client_free, TOGETHER_LOG on stderr, and
 * tv_client_stats. Run by `make test-c` under valgrind (TV_MOCK_URL set, the mock's
 * key "test-key"). Written only from the header and the README. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#include <unistd.h>
#endif

#include "together_video.h"
#include "check.h"
#include "compat.h"

static char mock_url[256]; /* http://127.0.0.1:PORT/v2 */
static char origin[256];   /* http://127.0.0.1:PORT */

/* What the callback saw: per kind, how often; and every text field of every event, for
 * the redaction scan. */
#define KINDS 16
typedef struct {
  pthread_mutex_t lock;
  int count[KINDS];
  int levels_seen[6];
  char *texts;
  size_t length;
  int after_free; /* events delivered once `freed` was set */
  int freed;
  int retry_from_server;
  int redirect_origin_only;
  int resumed_at_offset;
  int finished_after_resume;
  int poll_with_job;
  int attempt_with_status;
  int cancelled_named;
  int authorization_hidden;
  int bad_size;
} Seen;

static void keep(Seen *seen, const char *text) {
  size_t n;
  char *grown;
  if (text == NULL) return;
  n = strlen(text);
  grown = realloc(seen->texts, seen->length + n + 2);
  if (grown == NULL) return;
  seen->texts = grown;
  memcpy(seen->texts + seen->length, text, n);
  seen->length += n;
  seen->texts[seen->length++] = '\n';
  seen->texts[seen->length] = '\0';
}

static void on_log(void *user_data, const TvLogEvent *event) {
  Seen *seen = user_data;
  pthread_mutex_lock(&seen->lock);
  if (seen->freed) seen->after_free++;
  if (event->size < sizeof(TvLogEvent)) seen->bad_size++;
  if ((int)event->kind > 0 && (int)event->kind < KINDS) seen->count[event->kind]++;
  if ((int)event->level >= 1 && (int)event->level <= 5) seen->levels_seen[event->level]++;
  keep(seen, event->message);
  keep(seen, event->method);
  keep(seen, event->url);
  keep(seen, event->request_id);
  keep(seen, event->reason);
  keep(seen, event->job_id);
  keep(seen, event->job_status);
  keep(seen, event->detail);
  switch (event->kind) {
    case TV_LOG_EVENT_KIND_RETRY:
      if (event->delay_from_server && event->reason != NULL) seen->retry_from_server++;
      break;
    case TV_LOG_EVENT_KIND_REDIRECT:
      if (event->url != NULL && strcmp(event->url, origin) == 0 && event->status == 302) seen->redirect_origin_only++;
      break;
    case TV_LOG_EVENT_KIND_DOWNLOAD_RESUMED:
      if (event->offset > 0 && event->total > 0 && event->attempt == 2) seen->resumed_at_offset++;
      break;
    case TV_LOG_EVENT_KIND_DOWNLOAD_FINISHED:
      if (event->attempt == 2) seen->finished_after_resume++;
      break;
    case TV_LOG_EVENT_KIND_POLL:
      if (event->job_id != NULL && event->job_status != NULL) seen->poll_with_job++;
      break;
    case TV_LOG_EVENT_KIND_HTTP_ATTEMPT:
      if (event->status == 200 && event->method != NULL && event->attempt >= 1 && event->request_id != NULL)
        seen->attempt_with_status++;
      break;
    case TV_LOG_EVENT_KIND_CANCELLED:
      if (event->result == TV_RESULT_CANCELLED && event->reason != NULL) seen->cancelled_named++;
      break;
    case TV_LOG_EVENT_KIND_HTTP_TRACE:
      if (event->detail != NULL && strstr(event->detail, "authorization: <redacted>") != NULL)
        seen->authorization_hidden++;
      break;
    default:
      break;
  }
  pthread_mutex_unlock(&seen->lock);
}

static TvClient *client_with(const char *api_key, int level, Seen *seen) {
  TvClientOptions *options = tv_client_options_new();
  TvClient *client = NULL;
  CHECK(options != NULL);
  CHECK(tv_client_options_set_base_url(options, mock_url) == TV_RESULT_OK);
  CHECK(tv_client_options_set_api_key(options, api_key) == TV_RESULT_OK);
  CHECK(tv_client_options_set_proxy(options, "") == TV_RESULT_OK);
  if (seen != NULL) CHECK(tv_client_options_set_log_callback(options, level, on_log, seen) == TV_RESULT_OK);
  CHECK(tv_client_new_with_options(options, &client, NULL) == TV_RESULT_OK);
  tv_client_options_free(options);
  return client;
}

static void seen_init(Seen *seen) {
  memset(seen, 0, sizeof *seen);
  pthread_mutex_init(&seen->lock, NULL);
}

static void seen_free(Seen *seen) {
  pthread_mutex_destroy(&seen->lock);
  free(seen->texts);
}

static void get(TvClient *client, const char *id, TvResult expected) {
  TvVideo *video = NULL;
  CHECK(tv_get_video(client, id, NULL, &video, NULL) == expected);
  tv_video_free(video);
}

/* Every event kind, from one client's journey; and what the counters say about it. */
static void test_every_event_kind_and_the_counters(void) {
  Seen seen;
  TvClient *client;
  TvVideo *created = NULL, *done = NULL;
  TvWaitOptions *wait = tv_wait_options_new();
  TvRequest *request = NULL;
  TvClientStats stats;
  char url[400];
  uint64_t written = 0;
  int kind;

  seen_init(&seen);
  client = client_with("test-key", TV_LOG_LEVEL_TRACE, &seen);
  get(client, "vid_completed", TV_RESULT_OK);
  get(client, "flaky-1-503-log", TV_RESULT_OK);  /* a retry the server timed */
  get(client, "redirect-same", TV_RESULT_OK);    /* a redirect */
  get(client, "status-404", TV_RESULT_NOT_FOUND);

  /* Polls: a created job goes through queued and in_progress. */
  CHECK(tv_create_video_json(client, "{\"model\":\"m\"}", NULL, &created, NULL) == TV_RESULT_OK);
  CHECK(tv_wait_options_set_poll_interval_ms(wait, 10) == TV_RESULT_OK);
  CHECK(created != NULL && tv_wait_video(client, created->id, wait, NULL, &done, NULL) == TV_RESULT_OK);

  /* A download served in two parts: started, resumed, finished. */
  snprintf(url, sizeof url, "%s/files/drop-log.mp4?signature=topsecret", origin);
  CHECK(tv_download_url_to_file(client, url, "test-log-download.mp4", NULL, &written, NULL) == TV_RESULT_OK);
  CHECK(written > 0);
  remove("test-log-download.mp4");

  /* A cancelled call. */
  CHECK(tv_get_video_start(client, "stall", NULL, &request, NULL) == TV_RESULT_OK);
  sleep_ms(100);
  tv_request_cancel(request);
  tv_request_free(request);

  /* The cancelled request's thread leaves its blocked read a moment after the cancel. */
  for (kind = 0; kind < 200; kind++) {
    memset(&stats, 0xAB, sizeof stats);
    stats.size = sizeof stats;
    CHECK(tv_client_stats(client, &stats) == TV_RESULT_OK);
    if (stats.requests_in_flight == 0) break;
    sleep_ms(10);
  }
  CHECK(stats.size == sizeof stats);
  CHECK(stats.requests >= 8);
  CHECK(stats.attempts > stats.requests); /* the retry and the resume */
  CHECK(stats.retries_server >= 1);
  CHECK(stats.responses_2xx >= 6 && stats.responses_3xx >= 1 && stats.responses_4xx >= 1 && stats.responses_5xx >= 1);
  CHECK(stats.bytes_sent > 0 && stats.bytes_received > written);
  CHECK(stats.connections_opened >= 1 && stats.connections_reused >= 1);
  CHECK(stats.requests_in_flight == 0);
  CHECK(stats.errors[TV_RESULT_NOT_FOUND] == 1 && stats.errors[TV_RESULT_CANCELLED] == 1);
  CHECK(stats.errors[TV_RESULT_OK] == 0 && stats.errors[TV_STATS_ERROR_SLOTS - 1] == 0);

  tv_video_free(created);
  tv_video_free(done);
  tv_wait_options_free(wait);
  tv_client_free(client);

  for (kind = TV_LOG_EVENT_KIND_CLIENT_CREATED; kind <= TV_LOG_EVENT_KIND_HTTP_TRACE; kind++) {
    if (seen.count[kind] == 0) fprintf(stderr, "no event of kind %d\n", kind);
    CHECK(seen.count[kind] > 0);
  }
  CHECK(seen.retry_from_server >= 1);
  CHECK(seen.redirect_origin_only == 1);
  CHECK(seen.resumed_at_offset == 1);
  CHECK(seen.finished_after_resume == 1); /* the download took two attempts */
  CHECK(seen.poll_with_job >= 3);
  CHECK(seen.attempt_with_status >= 1);
  CHECK(seen.cancelled_named == 1);
  CHECK(seen.authorization_hidden >= 1);
  CHECK(seen.bad_size == 0);
  CHECK(seen.texts != NULL && strstr(seen.texts, "test-key") == NULL);
  CHECK(seen.texts != NULL && strstr(seen.texts, "topsecret") == NULL);
  CHECK(seen.texts != NULL && strstr(seen.texts, "drop-log.mp4?<redacted>") != NULL);
  seen_free(&seen);
}

/* A server that repeats the key in its body, headers, request id and the video URL's
 * query: at every level, no event field holds the key or any 8 characters of it. */
static void test_no_level_shows_the_key(void) {
  static const char key[] = "tv-k3y-0123456789abcdef-ghijklmnopqrst";
  int level;
  for (level = TV_LOG_LEVEL_ERROR; level <= TV_LOG_LEVEL_TRACE; level++) {
    Seen seen;
    TvClient *client;
    TvVideo *video = NULL;
    size_t start;
    uint64_t written = 0;
    seen_init(&seen);
    client = client_with(key, level, &seen);
    CHECK(tv_get_video(client, "echo-key-everywhere", NULL, &video, NULL) == TV_RESULT_OK);
    CHECK(video != NULL && video->video_url != NULL && strstr(video->video_url, key) != NULL);
    if (video != NULL && video->video_url != NULL)
      CHECK(tv_download_url_to_file(client, video->video_url, "test-log-echo.mp4", NULL, &written, NULL) == TV_RESULT_OK);
    remove("test-log-echo.mp4");
    get(client, "echo-key", TV_RESULT_AUTHENTICATION);
    get(client, "echo-key-request-id", TV_RESULT_AUTHENTICATION);
    tv_video_free(video);
    tv_client_free(client);
    if (level >= TV_LOG_LEVEL_INFO) CHECK(seen.length > 0);
    CHECK(seen.texts == NULL || strstr(seen.texts, "exp=1") == NULL); /* the signed query, whole */
    if (level < TV_LOG_LEVEL_TRACE) CHECK(seen.count[TV_LOG_EVENT_KIND_HTTP_TRACE] == 0);
    if (level < TV_LOG_LEVEL_INFO) CHECK(seen.count[TV_LOG_EVENT_KIND_HTTP_ATTEMPT] == 0 || seen.levels_seen[3] == 0);
    if (level < TV_LOG_LEVEL_DEBUG) CHECK(seen.levels_seen[4] == 0 && seen.levels_seen[5] == 0);
    for (start = 0; seen.texts != NULL && start + 8 <= sizeof key - 1; start++) {
      char piece[9];
      memcpy(piece, key + start, 8);
      piece[8] = '\0';
      if (strstr(seen.texts, piece) != NULL) {
        fprintf(stderr, "level %d: \"%s\" of the key appears in:\n%s\n", level, piece, seen.texts);
        CHECK(0);
        break;
      }
    }
    seen_free(&seen);
  }
}

/* Once tv_client_free returns, the callback never runs again: waits in flight on library
 * threads are cancelled, and whatever they log after does not reach it. */
static void test_no_callback_after_free(void) {
  Seen seen;
  TvClient *client;
  TvVideo *created = NULL;
  TvWaitOptions *wait = tv_wait_options_new();
  TvRequest *requests[8];
  int i;
  seen_init(&seen);
  client = client_with("test-key", TV_LOG_LEVEL_TRACE, &seen);
  CHECK(tv_wait_options_set_poll_interval_ms(wait, 5) == TV_RESULT_OK);
  CHECK(tv_create_video_json(client, "{\"model\":\"m\"}", NULL, &created, NULL) == TV_RESULT_OK);
  for (i = 0; i < 8; i++) {
    requests[i] = NULL;
    CHECK(tv_wait_video_start(client, i % 2 ? "stall" : created->id, wait, NULL, &requests[i], NULL) == TV_RESULT_OK);
  }
  sleep_ms(50);
  tv_client_free(client);
  pthread_mutex_lock(&seen.lock);
  seen.freed = 1;
  pthread_mutex_unlock(&seen.lock);
  sleep_ms(100);
  for (i = 0; i < 8; i++) tv_request_free(requests[i]);
  CHECK(seen.after_free == 0);
  CHECK(seen.count[TV_LOG_EVENT_KIND_CLIENT_FREED] == 1);
  tv_video_free(created);
  tv_wait_options_free(wait);
  seen_free(&seen);
}

static void test_bad_arguments(void) {
  TvClientOptions *options = tv_client_options_new();
  TvClient *client;
  TvClientStats stats;
  Seen seen;
  seen_init(&seen);
  CHECK(tv_client_options_set_log_callback(options, 0, on_log, &seen) == TV_RESULT_INVALID_ARGUMENT);
  CHECK_TEXT(strstr(tv_last_error_message(), "not 0"), "not 0");
  CHECK(tv_client_options_set_log_callback(options, 6, on_log, &seen) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_client_options_set_log_callback(NULL, TV_LOG_LEVEL_INFO, on_log, &seen) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_client_options_set_log_callback(options, 99, NULL, NULL) == TV_RESULT_OK); /* NULL: back to default */
  tv_client_options_free(options);
  seen_free(&seen);

  client = client_with("test-key", 0, NULL);
  CHECK(tv_client_stats(NULL, &stats) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_client_stats(client, NULL) == TV_RESULT_INVALID_ARGUMENT);
  stats.size = 4;
  CHECK(tv_client_stats(client, &stats) == TV_RESULT_INVALID_ARGUMENT);
  /* An older, smaller struct: only its bytes are written. */
  get(client, "vid_completed", TV_RESULT_OK);
  memset(&stats, 0xAB, sizeof stats);
  stats.size = 16;
  CHECK(tv_client_stats(client, &stats) == TV_RESULT_OK);
  CHECK(stats.size == 16 && stats.requests == 1);
  CHECK(stats.attempts == 0xABABABABABABABABull);
  tv_client_free(client);
}

#ifndef _WIN32
/* Without a callback, TOGETHER_LOG=debug writes one line per event to stderr. */
static void test_together_log_on_stderr(void) {
  FILE *capture = tmpfile();
  int saved = dup(2);
  TvClient *client;
  char text[8192];
  size_t n;
  CHECK(capture != NULL && saved >= 0);
  if (capture == NULL || saved < 0) return;
  fflush(stderr);
  dup2(fileno(capture), 2);
  setenv("TOGETHER_LOG", "debug", 1);
  client = client_with("test-key", 0, NULL);
  get(client, "redirect-same", TV_RESULT_OK);
  tv_client_free(client);
  unsetenv("TOGETHER_LOG");
  client = client_with("test-key", 0, NULL); /* now silent */
  get(client, "vid_completed", TV_RESULT_OK);
  tv_client_free(client);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  rewind(capture);
  n = fread(text, 1, sizeof text - 1, capture);
  text[n] = '\0';
  fclose(capture);
  CHECK(strstr(text, "together-video info client_created: ") != NULL);
  CHECK(strstr(text, "together-video debug redirect: HTTP 302 redirects GET to http://127.0.0.1:") != NULL);
  CHECK(strstr(text, "together-video info http_attempt: GET ") != NULL);
  CHECK(strstr(text, "vid_completed") != NULL);   /* the redirect's target was fetched */
  CHECK(strstr(text, "/videos/redirect-same (attempt 1) -> 200") != NULL);
  CHECK(strstr(text, "test-key") == NULL);
  CHECK(strstr(text, "trace") == NULL);
  /* The silent client's call is not there: its id appears only via the redirect. */
  CHECK(strstr(strstr(text, "client_freed") ? strstr(text, "client_freed") : text, "client_created") == NULL);
}
#endif

int main(void) {
  const char *url = getenv("TV_MOCK_URL");
  if (url == NULL) {
    fprintf(stderr, "TV_MOCK_URL is not set: run under scripts/with-mock.sh\n");
    return 2;
  }
  snprintf(mock_url, sizeof mock_url, "%s", url);
  snprintf(origin, sizeof origin, "%s", url);
  if (strlen(origin) > 3) origin[strlen(origin) - 3] = '\0'; /* drop "/v2" */
  unsetenv("TOGETHER_LOG");
  test_every_event_kind_and_the_counters();
  test_no_level_shows_the_key();
  test_no_callback_after_free();
  test_bad_arguments();
#ifndef _WIN32
  test_together_log_on_stderr();
#endif
  return finish("test_log");
}
