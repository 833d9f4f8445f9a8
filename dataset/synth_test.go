package dataset

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/segloss/segloss/segy"
)

func TestParseSynthSize(t *testing.T) {
	cases := []struct {
		in   string
		want SynthSize
		ok   bool
	}{
		{"small", DefaultSynthSize, true},
		{"alaudah", SynthSize{401, 701, 255}, true},
		{"40x50x64", SynthSize{40, 50, 64}, true},
		{"40x50", SynthSize{}, false},
		{"40x50x16", SynthSize{}, false},
		{"4x50x64", SynthSize{}, false},
		{"ax50x64", SynthSize{}, false},
	}
	for _, c := range cases {
		got, err := ParseSynthSize(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseSynthSize(%q) = %v, %v", c.in, got, err)
		}
	}
	sp := SynthSplits(AlaudahSynthSize)
	if sp[1].NI != 200 || sp[1].Inline0 != 100 || sp[2].NI != 601 || sp[2].NX != 200 || sp[2].Crossline0 != 1001 {
		t.Fatalf("alaudah-size splits %+v differ from F3", sp)
	}
}

// TestSynthSurvey checks the F3-like properties of the earth model.
func TestSynthSurvey(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		v := SynthSurvey(SynthSize{40, 48, 96}, seed, nil)
		f := ClassFrequencies(ClassCounts(v))
		// Lower North Sea dominates, Upper North Sea second; Scruff and
		// Zechstein are thin minorities, as in F3 (48.6, 28.1, 3.3, 1.5 %).
		if f[2] < 0.35 || f[0] < 0.2 || f[0] > 0.4 || f[1] < 0.06 || f[3] < 0.03 || f[3] > 0.1 {
			t.Errorf("seed %d: class fractions %.3f", seed, f)
		}
		for _, c := range []int{4, 5} {
			if f[c] < 0.005 || f[c] > 0.09 {
				t.Errorf("seed %d: minority class %d fraction %.3f", seed, c, f[c])
			}
		}
		var peak float32
		for _, a := range v.Seismic {
			peak = max(peak, a, -a)
		}
		if peak != 1 {
			t.Errorf("seed %d: peak amplitude %g, want 1", seed, peak)
		}
		// Units are ordered top to bottom in every trace.
		for tr := 0; tr < v.NI*v.NX; tr++ {
			l := v.Labels[tr*v.NS : (tr+1)*v.NS]
			if !slices.IsSorted(l) {
				t.Fatalf("seed %d trace %d: units out of order %v", seed, tr, l)
			}
		}
	}
	a := SynthSurvey(SynthSize{20, 20, 40}, 5, nil)
	b := SynthSurvey(SynthSize{20, 20, 40}, 5, nil)
	c := SynthSurvey(SynthSize{20, 20, 40}, 6, nil)
	if !slices.Equal(a.Seismic, b.Seismic) || slices.Equal(a.Seismic, c.Seismic) {
		t.Fatal("synthetic survey is not a function of the seed")
	}
}

// TestEnsureSyntheticRoundTrip writes a synthetic survey, reads it back
// through segy and the npy reader, loads it through the SEG-Y path and
// checks the cache.
func TestEnsureSyntheticRoundTrip(t *testing.T) {
	size := SynthSize{24, 30, 40}
	dir := filepath.Join(t.TempDir(), "syn")
	calls := 0
	got, err := EnsureSynthetic(dir, size, 3, func(done, total int) { calls++ })
	if err != nil {
		t.Fatal(err)
	}
	if got != dir || calls != 36 {
		t.Fatalf("dir %s, %d progress calls, want 36", got, calls)
	}
	f, err := segy.Open(filepath.Join(dir, SynthSEGYFile), segy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := f.Geometry()
	if err != nil {
		t.Fatal(err)
	}
	if g.Inlines[0] != 288 || len(g.Inlines) != 36 || g.Crosslines[0] != 300 || len(g.Crosslines) != 39 || f.NumSamples() != 40 || f.Interval() != 4000 {
		t.Fatalf("SEG-Y geometry IL %d+%d XL %d+%d, %d samples at %d us", g.Inlines[0], len(g.Inlines), g.Crosslines[0], len(g.Crosslines), f.NumSamples(), f.Interval())
	}
	cube, err := f.ReadCube()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	seis, shape, err := ReadNPYFloat32(filepath.Join(dir, "data/train/train_seismic.npy"))
	if err != nil || !slices.Equal(shape, []int{24, 30, 40}) {
		t.Fatalf("train seismic %v %v", shape, err)
	}
	// train[0,0,:] is SEG-Y inline 300 = index 12, crossline 300 = index 0.
	if !slices.Equal(seis[:40], cube[(12*39)*40:(12*39)*40+40]) {
		t.Fatal("train_seismic.npy differs from the SEG-Y at IL 300 XL 300")
	}
	s, err := LoadSurvey(SurveyConfig{DataDir: dir, FindOffset: true})
	if err != nil {
		t.Fatal(err)
	}
	if s.Alignment == nil || s.Alignment.Offset != 0 || s.Alignment.Correlation < 0.999 {
		t.Fatalf("alignment %+v", s.Alignment)
	}
	if !slices.Equal(s.Train().Seismic, seis) || s.Test2().NX != 9 || s.Test1().NI != 12 || s.Train().DT != 4 {
		t.Fatal("SEG-Y path differs from the npy files")
	}
	labels, _, err := ReadNPYUint8(filepath.Join(dir, "data/test_once/test2_labels.npy"))
	if err != nil || !slices.Equal(labels, s.Test2().Labels) {
		t.Fatal("test2 labels")
	}
	// Cached: nothing regenerated.
	st, _ := os.Stat(filepath.Join(dir, SynthSEGYFile))
	calls = 0
	if _, err := EnsureSynthetic(dir, size, 3, func(int, int) { calls++ }); err != nil || calls != 0 {
		t.Fatalf("complete survey regenerated (%d calls, %v)", calls, err)
	}
	// Incomplete: regenerated.
	if err := os.Truncate(filepath.Join(dir, "data/test_once/test1_labels.npy"), 10); err != nil {
		t.Fatal(err)
	}
	if SyntheticComplete(dir, size, 3) {
		t.Fatal("truncated survey reported complete")
	}
	if _, err := EnsureSynthetic(dir, size, 3, func(int, int) { calls++ }); err != nil || calls == 0 || !SyntheticComplete(dir, size, 3) {
		t.Fatalf("incomplete survey not regenerated (%d calls, %v)", calls, err)
	}
	if st2, _ := os.Stat(filepath.Join(dir, SynthSEGYFile)); st2.Size() != st.Size() {
		t.Fatal("regenerated survey differs in size")
	}
}

func BenchmarkSynthSurveyDefault(b *testing.B) {
	for b.Loop() {
		SynthSurvey(DefaultSynthSize, 1, nil)
	}
}
