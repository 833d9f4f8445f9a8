package model

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// linearCost returns a cost sum(r .* logits) with fixed random weights r,
// whose gradient with respect to the logits is r.
func linearCost(seed int64, dt tensor.Dtype) func(*G.Node) (*G.Node, error) {
	return func(logits *G.Node) (*G.Node, error) {
		r := newRand(seed)
		var rv *tensor.Dense
		size := logits.Shape().TotalSize()
		if dt == tensor.Float64 {
			d := make([]float64, size)
			for i := range d {
				d[i] = r.NormFloat64()
			}
			rv = tensor.New(tensor.WithShape(logits.Shape().Clone()...), tensor.WithBacking(d))
		} else {
			d := make([]float32, size)
			for i := range d {
				d[i] = float32(r.NormFloat64())
			}
			rv = tensor.New(tensor.WithShape(logits.Shape().Clone()...), tensor.WithBacking(d))
		}
		rn := G.NewTensor(logits.Graph(), dt, 4, G.WithShape(logits.Shape().Clone()...), G.WithName("r"), G.WithValue(rv))
		prod, err := G.HadamardProd(logits, rn)
		if err != nil {
			return nil, err
		}
		return G.Sum(prod)
	}
}

// TestGradientFiniteDifference checks every parameter gradient of small
// U-Nets, built in float64, against central finite differences of the
// cost.
func TestGradientFiniteDifference(t *testing.T) {
	cases := []struct {
		name   string
		cfg    Config
		stride int // check every stride-th entry of each parameter
	}{
		{"plain nearest", Config{InChannels: 1, Classes: 3, Depth: 2, Base: 2}, 1},
		{"batchnorm learned", Config{InChannels: 2, Classes: 2, Depth: 2, Base: 2, BatchNorm: true, Upsample: UpsampleLearned}, 1},
		{"depth3 batchnorm", Config{InChannels: 1, Classes: 2, Depth: 3, Base: 2, BatchNorm: true}, 5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := New(tc.cfg, 7)
			if err != nil {
				t.Fatal(err)
			}
			const n, h, w = 2, 8, 8
			values := m.valuesAs(tensor.Float64)
			tr, err := m.newTrainer(tensor.Float64, values, n, h, w, linearCost(3, tensor.Float64))
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			x := randomInput(11, n*tc.cfg.InChannels*h*w)
			cost := func() float64 {
				if err := tr.forwardBackward(x); err != nil {
					t.Fatal(err)
				}
				c, err := tr.costValue()
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			cost()
			gs, err := tr.grads()
			if err != nil {
				t.Fatal(err)
			}
			analytic := make([][]float64, len(gs))
			for i, g := range gs {
				analytic[i] = append([]float64(nil), g.Data().([]float64)...)
			}
			const eps = 1e-6
			var worst float64
			checked := 0
			for i, v := range values {
				d := v.Float64s()
				for j := 0; j < len(d); j += min(tc.stride, len(d)) {
					orig := d[j]
					d[j] = orig + eps
					up := cost()
					d[j] = orig - eps
					down := cost()
					d[j] = orig
					num := (up - down) / (2 * eps)
					a := analytic[i][j]
					rel := math.Abs(num-a) / math.Max(1e-3, math.Abs(num)+math.Abs(a))
					worst = math.Max(worst, rel)
					if rel > 1e-4 {
						t.Errorf("%s[%d]: analytic %.8g, numeric %.8g", m.names[i], j, a, num)
					}
					checked++
				}
			}
			t.Logf("%d parameters, worst relative error %.2g", checked, worst)
		})
	}
}
