#!/usr/bin/env bash
# Uses each release archive as a user would, against the mock on loopback:
# - Linux x86_64: the C++ wrapper's test built with CMake's find_package, shared and static;
# - Linux arm64: the same, cross-built with CMake, run under qemu-aarch64;
# - musl: examples/get_video.c linked fully static, once with the archive's pkg-config
#   file and once by a C project of CMake's through find_package(TogetherVideo);
# - Windows: the C++ journey (create, wait, download) built with MinGW, run under Wine.
# Usage: scripts/test-dist.sh VERSION   (after `make dist`)
set -euo pipefail
shopt -s inherit_errexit # a failing command inside $(...) fails the script too
version=$1
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
mock=target/release/tv-mock
work=target/dist-test
rm -rf "$work"
mkdir -p "$work"
passed=0 failed=0
check() { # name command...
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "test-dist: $name failed" >&2
  fi
}
unpack() { # target -> the unpacked directory
  local archive=target/dist/together-video-$version-$1
  if [ -f "$archive.zip" ]; then unzip -q "$archive.zip" -d "$work"; else tar -xzf "$archive.tar.gz" -C "$work"; fi
  echo "$top/$work/together-video-$version-$1"
}
with_mock() { scripts/with-mock.sh "$mock" -- "$@"; }

# Linux x86_64 and arm64: tests/cpp against the unpacked package.
cpp_with_cmake() { # target build-dir runner... (runner empty for native)
  local target=$1 build=$2
  shift 2
  local prefix
  prefix=$(unpack "$target")
  local cross=()
  if [ "$target" = aarch64-unknown-linux-gnu ]; then
    cross=(-DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=aarch64
      -DCMAKE_CXX_COMPILER=aarch64-linux-gnu-g++)
  fi
  cmake -S tests/cpp -B "$build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release "${cross[@]}" > /dev/null
  cmake --build "$build" > /dev/null
  local program
  for program in test_wrapper test_wrapper_static; do
    check "$target $program" with_mock "$@" "$build/$program"
  done
}
cpp_with_cmake x86_64-unknown-linux-gnu "$work/build-x86_64"
cpp_with_cmake aarch64-unknown-linux-gnu "$work/build-aarch64" qemu-aarch64 -L /usr/aarch64-linux-gnu

# musl: a fully static C program from the archive's pkg-config file.
prefix=$(unpack x86_64-unknown-linux-musl)
read -ra flags <<< "$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs together_video)"
musl-gcc -static -std=c11 -Wall -Wextra -Werror -o "$work/get_video_static" examples/get_video.c "${flags[@]}"
check "musl static" sh -c "ldd '$work/get_video_static' 2>&1 | grep -q 'not a dynamic executable'"
check "musl get_video" with_mock sh -c "TOGETHER_API_KEY=test-key TOGETHER_BASE_URL=\$TV_MOCK_URL NO_PROXY=127.0.0.1 \
  '$work/get_video_static' vid_completed vid_failed > /dev/null"

# musl through CMake: a C project (CC=musl-gcc) that finds the archive with
# find_package(TogetherVideo), links TogetherVideo::together_video_static with -static,
# and runs. C, not the C++ test the glibc archives get: a C++ program needs a C++
# standard library built for musl, and Debian has no musl C++ toolchain (musl-gcc wraps
# gcc for C only; g++ would bring glibc's libstdc++, which cannot link against musl).
musl_cmake=$work/musl-cmake
mkdir -p "$musl_cmake"
cat > "$musl_cmake/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(together_video_musl_static C)
find_package(TogetherVideo 0.2 REQUIRED)
add_executable(get_video ${EXAMPLE})
set_target_properties(get_video PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON)
target_compile_options(get_video PRIVATE -Wall -Wextra -Wpedantic -Werror)
target_link_libraries(get_video PRIVATE TogetherVideo::together_video_static)
target_link_options(get_video PRIVATE -static)
CMAKE
CC=musl-gcc cmake -S "$musl_cmake" -B "$musl_cmake/build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DEXAMPLE="$top/examples/get_video.c" -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$musl_cmake/build" > /dev/null
check "musl cmake found the archive" grep -qx "TogetherVideo_DIR:PATH=$prefix/lib/cmake/TogetherVideo" \
  "$musl_cmake/build/CMakeCache.txt"
check "musl cmake static" sh -c "ldd '$musl_cmake/build/get_video' 2>&1 | grep -q 'not a dynamic executable'"
check "musl cmake get_video" with_mock scripts/run-examples.sh -q -C "$musl_cmake/build" get_video

# Windows: the C++ journey from the archive, under Wine.
prefix=$(unpack x86_64-pc-windows-gnu)
bin=$work/windows
mkdir -p "$bin"
x86_64-w64-mingw32-g++-posix -std=c++17 -Wall -Wextra -Werror -static -I"$prefix/include" -o "$bin/journey.exe" \
  examples/cpp/journey.cpp "$prefix/lib/libtogether_video.dll.a"
cp "$prefix/bin/together_video.dll" "$bin/"
# shellcheck source=scripts/wine.sh
. scripts/wine.sh
wine_prepare "$bin"
# Its output is kept, and shown with its exit status if it fails.
windows_journey() {
  local status=0
  with_mock sh -c "cd '$bin' && TOGETHER_API_KEY=test-key TOGETHER_BASE_URL=\$TV_MOCK_URL \
    NO_PROXY=127.0.0.1 DEMO_POLL_MS=20 wine journey.exe journey.mp4 > journey.log 2>&1" || status=$?
  if [ "$status" -eq 0 ] && [ -s "$bin/journey.mp4" ]; then return 0; fi
  echo "test-dist: journey.exe exited with status $status$([ -s "$bin/journey.mp4" ] || echo ", no video saved"); it said:" >&2
  sed 's/^/  | /' "$bin/journey.log" >&2
  return 1
}
check "windows journey" windows_journey

echo "test-dist: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
