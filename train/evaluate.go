package train

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
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
	// Log gets notes on data loading (each line once, however many splits
	// load the same survey); Progress a bar per split (both may be nil).
	Log, Progress io.Writer
}

// SplitMetrics are the metrics of one split.
type SplitMetrics struct {
	Split   string
	Metrics Metrics
	// Pictures are the PNG files written for the split (EvalOptions.Pictures).
	Pictures []string
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
	var log io.Writer = io.Discard
	if opt.Log != nil {
		log = &onceWriter{w: opt.Log, seen: map[string]bool{}}
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
			return nil, dataHint(cfg, name, err)
		}
		bar := newBar(opt.Progress, v.NI+v.NX, "eval "+name, "sections")
		sc, err := in.Score(ctx, v, opt.Tolerance, func() { bar.Add(1) })
		bar.Finish()
		if err != nil {
			return nil, fmt.Errorf("eval %s: %w", name, err)
		}
		out = append(out, SplitMetrics{Split: name, Metrics: sc.Metrics()})
		if pooled && name != "val" {
			if both == nil {
				both = NewScorer(in.Classes, opt.Tolerance)
			}
			if err := both.Merge(sc); err != nil {
				return nil, err
			}
		}
		if opt.Pictures != "" {
			paths, err := splitPictures(opt.Pictures, name, in, v, ck.Meta.ClassNames)
			if err != nil {
				return nil, err
			}
			out[len(out)-1].Pictures = paths
		}
	}
	if both != nil {
		out = append(out, SplitMetrics{Split: "both", Metrics: both.Metrics()})
	}
	return out, nil
}

// splitPictures draws the middle inline and crossline of v and returns
// the files written.
func splitPictures(dir, split string, in Inferer, v *dataset.Volume, names []string) ([]string, error) {
	var paths []string
	for _, d := range []dataset.Direction{dataset.InlineDir, dataset.CrosslineDir} {
		s, pred, err := in.SectionPrediction(v, d, v.NumSections(d)/2)
		if err != nil {
			return paths, err
		}
		path := filepath.Join(dir, fmt.Sprintf("%s-%s-%d.png", split, d, s.Number))
		err = WriteSectionPNG(path, SectionOf(v, s, pred, fmt.Sprintf("%s %s %d", split, d, s.Number)), names)
		if err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// dataHint adds to an error loading split the data paths stored in the
// checkpoint's configuration when they do not exist, and the flag that
// points evaluation at another copy.
func dataHint(cfg Config, split string, err error) error {
	d := cfg.Data
	missing := func(p string) bool {
		_, err := os.Stat(p)
		return p != "" && errors.Is(err, fs.ErrNotExist)
	}
	switch {
	case d.Source == "f3" && missing(d.Dir):
		return fmt.Errorf("eval %s: the checkpoint's data folder %s (data.dir) does not exist; give the folder of "+
			"the F3 data with --data-dir DIR: %w", split, d.Dir, err)
	case d.Source == "f3" && missing(d.SEGYFile):
		return fmt.Errorf("eval %s: the checkpoint's SEG-Y %s (data.segy_file) does not exist; give its place "+
			"with --segy-file FILE: %w", split, d.SEGYFile, err)
	}
	return fmt.Errorf("eval %s: %w", split, err)
}

// onceWriter passes each complete line on only the first time it is
// written.
type onceWriter struct {
	w       io.Writer
	seen    map[string]bool
	partial []byte
}

// Write passes on the lines of b not written before.
func (o *onceWriter) Write(b []byte) (int, error) {
	o.partial = append(o.partial, b...)
	for {
		i := bytes.IndexByte(o.partial, '\n')
		if i < 0 {
			return len(b), nil
		}
		line := string(o.partial[:i+1])
		o.partial = o.partial[i+1:]
		if o.seen[line] {
			continue
		}
		o.seen[line] = true
		if _, err := io.WriteString(o.w, line); err != nil {
			return 0, err
		}
	}
}
