package train

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segloss/segloss/dataset"
	"github.com/segloss/segloss/internal/testutil"
	"github.com/segloss/segloss/model"
)

// untrainedCheckpoint saves a fresh small model with training metadata.
func untrainedCheckpoint(t *testing.T, path string) *Checkpoint {
	t.Helper()
	cfg, err := LoadConfig("", nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Model.Depth, cfg.Model.Base = 2, 4
	m, err := model.New(cfg.ModelConfig(), 3)
	if err != nil {
		t.Fatal(err)
	}
	meta := CheckpointMeta{Config: cfg, Norm: dataset.Normalizer{Method: "meanstd", Mean: 0, Std: 1},
		ClassNames: dataset.ClassNames[:], State: RunState{Best: negInf}}
	if err := SaveCheckpoint(path, m, nil, meta); err != nil {
		t.Fatal(err)
	}
	ck, err := LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	return ck
}

func TestPredictRealF3Crop(t *testing.T) {
	input := testutil.SharedFile(t, "testdata/segy/f3.sgy")
	dir := t.TempDir()
	ck := untrainedCheckpoint(t, filepath.Join(dir, "m.ckpt"))
	out := filepath.Join(dir, "facies.sgy")
	res, err := Predict(context.Background(), ck, PredictOptions{Input: input, Output: out, Window: -1, RefitNorm: true})
	if err != nil {
		t.Fatal(err)
	}
	// f3.sgy: inlines 111-133, crosslines 875-892, 75 samples (F3_DATA.md).
	if res.Inlines != 23 || res.Crosslines != 18 || res.Samples != 75 || res.Traces != 23*18 {
		t.Fatalf("result %+v", res)
	}
	checkFacies(t, input, out, res)
}

func TestPredictErrors(t *testing.T) {
	dir := t.TempDir()
	ck := untrainedCheckpoint(t, filepath.Join(dir, "m.ckpt"))
	missing := filepath.Join(dir, "absent.sgy")
	if _, err := Predict(context.Background(), ck, PredictOptions{Input: missing, Output: filepath.Join(dir, "o.sgy")}); err == nil ||
		!strings.Contains(err.Error(), "absent.sgy") {
		t.Fatalf("missing input: %v", err)
	}
	junk := filepath.Join(dir, "junk.ckpt")
	if err := os.WriteFile(junk, []byte("not a checkpoint"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCheckpoint(junk); err == nil || !strings.Contains(err.Error(), "junk.ckpt") {
		t.Fatalf("junk checkpoint: %v", err)
	}
	// A bare model checkpoint (no training metadata) is refused by name.
	m, err := model.New(model.Config{InChannels: 1, Classes: 6, Depth: 1, Base: 2}, 1)
	if err != nil {
		t.Fatal(err)
	}
	bare := filepath.Join(dir, "bare.ckpt")
	if err := m.Save(bare, model.CheckpointInfo{}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCheckpoint(bare); err == nil || !strings.Contains(err.Error(), "bare.ckpt") {
		t.Fatalf("bare checkpoint: %v", err)
	}
}
