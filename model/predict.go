package model

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/segloss/segloss/model/nnops"
)

// inferGraph is an eval-mode graph for one padded input shape.
type inferGraph struct {
	nt *net
	vm G.VM
}

// Predict returns the NCHW logits (n, Classes, h, w) of x, an NCHW input
// (n, InChannels, h, w) of any height and width. The input is mirrored
// out to the next multiple of Config.Multiple and the logits are cropped
// back. It always runs in eval mode: batch norm uses the running
// statistics and changes nothing. One graph per padded shape is built on
// first use and kept; all of them share the model's parameters.
func (m *Model) Predict(x []float32, n, h, w int) ([]float32, error) {
	cin, cls := m.cfg.InChannels, m.cfg.Classes
	if n < 1 || h < 1 || w < 1 {
		return nil, fmt.Errorf("predict: shape %dx%dx%d must be positive", n, h, w)
	}
	if len(x) != n*cin*h*w {
		return nil, fmt.Errorf("predict: input has %d values, want %d (%dx%dx%dx%d)", len(x), n*cin*h*w, n, cin, h, w)
	}
	k := m.cfg.Multiple()
	ph, pw := (h+k-1)/k*k, (w+k-1)/k*k
	ig, err := m.inferenceGraph(n, ph, pw)
	if err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	padMirror(ig.nt.xT.Float32s(), x, n*cin, h, w, ph, pw)
	defer ig.vm.Reset()
	if err := ig.vm.RunAll(); err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	lt, ok := ig.nt.logits.Value().(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("predict: logits are a %T", ig.nt.logits.Value())
	}
	out := make([]float32, n*cls*h*w)
	src := lt.Float32s()
	for p := range n * cls {
		for y := range h {
			copy(out[(p*h+y)*w:(p*h+y+1)*w], src[(p*ph+y)*pw:(p*ph+y)*pw+w])
		}
	}
	return out, nil
}

// inferenceGraph returns the cached eval graph for (n, h, w), building it
// on first use.
func (m *Model) inferenceGraph(n, h, w int) (*inferGraph, error) {
	key := [3]int{n, h, w}
	if ig, ok := m.infer[key]; ok {
		return ig, nil
	}
	nt, err := m.newNet(tensor.Float32, n, h, w, false, m.values)
	if err != nil {
		return nil, err
	}
	if _, err := nnops.PlanMemory(nt.g, nt.logits); err != nil {
		return nil, err
	}
	ig := &inferGraph{nt: nt, vm: G.NewTapeMachine(nt.g, G.EvalMode())}
	m.infer[key] = ig
	return ig, nil
}

// ClearCache drops the cached inference graphs (they are rebuilt on
// demand), releasing their memory.
func (m *Model) ClearCache() {
	for k, ig := range m.infer {
		ig.vm.Close()
		delete(m.infer, k)
	}
}

// padMirror copies planes images of h x w from src into dst, each padded
// to ph x pw by mirroring at the bottom and right edges (reflection
// without repeating the edge pixel, bouncing back and forth for pads
// larger than the image).
func padMirror(dst, src []float32, planes, h, w, ph, pw int) {
	for p := range planes {
		for y := range ph {
			sy := reflect(y, h)
			srow := src[(p*h+sy)*w : (p*h+sy+1)*w]
			drow := dst[(p*ph+y)*pw : (p*ph+y+1)*pw]
			copy(drow, srow)
			for x := w; x < pw; x++ {
				drow[x] = srow[reflect(x, w)]
			}
		}
	}
}

// reflect maps i >= 0 into [0, n) by reflection about the ends.
func reflect(i, n int) int {
	if n == 1 {
		return 0
	}
	period := 2 * (n - 1)
	i %= period
	if i >= n {
		i = period - i
	}
	return i
}
