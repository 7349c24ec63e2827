//go:build !race

package togethervideo_test

const raceEnabled = false
