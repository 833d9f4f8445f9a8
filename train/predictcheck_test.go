package train

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segloss/segloss/dataset"
	"github.com/segloss/segloss/internal/testutil"
	"github.com/segloss/segloss/segy"
)

// writeScaledCube writes a 5 x 6 x 16 SEG-Y of sine traces times scale.
func writeScaledCube(t *testing.T, path string, scale float64) {
	t.Helper()
	data := make([]float32, 5*6*16)
	for i := range data {
		data[i] = float32(scale * math.Sin(float64(i)*0.7))
	}
	err := segy.WriteCube(path, segy.Cube{Inlines: []int{1, 2, 3, 4, 5}, Crosslines: []int{10, 11, 12, 13, 14, 15},
		Samples: 16, Data: data, Interval: 4000})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPredictRefusesToOverwrite: outputs that are the input (by path, by
// another spelling, through a link) or each other, and read-only outputs,
// are refused before anything is written; the input is left intact.
func TestPredictRefusesToOverwrite(t *testing.T) {
	dir := t.TempDir()
	ck := untrainedCheckpoint(t, filepath.Join(dir, "m.ckpt"))
	in := filepath.Join(dir, "in.sgy")
	writeScaledCube(t, in, 1)
	if err := os.Chmod(in, 0o444); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(in)
	link := filepath.Join(dir, "link.sgy")
	if err := os.Symlink(in, link); err != nil {
		t.Fatal(err)
	}
	hard := filepath.Join(dir, "hard.sgy")
	if err := os.Link(in, hard); err != nil {
		t.Fatal(err)
	}
	ro := filepath.Join(dir, "ro.sgy")
	if err := os.WriteFile(ro, []byte("keep"), 0o444); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.sgy")
	cases := []struct {
		name        string
		output, prb string
		want        string
	}{
		{"output is the input", in, "", "predict: --output " + in + " is the same file as --input " + in + ": refusing to overwrite it, choose another --output"},
		{"another spelling", filepath.Join(dir, ".", "sub", "..", "in.sgy"), "", "is the same file as --input"},
		{"symbolic link", link, "", "--output " + link + " is the same file as --input"},
		{"hard link", hard, "", "--output " + hard + " is the same file as --input"},
		{"probabilities over the input", out, in, "--probabilities " + in + " is the same file as --input"},
		{"probabilities over the output", out, out, "--probabilities " + out + " is the same file as --output " + out},
		{"read-only output", ro, "", "predict: --output " + ro + " exists and is read-only: remove it or choose another --output"},
		{"folder as output", dir, "", "is a folder"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Predict(context.Background(), ck, PredictOptions{Input: in, Output: tc.output, Probabilities: tc.prb, Window: -1})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if after, _ := os.ReadFile(in); !bytes.Equal(after, before) {
				t.Fatal("the input was changed")
			}
			if b, _ := os.ReadFile(ro); string(b) != "keep" {
				t.Fatal("the read-only file was replaced")
			}
			if _, err := os.Stat(out); err == nil {
				t.Fatal("an output was written")
			}
		})
	}
}

// TestAmplitudeWarning: input amplitudes more than 3x off those of the
// training data are a warning (suggesting --refit-norm), from the
// recorded statistics or, for older checkpoints, from the normalisation.
func TestAmplitudeWarning(t *testing.T) {
	rec := func(rms float64) CheckpointMeta {
		return CheckpointMeta{Amplitude: &AmplitudeStats{RMS: rms, Traces: 10}, Norm: dataset.Normalizer{Method: "none"}}
	}
	norm := func(n dataset.Normalizer) CheckpointMeta { return CheckpointMeta{Norm: n} }
	in := func(rms float64) AmplitudeStats { return AmplitudeStats{RMS: rms, Mean: 0.5, Traces: 64} }
	cases := []struct {
		name string
		in   AmplitudeStats
		meta CheckpointMeta
		want string // "" for no warning
	}{
		{"same scale", in(0.3), rec(0.25), ""},
		{"just inside", in(0.75), rec(0.25), ""},
		{"int16 against [-1, 1]", in(2160), rec(0.3), "are 7.2e+03 times those of the model's training data (rms 0.3)"},
		{"much smaller", in(0.01), rec(0.3), "are 1/30 of those"},
		{"zero input", AmplitudeStats{Traces: 3}, rec(0.3), "are zero, unlike those"},
		{"meanstd estimate", in(2160), norm(dataset.Normalizer{Method: "meanstd", Mean: 0, Std: 0.2}), "(rms 0.2)"},
		{"clip estimate", in(2160), norm(dataset.Normalizer{Method: "clip", Low: -0.516, High: 0.516}), "(rms 0.2)"},
		{"no reference", in(2160), norm(dataset.Normalizer{Method: "none"}), ""},
		{"no sample", AmplitudeStats{}, rec(0.3), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := amplitudeWarning("in.sgy", tc.in, tc.meta)
			if tc.want == "" {
				if got != "" {
					t.Fatalf("unexpected warning %q", got)
				}
				return
			}
			if !strings.Contains(got, tc.want) || !strings.HasPrefix(got, "warning: in.sgy: ") || !strings.HasSuffix(got, "rerun with --refit-norm to normalise the input with its own statistics") {
				t.Fatalf("warning %q lacks %q", got, tc.want)
			}
		})
	}
}

// TestPredictWarnsOnAmplitudes runs Predict on inputs of the training scale
// and of a scale 1000 times larger: only the second warns, and not with
// --refit-norm.
func TestPredictWarnsOnAmplitudes(t *testing.T) {
	dir := t.TempDir()
	ck := untrainedCheckpoint(t, filepath.Join(dir, "m.ckpt"))
	ck.Meta.Amplitude = &AmplitudeStats{RMS: 1 / math.Sqrt2, Traces: 30}
	cases := []struct {
		name  string
		scale float64
		refit bool
		warn  bool
	}{
		{"training scale", 1, false, false},
		{"1000 times", 1000, false, true},
		{"1000 times, refitted", 1000, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := filepath.Join(dir, "in.sgy")
			writeScaledCube(t, in, tc.scale)
			var log, progress bytes.Buffer
			res, err := Predict(context.Background(), ck, PredictOptions{Input: in, Output: filepath.Join(dir, "out.sgy"),
				Window: -1, RefitNorm: tc.refit, Log: &log, Progress: &progress})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(log.String(), "--refit-norm"); got != tc.warn || (len(res.Warnings) == 1) != tc.warn {
				t.Fatalf("warned %v (%q, %q), want %v", got, log.String(), res.Warnings, tc.warn)
			}
			if tc.warn && !strings.Contains(log.String(), "are 1e+03 times those") {
				t.Fatalf("warning %q", log.String())
			}
			if strings.Contains(progress.String(), "batch") || !strings.Contains(progress.String(), "sections/s") {
				t.Fatalf("progress bar %q: want a rate in sections/s", progress.String())
			}
		})
	}
}

// TestPredictWarnsOnF3Crop: the real F3 crop (int16-scale amplitudes, rms
// about 2160) against a model trained on amplitudes in [-1, 1].
func TestPredictWarnsOnF3Crop(t *testing.T) {
	input := testutil.SharedFile(t, "testdata/segy/f3.sgy")
	dir := t.TempDir()
	ck := untrainedCheckpoint(t, filepath.Join(dir, "m.ckpt"))
	var log bytes.Buffer
	res, err := Predict(context.Background(), ck, PredictOptions{Input: input, Output: filepath.Join(dir, "f.sgy"), Window: -1, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(log.String(), "times those of the model's training data (rms 1)") {
		t.Fatalf("no amplitude warning on f3.sgy: %q", log.String())
	}
}

// TestVolumeAmplitude: the statistics skip missing traces.
func TestVolumeAmplitude(t *testing.T) {
	v := dataset.NewVolume("v", 2, 3, 4, 0, 0, false)
	for i := range v.Seismic {
		v.Seismic[i] = 2
	}
	v.Missing = make([]bool, 6)
	v.Missing[4] = true
	for k := 0; k < 4; k++ {
		v.Seismic[v.Index(1, 1, k)] = 1000
	}
	a := VolumeAmplitude(v)
	if a.Traces != 5 || a.RMS != 2 || a.Mean != 2 {
		t.Fatalf("amplitude %+v, want 5 traces of rms 2", a)
	}
}
