package segy

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Format is a SEG-Y data sample format code (binary header bytes 3225-3226).
type Format int

// The sample formats of SEG-Y rev 2.1. Format 4 (fixed point with gain) is
// known but not decoded: the standards disagree on the sign of the gain.
const (
	FormatIBM     Format = 1  // 4-byte IBM System/360 float
	FormatInt32   Format = 2  // 4-byte two's complement integer
	FormatInt16   Format = 3  // 2-byte two's complement integer
	FormatFixGain Format = 4  // 4-byte fixed point with gain (obsolete, rejected)
	FormatIEEE    Format = 5  // 4-byte IEEE float
	FormatFloat64 Format = 6  // 8-byte IEEE float
	FormatInt24   Format = 7  // 3-byte two's complement integer
	FormatInt8    Format = 8  // 1-byte two's complement integer
	FormatInt64   Format = 9  // 8-byte two's complement integer
	FormatUint32  Format = 10 // 4-byte unsigned integer
	FormatUint16  Format = 11 // 2-byte unsigned integer
	FormatUint64  Format = 12 // 8-byte unsigned integer
	FormatUint24  Format = 15 // 3-byte unsigned integer
	FormatUint8   Format = 16 // 1-byte unsigned integer
)

var formatNames = map[Format]string{
	FormatIBM:     "4-byte IBM float",
	FormatInt32:   "4-byte signed integer",
	FormatInt16:   "2-byte signed integer",
	FormatFixGain: "4-byte fixed point with gain",
	FormatIEEE:    "4-byte IEEE float",
	FormatFloat64: "8-byte IEEE float",
	FormatInt24:   "3-byte signed integer",
	FormatInt8:    "1-byte signed integer",
	FormatInt64:   "8-byte signed integer",
	FormatUint32:  "4-byte unsigned integer",
	FormatUint16:  "2-byte unsigned integer",
	FormatUint64:  "8-byte unsigned integer",
	FormatUint24:  "3-byte unsigned integer",
	FormatUint8:   "1-byte unsigned integer",
}

// String names the format, e.g. "4-byte IBM float".
func (f Format) String() string {
	if s, ok := formatNames[f]; ok {
		return s
	}
	return fmt.Sprintf("unknown format %d", int(f))
}

// Known reports whether f is a format code defined by SEG-Y rev 2.1
// (including format 4, which this package refuses to decode).
func (f Format) Known() bool { _, ok := formatNames[f]; return ok }

// Supported reports whether samples of format f can be read and written.
func (f Format) Supported() bool { return f.Known() && f != FormatFixGain }

// Size is the number of bytes of one sample, or 0 for an unknown code.
func (f Format) Size() int {
	switch f {
	case FormatInt8, FormatUint8:
		return 1
	case FormatInt16, FormatUint16:
		return 2
	case FormatInt24, FormatUint24:
		return 3
	case FormatIBM, FormatInt32, FormatFixGain, FormatIEEE, FormatUint32:
		return 4
	case FormatFloat64, FormatInt64, FormatUint64:
		return 8
	}
	return 0
}

// Integer reports whether the samples of f are integers.
func (f Format) Integer() bool {
	switch f {
	case FormatIBM, FormatIEEE, FormatFloat64, FormatFixGain:
		return false
	}
	return f.Known()
}

func (f Format) check() error {
	if f == FormatFixGain {
		return fmt.Errorf("sample format 4 (fixed point with gain) is not supported: the SEG-Y documents disagree on the gain's sign")
	}
	if !f.Known() {
		return fmt.Errorf("unknown sample format code %d", int(f))
	}
	return nil
}

// decodeFloat32 decodes len(dst) samples of format f from src, which holds
// at least len(dst)*f.Size() bytes in byte order bo.
func decodeFloat32(dst []float32, src []byte, f Format, bo binary.ByteOrder) {
	n := len(dst)
	src = src[:n*f.Size()]
	big := bo == binary.ByteOrder(binary.BigEndian)
	switch f {
	case FormatIBM:
		if big {
			decodeIBMBig(dst, src)
		} else {
			decodeIBMLittle(dst, src)
		}
	case FormatIEEE:
		if big {
			decodeIEEEBig(dst, src)
		} else {
			decodeIEEELittle(dst, src)
		}
	case FormatInt16:
		if big {
			decodeInt16Big(dst, src)
		} else {
			decodeInt16Little(dst, src)
		}
	case FormatInt32:
		for i := range dst {
			dst[i] = float32(int32(bo.Uint32(src[4*i:])))
		}
	case FormatUint32:
		for i := range dst {
			dst[i] = float32(bo.Uint32(src[4*i:]))
		}
	case FormatUint16:
		for i := range dst {
			dst[i] = float32(bo.Uint16(src[2*i:]))
		}
	case FormatInt8:
		for i := range dst {
			dst[i] = float32(int8(src[i]))
		}
	case FormatUint8:
		for i := range dst {
			dst[i] = float32(src[i])
		}
	case FormatInt24:
		for i := range dst {
			dst[i] = float32(int24(src[3*i:], big))
		}
	case FormatUint24:
		for i := range dst {
			dst[i] = float32(uint24(src[3*i:], big))
		}
	case FormatFloat64:
		for i := range dst {
			dst[i] = float32(math.Float64frombits(bo.Uint64(src[8*i:])))
		}
	case FormatInt64:
		for i := range dst {
			dst[i] = float32(int64(bo.Uint64(src[8*i:])))
		}
	case FormatUint64:
		for i := range dst {
			dst[i] = float32(bo.Uint64(src[8*i:]))
		}
	}
}

// decodeFloat64 is decodeFloat32 into float64, exact for every format
// except 8-byte integers beyond 2^53.
func decodeFloat64(dst []float64, src []byte, f Format, bo binary.ByteOrder) {
	big := bo == binary.ByteOrder(binary.BigEndian)
	for i := range dst {
		switch f {
		case FormatIBM:
			dst[i] = ibmToFloat64(bo.Uint32(src[4*i:]))
		case FormatIEEE:
			dst[i] = float64(math.Float32frombits(bo.Uint32(src[4*i:])))
		case FormatInt16:
			dst[i] = float64(int16(bo.Uint16(src[2*i:])))
		case FormatInt32:
			dst[i] = float64(int32(bo.Uint32(src[4*i:])))
		case FormatUint32:
			dst[i] = float64(bo.Uint32(src[4*i:]))
		case FormatUint16:
			dst[i] = float64(bo.Uint16(src[2*i:]))
		case FormatInt8:
			dst[i] = float64(int8(src[i]))
		case FormatUint8:
			dst[i] = float64(src[i])
		case FormatInt24:
			dst[i] = float64(int24(src[3*i:], big))
		case FormatUint24:
			dst[i] = float64(uint24(src[3*i:], big))
		case FormatFloat64:
			dst[i] = math.Float64frombits(bo.Uint64(src[8*i:]))
		case FormatInt64:
			dst[i] = float64(int64(bo.Uint64(src[8*i:])))
		case FormatUint64:
			dst[i] = float64(bo.Uint64(src[8*i:]))
		}
	}
}

func uint24(b []byte, big bool) uint32 {
	if big {
		return uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2])
	}
	return uint32(b[2])<<16 | uint32(b[1])<<8 | uint32(b[0])
}

func int24(b []byte, big bool) int32 {
	return int32(uint24(b, big)<<8) >> 8
}

// encodeSamples writes src as format f in byte order bo into dst, which has
// room for len(src)*f.Size() bytes. Integer formats round to nearest and
// refuse values that do not fit (and NaN); the error gives the sample index.
func encodeSamples(dst []byte, src []float32, f Format, bo binary.ByteOrder) error {
	big := bo == binary.ByteOrder(binary.BigEndian)
	if !f.Integer() {
		for i, v := range src {
			switch f {
			case FormatIBM:
				w, err := float32ToIBM(v)
				if err != nil {
					return fmt.Errorf("sample %d: %v", i, err)
				}
				bo.PutUint32(dst[4*i:], w)
			case FormatIEEE:
				bo.PutUint32(dst[4*i:], math.Float32bits(v))
			case FormatFloat64:
				bo.PutUint64(dst[8*i:], math.Float64bits(float64(v)))
			}
		}
		return nil
	}
	lo, hi := intRange(f)
	for i, v := range src {
		r := math.Round(float64(v))
		if math.IsNaN(r) || r < lo || r > hi {
			return fmt.Errorf("sample %d: value %g does not fit %s", i, v, f)
		}
		switch f {
		case FormatInt8, FormatUint8:
			dst[i] = byte(int64(r))
		case FormatInt16, FormatUint16:
			bo.PutUint16(dst[2*i:], uint16(int64(r)))
		case FormatInt24, FormatUint24:
			u := uint32(int64(r))
			if big {
				dst[3*i], dst[3*i+1], dst[3*i+2] = byte(u>>16), byte(u>>8), byte(u)
			} else {
				dst[3*i], dst[3*i+1], dst[3*i+2] = byte(u), byte(u>>8), byte(u>>16)
			}
		case FormatInt32, FormatUint32:
			bo.PutUint32(dst[4*i:], uint32(int64(r)))
		case FormatInt64:
			bo.PutUint64(dst[8*i:], uint64(int64(r)))
		case FormatUint64:
			bo.PutUint64(dst[8*i:], uint64(r))
		}
	}
	return nil
}

// intRange is the closed range of values an integer format can hold.
func intRange(f Format) (lo, hi float64) {
	switch f {
	case FormatInt8:
		return math.MinInt8, math.MaxInt8
	case FormatUint8:
		return 0, math.MaxUint8
	case FormatInt16:
		return math.MinInt16, math.MaxInt16
	case FormatUint16:
		return 0, math.MaxUint16
	case FormatInt24:
		return -1 << 23, 1<<23 - 1
	case FormatUint24:
		return 0, 1<<24 - 1
	case FormatInt32:
		return math.MinInt32, math.MaxInt32
	case FormatUint32:
		return 0, math.MaxUint32
	case FormatInt64:
		return math.MinInt64, math.Nextafter(1<<63, 0)
	case FormatUint64:
		return 0, math.Nextafter(1<<64, 0)
	}
	return 0, 0
}
