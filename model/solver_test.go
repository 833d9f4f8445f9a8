package model

import (
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// vg is a parameter with a gradient, for solver tests.
type vg struct{ v, g *tensor.Dense }

func (p vg) Value() G.Value         { return p.v }
func (p vg) Grad() (G.Value, error) { return p.g, nil }
func newVG(w ...float32) vg {
	return vg{tensor.New(tensor.WithBacking(w)), tensor.New(tensor.WithBacking(make([]float32, len(w))))}
}
func (p vg) setGrad(g ...float32) { copy(p.g.Float32s(), g) }
func (p vg) weights() []float32   { return p.v.Float32s() }
func near(a, b float64) bool      { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b)) }
func mustSGD(t *testing.T, c SGDConfig) *SGD {
	t.Helper()
	s, err := NewSGD(c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSolverSteps(t *testing.T) {
	// One parameter w = [1, -2] with gradients g1 = [0.5, 1] then g2 = [-1, 2].
	g1, g2 := []float32{0.5, 1}, []float32{-1, 2}
	adamStep := func(lr, wd float64, w, m, v []float64, g []float32, t int, scale float64) {
		for i := range w {
			gi := float64(g[i]) * scale
			m[i] = 0.9*m[i] + 0.1*gi
			v[i] = 0.999*v[i] + 0.001*gi*gi
			mh := m[i] / (1 - math.Pow(0.9, float64(t)))
			vh := v[i] / (1 - math.Pow(0.999, float64(t)))
			w[i] = w[i]*(1-lr*wd) - lr*mh/(math.Sqrt(vh)+1e-8)
		}
	}
	cases := []struct {
		name   string
		solver Solver
		want   func() []float64
	}{
		{"sgd plain", mustSGD(t, SGDConfig{LearningRate: 0.1}), func() []float64 {
			return []float64{1 - 0.1*0.5 - 0.01*(-1), -2 - 0.1*1 - 0.01*2} // second step at lr 0.01
		}},
		{"sgd momentum decay", mustSGD(t, SGDConfig{LearningRate: 0.1, Momentum: 0.9, WeightDecay: 0.5}), func() []float64 {
			w := []float64{1, -2}
			v := []float64{0, 0}
			for k, g := range [][]float32{g1, g2} {
				lr := []float64{0.1, 0.01}[k]
				for i := range w {
					gi := float64(g[i]) + 0.5*w[i]
					v[i] = 0.9*v[i] + gi
					w[i] -= lr * v[i]
				}
			}
			return w
		}},
		{"sgd clipped", mustSGD(t, SGDConfig{LearningRate: 0.1, ClipNorm: 0.5}), func() []float64 {
			n1, n2 := math.Sqrt(0.25+1), math.Sqrt(1+4)
			return []float64{1 - 0.1*0.5*0.5/n1 - 0.01*(-1)*0.5/n2, -2 - 0.1*1*0.5/n1 - 0.01*2*0.5/n2}
		}},
		{"adamw", func() Solver {
			a, err := NewAdam(AdamConfig{LearningRate: 0.1, WeightDecay: 0.1})
			if err != nil {
				t.Fatal(err)
			}
			return a
		}(), func() []float64 {
			w, m, v := []float64{1, -2}, []float64{0, 0}, []float64{0, 0}
			adamStep(0.1, 0.1, w, m, v, g1, 1, 1)
			adamStep(0.01, 0.1, w, m, v, g2, 2, 1)
			return w
		}},
		{"adam clipped", func() Solver {
			a, err := NewAdam(AdamConfig{LearningRate: 0.1, ClipNorm: 1})
			if err != nil {
				t.Fatal(err)
			}
			return a
		}(), func() []float64 {
			w, m, v := []float64{1, -2}, []float64{0, 0}, []float64{0, 0}
			adamStep(0.1, 0, w, m, v, g1, 1, 1/math.Sqrt(1.25))
			adamStep(0.01, 0, w, m, v, g2, 2, 1/math.Sqrt(5))
			return w
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newVG(1, -2)
			p.setGrad(g1...)
			if err := tc.solver.Step([]G.ValueGrad{p}); err != nil {
				t.Fatal(err)
			}
			for _, g := range p.g.Float32s() {
				if g != 0 {
					t.Fatal("gradient not zeroed after the step")
				}
			}
			tc.solver.SetLearningRate(0.01)
			p.setGrad(g2...)
			if err := tc.solver.Step([]G.ValueGrad{p}); err != nil {
				t.Fatal(err)
			}
			want := tc.want()
			for i, w := range p.weights() {
				if !near(float64(w), want[i]) {
					t.Fatalf("weights %v, want %v", p.weights(), want)
				}
			}
			st := tc.solver.State()
			if st.Steps != 2 || st.LearningRate != 0.01 {
				t.Errorf("state %+v", st)
			}
		})
	}
}

func TestSolverErrors(t *testing.T) {
	cases := []struct {
		name string
		make func() error
		want string
	}{
		{"adam lr", func() error { _, err := NewAdam(AdamConfig{}); return err }, "learning rate"},
		{"adam beta", func() error { _, err := NewAdam(AdamConfig{LearningRate: 1, Beta1: 1}); return err }, "betas"},
		{"sgd momentum", func() error { _, err := NewSGD(SGDConfig{LearningRate: 1, Momentum: -0.1}); return err }, "momentum"},
		{"sgd decay", func() error { _, err := NewSGD(SGDConfig{LearningRate: 1, WeightDecay: math.NaN()}); return err }, "weight decay"},
		{"sgd clip", func() error { _, err := NewSGD(SGDConfig{LearningRate: 1, ClipNorm: -1}); return err }, "clip norm"},
		{"wrong kind", func() error {
			return mustSGD(t, SGDConfig{LearningRate: 1}).SetState(SolverState{Kind: "adam"})
		}, `"adam" solver`},
		{"wrong slots", func() error {
			s := mustSGD(t, SGDConfig{LearningRate: 1})
			if err := s.SetState(SolverState{Kind: "sgd", Slots: [][]float32{{0}}}); err != nil {
				return err
			}
			return s.Step([]G.ValueGrad{newVG(1, 2)})
		}, "slot 0 has 1 values"},
		{"float64 parameter", func() error {
			p := vg{tensor.New(tensor.WithBacking([]float64{1})), tensor.New(tensor.WithBacking([]float64{1}))}
			return mustSGD(t, SGDConfig{LearningRate: 1}).Step([]G.ValueGrad{p})
		}, "want float32"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.make()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}
