package nnops

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// miniUNet is a two-level U-Net of nnops ops over x, w1..w3, b1..b3.
func miniUNet(ps []*G.Node) (*G.Node, error) {
	x, w1, b1, w2, b2, w3, b3 := ps[0], ps[1], ps[2], ps[3], ps[4], ps[5], ps[6]
	h1, err := Conv(x, w1, b1, ConvOptions{ReLU: true, NoInputGrad: true})
	if err != nil {
		return nil, err
	}
	p, err := MaxPool2(h1)
	if err != nil {
		return nil, err
	}
	h2, err := Conv2D(p, w2, b2, true)
	if err != nil {
		return nil, err
	}
	u, err := Upsample2(h2)
	if err != nil {
		return nil, err
	}
	c, err := Concat(h1, u)
	if err != nil {
		return nil, err
	}
	return Conv2D(c, w3, b3, false)
}

var miniShapes = [][]int{{2, 1, 8, 6}, {3, 1, 3, 3}, {1, 3, 1, 1}, {4, 3, 3, 3}, {1, 4, 1, 1}, {2, 7, 3, 3}, {1, 2, 1, 1}}

// TestPlanMemory checks that a planned graph shares memory and computes the
// same output and gradients as the unplanned one, run after run.
func TestPlanMemory(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			vals := randValues(21, miniShapes)
			plain := newGraphRun(t, dt, miniShapes, vals, miniUNet, 3, true)
			planned := newGraphRun(t, dt, miniShapes, vals, miniUNet, 3, true)
			keep := append(G.Nodes{planned.out, planned.loss}, planned.grads...)
			plan, err := PlanMemory(planned.out.Graph(), keep...)
			if err != nil {
				t.Fatal(err)
			}
			if plan.Outputs < 15 || plan.Bytes <= 0 || plan.Bytes >= plan.SeparateBytes {
				t.Errorf("plan %+v: want at least 15 outputs sharing a smaller arena", plan)
			}
			wo, wl, wg := plain.run(t)
			for run := 0; run < 2; run++ {
				o, l, gs := planned.run(t)
				if err := closeTo(o, wo, 1e-6); err != nil {
					t.Errorf("run %d output: %v", run, err)
				}
				if err := closeTo([]float64{l}, []float64{wl}, 1e-6); err != nil {
					t.Errorf("run %d loss: %v", run, err)
				}
				for i := range gs {
					if err := closeTo(gs[i], wg[i], 1e-6); err != nil {
						t.Errorf("run %d gradient %d: %v", run, i, err)
					}
				}
			}
		})
	}
}

func TestPlanMemoryErrors(t *testing.T) {
	g := G.NewGraph()
	other := G.NewGraph()
	x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(1, 1, 2, 2), G.WithName("x"))
	if _, err := ReLU(x); err != nil {
		t.Fatal(err)
	}
	stray := G.NewTensor(other, tensor.Float32, 4, G.WithShape(1, 1, 2, 2), G.WithName("y"))
	if _, err := PlanMemory(g, stray); err == nil {
		t.Error("PlanMemory kept a node of another graph")
	}
}
