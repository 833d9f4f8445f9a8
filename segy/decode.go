package segy

import (
	"encoding/binary"
	"math"
)

// The loops below decode the hot formats (1, 3 and 5) with few bounds
// checks: they walk dst and src in blocks of four samples (whose bounds
// are checked once), then one at a time, with no branch on the data.

// decodeIBMBig and decodeIBMLittle decode IBM floats exactly as
// ibmToFloat32 does: the fast loops below handle every sample but those
// with extreme exponents (below 16^-31 or above 16^37), which go through
// ibmToFloat32 one at a time before the fast loop resumes.
func decodeIBMBig(dst []float32, src []byte) {
	for {
		i := ibmFastBig(dst, src)
		if i >= len(dst) || 4*i+4 > len(src) {
			return
		}
		dst[i] = ibmToFloat32(binary.BigEndian.Uint32(src[4*i:]))
		dst, src = dst[i+1:], src[4*i+4:]
	}
}

func decodeIBMLittle(dst []float32, src []byte) {
	for {
		i := ibmFastLittle(dst, src)
		if i >= len(dst) || 4*i+4 > len(src) {
			return
		}
		dst[i] = ibmToFloat32(binary.LittleEndian.Uint32(src[4*i:]))
		dst, src = dst[i+1:], src[4*i+4:]
	}
}

// ibmScale32[w>>24] is the signed value of one mantissa unit of an IBM
// float whose top byte (sign and exponent) is w>>24. For the exponents 33
// to 101 the unit, 2^(4e-280), is a float32 (normal or subnormal), so
// float32(mantissa)*unit is one correctly rounded IEEE product of exact
// operands: the value ibmToFloat32 gives, float32 subnormals and overflow
// to +-Inf included. The other exponents hold +-1, so that zero mantissas
// still decode to +-0; non-zero ones take the exact route.
var ibmScale32 = func() (t [256]float32) {
	for b := range t {
		e := b & 0x7f
		v := float32(1)
		if e >= ibmFastMinExp && e <= ibmFastMaxExp {
			v = float32(ibmScale[e])
		}
		if b&0x80 != 0 {
			v = -v
		}
		t[b] = v
	}
	return t
}()

const ibmFastMinExp, ibmFastMaxExp = 33, 101

// ibmOdd reports whether w has a non-zero mantissa and an exponent
// outside 33-101, so that ibmScale32 does not decode it.
func ibmOdd(w uint32) bool {
	return (w>>24)&0x7f-ibmFastMinExp > ibmFastMaxExp-ibmFastMinExp && w<<8 != 0
}

// ibmFastBig and ibmFastLittle decode IBM floats with one float32 product
// each up to the first sample with a non-zero mantissa and an exponent
// outside 33-101, whose index they return (len(d) when there is none).
func ibmFastBig(d []float32, s []byte) int {
	n := 0
	for len(d) >= 4 && len(s) >= 16 {
		dd, ss := d[:4:4], s[:16:16]
		w0 := binary.BigEndian.Uint32(ss[0:4])
		w1 := binary.BigEndian.Uint32(ss[4:8])
		w2 := binary.BigEndian.Uint32(ss[8:12])
		w3 := binary.BigEndian.Uint32(ss[12:16])
		if ibmOdd(w0) || ibmOdd(w1) || ibmOdd(w2) || ibmOdd(w3) {
			break
		}
		dd[0] = float32(int32(w0&0x00ffffff)) * ibmScale32[w0>>24]
		dd[1] = float32(int32(w1&0x00ffffff)) * ibmScale32[w1>>24]
		dd[2] = float32(int32(w2&0x00ffffff)) * ibmScale32[w2>>24]
		dd[3] = float32(int32(w3&0x00ffffff)) * ibmScale32[w3>>24]
		d, s, n = d[4:], s[16:], n+4
	}
	for len(d) >= 1 && len(s) >= 4 {
		w := binary.BigEndian.Uint32(s[:4])
		if ibmOdd(w) {
			return n
		}
		d[0] = float32(int32(w&0x00ffffff)) * ibmScale32[w>>24]
		d, s, n = d[1:], s[4:], n+1
	}
	return n
}

func ibmFastLittle(d []float32, s []byte) int {
	n := 0
	for len(d) >= 4 && len(s) >= 16 {
		dd, ss := d[:4:4], s[:16:16]
		w0 := binary.LittleEndian.Uint32(ss[0:4])
		w1 := binary.LittleEndian.Uint32(ss[4:8])
		w2 := binary.LittleEndian.Uint32(ss[8:12])
		w3 := binary.LittleEndian.Uint32(ss[12:16])
		if ibmOdd(w0) || ibmOdd(w1) || ibmOdd(w2) || ibmOdd(w3) {
			break
		}
		dd[0] = float32(int32(w0&0x00ffffff)) * ibmScale32[w0>>24]
		dd[1] = float32(int32(w1&0x00ffffff)) * ibmScale32[w1>>24]
		dd[2] = float32(int32(w2&0x00ffffff)) * ibmScale32[w2>>24]
		dd[3] = float32(int32(w3&0x00ffffff)) * ibmScale32[w3>>24]
		d, s, n = d[4:], s[16:], n+4
	}
	for len(d) >= 1 && len(s) >= 4 {
		w := binary.LittleEndian.Uint32(s[:4])
		if ibmOdd(w) {
			return n
		}
		d[0] = float32(int32(w&0x00ffffff)) * ibmScale32[w>>24]
		d, s, n = d[1:], s[4:], n+1
	}
	return n
}

func decodeIEEEBig(dst []float32, src []byte) {
	for len(dst) >= 4 && len(src) >= 16 {
		d, s := dst[:4:4], src[:16:16]
		d[0] = math.Float32frombits(binary.BigEndian.Uint32(s[0:4]))
		d[1] = math.Float32frombits(binary.BigEndian.Uint32(s[4:8]))
		d[2] = math.Float32frombits(binary.BigEndian.Uint32(s[8:12]))
		d[3] = math.Float32frombits(binary.BigEndian.Uint32(s[12:16]))
		dst, src = dst[4:], src[16:]
	}
	for len(dst) >= 1 && len(src) >= 4 {
		dst[0] = math.Float32frombits(binary.BigEndian.Uint32(src[:4]))
		dst, src = dst[1:], src[4:]
	}
}

func decodeIEEELittle(dst []float32, src []byte) {
	for len(dst) >= 4 && len(src) >= 16 {
		d, s := dst[:4:4], src[:16:16]
		d[0] = math.Float32frombits(binary.LittleEndian.Uint32(s[0:4]))
		d[1] = math.Float32frombits(binary.LittleEndian.Uint32(s[4:8]))
		d[2] = math.Float32frombits(binary.LittleEndian.Uint32(s[8:12]))
		d[3] = math.Float32frombits(binary.LittleEndian.Uint32(s[12:16]))
		dst, src = dst[4:], src[16:]
	}
	for len(dst) >= 1 && len(src) >= 4 {
		dst[0] = math.Float32frombits(binary.LittleEndian.Uint32(src[:4]))
		dst, src = dst[1:], src[4:]
	}
}

func decodeInt16Big(dst []float32, src []byte) {
	for len(dst) >= 4 && len(src) >= 8 {
		d, s := dst[:4:4], src[:8:8]
		d[0] = float32(int16(binary.BigEndian.Uint16(s[0:2])))
		d[1] = float32(int16(binary.BigEndian.Uint16(s[2:4])))
		d[2] = float32(int16(binary.BigEndian.Uint16(s[4:6])))
		d[3] = float32(int16(binary.BigEndian.Uint16(s[6:8])))
		dst, src = dst[4:], src[8:]
	}
	for len(dst) >= 1 && len(src) >= 2 {
		dst[0] = float32(int16(binary.BigEndian.Uint16(src[:2])))
		dst, src = dst[1:], src[2:]
	}
}

func decodeInt16Little(dst []float32, src []byte) {
	for len(dst) >= 4 && len(src) >= 8 {
		d, s := dst[:4:4], src[:8:8]
		d[0] = float32(int16(binary.LittleEndian.Uint16(s[0:2])))
		d[1] = float32(int16(binary.LittleEndian.Uint16(s[2:4])))
		d[2] = float32(int16(binary.LittleEndian.Uint16(s[4:6])))
		d[3] = float32(int16(binary.LittleEndian.Uint16(s[6:8])))
		dst, src = dst[4:], src[8:]
	}
	for len(dst) >= 1 && len(src) >= 2 {
		dst[0] = float32(int16(binary.LittleEndian.Uint16(src[:2])))
		dst, src = dst[1:], src[2:]
	}
}
