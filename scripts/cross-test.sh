#!/usr/bin/env bash
# Usage: scripts/cross-test.sh TARGET
#
# Builds the C test suites (tests/c), the README's C quick start and every C example
# (examples/*.c) for TARGET into target/cross/TARGET/ against the library already built
# for it (target/TARGET/release, `make cross`) and runs each against the mock of
# Together's API (target/release/tv-mock, native) on loopback. The quick start and the
# examples are run and checked by scripts/run-examples.sh, as natively.
#
#   x86_64-pc-windows-gnu      MinGW, linked with the DLL's import library, under Wine,
#                              with the DLL and the test-only ProcessPrng shim
#                              (tests/windows/processprng.c) beside the programs; also
#                              checks that the .def `make cross` wrote names every
#                              function of the header, and links the quick start again
#                              through an import library made from that .def (dlltool)
#   aarch64-unknown-linux-gnu  the suites linked with the .so and with the .a, the
#                              examples with the .so, under qemu-aarch64
#   x86_64-unknown-linux-musl  fully static (musl-gcc -static, the .a and Rust's
#                              unwinder), the suites checked with ldd
#
# Prints each suite's "N passed, N failed" line, then "cross-test TARGET: N passed,
# N failed", counting programs run (each example once, and the static and .def checks);
# exits non-zero on any failure. Wine runs in a prefix of its own, target/cross/wine,
# made on first use.
# Environment: MINGW_CC, MINGW_DLLTOOL, AARCH64_CC, AARCH64_SYSROOT
# (/usr/aarch64-linux-gnu), MUSL_CC, CROSS_TEST_TIMEOUT (seconds per program, 600).
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
suffix=  # of the programs' file names: .exe on Windows
runner=() # what runs a program built for the target

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
    need "$lib/together_video.def"
    # The .def `make cross` wrote (scripts/windows-def.sh) names exactly the header's functions.
    if diff <(grep -oE '\btv_[a-z0-9_]+ *\(' include/together_video.h | tr -d ' (' | sort -u) \
      <(sed -n 's/^    //p' "$lib/together_video.def") > "$out/def.diff"; then
      pass
    else
      fail together_video.def "does not name the header's functions (< header, > .def):
$(cat "$out/def.diff")"
    fi
    # The quick start linked through an import library made from the .def, as an MSVC
    # user's `lib /def` makes one (here dlltool's), beside its own copy of the DLL.
    mkdir -p "$out/def"
    cp "$lib/together_video.dll" "$out/def/"
    wine_prepare "$out/def"
    link_def() { # name source
      ${MINGW_DLLTOOL:-x86_64-w64-mingw32-dlltool} -d "$lib/together_video.def" -l "$out/def/together_video.lib" &&
        "$cc" "${windows[@]}" -o "$out/def/$1.exe" "$2" "$out/def/together_video.lib"
    }
    # Every example as users build them, and how they run.
    link_example() { "$cc" "${windows[@]}" -pthread -o "$out/$1.exe" "$2" "$import_lib"; }
    suffix=.exe
    runner=(wine)
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
    # shellcheck disable=SC2016 # $ORIGIN is for the dynamic linker, not the shell
    link_example() { "$cc" "${strict[@]}" -pthread -o "$out/$1" "$2" -L"$lib" -ltogether_video -Wl,-rpath,'$ORIGIN/lib'; }
    runner=(qemu-aarch64 -L "$sysroot")
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
    link_example() { "$cc" -static "${strict[@]}" -pthread -o "$out/$1" "$2" "$lib/libtogether_video.a" "$unwind"; }
    runner=()
    ;;
esac

# The README's quick start (extracted as `make test-c` does) and every C example, built
# for the target as its users build them (link_example above) and run under its runner
# (runner above) by scripts/run-examples.sh, which holds each one's arguments and checks.
awk '/^## C quick start/{on=1} on&&/^```c/{grab=1;next} grab&&/^```/{exit} grab' README.md \
  > "$out/readme_quick_start.c"
programs=(readme_quick_start)
for source in examples/*.c; do programs+=("$(basename "$source" .c)"); done
for program in "${programs[@]}"; do
  source=examples/$program.c
  [ "$program" = readme_quick_start ] && source=$out/readme_quick_start.c
  build "$program" link_example "$program" "$source" || continue
  run "$program" scripts/run-examples.sh -q -C "$out" -s "$suffix" "$program" -- "${runner[@]}"
done
if [ "$target" = x86_64-pc-windows-gnu ] &&
  build "readme_quick_start (.def)" link_def readme_quick_start "$out/readme_quick_start.c"; then
  run "readme_quick_start (.def)" scripts/run-examples.sh -q -C "$out/def" -s .exe readme_quick_start -- wine
fi

echo "cross-test $target: took $((SECONDS - started)) s"
echo "cross-test $target: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
