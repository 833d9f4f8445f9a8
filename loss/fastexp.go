package loss

import "math"

const (
	invLn2x32 = 32 / math.Ln2
	ln2hi     = 6.93147180369123816490e-01 / 32 // the high bits of ln2/32, exact in a product with k
	ln2lo     = 1.90821492927058770002e-10 / 32
	shifter   = 0x1.8p52 // adding it rounds to an integer held in the low mantissa bits
)

// expTable[j] = 2^(j/32).
var expTable = func() (t [32]float64) {
	for j := range t {
		t[j] = math.Exp2(float64(j) / 32)
	}
	return t
}()

// expNonPos returns e^x for x <= 0 to within a few ulp (relative error below 1e-14), about twice as fast as
// math.Exp: x = (32e + j) ln2/32 + r with |r| <= ln2/64, e^x = 2^e * 2^(j/32) * P(r), P a degree-5 Taylor
// polynomial. Below -700 (results near the denormal range) it defers to math.Exp. Default mode's softmax uses
// it; compat keeps math.Exp.
func expNonPos(x float64) float64 {
	if x < -700 {
		return math.Exp(x)
	}
	t := float64(x*invLn2x32) + shifter // the conversions round each product: no fused multiply-add
	k := int64(math.Float64bits(t))     // low bits: round(x*32/ln2) in two's complement
	kf := t - shifter
	r := x - float64(kf*ln2hi) - float64(kf*ln2lo)
	p := float64(r * (1.0 / 120))
	p = float64(r * (1.0/24 + p))
	p = float64(r * (1.0/6 + p))
	p = float64(r * (1.0/2 + p))
	p = 1 + float64(r*(1+p))
	j := k & 31
	e := int32(int64(int32(k)) >> 5) // floor(k/32)
	b := math.Float64bits(expTable[j]) + uint64(int64(e))<<52
	return math.Float64frombits(b) * p
}

// expShiftAccum sets p[i] = expNonPos(x[i] - m[i]) and adds it to s[i]. Where the CPU allows it (AVX2), the
// vector kernel does four pixels at a time with the same operations in the same order (no fused multiply-add),
// so the bits are those of expShiftAccumGo; a group of four holding an argument below -700 and the tail are
// left to the scalar loop.
func expShiftAccum(x, m, p, s []float64) {
	m, p, s = m[:len(x)], p[:len(x)], s[:len(x)]
	for i := 0; i < len(x); {
		i += expShiftAccumVec(x[i:], m[i:], p[i:], s[i:])
		if i < len(x) {
			expShiftAccumGo(x[i:i+1], m[i:i+1], p[i:i+1], s[i:i+1])
			i++
		}
	}
}

// expShiftAccumGo is expShiftAccum in plain Go, with the exponential written out in the loop (expNonPos itself
// is too large to inline).
func expShiftAccumGo(x, m, p, s []float64) {
	m, p, s = m[:len(x)], p[:len(x)], s[:len(x)]
	for i, v := range x {
		y := v - m[i]
		var e float64
		if y < -700 {
			e = math.Exp(y)
		} else {
			// The float64 conversions round each product, so that no multiply and add are fused (as the
			// compiler may for GOAMD64=v3) and the vector kernel's bits stay the same.
			t := float64(y*invLn2x32) + shifter
			k := int64(math.Float64bits(t))
			kf := t - shifter
			r := y - float64(kf*ln2hi) - float64(kf*ln2lo)
			q := float64(r * (1.0 / 120))
			q = float64(r * (1.0/24 + q))
			q = float64(r * (1.0/6 + q))
			q = float64(r * (1.0/2 + q))
			q = 1 + float64(r*(1+q))
			b := math.Float64bits(expTable[k&31]) + uint64(int64(int32(k))>>5)<<52
			e = math.Float64frombits(b) * q
		}
		p[i] = e
		s[i] += e
	}
}

// expConsts are expShiftAccum's constants, each repeated in four lanes for the vector kernel.
var expConsts = func() (c [11][4]uint64) {
	for i, v := range []float64{invLn2x32, shifter, ln2hi, ln2lo, 1.0 / 120, 1.0 / 24, 1.0 / 6, 1.0 / 2, 1, -700} {
		c[i] = [4]uint64{math.Float64bits(v), math.Float64bits(v), math.Float64bits(v), math.Float64bits(v)}
	}
	c[10] = [4]uint64{31, 31, 31, 31}
	return c
}()
