package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/segloss/segloss/train"
)

func init() { register(newTrainCmd) }

// trainOptions are the flags of segloss train that are not configuration
// keys.
type trainOptions struct {
	config string
	resume bool
	quiet  bool
	flags  *pflag.FlagSet
}

func newTrainCmd() *cobra.Command {
	opts := &trainOptions{}
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Train a U-Net for seismic facies segmentation",
		Long: `Train a U-Net on the F3 benchmark or on the built-in synthetic survey.

With no arguments it generates (once, then reuses from the cache) a small
synthetic F3-like survey and trains a small model on it in a few minutes.

The configuration comes from the built-in defaults, then --config FILE
(YAML; unknown keys are an error), then SEGLOSS_<FLAG> environment
variables, then the flags below. Everything of a run goes into its folder
(--out, default runs/<date-time>-<loss>): config.yaml (the resolved
configuration), history.csv and log.jsonl (one row per epoch), history.png,
best.ckpt (best validation mIoU), last.ckpt, metrics.json (the validation
metrics of best.ckpt under the keys of segloss eval --json, with its epoch,
checkpoint and class names) and pictures of validation sections. A run that
fails before its first epoch removes what it created. Ctrl-C saves
last.ckpt at the current step; --resume continues from it along the same
loss curve, and --resume with a larger --epochs extends a finished run.

Configuration keys and flags: every flag below except --config, --resume
and --quiet is a key of the YAML file, named in brackets at the end of its
help; e.g. --dtl-dilate is

  loss:
    dtl:
      dilate: 5

and SEGLOSS_DTL_DILATE=5 sets it from the environment. Invalid values are
reported with where they came from (flag, variable, or file and key).

The per-epoch line shows the mean training loss of the epoch's batches:
for losses summed over the pixels (dtl, active-boundary, or
--loss-reduction sum) the sum over the pixels of a batch, with the number
of labelled pixels (not padding, not --ignore-index) and the mean per
labelled pixel beside it. Patches larger than the sections are padded; a
warning at the start says how much.

A run folder is never shared: without --out, two runs started in the same
second get runs/<date-time>-<loss> and runs/<date-time>-<loss>-2.
--resume continues a run only with the configuration it was trained with
(its config.yaml): changing the loss or its parameters, the data, the
model, the optimizer, batches, patches, seeds or validation is refused
with the keys named; --epochs may grow (the cosine schedule is then
re-planned over the new total, as a note says), and the output keys
(--out, --val-every, --quiet) and moved data paths are accepted. Data
paths are saved absolute, so eval and predict work from any folder.

With --data f3, --segy-file (or the SEG-Y registered by segloss fetch-data
--segy-file) supplies the seismic; the labels are placed in it by inline and
crossline numbers and a sample offset found by cross-correlation unless
--sample-offset sets it. The offset, its correlation and the SEG-Y samples
left out are printed.`,
		Example: `  segloss train                                   # synthetic survey, cross-entropy
  segloss train --loss dtl --epochs 12 --out runs/dtl
  segloss train --config configs/f3.yaml --loss abl --loss-mode compat
  segloss train --resume --out runs/dtl           # continue after Ctrl-C
  segloss train --resume --out runs/dtl --epochs 20   # extend a finished run
  segloss train --config configs/f3.yaml --segy-file F3.sgy --sample-offset 0
  SEGLOSS_LR=0.001 segloss train --optimizer sgd --schedule step`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			if opts.resume {
				return fmt.Errorf("segloss train takes no arguments: to continue the run in %s, use --resume --out %s", args[0], args[0])
			}
			return fmt.Errorf("segloss train takes no arguments, got %q (options start with --; see segloss train --help)", args[0])
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.flags = cmd.Flags()
			progress := cmd.ErrOrStderr()
			if opts.quiet {
				progress = nil
			}
			return runTrain(cmd.Context(), opts, cmd.OutOrStdout(), progress)
		},
	}
	cmd.Flags().StringVar(&opts.config, "config", "", "YAML configuration file (configs/synthetic.yaml, configs/f3.yaml)")
	cmd.Flags().BoolVar(&opts.resume, "resume", false, "continue the run in --out from its last.ckpt (its config.yaml unless --config)")
	cmd.Flags().BoolVar(&opts.quiet, "quiet", false, "no progress bars")
	train.AddConfigFlags(cmd.Flags())
	return cmd
}

// runTrain resolves the configuration and trains; progress may be nil.
func runTrain(ctx context.Context, opts *trainOptions, stdout, progress io.Writer) error {
	if ctx == nil {
		ctx = context.Background()
	}
	path := opts.config
	if opts.resume && path == "" {
		out, _ := opts.flags.GetString("out")
		if out == "" {
			return errors.New("--resume needs the run folder: --out DIR")
		}
		path = filepath.Join(out, "config.yaml")
	}
	cfg, err := train.LoadConfig(path, opts.flags)
	if err != nil {
		return err
	}
	// A write to stdout into a closed pipe (segloss train | head) then
	// fails instead of killing the process, so the run can stop and
	// remove what it created.
	pipe := make(chan os.Signal, 1)
	signal.Notify(pipe, syscall.SIGPIPE)
	defer signal.Stop(pipe)
	res, err := train.Train(ctx, cfg, train.Options{Resume: opts.resume, Log: stdout, Progress: progress})
	if err != nil {
		return err
	}
	return res.WriteSummary(stdout)
}
