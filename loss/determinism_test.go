package loss

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestSameBitsWhateverGOMAXPROCS runs every loss with 1, 2 and 3 procs and requires the loss and every gradient
// entry to be bit-identical: reductions run in a fixed order, not in the order the workers finish.
func TestSameBitsWhateverGOMAXPROCS(t *testing.T) {
	sh := Shape{5, 4, 24, 20}
	rng := rand.New(rand.NewPCG(17, 19))
	x, labels := randomCase(rng, sh, true, 1.5, 1)
	w := randomWeights(rng, sh.C)
	specs := []Spec{
		{Name: "ce", Weights: w}, {Name: "dtl", Dilate: Int(1)}, {Name: "dtl", Dilate: Int(1), Reduction: "mean"},
		{Name: "boundary", Weights: w}, {Name: "boundary", Theta0: 7, Theta: 9},
		{Name: "active-boundary", MaxRatio: 0.1}, {Name: "active-boundary", MaxRatio: 0.1, Detach: Bool(false)},
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, mode := range []Mode{Default, Compat} {
		for _, s := range specs {
			s.Mode = mode
			var refLoss float64
			var refGrad []float64
			for _, procs := range []int{1, 2, 3} {
				runtime.GOMAXPROCS(procs)
				grad := make([]float64, sh.Len())
				r, err := Run(NewWorkspace(), s, Input[float64]{Logits: x, Labels: labels, Shape: sh, Grad: grad})
				if err != nil {
					t.Fatalf("%s/%s: %v", s.Name, mode, err)
				}
				if procs == 1 {
					refLoss, refGrad = r.Loss, grad
					continue
				}
				if math.Float64bits(r.Loss) != math.Float64bits(refLoss) {
					t.Errorf("%s/%s: loss %v with %d procs, %v with 1", s.Name, mode, r.Loss, procs, refLoss)
				}
				for i := range grad {
					if math.Float64bits(grad[i]) != math.Float64bits(refGrad[i]) {
						t.Errorf("%s/%s: grad[%d] %v with %d procs, %v with 1", s.Name, mode, i, grad[i], procs,
							refGrad[i])
						break
					}
				}
			}
		}
	}
}

// TestBoundaryShortcutsMatchFullEvaluation checks the boundary loss's two shortcuts against the full evaluation
// that Maps forces: skipping (image, class) pairs without a ground-truth boundary (class absent, or the whole
// image), and evaluating maxpool_theta(Bp) only on ground-truth boundary pixels. Loss and gradient must be
// bit-identical, and the skipped pairs must have BF1 = 0.
func TestBoundaryShortcutsMatchFullEvaluation(t *testing.T) {
	sh := Shape{3, 5, 16, 18}
	rng := rand.New(rand.NewPCG(31, 37))
	x, labels := randomCase(rng, sh, true, 1.5, 1)
	hw := sh.H * sh.W
	for ij := range hw {
		labels[ij] = 2 // image 0: one class everywhere
		if labels[hw+ij] == 4 {
			labels[hw+ij] = 1 // image 1: class 4 absent
		}
	}
	for _, s := range []Spec{{Name: "boundary"}, {Name: "boundary", Mode: Compat}, {Name: "boundary", Theta: 9},
		{Name: "boundary", Mode: Compat, Theta0: 5, Theta: 7}} {
		mode := s.Mode
		gFull, gSkip := make([]float64, sh.Len()), make([]float64, sh.Len())
		full, err := Run(NewWorkspace(), s, Input[float64]{Logits: x, Labels: labels, Shape: sh, Grad: gFull, Maps: true})
		if err != nil {
			t.Fatal(err)
		}
		skip, err := Run(NewWorkspace(), s, Input[float64]{Logits: x, Labels: labels, Shape: sh, Grad: gSkip})
		if err != nil {
			t.Fatal(err)
		}
		if math.Float64bits(full.Loss) != math.Float64bits(skip.Loss) {
			t.Errorf("%s: loss %v with every pair, %v with the shortcut", mode, full.Loss, skip.Loss)
		}
		for i := range gFull {
			if math.Float64bits(gFull[i]) != math.Float64bits(gSkip[i]) {
				t.Fatalf("%s: grad[%d] %v with every pair, %v with the shortcut", mode, i, gFull[i], gSkip[i])
			}
		}
		for _, job := range []int{0, 1, 2, 3, 4, sh.C + 4} {
			if f := full.Maps.BSL.BF1[job]; f != 0 {
				t.Errorf("%s: BF1 of image %d class %d is %v, want 0", mode, job/sh.C, job%sh.C, f)
			}
		}
	}
}

// TestABLShortcutsMatchFullEvaluation checks default ABL's shortcuts (distances only around the predicted
// boundary, images without a ground-truth boundary or predicted boundary skipped) against the full evaluation
// that Maps forces: loss and gradient must be bit-identical, with images of one class, ignore pixels and
// thresholds that keep few or many pixels.
func TestABLShortcutsMatchFullEvaluation(t *testing.T) {
	sh := Shape{4, 4, 40, 33}
	rng := rand.New(rand.NewPCG(41, 43))
	x, labels := randomCase(rng, sh, true, 1.5, 1)
	hw := sh.H * sh.W
	for ij := range hw {
		labels[ij] = 2 // image 0: no ground-truth boundary
		if ij%sh.W < 3 {
			labels[2*hw+ij] = 255 // image 2: an ignored strip along the left edge
		}
	}
	for _, s := range []Spec{{Name: "active-boundary"}, {Name: "active-boundary", MaxRatio: 0.2},
		{Name: "active-boundary", MaxRatio: 0.002, Detach: Bool(false)}, {Name: "active-boundary", MaxClip: 2}} {
		gFull, gNear := make([]float64, sh.Len()), make([]float64, sh.Len())
		full := mustRun(t, s, x, labels, sh, gFull, true)
		near := mustRun(t, s, x, labels, sh, gNear, false)
		if full.Maps.ABL.PredBoundaryCount < 2 || len(full.Maps.ABL.Kept) == 0 {
			t.Fatalf("%+v: the case keeps no boundary pixel", s)
		}
		if math.Float64bits(full.Loss) != math.Float64bits(near.Loss) {
			t.Errorf("%+v: loss %v with the full maps, %v with the shortcuts", s, full.Loss, near.Loss)
		}
		for i := range gFull {
			if math.Float64bits(gFull[i]) != math.Float64bits(gNear[i]) {
				t.Fatalf("%+v: grad[%d] %v with the full maps, %v with the shortcuts", s, i, gFull[i], gNear[i])
			}
		}
	}
}
