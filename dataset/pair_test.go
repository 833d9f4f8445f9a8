package dataset

import (
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/segloss/segloss/internal/testutil"
	"github.com/segloss/segloss/segy"
)

// writeSplitLabels writes an Alaudah-layout labels file for split sp with
// ns samples, labels (k % 6).
func writeSplitLabels(t *testing.T, root string, sp SplitSpec, ns int) {
	t.Helper()
	lab := make([]uint8, sp.NI*sp.NX*ns)
	for i := range lab {
		lab[i] = uint8(i % ns % NumClasses)
	}
	if err := WriteNPYUint8(filepath.Join(root, sp.LabelsFile), lab, []int{sp.NI, sp.NX, ns}); err != nil {
		t.Fatal(err)
	}
}

// TestPairF3Crop places the test1 labels in the real F3 crop
// (inlines 111-133, crosslines 875-892 = test1[11:34, 575:593]).
func TestPairF3Crop(t *testing.T) {
	sgy := testutil.SharedFile(t, "testdata/segy/f3.sgy")
	root := t.TempDir()
	sp := AlaudahSplits()[1]
	writeSplitLabels(t, root, sp, 75)
	off := 0
	s, err := LoadSurvey(SurveyConfig{DataDir: root, SEGYFile: sgy, SampleOffset: &off, Splits: []string{"test1"}})
	if err != nil {
		t.Fatal(err)
	}
	v := s.Test1()
	f, err := segy.Open(sgy, segy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g, _ := f.Geometry()
	live := 0
	for _, m := range v.Missing {
		if !m {
			live++
		}
	}
	if live != 23*18 {
		t.Fatalf("%d live traces, want %d", live, 23*18)
	}
	tr, _ := g.Trace(120, 880)
	want := make([]float32, f.NumSamples())
	if err := f.ReadTrace(tr, want); err != nil {
		t.Fatal(err)
	}
	i, j := 120-100, 880-300
	for k := 0; k < v.NS; k++ {
		if v.Seismic[v.Index(i, j, k)] != want[k] {
			t.Fatalf("sample %d: %g want %g", k, v.Seismic[v.Index(i, j, k)], want[k])
		}
	}
	if v.Missing[0] != true || v.Labels[0] != Ignore || v.Labels[v.Index(i, j, 3)] != 3 {
		t.Fatal("missing traces must carry Ignore labels, live ones their labels")
	}
	if v.T0 != 4 || v.DT != 4 {
		t.Fatalf("T0 %g DT %g, want 4 and 4 ms", v.T0, v.DT)
	}
	// 76 label samples do not fit 75 SEG-Y samples.
	writeSplitLabels(t, root, sp, 76)
	if _, err := LoadSurvey(SurveyConfig{DataDir: root, SEGYFile: sgy, SampleOffset: &off, Splits: []string{"test1"}}); err == nil || !strings.Contains(err.Error(), "exceed") {
		t.Fatalf("want sample-range error, got %v", err)
	}
	// Wrong header bytes: no trace of the split is found.
	writeSplitLabels(t, root, sp, 75)
	if _, err := LoadSurvey(SurveyConfig{DataDir: root, SEGYFile: sgy, SampleOffset: &off, IlineByte: 193, XlineByte: 189, Splits: []string{"test1"}}); err == nil || !strings.Contains(err.Error(), "header bytes") {
		t.Fatalf("want header-byte hint, got %v", err)
	}
}

// TestFindAlignmentF3 cuts a labelled-seismic stand-in out of the F3 crop
// at a known vertical offset and finds it again.
func TestFindAlignmentF3(t *testing.T) {
	sgy := testutil.SharedFile(t, "testdata/segy/f3.sgy")
	src, closeFn, err := openSEGY(sgy, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer closeFn()
	for _, off := range []int{0, 7, 20} {
		ref := NewVolume("train", 23, 18, 50, 111, 875, false)
		for i := 0; i < ref.NI; i++ {
			for j := 0; j < ref.NX; j++ {
				tr, ok := src.Trace(111+i, 875+j)
				if !ok {
					t.Fatal("crop has a hole")
				}
				copy(ref.Seismic[ref.Index(i, j, 0):], tr[off:off+50])
			}
		}
		got, corr, err := FindAlignment(ref, src)
		if err != nil {
			t.Fatal(err)
		}
		if got != off || math.Abs(corr-1) > 1e-6 {
			t.Fatalf("offset %d: found %d with correlation %g", off, got, corr)
		}
	}
}

// TestAlignmentRefusesPoorMatch: labelled seismic unrelated to the SEG-Y
// must stop loading unless AllowPoorMatch.
func TestAlignmentRefusesPoorMatch(t *testing.T) {
	sgy := testutil.SharedFile(t, "testdata/segy/f3.sgy")
	root := t.TempDir()
	sp := SplitSpec{"train", "train/train_seismic.npy", "train/train_labels.npy", 111, 875, 23, 18}
	writeSplitLabels(t, root, sp, 40)
	noise := make([]float32, 23*18*40)
	for i := range noise {
		noise[i] = float32(math.Sin(float64(i) * 1.7))
	}
	if err := WriteNPYFloat32(filepath.Join(root, sp.SeismicFile), noise, []int{23, 18, 40}); err != nil {
		t.Fatal(err)
	}
	if err := WriteManifest(root, &Manifest{Name: "t", Samples: 40, Splits: []SplitSpec{sp}}); err != nil {
		t.Fatal(err)
	}
	cfg := SurveyConfig{DataDir: root, SEGYFile: sgy, FindOffset: true}
	if _, err := LoadSurvey(cfg); err == nil || !strings.Contains(err.Error(), "correlates only") {
		t.Fatalf("want poor-match refusal, got %v", err)
	}
	cfg.AllowPoorMatch = true
	s, err := LoadSurvey(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Alignment.Searched || s.Alignment.Correlation > 0.5 {
		t.Fatalf("alignment %+v", s.Alignment)
	}
}

// cutSamples rewrites the npy volume at path keeping samples [s0, s1) of
// every trace.
func cutSamples(t *testing.T, path string, s0, s1 int, labels bool) {
	t.Helper()
	var shape []int
	var err error
	if labels {
		var d []uint8
		if d, shape, err = ReadNPYUint8(path); err == nil {
			out := make([]uint8, 0, shape[0]*shape[1]*(s1-s0))
			for tr := 0; tr < shape[0]*shape[1]; tr++ {
				out = append(out, d[tr*shape[2]+s0:tr*shape[2]+s1]...)
			}
			err = WriteNPYUint8(path, out, []int{shape[0], shape[1], s1 - s0})
		}
	} else {
		var d []float32
		if d, shape, err = ReadNPYFloat32(path); err == nil {
			out := make([]float32, 0, shape[0]*shape[1]*(s1-s0))
			for tr := 0; tr < shape[0]*shape[1]; tr++ {
				out = append(out, d[tr*shape[2]+s0:tr*shape[2]+s1]...)
			}
			err = WriteNPYFloat32(path, out, []int{shape[0], shape[1], s1 - s0})
		}
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestSampleCountMismatch: labels shorter than the SEG-Y they are paired
// with are refused when only survey.json places them, and accepted with
// the unused SEG-Y samples reported when the offset is set or searched.
func TestSampleCountMismatch(t *testing.T) {
	dir := t.TempDir()
	size := SynthSize{NI: 6, NX: 8, NS: 24}
	if _, err := WriteSynthetic(dir, size, 2, nil); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data", "train")
	// Labels and labelled seismic of SEG-Y samples 1..22 (22 of 24).
	cutSamples(t, filepath.Join(data, "train_labels.npy"), 1, 23, true)
	cutSamples(t, filepath.Join(data, "train_seismic.npy"), 1, 23, false)
	one := 1
	cases := []struct {
		name         string
		cfg          SurveyConfig
		manifestNS   int
		wantErr      string
		wantOff      int
		wantSource   string
		above, below int
	}{
		{"survey.json's count differs", SurveyConfig{}, 24, "have 22 samples but survey.json places 24", 0, "", 0, 0},
		{"survey.json without a count", SurveyConfig{}, 0, "gives no sample count", 0, "", 0, 0},
		{"offset set in the config", SurveyConfig{SampleOffset: &one}, 24, "", 1, "config", 1, 1},
		{"offset searched", SurveyConfig{FindOffset: true}, 24, "", 1, "search", 1, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ReadManifest(dir)
			if err != nil {
				t.Fatal(err)
			}
			m.Samples = tc.manifestNS
			if err := WriteManifest(dir, m); err != nil {
				t.Fatal(err)
			}
			cfg := tc.cfg
			cfg.DataDir, cfg.Splits = dir, []string{"train"}
			s, err := LoadSurvey(cfg)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			al := s.Alignment
			above, below := al.Unused()
			if al.Offset != tc.wantOff || al.Source != tc.wantSource || al.Samples != 22 || al.SEGYSamples != 24 ||
				above != tc.above || below != tc.below {
				t.Fatalf("alignment %+v, unused %d above %d below", al, above, below)
			}
			if tc.wantSource == "search" && !(al.Correlation > 0.999) {
				t.Fatalf("searched correlation %g", al.Correlation)
			}
			ref, _, err := ReadNPYFloat32(filepath.Join(data, "train_seismic.npy"))
			if err != nil || !slices.Equal(s.Train().Seismic, ref) {
				t.Fatal("seismic read from the SEG-Y differs from the cut labelled seismic")
			}
		})
	}
}
