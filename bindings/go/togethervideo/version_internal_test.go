package togethervideo

import (
	"errors"
	"strings"
	"testing"
)

func TestTheLibraryMustHaveTheBindingsMajorAndMinorVersion(t *testing.T) {
	if err := checkLibraryVersion(Version()); err != nil {
		t.Fatalf("the library linked in: %v", err)
	}
	same := majorMinor(BindingVersion)
	for _, library := range []string{same + ".0", same + ".99", same + ".1-rc.1"} {
		if err := checkLibraryVersion(library); err != nil {
			t.Errorf("%s: %v", library, err)
		}
	}
	for _, library := range []string{"9.0.0", "0.99.0", "", "garbage", "0.2"} {
		err := checkLibraryVersion(library)
		if !errors.Is(err, ErrLibraryVersion) || !strings.Contains(err.Error(), BindingVersion) {
			t.Errorf("%q: %v", library, err)
		}
	}
}
