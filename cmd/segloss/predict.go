package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/segloss/segloss/train"
)

func init() { register(newPredictCmd) }

// predictOptions are the flags of segloss predict.
type predictOptions struct {
	checkpoint string
	quiet      bool
	opt        train.PredictOptions
}

func newPredictCmd() *cobra.Command {
	opts := &predictOptions{}
	cmd := &cobra.Command{
		Use:   "predict",
		Short: "Write a facies SEG-Y predicted from a seismic SEG-Y",
		Long: `Predict the facies of every voxel of a post-stack SEG-Y and write them as a
SEG-Y with the input's trace headers (inline, crossline, coordinates, delay),
sample count and sample interval, in the input's trace order; samples are
the class numbers as IEEE floats. Probabilities are averaged over the inline
and the crossline through each voxel (--directions both), or taken from the
inlines only (--directions inline: half the work). --probabilities also
writes the class probabilities as a float32 npy of shape (inlines,
crosslines, samples, classes).

The volume streams through memory --block inlines at a time (and, for the
crossline sections, --block crosslines at a time), and the outputs are
written as each block is done, so memory does not grow with the survey:
about 4 x classes bytes per voxel of a block. With both directions the
crossline halves of the probabilities wait in a scratch file next to the
output (4 x classes bytes per voxel of the survey, deleted at the end). The
result does not depend on --block. A file not sorted by inline also keeps
the facies of traces it cannot write yet, one byte per voxel.

The network sees the input normalised with the statistics of its training
data; --refit-norm fits the same kind of normalisation on the input instead
(for data of another amplitude scale, such as int16 SEG-Y). Without it, the
amplitudes of a sample of input traces are compared with the training
data's, and a difference of more than a factor of 3 is a warning.

The output must not be the input (nor --probabilities either of them), and
an existing read-only output is refused rather than replaced. The progress
bar counts sections (inlines, then crosslines).`,
		Example: `  segloss predict --checkpoint runs/dtl/best.ckpt --input f3.sgy --output f3-facies.sgy
  segloss predict --checkpoint best.ckpt --input ../shared/testdata/segy/f3.sgy --output facies.sgy \
      --probabilities probs.npy --refit-norm
  segloss predict --checkpoint best.ckpt --input full-f3.sgy --output facies.sgy --directions inline --block 8`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runPredict(cmd.Context(), opts, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.checkpoint, "checkpoint", "", "checkpoint written by segloss train, or a run folder (its best.ckpt) (required)")
	f.StringVar(&opts.opt.Input, "input", "", "seismic SEG-Y (required)")
	f.StringVar(&opts.opt.Output, "output", "", "facies SEG-Y to write (required)")
	f.StringVar(&opts.opt.Probabilities, "probabilities", "", "also write class probabilities to this .npy")
	f.IntVar(&opts.opt.IlineByte, "iline-byte", 189, "trace header byte of the inline number")
	f.IntVar(&opts.opt.XlineByte, "xline-byte", 193, "trace header byte of the crossline number")
	f.BoolVar(&opts.opt.RefitNorm, "refit-norm", false, "fit the normalisation on the input instead of the training data")
	f.IntVar(&opts.opt.Window, "window", -1, "sliding window side (0: whole sections; -1: as trained)")
	f.IntVar(&opts.opt.Stride, "window-stride", 0, "sliding window step (0: half the window)")
	f.IntVar(&opts.opt.Batch, "batch", 8, "windows per network call")
	f.StringVar(&opts.opt.Directions, "directions", "both", "sections to average: both (inline and crossline) or inline")
	f.IntVar(&opts.opt.Block, "block", train.DefaultPredictBlock, "inlines (crosslines) held in memory at once")
	f.BoolVar(&opts.quiet, "quiet", false, "no progress bar")
	for _, name := range []string{"checkpoint", "input", "output"} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}

// runPredict loads the checkpoint and writes the facies SEG-Y.
func runPredict(ctx context.Context, opts *predictOptions, stdout, stderr io.Writer) error {
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
	opts.opt.Progress, opts.opt.Log = stderr, stderr
	if opts.quiet {
		opts.opt.Progress = nil
	}
	res, err := train.Predict(ctx, ck, opts.opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d traces (%d inlines x %d crosslines x %d samples)\n",
		opts.opt.Output, res.Traces, res.Inlines, res.Crosslines, res.Samples)
	total := int64(res.Inlines) * int64(res.Crosslines) * int64(res.Samples)
	for c, n := range res.Counts {
		name := ""
		if c < len(ck.Meta.ClassNames) {
			name = ck.Meta.ClassNames[c]
		}
		fmt.Fprintf(stdout, "  %d %-20s %6.2f %%\n", c, name, 100*float64(n)/float64(max(total, 1)))
	}
	if opts.opt.Probabilities != "" {
		fmt.Fprintf(stdout, "wrote %s\n", opts.opt.Probabilities)
	}
	return nil
}
