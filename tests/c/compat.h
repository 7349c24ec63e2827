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
 * Paths in UTF-8, as the library takes them (on Windows through the wide-character
 * API, so that a name outside ASCII reaches the file system as it is spelled, not in
 * the ANSI code page; the test's own directories, from temp_dir, are ASCII):
 *
 *   fopen_utf8(path, mode)     fopen
 *   make_dir_utf8(path)        make_dir
 *   remove_utf8(path)          remove
 *   remove_dir_utf8(path)      rmdir: fails unless the directory is empty
 *   list_dir_utf8(path, names, size)
 *                              the number of entries in a directory ("." and ".."
 *                              left out), -1 if it cannot be read; their names in
 *                              UTF-8 go to names, each followed by '\n' (cut short
 *                              when size is too small)
 *
 * Threads are pthreads everywhere: mingw-w64's winpthreads (-pthread) on Windows.
 * Include it after the C library's headers, with _POSIX_C_SOURCE 200809L defined
 * before them. Paths are joined with '/', which Windows accepts as well. */
#ifndef TV_COMPAT_H
#define TV_COMPAT_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Adds name and a '\n' to the names list_dir_utf8 writes. */
static inline void compat_add_name(char *names, size_t size, const char *name) {
  size_t used = strlen(names);
  if (used < size) snprintf(names + used, size - used, "%s\n", name);
}

#ifdef _WIN32

#include <direct.h> /* _mkdir, rmdir */
#include <io.h>     /* unlink */
#include <process.h>
#include <wchar.h>  /* wcscmp, _wfopen, _wmkdir, _wremove, _wrmdir */
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

/* A new wide copy of UTF-8 text (free it), NULL if it is not valid UTF-8. */
static inline wchar_t *compat_wide(const char *text) {
  int length = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text, -1, NULL, 0);
  wchar_t *wide;
  if (length <= 0) return NULL;
  wide = malloc((size_t)length * sizeof *wide);
  if (wide != NULL && MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text, -1, wide, length) != length) {
    free(wide);
    wide = NULL;
  }
  return wide;
}

static inline FILE *fopen_utf8(const char *path, const char *mode) {
  wchar_t *wide_path = compat_wide(path), *wide_mode = compat_wide(mode);
  FILE *file = wide_path != NULL && wide_mode != NULL ? _wfopen(wide_path, wide_mode) : NULL;
  free(wide_path);
  free(wide_mode);
  return file;
}

/* Calls a _w* function of one path with `path` in UTF-16: -1 when it cannot be converted. */
static inline int compat_on_wide_path(const char *path, int (*call)(const wchar_t *)) {
  wchar_t *wide = compat_wide(path);
  int result = wide != NULL ? call(wide) : -1;
  free(wide);
  return result;
}

static inline int make_dir_utf8(const char *path) { return compat_on_wide_path(path, _wmkdir); }

static inline int remove_utf8(const char *path) { return compat_on_wide_path(path, _wremove); }

static inline int remove_dir_utf8(const char *path) { return compat_on_wide_path(path, _wrmdir); }

static inline int list_dir_utf8(const char *path, char *names, size_t size) {
  size_t length = strlen(path);
  char *pattern = malloc(length + 3);
  wchar_t *wide;
  WIN32_FIND_DATAW found;
  HANDLE search;
  int count = 0;
  if (size > 0) names[0] = '\0';
  if (pattern == NULL) return -1;
  snprintf(pattern, length + 3, "%s/*", path);
  wide = compat_wide(pattern);
  free(pattern);
  if (wide == NULL) return -1;
  search = FindFirstFileW(wide, &found);
  free(wide);
  if (search == INVALID_HANDLE_VALUE) return -1;
  do {
    char name[4 * MAX_PATH];
    if (wcscmp(found.cFileName, L".") == 0 || wcscmp(found.cFileName, L"..") == 0) continue;
    if (WideCharToMultiByte(CP_UTF8, 0, found.cFileName, -1, name, (int)sizeof name, NULL, NULL) == 0) {
      snprintf(name, sizeof name, "(not convertible to UTF-8)");
    }
    compat_add_name(names, size, name);
    count++;
  } while (FindNextFileW(search, &found));
  FindClose(search);
  return count;
}

#else /* POSIX */

#include <dirent.h>
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

/* POSIX paths are bytes: UTF-8 goes to the file system as it is. */
static inline FILE *fopen_utf8(const char *path, const char *mode) { return fopen(path, mode); }

static inline int make_dir_utf8(const char *path) { return make_dir(path); }

static inline int remove_utf8(const char *path) { return remove(path); }

static inline int remove_dir_utf8(const char *path) { return rmdir(path); }

static inline int list_dir_utf8(const char *path, char *names, size_t size) {
  DIR *dir = opendir(path);
  struct dirent *entry;
  int count = 0;
  if (size > 0) names[0] = '\0';
  if (dir == NULL) return -1;
  while ((entry = readdir(dir)) != NULL) {
    if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
    compat_add_name(names, size, entry->d_name);
    count++;
  }
  closedir(dir);
  return count;
}

#endif

#endif
