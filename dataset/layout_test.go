package dataset

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeNPYSurvey writes every split of specs as npy seismic + labels under
// root/data and returns the volumes written.
func writeNPYSurvey(t *testing.T, root string, specs []SplitSpec, ns int) map[string]*Volume {
	t.Helper()
	out := map[string]*Volume{}
	for n, sp := range specs {
		v := testVolume(sp.NI, sp.NX, ns)
		v.Seismic[0] = float32(n) // tell the splits apart
		if err := WriteNPYFloat32(filepath.Join(root, "data", sp.SeismicFile), v.Seismic, []int{sp.NI, sp.NX, ns}); err != nil {
			t.Fatal(err)
		}
		if err := WriteNPYUint8(filepath.Join(root, "data", sp.LabelsFile), v.Labels, []int{sp.NI, sp.NX, ns}); err != nil {
			t.Fatal(err)
		}
		out[sp.Name] = v
	}
	return out
}

func TestLoadSurveyNPY(t *testing.T) {
	root := t.TempDir()
	specs := SynthSplits(SynthSize{NI: 10, NX: 14, NS: 32})
	want := writeNPYSurvey(t, root, specs, 12)
	if err := WriteManifest(filepath.Join(root, "data"), &Manifest{Name: "t", Samples: 12, Splits: specs}); err != nil {
		t.Fatal(err)
	}
	s, err := LoadSurvey(SurveyConfig{DataDir: root}) // the directory above data/ works too
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range specs {
		v := s.Volumes[sp.Name]
		if v == nil || !slices.Equal(v.Seismic, want[sp.Name].Seismic) || !slices.Equal(v.Labels, want[sp.Name].Labels) {
			t.Fatalf("split %s differs after round trip", sp.Name)
		}
		if v.Inlines[0] != sp.Inline0 || v.Crosslines[v.NX-1] != sp.Crossline0+sp.NX-1 {
			t.Fatalf("split %s coordinates %d..%d", sp.Name, v.Inlines[0], v.Crosslines[v.NX-1])
		}
		if err := v.Validate(); err != nil {
			t.Fatal(err)
		}
	}
	if s.Train().Inlines[0] != 300 || s.Test1().Inlines[0] != 295 || s.Test2().Crosslines[0] != 314 {
		t.Fatal("synthetic split geometry is not in Alaudah numbering")
	}
	if _, err := LoadSurvey(SurveyConfig{DataDir: root, Splits: []string{"tset1"}}); err == nil || !strings.Contains(err.Error(), "tset1") {
		t.Fatalf("want unknown-split error, got %v", err)
	}
}

func TestLoadSurveyErrors(t *testing.T) {
	root := t.TempDir()
	// F3 geometry without a manifest: a 10x14 train volume is the wrong shape.
	specs := AlaudahSplits()[:1]
	specs[0].NI, specs[0].NX = 10, 14
	writeNPYSurvey(t, root, specs, 12)
	_, err := LoadSurvey(SurveyConfig{DataDir: root, Splits: []string{"train"}})
	if err == nil || !strings.Contains(err.Error(), "401 inlines x 701 crosslines") || !strings.Contains(err.Error(), "train_labels.npy") {
		t.Fatalf("want shape error naming the file, got %v", err)
	}
	// Labels outside 0..5 are counted.
	lab := make([]uint8, 401*701*2)
	lab[5], lab[9], lab[11] = 6, 7, 255
	if err := WriteNPYUint8(filepath.Join(root, "data/train/train_labels.npy"), lab, []int{401, 701, 2}); err != nil {
		t.Fatal(err)
	}
	_, err = LoadSurvey(SurveyConfig{DataDir: root, Splits: []string{"train"}})
	if err == nil || !strings.Contains(err.Error(), "2 labels outside") {
		t.Fatalf("want 2 bad labels counted, got %v", err)
	}
	if _, err := LoadSurvey(SurveyConfig{DataDir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "fetch-data") {
		t.Fatalf("want hint to fetch-data, got %v", err)
	}
}
