package model

import (
	"math"
	"math/rand"

	_ "go4.org/unsafe/assume-no-moving-gc"
)

// pixelCE is a plain per-pixel softmax cross-entropy LossFunc over labels,
// averaged over pixels, for tests.
func pixelCE(labels []int) LossFunc {
	return func(logits, grad []float32, n, c, h, w int) (float64, error) {
		s := h * w
		var total float64
		p := make([]float64, c)
		for b := range n {
			for i := range s {
				mx := math.Inf(-1)
				for k := range c {
					mx = math.Max(mx, float64(logits[(b*c+k)*s+i]))
				}
				var z float64
				for k := range c {
					p[k] = math.Exp(float64(logits[(b*c+k)*s+i]) - mx)
					z += p[k]
				}
				y := labels[b*s+i]
				total -= math.Log(p[y] / z)
				for k := range c {
					g := p[k] / z
					if k == y {
						g--
					}
					grad[(b*c+k)*s+i] = float32(g / float64(n*s))
				}
			}
		}
		return total / float64(n*s), nil
	}
}

func newRand(seed int64) *rand.Rand { return rand.New(rand.NewSource(seed)) }

// randomInput returns n values drawn from a seeded normal distribution.
func randomInput(seed int64, n int) []float32 {
	r := rand.New(rand.NewSource(seed))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x
}

// stripeLabels labels an n x h x w batch with c horizontal bands whose
// boundaries depend on the image, plus the sign of the input, so that the
// labels are learnable from x.
func stripeLabels(x []float32, n, h, w, c int) []int {
	lab := make([]int, n*h*w)
	for b := range n {
		for y := range h {
			for i := range w {
				k := (y * c / h)
				if x[(b*h+y)*w+i] > 1 {
					k = (k + 1) % c
				}
				lab[(b*h+y)*w+i] = k
			}
		}
	}
	return lab
}
