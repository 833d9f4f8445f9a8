package segy

import (
	"encoding/binary"
	"math"
	"math/rand"
	"testing"
)

// TestDecodeIBMFastMatchesExact checks the bit-moving IBM decoder against
// the exact float64 route for every sign and exponent byte with edge and
// random mantissas, in both byte orders and in runs of every length up to
// 9 (the four-sample blocks, their tails and the restarts after a sample
// that needs the exact route), sign of zero included.
func TestDecodeIBMFastMatchesExact(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	mants := []uint32{0, 1, 0xf, 0x10, 0xfff, 0x0fffff, 0x100000, 0x7fffff, 0x800000, 0xffffff}
	for k := 0; k < 20; k++ {
		mants = append(mants, rng.Uint32()&0xffffff)
	}
	var words []uint32
	for top := uint32(0); top < 256; top++ {
		for _, m := range mants {
			words = append(words, top<<24|m)
		}
	}
	rng.Shuffle(len(words), func(i, j int) { words[i], words[j] = words[j], words[i] })
	for _, bo := range []binary.ByteOrder{binary.BigEndian, binary.LittleEndian} {
		for n := 1; n <= 9; n++ {
			src := make([]byte, 4*n)
			got := make([]float32, n)
			for at := 0; at+n <= len(words); at += n {
				for i := 0; i < n; i++ {
					bo.PutUint32(src[4*i:], words[at+i])
				}
				decodeFloat32(got, src, FormatIBM, bo)
				for i, v := range got {
					w := words[at+i]
					if want := ibmToFloat32(w); math.Float32bits(v) != math.Float32bits(want) {
						t.Fatalf("%v, run of %d: IBM %#08x decoded to %v (%#08x), want %v (%#08x)", bo, n, w, v, math.Float32bits(v), want, math.Float32bits(want))
					}
				}
			}
		}
	}
}

// TestDecodeFloat32Formats checks the specialised loops of formats 1, 3
// and 5 against a plain per-sample decode, for lengths around the
// four-sample blocks.
func TestDecodeFloat32Formats(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, fm := range []Format{FormatIBM, FormatInt16, FormatIEEE} {
		for _, bo := range []binary.ByteOrder{binary.BigEndian, binary.LittleEndian} {
			for n := 0; n <= 13; n++ {
				src := make([]byte, n*fm.Size())
				rng.Read(src)
				got := make([]float32, n)
				decodeFloat32(got, src, fm, bo)
				want := make([]float64, n)
				decodeFloat64(want, src, fm, bo)
				for i := range got {
					w := float32(want[i])
					if math.Float32bits(got[i]) != math.Float32bits(w) && !(math.IsNaN(float64(w)) && math.IsNaN(float64(got[i]))) {
						t.Fatalf("format %d %v n=%d sample %d: %v, want %v", fm, bo, n, i, got[i], w)
					}
				}
			}
		}
	}
}
