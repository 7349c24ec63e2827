/* What the C tests need from the operating system, for POSIX and for Windows
 * (mingw-w64; scripts/cross-test.sh runs them under Wine). Only the differences live
 * here, so the tests themselves read the same on every platform:
 *
 *   sleep_ms(ms)               sleeps for ms milliseconds
 *   now_ms()                   a monotonic clock in milliseconds, for timing calls
 *   setenv(name, value, 1)     POSIX's; on Windows over _putenv_s, which sets the
 *   unsetenv(name)             process environment that the library reads as well
 *   make_dir(path)             creates a directory only the user can enter
 *   temp_dir(buffer, size)     a directory for scratch files, without a trailing
 *                              separator: /tmp, or GetTempPath's on Windows
 *   process_id()               the process id, to name scratch files
 *
 * Threads are pthreads everywhere: mingw-w64's winpthreads (-pthread) on Windows.
 * Include it after the C library's headers, with _POSIX_C_SOURCE 200809L defined
 * before them. Paths are joined with '/', which Windows accepts as well. */
#ifndef TV_COMPAT_H
#define TV_COMPAT_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef _WIN32

#include <direct.h> /* _mkdir, rmdir */
#include <io.h>     /* unlink */
#include <process.h>
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

static inline void sleep_ms(long ms) { Sleep((DWORD)ms); }

static inline long long now_ms(void) { return (long long)GetTickCount64(); }

/* _putenv_s updates the C runtime's copy and the process environment
 * (GetEnvironmentVariable, which Rust's std::env reads). An empty value removes the
 * variable, so setenv cannot set one to "" here: no test does. */
static inline int setenv(const char *name, const char *value, int overwrite) {
  if (!overwrite && getenv(name) != NULL) return 0;
  return _putenv_s(name, value) == 0 ? 0 : -1;
}

static inline int unsetenv(const char *name) { return _putenv_s(name, "") == 0 ? 0 : -1; }

static inline int make_dir(const char *path) { return _mkdir(path); }

static inline void temp_dir(char *buffer, size_t size) {
  char path[MAX_PATH + 1];
  DWORD length = GetTempPathA(sizeof path, path);
  if (length == 0 || length > MAX_PATH) { /* no usable temporary directory: the current one */
    snprintf(buffer, size, ".");
    return;
  }
  if (path[length - 1] == '\\' || path[length - 1] == '/') path[length - 1] = '\0';
  snprintf(buffer, size, "%s", path);
}

static inline long process_id(void) { return (long)_getpid(); }

#else /* POSIX */

#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

static inline void sleep_ms(long ms) {
  struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&pause, NULL);
}

static inline long long now_ms(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static inline int make_dir(const char *path) { return mkdir(path, 0700); }

static inline void temp_dir(char *buffer, size_t size) { snprintf(buffer, size, "/tmp"); }

static inline long process_id(void) { return (long)getpid(); }

#endif

#endif
