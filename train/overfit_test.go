package train

import (
	"math"
	"testing"

	_ "go4.org/unsafe/assume-no-moving-gc" // Gorgonia needs it on Go >= 1.21.

	"github.com/segloss/segloss/loss"
	"github.com/segloss/segloss/model"
)

// layeredBatch is a tiny batch of n h x w images of three dipping layers
// with a seismic-like input (a different amplitude per layer plus a ripple)
// and their labels.
func layeredBatch(n, h, w int) ([]float32, []int32) {
	x := make([]float32, n*h*w)
	y := make([]int32, n*h*w)
	for b := 0; b < n; b++ {
		for i := 0; i < h; i++ {
			for j := 0; j < w; j++ {
				d := float64(i) + float64(j)*0.25*float64(b+1) - float64(b)
				c := int32(0)
				switch {
				case d > float64(h)*0.7:
					c = 2
				case d > float64(h)*0.35:
					c = 1
				}
				y[(b*h+i)*w+j] = c
				x[(b*h+i)*w+j] = float32(float64(c)-1) + 0.2*float32(math.Sin(float64(i)))
			}
		}
	}
	return x, y
}

// TestOverfitOneBatch trains a small U-Net on one batch with each loss and
// expects the loss to fall close to zero and every pixel to be right.
func TestOverfitOneBatch(t *testing.T) {
	const n, h, w = 2, 16, 16
	x, y := layeredBatch(n, h, w)
	cases := []struct {
		loss  string
		steps int
		final float64 // the loss must end below this
	}{
		{"ce", 120, 0.05},
		{"dtl", 120, 0.05},
		{"boundary", 150, 0.1},
		{"active-boundary", 120, 0.05},
	}
	for _, tc := range cases {
		t.Run(tc.loss, func(t *testing.T) {
			cfg, err := LoadConfig("", nil)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Loss.Name = tc.loss
			cfg.Loss.Reduction = "mean" // scale-free thresholds
			cfg.Model.Depth, cfg.Model.Base = 2, 8
			cfg.Optim.LR = 0.02
			spec, err := LossSpec(cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			mcfg := cfg.ModelConfig()
			mcfg.Classes = 3
			m, err := model.New(mcfg, 1)
			if err != nil {
				t.Fatal(err)
			}
			solver, err := newSolver(cfg.Optim)
			if err != nil {
				t.Fatal(err)
			}
			tr, err := m.NewTrainer(n, h, w, func(logits, grad []float32, n, c, h, w int) (float64, error) {
				return loss.Compute(spec, logits, y, loss.Shape{N: n, C: c, H: h, W: w}, grad)
			}, solver)
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			var first, last float64
			for s := 0; s < tc.steps; s++ {
				l, err := tr.Step(x)
				if err != nil {
					t.Fatalf("step %d: %v", s, err)
				}
				if s == 0 {
					first = l
				}
				last = l
			}
			logits, err := m.Predict(x, n, h, w)
			if err != nil {
				t.Fatal(err)
			}
			wrong := 0
			for b := 0; b < n; b++ {
				pred := Argmax(logits[b*3*h*w:(b+1)*3*h*w], 3)
				for i, p := range pred {
					if p != y[b*h*w+i] {
						wrong++
					}
				}
			}
			t.Logf("%s: loss %.4f -> %.5f, %d wrong pixels", tc.loss, first, last, wrong)
			if !(last < tc.final) || last > first/10 || wrong > 0 {
				t.Fatalf("%s did not overfit: loss %.4f -> %.5f, %d of %d pixels wrong", tc.loss, first, last, wrong, n*h*w)
			}
		})
	}
}
