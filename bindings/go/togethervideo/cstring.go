package togethervideo

/*
#include "together_video.h"
*/
import "C"

import "strings"

// cString copies caller text into C memory, for the caller to free with C.free. C would
// read the text only up to a NUL byte, so text holding one is refused, naming argument,
// rather than cut short.
func cString(argument, text string) (*C.char, error) {
	if strings.IndexByte(text, 0) >= 0 {
		return nil, invalidArgument("%s contains a NUL byte", argument)
	}
	return C.CString(text), nil
}
