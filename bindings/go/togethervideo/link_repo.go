//go:build !together_dynamic && !together_pkgconfig

package togethervideo

// The repository build, the default: the static library that `make build` leaves in the
// together-video checkout this module sits in (target/release), so programs need no
// shared library at run time. Away from a built checkout (a module cache, a vendor
// directory) the build stops with one line saying what to do.

/*
#cgo CFLAGS: -I${SRCDIR}/../../../target/release
#cgo linux LDFLAGS: ${SRCDIR}/../../../target/release/libtogether_video.a -lpthread -ldl -lm -lrt -lutil -lgcc_s
#if !__has_include("libtogether_video.a")
#error "together-video's native library is not built: run `make build` in the together-video checkout, or build with -tags together_pkgconfig to use an installed library (see the togethervideo package documentation)"
#endif
*/
import "C"
