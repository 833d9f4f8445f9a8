package loss

import (
	"math/rand/v2"
	"testing"
)

// dtlInputs runs the DTL front end (softmax, contours, distances) of compat mode and returns what the penalty
// forms take: probabilities, P*D per class/image/pixel, and the classes.
func dtlInputs(t *testing.T, ws *Workspace, x []float64, labels []int32, sh Shape) ([]float64, []int32, []int32) {
	t.Helper()
	r, err := Run(ws, Spec{Name: "dtl", Mode: Compat, Dilate: Int(1)},
		Input[float64]{Logits: x, Labels: labels, Shape: sh, Maps: true})
	if err != nil {
		t.Fatal(err)
	}
	return ws.p[:sh.Len()], ws.m[:len(r.Maps.DTL.Classes)*sh.Pixels()], r.Maps.DTL.Classes
}

// TestDTLFactorisedMatchesPairs checks compat DTL's O(N) form of the [N,N,H,W] penalty against the entry-by-entry
// sum: total, count and gradient, on random batches.
func TestDTLFactorisedMatchesPairs(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 29))
	for _, sh := range []Shape{{2, 3, 12, 9}, {4, 5, 20, 16}, {6, 2, 7, 31}} {
		x, labels := randomCase(rng, sh, true, 1.5, 1)
		ws := NewWorkspace()
		p, m, classes := dtlInputs(t, ws, x, labels, sh)
		p, m = append([]float64(nil), p...), append([]int32(nil), m...)
		fact, ok := NewWorkspace().dtlFactorised(p, m, classes, sh)
		if !ok {
			t.Fatalf("%+v: factorised form refused a case without underflow", sh)
		}
		pairs := NewWorkspace().dtlPairs(p, m, classes, sh, false)
		if fact.count != pairs.count || !relClose(fact.total, pairs.total, 1e-13, 0) {
			t.Fatalf("%+v: factorised %v (%d entries), pairs %v (%d)", sh, fact.total, fact.count, pairs.total,
				pairs.count)
		}
		gf, gq := make([]float64, sh.Len()), make([]float64, sh.Len())
		fact.grad(0.7, gf)
		pairs.grad(0.7, gq)
		for i := range gf {
			if !relClose(gf[i], gq[i], 1e-13, 1e-15) {
				t.Fatalf("%+v: grad[%d] factorised %v, pairs %v", sh, i, gf[i], gq[i])
			}
		}
	}
}

// TestDTLFactorisedFallsBackOnUnderflow makes one probability underflow to 0 where a contour penalty sits: the
// factorised form must refuse, and Run must still give the entry-by-entry result (the zero entry not counted).
func TestDTLFactorisedFallsBackOnUnderflow(t *testing.T) {
	sh := Shape{2, 3, 6, 6}
	hw := sh.H * sh.W
	labels := make([]int32, sh.Pixels())
	x := make([]float64, sh.Len())
	for n := range sh.N {
		for ij := range hw {
			i, j := ij/sh.W, ij%sh.W
			if j >= 3 {
				labels[n*hw+ij] = 1
			}
			// Image 0 predicts class 1 in its top-left corner and class 2 elsewhere, so only class 1 has
			// contours (far from the true one); image 1 gives class 1 a probability of exp(-900) = 0 in float64.
			switch {
			case n == 0 && j < 3 && i < 3:
				x[(n*sh.C+1)*hw+ij] = 2
			case n == 0:
				x[(n*sh.C+2)*hw+ij] = 1
			default:
				x[(n*sh.C+0)*hw+ij] = 900
			}
		}
	}
	ws := NewWorkspace()
	p, m, classes := dtlInputs(t, ws, x, labels, sh)
	if _, ok := NewWorkspace().dtlFactorised(p, m, classes, sh); ok {
		t.Fatal("factorised form accepted probabilities that underflowed")
	}
	pairs := NewWorkspace().dtlPairs(p, m, classes, sh, false)
	r, err := Run(NewWorkspace(), Spec{Name: "dtl", Mode: Compat, Dilate: Int(1), Reduction: "mean"},
		Input[float64]{Logits: x, Labels: labels, Shape: sh, Maps: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.Maps.DTL.NonZero != pairs.count || r.Maps.Border != pairs.total/float64(pairs.count) {
		t.Fatalf("Run: %d entries, border %v; pairs: %d, %v", r.Maps.DTL.NonZero, r.Maps.Border, pairs.count,
			pairs.total/float64(pairs.count))
	}
	// The factorised count would be N times the pixels (a,ij) with a non-zero m; the entries of image 1's
	// underflowed probabilities are zero and must not count.
	pixels := 0
	for ai := range sh.Pixels() {
		for kk := range classes {
			if m[kk*sh.Pixels()+ai] != 0 {
				pixels++
				break
			}
		}
	}
	if pixels == 0 || pairs.count >= sh.N*pixels {
		t.Fatalf("%d entries counted of %d pixels with a penalty in %d images", pairs.count, pixels, sh.N)
	}
}
