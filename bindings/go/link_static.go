//go:build !together_dynamic

package together

// #cgo LDFLAGS: ${SRCDIR}/../../target/release/libtogether_video.a -lpthread -ldl -lm -lrt -lutil -lgcc_s
import "C"
