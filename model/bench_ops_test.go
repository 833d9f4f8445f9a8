package model

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// netGrads runs one forward/backward pass of m's training graph, built with
// stock or fast ops, and returns the cost, the logits and every gradient.
func netGrads(t *testing.T, m *Model, stock bool, n, h, w int, x []float32) (float64, []float64, [][]float64) {
	t.Helper()
	UseStockOps(stock)
	defer UseStockOps(false)
	tr, err := m.newTrainer(tensor.Float32, m.valuesAs(tensor.Float32), n, h, w, linearCost(3, tensor.Float32))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	// Two passes: the second reuses every buffer of the fast ops.
	for i := 0; i < 2; i++ {
		if err := tr.forwardBackward(x); err != nil {
			t.Fatal(err)
		}
	}
	c, err := tr.costValue()
	if err != nil {
		t.Fatal(err)
	}
	gs, err := tr.grads()
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]float64, len(gs))
	for i, g := range gs {
		out[i] = f64s(g.Data())
	}
	return c, f64s(tr.nt.logits.Value().Data()), out
}

func f64s(d any) []float64 {
	switch v := d.(type) {
	case []float32:
		o := make([]float64, len(v))
		for i, x := range v {
			o[i] = float64(x)
		}
		return o
	case []float64:
		return append([]float64(nil), v...)
	}
	panic(fmt.Sprintf("unexpected %T", d))
}

// maxAbs is max |a|.
func maxAbs(a []float64) float64 {
	var s float64
	for _, v := range a {
		s = math.Max(s, math.Abs(v))
	}
	return s
}

// maxRelDiff is max |a-b| over max(max |b|, floor).
func maxRelDiff(a, b []float64, floor float64) float64 {
	var d float64
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	return d / math.Max(maxAbs(b), floor)
}

// TestFastOpsMatchStockNetwork checks that the whole U-Net built with the
// nnops ops computes the same logits, cost and parameter gradients as the
// one built with stock Gorgonia ops, to float32 rounding.
func TestFastOpsMatchStockNetwork(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
	}{
		{"16-32-64", Config{InChannels: 1, Classes: 6, Depth: 3, Base: 16}},
		{"batchnorm learned", Config{InChannels: 2, Classes: 3, Depth: 2, Base: 4, BatchNorm: true, Upsample: UpsampleLearned}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := New(tc.cfg, 5)
			if err != nil {
				t.Fatal(err)
			}
			const n, h, w = 2, 16, 16
			x := randomInput(9, n*tc.cfg.InChannels*h*w)
			sc, sl, sg := netGrads(t, m, true, n, h, w, x)
			fc, fl, fg := netGrads(t, m, false, n, h, w, x)
			if d := math.Abs(fc-sc) / math.Abs(sc); d > 1e-5 {
				t.Errorf("cost %v, stock %v", fc, sc)
			}
			if d := maxRelDiff(fl, sl, 0); d > 1e-5 {
				t.Errorf("logits differ by %.2g of their scale", d)
			}
			// A conv bias followed by batch norm has a gradient of rounding
			// noise only, so each gradient is compared on the scale of the
			// largest gradient of the network when its own is far smaller.
			var largest float64
			for _, g := range sg {
				largest = math.Max(largest, maxAbs(g))
			}
			names := m.ParamNames()
			for i := range sg {
				if d := maxRelDiff(fg[i], sg[i], 1e-2*largest); d > 1e-4 {
					t.Errorf("gradient of %s differs by %.2g of its scale", names[i], d)
				}
			}
		})
	}
}

// TestTrainingGraphOps checks the shape of the fast training graphs: every
// 3x3 convolution without batch norm carries its ReLU, batch norm carries
// it otherwise (no separate ReLU op either way), batch norm has one
// gradient pass, the first convolution computes no input gradient, and the
// decoders' first convolutions read skip and low directly (no concat or
// upsample op).
func TestTrainingGraphOps(t *testing.T) {
	cases := []struct {
		bn   bool
		want map[string]int
	}{
		// 3 encoder and 2 decoder blocks of two convolutions, one 1x1 head.
		{false, map[string]int{"Conv3x3(relu=true,dx=true)": 7, "Conv3x3(relu=true,dx=false)": 1, "Conv1x1": 1, "ConvGradInput": 8,
			"ConcatConv3x3(4+8,up=true,relu=true)": 1, "ConcatConv3x3(8+16,up=true,relu=true)": 1, "ConcatConvGradInput": 2}},
		{true, map[string]int{"Conv3x3(relu=false,dx=true)": 7, "Conv3x3(relu=false,dx=false)": 1, "ConvGradInput": 8,
			"ConcatConv3x3(4+8,up=true,relu=false)": 1, "ConcatConv3x3(8+16,up=true,relu=false)": 1,
			"BatchNorm#": 10, "BatchNormGrad#": 30, "BatchNorm+ReLU": 10}},
	}
	for _, tc := range cases {
		m, err := New(Config{InChannels: 1, Classes: 6, Depth: 3, Base: 4, BatchNorm: tc.bn}, 1)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := m.newTrainer(tensor.Float32, m.values, 2, 8, 8, linearCost(1, tensor.Float32))
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		count := map[string]int{}
		for _, n := range tr.nt.g.AllNodes() {
			if n.Op() == nil {
				continue
			}
			s := n.Op().String()
			for p := range tc.want {
				if strings.HasPrefix(s, p) {
					count[p]++
				}
			}
			if strings.HasPrefix(s, "BatchNorm#") && strings.HasSuffix(s, "relu=true)") {
				count["BatchNorm+ReLU"]++
			}
			for _, p := range []string{"ReLU#", "Concat[", "Upsample2#"} {
				if strings.HasPrefix(s, p) {
					count[p]++
				}
			}
		}
		for k, v := range tc.want {
			if count[k] != v {
				t.Errorf("batch norm %t: %d %s ops, want %d (all counts %v)", tc.bn, count[k], k, v, count)
			}
		}
		for _, p := range []string{"ReLU#", "Concat[", "Upsample2#"} {
			if count[p] != 0 {
				t.Errorf("batch norm %t: %d separate %s ops, want 0", tc.bn, count[p], p)
			}
		}
	}
}
