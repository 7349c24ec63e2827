#!/usr/bin/env bash
# Packs one target's release build into target/dist/together-video-VERSION-TARGET.tar.gz
# (.zip for Windows): include/ (C header, C++ wrapper), lib/ (and bin/ on Windows),
# relocatable pkg-config and CMake files where they apply, the licences, the third-party
# notices of every bundled crate (scripts/notices.py), and a short README.
# Usage: scripts/dist.sh TARGET   (after `make cross`; the native target after `make build`)
set -euo pipefail
target=$1
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
major=${version%%.*} rest=${version#*.}
minor=${rest%%.*}
if [ "$major" = 0 ]; then soversion="0.$minor"; else soversion=$major; fi
host=$(rustc -vV | sed -n 's/^host: //p')
release=target/$target/release
[ "$target" = "$host" ] && release=target/release
name=together-video-$version-$target
out=target/dist
stage=$out/$name
rm -rf "$stage" "$out/$name.tar.gz" "$out/$name.zip"
mkdir -p "$stage/include" "$stage/lib"
cp include/together_video.h include/together_video.hpp "$stage/include/"
cp LICENSE LICENSE-MIT LICENSE-APACHE "$stage/"
python3 scripts/notices.py "$target" > "$stage/THIRD-PARTY-NOTICES.md"

# pkg-config and CMake files that find the library wherever the archive is unpacked.
fill() { # template output libs_private cmake_libs
  sed -e 's|@PREFIX@|${pcfiledir}/../..|g; s|@LIBDIR@|${prefix}/lib|g; s|@INCLUDEDIR@|${prefix}/include|g' \
      -e "s|@VERSION@|$version|g; s|@SOVERSION@|$soversion|g; s|@VERSION_MAJOR@|$major|g; s|@VERSION_MINOR@|$minor|g" \
      -e "s|@LIBS_PRIVATE@|$3|g; s|@CMAKE_LIBS_PRIVATE@|$4|g; s|@RPATH@| -Wl,-rpath,\${libdir}|g" "$1" > "$2"
}
cmake_package() { # libs_private, and whether there is a shared library
  mkdir -p "$stage/lib/pkgconfig" "$stage/lib/cmake/TogetherVideo"
  local cmake_libs
  cmake_libs=$(echo "$1" | sed 's/-l//g; s/ /;/g')
  fill packaging/together_video.pc.in "$stage/lib/pkgconfig/together_video.pc" "$1" "$cmake_libs"
  fill packaging/TogetherVideoConfigVersion.cmake.in "$stage/lib/cmake/TogetherVideo/TogetherVideoConfigVersion.cmake" "$1" "$cmake_libs"
  {
    echo '# Relocatable: paths are found from where this file is.'
    echo 'get_filename_component(_TogetherVideo_PREFIX "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)'
    sed -e "s|@LIBDIR@|\${_TogetherVideo_PREFIX}/lib|g; s|@INCLUDEDIR@|\${_TogetherVideo_PREFIX}/include|g" \
        -e "s|@VERSION@|$version|g; s|@SOVERSION@|$soversion|g; s|@CMAKE_LIBS_PRIVATE@|$cmake_libs|g" \
        packaging/TogetherVideoConfig.cmake.in
  } > "$stage/lib/cmake/TogetherVideo/TogetherVideoConfig.cmake"
  if [ "$2" = static-only ]; then
    # No shared library on this target: drop the shared imported target.
    python3 - "$stage/lib/cmake/TogetherVideo/TogetherVideoConfig.cmake" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
text = re.sub(r"  add_library\(TogetherVideo::together_video SHARED IMPORTED\)\n.*?\n(  add_library\(TogetherVideo::together_video_static)",
              r"\1", text, flags=re.S)
text = text.replace("if(NOT TARGET TogetherVideo::together_video)", "if(NOT TARGET TogetherVideo::together_video_static)")
text = text.replace("TogetherVideo::together_video (shared) and TogetherVideo::together_video_static.",
                    "TogetherVideo::together_video_static (this target has no shared library).")
text = text.replace('INTERFACE_LINK_LIBRARIES "unwind"', 'INTERFACE_LINK_LIBRARIES "${_TogetherVideo_PREFIX}/lib/libunwind.a"')
open(path, "w").write(text)
PY
    # Static only: what a link needs goes in Libs, so plain `pkg-config --libs` works too.
    sed -i "s|^Libs: .*|Libs: -L\${libdir} -ltogether_video $1|; s|^Libs.private: .*|Libs.private:|" \
      "$stage/lib/pkgconfig/together_video.pc"
  fi
}

case "$target" in
  *-linux-gnu)
    cc=cc
    [ "$target" != "$host" ] && cc=${target%%-unknown-*}-linux-gnu-gcc
    # Symbol-versioned, as `make build` makes it.
    scripts/relink.sh "$cc" "$release/libtogether_video.a" "$stage/lib/libtogether_video.so.$version" \
      "libtogether_video.so.$soversion"
    strip_tool=strip
    [ "$target" != "$host" ] && strip_tool=${cc%gcc}strip
    "$strip_tool" --strip-unneeded "$stage/lib/libtogether_video.so.$version"
    ln -s "libtogether_video.so.$version" "$stage/lib/libtogether_video.so.$soversion"
    ln -s "libtogether_video.so.$soversion" "$stage/lib/libtogether_video.so"
    cp "$release/libtogether_video.a" "$stage/lib/"
    cmake_package "-lgcc_s -lutil -lrt -lpthread -lm -ldl" shared
    how="cc app.c -Iinclude -Llib -ltogether_video -Wl,-rpath,\$PWD/lib    (or: pkg-config, CMake find_package(TogetherVideo))
Static: cc app.c -Iinclude lib/libtogether_video.a -lpthread -ldl -lm -lrt -lutil -lgcc_s"
    ;;
  *-linux-musl)
    cp "$release/libtogether_video.a" "$stage/lib/"
    # Rust's unwinder (LLVM libunwind), which a musl static link needs; shipped beside the
    # library rather than merged into it (ar -M drops members with the same name).
    cp "$(rustc --print sysroot)/lib/rustlib/$target/lib/self-contained/libunwind.a" "$stage/lib/"
    cmake_package "-lunwind" static-only
    how="musl-gcc -static app.c -Iinclude lib/libtogether_video.a -Llib -lunwind   (ldd: not a dynamic executable)
lib/libunwind.a is LLVM's libunwind as Rust ships it (Apache-2.0 WITH LLVM-exception)."
    ;;
  *-windows-gnu)
    mkdir -p "$stage/bin"
    cp "$release/together_video.dll" "$stage/bin/"
    cp "$release/libtogether_video.dll.a" "$release/libtogether_video.a" "$stage/lib/"
    # The .def of the DLL's exports, from which MSVC users make an import library: written
    # beside the DLL by `make cross` (scripts/windows-def.sh), so it must not be older.
    def=$release/together_video.def
    if [ ! -f "$def" ] || [ "$release/together_video.dll" -nt "$def" ]; then
      echo "$def is missing or older than the DLL: run make cross" >&2
      exit 1
    fi
    cp "$def" "$stage/lib/"
    how="MinGW: x86_64-w64-mingw32-gcc app.c -Iinclude -Llib -ltogether_video   (ship bin/together_video.dll beside app.exe)
MSVC:  lib /def:lib\\together_video.def /machine:x64 /out:lib\\together_video.lib, then link together_video.lib
Static (MinGW only): lib/libtogether_video.a -lws2_32 -luserenv -lntdll -lbcrypt -lkernel32"
    ;;
  *) echo "no packaging for $target" >&2; exit 1 ;;
esac

cat > "$stage/README.md" <<EOF
# together-video $version for $target

A native client for Together AI's video generation API: the C header and C++17 wrapper in
\`include/\`, the library in \`lib/\`$( [ -d "$stage/bin" ] && echo ' and `bin/`').

    $how

The API, its threads and its guarantees: https://github.com/together-video/together-video
(README.md and include/together_video.h). Licence: MIT OR Apache-2.0 (LICENSE); the
crates built into the library keep their own licences (THIRD-PARTY-NOTICES.md).
EOF

case "$target" in
  *-windows-*) (cd "$out" && zip -qr "$name.zip" "$name") ; echo "$out/$name.zip" ;;
  *) tar -C "$out" -czf "$out/$name.tar.gz" "$name" ; echo "$out/$name.tar.gz" ;;
esac
