package train

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segloss/segloss/model"
)

// TestFailedRunLeavesNoFolder: a new run that stops before its first
// epoch is done removes the folders and files it created, and only those.
func TestFailedRunLeavesNoFolder(t *testing.T) {
	root := t.TempDir()
	cache := filepath.Join(root, "cache")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	kept := filepath.Join(root, "kept")
	if err := os.MkdirAll(kept, 0o755); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(kept, "notes.txt")
	if err := os.WriteFile(mine, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		out     string
		edit    func(*Config)
		ctx     context.Context
		want    string
		removed string // the outermost folder the run created
	}{
		{"data missing", filepath.Join(root, "runs", "a"), func(c *Config) { c.Data.Source, c.Data.Dir = "f3", filepath.Join(root, "none") },
			context.Background(), "fetch-data", filepath.Join(root, "runs")},
		{"interrupted before the first step", filepath.Join(root, "new", "deeper", "b"), func(*Config) {}, cancelled,
			"before the first step", filepath.Join(root, "new")},
		{"existing folder keeps its files", kept, func(*Config) {}, cancelled, "before the first step", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tinyConfig(t, cache, tc.out)
			tc.edit(&cfg)
			var log bytes.Buffer
			_, err := Train(tc.ctx, cfg, Options{Log: &log})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if !strings.HasPrefix(log.String(), "run folder: "+tc.out+"\n") {
				t.Fatalf("log does not start with the run folder:\n%s", log.String())
			}
			if tc.removed != "" {
				if _, err := os.Stat(tc.removed); !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("%s left behind (%v)", tc.removed, err)
				}
				return
			}
			entries, _ := os.ReadDir(tc.out)
			if len(entries) != 1 || entries[0].Name() != "notes.txt" {
				t.Fatalf("folder %s holds %v, want only notes.txt", tc.out, entries)
			}
		})
	}
}

// TestResumeOfFinishedRun: resuming a run with all its epochs done loads
// no data and reports the run complete with its best checkpoint; more
// epochs extend it.
func TestResumeOfFinishedRun(t *testing.T) {
	root := t.TempDir()
	cache, run := filepath.Join(root, "cache"), filepath.Join(root, "run")
	cfg := tinyConfig(t, cache, run)
	first, err := Train(context.Background(), cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Without the data, anything but the completeness check would fail.
	if err := os.RemoveAll(cache); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	res, err := Train(context.Background(), cfg, Options{Resume: true, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("run %s is complete: 2 of 2 epochs trained, nothing to resume; to train longer, raise the number of epochs: segloss train --resume --out %s --epochs 4", run, run)
	if !res.Complete || !strings.Contains(log.String(), want) {
		t.Fatalf("complete %v, log:\n%s\nwant %q", res.Complete, log.String(), want)
	}
	if res.BestEpoch != first.BestEpoch || res.Best == nil || res.Best.MIoU != first.Best.MIoU || len(res.History) != 2 {
		t.Fatalf("complete run reports best epoch %d %+v, the run had %d %+v", res.BestEpoch, res.Best, first.BestEpoch, first.Best)
	}
	cfg.Train.Epochs = 3
	log.Reset()
	res, err = Train(context.Background(), cfg, Options{Resume: true, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if res.Complete || len(res.History) != 3 || res.History[2].Epoch != 3 {
		t.Fatalf("extended run: complete %v, history %+v", res.Complete, res.History)
	}
	if !strings.Contains(log.String(), "note: train.epochs (--epochs): 2 → 3: training on to epoch 3; the cosine learning-rate schedule is re-planned over the 3 epochs") {
		t.Fatalf("extended run printed no note on the schedule:\n%s", log.String())
	}
	// A changed loss or fewer epochs than are done are refused by name,
	// before anything is loaded or written.
	before, _ := os.ReadFile(filepath.Join(run, "config.yaml"))
	changed := cfg
	changed.Loss.Name, changed.Train.Batch, changed.Train.Epochs = "dtl", 2, 2
	_, err = Train(context.Background(), changed, Options{Resume: true})
	for _, want := range []string{"resume: " + run + " was trained with another configuration",
		`loss.name (--loss): "ce" → "dtl"`, "train.batch (--batch): 4 → 2",
		"train.epochs (--epochs): 3 → 2 (the run has trained 3 epochs already)"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("resume with another loss: %v, want %q", err, want)
		}
	}
	if after, _ := os.ReadFile(filepath.Join(run, "config.yaml")); string(after) != string(before) {
		t.Fatal("a refused resume rewrote config.yaml")
	}
}

func TestLossText(t *testing.T) {
	cases := []struct {
		loss      float64
		reduction string
		pixels    int
		labelled  float64
		want      string
	}{
		{12689, "sum", 8 * 64 * 64, 8 * 64 * 64, "loss 12689 (sum over a batch: 32768 labelled of 32768 pixels; 0.3872 per labelled pixel)"},
		// 96-pixel patches on 64-sample sections: a third is padding.
		{12689, "sum", 8 * 96 * 96, 8 * 96 * 64, "loss 12689 (sum over a batch: 49152 labelled of 73728 pixels; 0.2582 per labelled pixel)"},
		{12689, "sum", 8 * 96 * 96, 0, "loss 12689 (sum over the labelled pixels of a batch)"},
		{0.41234, "mean", 8 * 64 * 64, 1000, "loss 0.4123 (mean per labelled pixel)"},
	}
	for _, tc := range cases {
		if got := lossText(tc.loss, tc.reduction, tc.pixels, tc.labelled); got != tc.want {
			t.Errorf("lossText(%v, %s, %d, %v) = %q, want %q", tc.loss, tc.reduction, tc.pixels, tc.labelled, got, tc.want)
		}
	}
	for _, tc := range []struct {
		y      []int32
		ignore int
		want   int
	}{
		{[]int32{0, 1, 5, 255, 255}, 255, 3},
		{[]int32{0, 1, 5, 255, 255}, -1, 3},
		{[]int32{0, 1, 5, 3}, 255, 4},
		{nil, 255, 0},
	} {
		if got := labelledPixels(tc.y, tc.ignore); got != tc.want {
			t.Errorf("labelledPixels(%v, %d) = %d, want %d", tc.y, tc.ignore, got, tc.want)
		}
	}
	red := []struct{ name, reduction, want string }{
		{"ce", "", "mean"}, {"dtl", "", "sum"}, {"bsl", "", "mean"}, {"abl", "", "sum"}, {"dtl", "mean", "mean"}, {"ce", "sum", "sum"},
	}
	for _, tc := range red {
		c := DefaultConfig()
		c.Loss.Name, c.Loss.Reduction = tc.name, tc.reduction
		if got := lossReduction(c); got != tc.want {
			t.Errorf("loss %s reduction %q: %s, want %s", tc.name, tc.reduction, got, tc.want)
		}
	}
}

// TestVMErrorCause: an error of the loss inside a Gorgonia machine run
// comes out without the machine's text, and still unwraps to it.
func TestVMErrorCause(t *testing.T) {
	m, err := model.New(model.Config{InChannels: 1, Classes: 3, Depth: 1, Base: 2}, 1)
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("loss active-boundary: the labels hold class 9")
	solver, err := model.NewAdam(model.AdamConfig{LearningRate: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := m.NewTrainer(1, 4, 4, func(_, _ []float32, _, _, _, _ int) (float64, error) { return 0, boom }, solver)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	_, raw := tr.Step(make([]float32, 16))
	if raw == nil || !strings.Contains(raw.Error(), "op.Do()") {
		t.Fatalf("the machine's error %v lacks its op.Do() text; vmCause has nothing to trim", raw)
	}
	// The model's loss op prefixes "loss: "; Train reports the loss
	// function's own error directly.
	got := vmCause(raw)
	if got.Error() != "loss: "+boom.Error() || !errors.Is(got, raw) {
		t.Fatalf("vmCause(%q) = %q", raw, got)
	}
	cases := []struct{ in, want string }{
		{"PC 80. Failed to execute instruction Loss#11 [CPU79]: Failed to carry op.Do(): loss: bad", "loss: bad"},
		{"a: op.Do(): b: op.Do(): innermost", "innermost"},
		{"no machine here", "no machine here"},
		{"ends in op.Do(): ", "ends in op.Do(): "},
	}
	for _, tc := range cases {
		if got := vmCause(errors.New(tc.in)).Error(); got != tc.want {
			t.Errorf("vmCause(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if vmCause(nil) != nil {
		t.Fatal("vmCause(nil) is not nil")
	}
}

// TestCheckpointOfOlderConfig: keys added to the configuration since a
// checkpoint was written take their defaults, not Go's zero values.
func TestCheckpointOfOlderConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.ckpt")
	ck := untrainedCheckpoint(t, path)
	if ck.Meta.Config.Data.SampleOffset != -1 || ck.Meta.Config.Data.IlineByte != 189 {
		t.Fatalf("round trip lost data settings: %+v", ck.Meta.Config.Data)
	}
	// An older checkpoint's metadata has no such keys at all.
	raw, err := json.Marshal(metaJSON(ck.Meta))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	data := doc["config"].(map[string]any)["Data"].(map[string]any)
	for _, k := range []string{"SEGYFile", "IlineByte", "XlineByte", "SampleOffset", "FindOffset", "MinCorrelation", "AllowPoorMatch"} {
		if _, ok := data[k]; !ok {
			t.Fatalf("checkpoint JSON has no %s: %v", k, data)
		}
		delete(data, k)
	}
	if raw, err = json.Marshal(doc); err != nil {
		t.Fatal(err)
	}
	if err := ck.Model.Save(path, model.CheckpointInfo{Meta: raw}, nil); err != nil {
		t.Fatal(err)
	}
	back, err := LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	d := back.Meta.Config.Data
	if d.SampleOffset != -1 || d.IlineByte != 189 || d.XlineByte != 193 || d.MinCorrelation != 0.8 || d.Dir != ck.Meta.Config.Data.Dir {
		t.Fatalf("older checkpoint's data settings %+v", d)
	}
	if err := back.Meta.Config.Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestTrainValidatesConfig: a configuration built in code is checked
// before anything is loaded or created.
func TestTrainValidatesConfig(t *testing.T) {
	root := t.TempDir()
	cfg := tinyConfig(t, filepath.Join(root, "cache"), filepath.Join(root, "run"))
	cfg.Loss.ABL.MaxRatio = 2
	if _, err := Train(context.Background(), cfg, Options{}); err == nil ||
		err.Error() != "config: loss.abl.max_ratio: 2: want a share of the pixels in (0, 1]" {
		t.Fatalf("error %v", err)
	}
	for _, p := range []string{"cache", "run"} {
		if _, err := os.Stat(filepath.Join(root, p)); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s created before the configuration was checked", p)
		}
	}
}
