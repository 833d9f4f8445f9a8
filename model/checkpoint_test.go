package model

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// trainedModel returns a batch-norm model after a few Adam steps, its
// solver and the trainer's batch.
func trainedModel(t *testing.T, cfg Config) (*Model, *Adam, *Trainer, []float32) {
	t.Helper()
	m, err := New(cfg, 2)
	if err != nil {
		t.Fatal(err)
	}
	const n, h, w = 2, 8, 8
	x := randomInput(8, n*cfg.InChannels*h*w)
	adam := newAdam(t, 0.01)
	tr, err := m.NewTrainer(n, h, w, pixelCE(stripeLabels(x, n, h, w, cfg.Classes)), adam)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := tr.Step(x); err != nil {
			t.Fatal(err)
		}
	}
	return m, adam, tr, x
}

func TestCheckpointRoundTrip(t *testing.T) {
	cfg := Config{InChannels: 1, Classes: 3, Depth: 2, Base: 4, BatchNorm: true, Upsample: UpsampleLearned}
	m, adam, tr, x := trainedModel(t, cfg)
	path := filepath.Join(t.TempDir(), "last.ckpt")
	meta := json.RawMessage(`{"classes":["a","b","c"],"mean":0.5}`)
	if err := m.Save(path, CheckpointInfo{Step: 3, Epoch: 1, Meta: meta}, adam); err != nil {
		t.Fatal(err)
	}
	probe := randomInput(9, 2*1*13*10)
	want, err := m.Predict(probe, 2, 13, 10)
	if err != nil {
		t.Fatal(err)
	}
	m2, ck, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := m2.Predict(probe, 2, 13, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatal("logits differ after a checkpoint round trip")
	}
	if ck.Step != 3 || ck.Epoch != 1 || string(ck.Meta) != string(meta) || ck.Config != m.Config() {
		t.Fatalf("checkpoint info %+v does not round trip", ck)
	}

	// Resuming continues the same loss curve.
	var cont []float64
	for range 3 {
		l, err := tr.Step(x)
		if err != nil {
			t.Fatal(err)
		}
		cont = append(cont, l)
	}
	adam2 := newAdam(t, 0.5)
	if err := ck.ResumeSolver(adam2); err != nil {
		t.Fatal(err)
	}
	if adam2.LearningRate() != 0.01 {
		t.Errorf("resumed learning rate %v, want 0.01", adam2.LearningRate())
	}
	tr2, err := m2.NewTrainer(2, 8, 8, pixelCE(stripeLabels(x, 2, 8, 8, 3)), adam2)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		l, err := tr2.Step(x)
		if err != nil {
			t.Fatal(err)
		}
		if l != cont[i] {
			t.Fatalf("resumed step %d: loss %v, uninterrupted %v", i, l, cont[i])
		}
	}

	// LoadWeights into an existing model of the same architecture.
	m3, err := New(cfg, 99)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m3.LoadWeights(path); err != nil {
		t.Fatal(err)
	}
	got3, err := m3.Predict(probe, 2, 13, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got3, want) {
		t.Fatal("logits differ after LoadWeights")
	}
}

func TestCheckpointErrors(t *testing.T) {
	cfg := Config{InChannels: 1, Classes: 2, Depth: 2, Base: 2, BatchNorm: true}
	m, err := New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "good.ckpt")
	if err := m.Save(good, CheckpointInfo{}, nil); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	flipped := slices.Clone(raw)
	flipped[len(flipped)-10] ^= 0x40
	v2 := slices.Clone(raw)
	binary.LittleEndian.PutUint32(v2[8:], 2)
	other, err := New(Config{InChannels: 1, Classes: 2, Depth: 3, Base: 2}, 1)
	if err != nil {
		t.Fatal(err)
	}
	otherPath := filepath.Join(dir, "other.ckpt")
	if err := other.Save(otherPath, CheckpointInfo{}, nil); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path, want string
		into             bool // LoadWeights into m instead of Load
	}{
		{"missing", filepath.Join(dir, "nope.ckpt"), "no such file", false},
		{"empty", write("empty.ckpt", nil), "bad magic", false},
		{"not a checkpoint", write("text.ckpt", []byte("hello world, not a checkpoint")), "bad magic", false},
		{"truncated header", write("head.ckpt", raw[:14]), "truncated", false},
		{"truncated metadata", write("meta.ckpt", raw[:40]), "truncated", false},
		{"truncated data", write("data.ckpt", raw[:len(raw)-50]), "checksum", false},
		{"corrupt byte", write("flip.ckpt", flipped), "checksum", false},
		{"other version", write("v2.ckpt", v2), "version 2", false},
		{"other architecture", otherPath, "does not match", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.into {
				_, err = m.LoadWeights(tc.path)
			} else {
				_, _, err = Load(tc.path)
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.path) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q should name %s and say %q", err, tc.path, tc.want)
			}
		})
	}
}

func TestSaveIsAtomic(t *testing.T) {
	m, err := New(Config{InChannels: 1, Classes: 2, Depth: 1, Base: 2}, 1)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "a.ckpt")
	for step := range 2 {
		if err := m.Save(path, CheckpointInfo{Step: step}, nil); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "a.ckpt" {
		t.Fatalf("directory holds %v, want only a.ckpt", entries)
	}
	if err := m.Save(filepath.Join(dir, "missing", "b.ckpt"), CheckpointInfo{}, nil); err == nil {
		t.Fatal("saving into a missing directory did not fail")
	}
}
