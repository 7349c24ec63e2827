#!/usr/bin/env bash
# Links the static library into the shared one with packaging/together_video.map: only
# tv_* exported, under the version node. (rustc links a cdylib with a version script of
# its own, and GNU ld keeps the first, so the cdylib cargo makes cannot carry ours.)
# Symbols stay (valgrind's suppressions and backtraces need them): scripts/dist.sh strips
# the copy it ships.
# Usage: scripts/relink.sh CC STATIC_LIBRARY OUTPUT SONAME
set -euo pipefail
cc=$1 static=$2 out=$3 soname=$4
top=$(cd "$(dirname "$0")/.." && pwd)
"$cc" -shared -o "$out.tmp" -Wl,--whole-archive "$static" -Wl,--no-whole-archive \
  -Wl,--version-script="$top/packaging/together_video.map" -Wl,-soname,"$soname" \
  -Wl,--gc-sections -Wl,--strip-debug -lpthread -ldl -lm -lrt -lutil -lgcc_s
mv -f "$out.tmp" "$out"
