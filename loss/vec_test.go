package loss

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestVecKernels requires the element-wise helpers (AVX2 where available) to give the bits of plain Go loops
// for every length up to 37, with signed zeros in maxAcc and non-finite values in widen.
func TestVecKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 4))
	same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }
	zeros := []float64{0, math.Copysign(0, -1)}
	for n := 0; n <= 37; n++ {
		for rep := range 10 {
			m, x := make([]float64, n), make([]float64, n)
			for i := range m {
				m[i], x[i] = rng.NormFloat64(), rng.NormFloat64()
				if rep%2 == 0 {
					m[i], x[i] = zeros[rng.IntN(2)], zeros[rng.IntN(2)]
				}
			}
			got := append([]float64(nil), m...)
			maxAcc(got, x)
			prod := make([]float64, n)
			mulTo(prod, m, x)
			dot, g := append([]float64(nil), x...), append([]float64(nil), m...)
			dotAcc(dot, m, x)
			softBack(g, x, m, prod)
			sub := make([]float64, n)
			subSub(sub, m, x, prod)
			for i := range m {
				if want := max(m[i], x[i]); !same(got[i], want) {
					t.Fatalf("maxAcc n=%d [%d]: max(%v, %v) = %v, want %v", n, i, m[i], x[i], got[i], want)
				}
				if !same(prod[i], m[i]*x[i]) {
					t.Fatalf("mulTo n=%d [%d]: %v * %v = %v", n, i, m[i], x[i], prod[i])
				}
				if want := x[i] + float64(m[i]*x[i]); !same(dot[i], want) {
					t.Fatalf("dotAcc n=%d [%d]: %v, want %v", n, i, dot[i], want)
				}
				if want := m[i] - x[i] - prod[i]; !same(sub[i], want) {
					t.Fatalf("subSub n=%d [%d]: %v, want %v", n, i, sub[i], want)
				}
				if want := m[i] + float64(x[i]*(m[i]-prod[i])); !same(g[i], want) {
					t.Fatalf("softBack n=%d [%d]: %v, want %v", n, i, g[i], want)
				}
			}
			src := make([]float32, n)
			for i := range src {
				src[i] = float32(rng.NormFloat64() * 1e3)
			}
			bad := -1
			if rep%3 == 1 && n > 0 {
				bad = rng.IntN(n)
				src[bad] = []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}[rep%3]
			}
			wide := make([]float64, n)
			if ok := widen(wide, src); ok != (bad < 0) {
				t.Fatalf("widen n=%d with non-finite at %d: ok = %v", n, bad, ok)
			}
			back := make([]float32, n)
			narrow(back, wide)
			for i, v := range src {
				if i != bad && (wide[i] != float64(v) || back[i] != v) {
					t.Fatalf("widen/narrow n=%d [%d]: %v -> %v -> %v", n, i, v, wide[i], back[i])
				}
			}
			for i := range wide {
				wide[i] = rng.NormFloat64() * 1e-3
			}
			narrow(back, wide)
			for i, v := range wide {
				if back[i] != float32(v) {
					t.Fatalf("narrow n=%d [%d]: %v -> %v, want %v", n, i, v, back[i], float32(v))
				}
			}
		}
	}
}

// TestWmax3MatchesKeys requires the float 3 x 3 window maximum to give the values and arguments of the key
// path (wmaxScratch.keys, size 3) on every image size up to 11 x 13, with many ties.
func TestWmax3MatchesKeys(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 6))
	var ws wmaxScratch
	for h := 1; h <= 11; h++ {
		for w := 1; w <= 13; w++ {
			for rep := range 6 {
				n := h * w
				src := make([]float64, n)
				for i := range src {
					src[i] = rng.Float64()
					if rep%2 == 0 {
						src[i] = float64(rng.IntN(3)) / 2
					}
				}
				key := make([]uint64, n)
				for i, v := range src {
					key[i] = fkey(v)
				}
				wantArg := make([]int32, n)
				ws.keys(key, h, w, 3, wantArg)
				got, arg := make([]float64, n), make([]int32, n)
				wmax3(src, h, w, got, arg, make([]float64, n), make([]int32, n))
				for i := range src {
					if math.Float64bits(got[i]) != math.Float64bits(unkey(key[i])) || arg[i] != wantArg[i] {
						t.Fatalf("%dx%d pixel %d: max %v at %d, keys give %v at %d", h, w, i, got[i], arg[i],
							unkey(key[i]), wantArg[i])
					}
				}
			}
		}
	}
}

// TestStampDilate requires the stamping dilation to give wmaxScratch.dilate's map for every odd window up to 9
// on sparse and dense random maps of sizes up to 10 x 17.
func TestStampDilate(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	var ws wmaxScratch
	for _, size := range []int{1, 3, 5, 7, 9} {
		for h := 1; h <= 10; h += 3 {
			for _, w := range []int{1, 5, 8, 16, 17} {
				for _, density := range []float64{0.02, 0.3} {
					src := make([]uint8, h*w)
					for i := range src {
						if rng.Float64() < density {
							src[i] = 1
						}
					}
					want, got := make([]uint8, h*w), make([]uint8, h*w)
					for i := range got {
						got[i] = 7 // stale values must be overwritten
					}
					ws.dilate(src, h, w, size, want)
					stampDilate(src, h, w, size, got)
					for i := range want {
						if got[i] != want[i] {
							t.Fatalf("size %d, %dx%d, density %v: pixel %d is %d, want %d", size, h, w, density, i,
								got[i], want[i])
						}
					}
				}
			}
		}
	}
}

// TestLabelEdges3 requires the per-image edge map, kept on the class-k pixels, to be the dilation of "not k"
// by the 3 x 3 window kept on the class-k pixels (ignore pixels counted or not) on random labels.
func TestLabelEdges3(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 1))
	var ws wmaxScratch
	const ign = 255
	for _, h := range []int{1, 2, 3, 7} {
		for _, w := range []int{1, 2, 5, 8, 16} {
			for _, skip := range []bool{false, true} {
				lab := make([]int32, h*w)
				for i := range lab {
					lab[i] = int32(rng.IntN(3))
					if rng.IntN(6) == 0 {
						lab[i] = ign
					}
				}
				edges := make([]uint8, h*w)
				labelEdges3(lab, h, w, ign, skip, edges, make([]int32, 2*h*w))
				for k := int32(0); k < 3; k++ {
					notK, want := make([]uint8, h*w), make([]uint8, h*w)
					for i, y := range lab {
						notK[i] = b2u(y != k && !(skip && y == ign))
					}
					ws.dilate(notK, h, w, 3, want)
					for i, y := range lab {
						if got := edges[i] & b2u(y == k); got != want[i]&b2u(y == k) {
							t.Fatalf("%dx%d skip=%v class %d pixel %d: %d, dilation gives %d", h, w, skip, k, i, got,
								want[i]&b2u(y == k))
						}
					}
				}
			}
		}
	}
}

// TestFloat32NonFinite requires a NaN or infinite float32 logit to be reported with its index by every loss
// (the losses that read float32 logits block by block check them first).
func TestFloat32NonFinite(t *testing.T) {
	sh := Shape{2, 3, 5, 7}
	rng := rand.New(rand.NewPCG(1, 9))
	x64, labels := randomCase(rng, sh, false, 1, 1)
	for _, name := range []string{"ce", "dtl", "boundary", "active-boundary"} {
		for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
			for _, at := range []int{0, 77, sh.Len() - 1} {
				x := make([]float32, sh.Len())
				for i, v := range x64 {
					x[i] = float32(v)
				}
				x[at] = bad
				_, err := Compute(Spec{Name: name}, x, labels, sh, make([]float32, sh.Len()))
				want := fmt.Sprintf("logit %d is %v", at, float64(bad))
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("%s, %v at %d: error %v, want one containing %q", name, bad, at, err, want)
				}
			}
		}
	}
}
