package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segloss/segloss/train"
)

// tinyTrainArgs train a tiny model on a tiny synthetic survey in seconds.
func tinyTrainArgs(cache, out string) []string {
	return []string{"train", "--quiet", "--cache-dir", cache, "--synth-size", "12x20x32", "--patch", "16",
		"--stride", "16", "--val-fraction", "0.2", "--depth", "2", "--base", "4", "--epochs", "1", "--steps", "3",
		"--batch", "4", "--out", out}
}

func TestTrainEvalPredictCommands(t *testing.T) {
	root := t.TempDir()
	cache, run := filepath.Join(root, "cache"), filepath.Join(root, "run")
	t.Setenv("SEGLOSS_LOSS", "abl")
	out, err := runCLI(t, tinyTrainArgs(cache, run)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "epoch   1") || !strings.Contains(out, "run folder: "+run) {
		t.Fatalf("train printed:\n%s", out)
	}
	cfg, err := train.LoadConfig(filepath.Join(run, "config.yaml"), nil)
	if err != nil || cfg.Loss.Name != "abl" || cfg.Model.Base != 4 {
		t.Fatalf("resolved config %+v: %v", cfg.Loss, err)
	}

	out, err = runCLI(t, "eval", "--checkpoint", filepath.Join(run, "last.ckpt"), "--split", "val,both", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var scores map[string]train.Metrics
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &scores); err != nil {
		t.Fatalf("eval --json: %v\n%s", err, out)
	}
	for _, s := range []string{"val", "test1", "test2", "both"} {
		if scores[s].Pixels == 0 {
			t.Errorf("eval --json: split %s missing or empty", s)
		}
	}
	var saved train.Metrics
	raw, _ := os.ReadFile(filepath.Join(run, "metrics.json"))
	if err := json.Unmarshal(raw, &saved); err != nil || saved.PA != scores["val"].PA {
		t.Fatalf("metrics.json PA %v, eval val PA %v (%v)", saved.PA, scores["val"].PA, err)
	}

	input, _ := filepath.Glob(filepath.Join(cache, "*", "seismic.sgy"))
	if len(input) != 1 {
		t.Fatalf("synthetic SEG-Y: %v", input)
	}
	facies := filepath.Join(root, "facies.sgy")
	out, err = runCLI(t, "predict", "--checkpoint", filepath.Join(run, "best.ckpt"), "--input", input[0], "--output", facies)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "wrote "+facies) {
		t.Fatalf("predict printed:\n%s", out)
	}
	// Streaming in other blocks gives the same bytes; --directions inline
	// another prediction; a bad mode is refused by name.
	again := filepath.Join(root, "facies-b3.sgy")
	if out, err = runCLI(t, "predict", "--checkpoint", filepath.Join(run, "best.ckpt"), "--input", input[0], "--output", again, "--block", "3"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	a, errA := os.ReadFile(facies)
	b, errB := os.ReadFile(again)
	if errA != nil || errB != nil || len(a) == 0 || string(a) != string(b) {
		t.Fatalf("--block 3 changed the facies SEG-Y (%d vs %d bytes; %v %v)", len(b), len(a), errA, errB)
	}
	inline := filepath.Join(root, "facies-inline.sgy")
	if out, err = runCLI(t, "predict", "--checkpoint", filepath.Join(run, "best.ckpt"), "--input", input[0], "--output", inline, "--directions", "inline", "--block", "2"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if fi, err := os.Stat(inline); err != nil || fi.Size() != int64(len(a)) {
		t.Fatalf("--directions inline output: %v, %v (want %d bytes)", fi, err, len(a))
	}
	if _, err = runCLI(t, "predict", "--checkpoint", filepath.Join(run, "best.ckpt"), "--input", input[0], "--output", inline, "--directions", "diagonal"); err == nil ||
		!strings.Contains(err.Error(), `"diagonal"`) {
		t.Fatalf("--directions diagonal: %v", err)
	}
}

func TestTrainCommandErrors(t *testing.T) {
	dir := t.TempDir()
	typo := filepath.Join(dir, "typo.yaml")
	if err := os.WriteFile(typo, []byte("optim:\n  lerning_rate: 0.1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"config typo", []string{"train", "--config", typo}, "optim.lerning_rate"},
		{"bad loss", []string{"train", "--loss", "dice"}, `"dice"`},
		{"resume without a folder", []string{"train", "--resume"}, "--out"},
		{"resume of an empty folder", []string{"train", "--resume", "--out", dir}, "config.yaml"},
		{"eval without checkpoint", []string{"eval"}, "checkpoint"},
		{"eval of a missing checkpoint", []string{"eval", "--checkpoint", filepath.Join(dir, "none.ckpt")}, "none.ckpt"},
		{"predict without output", []string{"predict", "--checkpoint", "x", "--input", "y"}, "output"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runCLI(t, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one naming %s\n%s", err, tc.want, out)
			}
		})
	}
}
