package model

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func newAdam(t *testing.T, lr float64) *Adam {
	t.Helper()
	a, err := NewAdam(AdamConfig{LearningRate: lr})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// trainLosses trains a fresh model for steps steps on one fixed batch and
// returns the loss curve.
func trainLosses(t *testing.T, cfg Config, seed int64, solver Solver, steps int) ([]float64, *Model) {
	t.Helper()
	m, err := New(cfg, seed)
	if err != nil {
		t.Fatal(err)
	}
	const n, h, w = 2, 16, 16
	x := randomInput(5, n*cfg.InChannels*h*w)
	labels := stripeLabels(x, n, h, w, cfg.Classes)
	tr, err := m.NewTrainer(n, h, w, pixelCE(labels), solver)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	losses := make([]float64, steps)
	for i := range losses {
		if losses[i], err = tr.Step(x); err != nil {
			t.Fatal(err)
		}
	}
	return losses, m
}

func TestOverfitOneBatch(t *testing.T) {
	cases := []struct {
		name   string
		cfg    Config
		solver func() Solver
		steps  int
	}{
		{"adam batchnorm", Config{InChannels: 1, Classes: 3, Depth: 2, Base: 4, BatchNorm: true}, func() Solver { return newAdam(t, 0.02) }, 200},
		{"sgd learned", Config{InChannels: 1, Classes: 3, Depth: 2, Base: 4, Upsample: UpsampleLearned}, func() Solver {
			s, err := NewSGD(SGDConfig{LearningRate: 0.05, Momentum: 0.9, ClipNorm: 1})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}, 300},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			losses, _ := trainLosses(t, tc.cfg, 1, tc.solver(), tc.steps)
			first, last := losses[0], losses[len(losses)-1]
			t.Logf("loss %.4f -> %.4f", first, last)
			if first < 0.5 {
				t.Errorf("initial loss %.4f is suspiciously low for 3 classes", first)
			}
			if last > 0.05 {
				t.Errorf("did not overfit: loss %.4f -> %.4f", first, last)
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	cfg := Config{InChannels: 1, Classes: 3, Depth: 2, Base: 4, BatchNorm: true}
	a, _ := trainLosses(t, cfg, 3, newAdam(t, 0.01), 4)
	b, _ := trainLosses(t, cfg, 3, newAdam(t, 0.01), 4)
	c, _ := trainLosses(t, cfg, 4, newAdam(t, 0.01), 4)
	if !slices.Equal(a, b) {
		t.Errorf("same seed, different losses: %v vs %v", a, b)
	}
	if slices.Equal(a, c) {
		t.Errorf("different seeds, same losses: %v", a)
	}
}

// TestNoGradientAccumulation checks that a step's update depends only on
// its own gradient: plain SGD from the same weights moves them by the same
// amount whether or not earlier passes ran.
func TestNoGradientAccumulation(t *testing.T) {
	cfg := Config{InChannels: 1, Classes: 2, Depth: 2, Base: 2}
	m, err := New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	const n, h, w = 1, 8, 8
	x := randomInput(2, n*h*w)
	labels := stripeLabels(x, n, h, w, 2)
	sgd, err := NewSGD(SGDConfig{LearningRate: 1e-3})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := m.NewTrainer(n, h, w, pixelCE(labels), sgd)
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(m)
	if _, err := tr.Step(x); err != nil {
		t.Fatal(err)
	}
	first := diff(snapshot(m), before)
	sgd.SetLearningRate(1e-12) // the next step nearly keeps the weights
	if _, err := tr.Step(x); err != nil {
		t.Fatal(err)
	}
	restore(m, before)
	sgd.SetLearningRate(1e-3)
	if _, err := tr.Step(x); err != nil {
		t.Fatal(err)
	}
	again := diff(snapshot(m), before)
	for i := range first {
		if math.Abs(first[i]-again[i]) > 1e-6*math.Max(1, math.Abs(first[i])) {
			t.Fatalf("update %d differs after an earlier pass: %g vs %g", i, first[i], again[i])
		}
	}
}

func snapshot(m *Model) []float32 {
	var out []float32
	for _, v := range m.values {
		out = append(out, v.Float32s()...)
	}
	return out
}

func restore(m *Model, s []float32) {
	for _, v := range m.values {
		d := v.Float32s()
		copy(d, s)
		s = s[len(d):]
	}
}

func diff(a, b []float32) []float64 {
	d := make([]float64, len(a))
	for i := range a {
		d[i] = float64(a[i]) - float64(b[i])
	}
	return d
}

// TestLossOpGradient checks that a LossFunc wrapped as one op gives the
// same parameter gradients as the same cost built from Gorgonia ops.
func TestLossOpGradient(t *testing.T) {
	cfg := Config{InChannels: 1, Classes: 2, Depth: 2, Base: 2, BatchNorm: true}
	m, err := New(cfg, 9)
	if err != nil {
		t.Fatal(err)
	}
	const n, h, w = 2, 8, 8
	x := randomInput(4, n*h*w)
	native, err := m.newTrainer(tensor.Float32, m.values, n, h, w, linearCost(6, tensor.Float32))
	if err != nil {
		t.Fatal(err)
	}
	weights := randomWeights(6, n*cfg.Classes*h*w)
	op := &lossOp{id: nextOpID(), fn: func(logits, grad []float32, n, c, h, w int) (float64, error) {
		var s float64
		for i, l := range logits {
			s += float64(l) * float64(weights[i])
			grad[i] = weights[i]
		}
		return s, nil
	}}
	hooked, err := m.newTrainer(tensor.Float32, m.values, n, h, w, func(l *G.Node) (*G.Node, error) { return lossNode(l, op) })
	if err != nil {
		t.Fatal(err)
	}
	var gs [2][][]float32
	for k, tr := range []*Trainer{native, hooked} {
		if err := tr.forwardBackward(x); err != nil {
			t.Fatal(err)
		}
		g, err := tr.grads()
		if err != nil {
			t.Fatal(err)
		}
		for _, gt := range g {
			gs[k] = append(gs[k], slices.Clone(gt.Data().([]float32)))
		}
	}
	for i := range gs[0] {
		for j := range gs[0][i] {
			a, b := float64(gs[0][i][j]), float64(gs[1][i][j])
			if math.Abs(a-b) > 1e-4*math.Max(1, math.Abs(a)) {
				t.Fatalf("%s[%d]: gorgonia cost %g, loss op %g", m.names[i], j, a, b)
			}
		}
	}
}

// randomWeights repeats the draws of linearCost in float32.
func randomWeights(seed int64, n int) []float32 {
	r := newRand(seed)
	w := make([]float32, n)
	for i := range w {
		w[i] = float32(r.NormFloat64())
	}
	return w
}

func TestStepErrors(t *testing.T) {
	m, err := New(Config{InChannels: 1, Classes: 2, Depth: 2, Base: 2}, 1)
	if err != nil {
		t.Fatal(err)
	}
	x := randomInput(1, 2*8*8)
	cases := []struct {
		name string
		fn   LossFunc
		x    []float32
		want string
	}{
		{"loss error", func([]float32, []float32, int, int, int, int) (float64, error) {
			return 0, errors.New("labels missing")
		}, x, "labels missing"},
		{"nan loss", func([]float32, []float32, int, int, int, int) (float64, error) { return math.NaN(), nil }, x, "not finite"},
		{"short batch", pixelCE(make([]int, 2*8*8)), x[:100], "has 100 values, want 128"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := m.NewTrainer(2, 8, 8, tc.fn, newAdam(t, 0.1))
			if err != nil {
				t.Fatal(err)
			}
			before := snapshot(m)
			_, err = tr.Step(tc.x)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
			if !slices.Equal(before, snapshot(m)) {
				t.Fatal("a failed step changed the weights")
			}
			// The trainer still works afterwards.
			tr.loss.fn = pixelCE(make([]int, 2*8*8))
			if _, err := tr.Step(x); err != nil {
				t.Fatalf("step after a failed one: %v", err)
			}
		})
	}
	if _, err := m.NewTrainer(2, 5, 8, pixelCE(nil), newAdam(t, 0.1)); err == nil || !strings.Contains(err.Error(), "multiple of 2") {
		t.Errorf("a 5x8 trainer for a depth-2 model: %v", err)
	}
}
