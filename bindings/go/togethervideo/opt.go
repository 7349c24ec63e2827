package togethervideo

import "fmt"

// Opt is a value that may be absent, where zero is a real value that must not be
// confused with "not given": a seed of 0, a guidance scale of 0, a cost of 0. The zero
// Opt is absent. Make a present one with Int, Int64, Float64 or Bool.
type Opt[T any] struct {
	value T
	set   bool
}

// Int is a present Opt[int].
func Int(v int) Opt[int] { return Opt[int]{value: v, set: true} }

// Int64 is a present Opt[int64].
func Int64(v int64) Opt[int64] { return Opt[int64]{value: v, set: true} }

// Float64 is a present Opt[float64].
func Float64(v float64) Opt[float64] { return Opt[float64]{value: v, set: true} }

// Bool is a present Opt[bool].
func Bool(v bool) Opt[bool] { return Opt[bool]{value: v, set: true} }

// Get returns the value and whether it is present.
func (o Opt[T]) Get() (T, bool) { return o.value, o.set }

// IsSet reports whether the value is present.
func (o Opt[T]) IsSet() bool { return o.set }

// Or returns the value, or fallback when it is absent.
func (o Opt[T]) Or(fallback T) T {
	if o.set {
		return o.value
	}
	return fallback
}

// String formats the value, or "<absent>".
func (o Opt[T]) String() string {
	if !o.set {
		return "<absent>"
	}
	return fmt.Sprint(o.value)
}
