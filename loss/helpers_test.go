package loss

import (
	"math"
	"math/rand/v2"
	"testing"
)

// randomCase builds labels made of Voronoi regions of c classes, an optional rectangle and scattered pixels
// of the ignore label 255, and logits that are a noisy version of the labels' one-hot code.
func randomCase(rng *rand.Rand, sh Shape, ignore bool, scale, noise float64) ([]float64, []int32) {
	hw := sh.H * sh.W
	labels := make([]int32, sh.N*hw)
	for n := range sh.N {
		seeds := 2 + rng.IntN(4)
		type pt struct {
			i, j float64
			k    int32
		}
		ps := make([]pt, seeds)
		for s := range ps {
			ps[s] = pt{rng.Float64() * float64(sh.H), rng.Float64() * float64(sh.W), int32(rng.IntN(sh.C))}
		}
		ps[1].k = (ps[0].k + 1) % int32(sh.C) // at least two classes
		for i := range sh.H {
			for j := range sh.W {
				best, bd := int32(0), math.Inf(1)
				for _, p := range ps {
					if d := (p.i-float64(i))*(p.i-float64(i)) + (p.j-float64(j))*(p.j-float64(j)); d < bd {
						best, bd = p.k, d
					}
				}
				labels[n*hw+i*sh.W+j] = best
			}
		}
		if ignore {
			i0, j0 := rng.IntN(sh.H), rng.IntN(sh.W)
			for i := i0; i < min(i0+1+sh.H/4, sh.H); i++ {
				for j := j0; j < min(j0+1+sh.W/4, sh.W); j++ {
					labels[n*hw+i*sh.W+j] = 255
				}
			}
			for range hw / 20 {
				labels[n*hw+rng.IntN(hw)] = 255
			}
		}
	}
	x := make([]float64, sh.Len())
	for n := range sh.N {
		for k := range sh.C {
			for ij := range hw {
				v := rng.NormFloat64() * noise
				if labels[n*hw+ij] == int32(k) {
					v += scale
				}
				x[(n*sh.C+k)*hw+ij] = v
			}
		}
	}
	return x, labels
}

func randomWeights(rng *rand.Rand, c int) []float64 {
	w := make([]float64, c)
	for k := range w {
		w[k] = 0.5 + 1.5*rng.Float64()
	}
	return w
}

func mustRun(t testing.TB, s Spec, x []float64, labels []int32, sh Shape, grad []float64, maps bool) Result {
	t.Helper()
	r, err := Run(NewWorkspace(), s, Input[float64]{Logits: x, Labels: labels, Shape: sh, Grad: grad, Maps: maps})
	if err != nil {
		t.Fatalf("%s/%s: %v", s.Name, s.Mode, err)
	}
	return r
}
