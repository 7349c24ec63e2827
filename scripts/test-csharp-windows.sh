#!/usr/bin/env bash
# The C# tests on Windows: under CoreCLR for win-x64 (.NET Core 3.1.2,
# scripts/install-coreclr.sh) in Wine, with the Windows build of the library (`make
# cross`), against the Linux mock on loopback. So the binding's Windows path runs as a
# .NET program on Windows takes it: together_video.dll found beside the program, its
# load-failure help, P/Invoke and callbacks with the Windows x64 ABI, the structs as
# MinGW lays them out (offsets.c built for Windows). Beside the programs also the
# test-only ProcessPrng shim (scripts/wine.sh), never shipped.
#
# Usage: scripts/test-csharp-windows.sh DOTNET_DIR   (`make test-csharp-windows`; the
# runtime in DOTNET_DIR, the C# programs in target/csharp, the DLL in
# target/x86_64-pc-windows-gnu/release)
set -euo pipefail
dotnet_dir=$1
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=target/csharp/windows
dll=target/x86_64-pc-windows-gnu/release/together_video.dll
for file in "$dotnet_dir/dotnet.exe" "$dll" target/csharp/TogetherVideo.Tests.exe target/release/tv-mock; do
  [ -e "$file" ] || { echo "test-csharp-windows: $file is missing" >&2; exit 2; }
done

rm -rf "$out"
mkdir -p "$out"
cp target/csharp/TogetherVideo.dll target/csharp/TogetherVideo.xml target/csharp/TogetherVideo.Tests.exe "$dll" "$out/"
cp "$dotnet_dir/runtimeconfig.json" "$out/TogetherVideo.Tests.runtimeconfig.json"
x86_64-w64-mingw32-gcc -std=c11 -Wall -Wextra -Wpedantic -Werror -Iinclude -o "$out/offsets.exe" bindings/csharp/tests/offsets.c

# shellcheck source=scripts/wine.sh
source scripts/wine.sh
wine_prepare "$out"
wine "$out/offsets.exe" | tr -d '\r' > "$out/offsets.txt"
# Every test must run here (TV_TESTS_NO_SKIP): none is for Linux alone any more.
TV_FIXTURES=tests/fixtures TV_OFFSETS="$(winepath -w "$out/offsets.txt")" TV_TESTS_NO_SKIP=1 \
  scripts/with-mock.sh target/release/tv-mock -- wine "$dotnet_dir/dotnet.exe" exec "$(winepath -w "$out/TogetherVideo.Tests.exe")"
