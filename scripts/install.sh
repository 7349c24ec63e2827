#!/usr/bin/env bash
# Installs the built library as packagers expect (see `make install`):
#   lib/libtogether_video.so.VERSION, .so.SOVERSION and .so links, lib/libtogether_video.a,
#   include/together_video.h(pp), lib/pkgconfig/together_video.pc,
#   lib/cmake/TogetherVideo/TogetherVideo{Config,ConfigVersion}.cmake
# Usage: scripts/install.sh RELEASE_DIR PREFIX LIBDIR INCLUDEDIR DESTDIR
set -euo pipefail
release=$1 prefix=$2 libdir=$3 includedir=$4 destdir=${5:-}
top=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$top/Cargo.toml" | head -n 1)
major=${version%%.*}
rest=${version#*.}
minor=${rest%%.*}
if [ "$major" = 0 ]; then soversion="0.$minor"; else soversion=$major; fi
# What a static link needs, as rustc reports it for this toolchain.
probe=$(mktemp -d)
libs_private=$(echo '' | rustc --crate-type staticlib --crate-name probe -o "$probe/probe.a" --print native-static-libs - 2>&1 \
  | sed -n 's/.*native-static-libs: //p' | sed 's/ -lc$//')
rm -rf "$probe"
cmake_libs=$(echo "$libs_private" | sed 's/-l//g; s/ /;/g')
# Outside the loader's default directories, programs linked through pkg-config (the Go
# binding's together_pkgconfig build among them) find the library by a RUNPATH to libdir.
case "$libdir" in
  /lib | /lib64 | /usr/lib | /usr/lib64 | /usr/lib/*-linux-gnu) rpath= ;;
  *) rpath=' -Wl,-rpath,${libdir}' ;;
esac

lib="$destdir$libdir" inc="$destdir$includedir"
install -d "$lib/pkgconfig" "$lib/cmake/TogetherVideo" "$inc"
install -m 755 "$release/libtogether_video.so" "$lib/libtogether_video.so.$version"
ln -sf "libtogether_video.so.$version" "$lib/libtogether_video.so.$soversion"
ln -sf "libtogether_video.so.$soversion" "$lib/libtogether_video.so"
install -m 644 "$release/libtogether_video.a" "$lib/libtogether_video.a"
install -m 644 "$top/include/together_video.h" "$top/include/together_video.hpp" "$inc/"
fill() {
  sed -e "s|@PREFIX@|$prefix|g; s|@LIBDIR@|$libdir|g; s|@INCLUDEDIR@|$includedir|g" \
      -e "s|@VERSION@|$version|g; s|@SOVERSION@|$soversion|g; s|@VERSION_MAJOR@|$major|g; s|@VERSION_MINOR@|$minor|g" \
      -e "s|@LIBS_PRIVATE@|$libs_private|g; s|@CMAKE_LIBS_PRIVATE@|$cmake_libs|g; s|@RPATH@|$rpath|g" "$1" > "$2"
  chmod 644 "$2"
}
fill "$top/packaging/together_video.pc.in" "$lib/pkgconfig/together_video.pc"
fill "$top/packaging/TogetherVideoConfig.cmake.in" "$lib/cmake/TogetherVideo/TogetherVideoConfig.cmake"
fill "$top/packaging/TogetherVideoConfigVersion.cmake.in" "$lib/cmake/TogetherVideo/TogetherVideoConfigVersion.cmake"
echo "installed together-video $version (SONAME libtogether_video.so.$soversion) under $destdir$prefix"
