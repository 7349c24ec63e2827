#!/usr/bin/env bash
# The NuGet package as a user gets it: read with System.IO.Packaging (tests/packages/
# NuGetCheck.cs), then restored into a scratch project the way NuGet lays it out (the
# global packages folder, then lib/netstandard2.0 and runtimes/linux-x64/native copied
# beside the program, as a build for linux-x64 does), the C# sample compiled against it
# with mcs and run against the mock with no LD_LIBRARY_PATH: the library is found
# beside the program.
# Usage: scripts/test-csharp-package.sh VERSION   (`make test-csharp-package`)
set -euo pipefail
version=$1
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
(cd "$work/app" && env -u LD_LIBRARY_PATH "$top/scripts/with-mock.sh" "$top/target/release/tv-mock" -- sh -c \
  'TOGETHER_API_KEY=test-key TOGETHER_BASE_URL=$TV_MOCK_URL NO_PROXY=127.0.0.1 mono bin/Sample.exe' > "$work/sample.txt" 2>&1) \
  || { cat "$work/sample.txt" >&2; echo "test-csharp-package: the sample failed" >&2; exit 1; }
cat "$work/sample.txt"
grep -q "^saved " "$work/sample.txt" || { echo "test-csharp-package: the sample saved nothing" >&2; exit 1; }
echo "test-csharp-package: passed"
