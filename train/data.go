package train

import (
	"fmt"
	"io"
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
}

// SplitNames are the evaluation splits LoadSplit accepts.
var SplitNames = []string{"val", "test1", "test2"}

// loadSurvey returns the named splits ("train", "test1", "test2") of the
// configured survey.
func loadSurvey(cfg Config, splits []string, log io.Writer) (map[string]*dataset.Volume, error) {
	switch cfg.Data.Source {
	case "f3":
		s, err := dataset.LoadSurvey(dataset.SurveyConfig{DataDir: cfg.Data.Dir, Splits: splits})
		if err != nil {
			return nil, err
		}
		return s.Volumes, nil
	case "synthetic":
		dir, err := syntheticDir(cfg, log)
		if err != nil {
			return nil, err
		}
		s, err := dataset.LoadSurvey(dataset.SurveyConfig{DataDir: dir, Splits: splits})
		if err != nil {
			return nil, err
		}
		return s.Volumes, nil
	}
	return nil, fmt.Errorf("data source %q: want synthetic or f3", cfg.Data.Source)
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
	d := &Data{Train: tr, Val: val, ClassNames: dataset.ClassNames[:]}
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
