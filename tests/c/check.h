/* A minimal test harness for the C tests: CHECK records a failure and goes on;
 * finish() prints the closing "N passed, N failed" line and returns the exit code. */
#ifndef TV_CHECK_H
#define TV_CHECK_H

#include <stdio.h>
#include <string.h>

static int checks_passed;
static int checks_failed;

#define CHECK(condition)                                                        \
  do {                                                                          \
    if (condition) {                                                            \
      checks_passed++;                                                          \
    } else {                                                                    \
      checks_failed++;                                                          \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,          \
              #condition);                                                      \
    }                                                                           \
  } while (0)

/* Two C strings are equal, NULL only to NULL. */
static int same_text(const char *a, const char *b) {
  if (a == NULL || b == NULL) return a == b;
  return strcmp(a, b) == 0;
}

#define CHECK_TEXT(actual, expected)                                            \
  do {                                                                          \
    const char *actual_ = (actual), *expected_ = (expected);                    \
    if (same_text(actual_, expected_)) {                                        \
      checks_passed++;                                                          \
    } else {                                                                    \
      checks_failed++;                                                          \
      fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__,       \
              __LINE__, #actual, actual_ ? actual_ : "(null)",                  \
              expected_ ? expected_ : "(null)");                                \
    }                                                                           \
  } while (0)

/* Something timed took less than limit_ms milliseconds (elapsed_ms from now_ms()). */
#define CHECK_UNDER_MS(elapsed_ms, limit_ms)                                    \
  do {                                                                          \
    long long elapsed_ = (elapsed_ms);                                          \
    if (elapsed_ < (limit_ms)) {                                                \
      checks_passed++;                                                          \
    } else {                                                                    \
      checks_failed++;                                                          \
      fprintf(stderr, "%s:%d: %s is %lld ms, expected under %d ms\n", __FILE__, \
              __LINE__, #elapsed_ms, elapsed_, (int)(limit_ms));                \
    }                                                                           \
  } while (0)

static int finish(const char *suite) {
  printf("%s: %d passed, %d failed\n", suite, checks_passed, checks_failed);
  return checks_failed == 0 ? 0 : 1;
}

#endif
