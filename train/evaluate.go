package train

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"

	"github.com/segloss/segloss/dataset"
)

// EvalOptions control Evaluate.
type EvalOptions struct {
	// Splits are "val", "test1" and/or "test2"; "both" stands for test1
	// and test2, which are then also pooled into one matrix named "both".
	Splits []string
	// Window and Stride override the checkpoint's sliding window when
	// Window is not negative (0: whole sections).
	Window, Stride int
	// Tolerance is the boundary-F1 distance in pixels.
	Tolerance int
	// Batch is the number of windows per network call.
	Batch int
	// Pictures, when not empty, is a folder that receives a PNG of the
	// middle inline and crossline of every split.
	Pictures string
	// Log gets notes on data loading; Progress a bar per split (both may be nil).
	Log, Progress io.Writer
}

// SplitMetrics are the metrics of one split.
type SplitMetrics struct {
	Split   string
	Metrics Metrics
}

// ExpandSplits turns a --split value (val, test1, test2, both, or a comma
// list of them) into split names, "both" meaning test1 and test2 pooled.
func ExpandSplits(s []string) ([]string, bool, error) {
	var out []string
	pooled := false
	for _, x := range s {
		switch x {
		case "val", "test1", "test2":
			out = append(out, x)
		case "both":
			out = append(out, "test1", "test2")
			pooled = true
		default:
			return nil, false, fmt.Errorf("split %q: want val, test1, test2 or both", x)
		}
	}
	var uniq []string
	for _, x := range out {
		if !slices.Contains(uniq, x) {
			uniq = append(uniq, x)
		}
	}
	return uniq, pooled, nil
}

// Evaluate infers every inline and crossline section of each split with the
// checkpoint's model and scores it against the labels: one confusion matrix
// per split (each voxel is counted once per direction), plus the pooled
// "both" of test1 and test2 when asked for.
func Evaluate(ctx context.Context, ck *Checkpoint, opt EvalOptions) ([]SplitMetrics, error) {
	splits, pooled, err := ExpandSplits(opt.Splits)
	if err != nil {
		return nil, err
	}
	cfg := ck.Meta.Config
	log := opt.Log
	if log == nil {
		log = io.Discard
	}
	in := Inferer{Predict: ck.Model.Predict, Classes: ck.Model.Config().Classes, Window: cfg.Eval.Window,
		Stride: cfg.Eval.Stride, Batch: opt.Batch, Norm: ck.Meta.Norm}
	if opt.Window >= 0 {
		in.Window, in.Stride = opt.Window, opt.Stride
	}
	var out []SplitMetrics
	var both *Scorer
	for _, name := range splits {
		v, err := LoadSplit(cfg, name, log)
		if err != nil {
			return nil, err
		}
		bar := newBar(opt.Progress, v.NI+v.NX, "eval "+name, "sections")
		sc, err := in.Score(ctx, v, opt.Tolerance, func() { bar.Add(1) })
		bar.Finish()
		if err != nil {
			return nil, fmt.Errorf("eval %s: %w", name, err)
		}
		out = append(out, SplitMetrics{name, sc.Metrics()})
		if pooled && name != "val" {
			if both == nil {
				both = NewScorer(in.Classes, opt.Tolerance)
			}
			if err := both.Merge(sc); err != nil {
				return nil, err
			}
		}
		if opt.Pictures != "" {
			if err := splitPictures(opt.Pictures, name, in, v, ck.Meta.ClassNames); err != nil {
				return nil, err
			}
		}
	}
	if both != nil {
		out = append(out, SplitMetrics{"both", both.Metrics()})
	}
	return out, nil
}

// splitPictures draws the middle inline and crossline of v.
func splitPictures(dir, split string, in Inferer, v *dataset.Volume, names []string) error {
	for _, d := range []dataset.Direction{dataset.InlineDir, dataset.CrosslineDir} {
		s, pred, err := in.SectionPrediction(v, d, v.NumSections(d)/2)
		if err != nil {
			return err
		}
		path := filepath.Join(dir, fmt.Sprintf("%s-%s-%d.png", split, d, s.Number))
		err = WriteSectionPNG(path, SectionOf(v, s, pred, fmt.Sprintf("%s %s %d", split, d, s.Number)), names)
		if err != nil {
			return err
		}
	}
	return nil
}
