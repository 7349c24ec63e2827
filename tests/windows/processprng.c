/* TEST-ONLY. NEVER SHIP THIS FILE'S DLL IN A RELEASE OR ANY ARCHIVE.
 *
 * A stand-in bcryptprimitives.dll for running the Windows build under Debian's Wine 8,
 * which has no bcryptprimitives.dll. Rust's standard library imports ProcessPrng from
 * it (every Windows 10 and later has it), so together_video.dll does not even load
 * under that Wine: "Library bcryptprimitives.dll ... not found", status c0000135.
 *
 * scripts/cross-test.sh builds it into target/cross/x86_64-pc-windows-gnu/, copies it
 * beside the test executables only, and runs Wine with
 * WINEDLLOVERRIDES=bcryptprimitives=n,b so that a Wine which does have the DLL still
 * uses this one. On real Windows the system's DLL must be used: a copy of this one
 * beside a program would replace the OS's random number generator.
 *
 *   x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll processprng.c
 *
 * ProcessPrng fills data with len bytes from the system's cryptographic generator and
 * always returns TRUE, as documented; here the bytes come from RtlGenRandom
 * (advapi32's SystemFunction036), whose length is a ULONG, so larger requests are
 * split. */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

/* RtlGenRandom is exported by advapi32.dll under the name SystemFunction036. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len > 0) {
    ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
    if (!SystemFunction036(data, chunk)) {
      /* The real ProcessPrng cannot fail; a test that got no randomness must stop. */
      FatalAppExitA(0, "test shim bcryptprimitives.dll: RtlGenRandom failed");
    }
    data += chunk;
    len -= chunk;
  }
  return TRUE;
}
