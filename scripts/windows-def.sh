#!/usr/bin/env bash
# Usage: scripts/windows-def.sh DLL DEF
#
# Writes DEF, the module-definition file of the DLL's tv_* exports (read from its export
# table with MinGW's objdump), from which MSVC users make their import library:
#   lib /def:together_video.def /machine:x64 /out:together_video.lib
# `make cross` writes it beside the DLL; scripts/dist.sh ships that file, and
# scripts/cross-test.sh checks it against the header and links a program through it.
# Environment: MINGW_OBJDUMP (x86_64-w64-mingw32-objdump).
set -euo pipefail
dll=$1 def=$2
objdump=${MINGW_OBJDUMP:-x86_64-w64-mingw32-objdump}
partial=$def.partial
trap 'rm -f "$partial"' EXIT
{
  echo "LIBRARY $(basename "$dll")"
  echo "EXPORTS"
  "$objdump" -p "$dll" \
    | awk '/\[Ordinal\/Name Pointer\] Table/{on=1; next} on && /^[ \t]*\[/{print "    " $NF; next} on && NF==0{on=0}' \
    | { grep -E '^    tv_' || true; } | sort
} > "$partial"
grep -qx '    tv_version' "$partial" || { echo "windows-def: no tv_* exports found in $dll" >&2; exit 1; }
mv "$partial" "$def"
