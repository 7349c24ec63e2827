/* Prints the offset of each field of the structs the C# binding declares (TvVideo,
 * TvLogEvent, TvClientStats, TvEvent, TvJournalJob, TvJournalJobs) and their sizes, as
 * the C compiler lays them out, for the C# test that checks its StructLayouts against
 * the header: "Struct.field offset" and "Struct.sizeof size", one a line. */
#include <stddef.h>
#include <stdio.h>

#include "together_video.h"

#define FIELD(type, name) printf("%s.%s %zu\n", #type, #name, offsetof(type, name))
#define SIZE(type) printf("%s.sizeof %zu\n", #type, sizeof(type))

int main(void) {
  FIELD(TvVideo, id); FIELD(TvVideo, object); FIELD(TvVideo, model); FIELD(TvVideo, status);
  FIELD(TvVideo, status_raw); FIELD(TvVideo, created_at); FIELD(TvVideo, has_completed_at);
  FIELD(TvVideo, completed_at); FIELD(TvVideo, size); FIELD(TvVideo, seconds);
  FIELD(TvVideo, error_code); FIELD(TvVideo, error_message); FIELD(TvVideo, has_outputs);
  FIELD(TvVideo, cost); FIELD(TvVideo, video_url); FIELD(TvVideo, json);
  SIZE(TvVideo);

  FIELD(TvLogEvent, size); FIELD(TvLogEvent, level); FIELD(TvLogEvent, kind);
  FIELD(TvLogEvent, message); FIELD(TvLogEvent, method); FIELD(TvLogEvent, url);
  FIELD(TvLogEvent, attempt); FIELD(TvLogEvent, status); FIELD(TvLogEvent, duration_us);
  FIELD(TvLogEvent, request_id); FIELD(TvLogEvent, bytes); FIELD(TvLogEvent, reason);
  FIELD(TvLogEvent, delay_ms); FIELD(TvLogEvent, delay_from_server); FIELD(TvLogEvent, job_id);
  FIELD(TvLogEvent, job_status); FIELD(TvLogEvent, offset); FIELD(TvLogEvent, total);
  FIELD(TvLogEvent, result); FIELD(TvLogEvent, detail);
  SIZE(TvLogEvent);

  FIELD(TvClientStats, size); FIELD(TvClientStats, requests); FIELD(TvClientStats, attempts);
  FIELD(TvClientStats, retries_rate_limited); FIELD(TvClientStats, retries_server);
  FIELD(TvClientStats, retries_connection); FIELD(TvClientStats, retries_timeout);
  FIELD(TvClientStats, responses_1xx); FIELD(TvClientStats, responses_2xx);
  FIELD(TvClientStats, responses_3xx); FIELD(TvClientStats, responses_4xx);
  FIELD(TvClientStats, responses_5xx); FIELD(TvClientStats, bytes_sent);
  FIELD(TvClientStats, bytes_received); FIELD(TvClientStats, connections_opened);
  FIELD(TvClientStats, connections_reused); FIELD(TvClientStats, requests_in_flight);
  FIELD(TvClientStats, errors);
  SIZE(TvClientStats);
  printf("TV_STATS_ERROR_SLOTS %d\n", TV_STATS_ERROR_SLOTS);

  FIELD(TvEvent, size); FIELD(TvEvent, kind); FIELD(TvEvent, tag); FIELD(TvEvent, job_id);
  FIELD(TvEvent, status); FIELD(TvEvent, status_raw); FIELD(TvEvent, received);
  FIELD(TvEvent, total); FIELD(TvEvent, result); FIELD(TvEvent, coalesced);
  SIZE(TvEvent);

  FIELD(TvJournalJob, size); FIELD(TvJournalJob, entry); FIELD(TvJournalJob, id); FIELD(TvJournalJob, model);
  FIELD(TvJournalJob, created_at); FIELD(TvJournalJob, request_hash);
  FIELD(TvJournalJob, status_raw); FIELD(TvJournalJob, destination);
  SIZE(TvJournalJob);

  FIELD(TvJournalJobs, count);
  SIZE(TvJournalJobs);
  return 0;
}
