//go:build together_dynamic && !together_pkgconfig

package togethervideo

// The repository build, linked to the shared library in the checkout's target/release,
// which the program finds there through its RUNPATH: for working on the library itself.

/*
#cgo CFLAGS: -I${SRCDIR}/../../../target/release
#cgo LDFLAGS: -L${SRCDIR}/../../../target/release -ltogether_video -Wl,-rpath,${SRCDIR}/../../../target/release
#if !__has_include("libtogether_video.so")
#error "together-video's native library is not built: run `make build` in the together-video checkout, or build with -tags together_pkgconfig to use an installed library (see the togethervideo package documentation)"
#endif
*/
import "C"
