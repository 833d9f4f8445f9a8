package train

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/segloss/segloss/model"
)

// trainedRun is what a run leaves that must not depend on scheduling: the
// loss of every step, the model's tensors (weights and batch-norm
// statistics, as a model checkpoint without metadata) and the solver's
// slots.
type trainedRun struct {
	losses []float64
	model  []byte
	slots  [][]float32
}

// trainOnce trains cfg into a fresh folder under root with GOMAXPROCS
// procs and collects the run.
func trainOnce(t *testing.T, cfg Config, root string, procs int) trainedRun {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	cfg.Out = filepath.Join(root, fmt.Sprintf("run%d", len(mustReadDir(t, root))))
	var r trainedRun
	if _, err := Train(context.Background(), cfg, Options{OnStep: func(_ int, l float64) { r.losses = append(r.losses, l) }}); err != nil {
		t.Fatal(err)
	}
	ck, err := LoadCheckpoint(filepath.Join(cfg.Out, "last.ckpt"))
	if err != nil {
		t.Fatal(err)
	}
	// The same metadata for every run, so the files differ only in the
	// model's tensors.
	path := filepath.Join(cfg.Out, "model-only.ckpt")
	if err := ck.Model.Save(path, model.CheckpointInfo{}, nil); err != nil {
		t.Fatal(err)
	}
	if r.model, err = os.ReadFile(path); err != nil {
		t.Fatal(err)
	}
	if ck.Solver == nil {
		t.Fatal("last.ckpt holds no solver state")
	}
	r.slots = ck.Solver.Slots
	return r
}

func mustReadDir(t *testing.T, dir string) []os.DirEntry {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// sameRun reports the first difference between two runs, compared bit for
// bit.
func sameRun(a, b trainedRun) error {
	if len(a.losses) != len(b.losses) {
		return fmt.Errorf("%d steps vs %d", len(a.losses), len(b.losses))
	}
	for i := range a.losses {
		if math.Float64bits(a.losses[i]) != math.Float64bits(b.losses[i]) {
			return fmt.Errorf("step %d: loss %v vs %v (differ by %g)", i+1, a.losses[i], b.losses[i], a.losses[i]-b.losses[i])
		}
	}
	if !bytes.Equal(a.model, b.model) {
		return fmt.Errorf("model tensors differ")
	}
	if len(a.slots) != len(b.slots) {
		return fmt.Errorf("%d solver slots vs %d", len(a.slots), len(b.slots))
	}
	for i := range a.slots {
		for j := range a.slots[i] {
			if math.Float32bits(a.slots[i][j]) != math.Float32bits(b.slots[i][j]) {
				return fmt.Errorf("solver slot %d[%d]: %v vs %v", i, j, a.slots[i][j], b.slots[i][j])
			}
		}
	}
	return nil
}

// TestTrainingIsBitReproducible trains the same seed and configuration
// several times, with 2, 1 and 3 worker threads, for every loss and two
// architectures (batch norm, nearest upsampling and Adam; fused conv+ReLU,
// learned upsampling and SGD): the loss curve, the weights and the solver
// state must agree bit for bit, so the parallel parts of the network, the
// losses and the loader must not depend on scheduling or on the number of
// threads.
func TestTrainingIsBitReproducible(t *testing.T) {
	cache := filepath.Join(t.TempDir(), "cache")
	variants := []struct {
		name      string
		batchNorm bool
		upsample  string
		optimizer string
	}{
		{"bn-nearest-adam", true, "nearest", "adam"},
		{"fused-learned-sgd", false, "learned", "sgd"},
	}
	for _, v := range variants {
		for _, name := range []string{"ce", "dtl", "boundary", "active-boundary"} {
			t.Run(v.name+"/"+name, func(t *testing.T) {
				root := t.TempDir()
				cfg := tinyConfig(t, cache, "")
				cfg.Loss.Name = name
				cfg.Train.Epochs, cfg.Train.Steps = 1, 4
				cfg.Model.BatchNorm, cfg.Model.Upsample, cfg.Optim.Name = v.batchNorm, v.upsample, v.optimizer
				first := trainOnce(t, cfg, root, 2)
				if len(first.losses) != 4 {
					t.Fatalf("%d steps, want 4", len(first.losses))
				}
				for _, procs := range []int{2, 1, 3} {
					if err := sameRun(first, trainOnce(t, cfg, root, procs)); err != nil {
						t.Errorf("GOMAXPROCS %d: %v", procs, err)
					}
				}
			})
		}
	}
}
