package dataset

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// SplitSpec places one split of a survey: its files (relative to the data
// directory) and the survey numbers of its first inline and crossline.
type SplitSpec struct {
	// Name is "train", "test1" or "test2".
	Name string `json:"name"`
	// SeismicFile and LabelsFile are .npy paths relative to the data dir.
	SeismicFile string `json:"seismic_file"`
	LabelsFile  string `json:"labels_file"`
	// Inline0 and Crossline0 are the survey numbers of array index 0.
	Inline0    int `json:"inline0"`
	Crossline0 int `json:"crossline0"`
	// NI and NX are the expected numbers of inlines and crosslines.
	NI int `json:"inlines"`
	NX int `json:"crosslines"`
}

// SplitNames are the splits of the Alaudah benchmark in order.
var SplitNames = []string{"train", "test1", "test2"}

// AlaudahSplits returns the F3 split geometry of the Alaudah release
// (F3_DATA.md section 1): train IL 300-700 x XL 300-1000, test1 IL 100-299 x
// XL 300-1000, test2 IL 100-700 x XL 1001-1200.
func AlaudahSplits() []SplitSpec {
	return []SplitSpec{
		{"train", "train/train_seismic.npy", "train/train_labels.npy", 300, 300, 401, 701},
		{"test1", "test_once/test1_seismic.npy", "test_once/test1_labels.npy", 100, 300, 200, 701},
		{"test2", "test_once/test2_seismic.npy", "test_once/test2_labels.npy", 100, 1001, 601, 200},
	}
}

// ManifestFile is the name of the optional survey description in a data
// directory (written by `segloss synth`).
const ManifestFile = "survey.json"

// Manifest describes a survey that does not follow the F3 geometry, such as
// a synthetic one: where its SEG-Y is, how label samples map to SEG-Y
// samples, and where each split lies.
type Manifest struct {
	// Name labels the survey ("synthetic").
	Name string `json:"name"`
	// Size and Seed record how a synthetic survey was made.
	Size string `json:"size,omitempty"`
	Seed uint64 `json:"seed,omitempty"`
	// SEGYFile is the seismic, relative to the data directory.
	SEGYFile string `json:"segy_file,omitempty"`
	// IlineByte and XlineByte locate inline/crossline in the trace header.
	IlineByte int `json:"iline_byte,omitempty"`
	XlineByte int `json:"xline_byte,omitempty"`
	// SampleOffset is the SEG-Y sample of label sample 0; Samples the count.
	SampleOffset int `json:"sample_offset"`
	Samples      int `json:"samples"`
	// Splits place the label files in survey coordinates.
	Splits []SplitSpec `json:"splits"`
}

// ReadManifest reads dir/survey.json; it returns (nil, nil) when absent.
func ReadManifest(dir string) (*Manifest, error) {
	p := filepath.Join(dir, ManifestFile)
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %v", p, err)
	}
	if len(m.Splits) == 0 {
		return nil, fmt.Errorf("%s: no splits", p)
	}
	return &m, nil
}

// WriteManifest writes dir/survey.json atomically.
func WriteManifest(dir string, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, ManifestFile), func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}

// SurveyConfig says where a survey's data lie. The zero value of every
// field but DataDir is a sensible default.
type SurveyConfig struct {
	// DataDir holds train/ and test_once/ (a directory holding data/train/
	// is accepted too), and survey.json for non-F3 surveys.
	DataDir string
	// SEGYFile, when set (or named by survey.json), supplies the seismic;
	// the *_seismic.npy files are then only used to find the alignment.
	SEGYFile string
	// IlineByte and XlineByte are the trace-header bytes (0: 189 and 193).
	IlineByte, XlineByte int
	// SampleOffset is the SEG-Y sample of label sample 0; nil: take
	// survey.json's, else find it by cross-correlation against
	// train_seismic.npy.
	SampleOffset *int
	// FindOffset forces the cross-correlation search even when survey.json
	// gives an offset.
	FindOffset bool
	// MinCorrelation is the weakest acceptable alignment (0: 0.8).
	MinCorrelation float64
	// AllowPoorMatch loads a survey whose alignment is below MinCorrelation.
	AllowPoorMatch bool
	// Splits lists the splits to load (nil: all, i.e. train, test1, test2).
	Splits []string
}

// Survey is a loaded survey: one volume per split.
type Survey struct {
	// Dir is the resolved data directory.
	Dir string
	// Volumes maps split name to volume.
	Volumes map[string]*Volume
	// Alignment reports how labels were placed in the SEG-Y (nil for npy).
	Alignment *Alignment
	// Manifest is the survey.json, when there is one.
	Manifest *Manifest
}

// Alignment reports the vertical placement of the labels in a SEG-Y.
type Alignment struct {
	// Offset is the SEG-Y sample index of label sample 0.
	Offset int
	// Correlation is the mean normalised cross-correlation at Offset between
	// the labelled seismic and the SEG-Y (NaN when not measured).
	Correlation float64
	// Searched is true when Offset was found by cross-correlation.
	Searched bool
	// Source says where Offset came from: "config" (SurveyConfig), "survey.json"
	// or "search" (cross-correlation).
	Source string
	// SEGYFile is the SEG-Y the seismic was read from.
	SEGYFile string
	// Samples is the number of label samples; SEGYSamples that of the
	// SEG-Y traces. SEG-Y samples outside [Offset, Offset+Samples) are not
	// used.
	Samples, SEGYSamples int
}

// Unused returns how many SEG-Y samples lie above and below the labelled
// range [Offset, Offset+Samples) and are therefore not used.
func (a *Alignment) Unused() (above, below int) {
	return a.Offset, max(0, a.SEGYSamples-a.Offset-a.Samples)
}

// Train, Test1 and Test2 return the named volumes (nil when not loaded).
func (s *Survey) Train() *Volume { return s.Volumes["train"] }

// Test1 returns the test1 volume (nil when not loaded).
func (s *Survey) Test1() *Volume { return s.Volumes["test1"] }

// Test2 returns the test2 volume (nil when not loaded).
func (s *Survey) Test2() *Volume { return s.Volumes["test2"] }

// resolveDataDir accepts either the directory holding train/ (or
// test_once/, or survey.json) or one holding data/train/.
func resolveDataDir(dir string) (string, error) {
	if dir == "" {
		return "", errors.New("survey: no data directory given")
	}
	for _, d := range []string{dir, filepath.Join(dir, "data")} {
		for _, sub := range []string{"train", "test_once"} {
			if _, err := os.Stat(filepath.Join(d, sub)); err == nil {
				return d, nil
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ManifestFile)); err == nil {
		return dir, nil
	}
	return "", fmt.Errorf("survey %s: no train/ or test_once/ directory (nor data/train/): run `segloss fetch-data --dest %s` or `segloss synth --out %s`", dir, dir, dir)
}

// LoadSurvey loads the splits named in cfg from the Alaudah npy layout, or
// pairs SEG-Y seismic with npy labels when a SEG-Y is configured.
func LoadSurvey(cfg SurveyConfig) (*Survey, error) {
	root, err := resolveDataDir(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	s := &Survey{Dir: root, Volumes: map[string]*Volume{}}
	// survey.json may sit in the data dir or in the directory above data/.
	for _, d := range []string{root, filepath.Dir(root)} {
		if s.Manifest, err = ReadManifest(d); err != nil {
			return nil, err
		}
		if s.Manifest != nil {
			if s.Manifest.SEGYFile != "" && !filepath.IsAbs(s.Manifest.SEGYFile) {
				s.Manifest.SEGYFile = filepath.Join(d, s.Manifest.SEGYFile)
			}
			break
		}
	}
	specs := AlaudahSplits()
	if s.Manifest != nil {
		specs = s.Manifest.Splits
	}
	var have []string
	for _, sp := range specs {
		have = append(have, sp.Name)
	}
	want := cfg.Splits
	if want == nil {
		want = have
	}
	for _, w := range want {
		if !slices.Contains(have, w) {
			return nil, fmt.Errorf("survey %s: unknown split %q (have %v)", root, w, have)
		}
	}
	segyPath := cfg.SEGYFile
	if segyPath == "" && s.Manifest != nil {
		segyPath = s.Manifest.SEGYFile
	}
	if segyPath != "" {
		if err := s.loadWithSEGY(cfg, segyPath, specs, want); err != nil {
			return nil, err
		}
		return s, nil
	}
	for _, sp := range specs {
		if !slices.Contains(want, sp.Name) {
			continue
		}
		v, err := loadNPYSplit(root, sp, true)
		if err != nil {
			return nil, err
		}
		s.Volumes[sp.Name] = v
	}
	return s, nil
}

// loadNPYSplit reads the labels (and, when withSeismic, the seismic) of one
// split and checks shapes and label values.
func loadNPYSplit(root string, sp SplitSpec, withSeismic bool) (*Volume, error) {
	lp := filepath.Join(root, sp.LabelsFile)
	labels, lshape, err := ReadNPYUint8(lp)
	if err != nil {
		return nil, err
	}
	if err := checkSplitShape(lp, lshape, sp); err != nil {
		return nil, err
	}
	v := &Volume{Name: sp.Name, NI: lshape[0], NX: lshape[1], NS: lshape[2],
		Inlines: seq(sp.Inline0, lshape[0]), Crosslines: seq(sp.Crossline0, lshape[1]), Labels: labels}
	if err := CheckLabels(lp, labels); err != nil {
		return nil, err
	}
	if withSeismic {
		sp2 := filepath.Join(root, sp.SeismicFile)
		seis, sshape, err := ReadNPYFloat32(sp2)
		if err != nil {
			return nil, err
		}
		if !slices.Equal(sshape, lshape) {
			return nil, fmt.Errorf("%s: shape %v differs from labels %s %v", sp2, sshape, lp, lshape)
		}
		v.Seismic = seis
	}
	return v, nil
}

func checkSplitShape(path string, shape []int, sp SplitSpec) error {
	if len(shape) != 3 {
		return fmt.Errorf("%s: shape %v: want 3 axes (inline, crossline, depth)", path, shape)
	}
	if (sp.NI > 0 && shape[0] != sp.NI) || (sp.NX > 0 && shape[1] != sp.NX) {
		return fmt.Errorf("%s: shape %v: split %s wants %d inlines x %d crosslines", path, shape, sp.Name, sp.NI, sp.NX)
	}
	if shape[2] == 0 {
		return fmt.Errorf("%s: shape %v: no samples", path, shape)
	}
	return nil
}
