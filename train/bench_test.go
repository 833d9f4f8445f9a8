package train

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkScorerAdd scores one F3-sized inline section (255 x 701) with a
// prediction that is wrong on about 5 % of the pixels.
func BenchmarkScorerAdd(b *testing.B) {
	const h, w = 255, 701
	truth, pred := make([]int32, h*w), make([]int32, h*w)
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range truth {
		truth[i] = int32(i / w * 6 / h)
		pred[i] = truth[i]
		if rng.IntN(20) == 0 {
			pred[i] = int32(rng.IntN(6))
		}
	}
	s := NewScorer(6, 3)
	b.SetBytes(int64(h * w))
	for b.Loop() {
		if err := s.Add(truth, pred, h, w); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSlidingWindowOverhead measures the window bookkeeping of
// SectionLogits (copying windows in, averaging logits out) around a network
// that does nothing, on a 255 x 701 section with 128-pixel windows and
// stride 64.
func BenchmarkSlidingWindowOverhead(b *testing.B) {
	const h, w, k = 255, 701, 6
	x := make([]float32, h*w)
	out := make([]float32, 8*k*128*128)
	in := Inferer{Classes: k, Window: 128, Stride: 64, Batch: 8,
		Predict: func(_ []float32, n, hh, ww int) ([]float32, error) { return out[:n*k*hh*ww], nil }}
	b.SetBytes(int64(h * w * 4))
	for b.Loop() {
		if _, err := in.SectionLogits(x, h, w); err != nil {
			b.Fatal(err)
		}
	}
}
