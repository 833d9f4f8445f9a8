package loss

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestGradientFiniteDifferences checks d loss / d logits of every loss against central differences in float64
// on random cases (N up to 3, C 2 to 6, up to 32 x 32, with ignore pixels and class weights): along a random
// direction through all entries, and entry by entry on a random subset. ABL runs with Detach=false: with
// Detach=true its gradient deliberately omits the neighbours' path and is no derivative (the reference vectors
// check that variant).
func TestGradientFiniteDifferences(t *testing.T) {
	specs := []Spec{
		{Name: "ce"},
		{Name: "ce", Reduction: "sum"},
		{Name: "dtl", Dilate: Int(1)},
		{Name: "dtl", Dilate: Int(0), Power: 1, BorderWeight: 0.5, Reduction: "mean"},
		{Name: "boundary"},
		{Name: "boundary", Theta0: 5, Theta: 7, Beta: 2, Reduction: "sum"},
		{Name: "active-boundary", MaxRatio: 0.15, Detach: Bool(false)},
		{Name: "active-boundary", MaxRatio: 0.15, Detach: Bool(false), Smoothing: F64(0), Reduction: "mean"},
	}
	shapes := []Shape{{1, 2, 9, 11}, {3, 4, 16, 12}, {2, 6, 32, 32}, {3, 3, 20, 27}}
	rng := rand.New(rand.NewPCG(7, 11))
	for _, mode := range []Mode{Default, Compat} {
		for si, base := range specs {
			for shi, sh := range shapes {
				s := base
				s.Mode = mode
				ignore := shi%2 == 1 || shi == 2
				if shi >= 1 && !(mode == Compat && s.Name == "active-boundary") {
					s.Weights = randomWeights(rng, sh.C)
				}
				x, labels := randomCase(rng, sh, ignore, 1.5, 1)
				name := fmt.Sprintf("%s/%d/%s/%dx%dx%dx%d", mode, si, s.Name, sh.N, sh.C, sh.H, sh.W)
				t.Run(name, func(t *testing.T) { checkGradient(t, s, x, labels, sh, rng) })
			}
		}
	}
}

func checkGradient(t *testing.T, s Spec, x []float64, labels []int32, sh Shape, rng *rand.Rand) {
	grad := make([]float64, sh.Len())
	ws := NewWorkspace()
	r, err := Run(ws, s, Input[float64]{Logits: x, Labels: labels, Shape: sh, Grad: grad, Maps: true})
	if err != nil {
		if s.Mode == Compat {
			t.Skipf("segloss fails on this case too: %v", err)
		}
		t.Fatal(err)
	}
	if s.Name != "ce" && !(r.Maps.Border > 0) {
		t.Fatalf("the boundary term is %v; the case does not exercise it", r.Maps.Border)
	}
	at := func(xx []float64) float64 {
		rr, err := Run(ws, s, Input[float64]{Logits: xx, Labels: labels, Shape: sh})
		if err != nil {
			t.Fatal(err)
		}
		return rr.Loss
	}
	const h = 1e-5
	xp, xm := append([]float64(nil), x...), append([]float64(nil), x...)
	v := make([]float64, len(x))
	an := 0.0
	for i := range v {
		v[i] = rng.Float64()*2 - 1
		xp[i] += h * v[i]
		xm[i] -= h * v[i]
		an += grad[i] * v[i]
	}
	fd := (at(xp) - at(xm)) / (2 * h)
	if math.Abs(fd-an) > 1e-6*math.Max(1, math.Abs(an))+1e-8*math.Abs(r.Loss) {
		t.Errorf("directional derivative: analytic %.12g, finite difference %.12g (loss %.6g)", an, fd, r.Loss)
	}
	for range 24 {
		i := rng.IntN(len(x))
		xp, xm := append([]float64(nil), x...), append([]float64(nil), x...)
		xp[i] += h
		xm[i] -= h
		fd := (at(xp) - at(xm)) / (2 * h)
		if math.Abs(fd-grad[i]) > 1e-6*math.Max(1e-2, math.Abs(grad[i]))+1e-9*math.Abs(r.Loss) {
			t.Errorf("d/dx[%d]: analytic %.12g, finite difference %.12g", i, grad[i], fd)
		}
	}
}

// TestFloat32MatchesFloat64 checks that float32 logits give exactly the float64 result of the same values.
func TestFloat32MatchesFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	sh := Shape{2, 4, 16, 20}
	x, labels := randomCase(rng, sh, true, 2, 1)
	x32 := make([]float32, len(x))
	for i, v := range x {
		x32[i] = float32(v)
		x[i] = float64(x32[i])
	}
	// Class weights and a sum reduction in default mode, where float32 gradients of ce and active-boundary
	// are narrowed image by image (active-boundary rebuilding its kept pixels from the cross-entropy's).
	var specs []Spec
	for _, name := range []string{"ce", "dtl", "boundary", "active-boundary"} {
		specs = append(specs, Spec{Name: name, Mode: Default, MaxRatio: 0.05}, Spec{Name: name, Mode: Compat, MaxRatio: 0.05})
	}
	specs = append(specs, Spec{Name: "ce", Weights: []float64{0.5, 1, 2, 1.5}, Reduction: "sum"},
		Spec{Name: "active-boundary", MaxRatio: 0.2, Weights: []float64{0.5, 1, 2, 1.5}},
		Spec{Name: "active-boundary", MaxRatio: 0.2, Reduction: "sum", Factor: 3},
		Spec{Name: "active-boundary", MaxRatio: 0.2, Detach: Bool(false)})
	for _, s := range specs {
		name, mode := s.Name, s.Mode
		g64, g32 := make([]float64, sh.Len()), make([]float32, sh.Len())
		l64, err := Compute(s, x, labels, sh, g64)
		if err != nil {
			t.Fatal(err)
		}
		l32, err := Compute(s, x32, labels, sh, g32)
		if err != nil {
			t.Fatal(err)
		}
		if l32 != l64 {
			t.Errorf("%s/%s: float32 loss %v, float64 %v", name, mode, l32, l64)
		}
		for i := range g64 {
			if g32[i] != float32(g64[i]) {
				t.Fatalf("%s/%s: grad[%d] float32 %v, float64 %v", name, mode, i, g32[i], g64[i])
			}
		}
	}
}
