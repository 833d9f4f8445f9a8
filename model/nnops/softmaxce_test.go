package nnops

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestSoftmaxCrossEntropy(t *testing.T) {
	// Two pixels, two classes: logits (0, 0) and (1000, 0) with labels 1 and 0.
	// Pixel 0: loss log 2, gradient (0.5, -0.5)/2. Pixel 1: loss 0 (no overflow), gradient 0.
	logits := []float32{0, 1000, 0, 0}
	grad := make([]float32, 4)
	loss, err := SoftmaxCrossEntropy(logits, grad, []int32{1, 0}, 1, 2, 1, 2, -1)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(loss-math.Log(2)/2) > 1e-7 {
		t.Errorf("loss = %v, want %v", loss, math.Log(2)/2)
	}
	want := []float32{0.25, 0, -0.25, 0}
	for i := range want {
		if math.Abs(float64(grad[i]-want[i])) > 1e-7 {
			t.Errorf("grad[%d] = %v, want %v", i, grad[i], want[i])
		}
	}
}

func TestSoftmaxCrossEntropyIgnoreAndErrors(t *testing.T) {
	cases := []struct {
		name    string
		labels  []int32
		wantErr bool
		want    float64
	}{
		{"all ignored", []int32{255, 255}, false, 0},
		{"one ignored", []int32{255, 1}, false, math.Log(1 + 2/math.E)},
		{"none ignored", []int32{0, 1}, false, (math.Log(1+math.Exp(-5)+math.Exp(-10)) + math.Log(1+2/math.E)) / 2},
		{"label too large", []int32{0, 3}, true, 0},
		{"negative label", []int32{-2, 0}, true, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Pixel 0 logits (5, -5, 0), pixel 1 logits (0, 1, 0).
			logits := []float32{5, 0, -5, 1, 0, 0}
			grad := []float32{9, 9, 9, 9, 9, 9}
			loss, err := SoftmaxCrossEntropy(logits, grad, c.labels, 1, 3, 1, 2, 255)
			if (err != nil) != c.wantErr {
				t.Fatalf("err = %v, want error %v", err, c.wantErr)
			}
			if c.wantErr {
				return
			}
			if math.Abs(loss-c.want) > 1e-6 {
				t.Errorf("loss = %v, want %v", loss, c.want)
			}
			if c.labels[0] == 255 && (grad[0] != 0 || grad[2] != 0 || grad[4] != 0) {
				t.Errorf("ignored pixel has gradient %v %v %v", grad[0], grad[2], grad[4])
			}
		})
	}
	if _, err := SoftmaxCrossEntropy(make([]float32, 5), make([]float32, 6), make([]int32, 2), 1, 3, 1, 2, -1); err == nil {
		t.Error("short logits accepted")
	}
}

func TestSoftmaxCrossEntropyFiniteDifferences(t *testing.T) {
	const n, c, h, w = 2, 4, 3, 3
	r := rand.New(rand.NewPCG(8, 9))
	logits := make([]float64, n*c*h*w)
	for i := range logits {
		logits[i] = 3 * r.NormFloat64()
	}
	labels := make([]int32, n*h*w)
	for i := range labels {
		labels[i] = int32(r.IntN(c+1)) - 1 // -1 is the ignore index
	}
	grad := make([]float64, len(logits))
	if _, err := softmaxCE(logits, grad, labels, n, c, h, w, -1); err != nil {
		t.Fatal(err)
	}
	scratchGrad := make([]float64, len(logits))
	const eps = 1e-6
	for j := range logits {
		orig := logits[j]
		logits[j] = orig + eps
		lp, _ := softmaxCE(logits, scratchGrad, labels, n, c, h, w, -1)
		logits[j] = orig - eps
		lm, _ := softmaxCE(logits, scratchGrad, labels, n, c, h, w, -1)
		logits[j] = orig
		if fd := (lp - lm) / (2 * eps); math.Abs(fd-grad[j]) > 1e-7 {
			t.Errorf("grad[%d] = %v, finite difference %v", j, grad[j], fd)
		}
	}
}
