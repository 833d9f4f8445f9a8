package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

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
the F3 layout); --data-dir points it at another copy of the F3 data.`,
		Example: `  segloss eval --checkpoint runs/20260101-120000-ce/best.ckpt
  segloss eval --checkpoint runs/dtl/best.ckpt --split both --json > scores.json
  segloss eval --checkpoint runs/f3/best.ckpt --split test1 --window 128 --window-stride 32 --pictures pics`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runEval(cmd.Context(), opts, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.checkpoint, "checkpoint", "", "checkpoint written by segloss train (required)")
	f.StringSliceVar(&opts.splits, "split", []string{"val"}, "splits: val, test1, test2 or both (test1+test2 pooled); comma list allowed")
	f.BoolVar(&opts.json, "json", false, "print one JSON object with the metrics of every split")
	f.IntVar(&opts.window, "window", -1, "sliding window side (0: whole sections; -1: as trained)")
	f.IntVar(&opts.stride, "window-stride", 0, "sliding window step (0: half the window)")
	f.IntVar(&opts.tolerance, "boundary-tolerance", 3, "boundary F1 matching distance in pixels")
	f.IntVar(&opts.batch, "batch", 8, "windows per network call")
	f.StringVar(&opts.dataDir, "data-dir", "", "F3 data folder (default: the checkpoint's)")
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
	ck, err := train.LoadCheckpoint(opts.checkpoint)
	if err != nil {
		return err
	}
	if opts.dataDir != "" {
		ck.Meta.Config.Data.Dir = opts.dataDir
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
