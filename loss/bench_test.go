package loss

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// layeredCase builds seismic-like labels: C layers stacked in depth whose C-1 interfaces are sine curves,
// depth_b(j) = H*b/C + H/(4C) * sin(2*pi*(1 + b%3)*j/W + 0.9*n + 1.7*b), b = 1..C-1 (the label of (i,j) is the
// number of interfaces at or above row i), and logits scale * one-hot + N(0, noise^2).
// scripts/bench_segloss_py.py builds the same labels for segloss.
func layeredCase(rng *rand.Rand, sh Shape, scale, noise float64) ([]float64, []int32) {
	hw := sh.H * sh.W
	labels := make([]int32, sh.N*hw)
	amp := float64(sh.H) / float64(4*sh.C)
	for n := range sh.N {
		for j := range sh.W {
			for i := range sh.H {
				k := int32(0)
				for bd := 1; bd < sh.C; bd++ {
					d := float64(sh.H*bd)/float64(sh.C) +
						amp*math.Sin(2*math.Pi*float64(1+bd%3)*float64(j)/float64(sh.W)+0.9*float64(n)+1.7*float64(bd))
					if d <= float64(i) {
						k++
					}
				}
				labels[n*hw+i*sh.W+j] = k
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

// BenchmarkLoss measures loss plus gradient on the training batch size 16 x 6 x 128 x 128 in float32, with
// layered labels (layeredCase), as scripts/bench_segloss_py.py times segloss.
func BenchmarkLoss(b *testing.B) {
	sh := Shape{16, 6, 128, 128}
	rng := rand.New(rand.NewPCG(1, 2))
	x64, labels := layeredCase(rng, sh, 1.5, 1)
	x := make([]float32, len(x64))
	for i, v := range x64 {
		x[i] = float32(v)
	}
	grad := make([]float32, len(x))
	for _, mode := range []Mode{Default, Compat} {
		for _, name := range []string{"ce", "dtl", "boundary", "active-boundary"} {
			s := Spec{Name: name, Mode: mode}
			b.Run(mode.String()+"/"+name, func(b *testing.B) {
				ws := NewWorkspace()
				in := Input[float32]{Logits: x, Labels: labels, Shape: sh, Grad: grad}
				if _, err := Run(ws, s, in); err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(4 * len(x)))
				b.ResetTimer()
				for range b.N {
					if _, err := Run(ws, s, in); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkDistance measures the distance transforms on one 128 x 128 image.
func BenchmarkDistance(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	f := randomMask(rng, 128, 128, 0.02)
	b.Run("cityblock", func(b *testing.B) {
		d := make([]int32, len(f))
		for range b.N {
			CityBlock(f, 128, 128, 1000, d)
		}
	})
	b.Run("euclidean", func(b *testing.B) {
		d := make([]int64, len(f))
		var s edtScratch
		for range b.N {
			s.run(f, 128, 128, d)
		}
	})
}

// BenchmarkWindowMax measures the window maximum with arguments on one 128 x 128 image: the cost should not
// grow with the window size (van Herk / Gil-Werman) beyond the direct path used for size 3.
func BenchmarkWindowMax(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	src := make([]float64, 128*128)
	for i := range src {
		src[i] = rng.Float64()
	}
	dst, arg := make([]float64, len(src)), make([]int32, len(src))
	for _, size := range []int{3, 5, 9, 17, 33} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			var s wmaxScratch
			for range b.N {
				s.run(src, 128, 128, size, dst, arg)
			}
		})
	}
}
