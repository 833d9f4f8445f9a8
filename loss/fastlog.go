package loss

import "math"

const (
	logLn2hi = 6.93147180369123816490e-01 // ln2's high bits: e*logLn2hi is exact for |e| < 2^11
	logLn2lo = 1.90821492927058770002e-10
	logMax   = 1e300 // logs of arguments in [1, logMax] take the fast path
)

// logInv[j] = 1/c_j and logTab[j] = log(c_j) for c_j = 1 + j/256, j = 0..256.
var logInv, logTab = func() (inv, tab [257]float64) {
	for j := range inv {
		c := 1 + float64(j)/256
		inv[j], tab[j] = 1/c, math.Log(c)
	}
	return inv, tab
}()

// logAtLeast1 sets ls[i] = log(s[i]) for s[i] >= 1 to within a few ulp (relative error below 1e-15; the
// absolute error of the small values near s = 1 is a few ulp of the value). s = 2^e * m with m in [1, 2), c
// the nearest of 1 + j/256 to m, r = (m - c)/c (m - c is exact, |r| <= 1/512), log s = e ln2 + log c +
// log1p(r), log1p a degree-6 Taylor polynomial. Arguments below 1 or above 1e300 (and NaN) go to math.Log.
// Default mode's softmax uses it on the sums of exponentials (always in [1, C]); compat keeps math.Log. Where
// the CPU allows it (AVX2), the vector kernel does four values at a time with the same operations in the same
// order (no fused multiply-add), so the bits are those of logAtLeast1Go.
func logAtLeast1(s, ls []float64) {
	ls = ls[:len(s)]
	for i := 0; i < len(s); {
		i += logAtLeast1Vec(s[i:], ls[i:])
		if i < len(s) {
			logAtLeast1Go(s[i:i+1], ls[i:i+1])
			i++
		}
	}
}

// logAtLeast1Go is logAtLeast1 in plain Go.
func logAtLeast1Go(s, ls []float64) {
	ls = ls[:len(s)]
	for i, v := range s {
		if !(v >= 1 && v <= logMax) {
			ls[i] = math.Log(v)
			continue
		}
		b := math.Float64bits(v)
		ef := float64(int64(b>>52) - 1023)
		mb := b&(1<<52-1) | 1023<<52
		j := ((mb>>43)&511 + 1) >> 1 // nearest multiple of 1/256: 0..256
		d := math.Float64frombits(mb) - math.Float64frombits(1023<<52+j<<44)
		// The float64 conversions round each product, so that no multiply and add are fused (as the compiler
		// may for GOAMD64=v3) and the vector kernel's bits stay the same.
		r := float64(d * logInv[j])
		q := float64(r * (-1.0 / 6))
		q = float64(r * (1.0/5 + q))
		q = float64(r * (-1.0/4 + q))
		q = float64(r * (1.0/3 + q))
		q = float64(r * (-1.0/2 + q))
		q = float64(r*q) + r
		ls[i] = (float64(ef*logLn2hi) + logTab[j]) + (float64(ef*logLn2lo) + q)
	}
}

// logConsts are logAtLeast1's constants, each repeated in four lanes for the vector kernel.
var logConsts = func() (c [15][4]uint64) {
	for i, v := range []uint64{1<<52 - 1, 1023 << 52, 511, 1, 0x4330000000000000,
		math.Float64bits(1<<52 + 1023), math.Float64bits(logLn2hi), math.Float64bits(logLn2lo),
		math.Float64bits(-1.0 / 6), math.Float64bits(1.0 / 5), math.Float64bits(-1.0 / 4),
		math.Float64bits(1.0 / 3), math.Float64bits(-1.0 / 2), math.Float64bits(1), math.Float64bits(logMax)} {
		c[i] = [4]uint64{v, v, v, v}
	}
	return c
}()
