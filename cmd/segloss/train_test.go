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
	for _, want := range []string{"run folder: " + run + "\n", "epoch   1  loss ", " labelled of 1024 pixels; ", " per labelled pixel)",
		// 16-pixel patches on crossline sections 12 inlines wide: 24 whole
		// inline patches and 32 crossline patches 3/4 inside.
		"warning: data: the 16x16 patches (--patch) are larger than the training sections (32 samples; inline sections 16 traces wide, crossline sections 12): 14% of the patch pixels are padding",
		"best epoch: 1 of 1 (validation mIoU ", "validation metrics of best.ckpt (epoch 1)"} {
		if !strings.Contains(out, want) {
			t.Fatalf("train printed no %q:\n%s", want, out)
		}
	}
	if !strings.HasPrefix(out, "run folder: "+run+"\n") || strings.Count(out, "run folder:") != 1 {
		t.Fatalf("train does not announce its run folder first, and once:\n%s", out)
	}
	// Resuming with another loss is refused by name.
	if _, err = runCLI(t, "train", "--resume", "--out", run, "--quiet", "--loss", "dtl", "--epochs", "2"); err == nil ||
		!strings.Contains(err.Error(), `loss.name (--loss): "abl" → "dtl"`) {
		t.Fatalf("resume with another loss: %v", err)
	}
	// Resuming the finished run says so and trains nothing.
	out, err = runCLI(t, "train", "--resume", "--out", run, "--quiet")
	if err != nil || !strings.Contains(out, "is complete: 1 of 1 epochs trained, nothing to resume; to train longer, raise the number of epochs: segloss train --resume --out "+run+" --epochs 2") ||
		strings.Contains(out, "epoch   2") {
		t.Fatalf("resume of a finished run: %v\n%s", err, out)
	}
	cfg, err := train.LoadConfig(filepath.Join(run, "config.yaml"), nil)
	if err != nil || cfg.Loss.Name != "abl" || cfg.Model.Base != 4 {
		t.Fatalf("resolved config %+v: %v", cfg.Loss, err)
	}

	out, err = runCLI(t, "eval", "--checkpoint", filepath.Join(run, "last.ckpt"), "--split", "val,both", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// The notes on the data are printed once, not once per split.
	for _, line := range []string{"data: seismic from SEG-Y ", "data: alignment: label sample 0 = SEG-Y sample 0"} {
		if n := strings.Count(out, line); n != 1 {
			t.Fatalf("eval printed %q %d times:\n%s", line, n, out)
		}
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
	var saved train.RunMetrics
	raw, _ := os.ReadFile(filepath.Join(run, "metrics.json"))
	if err := json.Unmarshal(raw, &saved); err != nil || saved.PA != scores["val"].PA || saved.Epoch != 1 || saved.Checkpoint != "best.ckpt" {
		t.Fatalf("metrics.json PA %v epoch %d %s, eval val PA %v (%v)", saved.PA, saved.Epoch, saved.Checkpoint, scores["val"].PA, err)
	}
	// The text report has the table and the confusion matrix; --quiet
	// draws no progress bar.
	// A run folder stands for its best.ckpt; --pictures lists its files.
	pics := filepath.Join(root, "pics")
	out, err = runCLI(t, "eval", "--checkpoint", run, "--quiet", "--pictures", pics)
	if err != nil || !strings.Contains(out, "checkpoint: "+filepath.Join(run, "best.ckpt")+" (the best checkpoint of the run folder "+run+")") {
		t.Fatalf("eval of a run folder: %v\n%s", err, out)
	}
	written, _ := filepath.Glob(filepath.Join(pics, "val-*.png"))
	if len(written) != 2 {
		t.Fatalf("pictures %v", written)
	}
	for _, p := range written {
		if !strings.Contains(out, "wrote "+p+"\n") {
			t.Fatalf("eval does not say it wrote %s:\n%s", p, out)
		}
	}
	out, err = runCLI(t, "eval", "--checkpoint", filepath.Join(run, "best.ckpt"), "--quiet")
	if err != nil || !strings.Contains(out, "val (") || !strings.Contains(out, "confusion matrix (pixels; rows: true class, columns: predicted class)") ||
		!strings.Contains(out, "  5 Zechstein ") || strings.Contains(out, "sections/s") {
		t.Fatalf("eval text: %v\n%s", err, out)
	}

	input, _ := filepath.Glob(filepath.Join(cache, "*", "seismic.sgy"))
	if len(input) != 1 {
		t.Fatalf("synthetic SEG-Y: %v", input)
	}
	facies := filepath.Join(root, "facies.sgy")
	out, err = runCLI(t, "predict", "--checkpoint", filepath.Join(run, "best.ckpt"), "--input", input[0], "--output", facies, "--quiet")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if strings.Contains(out, "sections/s") || strings.Contains(out, "warning") {
		t.Fatalf("predict --quiet of the training data printed a progress bar or a warning:\n%s", out)
	}
	// The input is never the output.
	before, _ := os.ReadFile(input[0])
	if _, err = runCLI(t, "predict", "--checkpoint", filepath.Join(run, "best.ckpt"), "--input", input[0], "--output", input[0]); err == nil ||
		!strings.Contains(err.Error(), "is the same file as --input") {
		t.Fatalf("predict over its input: %v", err)
	}
	if after, _ := os.ReadFile(input[0]); string(after) != string(before) {
		t.Fatal("predict changed its input")
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
		{"bad loss", []string{"train", "--loss", "dice"}, `flag --loss: unknown loss "dice"`},
		{"loss range", []string{"train", "--loss", "abl", "--abl-max-ratio", "1.5"}, "flag --abl-max-ratio: 1.5: want a share of the pixels in (0, 1]"},
		{"resume without a folder", []string{"train", "--resume"}, "--out"},
		{"resume of an empty folder", []string{"train", "--resume", "--out", dir}, "config.yaml"},
		{"resume with a positional folder", []string{"train", "--resume", "runs/x"}, "segloss train takes no arguments: to continue the run in runs/x, use --resume --out runs/x"},
		{"positional argument", []string{"train", "dtl"}, `segloss train takes no arguments, got "dtl"`},
		{"eval of a folder without checkpoints", []string{"eval", "--checkpoint", dir}, "is a folder without best.ckpt or last.ckpt"},
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

// TestTrainHelpNamesKeys: train --help names the YAML key of every
// configuration flag and explains the mapping.
func TestTrainHelpNamesKeys(t *testing.T) {
	out, err := runCLI(t, "train", "--help")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"[loss.dtl.dilate]", "[data.segy_file]", "[loss.abl.max_ratio]", "SEGLOSS_DTL_DILATE=5", "Configuration keys and flags"} {
		if !strings.Contains(out, want) {
			t.Errorf("train --help lacks %q", want)
		}
	}
}
