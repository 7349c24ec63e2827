#!/usr/bin/env bash
# The Go binding as a Go developer gets it: examples/go/journey, copied outside the
# repository (its replace directive pointed at this checkout's module, since nothing is
# published here), builds and runs the journey (create, wait, download) against the mock
# in each of the three link modes the package documents:
#   1. the repository build (no tag): static, no libtogether_video at run time;
#   2. -tags together_pkgconfig on a `make install`ed library: RUNPATH to the installed
#      lib directory, none into this checkout;
#   3. -tags together_pkgconfig on the musl release archive, CC=musl-gcc, -static:
#      not a dynamic executable.
# And away from a built library it fails with one line saying what to run.
# Usage: scripts/test-go-link.sh VERSION   (`make test-go-link`: after `make build dist`)
set -euo pipefail
version=$1
top=$(cd "$(dirname "$0")/.." && pwd)
go=${GO:-go}
work=$top/target/go-link
module=github.com/together-video/together-video/bindings/go/togethervideo
rm -rf "$work"
mkdir -p "$work"
failures=0
fail() { echo "test-go-link: FAIL: $*" >&2; failures=$((failures + 1)); }

# The user's module, outside the repository.
app=$work/app
cp -r "$top/examples/go/journey" "$app"
(cd "$app" && "$go" mod edit -replace "$module=$top/bindings/go/togethervideo")

journey() { # binary: runs it against a fresh mock, checks the file it saves
  local binary=$1 out="$work/$(basename "$1").mp4"
  "$top/scripts/with-mock.sh" "$top/target/release/tv-mock" -- sh -c \
    "TOGETHER_API_KEY=test-key TOGETHER_BASE_URL=\$TV_MOCK_URL NO_PROXY=127.0.0.1 '$binary' '$out'" > "$work/out.txt" 2>&1 \
    && grep -q "^saved .* with together-video $version$" "$work/out.txt" && [ -s "$out" ] \
    || { cat "$work/out.txt" >&2; return 1; }
}

# 1. The repository build.
if (cd "$app" && "$go" build -o "$work/journey-repo" .) && journey "$work/journey-repo"; then
  ldd "$work/journey-repo" | grep -q together_video && fail "the repository build needs libtogether_video at run time"
  echo "test-go-link: repository build: ok"
else
  fail "repository build"
fi

# 2. An installed library, through pkg-config.
prefix=$work/prefix
make -C "$top" --no-print-directory install PREFIX="$prefix" DESTDIR= > "$work/install.txt" 2>&1 \
  || { cat "$work/install.txt" >&2; exit 1; }
if (cd "$app" && PKG_CONFIG_PATH=$prefix/lib/pkgconfig "$go" build -tags together_pkgconfig -o "$work/journey-pkgconfig" .) \
  && journey "$work/journey-pkgconfig"; then
  runpath=$(readelf -d "$work/journey-pkgconfig" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p')
  [ "$runpath" = "$prefix/lib" ] || fail "pkg-config build: RUNPATH is '$runpath', want $prefix/lib"
  ldd "$work/journey-pkgconfig" | grep -q "libtogether_video.so.* => $prefix/lib/" \
    || fail "pkg-config build does not load the installed library: $(ldd "$work/journey-pkgconfig" | grep together)"
  echo "test-go-link: installed library (pkg-config): ok, RUNPATH $runpath"
else
  fail "pkg-config build"
fi

# 3. Fully static, on the musl release archive.
musl=$work/musl
mkdir -p "$musl"
tar -xzf "$top/target/dist/together-video-$version-x86_64-unknown-linux-musl.tar.gz" -C "$musl"
musl_pc=$musl/together-video-$version-x86_64-unknown-linux-musl/lib/pkgconfig
if (cd "$app" && CC=musl-gcc PKG_CONFIG_PATH=$musl_pc "$go" build -tags together_pkgconfig \
      -ldflags '-linkmode external -extldflags -static' -o "$work/journey-static" .) \
  && journey "$work/journey-static"; then
  linkage=$(ldd "$work/journey-static" 2>&1 || true)
  echo "$linkage" | grep -q "not a dynamic executable" || fail "the musl build is dynamic: $linkage"
  echo "test-go-link: static (musl archive): ok, not a dynamic executable"
else
  fail "static musl build"
fi

# 4. The same module vendored (go mod vendor copies the module's header, not include/).
if (cd "$app" && "$go" mod vendor && PKG_CONFIG_PATH=$prefix/lib/pkgconfig \
      "$go" build -mod=vendor -tags together_pkgconfig -o "$work/journey-vendored" .) \
  && journey "$work/journey-vendored"; then
  echo "test-go-link: vendored: ok"
else
  fail "vendored build"
fi
rm -rf "$app/vendor"

# 5. No library: the module alone (as in a module cache), and pkg-config finding nothing.
alone=$work/modcache/github.com/together-video/together-video/bindings/go/togethervideo@v$version
mkdir -p "$(dirname "$alone")"
cp -r "$top/bindings/go/togethervideo" "$alone"
(cd "$app" && "$go" mod edit -replace "$module=$alone")
if (cd "$app" && "$go" build -o /dev/null . > "$work/missing.txt" 2>&1); then
  fail "a build without the library succeeded"
elif ! grep -q 'error: #error "together-video.s native library is not built: run `make build`' "$work/missing.txt"; then
  fail "no hint when the library is missing: $(cat "$work/missing.txt")"
else
  echo "test-go-link: missing library: $(grep -m1 -o 'together-video.s native library[^"]*' "$work/missing.txt")"
fi
if (cd "$app" && PKG_CONFIG_PATH=$work/nowhere "$go" build -tags together_pkgconfig -o /dev/null . > "$work/missing.txt" 2>&1); then
  fail "a pkg-config build without the library succeeded"
elif ! grep -q "together_video.pc" "$work/missing.txt"; then
  fail "no hint when pkg-config finds nothing: $(cat "$work/missing.txt")"
else
  echo "test-go-link: pkg-config without the library: $(grep -m1 'not found' "$work/missing.txt")"
fi

[ "$failures" = 0 ] || { echo "test-go-link: $failures failed" >&2; exit 1; }
echo "test-go-link: all link modes passed"
