package segy

import (
	"fmt"
	"math"
)

// ibmScale[e] is 16^(e-64) * 2^-24: the value of one unit of the 24-bit
// mantissa of an IBM float with 7-bit exponent e. Every entry is a power of
// two well inside float64's range, so mantissa*ibmScale[e] is exact.
var ibmScale = func() (t [128]float64) {
	for e := range t {
		t[e] = math.Ldexp(1, 4*(e-64)-24)
	}
	return t
}()

// ibmToFloat64 decodes an IBM System/360 single-precision float exactly,
// including non-normalised mantissas (leading hex digit 0).
func ibmToFloat64(w uint32) float64 {
	v := float64(w&0x00ffffff) * ibmScale[(w>>24)&0x7f]
	if w&0x80000000 != 0 {
		return -v
	}
	return v
}

// ibmToFloat32 decodes an IBM float and rounds it once to float32. Values
// beyond float32's range become +-Inf, tiny ones float32 subnormals or 0.
// Every IBM value is either at most MaxFloat32 or at least 2^128, so the
// overflow test needs no rounding care.
func ibmToFloat32(w uint32) float32 {
	v := float64(w&0x00ffffff) * ibmScale[(w>>24)&0x7f]
	if v > math.MaxFloat32 {
		v = posInf
	}
	if w&0x80000000 != 0 {
		v = -v
	}
	return float32(v)
}

var posInf = math.Inf(1)

// float32ToIBM encodes v as the nearest IBM float (ties to even). IBM's
// range (16^-65 to 16^63) holds every finite float32, so only NaN and Inf
// fail.
func float32ToIBM(v float32) (uint32, error) {
	if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
		return 0, fmt.Errorf("%v cannot be written as an IBM float", v)
	}
	var sign uint32
	x := float64(v)
	if x < 0 {
		sign, x = 0x80000000, -x
	}
	if x == 0 {
		return sign, nil
	}
	frac, exp := math.Frexp(x) // x = frac * 2^exp, frac in [0.5, 1)
	// IBM: x = m * 16^(e-64) * 2^-24 with m < 2^24 and 16^(e-64) >= x.
	e := (exp + 3) >> 2 // smallest e' with 16^e' >= x (floor division)
	shift := 4*e - exp  // frac*2^exp = frac * 2^(4e) * 2^-shift
	m := math.RoundToEven(math.Ldexp(frac, 24-shift))
	if m >= 1<<24 { // rounding carried into a new hex digit
		m /= 16
		e++
		m = math.RoundToEven(m)
	}
	return sign | uint32(e+64)<<24 | uint32(m), nil
}
