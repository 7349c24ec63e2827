#!/usr/bin/env bash
# Usage: scripts/cross-test.sh TARGET
#
# Builds the C test suites (tests/c) for TARGET into target/cross/TARGET/ against the
# library already built for it (target/TARGET/release, `make cross`) and runs each
# against the mock of Together's API (target/release/tv-mock, native) on loopback:
#
#   x86_64-pc-windows-gnu      MinGW, linked with the DLL's import library, under Wine,
#                              with the DLL and the test-only ProcessPrng shim
#                              (tests/windows/processprng.c) beside the programs; also
#                              the README's C quick start and examples/get_video.c
#   aarch64-unknown-linux-gnu  linked with the .so and with the .a, under qemu-aarch64
#   x86_64-unknown-linux-musl  fully static (musl-gcc -static, the .a and Rust's
#                              unwinder), checked with ldd
#
# Prints each suite's "N passed, N failed" line, then "cross-test TARGET: N passed,
# N failed", counting programs run (and the static check); exits non-zero on any
# failure. Wine runs in a prefix of its own, target/cross/wine, made on first use.
# Environment: MINGW_CC, AARCH64_CC, AARCH64_SYSROOT (/usr/aarch64-linux-gnu), MUSL_CC,
# CROSS_TEST_TIMEOUT (seconds per program, 600).
set -euo pipefail

target=${1:-}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

mock=target/release/tv-mock
lib=target/$target/release
out=target/cross/$target
suites=(test_get_video test_lifecycle test_log)
strict=(-std=c11 -Wall -Wextra -Wpedantic -Werror -g -Iinclude)
limit=${CROSS_TEST_TIMEOUT:-600}
passed=0
failed=0
started=$SECONDS

case $target in
  x86_64-pc-windows-gnu | aarch64-unknown-linux-gnu | x86_64-unknown-linux-musl) ;;
  *)
    echo "usage: $0 x86_64-pc-windows-gnu|aarch64-unknown-linux-gnu|x86_64-unknown-linux-musl" >&2
    exit 2
    ;;
esac

need() { # file...: each must exist (the library is built by `make cross`, the mock by `make build`)
  local file
  for file in "$@"; do
    [ -e "$file" ] || { echo "cross-test $target: $file is missing (make build cross)" >&2; exit 2; }
  done
}

pass() { passed=$((passed + 1)); }
fail() { # name why
  failed=$((failed + 1))
  echo "cross-test $target: $1 failed: $2" >&2
}

# build NAME COMPILER-COMMAND...: compiles one program; a failure counts and is reported.
build() {
  local name=$1
  shift
  "$@" || { fail "$name" "does not build"; return 1; }
}

# run NAME COMMAND...: runs COMMAND against a fresh mock (TV_MOCK_URL set, no
# TOGETHER_API_KEY or TOGETHER_BASE_URL from the caller), bounded by the time limit.
run() {
  local name=$1 status=0
  shift
  env -u TOGETHER_API_KEY -u TOGETHER_BASE_URL scripts/with-mock.sh "$mock" -- timeout "$limit" "$@" || status=$?
  case $status in
    0) pass ;;
    124) fail "$name" "timed out after $limit s" ;;
    *) fail "$name" "exit status $status" ;;
  esac
}

rm -rf "$out"
mkdir -p "$out"
need "$mock"

case $target in
  x86_64-pc-windows-gnu)
    cc=${MINGW_CC:-x86_64-w64-mingw32-gcc}
    need "$lib/together_video.dll" "$lib/libtogether_video.dll.a"
    # -static: winpthreads and libgcc go into each program, so only the DLL sits beside it.
    windows=("${strict[@]}" -static)
    import_lib=$lib/libtogether_video.dll.a
    cp "$lib/together_video.dll" "$out/"
    # The test-only ProcessPrng shim beside the programs, and our own Wine prefix.
    # shellcheck source=scripts/wine.sh
    . scripts/wine.sh
    wine_prepare "$out"
    # Wine gives every run the same process id, so a run that died leaves a directory the
    # next one would need.
    rm -rf "$WINEPREFIX"/drive_c/users/*/Temp/tv-c-lifecycle-*
    for suite in "${suites[@]}"; do
      build "$suite" "$cc" "${windows[@]}" -pthread -o "$out/$suite.exe" "tests/c/$suite.c" "$import_lib" || continue
      run "$suite" sh -c "cd '$out' && exec wine $suite.exe"
    done
    # The README's quick start (extracted as `make test-c` does) and an example, as users build them.
    awk '/^## C quick start/{on=1} on&&/^```c/{grab=1;next} grab&&/^```/{exit} grab' README.md \
      > "$out/readme_quick_start.c"
    # shellcheck disable=SC2016 # expanded by the sh -c below, where TV_MOCK_URL is set
    as_user='TOGETHER_API_KEY=test-key TOGETHER_BASE_URL=$TV_MOCK_URL NO_PROXY=127.0.0.1'
    if build readme_quick_start "$cc" "${windows[@]}" -o "$out/readme_quick_start.exe" \
      "$out/readme_quick_start.c" "$import_lib"; then
      # It looks up video_abc123, which the mock does not have: it must say so, and exit 0.
      run readme_quick_start sh -c "cd '$out' && $as_user wine readme_quick_start.exe > readme_quick_start.out 2>&1 \
        && grep -q 'video_abc123' readme_quick_start.out || { cat readme_quick_start.out >&2; exit 1; }"
    fi
    if build get_video "$cc" "${windows[@]}" -o "$out/get_video.exe" examples/get_video.c "$import_lib"; then
      run get_video sh -c "cd '$out' && $as_user wine get_video.exe vid_completed vid_failed > get_video.out 2>&1 \
        && grep -q 'status    completed' get_video.out && grep -q 'content_policy_violation' get_video.out \
        || { cat get_video.out >&2; exit 1; }"
    fi
    ;;

  aarch64-unknown-linux-gnu)
    cc=${AARCH64_CC:-aarch64-linux-gnu-gcc}
    sysroot=${AARCH64_SYSROOT:-/usr/aarch64-linux-gnu}
    need "$lib/libtogether_video.so" "$lib/libtogether_video.a" "$sysroot"
    # The programs find the .so under its SONAME in lib/ beside them ($ORIGIN), a copy.
    soname=$(readelf -d "$lib/libtogether_video.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
    mkdir -p "$out/lib"
    cp "$lib/libtogether_video.so" "$out/lib/${soname:-libtogether_video.so}"
    for suite in "${suites[@]}"; do
      # shellcheck disable=SC2016 # $ORIGIN is for the dynamic linker, not the shell
      if build "$suite shared" "$cc" "${strict[@]}" -pthread -o "$out/${suite}_shared" "tests/c/$suite.c" \
        -L"$lib" -ltogether_video -Wl,-rpath,'$ORIGIN/lib'; then
        run "$suite shared" qemu-aarch64 -L "$sysroot" "$out/${suite}_shared"
      fi
      # What a static link of the library needs, as for Linux x86_64 (Makefile STATIC_LIBS).
      if build "$suite static" "$cc" "${strict[@]}" -pthread -o "$out/${suite}_static" "tests/c/$suite.c" \
        "$lib/libtogether_video.a" -lpthread -ldl -lm -lrt -lutil -lgcc_s; then
        run "$suite static" qemu-aarch64 -L "$sysroot" "$out/${suite}_static"
      fi
    done
    ;;

  x86_64-unknown-linux-musl)
    cc=${MUSL_CC:-musl-gcc}
    # Rust's unwinder, a separate archive: without it the unwinder comes from the host
    # GCC's libgcc_eh.a, built for glibc, which needs _dl_find_object (not in musl).
    unwind=$(rustc --print sysroot)/lib/rustlib/$target/lib/self-contained/libunwind.a
    need "$lib/libtogether_video.a" "$unwind"
    for suite in "${suites[@]}"; do
      build "$suite" "$cc" -static "${strict[@]}" -pthread -o "$out/$suite" "tests/c/$suite.c" \
        "$lib/libtogether_video.a" "$unwind" || continue
      linked=$(ldd "$out/$suite" 2>&1 || true) # ldd fails on a static program, as it should
      case $linked in
        *"not a dynamic executable"*) pass ;;
        *) fail "$suite static" "ldd says: $linked" ;;
      esac
      run "$suite" "$out/$suite"
    done
    ;;
esac

echo "cross-test $target: took $((SECONDS - started)) s"
echo "cross-test $target: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
