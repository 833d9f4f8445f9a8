package train

import (
	"context"
	"math"
	"testing"

	"github.com/segloss/segloss/dataset"
)

// localNet is a fake network whose logits at a pixel depend only on the
// input at that pixel: class c scores -|x - c|. Sliding-window inference
// must then agree exactly with whole-section inference.
func localNet(classes int) PredictFunc {
	return func(x []float32, n, h, w int) ([]float32, error) {
		out := make([]float32, n*classes*h*w)
		for b := 0; b < n; b++ {
			for c := 0; c < classes; c++ {
				for i := 0; i < h*w; i++ {
					out[(b*classes+c)*h*w+i] = -float32(math.Abs(float64(x[b*h*w+i]) - float64(c)))
				}
			}
		}
		return out, nil
	}
}

func TestSlidingWindowMatchesWholeSection(t *testing.T) {
	const h, w, k = 13, 21, 3
	x := make([]float32, h*w)
	for i := range x {
		x[i] = float32((i*7)%5) * 0.6
	}
	whole, err := Inferer{Predict: localNet(k), Classes: k}.SectionLogits(x, h, w)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ window, stride, batch int }{{8, 4, 3}, {5, 5, 8}, {16, 3, 2}, {30, 0, 1}} {
		calls := 0
		net := func(x []float32, n, hh, ww int) ([]float32, error) {
			calls++
			if hh > min(tc.window, h) || ww > min(tc.window, w) {
				t.Fatalf("window %d: network called on %dx%d", tc.window, hh, ww)
			}
			return localNet(k)(x, n, hh, ww)
		}
		got, err := Inferer{Predict: net, Classes: k, Window: tc.window, Stride: tc.stride, Batch: tc.batch}.SectionLogits(x, h, w)
		if err != nil {
			t.Fatal(err)
		}
		for i := range whole {
			if math.Abs(float64(got[i]-whole[i])) > 1e-6 {
				t.Fatalf("window %d stride %d: logit %d = %v, whole section %v", tc.window, tc.stride, i, got[i], whole[i])
			}
		}
		if calls == 0 {
			t.Fatal("network not called")
		}
	}
}

func TestSlidingWindowAveragesOverlaps(t *testing.T) {
	// A network that returns the window's row offset inside the window for
	// class 0: with window 4, stride 2 over 6 rows, row 2 is seen at
	// offsets 2 (window 0) and 0 (window 2): average 1.
	net := func(x []float32, n, h, w int) ([]float32, error) {
		out := make([]float32, n*2*h*w)
		for b := 0; b < n; b++ {
			for r := 0; r < h; r++ {
				for c := 0; c < w; c++ {
					out[(b*2)*h*w+r*w+c] = float32(r)
				}
			}
		}
		return out, nil
	}
	got, err := Inferer{Predict: net, Classes: 2, Window: 4, Stride: 2}.SectionLogits(make([]float32, 6*3), 6, 3)
	if err != nil {
		t.Fatal(err)
	}
	// Windows start at rows 0 and 2: rows 2 and 3 are seen twice.
	want := []float32{0, 1, (2 + 0) / 2.0, (3 + 1) / 2.0, 2, 3}
	for r, wv := range want {
		if got[r*3] != wv {
			t.Fatalf("row %d: %v, want %v (all %v)", r, got[r*3], wv, got[:18])
		}
	}
}

func TestScoreAndProbabilities(t *testing.T) {
	v := dataset.NewVolume("tiny", 3, 4, 5, 10, 20, true)
	for i := range v.Labels {
		v.Labels[i] = uint8(i % 3)
		v.Seismic[i] = float32(i % 3)
	}
	v.Labels[7] = dataset.Ignore
	in := Inferer{Predict: localNet(3), Classes: 3, Norm: dataset.Normalizer{Method: "none"}}
	ticks := 0
	sc, err := in.Score(context.Background(), v, 1, func() { ticks++ })
	if err != nil {
		t.Fatal(err)
	}
	m := sc.Metrics()
	if m.PA != 1 || m.Pixels != 2*(3*4*5-1) || ticks != 3+4 {
		t.Fatalf("perfect net: PA %v pixels %d ticks %d", m.PA, m.Pixels, ticks)
	}
	p, err := in.Probabilities(context.Background(), v, nil)
	if err != nil {
		t.Fatal(err)
	}
	for vox := 0; vox < 3*4*5; vox++ {
		var s float32
		best := 0
		for c := 0; c < 3; c++ {
			s += p[vox*3+c]
			if p[vox*3+c] > p[vox*3+best] {
				best = c
			}
		}
		if math.Abs(float64(s-1)) > 1e-5 || best != vox%3 {
			t.Fatalf("voxel %d: probabilities %v", vox, p[vox*3:vox*3+3])
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := in.Score(ctx, v, 1, nil); err == nil {
		t.Fatal("cancelled context ignored")
	}
}
