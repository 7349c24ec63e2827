#!/usr/bin/env bash
# The NuGet package as a user gets it: read with System.IO.Packaging (tests/packages/
# NuGetCheck.cs), then restored into a scratch project the way NuGet lays it out (the
# global packages folder, then lib/netstandard2.0 and runtimes/linux-x64/native copied
# beside the program, as a build for linux-x64 does), the C# sample compiled against it
# with mcs and run against the mock with no LD_LIBRARY_PATH: the library is found
# beside the program. Then the same sample under CoreCLR as `dotnet build` leaves a
# program that references the package: its deps.json names the package's assets, and the
# host takes them from the packages folder, the native library from runtimes/<RID>/native.
# The same again under CoreCLR for win-x64 in Wine, with the package's win-x64 DLL.
# Usage: scripts/test-csharp-package.sh VERSION [DOTNET [DOTNET_WINDOWS_DIR]]
# (`make test-csharp-package`; DOTNET is a CoreCLR host, and DOTNET_WINDOWS_DIR holds
# dotnet.exe, both scripts/install-coreclr.sh's)
set -euo pipefail
version=$1
dotnet=${2:-}
dotnet_windows=${3:-}
top=$(cd "$(dirname "$0")/.." && pwd)
package=$top/target/csharp/package/TogetherVideo.$version.nupkg
work=$top/target/csharp/package-test
mcs="mcs -langversion:7.2 -nologo -warnaserror"
mcs_sdk="$mcs -sdk:4.7.2-api"
rm -rf "$work"
mkdir -p "$work"

# The project file's version is the library's, as the package's is.
grep -q "<Version>$version</Version>" "$top/bindings/csharp/TogetherVideo.csproj" \
  || { echo "test-csharp-package: bindings/csharp/TogetherVideo.csproj's <Version> is not $version" >&2; exit 1; }
$mcs -target:exe -out:"$work/NuGetCheck.exe" -r:WindowsBase.dll -r:System.Xml.Linq.dll -r:System.Core.dll \
  "$top/tests/packages/NuGetCheck.cs"
mono "$work/NuGetCheck.exe" "$package" "$version"

# Restore: ~/.nuget/packages/<id>/<version>/ holds the unpacked package and its hash.
restored=$work/packages/togethervideo/$version
mkdir -p "$restored"
(cd "$restored" && unzip -q "$package" && cp "$package" "togethervideo.$version.nupkg" \
  && openssl dgst -sha512 -binary "togethervideo.$version.nupkg" | base64 -w0 > "togethervideo.$version.nupkg.sha512")
bin=$work/app/bin
mkdir -p "$bin"
cp "$restored"/lib/netstandard2.0/* "$restored"/runtimes/linux-x64/native/* "$bin/"
$mcs_sdk -target:exe -out:"$bin/Sample.exe" -r:"$bin/TogetherVideo.dll" "$top/bindings/csharp/samples/Sample.cs"

# run_sample RUNTIME OUTPUT ERRORS COMMAND...: COMMAND runs the sample from $work/app
# against the mock, with no LD_LIBRARY_PATH; its standard output goes to OUTPUT and is
# shown, its standard error to ERRORS (with the output when ERRORS is empty). Fails,
# naming RUNTIME, unless it ran and saved a video.
run_sample() {
  local runtime=$1 output=$2 errors=$3
  shift 3
  in_app() {
    (cd "$work/app" && env -u LD_LIBRARY_PATH TOGETHER_API_KEY=test-key NO_PROXY=127.0.0.1 \
      "$top/scripts/with-mock.sh" "$top/target/release/tv-mock" -- sh -c 'TOGETHER_BASE_URL=$TV_MOCK_URL exec "$@"' sh "$@")
  }
  if [ -n "$errors" ]; then in_app "$@" > "$output" 2> "$errors"; else in_app "$@" > "$output" 2>&1; fi \
    || { cat "$output" ${errors:+"$errors"} >&2; echo "test-csharp-package: the sample failed under $runtime" >&2; exit 1; }
  tr -d '\r' < "$output"
  grep -q "^saved " "$output" || { echo "test-csharp-package: the sample saved nothing under $runtime" >&2; exit 1; }
}
run_sample Mono "$work/sample.txt" "" mono bin/Sample.exe

# write_app DIR PACKAGES RUNTIME_DIR: what the .NET SDK writes beside a
# framework-dependent, RID-less program (DIR/Sample.exe): the package's assets by their
# paths inside it, found through the packages folder PACKAGES (as the program's platform
# spells it), and the runtimeconfig.json of the runtime in RUNTIME_DIR.
write_app() {
  cp "$3/runtimeconfig.json" "$1/Sample.runtimeconfig.json"
  python3 - "$restored" "$version" "$1" "$2" <<'PY'
import json, os, sys
restored, version, core, packages = sys.argv[1:]
runtime_targets = {}
for rid in sorted(os.listdir(os.path.join(restored, "runtimes"))):
    native = os.path.join("runtimes", rid, "native")
    for name in sorted(os.listdir(os.path.join(restored, native))):
        runtime_targets[native + "/" + name] = {"rid": rid, "assetType": "native", "fileVersion": "0.0.0.0"}
assembly = version + ".0"
package = "TogetherVideo/" + version
deps = {
    "runtimeTarget": {"name": ".NETCoreApp,Version=v3.1", "signature": ""},
    "compilationOptions": {},
    "targets": {".NETCoreApp,Version=v3.1": {
        "Sample/1.0.0": {"dependencies": {"TogetherVideo": version}, "runtime": {"Sample.exe": {}}},
        package: {
            "runtime": {"lib/netstandard2.0/TogetherVideo.dll": {"assemblyVersion": assembly, "fileVersion": assembly}},
            "runtimeTargets": runtime_targets,
        },
    }},
    "libraries": {
        "Sample/1.0.0": {"type": "project", "serviceable": False, "sha512": ""},
        package: {
            "type": "package", "serviceable": True,
            "sha512": "sha512-" + open(os.path.join(restored, "togethervideo.%s.nupkg.sha512" % version)).read().strip(),
            "path": "togethervideo/" + version, "hashPath": "togethervideo.%s.nupkg.sha512" % version,
        },
    },
}
json.dump(deps, open(os.path.join(core, "Sample.deps.json"), "w"), indent=2)
json.dump({"runtimeOptions": {"additionalProbingPaths": [packages]}},
          open(os.path.join(core, "Sample.runtimeconfig.dev.json"), "w"), indent=2)
PY
}

if [ -n "$dotnet" ]; then
  core=$work/coreclr
  mkdir -p "$core"
  cp "$bin/Sample.exe" "$core/"
  write_app "$core" "$work/packages" "$(dirname "$dotnet")"
  # The dynamic loader's log (LD_DEBUG) shows which libtogether_video.so was loaded.
  rm -f "$work"/coreclr-ld.*
  run_sample CoreCLR "$work/sample-coreclr.txt" "" \
    env LD_DEBUG=libs LD_DEBUG_OUTPUT="$work/coreclr-ld" "$dotnet" exec "$core/Sample.exe"
  native=$restored/runtimes/linux-x64/native/libtogether_video.so
  loaded=$({ grep -h "calling init: .*libtogether_video" "$work"/coreclr-ld.* || true; } | sed 's/.*calling init: //' | sort -u)
  [ "$loaded" = "$native" ] \
    || { echo "test-csharp-package: under CoreCLR the library loaded was '$loaded', not the package's $native" >&2; exit 1; }
  echo "test-csharp-package: under CoreCLR the host loaded $native"
fi
if [ -n "$dotnet_windows" ]; then
  # The same on Windows: CoreCLR for win-x64 under Wine, which must pick the package's
  # runtimes/win-x64/native/together_video.dll (Wine's loader log says which it loaded).
  # The test-only ProcessPrng shim is found through PATH (scripts/wine.sh).
  core_windows=$work/coreclr-windows
  mkdir -p "$core_windows"
  cp "$bin/Sample.exe" "$core_windows/"
  # shellcheck source=scripts/wine.sh
  source "$top/scripts/wine.sh"
  wine_prepare "$core_windows"
  write_app "$core_windows" "$(winepath -w "$work/packages")" "$dotnet_windows"
  run_sample "Windows CoreCLR" "$work/sample-windows.txt" "$work/sample-windows-loads.txt" \
    env WINEPATH="$(winepath -w "$core_windows")" WINEDEBUG=+loaddll \
    wine "$dotnet_windows/dotnet.exe" exec "$(winepath -w "$core_windows/Sample.exe")"
  native=$(winepath -w "$restored/runtimes/win-x64/native/together_video.dll")
  loaded=$({ grep -o 'Loaded L"[^"]*together_video.dll"' "$work/sample-windows-loads.txt" || true; } | sed 's/^Loaded L"//; s/"$//; s/\\\\/\\/g' | sort -u)
  [ "${loaded,,}" = "${native,,}" ] \
    || { echo "test-csharp-package: under Windows CoreCLR the DLL loaded was '$loaded', not the package's $native" >&2; exit 1; }
  echo "test-csharp-package: under Windows CoreCLR the host loaded $native"
fi
echo "test-csharp-package: passed"
