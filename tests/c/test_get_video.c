/* The C contract of together_video.h, checked from C against the mock of Together's
 * API. Run by `make test-c` (with TV_MOCK_URL=http://127.0.0.1:PORT/v2 and
 * TOGETHER_API_KEY unset), linked once with the shared and once with the static
 * library, under valgrind; scripts/cross-test.sh runs it on the other platforms.
 * Written only from the header and the README. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "together_video.h"
#include "check.h"
#include "compat.h"

/* Copies: test_environment changes the environment, and on Windows that moves the
 * strings getenv returned earlier. */
static char mock_url[256];    /* http://127.0.0.1:PORT/v2 */
static char origin[256];      /* http://127.0.0.1:PORT */

static TvClient *client_with(const char *api_key, uint64_t timeout_ms, uint32_t retries) {
  TvClientOptions *options = tv_client_options_new();
  TvClient *client = NULL;
  CHECK(options != NULL);
  CHECK(tv_client_options_set_base_url(options, mock_url) == TV_RESULT_OK);
  CHECK(tv_client_options_set_api_key(options, api_key) == TV_RESULT_OK);
  CHECK(tv_client_options_set_timeout_ms(options, timeout_ms) == TV_RESULT_OK);
  CHECK(tv_client_options_set_max_retries(options, retries) == TV_RESULT_OK);
  CHECK(tv_client_options_set_proxy(options, "") == TV_RESULT_OK);
  CHECK(tv_client_new_with_options(options, &client, NULL) == TV_RESULT_OK);
  tv_client_options_free(options);
  return client;
}

static void test_version(void) {
  CHECK_TEXT(tv_version(), TV_VERSION_STRING);
  CHECK_TEXT(tv_result_name(TV_RESULT_OK), "ok");
  CHECK_TEXT(tv_result_name(TV_RESULT_NOT_FOUND), "not found");
  CHECK_TEXT(tv_result_name(-7), "unknown result");
  CHECK_TEXT(tv_result_name(1000), "unknown result");
}

/* With TOGETHER_API_KEY unset, tv_client_new(NULL) fails and says why; with the
 * environment set (an origin alone in TOGETHER_BASE_URL gets /v2), it works. */
static void test_environment(void) {
  TvClient *client;
  TvVideo *video = NULL;
  char url[300];

  unsetenv("TOGETHER_API_KEY");
  CHECK(tv_client_new(NULL) == NULL);
  CHECK(strstr(tv_last_error_message(), "TOGETHER_API_KEY") != NULL);
  CHECK(tv_client_new("") == NULL);

  snprintf(url, sizeof url, "%s", origin);
  setenv("TOGETHER_BASE_URL", url, 1);
  setenv("NO_PROXY", "127.0.0.1", 1);
  setenv("TOGETHER_API_KEY", "test-key", 1);
  client = tv_client_new(NULL);
  CHECK(client != NULL);
  CHECK(tv_get_video(client, "vid_completed", NULL, &video, NULL) == TV_RESULT_OK);
  CHECK(video != NULL && strcmp(video->id, "vid_completed") == 0);
  tv_video_free(video);
  tv_client_free(client);

  setenv("TOGETHER_BASE_URL", "ftp://nowhere", 1);
  CHECK(tv_client_new("key") == NULL);
  CHECK(strstr(tv_last_error_message(), "TOGETHER_BASE_URL") != NULL);
  unsetenv("TOGETHER_BASE_URL");
  unsetenv("TOGETHER_API_KEY");
}

static void test_jobs(TvClient *client) {
  TvVideo *video = NULL;
  TvError *error = NULL;
  char url[300];

  CHECK(tv_get_video(client, "vid_completed", NULL, &video, &error) == TV_RESULT_OK);
  CHECK(error == NULL);
  CHECK_TEXT(video->id, "vid_completed");
  CHECK_TEXT(video->object, "video");
  CHECK_TEXT(video->model, "minimax/video-01-director");
  CHECK(video->status == TV_VIDEO_STATUS_COMPLETED);
  CHECK_TEXT(video->status_raw, "completed");
  CHECK(video->created_at == 1761000000.0);
  CHECK(video->has_completed_at && video->completed_at == 1761000094.5);
  CHECK_TEXT(video->size, "1366x768");
  CHECK_TEXT(video->seconds, "6");
  CHECK(video->error_code == NULL && video->error_message == NULL);
  CHECK(video->has_outputs && video->cost == 0.28);
  snprintf(url, sizeof url, "%s/files/vid_completed.mp4", origin);
  CHECK_TEXT(video->video_url, url);
  CHECK(strstr(video->json, "\"status\": \"completed\"") != NULL);
  tv_video_free(video);

  CHECK(tv_get_video(client, "vid_in_progress", NULL, &video, NULL) == TV_RESULT_OK);
  CHECK(video->status == TV_VIDEO_STATUS_IN_PROGRESS);
  CHECK(!video->has_completed_at && !video->has_outputs && video->video_url == NULL);
  tv_video_free(video);

  CHECK(tv_get_video(client, "vid_queued", NULL, &video, NULL) == TV_RESULT_OK);
  CHECK(video->status == TV_VIDEO_STATUS_QUEUED);
  CHECK(video->created_at == 1761000000.25);
  tv_video_free(video);

  CHECK(tv_get_video(client, "vid_failed", NULL, &video, NULL) == TV_RESULT_OK);
  CHECK(video->status == TV_VIDEO_STATUS_FAILED);
  CHECK_TEXT(video->error_code, "content_policy_violation");
  CHECK_TEXT(video->error_message, "The prompt was rejected by the safety system.");
  tv_video_free(video);

  CHECK(tv_get_video(client, "vid_unknown_status", NULL, &video, NULL) == TV_RESULT_OK);
  CHECK(video->status == TV_VIDEO_STATUS_UNKNOWN);
  CHECK_TEXT(video->status_raw, "expired");
  tv_video_free(video);

  CHECK(tv_get_video(client, "vid_cost_integer", NULL, &video, NULL) == TV_RESULT_OK);
  CHECK(video->has_outputs && video->cost == 2.0);
  tv_video_free(video);

  CHECK(tv_get_video(client, "vid_minimal", NULL, &video, NULL) == TV_RESULT_OK);
  CHECK(video->status == TV_VIDEO_STATUS_QUEUED);
  CHECK(video->object == NULL && video->model == NULL && video->size == NULL);
  CHECK(video->seconds == NULL && video->created_at == 0.0);
  tv_video_free(video);
}

/* Checks one failing call: its code, HTTP status, and that outputs stayed untouched. */
static void expect_failure(TvClient *client, const char *id, TvResult code, uint16_t status) {
  static char marker;
  TvVideo *untouched = (TvVideo *)(void *)&marker; /* any non-NULL address */
  TvVideo *video = untouched;
  TvError *error = NULL;
  TvResult result = tv_get_video(client, id, NULL, &video, &error);
  if (result != code) fprintf(stderr, "%s: got %d (%s)\n", id, (int)result, tv_error_message(error));
  CHECK(result == code);
  CHECK(video == untouched);
  CHECK(error != NULL);
  CHECK(tv_error_code(error) == code);
  CHECK(tv_error_http_status(error) == status);
  CHECK(tv_error_message(error) != NULL && strlen(tv_error_message(error)) > 0);
  tv_error_free(error);
}

static void test_errors(TvClient *client) {
  TvClient *wrong_key = client_with("wrong-key", 10000, 0);
  TvClient *impatient = client_with("test-key", 300, 0);
  TvError *error = NULL;
  TvVideo *video = NULL;

  expect_failure(client, "status-400", TV_RESULT_BAD_REQUEST, 400);
  expect_failure(wrong_key, "vid_completed", TV_RESULT_AUTHENTICATION, 401);
  expect_failure(client, "status-403", TV_RESULT_PERMISSION_DENIED, 403);
  expect_failure(client, "status-404", TV_RESULT_NOT_FOUND, 404);
  expect_failure(client, "status-409", TV_RESULT_CONFLICT, 409);
  expect_failure(client, "status-422", TV_RESULT_UNPROCESSABLE, 422);
  expect_failure(client, "status-429", TV_RESULT_RATE_LIMITED, 429);
  expect_failure(client, "status-500", TV_RESULT_SERVER, 500);
  expect_failure(client, "status-503", TV_RESULT_SERVER, 503);
  expect_failure(client, "status-418", TV_RESULT_HTTP, 418);
  expect_failure(impatient, "slow-3000", TV_RESULT_TIMEOUT, 0);
  expect_failure(impatient, "reset", TV_RESULT_CONNECTION, 0);
  expect_failure(client, "huge", TV_RESULT_DECODE, 200);
  expect_failure(client, "html-200", TV_RESULT_DECODE, 200);
  expect_failure(client, "nul-in-id", TV_RESULT_DECODE, 200);

  /* A retried status succeeds; the message and request id of a failure are the server's. */
  CHECK(tv_get_video(client, "flaky-2-503-c", NULL, &video, NULL) == TV_RESULT_OK);
  tv_video_free(video);
  CHECK(tv_get_video(client, "status-404", NULL, &video, &error) == TV_RESULT_NOT_FOUND);
  CHECK_TEXT(tv_error_message(error), "not found (HTTP 404): mock 404 response");
  CHECK_TEXT(tv_error_request_id(error), "req-status-404");
  CHECK_TEXT(tv_last_error_message(), "not found (HTTP 404): mock 404 response");
  tv_error_free(error);

  tv_client_free(wrong_key);
  tv_client_free(impatient);
}

static void test_bad_arguments(TvClient *client) {
  TvVideo *video = NULL;
  TvError *error = NULL;
  char long_id[2048];

  CHECK(tv_get_video(NULL, "vid_completed", NULL, &video, &error) == TV_RESULT_INVALID_ARGUMENT);
  CHECK_TEXT(tv_error_message(error), "client is NULL");
  tv_error_free(error);
  CHECK(tv_get_video(client, NULL, NULL, &video, NULL) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_get_video(client, "vid_completed", NULL, NULL, NULL) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_get_video(client, "\xff\xfe", NULL, &video, NULL) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_get_video(client, "", NULL, &video, NULL) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_get_video(client, "..", NULL, &video, NULL) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_get_video(client, "a\nb", NULL, &video, NULL) == TV_RESULT_INVALID_ARGUMENT);
  memset(long_id, 'x', sizeof long_id - 1);
  long_id[sizeof long_id - 1] = '\0';
  CHECK(tv_get_video(client, long_id, NULL, &video, NULL) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(video == NULL);
  /* Ids with path characters are one segment: the mock answers 404 for them. */
  CHECK(tv_get_video(client, "../videos/vid_completed", NULL, &video, NULL) == TV_RESULT_NOT_FOUND);
  CHECK(tv_get_video(client, "vid_completed?x=1", NULL, &video, NULL) == TV_RESULT_NOT_FOUND);

  CHECK(tv_client_new_with_options(NULL, NULL, NULL) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_client_options_set_timeout_ms(NULL, 5) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_error_code(NULL) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_error_message(NULL) == NULL);
  CHECK(tv_error_http_status(NULL) == 0);
  CHECK(tv_error_request_id(NULL) == NULL);
  tv_error_free(NULL);
  tv_video_free(NULL);
  tv_client_free(NULL);
  tv_client_options_free(NULL);
}

static void *cancel_soon(void *token) {
  sleep_ms(200);
  tv_cancel_token_cancel(token);
  return NULL;
}

/* Call options: a blocking get that another thread cancels while the server says
 * nothing, a timeout for the whole call, and values out of range named as given. */
static void test_call_options(TvClient *client) {
  TvCancelToken *token = tv_cancel_token_new();
  TvCallOptions *call = tv_call_options_new();
  TvVideo *video = NULL;
  TvError *error = NULL;
  pthread_t canceller;
  long long started;
  CHECK(tv_call_options_set_cancel_token(call, token) == TV_RESULT_OK);
  CHECK(tv_get_video(client, "vid_completed", call, &video, NULL) == TV_RESULT_OK);
  tv_video_free(video);
  video = NULL;
  CHECK(pthread_create(&canceller, NULL, cancel_soon, token) == 0);
  started = now_ms();
  CHECK(tv_get_video(client, "stall", call, &video, NULL) == TV_RESULT_CANCELLED);
  /* At once after the cancel (200 ms), not when the client's 10 s timeout ends a read. */
  CHECK_UNDER_MS(now_ms() - started, 5000);
  CHECK(video == NULL);
  pthread_join(canceller, NULL);
  tv_cancel_token_free(token); /* the options keep their own reference */
  CHECK(tv_get_video(client, "vid_completed", call, &video, NULL) == TV_RESULT_CANCELLED);
  CHECK(tv_call_options_set_cancel_token(call, NULL) == TV_RESULT_OK);
  CHECK(tv_call_options_set_timeout_ms(call, 150) == TV_RESULT_OK);
  CHECK(tv_get_video(client, "stall", call, &video, &error) == TV_RESULT_TIMEOUT);
  tv_error_free(error);
  CHECK(tv_call_options_set_timeout_ms(call, -1) == TV_RESULT_INVALID_ARGUMENT);
  CHECK_TEXT(tv_last_error_message(), "timeout must be from 1 to 86400000 ms, not -1");
  CHECK(tv_client_options_set_max_retries(NULL, 1) == TV_RESULT_INVALID_ARGUMENT);
  tv_call_options_free(call);
}

enum { THREADS = 8, CALLS_PER_THREAD = 25 };

static void *fetch_many(void *shared_client) {
  static const char *ids[] = {"vid_completed", "vid_failed", "vid_queued", "vid_in_progress"};
  const TvClient *client = shared_client;
  intptr_t failures = 0;
  for (int i = 0; i < CALLS_PER_THREAD; i++) {
    const char *id = ids[i % 4];
    TvVideo *video = NULL;
    if (tv_get_video(client, id, NULL, &video, NULL) != TV_RESULT_OK || strcmp(video->id, id) != 0) failures++;
    tv_video_free(video);
  }
  return (void *)failures;
}

static void test_threads(TvClient *client) {
  pthread_t threads[THREADS];
  for (int i = 0; i < THREADS; i++) CHECK(pthread_create(&threads[i], NULL, fetch_many, client) == 0);
  for (int i = 0; i < THREADS; i++) {
    void *failures = NULL;
    CHECK(pthread_join(threads[i], &failures) == 0);
    CHECK(failures == NULL);
  }
}

/* tv_last_error_message is per thread: threads that fail at the same time each read
 * their own message, a thread that has not failed reads NULL, and the main thread's
 * message outlives theirs. Each thread records what it saw; the main thread checks. */
enum { ERROR_THREADS = 4 };

struct own_error {
  TvClient *client;
  pthread_barrier_t *all_failed;
  int index;
  int fresh_was_null;                  /* NULL before the thread's first failure */
  char expected[256], seen[256];       /* its TvError's message; tv_last_error_message */
  char expected_arg[128], seen_arg[128];
};

static void *fail_on_own_thread(void *arg) {
  static const char *ids[ERROR_THREADS] = {"status-400", "status-403", "status-404", "status-409"};
  struct own_error *own = arg;
  TvCallOptions *call = tv_call_options_new();
  TvVideo *video = NULL;
  TvError *error = NULL;
  const char *last;

  own->fresh_was_null = tv_last_error_message() == NULL;
  if (tv_get_video(own->client, ids[own->index], NULL, &video, &error) != TV_RESULT_OK && error != NULL) {
    snprintf(own->expected, sizeof own->expected, "%s", tv_error_message(error));
  }
  tv_error_free(error);
  tv_video_free(video);
  pthread_barrier_wait(own->all_failed); /* every thread has failed: now each reads */
  last = tv_last_error_message();
  snprintf(own->seen, sizeof own->seen, "%s", last ? last : "(null)");
  pthread_barrier_wait(own->all_failed);

  /* Again with an argument refused at once, the value naming the thread. */
  tv_call_options_set_timeout_ms(call, -1 - own->index);
  snprintf(own->expected_arg, sizeof own->expected_arg, "timeout must be from 1 to 86400000 ms, not %d",
           -1 - own->index);
  pthread_barrier_wait(own->all_failed);
  last = tv_last_error_message();
  snprintf(own->seen_arg, sizeof own->seen_arg, "%s", last ? last : "(null)");
  tv_call_options_free(call);
  return NULL;
}

static void test_last_error_per_thread(TvClient *client) {
  static const char *statuses[ERROR_THREADS] = {"HTTP 400", "HTTP 403", "HTTP 404", "HTTP 409"};
  struct own_error own[ERROR_THREADS];
  pthread_t threads[ERROR_THREADS];
  pthread_barrier_t all_failed;
  TvCallOptions *call = tv_call_options_new();
  int started = 0;

  CHECK(tv_call_options_set_timeout_ms(call, -100) == TV_RESULT_INVALID_ARGUMENT);
  CHECK_TEXT(tv_last_error_message(), "timeout must be from 1 to 86400000 ms, not -100");
  CHECK(pthread_barrier_init(&all_failed, NULL, ERROR_THREADS) == 0);
  memset(own, 0, sizeof own);
  for (int i = 0; i < ERROR_THREADS; i++) {
    own[i].client = client;
    own[i].all_failed = &all_failed;
    own[i].index = i;
    if (pthread_create(&threads[i], NULL, fail_on_own_thread, &own[i]) == 0) started++;
  }
  CHECK(started == ERROR_THREADS);
  for (int i = 0; i < started; i++) CHECK(pthread_join(threads[i], NULL) == 0);
  pthread_barrier_destroy(&all_failed);
  for (int i = 0; i < ERROR_THREADS; i++) {
    CHECK(own[i].fresh_was_null);
    CHECK(strstr(own[i].expected, statuses[i]) != NULL);
    CHECK_TEXT(own[i].seen, own[i].expected);
    CHECK_TEXT(own[i].seen_arg, own[i].expected_arg);
  }
  /* The threads' failures did not touch this thread's message. */
  CHECK_TEXT(tv_last_error_message(), "timeout must be from 1 to 86400000 ms, not -100");
  tv_call_options_free(call);
}

/* The variables a client whose proxy is left to the environment reads. */
static const char *const proxy_variables[] = {"ALL_PROXY",  "all_proxy",  "HTTPS_PROXY", "https_proxy",
                                              "HTTP_PROXY", "http_proxy", "NO_PROXY",    "no_proxy"};

static void clear_proxy_environment(void) {
  for (size_t i = 0; i < sizeof proxy_variables / sizeof proxy_variables[0]; i++) unsetenv(proxy_variables[i]);
}

/* Gets vid_completed from the mock with a new client, its proxy left to the environment
 * (proxy NULL) or set to proxy; no retries. The error's message goes to message. */
static TvResult get_with_proxy(const char *proxy, char *message, size_t size) {
  TvClientOptions *options = tv_client_options_new();
  TvClient *client = NULL;
  TvVideo *video = NULL;
  TvError *error = NULL;
  TvResult result;
  CHECK(tv_client_options_set_base_url(options, mock_url) == TV_RESULT_OK);
  CHECK(tv_client_options_set_api_key(options, "test-key") == TV_RESULT_OK);
  CHECK(tv_client_options_set_max_retries(options, 0) == TV_RESULT_OK);
  if (proxy != NULL) CHECK(tv_client_options_set_proxy(options, proxy) == TV_RESULT_OK);
  result = tv_client_new_with_options(options, &client, &error);
  tv_client_options_free(options);
  if (result == TV_RESULT_OK) {
    result = tv_get_video(client, "vid_completed", NULL, &video, &error);
    if (result == TV_RESULT_OK) CHECK(video != NULL && strcmp(video->id, "vid_completed") == 0);
  }
  snprintf(message, size, "%s", error ? tv_error_message(error) : "");
  tv_error_free(error);
  tv_video_free(video);
  tv_client_free(client);
  return result;
}

/* Proxy variables are read from the process environment when a client is created: each
 * of ALL_PROXY, HTTPS_PROXY and HTTP_PROXY (and http_proxy) sends the request to the
 * proxy it names. The proxy here is the mock itself, which answers the proxy's CONNECT
 * with 404: the call fails with a connection error that says the proxy refused it, so
 * the proxy was reached. NO_PROXY (or no_proxy) naming the host, or a client set to
 * connect directly, goes around it. On Windows the variables' names are not case
 * sensitive, so http_proxy and HTTP_PROXY are the same variable there. */
static void test_proxy_environment(void) {
  static const char *const proxies[] = {"ALL_PROXY", "HTTPS_PROXY", "HTTP_PROXY", "http_proxy"};
  char message[512];

  clear_proxy_environment();
  CHECK(get_with_proxy(NULL, message, sizeof message) == TV_RESULT_OK); /* no proxy: direct */
  for (size_t i = 0; i < sizeof proxies / sizeof proxies[0]; i++) {
    TvResult result;
    clear_proxy_environment();
    setenv(proxies[i], origin, 1);
    result = get_with_proxy(NULL, message, sizeof message);
    if (result != TV_RESULT_CONNECTION || strstr(message, "proxy") == NULL) {
      fprintf(stderr, "%s=%s: got %d (%s)\n", proxies[i], origin, (int)result, message);
    }
    CHECK(result == TV_RESULT_CONNECTION);
    CHECK(strstr(message, "proxy refused the connection") != NULL);
  }

  /* HTTP_PROXY set, and the host in NO_PROXY or no_proxy: direct. */
  clear_proxy_environment();
  setenv("HTTP_PROXY", origin, 1);
  setenv("NO_PROXY", "127.0.0.1", 1);
  CHECK(get_with_proxy(NULL, message, sizeof message) == TV_RESULT_OK);
  unsetenv("NO_PROXY");
  setenv("no_proxy", "localhost,127.0.0.1", 1);
  CHECK(get_with_proxy(NULL, message, sizeof message) == TV_RESULT_OK);
  unsetenv("no_proxy");
  /* A NO_PROXY for other hosts leaves the proxy in use. */
  setenv("NO_PROXY", "example.com", 1);
  CHECK(get_with_proxy(NULL, message, sizeof message) == TV_RESULT_CONNECTION);
  unsetenv("NO_PROXY");

  /* Set to "" (direct), the client ignores the environment. */
  CHECK(get_with_proxy("", message, sizeof message) == TV_RESULT_OK);

  /* A SOCKS proxy in the environment is refused, not gone around. */
  setenv("ALL_PROXY", "socks5://127.0.0.1:1080", 1);
  CHECK(get_with_proxy(NULL, message, sizeof message) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(strstr(message, "SOCKS") != NULL);
  clear_proxy_environment();
}

int main(void) {
  TvClient *client;
  const char *url = getenv("TV_MOCK_URL"), *path;

  if (url == NULL || strlen(url) >= sizeof mock_url) {
    fprintf(stderr, "set TV_MOCK_URL to the mock's base URL (make test-c does)\n");
    return 2;
  }
  snprintf(mock_url, sizeof mock_url, "%s", url);
  path = strstr(mock_url + strlen("http://"), "/");
  snprintf(origin, sizeof origin, "%.*s", (int)(path ? path - mock_url : (long)strlen(mock_url)), mock_url);

  test_version();
  test_environment();
  test_proxy_environment();
  client = client_with("test-key", 10000, 2);
  test_jobs(client);
  test_errors(client);
  test_bad_arguments(client);
  test_threads(client);
  test_last_error_per_thread(client);
  test_call_options(client);
  tv_client_free(client);
  return finish("test_get_video");
}
