# Sourced by the scripts that run Windows builds under Wine (Debian's Wine 8).
# wine_prepare DIR: puts the test-only ProcessPrng shim (tests/windows/processprng.c,
# never shipped) beside the programs in DIR, and sets up a quiet Wine prefix of our own
# under target/cross/wine (made quietly on first use: no Mono or Gecko prompts) that
# prefers that DLL over any Wine has, with no debug output.
wine_prepare() {
  local dir=$1 top
  top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  x86_64-w64-mingw32-gcc -shared -O2 -o "$dir/bcryptprimitives.dll" "$top/tests/windows/processprng.c"
  export WINEPREFIX="$top/target/cross/wine" WINEDEBUG=-all
  if [ ! -f "$WINEPREFIX/system.reg" ]; then
    mkdir -p "$WINEPREFIX"
    WINEDLLOVERRIDES='mscoree,mshtml=' wineboot -i > "$top/target/cross/wineboot.log" 2>&1 \
      || { echo "wineboot failed (target/cross/wineboot.log)" >&2; return 2; }
    wineserver -w
  fi
  export WINEDLLOVERRIDES='bcryptprimitives=n,b'
}
