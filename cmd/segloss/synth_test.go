package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSynthCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "syn")
	got, err := runCLI(t, "synth", "--out", out, "--size", "16x20x40", "--seed", "4", "--quiet")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"wrote synthetic survey 16x20x40 seed 4", "inlines 300-315, crosslines 300-319, 40 samples at 4 ms", "Zechstein"} {
		if !strings.Contains(got, want) {
			t.Fatalf("output lacks %q:\n%s", want, got)
		}
	}
	for _, f := range []string{"seismic.sgy", "survey.json", "data/train/train_labels.npy", "data/test_once/test2_seismic.npy"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Fatal(err)
		}
	}
	got, err = runCLI(t, "synth", "--out", out, "--size", "16x20x40", "--seed", "4", "--quiet")
	if err != nil || !strings.Contains(got, "up to date") {
		t.Fatalf("rerun: %v\n%s", err, got)
	}
	if _, err := runCLI(t, "synth", "--out", out, "--size", "huge"); err == nil || !strings.Contains(err.Error(), "huge") {
		t.Fatalf("bad size: %v", err)
	}
}

// TestSynthRefusesForeignOut checks that synth --out refuses a directory of
// other files and a regular file, leaving both as they were.
func TestSynthRefusesForeignOut(t *testing.T) {
	root := t.TempDir()
	afile := filepath.Join(root, "afile")
	if err := os.WriteFile(afile, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{root, afile} {
		_, err := runCLI(t, "synth", "--out", out, "--size", "8x10x32", "--quiet")
		if err == nil || !strings.Contains(err.Error(), out) || !strings.Contains(err.Error(), "--out") {
			t.Fatalf("--out %s: %v", out, err)
		}
	}
	if b, err := os.ReadFile(afile); err != nil || string(b) != "keep" {
		t.Fatalf("afile changed: %q, %v", b, err)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 1 {
		t.Fatalf("root holds %d entries, want only afile", len(entries))
	}
}
