package train

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/segloss/segloss/dataset"
)

// cutTrainSamples rewrites the training labels and labelled seismic of an
// Alaudah layout under root keeping samples [s0, s1) of every trace.
func cutTrainSamples(t *testing.T, root string, s0, s1 int) {
	t.Helper()
	lp := filepath.Join(root, "data", "train", "train_labels.npy")
	lab, shape, err := dataset.ReadNPYUint8(lp)
	if err != nil {
		t.Fatal(err)
	}
	sp := filepath.Join(root, "data", "train", "train_seismic.npy")
	seis, _, err := dataset.ReadNPYFloat32(sp)
	if err != nil {
		t.Fatal(err)
	}
	var l2 []uint8
	var s2 []float32
	for tr := 0; tr < shape[0]*shape[1]; tr++ {
		l2 = append(l2, lab[tr*shape[2]+s0:tr*shape[2]+s1]...)
		s2 = append(s2, seis[tr*shape[2]+s0:tr*shape[2]+s1]...)
	}
	out := []int{shape[0], shape[1], s1 - s0}
	if err := dataset.WriteNPYUint8(lp, l2, out); err != nil {
		t.Fatal(err)
	}
	if err := dataset.WriteNPYFloat32(sp, s2, out); err != nil {
		t.Fatal(err)
	}
}

// TestF3SeismicSource: the f3 source takes its seismic from data.segy_file,
// else from the SEG-Y registered by fetch-data, else from the npy files,
// passes the alignment settings on, and says where the seismic comes from,
// how the labels were aligned and what was cut off.
func TestF3SeismicSource(t *testing.T) {
	syn := t.TempDir()
	if _, err := dataset.WriteSynthetic(syn, dataset.SynthSize{NI: 6, NX: 8, NS: 24}, 2, nil); err != nil {
		t.Fatal(err)
	}
	sgy := filepath.Join(syn, dataset.SynthSEGYFile)
	// An F3-style data folder of labels 1..22 of the SEG-Y's 24 samples:
	// the Alaudah layout with a survey.json that only places the splits
	// (no SEG-Y, no sample count), since the F3 geometry is too big here.
	plain := t.TempDir()
	if err := os.CopyFS(plain, os.DirFS(syn)); err != nil {
		t.Fatal(err)
	}
	m, err := dataset.ReadManifest(plain)
	if err != nil {
		t.Fatal(err)
	}
	m.SEGYFile, m.Samples = "", 0
	if err := dataset.WriteManifest(plain, m); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(plain, dataset.SynthSEGYFile)); err != nil {
		t.Fatal(err)
	}
	cutTrainSamples(t, plain, 1, 23)
	registered := t.TempDir()
	if err := os.CopyFS(registered, os.DirFS(plain)); err != nil {
		t.Fatal(err)
	}
	if err := dataset.RegisterSEGY(registered, sgy); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		dir  string
		edit func(*Config)
		want []string
		err  string
	}{
		{"npy files", plain, func(*Config) {}, []string{"data: seismic and labels from the npy files in " + filepath.Join(plain, "data")}, ""},
		{"segy_file, offset searched", plain, func(c *Config) { c.Data.SEGYFile, c.Data.FindOffset = sgy, true }, []string{
			"data: seismic from SEG-Y " + sgy + " (data.segy_file), labels from " + plain,
			"data: alignment: label sample 0 = SEG-Y sample 1 (found by cross-correlation with the labelled seismic, correlation 1.000)",
			"warning: data: the 22 label samples cover SEG-Y samples 1-22, 4-88 ms of its 24: 1 samples above and 1 below are cut off and not used",
		}, ""},
		{"registered SEG-Y, no offset given", registered, func(*Config) {}, nil,
			"the train labels have 22 samples, " + sgy + " has 24, and survey.json gives no sample count: set the sample offset explicitly (or search it)"},
		{"registered SEG-Y", registered, func(c *Config) { c.Data.FindOffset = true }, []string{
			"data: seismic from SEG-Y " + sgy + " (registered in " + filepath.Join(registered, "segy.json") + ")",
			"label sample 0 = SEG-Y sample 1 (found by",
		}, ""},
		{"offset set", registered, func(c *Config) { c.Data.SampleOffset = 2 }, []string{
			"label sample 0 = SEG-Y sample 2 (set by data.sample_offset (--sample-offset))",
			"SEG-Y samples 2-23, 8-92 ms of its 24: 2 samples above and 0 below",
		}, ""},
		{"offset beyond the SEG-Y", registered, func(c *Config) { c.Data.SampleOffset = 3 }, nil, "22 label samples from SEG-Y sample 3 exceed its 24 samples"},
		// Above any correlation (config validation would refuse it): the
		// threshold reaches the search.
		{"poor match refused", registered, func(c *Config) { c.Data.FindOffset, c.Data.MinCorrelation = true, 1.01 }, nil, "correlates only"},
		{"wrong header bytes", registered, func(c *Config) { c.Data.FindOffset, c.Data.IlineByte, c.Data.XlineByte = true, 181, 185 }, nil, "check the inline/crossline header bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Data.Source, cfg.Data.Dir = "f3", tc.dir
			tc.edit(&cfg)
			var log bytes.Buffer
			vols, err := loadSurvey(cfg, []string{"train"}, &log)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(log.String(), w) {
					t.Errorf("log lacks %q:\n%s", w, log.String())
				}
			}
			want, _, err := dataset.ReadNPYFloat32(filepath.Join(tc.dir, "data", "train", "train_seismic.npy"))
			if err != nil || !slices.Equal(vols["train"].Seismic, want) && cfg.Data.SampleOffset < 0 {
				t.Fatalf("train seismic differs from the labelled seismic (%v)", err)
			}
		})
	}
}
