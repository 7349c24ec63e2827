//go:build together_dynamic

package together

// #cgo LDFLAGS: -L${SRCDIR}/../../target/release -ltogether_video -Wl,-rpath,${SRCDIR}/../../target/release
import "C"
