package main

import (
	"fmt"
	"io"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/segloss/segloss/dataset"
)

func init() { register(newSynthCmd) }

// synthOptions are the flags of segloss synth.
type synthOptions struct {
	out   string
	size  string
	seed  uint64
	quiet bool
}

func newSynthCmd() *cobra.Command {
	var o synthOptions
	cmd := &cobra.Command{
		Use:   "synth",
		Short: "Generate the synthetic F3-like survey (SEG-Y + Alaudah-layout labels)",
		Long: `synth builds a 3-D earth model of the six F3 facies units (F3 class order
and a similar imbalance, with two thin minority units at the base), with
folded horizons, salt domes, normal faults and internal layering that
differs by unit, convolves its reflectivity with a 30 Hz Ricker wavelet at
4 ms, adds noise and scales the result to [-1, 1].

It writes DIR/seismic.sgy (inline at byte 189, crossline at 193, in the
Alaudah numbering: train from inline 300, crossline 300), the Alaudah
layout DIR/data/train/train_{seismic,labels}.npy and
DIR/data/test_once/test{1,2}_{seismic,labels}.npy, and DIR/survey.json,
which tells 'segloss train' to read the seismic from the SEG-Y.

--size gives the training volume (inlines x crosslines x samples); the
test splits are added around it in F3's proportions. "small" (80x96x96) is
the default of 'segloss train'; "alaudah" is the full 401x701x255.
Without --out the survey goes to the cache that 'segloss train' uses. A
complete survey of the same size and seed is not generated again.

--out may name an absent directory (created), an empty one, or one that
holds an earlier synthetic survey (recognised by its survey.json): there
only the survey's own files are replaced and anything else (a segy.json,
your notes) is kept. A directory holding other files but no synthetic
survey, or a regular file, is refused before anything is written: give
another --out.`,
		Example: `  segloss synth                                # cached default survey, prints its directory
  segloss synth --out synth --seed 7
  segloss synth --out big --size alaudah       # 401 x 701 x 255 plus test splits
  segloss synth --out tiny --size 32x40x64`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSynth(o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.out, "out", "", "output directory (default: the cache of 'segloss train')")
	f.StringVar(&o.size, "size", "small", "small, alaudah or IxXxS (training inlines x crosslines x samples)")
	f.Uint64Var(&o.seed, "seed", 1, "random seed of the earth model")
	f.BoolVar(&o.quiet, "quiet", false, "no progress bar")
	return cmd
}

// runSynth generates (or finds) the survey and prints where it is and its
// class fractions.
func runSynth(o synthOptions, stdout, stderr io.Writer) error {
	size, err := dataset.ParseSynthSize(o.size)
	if err != nil {
		return err
	}
	dir := o.out
	if dir == "" {
		dir = dataset.SyntheticCacheDir(size, o.seed)
	}
	if dataset.SyntheticComplete(dir, size, o.seed) {
		fmt.Fprintf(stdout, "synthetic survey %s seed %d is up to date in %s\n", size, o.seed, dir)
	} else {
		var bar *progressbar.ProgressBar
		progress := func(done, total int) {
			if o.quiet {
				return
			}
			if bar == nil {
				bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(stderr),
					progressbar.OptionSetDescription("synth inlines"), progressbar.OptionShowCount(),
					progressbar.OptionSetPredictTime(true), progressbar.OptionClearOnFinish())
			}
			bar.Set(done)
		}
		if _, err := dataset.EnsureSynthetic(dir, size, o.seed, progress); err != nil {
			return err
		}
		if bar != nil {
			bar.Finish()
		}
		fmt.Fprintf(stdout, "wrote synthetic survey %s seed %d to %s\n", size, o.seed, dir)
	}
	s, err := dataset.LoadSurvey(dataset.SurveyConfig{DataDir: dir, Splits: []string{"train"}})
	if err != nil {
		return err
	}
	tr := s.Train()
	fmt.Fprintf(stdout, "train: inlines %d-%d, crosslines %d-%d, %d samples at %g ms\n",
		tr.Inlines[0], tr.Inlines[tr.NI-1], tr.Crosslines[0], tr.Crosslines[tr.NX-1], tr.NS, tr.DT)
	freq := dataset.ClassFrequencies(dataset.ClassCounts(tr))
	for c, name := range dataset.ClassNames {
		fmt.Fprintf(stdout, "  %d %-17s %6.2f %%\n", c, name, 100*freq[c])
	}
	return nil
}
