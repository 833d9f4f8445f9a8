package model

import (
	"runtime"
	"testing"

	"github.com/segloss/segloss/model/nnops"
)

func TestZZPhases(t *testing.T) {
	rep := func(s string) {
		p, c, _ := PeakRSS()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		t.Logf("%-12s peak %4d MB cur %4d MB heapInuse %4d MB heapSys %4d MB", s, p>>20, c>>20, ms.HeapInuse>>20, ms.HeapSys>>20)
	}
	rep("start")
	m, _ := New(Config{InChannels: 1, Classes: 6, Depth: 3, Base: 16}, 1)
	n, s := 16, 128
	x := randomInput(1, n*s*s)
	labels := make([]int32, n*s*s)
	loss := func(logits, grad []float32, n, c, h, w int) (float64, error) {
		return nnops.SoftmaxCrossEntropy(logits, grad, labels, n, c, h, w, -1)
	}
	adam, _ := NewAdam(AdamConfig{LearningRate: 1e-3})
	tr, err := m.NewTrainer(n, s, s, loss, adam)
	if err != nil {
		t.Fatal(err)
	}
	rep("trainer")
	for i := 0; i < 3; i++ {
		if _, err := tr.Step(x); err != nil {
			t.Fatal(err)
		}
		rep("step")
	}
	m.Predict(x, n, s, s)
	rep("predict")
	m.Predict(x, n, s, s)
	rep("predict")
}
