package togethervideo

/*
#include "together_video.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// BindingVersion is the version of this package: the native library's version whose
// header it was written against. Its tags are bindings/go/togethervideo/vX.Y.Z.
const BindingVersion = "0.2.0"

// Checked when the package compiles: when BindingVersion is not the header's version,
// both keys are false and the map literal does not compile (a duplicate key).
var _ = map[bool]struct{}{false: {}, BindingVersion == C.TV_VERSION_STRING: {}}

// ErrLibraryVersion is what NewClient returns when the native library linked at run
// time (a shared library found through pkg-config, say) has another major or minor
// version than BindingVersion: the two would disagree on the C API.
var ErrLibraryVersion = errors.New("togethervideo: the native library's version does not match the binding's")

// Version is the version of the native library linked in, e.g. "0.2.0".
func Version() string {
	return C.GoString(C.tv_version())
}

// checkLibraryVersion compares library, a native library's version, with the binding's:
// their major and minor versions must be the same.
func checkLibraryVersion(library string) error {
	if majorMinor(library) == "" || majorMinor(library) != majorMinor(BindingVersion) {
		return fmt.Errorf("%w: togethervideo %s needs together-video %s.x, and the library linked in is %q (install the matching library, or the matching togethervideo version)",
			ErrLibraryVersion, BindingVersion, majorMinor(BindingVersion), library)
	}
	return nil
}

// majorMinor is "X.Y" of a version "X.Y.Z...", or "" when version has no such prefix.
func majorMinor(version string) string {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 3 {
		return ""
	}
	for _, part := range parts[:2] {
		if _, err := strconv.ParseUint(part, 10, 32); err != nil {
			return ""
		}
	}
	return parts[0] + "." + parts[1]
}
