package train

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segloss/segloss/dataset"
)

// TestCheckResume: on resume, keys that shape the training must keep their
// saved values; more epochs, moved data and output-only keys may change.
func TestCheckResume(t *testing.T) {
	saved := DefaultConfig()
	saved.Data.Dir = "/data/f3"
	cases := []struct {
		name    string
		edit    func(*Config)
		done    int
		refused []string // substrings of the error; none: accepted
		notes   []string
	}{
		{"unchanged", func(*Config) {}, 3, nil, nil},
		{"output only", func(c *Config) { c.Out, c.Eval.Every = "/elsewhere", 2 }, 3, nil, nil},
		{"more epochs", func(c *Config) { c.Train.Epochs = 20 }, 3, nil,
			[]string{"note: train.epochs (--epochs): 8 → 20: training on to epoch 20; the cosine learning-rate schedule is re-planned over the 20 epochs"}},
		{"more epochs, step schedule", func(c *Config) { c.Train.Epochs, c.Optim.Schedule, saved.Optim.Schedule = 20, "step", "step" }, 3, nil,
			[]string{"note: train.epochs (--epochs): 8 → 20: training on to epoch 20"}},
		{"moved data", func(c *Config) { c.Data.Dir = "/mnt/f3" }, 3, nil,
			[]string{`note: data.dir (--data-dir): "/data/f3" → "/mnt/f3" (the same data is expected there)`}},
		{"fewer epochs than done", func(c *Config) { c.Train.Epochs = 2 }, 3,
			[]string{"train.epochs (--epochs): 8 → 2 (the run has trained 3 epochs already)"}, nil},
		{"loss and its parameters", func(c *Config) { c.Loss.Name, c.Loss.DTL.Dilate, c.Loss.Reduction = "dtl", 3, "sum" }, 1,
			[]string{`loss.name (--loss): "ce" → "dtl"`, `loss.reduction (--loss-reduction): "" → "sum"`, "loss.dtl.dilate (--dtl-dilate): 5 → 3"}, nil},
		{"loss mode", func(c *Config) { c.Loss.Mode = "compat" }, 1, []string{`loss.mode (--loss-mode): "default" → "compat"`}, nil},
		{"data, model, solver, loop", func(c *Config) {
			c.Data.Source, c.Data.Patch, c.Model.Base, c.Optim.Name, c.Optim.LR, c.Train.Batch, c.Train.Seed = "f3", 128, 32, "sgd", 0.1, 16, 7
		}, 1, []string{`data.source (--data): "synthetic" → "f3"`, "data.patch (--patch): 64 → 128", "model.base (--base): 16 → 32",
			`optim.name (--optimizer): "adam" → "sgd"`, "optim.lr (--lr): 0.003 → 0.1", "train.batch (--batch): 8 → 16", "train.seed (--seed): 1 → 7"}, nil},
		{"validation", func(c *Config) { c.Eval.Window = 64 }, 1, []string{"eval.window (--window): 0 → 64"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func(s string) { saved.Optim.Schedule = s }(saved.Optim.Schedule)
			now := saved
			tc.edit(&now)
			notes, err := checkResume("runs/r", saved, now, tc.done)
			if tc.refused == nil {
				if err != nil {
					t.Fatal(err)
				}
			} else {
				if err == nil {
					t.Fatal("accepted")
				}
				for _, want := range append(tc.refused, "resume: runs/r was trained with another configuration", "another --out") {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q lacks %q", err, want)
					}
				}
			}
			if len(notes) != len(tc.notes) {
				t.Fatalf("notes %q, want %q", notes, tc.notes)
			}
			for i, want := range tc.notes {
				if !strings.HasPrefix(notes[i], want) {
					t.Errorf("note %q, want %q...", notes[i], want)
				}
			}
		})
	}
}

// TestAbsPaths: relative data paths become absolute; empty ones and
// absolute ones stay.
func TestAbsPaths(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	c := DefaultConfig()
	c.Data.Dir, c.Data.Cache, c.Data.SEGYFile = "data", "", "/abs/f3.sgy"
	got, err := c.AbsPaths()
	if err != nil {
		t.Fatal(err)
	}
	if got.Data.Dir != filepath.Join(wd, "data") || got.Data.Cache != "" || got.Data.SEGYFile != "/abs/f3.sgy" {
		t.Fatalf("AbsPaths: %q %q %q", got.Data.Dir, got.Data.Cache, got.Data.SEGYFile)
	}
	if c.Data.Dir != "data" {
		t.Fatal("AbsPaths changed its receiver")
	}
}

// TestClaimRunDir: runs claiming the same default folder at once each get
// their own (base, base-2, base-3 ...); nothing is shared or lost.
func TestClaimRunDir(t *testing.T) {
	base := filepath.Join(t.TempDir(), "runs", "20260101-120000-ce")
	const n = 8
	dirs := make([]string, n)
	folders := make([]runFolder, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			d, err := folders[i].claim(base)
			if err != nil {
				t.Error(err)
			}
			dirs[i] = d
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, d := range dirs {
		seen[d] = true
	}
	for i := 1; i <= n; i++ {
		want := base
		if i > 1 {
			want = fmt.Sprintf("%s-%d", base, i)
		}
		if !seen[want] {
			t.Fatalf("claimed %v, want %s among them", dirs, want)
		}
	}
	// A file of that name is taken too.
	if err := os.WriteFile(base+"-9", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var f runFolder
	if d, err := f.claim(base); err != nil || d != base+"-10" {
		t.Fatalf("claim next to a file: %q, %v", d, err)
	}
}

// TestDefaultRunFolderIsNew: a run started in the same second as another
// gets a folder of its own, and leaves the other's files alone.
func TestDefaultRunFolderIsNew(t *testing.T) {
	root := t.TempDir()
	t.Chdir(root)
	now := func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	other := filepath.Join("runs", "20260102-030405-ce")
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(other, "config.yaml"), []byte("other"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := tinyConfig(t, filepath.Join(root, "cache"), "")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	var log bytes.Buffer
	_, err := Train(cancelled, cfg, Options{Log: &log, Now: now})
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("error %v", err)
	}
	if !strings.HasPrefix(log.String(), "run folder: "+other+"-2\n") {
		t.Fatalf("log:\n%s", log.String())
	}
	if raw, _ := os.ReadFile(filepath.Join(other, "config.yaml")); string(raw) != "other" {
		t.Fatal("the other run's config.yaml was overwritten")
	}
	if _, err := os.Stat(other + "-2"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the interrupted run left its folder (%v)", err)
	}
}

// failingWriter fails like a closed pipe from the first write that
// starts with prefix on.
type failingWriter struct {
	prefix string
	failed bool
}

func (w *failingWriter) Write(b []byte) (int, error) {
	if w.failed || bytes.HasPrefix(b, []byte(w.prefix)) {
		w.failed = true
		return 0, errors.New("write |1: broken pipe")
	}
	return len(b), nil
}

// TestLogWriteErrorRemovesRun: a run whose log cannot be written (stdout
// into a closed pipe) stops and, before its first epoch is done, removes
// its folder. The checkpoint holds the data paths made absolute.
func TestLogWriteErrorRemovesRun(t *testing.T) {
	root := t.TempDir()
	t.Chdir(root)
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(root, "run")
	cfg := tinyConfig(t, "cache", run)
	_, err = Train(context.Background(), cfg, Options{Log: &failingWriter{prefix: "epoch   1"}})
	if err == nil || !strings.Contains(err.Error(), "writing the log: write |1: broken pipe") {
		t.Fatalf("error %v", err)
	}
	if _, err := os.Stat(run); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the run folder is left (%v)", err)
	}
	// After the first epoch the run stops too, but keeps its checkpoint.
	_, err = Train(context.Background(), cfg, Options{Log: &failingWriter{prefix: "epoch   2"}})
	if err == nil || !strings.Contains(err.Error(), "writing the log") {
		t.Fatalf("error %v", err)
	}
	ck, err := LoadCheckpoint(filepath.Join(run, "last.ckpt"))
	if err != nil || ck.Meta.State.Epoch != 1 {
		t.Fatalf("last.ckpt after epoch 1: %v", err)
	}
	if got := ck.Meta.Config.Data.Cache; got != filepath.Join(wd, "cache") {
		t.Fatalf("the checkpoint's data.cache is %q, want %q", got, filepath.Join(wd, "cache"))
	}
}

// TestPaddingWarning: patches larger than the sections are reported with
// the share of padding.
func TestPaddingWarning(t *testing.T) {
	v := &dataset.Volume{NI: 12, NX: 20, NS: 32}
	cases := []struct {
		size int
		want string
	}{
		{8, ""},
		{16, "warning: data: the 16x16 patches (--patch) are larger than the training sections (32 samples; inline sections 20 traces wide, crossline sections 12): 11% of the patch pixels are padding, which the loss does not count; a --patch of at most 12 avoids it"},
		{32, "warning: data: the 32x32 patches (--patch) are larger than the training sections (32 samples; inline sections 20 traces wide, crossline sections 12): 53% of the patch pixels are padding"},
		{64, "warning: data: the 64x64 patches (--patch) are larger than the training sections (32 samples; inline sections 20 traces wide, crossline sections 12): 88% of the patch pixels are padding"},
	}
	for _, tc := range cases {
		patches, err := dataset.PatchGrid(v, tc.size, tc.size)
		if err != nil {
			t.Fatal(err)
		}
		got := paddingWarning(v, patches, tc.size)
		if (tc.want == "") != (got == "") || !strings.HasPrefix(got, tc.want) {
			t.Errorf("patch %d: %q, want %q", tc.size, got, tc.want)
		}
	}
}

// TestDataHint: a split whose stored data paths are gone is reported with
// the path from the checkpoint and the flag that overrides it.
func TestDataHint(t *testing.T) {
	dir := t.TempDir()
	cause := errors.New("survey: no train/")
	cases := []struct {
		name       string
		source     string
		data, segy string
		want       string
	}{
		{"data folder gone", "f3", filepath.Join(dir, "gone"), "",
			"eval test1: the checkpoint's data folder " + filepath.Join(dir, "gone") + " (data.dir) does not exist; give the folder of the F3 data with --data-dir DIR: survey: no train/"},
		{"SEG-Y gone", "f3", dir, filepath.Join(dir, "f3.sgy"),
			"eval test1: the checkpoint's SEG-Y " + filepath.Join(dir, "f3.sgy") + " (data.segy_file) does not exist; give its place with --segy-file FILE: survey: no train/"},
		{"data there", "f3", dir, "", "eval test1: survey: no train/"},
		{"synthetic", "synthetic", filepath.Join(dir, "gone"), "", "eval test1: survey: no train/"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			c.Data.Source, c.Data.Dir, c.Data.SEGYFile = tc.source, tc.data, tc.segy
			err := dataHint(c, "test1", cause)
			if err.Error() != tc.want || !errors.Is(err, cause) {
				t.Fatalf("%q, want %q", err, tc.want)
			}
		})
	}
}
