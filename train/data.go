package train

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/segloss/segloss/dataset"
)

// Data is what a run trains and validates on.
type Data struct {
	// Train is the training part of the training volume, Val the held-out
	// crossline block at its end.
	Train, Val *dataset.Volume
	// Norm is fitted on Train.
	Norm dataset.Normalizer
	// Weights are the class weights of the loss (nil: none).
	Weights []float64
	// ClassNames name the facies classes.
	ClassNames []string
	// Amplitude describes the raw seismic of Train.
	Amplitude AmplitudeStats
}

// SplitNames are the evaluation splits LoadSplit accepts.
var SplitNames = []string{"val", "test1", "test2"}

// loadSurvey returns the named splits ("train", "test1", "test2") of the
// configured survey, and says on log where the seismic comes from and,
// for a SEG-Y, how the labels were placed in it.
func loadSurvey(cfg Config, splits []string, log io.Writer) (map[string]*dataset.Volume, error) {
	d := cfg.Data
	sc := dataset.SurveyConfig{Splits: splits, IlineByte: d.IlineByte, XlineByte: d.XlineByte,
		FindOffset: d.FindOffset, MinCorrelation: d.MinCorrelation, AllowPoorMatch: d.AllowPoorMatch}
	if d.SampleOffset >= 0 {
		off := d.SampleOffset
		sc.SampleOffset = &off
	}
	origin := ""
	switch d.Source {
	case "f3":
		sc.DataDir, sc.SEGYFile, origin = d.Dir, d.SEGYFile, "data.segy_file"
		if sc.SEGYFile == "" {
			path, reg, err := registeredSEGY(d.Dir)
			if err != nil {
				return nil, err
			}
			sc.SEGYFile, origin = path, "registered in "+reg
		}
	case "synthetic":
		dir, err := syntheticDir(cfg, log)
		if err != nil {
			return nil, err
		}
		sc.DataDir = dir
	default:
		return nil, fmt.Errorf("data source %q: want synthetic or f3", d.Source)
	}
	if sc.SEGYFile != "" {
		fmt.Fprintf(log, "data: seismic from SEG-Y %s (%s), labels from %s\n", sc.SEGYFile, origin, sc.DataDir)
	}
	s, err := dataset.LoadSurvey(sc)
	if err != nil {
		return nil, err
	}
	describeSurvey(log, s, sc.SEGYFile == "")
	return s.Volumes, nil
}

// registeredSEGY returns the SEG-Y that `segloss fetch-data --segy-file`
// registered in dir (or, for dir ending in the unpacked data/ folder, in
// its parent) and the registry file; "" when none is.
func registeredSEGY(dir string) (path, registry string, err error) {
	dirs := []string{dir}
	if filepath.Base(filepath.Clean(dir)) == "data" {
		dirs = append(dirs, filepath.Dir(filepath.Clean(dir)))
	}
	for _, d := range dirs {
		p, err := dataset.RegisteredSEGY(d)
		if err != nil {
			return "", "", err
		}
		if p != "" {
			return p, filepath.Join(d, "segy.json"), nil
		}
	}
	return "", "", nil
}

// describeSurvey prints where the seismic of s comes from: the npy files,
// or a SEG-Y with the alignment of the labels in it and the SEG-Y samples
// left out. printSEGY also names the SEG-Y (when the caller has not).
func describeSurvey(log io.Writer, s *dataset.Survey, printSEGY bool) {
	al := s.Alignment
	if al == nil {
		fmt.Fprintf(log, "data: seismic and labels from the npy files in %s\n", s.Dir)
		return
	}
	if printSEGY {
		manifest := dataset.ManifestFile
		for _, d := range []string{s.Dir, filepath.Dir(s.Dir)} {
			if _, err := os.Stat(filepath.Join(d, dataset.ManifestFile)); err == nil {
				manifest = filepath.Join(d, dataset.ManifestFile)
				break
			}
		}
		fmt.Fprintf(log, "data: seismic from SEG-Y %s (named by %s), labels from %s\n", al.SEGYFile, manifest, s.Dir)
	}
	how := map[string]string{"config": "set by data.sample_offset (--sample-offset)",
		"survey.json": "from " + dataset.ManifestFile}[al.Source]
	if al.Searched {
		how = fmt.Sprintf("found by cross-correlation with the labelled seismic, correlation %.3f", al.Correlation)
	}
	fmt.Fprintf(log, "data: alignment: label sample 0 = SEG-Y sample %d (%s)\n", al.Offset, how)
	above, below := al.Unused()
	if above+below == 0 {
		return
	}
	var v *dataset.Volume
	for _, name := range dataset.SplitNames {
		if v = s.Volumes[name]; v != nil {
			break
		}
	}
	span := ""
	if v != nil && v.DT > 0 {
		span = fmt.Sprintf(", %g-%g ms", v.T0, v.T0+float64(al.Samples-1)*v.DT)
	}
	fmt.Fprintf(log, "warning: data: the %d label samples cover SEG-Y samples %d-%d%s of its %d: %d samples above and %d below are cut off and not used\n",
		al.Samples, al.Offset, al.Offset+al.Samples-1, span, al.SEGYSamples, above, below)
}

// syntheticDir returns the folder of the configured synthetic survey,
// generating it on first use.
func syntheticDir(cfg Config, log io.Writer) (string, error) {
	size, err := dataset.ParseSynthSize(cfg.Data.SynthSize)
	if err != nil {
		return "", err
	}
	dir := ""
	if cfg.Data.Cache != "" {
		dir = filepath.Join(cfg.Data.Cache, filepath.Base(dataset.SyntheticCacheDir(size, cfg.Data.SynthSeed)))
	}
	want := dir
	if want == "" {
		want = dataset.SyntheticCacheDir(size, cfg.Data.SynthSeed)
	}
	if !dataset.SyntheticComplete(want, size, cfg.Data.SynthSeed) {
		fmt.Fprintf(log, "data: generating the synthetic survey %v (seed %d) in %s\n", size, cfg.Data.SynthSeed, want)
	}
	return dataset.EnsureSynthetic(dir, size, cfg.Data.SynthSeed, nil)
}

// LoadData loads the training volume of the configured survey, holds out
// the validation crossline block, fits the normalisation and computes the
// class weights on the training part only.
func LoadData(cfg Config, log io.Writer) (*Data, error) {
	vols, err := loadSurvey(cfg, []string{"train"}, log)
	if err != nil {
		return nil, err
	}
	tr, val, err := dataset.SplitValidation(vols["train"], dataset.CrosslineDir, cfg.Data.ValFraction)
	if err != nil {
		return nil, err
	}
	d := &Data{Train: tr, Val: val, ClassNames: dataset.ClassNames[:], Amplitude: VolumeAmplitude(tr)}
	if d.Norm, err = dataset.FitNormalizer(tr, cfg.Data.Normalize); err != nil {
		return nil, err
	}
	method, list, err := ParseClassWeights(cfg.Data.ClassWeights)
	if err != nil {
		return nil, err
	}
	switch {
	case list != nil:
		if len(list) != dataset.NumClasses {
			return nil, fmt.Errorf("data.class_weights: %d weights for %d classes", len(list), dataset.NumClasses)
		}
		d.Weights = list
	case method != "none":
		w, err := dataset.ClassWeights(dataset.ClassCounts(tr), method)
		if err != nil {
			return nil, err
		}
		d.Weights = w[:]
		fmt.Fprintf(log, "class weights (%s, training part): %.3f\n", method, d.Weights)
	}
	return d, nil
}

// LoadSplit loads one evaluation split: "val" (the validation block of the
// training volume, as cut by the run's configuration), "test1" or "test2".
func LoadSplit(cfg Config, name string, log io.Writer) (*dataset.Volume, error) {
	switch name {
	case "val":
		vols, err := loadSurvey(cfg, []string{"train"}, log)
		if err != nil {
			return nil, err
		}
		_, val, err := dataset.SplitValidation(vols["train"], dataset.CrosslineDir, cfg.Data.ValFraction)
		return val, err
	case "test1", "test2":
		vols, err := loadSurvey(cfg, []string{name}, log)
		if err != nil {
			return nil, err
		}
		return vols[name], nil
	}
	return nil, fmt.Errorf("split %q: want val, test1, test2 or both", name)
}
