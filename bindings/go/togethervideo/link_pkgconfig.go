//go:build together_pkgconfig

package togethervideo

// An installed library (`make install`, a distribution package, or an unpacked release
// archive), found through pkg-config: PKG_CONFIG_PATH names its lib/pkgconfig when it is
// not in pkg-config's default path. Its together_video.pc gives the program a RUNPATH to
// the library's directory when that is not one the loader searches anyway. With the
// static-only Linux musl archive, and CC=musl-gcc and
// -ldflags '-linkmode external -extldflags -static', the program is fully static.

// #cgo pkg-config: together_video
import "C"
