package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/segloss/segloss/train"
)

func init() { register(newEvalCmd) }

// evalOptions are the flags of segloss eval.
type evalOptions struct {
	checkpoint string
	splits     []string
	json       bool
	window     int
	stride     int
	tolerance  int
	batch      int
	dataDir    string
	segyFile   string
	cacheDir   string
	pictures   string
	quiet      bool
}

func newEvalCmd() *cobra.Command {
	opts := &evalOptions{}
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Score a checkpoint on the validation and test splits",
		Long: `Score a trained model on whole sections: every inline and every crossline
section of each split is inferred (whole, or through a sliding window whose
overlapping logits are averaged) and compared with the labels. Each voxel is
therefore counted twice, once per direction, as in the benchmark's code.

For each split it reports the confusion matrix, pixel accuracy (PA),
per-class accuracy and their mean (MCA), per-class IoU, mean IoU,
frequency-weighted IoU (FWIU) and a boundary F1 score (predicted facies
contacts within --boundary-tolerance pixels of true ones). The confusion
matrix counts pixels, rows the true class and columns the predicted one. --split both
scores test1 and test2 and pools them into one matrix named "both".

The data come from the checkpoint's configuration (the synthetic survey or
the F3 layout, at the absolute paths saved with the run); --data-dir points
it at another copy of the F3 data, --segy-file at another copy of its SEG-Y.
--checkpoint may name a run folder: its best.ckpt is scored. Pictures
(--pictures) are listed on stderr as they are written.`,
		Example: `  segloss eval --checkpoint runs/20260101-120000-ce/best.ckpt
  segloss eval --checkpoint runs/dtl --split both --json > scores.json   # runs/dtl/best.ckpt
  segloss eval --checkpoint /abs/runs/dtl/best.ckpt --data-dir /mnt/f3/data
  segloss eval --checkpoint runs/f3/best.ckpt --split test1 --window 128 --window-stride 32 --pictures pics`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runEval(cmd.Context(), opts, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.checkpoint, "checkpoint", "", "checkpoint written by segloss train, or a run folder (its best.ckpt) (required)")
	f.StringSliceVar(&opts.splits, "split", []string{"val"}, "splits: val, test1, test2 or both (test1+test2 pooled); comma list allowed")
	f.BoolVar(&opts.json, "json", false, "print one JSON object with the metrics of every split")
	f.IntVar(&opts.window, "window", -1, "sliding window side (0: whole sections; -1: as trained)")
	f.IntVar(&opts.stride, "window-stride", 0, "sliding window step (0: half the window)")
	f.IntVar(&opts.tolerance, "boundary-tolerance", 3, "boundary F1 matching distance in pixels")
	f.IntVar(&opts.batch, "batch", 8, "windows per network call")
	f.StringVar(&opts.dataDir, "data-dir", "", "F3 data folder (default: the checkpoint's)")
	f.StringVar(&opts.segyFile, "segy-file", "", "F3 seismic SEG-Y (default: the checkpoint's, if it used one)")
	f.StringVar(&opts.cacheDir, "cache-dir", "", "synthetic survey cache folder (default: the checkpoint's)")
	f.StringVar(&opts.pictures, "pictures", "", "folder for PNG pictures of the middle sections of every split")
	f.BoolVar(&opts.quiet, "quiet", false, "no progress bars")
	_ = cmd.MarkFlagRequired("checkpoint")
	return cmd
}

// runEval loads the checkpoint, scores the splits and prints a table or JSON.
func runEval(ctx context.Context, opts *evalOptions, stdout, stderr io.Writer) error {
	if ctx == nil {
		ctx = context.Background()
	}
	path, err := checkpointPath(opts.checkpoint, stderr)
	if err != nil {
		return err
	}
	ck, err := train.LoadCheckpoint(path)
	if err != nil {
		return err
	}
	if opts.dataDir != "" {
		ck.Meta.Config.Data.Dir = opts.dataDir
	}
	if opts.segyFile != "" {
		ck.Meta.Config.Data.SEGYFile = opts.segyFile
	}
	if opts.cacheDir != "" {
		ck.Meta.Config.Data.Cache = opts.cacheDir
	}
	if opts.pictures != "" {
		if err := os.MkdirAll(opts.pictures, 0o755); err != nil {
			return err
		}
	}
	progress := stderr
	if opts.quiet {
		progress = nil
	}
	res, err := train.Evaluate(ctx, ck, train.EvalOptions{Splits: opts.splits, Window: opts.window,
		Stride: opts.stride, Tolerance: opts.tolerance, Batch: opts.batch, Pictures: opts.pictures,
		Log: stderr, Progress: progress})
	if err != nil {
		return err
	}
	for _, r := range res {
		for _, p := range r.Pictures {
			fmt.Fprintf(stderr, "wrote %s\n", p)
		}
	}
	if opts.json {
		obj := map[string]train.Metrics{}
		for _, r := range res {
			obj[r.Split] = r.Metrics
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(obj)
	}
	for _, r := range res {
		if err := r.Metrics.WriteTable(stdout, r.Split, ck.Meta.ClassNames); err != nil {
			return err
		}
		if err := r.Metrics.WriteConfusion(stdout, ck.Meta.ClassNames); err != nil {
			return err
		}
		fmt.Fprintln(stdout)
	}
	return nil
}

// checkpointPath is the checkpoint file that --checkpoint names: the file
// itself, or the best.ckpt of a run folder (said on log).
func checkpointPath(path string, log io.Writer) (string, error) {
	fi, err := os.Stat(path)
	if err != nil || !fi.IsDir() {
		return path, nil // LoadCheckpoint names a missing file
	}
	best := filepath.Join(path, "best.ckpt")
	if _, err := os.Stat(best); err != nil {
		last := filepath.Join(path, "last.ckpt")
		if _, errLast := os.Stat(last); errLast == nil {
			return "", fmt.Errorf("--checkpoint %s: the run folder has no best.ckpt (no validation score yet); give --checkpoint %s", path, last)
		}
		return "", fmt.Errorf("--checkpoint %s is a folder without best.ckpt or last.ckpt: give a checkpoint file or a run folder of segloss train", path)
	}
	fmt.Fprintf(log, "checkpoint: %s (the best checkpoint of the run folder %s)\n", best, path)
	return best, nil
}
