package train

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segloss/segloss/dataset"
	"github.com/segloss/segloss/segy"
)

// predictInMemory is the whole-cube prediction that Predict streams: read
// the cube, average the section probabilities over the directions with
// Inferer.Probabilities, take the argmax, write every placed trace and
// the probabilities at the end. Predict must reproduce its files byte for
// byte.
func predictInMemory(t *testing.T, ck *Checkpoint, opt PredictOptions) []int64 {
	t.Helper()
	f, g, v := openCube(t, opt.Input)
	ni, nx, ns := v.NI, v.NX, v.NS
	norm := ck.Meta.Norm
	var err error
	if opt.RefitNorm {
		if norm, err = dataset.FitNormalizer(v, norm.Method); err != nil {
			t.Fatal(err)
		}
	}
	k := ck.Model.Config().Classes
	in := Inferer{Predict: ck.Model.Predict, Classes: k, Window: opt.Window, Stride: opt.Stride, Batch: opt.Batch, Norm: norm}
	var dirs []dataset.Direction
	if opt.Directions == "inline" {
		dirs = []dataset.Direction{dataset.InlineDir}
	}
	prob, err := in.Probabilities(context.Background(), v, nil, dirs...)
	if err != nil {
		t.Fatal(err)
	}
	cls := make([]float32, len(prob))
	n := len(prob) / k
	for i := 0; i < n; i++ {
		for c := 0; c < k; c++ {
			cls[c*n+i] = prob[i*k+c]
		}
	}
	facies := Argmax(cls, k)
	counts := make([]int64, k)
	w, err := segy.Create(opt.Output, segy.WriterOptions{Samples: ns, Interval: f.Interval(),
		Format: segy.FormatIEEE, Text: predictText(opt.Input, ck), Binary: ptr(f.BinaryHeader())})
	if err != nil {
		t.Fatal(err)
	}
	cellOf := make([]int, f.NumTraces())
	for i := range cellOf {
		cellOf[i] = -1
	}
	for a, il := range g.Inlines {
		for b, xl := range g.Crosslines {
			if tr, ok := g.Trace(il, xl); ok {
				cellOf[tr] = a*nx + b
			}
		}
	}
	trace := make([]float32, ns)
	for tr, cell := range cellOf {
		if cell < 0 {
			continue
		}
		h, err := f.TraceHeader(tr)
		if err != nil {
			t.Fatal(err)
		}
		for s := range trace {
			trace[s] = float32(facies[cell*ns+s])
			counts[facies[cell*ns+s]]++
		}
		if err := w.WriteTrace(h, trace); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := dataset.WriteNPYFloat32(opt.Probabilities, prob, []int{ni, nx, ns, k}); err != nil {
		t.Fatal(err)
	}
	return counts
}

// openCube opens the SEG-Y at path (closed when the test ends) and reads
// its whole cube, holes as zeros, into a volume named path.
func openCube(t *testing.T, path string) (*segy.File, *segy.Geometry, *dataset.Volume) {
	t.Helper()
	f, err := segy.Open(path, segy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	g, err := f.Geometry()
	if err != nil {
		t.Fatal(err)
	}
	cube, err := f.ReadCube()
	if err != nil {
		t.Fatal(err)
	}
	return f, g, &dataset.Volume{Name: path, NI: len(g.Inlines), NX: len(g.Crosslines), NS: f.NumSamples(),
		Inlines: g.Inlines, Crosslines: g.Crosslines, Seismic: cube}
}

// writeSurvey writes a random post-stack survey of ni x nx traces of ns
// samples, sorted by inline or by crossline, without the traces where hole
// says so; amplitudes are of the order of 1000, so that a refitted
// normalisation matters.
func writeSurvey(t *testing.T, path string, ni, nx, ns int, byCrossline bool, hole func(i, j int) bool) {
	t.Helper()
	w, err := segy.Create(path, segy.WriterOptions{Samples: ns, Interval: 4000})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(uint64(ni), uint64(nx*ns)))
	data := make([]float32, ns)
	put := func(i, j int) {
		if hole != nil && hole(i, j) {
			return
		}
		for s := range data {
			data[s] = float32(1000 * (rng.Float64()*2 - 1 + float64((s/5)%3)))
		}
		h := segy.TraceHeader{Inline: 100 + 2*i, Crossline: 300 + j, CDPX: 1000 * i, CDPY: 500 * j, CoordScalar: -10, DelayTime: 8}
		if err := w.WriteTrace(h, data); err != nil {
			t.Fatal(err)
		}
	}
	if byCrossline {
		for j := 0; j < nx; j++ {
			for i := 0; i < ni; i++ {
				put(i, j)
			}
		}
	} else {
		for i := 0; i < ni; i++ {
			for j := 0; j < nx; j++ {
				put(i, j)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestStreamingPredictMatchesInMemory checks that the streaming Predict
// writes the very bytes of the whole-cube prediction, whatever the block
// size, direction mode, window, trace order, holes and normalisation.
func TestStreamingPredictMatchesInMemory(t *testing.T) {
	dir := t.TempDir()
	ck := untrainedCheckpoint(t, filepath.Join(dir, "m.ckpt"))
	diagonalHoles := func(i, j int) bool { return (i+2*j)%7 == 3 }
	surveys := []struct {
		name        string
		ni, nx, ns  int
		byCrossline bool
		hole        func(i, j int) bool
	}{
		{"inline-sorted", 7, 9, 24, false, nil},
		{"inline-sorted-holes", 7, 9, 24, false, diagonalHoles},
		{"crossline-sorted-holes", 6, 8, 20, true, diagonalHoles},
		{"one-inline", 1, 9, 16, false, nil},
		{"one-crossline", 9, 1, 16, false, nil},
	}
	cases := []struct {
		dirs           string
		window, stride int
		block          int
		refit          string // "", or the method refitted on the input
	}{
		{"both", 0, 0, 1, "meanstd"},
		{"both", 0, 0, 3, "clip"},
		{"both", 8, 4, 4, "meanstd"},
		{"both", 8, 4, 100, ""},
		{"inline", 0, 0, 2, "meanstd"},
		{"inline", 6, 3, 5, "clip"},
	}
	for _, sv := range surveys {
		input := filepath.Join(dir, sv.name+".sgy")
		writeSurvey(t, input, sv.ni, sv.nx, sv.ns, sv.byCrossline, sv.hole)
		for _, tc := range cases {
			name := fmt.Sprintf("%s/%s-w%d-b%d-%s", sv.name, tc.dirs, tc.window, tc.block, tc.refit)
			t.Run(name, func(t *testing.T) {
				c := *ck
				c.Meta.Norm = dataset.Normalizer{Method: "meanstd", Mean: 0, Std: 1}
				if tc.refit != "" {
					c.Meta.Norm.Method = tc.refit
				}
				sub := t.TempDir()
				ref := PredictOptions{Input: input, Output: filepath.Join(sub, "ref.sgy"), Probabilities: filepath.Join(sub, "ref.npy"),
					Window: tc.window, Stride: tc.stride, Batch: 3, Directions: tc.dirs, RefitNorm: tc.refit != ""}
				counts := predictInMemory(t, &c, ref)
				opt := ref
				opt.Output, opt.Probabilities, opt.Block = filepath.Join(sub, "out.sgy"), filepath.Join(sub, "out.npy"), tc.block
				res, err := Predict(context.Background(), &c, opt)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(mustRead(t, opt.Output), mustRead(t, ref.Output)) {
					t.Error("facies SEG-Y differs from the in-memory prediction's")
				}
				if !bytes.Equal(mustRead(t, opt.Probabilities), mustRead(t, ref.Probabilities)) {
					t.Error("probabilities npy differs from the in-memory prediction's")
				}
				if fmt.Sprint(res.Counts) != fmt.Sprint(counts) {
					t.Errorf("class counts %v, in memory %v", res.Counts, counts)
				}
				checkFacies(t, input, opt.Output, res)
				left, err := filepath.Glob(filepath.Join(sub, ".*"))
				if err != nil || len(left) != 0 {
					t.Errorf("temporary files left behind: %v %v", left, err)
				}
			})
		}
	}
}

// TestFitNormMatchesFitNormalizer checks the streamed normalisation fit
// against dataset.FitNormalizer on the whole cube, bit for bit.
func TestFitNormMatchesFitNormalizer(t *testing.T) {
	dir := t.TempDir()
	input := filepath.Join(dir, "s.sgy")
	writeSurvey(t, input, 5, 7, 30, false, func(i, j int) bool { return i == 2 && j == 3 })
	f, g, v := openCube(t, input)
	if v.NI != 5 || v.NX != 7 || v.NS != 30 {
		t.Fatalf("survey %dx%dx%d, want 5x7x30", v.NI, v.NX, v.NS)
	}
	for _, method := range []string{"none", "meanstd", "clip"} {
		want, err := dataset.FitNormalizer(v, method)
		if err != nil {
			t.Fatal(err)
		}
		for _, block := range []int{1, 2, 5} {
			p := &predictor{f: f, g: g, ni: 5, nx: 7, ns: 30, block: block}
			got, err := p.fitNorm(input, method)
			if err != nil || got != want {
				t.Errorf("%s, block %d: %+v (%v), want %+v", method, block, got, err, want)
			}
		}
	}
	p := &predictor{f: f, g: g, ni: 5, nx: 7, ns: 30, block: 2}
	if _, err := p.fitNorm(input, "zscore"); err == nil || !strings.Contains(err.Error(), "zscore") {
		t.Errorf("unknown method: %v", err)
	}
}

func TestPredictOptionErrors(t *testing.T) {
	dir := t.TempDir()
	ck := untrainedCheckpoint(t, filepath.Join(dir, "m.ckpt"))
	input := filepath.Join(dir, "s.sgy")
	writeSurvey(t, input, 3, 4, 16, false, nil)
	out := filepath.Join(dir, "o.sgy")
	for _, tc := range []struct {
		opt  PredictOptions
		want string
	}{
		{PredictOptions{Directions: "diagonal"}, `directions "diagonal"`},
		{PredictOptions{Block: -2}, "block of -2 inlines"},
	} {
		tc.opt.Input, tc.opt.Output = input, out
		if _, err := Predict(context.Background(), ck, tc.opt); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.opt, err, tc.want)
		}
	}
	// A cancelled prediction leaves no output and no temporary file.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Predict(ctx, ck, PredictOptions{Input: input, Output: out, Probabilities: filepath.Join(dir, "p.npy"), Window: -1}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled prediction returned %v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "m.ckpt" && e.Name() != "s.sgy" {
			t.Errorf("cancelled prediction left %s", e.Name())
		}
	}
}
