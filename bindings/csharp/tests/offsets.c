/* Prints the offset of each TvVideo field as the C compiler lays it out, for the C#
 * test that checks its StructLayout against the header. */
#include <stddef.h>
#include <stdio.h>

#include "together_video.h"

#define FIELD(name) printf("%s %zu\n", #name, offsetof(TvVideo, name))

int main(void) {
  FIELD(id); FIELD(object); FIELD(model); FIELD(status); FIELD(status_raw);
  FIELD(created_at); FIELD(has_completed_at); FIELD(completed_at); FIELD(size);
  FIELD(seconds); FIELD(error_code); FIELD(error_message); FIELD(has_outputs);
  FIELD(cost); FIELD(video_url); FIELD(json);
  printf("sizeof %zu\n", sizeof(TvVideo));
  return 0;
}
