/* The job lifecycle from C against the mock: create, wait, download, cancel, and the
 * non-blocking requests a game loop uses. Run by `make test-c` under valgrind, and by
 * scripts/cross-test.sh on Windows (Wine), Linux arm64 (qemu) and static musl. */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "together_video.h"
#include "check.h"
#include "compat.h"

enum { VIDEO_SIZE = 256 * 1024 };

static const char *mock_url;
static char workdir[400];

/* A client for the mock with `worker_threads` library threads. */
static TvClient *new_client_with(int64_t worker_threads) {
  TvClientOptions *options = tv_client_options_new();
  TvClient *client = NULL;
  CHECK(tv_client_options_set_base_url(options, mock_url) == TV_RESULT_OK);
  CHECK(tv_client_options_set_api_key(options, "test-key") == TV_RESULT_OK);
  CHECK(tv_client_options_set_proxy(options, "") == TV_RESULT_OK);
  CHECK(tv_client_options_set_worker_threads(options, worker_threads) == TV_RESULT_OK);
  CHECK(tv_client_options_set_max_concurrent_requests(options, -1) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(strstr(tv_last_error_message(), "not -1") != NULL);
  CHECK(tv_client_options_set_max_concurrent_requests(options, 1025) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_client_options_set_max_concurrent_requests(options, 0) == TV_RESULT_OK); /* no cap */
  CHECK(tv_client_new_with_options(options, &client, NULL) == TV_RESULT_OK);
  tv_client_options_free(options);
  return client;
}

static TvClient *new_client(void) {
  return new_client_with(4);
}

/* The entries in workdir; each is named on stderr, so a failing check says what is left. */
static int files_in_workdir(void) {
  int count = 0;
  DIR *dir = opendir(workdir);
  struct dirent *entry;
  while (dir && (entry = readdir(dir)) != NULL) {
    if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
    fprintf(stderr, "left in %s: %s\n", workdir, entry->d_name);
    count++;
  }
  if (dir) closedir(dir);
  return count;
}

static long file_size(const char *path) {
  struct stat info;
  return stat(path, &info) == 0 ? (long)info.st_size : -1;
}

static TvVideo *create(TvClient *client, const char *model) {
  TvCreateParams *params = tv_create_params_new();
  TvVideo *video = NULL;
  CHECK(tv_create_params_set_model(params, model) == TV_RESULT_OK);
  CHECK(tv_create_video(client, params, NULL, &video, NULL) == TV_RESULT_OK);
  tv_create_params_free(params);
  return video;
}

static void test_create(TvClient *client) {
  TvCreateParams *params = tv_create_params_new();
  TvVideo *video = NULL;
  TvError *error = NULL;

  CHECK(tv_create_video(client, params, NULL, &video, &error) == TV_RESULT_INVALID_ARGUMENT);
  CHECK_TEXT(tv_error_message(error), "model is required");
  tv_error_free(error);

  CHECK(tv_create_params_set_model(params, "minimax/video-01-director") == TV_RESULT_OK);
  CHECK(tv_create_params_set_prompt(params, "a lighthouse at dusk, waves crashing") == TV_RESULT_OK);
  CHECK(tv_create_params_set_width(params, 1280) == TV_RESULT_OK);
  CHECK(tv_create_params_set_height(params, 720) == TV_RESULT_OK);
  CHECK(tv_create_params_set_seconds(params, "5") == TV_RESULT_OK);
  CHECK(tv_create_params_set_fps(params, 24) == TV_RESULT_OK);
  CHECK(tv_create_params_set_steps(params, 30) == TV_RESULT_OK);
  CHECK(tv_create_params_set_seed(params, 42) == TV_RESULT_OK);
  CHECK(tv_create_params_set_guidance_scale(params, 8.0) == TV_RESULT_OK);
  CHECK(tv_create_params_set_output_format(params, "webm") == TV_RESULT_OK);
  CHECK(tv_create_params_set_output_quality(params, 20) == TV_RESULT_OK);
  CHECK(tv_create_params_set_negative_prompt(params, "blur") == TV_RESULT_OK);
  CHECK(tv_create_params_set_generate_audio(params, 1) == TV_RESULT_OK);
  CHECK(tv_create_params_set_resolution(params, "720p") == TV_RESULT_OK);
  CHECK(tv_create_params_set_ratio(params, "16:9") == TV_RESULT_OK);
  CHECK(tv_create_params_add_frame_image(params, "https://img/first.png", TV_FRAME_FIRST, 0) == TV_RESULT_OK);
  CHECK(tv_create_params_add_frame_image(params, "https://img/mid.png", TV_FRAME_AT, 48) == TV_RESULT_OK);
  CHECK(tv_create_params_add_frame_video(params, "https://v/start.mp4") == TV_RESULT_OK);
  CHECK(tv_create_params_add_reference_image(params, "https://img/ref.png") == TV_RESULT_OK);
  CHECK(tv_create_params_add_reference_video(params, "https://v/ref.mp4") == TV_RESULT_OK);
  CHECK(tv_create_params_set_source_video(params, "https://v/src.mp4", 1) == TV_RESULT_OK);
  CHECK(tv_create_params_add_audio_input(params, "https://a/track.mp3", 0) == TV_RESULT_OK);
  CHECK(tv_create_params_set_json_field(params, "future_knob", "{\"level\": 3}") == TV_RESULT_OK);

  /* Values the spec rules out are refused by the setter. */
  CHECK(tv_create_params_set_steps(params, 9) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_create_params_set_steps(params, 51) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_create_params_set_prompt(params, "") == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_create_params_set_output_format(params, "AVI") == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_create_params_set_width(params, -5) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_create_params_add_frame_image(params, "https://img/x.png", 9, 0) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_create_params_add_frame_image(params, "https://img/x.png", TV_FRAME_AT, -1) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_create_params_add_frame_video(params, NULL) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_create_params_set_json_field(params, "x", "{not json") == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_create_params_set_model(NULL, "m") == TV_RESULT_INVALID_ARGUMENT);

  CHECK(tv_create_video(client, params, NULL, &video, NULL) == TV_RESULT_OK);
  CHECK(video->status == TV_VIDEO_STATUS_QUEUED);
  CHECK(strncmp(video->id, "job-", 4) == 0);
  CHECK_TEXT(video->model, "minimax/video-01-director");
  tv_video_free(video);
  tv_create_params_free(params);

  /* A 5xx after sending is not retried (a second POST could bill twice). */
  params = tv_create_params_new();
  tv_create_params_set_model(params, "status-503");
  CHECK(tv_create_video(client, params, NULL, &video, NULL) == TV_RESULT_SERVER);
  tv_create_params_free(params);

  CHECK(tv_create_video_json(client, "{\"model\":\"m\",\"brand_new\":true}", NULL, &video, NULL) == TV_RESULT_OK);
  CHECK(video->status == TV_VIDEO_STATUS_QUEUED);
  tv_video_free(video);
  CHECK(tv_create_video_json(client, "[1]", NULL, &video, NULL) == TV_RESULT_INVALID_ARGUMENT);
}

struct progress_log {
  int calls;
  char statuses[8][16];
};

static int log_progress(void *user_data, const TvVideo *video) {
  struct progress_log *log = user_data;
  if (log->calls < 8) snprintf(log->statuses[log->calls], sizeof log->statuses[0], "%s", video->status_raw);
  log->calls++;
  return 0;
}

static int stop_at_second_poll(void *user_data, const TvVideo *video) {
  (void)video;
  return ++*(int *)user_data >= 2;
}

static void *cancel_after_300ms(void *token) {
  sleep_ms(300);
  tv_cancel_token_cancel(token);
  return NULL;
}

static void test_wait(TvClient *client) {
  TvWaitOptions *options = tv_wait_options_new();
  TvCallOptions *call = tv_call_options_new();
  struct progress_log log = {0};
  TvVideo *created, *video = NULL;
  TvError *error = NULL;
  int polls = 0;

  CHECK(tv_wait_options_set_poll_interval_ms(options, 10) == TV_RESULT_OK);
  CHECK(tv_wait_options_set_poll_interval_ms(options, 0) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_call_options_set_wait_progress(call, log_progress, &log) == TV_RESULT_OK);

  created = create(client, "m");
  CHECK(tv_wait_video(client, created->id, options, call, &video, NULL) == TV_RESULT_OK);
  CHECK(video->status == TV_VIDEO_STATUS_COMPLETED && video->video_url != NULL);
  CHECK(log.calls == 3);
  CHECK_TEXT(log.statuses[0], "queued");
  CHECK_TEXT(log.statuses[1], "in_progress");
  CHECK_TEXT(log.statuses[2], "completed");
  tv_video_free(video);
  tv_video_free(created);
  tv_call_options_set_wait_progress(call, NULL, NULL);

  created = create(client, "fail-job");
  CHECK(tv_wait_video(client, created->id, options, call, &video, NULL) == TV_RESULT_OK);
  CHECK(video->status == TV_VIDEO_STATUS_FAILED);
  CHECK_TEXT(video->error_code, "generation_failed");
  tv_video_free(video);
  tv_video_free(created);

  created = create(client, "unknown-job");
  CHECK(tv_wait_video(client, created->id, options, NULL, &video, NULL) == TV_RESULT_OK);
  CHECK(video->status == TV_VIDEO_STATUS_UNKNOWN);
  CHECK_TEXT(video->status_raw, "expired");
  tv_video_free(video);
  tv_video_free(created);

  /* The deadline holds while the server stops answering mid-wait. */
  created = create(client, "silent-job");
  CHECK(tv_call_options_set_timeout_ms(call, 400) == TV_RESULT_OK);
  CHECK(tv_wait_video(client, created->id, options, call, &video, &error) == TV_RESULT_TIMEOUT);
  CHECK(strstr(tv_error_message(error), created->id) != NULL);
  tv_error_free(error);

  /* Another thread cancels the same kind of wait. */
  {
    TvCancelToken *token = tv_cancel_token_new();
    pthread_t canceller;
    long long started;
    tv_call_options_set_timeout_ms(call, 0);
    tv_call_options_set_cancel_token(call, token);
    CHECK(pthread_create(&canceller, NULL, cancel_after_300ms, token) == 0);
    started = now_ms();
    CHECK(tv_wait_video(client, created->id, options, call, &video, NULL) == TV_RESULT_CANCELLED);
    /* At once after the cancel, not when the server gives up on the poll (30 s). */
    CHECK_UNDER_MS(now_ms() - started, 5000);
    pthread_join(canceller, NULL);
    CHECK(tv_cancel_token_is_cancelled(token));
    tv_cancel_token_free(token); /* the options keep their own reference */
    tv_call_options_set_cancel_token(call, NULL);
  }
  tv_video_free(created);

  /* The progress callback can stop the wait. */
  created = create(client, "stall-job");
  tv_call_options_set_wait_progress(call, stop_at_second_poll, &polls);
  CHECK(tv_wait_video(client, created->id, options, call, &video, NULL) == TV_RESULT_CANCELLED);
  CHECK(polls == 2);
  tv_video_free(created);
  tv_wait_options_free(options);
  tv_call_options_free(call);
}

struct counted {
  uint64_t bytes;
  unsigned char head[4];
};

static int count_bytes(void *user_data, const uint8_t *data, size_t length) {
  struct counted *counted = user_data;
  if (counted->bytes == 0 && length >= 4) memcpy(counted->head, data, 4);
  counted->bytes += length;
  return 0;
}

static int track_progress(void *user_data, uint64_t received, int64_t total) {
  int64_t *last = user_data;
  last[0] = (int64_t)received;
  last[1] = total;
  return 0;
}

struct download_job {
  TvClient *client;
  const char *id;
  const char *path;
  TvCallOptions *call;
  TvResult result;
};

static void *download_in_thread(void *arg) {
  struct download_job *job = arg;
  job->result = tv_download_video_to_file(job->client, job->id, job->path, job->call, NULL, NULL);
  return NULL;
}

static void test_download(TvClient *client) {
  TvCallOptions *call = tv_call_options_new();
  TvVideo *video = NULL;
  TvError *error = NULL;
  char path[512];
  uint64_t bytes = 0;
  int64_t last[2] = {0, 0};
  struct counted counted = {0};
  FILE *file;
  unsigned char head[8];

  /* By URL: a job's video_url, as a program that stored only the URL has it. */
  CHECK(tv_call_options_set_download_progress(call, track_progress, last) == TV_RESULT_OK);
  CHECK(tv_get_video(client, "video-at-clip.mp4", NULL, &video, NULL) == TV_RESULT_OK);
  snprintf(path, sizeof path, "%s/clip.mp4", workdir);
  CHECK(tv_download_url_to_file(client, video->video_url, path, call, &bytes, NULL) == TV_RESULT_OK);
  CHECK(bytes == VIDEO_SIZE && file_size(path) == VIDEO_SIZE);
  CHECK(last[0] == VIDEO_SIZE && last[1] == VIDEO_SIZE);
  file = fopen(path, "rb");
  CHECK(file != NULL && fread(head, 1, 8, file) == 8 && memcmp(head + 4, "ftyp", 4) == 0);
  if (file) fclose(file);
  unlink(path);
  tv_video_free(video);

  /* By job id: the library gets the job, then its video. */
  CHECK(tv_download_video_to_callback(client, "video-at-clip.webm", count_bytes, &counted, NULL, &bytes, NULL) ==
        TV_RESULT_OK);
  CHECK(counted.bytes == VIDEO_SIZE && bytes == VIDEO_SIZE);
  CHECK(memcmp(counted.head, "\x1a\x45\xdf\xa3", 4) == 0);
  CHECK(tv_download_video_to_callback(client, "video-at-clip.webm", NULL, NULL, NULL, NULL, NULL) ==
        TV_RESULT_INVALID_ARGUMENT);

  /* An interrupted transfer resumes. */
  snprintf(path, sizeof path, "%s/resumed.mp4", workdir);
  CHECK(tv_download_video_to_file(client, "video-at-drop-c.mp4", path, NULL, &bytes, NULL) == TV_RESULT_OK);
  CHECK(bytes == VIDEO_SIZE && file_size(path) == VIDEO_SIZE);
  unlink(path);

  /* Not a video, not ready, or not a URL: a clear error and no file. */
  snprintf(path, sizeof path, "%s/page.mp4", workdir);
  CHECK(tv_download_video_to_file(client, "video-at-page.html", path, NULL, NULL, &error) == TV_RESULT_DECODE);
  CHECK(strstr(tv_error_message(error), "not a video") != NULL);
  tv_error_free(error);
  CHECK(tv_download_video_to_file(client, "vid_in_progress", path, NULL, NULL, NULL) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_download_url_to_file(client, "file:///etc/passwd", path, NULL, NULL, NULL) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(files_in_workdir() == 0);

  /* A destination that is a directory is a file-system error, not a library bug. */
  CHECK(tv_download_video_to_file(client, "video-at-clip.mp4", workdir, NULL, NULL, &error) == TV_RESULT_FILE_SYSTEM);
  CHECK(strstr(tv_error_message(error), "a directory") != NULL);
  tv_error_free(error);

  /* Cancelled from another thread mid-transfer: no partial file. */
  {
    TvCancelToken *token = tv_cancel_token_new();
    TvCallOptions *cancellable = tv_call_options_new();
    struct download_job job = {client, "video-at-slow-c.mp4", path, cancellable, TV_RESULT_OK};
    pthread_t worker;
    tv_call_options_set_cancel_token(cancellable, token);
    snprintf(path, sizeof path, "%s/slow.mp4", workdir);
    CHECK(pthread_create(&worker, NULL, download_in_thread, &job) == 0);
    sleep_ms(200);
    tv_cancel_token_cancel(token);
    pthread_join(worker, NULL);
    CHECK(job.result == TV_RESULT_CANCELLED);
    CHECK(files_in_workdir() == 0);
    tv_call_options_free(cancellable);
    tv_cancel_token_free(token);
  }

  /* Out of time mid-transfer: no partial file either. */
  {
    TvCallOptions *impatient = tv_call_options_new();
    CHECK(tv_call_options_set_timeout_ms(impatient, 300) == TV_RESULT_OK);
    snprintf(path, sizeof path, "%s/timed-out.mp4", workdir);
    CHECK(tv_download_video_to_file(client, "video-at-slow-c.mp4", path, impatient, NULL, NULL) == TV_RESULT_TIMEOUT);
    CHECK(files_in_workdir() == 0);
    tv_call_options_free(impatient);
  }
  tv_call_options_free(call);
}

/* Names outside ASCII, in UTF-8 (escaped, so the source's encoding does not matter):
 * "vidéos-日本" and "clïp-ж-🎬.mp4" (🎬 is outside the Basic Multilingual Plane: a
 * surrogate pair in Windows' UTF-16). */
#define UTF8_DIR "vid\xc3\xa9os-\xe6\x97\xa5\xe6\x9c\xac"
#define UTF8_FILE "cl\xc3\xafp-\xd0\xb6-\xf0\x9f\x8e\xac.mp4"
#define OLD_CONTENTS "the file the download replaces\n"

/* A file's size, read through the UTF-8 path (the wide API on Windows); -1 when absent. */
static long utf8_file_size(const char *path) {
  FILE *file = fopen_utf8(path, "rb");
  long size;
  if (file == NULL) return -1;
  size = fseek(file, 0, SEEK_END) == 0 ? ftell(file) : -1;
  fclose(file);
  return size;
}

/* A line of list_dir_utf8's names that starts with prefix and ends with suffix. */
static int has_name(const char *names, const char *prefix, const char *suffix) {
  while (*names != '\0') {
    const char *end = strchr(names, '\n');
    size_t length = end ? (size_t)(end - names) : strlen(names);
    if (length >= strlen(prefix) + strlen(suffix) && strncmp(names, prefix, strlen(prefix)) == 0 &&
        strncmp(names + length - strlen(suffix), suffix, strlen(suffix)) == 0) {
      return 1;
    }
    names += length + (end != NULL);
  }
  return 0;
}

/* What the destination's directory holds while the download is under way: at the first
 * progress callback, after the first bytes were written. */
struct beside {
  const char *dir, *path;
  int calls, stop;
  int entries;      /* in dir */
  long path_size;   /* of the destination */
  char names[2048]; /* of the entries */
};

static int look_beside(void *user_data, uint64_t received, int64_t total) {
  struct beside *seen = user_data;
  (void)received;
  (void)total;
  if (seen->calls++ == 0) {
    seen->entries = list_dir_utf8(seen->dir, seen->names, sizeof seen->names);
    seen->path_size = utf8_file_size(seen->path);
  }
  return seen->stop;
}

/* Paths are UTF-8: a download into a directory and to a file named outside ASCII, which
 * replaces the file there only once complete, through a temporary file beside it
 * (.NAME.PID-N.part) that is gone afterwards, cancelled or not. On Windows the names
 * must reach the file system as wide strings: the test reads them back through the
 * wide API (compat.h), so a name mangled through the ANSI code page is not found. */
static void test_utf8_paths(TvClient *client) {
  TvCallOptions *call = tv_call_options_new();
  struct beside seen;
  char dir[512], path[640], other[640], missing[640], names[2048], temp_prefix[640];
  uint64_t bytes = 0;
  TvError *error = NULL;
  FILE *file;
  unsigned char head[8];

  snprintf(dir, sizeof dir, "%s/%s", workdir, UTF8_DIR);
  snprintf(path, sizeof path, "%s/%s", dir, UTF8_FILE);
  snprintf(temp_prefix, sizeof temp_prefix, ".%s.%ld-", UTF8_FILE, process_id());
  CHECK(make_dir_utf8(dir) == 0);

  /* The destination exists: a regular file with other contents. */
  file = fopen_utf8(path, "wb");
  CHECK(file != NULL);
  if (file) {
    fputs(OLD_CONTENTS, file);
    fclose(file);
  }
  CHECK(utf8_file_size(path) == (long)strlen(OLD_CONTENTS));

  memset(&seen, 0, sizeof seen);
  seen.dir = dir;
  seen.path = path;
  CHECK(tv_call_options_set_download_progress(call, look_beside, &seen) == TV_RESULT_OK);
  CHECK(tv_download_video_to_file(client, "video-at-clip.mp4", path, call, &bytes, &error) == TV_RESULT_OK);
  if (error) fprintf(stderr, "UTF-8 download: %s\n", tv_error_message(error));
  tv_error_free(error);
  error = NULL;
  CHECK(bytes == VIDEO_SIZE);
  /* Under way: the old file untouched, and the temporary file beside it. */
  CHECK(seen.calls > 0);
  CHECK(seen.entries == 2);
  CHECK(seen.path_size == (long)strlen(OLD_CONTENTS));
  CHECK(has_name(seen.names, UTF8_FILE, ""));
  CHECK(has_name(seen.names, temp_prefix, ".part"));
  if (!has_name(seen.names, temp_prefix, ".part")) fprintf(stderr, "beside the destination:\n%s", seen.names);
  /* Done: the video replaced the file, and only it is left. */
  CHECK(utf8_file_size(path) == VIDEO_SIZE);
  file = fopen_utf8(path, "rb");
  CHECK(file != NULL && fread(head, 1, 8, file) == 8 && memcmp(head + 4, "ftyp", 4) == 0);
  if (file) fclose(file);
  CHECK(list_dir_utf8(dir, names, sizeof names) == 1);
  CHECK(has_name(names, UTF8_FILE, "") && strlen(names) == strlen(UTF8_FILE "\n"));

  /* Replaced again, by URL this time, without a progress callback. */
  CHECK(tv_call_options_set_download_progress(call, NULL, NULL) == TV_RESULT_OK);
  {
    TvVideo *video = NULL;
    CHECK(tv_get_video(client, "video-at-clip.webm", NULL, &video, NULL) == TV_RESULT_OK);
    CHECK(video != NULL && tv_download_url_to_file(client, video->video_url, path, call, &bytes, NULL) == TV_RESULT_OK);
    tv_video_free(video);
  }
  file = fopen_utf8(path, "rb");
  CHECK(file != NULL && fread(head, 1, 4, file) == 4 && memcmp(head, "\x1a\x45\xdf\xa3", 4) == 0);
  if (file) fclose(file);
  CHECK(list_dir_utf8(dir, names, sizeof names) == 1);

  /* Cancelled by its progress callback mid-transfer: neither the new file nor a
   * temporary file is left, and the existing one is untouched. */
  snprintf(other, sizeof other, "%s/%s", dir, "\xc3\xb1-" UTF8_FILE);
  memset(&seen, 0, sizeof seen);
  seen.dir = dir;
  seen.path = other;
  seen.stop = 1;
  CHECK(tv_call_options_set_download_progress(call, look_beside, &seen) == TV_RESULT_OK);
  CHECK(tv_download_video_to_file(client, "video-at-clip.mp4", other, call, NULL, NULL) == TV_RESULT_CANCELLED);
  CHECK(seen.entries == 2 && has_name(seen.names, ".\xc3\xb1-" UTF8_FILE ".", ".part"));
  CHECK(list_dir_utf8(dir, names, sizeof names) == 1);
  CHECK(has_name(names, UTF8_FILE, "") && utf8_file_size(other) == -1);
  CHECK(utf8_file_size(path) == VIDEO_SIZE);

  /* A directory that is not there: the error names the path as given, in UTF-8. */
  snprintf(missing, sizeof missing, "%s/n\xc3\xb6-such-dir/%s", dir, UTF8_FILE);
  CHECK(tv_download_video_to_file(client, "video-at-clip.mp4", missing, NULL, NULL, &error) ==
        TV_RESULT_FILE_SYSTEM);
  CHECK(error != NULL && strstr(tv_error_message(error), "n\xc3\xb6-such-dir") != NULL);
  if (error && strstr(tv_error_message(error), "n\xc3\xb6-such-dir") == NULL) {
    fprintf(stderr, "missing directory: %s\n", tv_error_message(error));
  }
  tv_error_free(error);
  /* A path that is not UTF-8 is refused before anything is written. */
  snprintf(missing, sizeof missing, "%s/clip-\xff.mp4", dir);
  CHECK(tv_download_video_to_file(client, "video-at-clip.mp4", missing, NULL, NULL, NULL) ==
        TV_RESULT_INVALID_ARGUMENT);
  CHECK(list_dir_utf8(dir, names, sizeof names) == 1);

  CHECK(remove_utf8(path) == 0);
  CHECK(remove_dir_utf8(dir) == 0); /* only if empty: nothing else was left there */
  CHECK(files_in_workdir() == 0);
  tv_call_options_free(call);
}

static atomic_int completions;

static void on_done(void *user_data) {
  (void)user_data;
  atomic_fetch_add(&completions, 1);
}

/* A game loop: start work, then poll once per "frame" without ever blocking. */
static void test_non_blocking(TvClient *client) {
  enum { COUNT = 100 };
  static const char *ids[] = {"vid_completed", "vid_failed", "vid_queued", "vid_in_progress"};
  TvRequest *requests[COUNT];
  TvRequest *wait = NULL, *download = NULL, *stuck = NULL;
  TvWaitOptions *options = tv_wait_options_new();
  TvVideo *created, *video = NULL;
  int pending = COUNT, frames = 0;
  char path[512];

  for (int i = 0; i < COUNT; i++) {
    CHECK(tv_get_video_start(client, ids[i % 4], NULL, &requests[i], NULL) == TV_RESULT_OK);
    CHECK(tv_request_on_complete(requests[i], on_done, NULL) == TV_RESULT_OK);
  }
  while (pending > 0 && frames < 100000) {
    pending = 0;
    for (int i = 0; i < COUNT; i++) pending += tv_request_poll(requests[i]) == TV_REQUEST_STATE_PENDING;
    frames++;
    sleep_ms(1);
  }
  CHECK(pending == 0);
  for (int i = 0; i < COUNT; i++) {
    CHECK(tv_request_result(requests[i], &video, NULL) == TV_RESULT_OK);
    CHECK(video != NULL && strcmp(video->id, ids[i % 4]) == 0);
    tv_video_free(video);
    video = NULL;
    tv_request_free(requests[i]);
  }
  CHECK(atomic_load(&completions) == COUNT);

  /* Wait, then download, without blocking. */
  created = create(client, "m");
  tv_wait_options_set_poll_interval_ms(options, 10);
  CHECK(tv_wait_video_start(client, created->id, options, NULL, &wait, NULL) == TV_RESULT_OK);
  CHECK(tv_request_wait(wait, UINT64_MAX) == TV_REQUEST_STATE_DONE);
  CHECK(tv_request_result(wait, &video, NULL) == TV_RESULT_OK);
  CHECK(video->status == TV_VIDEO_STATUS_COMPLETED);
  snprintf(path, sizeof path, "%s/%s.mp4", workdir, created->id);
  CHECK(tv_download_url_to_file_start(client, video->video_url, path, NULL, &download, NULL) == TV_RESULT_OK);
  tv_video_free(video); /* the request copied what it needs */
  video = NULL;
  CHECK(tv_request_wait(download, 30000) == TV_REQUEST_STATE_DONE);
  CHECK(tv_request_result(download, NULL, NULL) == TV_RESULT_OK);
  CHECK(file_size(path) == VIDEO_SIZE);
  unlink(path);
  tv_request_free(wait);
  tv_request_free(download);
  tv_video_free(created);

  /* Creates, typed and raw, without blocking. */
  {
    TvCreateParams *params = tv_create_params_new();
    TvRequest *typed = NULL, *raw = NULL;
    tv_create_params_set_model(params, "m");
    CHECK(tv_create_video_start(client, params, NULL, &typed, NULL) == TV_RESULT_OK);
    tv_create_params_free(params); /* copied by the request */
    CHECK(tv_create_video_json_start(client, "{\"model\":\"m\"}", NULL, &raw, NULL) == TV_RESULT_OK);
    CHECK(tv_create_video_json_start(client, "{}", NULL, &stuck, NULL) == TV_RESULT_INVALID_ARGUMENT);
    CHECK(tv_request_wait(typed, UINT64_MAX) == TV_REQUEST_STATE_DONE);
    CHECK(tv_request_wait(raw, UINT64_MAX) == TV_REQUEST_STATE_DONE);
    CHECK(tv_request_result(typed, &video, NULL) == TV_RESULT_OK && video->status == TV_VIDEO_STATUS_QUEUED);
    tv_video_free(video);
    CHECK(tv_request_result(raw, &video, NULL) == TV_RESULT_OK && video->status == TV_VIDEO_STATUS_QUEUED);
    tv_video_free(video);
    video = NULL;
    tv_request_free(typed);
    tv_request_free(raw);
  }

  /* Cancel returns at once, even when the server stopped answering. */
  CHECK(tv_get_video_start(client, "stall", NULL, &stuck, NULL) == TV_RESULT_OK);
  sleep_ms(50);
  CHECK(tv_request_poll(stuck) == TV_REQUEST_STATE_PENDING);
  tv_request_cancel(stuck);
  CHECK(tv_request_poll(stuck) == TV_REQUEST_STATE_DONE);
  CHECK(tv_request_result(stuck, &video, NULL) == TV_RESULT_CANCELLED);
  CHECK(video == NULL);
  tv_request_free(stuck);

  /* A download cancelled mid-transfer: once tv_request_cancel returns, neither the file
   * nor its temporary file is there. */
  snprintf(path, sizeof path, "%s/cancelled.mp4", workdir);
  CHECK(tv_download_video_to_file_start(client, "video-at-slow-c.mp4", path, NULL, &download, NULL) == TV_RESULT_OK);
  sleep_ms(300);
  CHECK(tv_request_poll(download) == TV_REQUEST_STATE_PENDING);
  tv_request_cancel(download);
  CHECK(files_in_workdir() == 0);
  CHECK(tv_request_wait(download, 30000) == TV_REQUEST_STATE_DONE);
  CHECK(tv_request_result(download, NULL, NULL) == TV_RESULT_CANCELLED);
  CHECK(files_in_workdir() == 0);
  tv_request_free(download);

  /* Freeing a pending request cancels it. */
  CHECK(tv_get_video_start(client, "stall", NULL, &stuck, NULL) == TV_RESULT_OK);
  tv_request_free(stuck);

  /* Bad arguments are reported at start; NULL requests are harmless. */
  CHECK(tv_get_video_start(client, "..", NULL, &stuck, NULL) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_get_video_start(client, "vid_completed", NULL, NULL, NULL) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_request_poll(NULL) == TV_REQUEST_STATE_INVALID);
  CHECK(tv_request_wait(NULL, 0) == TV_REQUEST_STATE_INVALID);
  CHECK(tv_request_result(NULL, &video, NULL) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_request_on_complete(NULL, on_done, NULL) == TV_RESULT_INVALID_ARGUMENT);
  tv_request_cancel(NULL);
  tv_request_free(NULL);
  tv_wait_options_free(options);
}

/* A completion callback that takes a while and then writes to its user_data: freeing
 * user_data before the callback returned is a write to freed memory, which valgrind
 * and ASan report. */
struct slow_completion {
  atomic_int entered;
  atomic_int finished;
};

static void slow_done(void *user_data) {
  struct slow_completion *state = user_data;
  atomic_store(&state->entered, 1);
  sleep_ms(30);
  atomic_store(&state->finished, 1);
}

struct waiting {
  TvClient *client;
  const char *id;
  TvWaitOptions *wait;
  TvCallOptions *call;
  TvResult code;
};

static void *wait_in_thread(void *arg) {
  struct waiting *call = arg;
  TvVideo *video = NULL;
  call->code = tv_wait_video(call->client, call->id, call->wait, call->call, &video, NULL);
  tv_video_free(video);
  return NULL;
}

/* The header's promises about callbacks and borrowed handles. */
static void test_callback_lifetimes(TvClient *client) {
  /* DONE only once the completion callback has returned; and once tv_request_free
   * returns, it has returned. */
  for (int i = 0; i < 6; i++) {
    struct slow_completion *state = calloc(1, sizeof *state);
    TvRequest *request = NULL;
    CHECK(tv_get_video_start(client, "vid_completed", NULL, &request, NULL) == TV_RESULT_OK);
    CHECK(tv_request_on_complete(request, slow_done, state) == TV_RESULT_OK);
    while (!atomic_load(&state->entered)) sleep_ms(1);
    if (i % 2 == 0) {
      CHECK(tv_request_wait(request, UINT64_MAX) == TV_REQUEST_STATE_DONE);
      CHECK(atomic_load(&state->finished) == 1);
      free(state);
      tv_request_free(request);
    } else {
      tv_request_free(request);
      CHECK(atomic_load(&state->finished) == 1);
      free(state);
    }
  }

  /* A blocking call keeps its own reference to the token and options it was given. */
  {
    TvVideo *created = create(client, "m");
    TvCancelToken *token = tv_cancel_token_new();
    struct waiting call = {client, created->id, tv_wait_options_new(), tv_call_options_new(), TV_RESULT_INTERNAL};
    pthread_t thread;
    tv_wait_options_set_poll_interval_ms(call.wait, 100);
    tv_call_options_set_cancel_token(call.call, token);
    tv_call_options_set_timeout_ms(call.call, 60000);
    CHECK(pthread_create(&thread, NULL, wait_in_thread, &call) == 0);
    sleep_ms(50);
    tv_cancel_token_free(token);
    tv_wait_options_free(call.wait);
    tv_call_options_free(call.call);
    pthread_join(thread, NULL);
    CHECK(call.code == TV_RESULT_OK);
    tv_video_free(created);
  }
}

/* A completion callback may wait for a request it started while another worker thread
 * is idle: the request is left for the callback's thread, and the idle one takes it when
 * the callback does not return. */
struct chained {
  TvClient *client;
  atomic_int inner_result; /* -1 until the inner request's callback ran */
  atomic_int outer_done;
};

static void inner_done(void *user_data) {
  struct chained *state = user_data;
  atomic_store(&state->inner_result, 0);
}

static void outer_done(void *user_data) {
  struct chained *state = user_data;
  TvRequest *inner = NULL;
  CHECK(tv_get_video_start(state->client, "vid_queued", NULL, &inner, NULL) == TV_RESULT_OK);
  CHECK(tv_request_on_complete(inner, inner_done, state) == TV_RESULT_OK);
  /* Blocks this library thread until the other request's callback ran (up to 20 s: a
   * request left for this thread alone fails the check instead of hanging). */
  for (int i = 0; i < 20000 && atomic_load(&state->inner_result) != 0; i++) sleep_ms(1);
  CHECK(atomic_load(&state->inner_result) == 0);
  TvVideo *video = NULL;
  CHECK(tv_request_result(inner, &video, NULL) == TV_RESULT_OK);
  CHECK(video != NULL && strcmp(video->id, "vid_queued") == 0);
  tv_video_free(video);
  tv_request_free(inner);
  atomic_store(&state->outer_done, 1);
}

static void test_blocking_completion(void) {
  TvClient *client = new_client_with(2);
  for (int round = 0; round < 3; round++) {
    struct chained state = {client, -1, 0};
    TvRequest *outer = NULL;
    CHECK(tv_get_video_start(client, "vid_completed", NULL, &outer, NULL) == TV_RESULT_OK);
    CHECK(tv_request_on_complete(outer, outer_done, &state) == TV_RESULT_OK);
    CHECK(tv_request_wait(outer, UINT64_MAX) == TV_REQUEST_STATE_DONE);
    CHECK(atomic_load(&state.outer_done) == 1);
    tv_request_free(outer);
  }
  tv_client_free(client);
}

/* From inside a request's own completion callback: freeing it, cancelling it, freeing the
 * client. Each returns at once (no callback waits for itself), and nothing leaks. */
struct inside {
  TvClient *client;
  TvRequest *request;
  TvRequest *stalled; /* in flight when the client is freed */
  atomic_int done;
};

static void free_own_request(void *user_data) {
  struct inside *state = user_data;
  tv_request_free(state->request);
  atomic_store(&state->done, 1);
}

static void cancel_own_request(void *user_data) {
  struct inside *state = user_data;
  tv_request_cancel(state->request);
  atomic_store(&state->done, 1);
}

static void free_the_client(void *user_data) {
  struct inside *state = user_data;
  tv_client_free(state->client);
  atomic_store(&state->done, 1);
}

static void await_flag(atomic_int *flag) {
  for (int i = 0; i < 20000 && !atomic_load(flag); i++) sleep_ms(1);
  CHECK(atomic_load(flag) == 1);
}

static void test_inside_own_callback(void) {
  TvClient *client = new_client();
  struct inside freed = {client, NULL, NULL, 0};
  struct inside cancelled = {client, NULL, NULL, 0};
  struct inside closing = {NULL, NULL, NULL, 0};

  CHECK(tv_get_video_start(client, "vid_completed", NULL, &freed.request, NULL) == TV_RESULT_OK);
  CHECK(tv_request_on_complete(freed.request, free_own_request, &freed) == TV_RESULT_OK);
  await_flag(&freed.done); /* the request is freed: not touched again */

  CHECK(tv_get_video_start(client, "vid_completed", NULL, &cancelled.request, NULL) == TV_RESULT_OK);
  CHECK(tv_request_on_complete(cancelled.request, cancel_own_request, &cancelled) == TV_RESULT_OK);
  await_flag(&cancelled.done);
  CHECK(tv_request_wait(cancelled.request, UINT64_MAX) == TV_REQUEST_STATE_DONE);
  {
    TvVideo *video = NULL; /* done before the cancel, which changed nothing */
    CHECK(tv_request_result(cancelled.request, &video, NULL) == TV_RESULT_OK);
    CHECK(video != NULL && strcmp(video->id, "vid_completed") == 0);
    tv_video_free(video);
  }
  tv_request_free(cancelled.request);
  tv_client_free(client);

  /* The client freed from a completion callback, with another request stuck on a server
   * that does not answer: that one ends cancelled, and its handle stays usable. */
  closing.client = new_client();
  CHECK(tv_get_video_start(closing.client, "stall", NULL, &closing.stalled, NULL) == TV_RESULT_OK);
  CHECK(tv_get_video_start(closing.client, "vid_completed", NULL, &closing.request, NULL) == TV_RESULT_OK);
  CHECK(tv_request_on_complete(closing.request, free_the_client, &closing) == TV_RESULT_OK);
  await_flag(&closing.done);
  CHECK(tv_request_wait(closing.request, UINT64_MAX) == TV_REQUEST_STATE_DONE);
  CHECK(tv_request_wait(closing.stalled, UINT64_MAX) == TV_REQUEST_STATE_DONE);
  CHECK(tv_request_result(closing.stalled, NULL, NULL) == TV_RESULT_CANCELLED);
  tv_request_free(closing.request);
  tv_request_free(closing.stalled);
}

/* The client's event queue: tagged requests report there, untagged ones do not; a done
 * event means the request's result can be read at once. */
static void test_event_queue(TvClient *client) {
  TvEvent *event = (TvEvent *)1;
  TvCallOptions *call = tv_call_options_new();
  TvRequest *tagged = NULL, *untagged = NULL;
  TvVideo *video = NULL;
  CHECK(tv_client_next_event(client, 0, &event) == TV_RESULT_OK && event == NULL);
  CHECK(tv_client_next_event(client, -2, &event) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_client_next_event(client, 0, NULL) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_client_next_event(NULL, 0, &event) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_call_options_set_event_tag(NULL, 1) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_get_video_start(client, "vid_completed", NULL, &untagged, NULL) == TV_RESULT_OK);
  CHECK(tv_call_options_set_event_tag(call, 0xFFFFFFFFFFFFFFF0ull) == TV_RESULT_OK);
  CHECK(tv_get_video_start(client, "vid_failed", call, &tagged, NULL) == TV_RESULT_OK);
  CHECK(tv_client_next_event(client, -1, &event) == TV_RESULT_OK && event != NULL);
  if (event != NULL) {
    CHECK(event->size == sizeof *event && event->kind == TV_EVENT_KIND_DONE);
    CHECK(event->tag == 0xFFFFFFFFFFFFFFF0ull && event->result == TV_RESULT_OK && event->coalesced == 1);
    CHECK(tv_request_poll(tagged) == TV_REQUEST_STATE_DONE);
    CHECK(tv_request_result(tagged, &video, NULL) == TV_RESULT_OK && video && video->status == TV_VIDEO_STATUS_FAILED);
  }
  tv_event_free(event);
  tv_event_free(NULL);
  CHECK(tv_request_wait(untagged, UINT64_MAX) == TV_REQUEST_STATE_DONE);
  CHECK(tv_client_next_event(client, 50, &event) == TV_RESULT_OK && event == NULL); /* untagged: nothing */
  tv_video_free(video);
  tv_request_free(tagged);
  tv_request_free(untagged);
  tv_call_options_free(call);
}

/* The job journal: a created job is listed until downloaded; a restart (a new client
 * on the same journal) resumes it; one client at a time. */
static void test_journal(void) {
  char journal[600], video_path[600];
  TvClientOptions *options = tv_client_options_new();
  TvClient *first = NULL, *second = NULL;
  TvJournalJobs *jobs = NULL;
  TvVideo *created = NULL, *done = NULL;
  TvWaitOptions *wait = tv_wait_options_new();
  char id[128] = "";
  snprintf(journal, sizeof journal, "%s/jobs.journal", workdir);
  snprintf(video_path, sizeof video_path, "%s/resumed.mp4", workdir);
  CHECK(tv_client_options_set_base_url(options, mock_url) == TV_RESULT_OK);
  CHECK(tv_client_options_set_api_key(options, "test-key") == TV_RESULT_OK);
  CHECK(tv_client_options_set_proxy(options, "") == TV_RESULT_OK);
  CHECK(tv_client_options_set_journal(options, journal) == TV_RESULT_OK);
  CHECK(tv_client_new_with_options(options, &first, NULL) == TV_RESULT_OK);
  CHECK(tv_client_new_with_options(options, &second, NULL) == TV_RESULT_INVALID_ARGUMENT); /* in use */
  CHECK(tv_create_video_json(first, "{\"model\":\"m\"}", NULL, &created, NULL) == TV_RESULT_OK);
  if (created) snprintf(id, sizeof id, "%s", created->id);
  tv_video_free(created);
  tv_client_free(first); /* "the process ends" before waiting */

  CHECK(tv_client_new_with_options(options, &second, NULL) == TV_RESULT_OK);
  CHECK(tv_journal_unfinished(second, &jobs) == TV_RESULT_OK && jobs != NULL);
  if (jobs != NULL) {
    const TvJournalJob *job = tv_journal_jobs_get(jobs, 0);
    CHECK(jobs->count == 1 && job != NULL && tv_journal_jobs_get(jobs, 1) == NULL);
    CHECK(tv_journal_jobs_get(NULL, 0) == NULL);
    if (job != NULL) {
      CHECK(job->size == sizeof *job);
      CHECK(job->id != NULL && strcmp(job->id, id) == 0);
      CHECK(strcmp(job->model, "m") == 0 && job->created_at > 1.0e9);
      CHECK(job->destination == NULL && job->request_hash != NULL);
    }
  }
  tv_journal_jobs_free(jobs);
  CHECK(tv_resume_job(second, id, NULL, wait, NULL, &done, NULL) == TV_RESULT_INVALID_ARGUMENT); /* no path */
  CHECK(tv_wait_options_set_poll_interval_ms(wait, 10) == TV_RESULT_OK);
  CHECK(tv_resume_job(second, id, video_path, wait, NULL, &done, NULL) == TV_RESULT_OK);
  CHECK(done != NULL && done->status == TV_VIDEO_STATUS_COMPLETED);
  CHECK(file_size(video_path) > 0);
  CHECK(tv_journal_unfinished(second, &jobs) == TV_RESULT_OK && jobs != NULL && jobs->count == 0);
  tv_journal_jobs_free(jobs);
  CHECK(tv_journal_forget(second, 12345) == TV_RESULT_OK);
  CHECK(tv_journal_unfinished(NULL, &jobs) == TV_RESULT_INVALID_ARGUMENT);
  CHECK(tv_journal_unfinished(second, NULL) == TV_RESULT_INVALID_ARGUMENT);
  tv_journal_jobs_free(NULL);
  tv_video_free(done);
  tv_client_free(second);
  tv_client_options_free(options);
  tv_wait_options_free(wait);
  remove(video_path);
  remove(journal);
  snprintf(journal + strlen(journal), sizeof journal - strlen(journal), ".lock");
  remove(journal);
}

int main(void) {
  TvClient *client;
  long long started;
  mock_url = getenv("TV_MOCK_URL");
  if (mock_url == NULL) {
    fprintf(stderr, "set TV_MOCK_URL to the mock's base URL (make test-c does)\n");
    return 2;
  }
  temp_dir(workdir, sizeof workdir);
  snprintf(workdir + strlen(workdir), sizeof workdir - strlen(workdir), "/tv-c-lifecycle-%ld", process_id());
  if (make_dir(workdir) != 0) {
    fprintf(stderr, "cannot create %s\n", workdir);
    return 2;
  }

  client = new_client();
  test_create(client);
  test_wait(client);
  test_download(client);
  test_utf8_paths(client);
  test_non_blocking(client);
  test_callback_lifetimes(client);
  test_blocking_completion();
  test_inside_own_callback();
  test_event_queue(client);
  test_journal();
  /* Joins the library's threads, those of the cancelled requests on "stall" included:
   * promptly, since the cancels ended their reads. */
  started = now_ms();
  tv_client_free(client);
  CHECK_UNDER_MS(now_ms() - started, 5000);
  rmdir(workdir);
  return finish("test_lifecycle");
}
