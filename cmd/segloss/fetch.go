package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/segloss/segloss/dataset"
	"github.com/segloss/segloss/segy"
)

func init() { register(newFetchCmd) }

// fetchOptions are the flags of segloss fetch-data.
type fetchOptions struct {
	dest     string
	url      string
	md5      string
	segyURL  string
	segyMD5  string
	segyFile string
	skipNPY  bool
	retries  int
	quiet    bool
}

func newFetchCmd() *cobra.Command {
	var o fetchOptions
	cmd := &cobra.Command{
		Use:   "fetch-data",
		Short: "Download the F3 facies labels (Alaudah et al. 2019) and register the F3 SEG-Y",
		Long: `fetch-data downloads data.zip of the labelled F3 release (Zenodo record
3755060), following redirects and resuming an interrupted download with HTTP
range requests, verifies its MD5, unpacks it safely into DEST (DEST/data/
train/... and DEST/data/test_once/...) and checks the layout. Running it
again skips a verified zip and files already unpacked; when the labels are
unpacked and whole but data.zip was deleted, nothing is downloaded again.

Without network, download data.zip yourself (from the --url) and put it
at DEST/data.zip: fetch-data uses it once its MD5 verifies. A DEST/data.zip
whose MD5 differs is never deleted: it is renamed to data.zip.bad-md5 and
the zip is downloaded again. --md5 "" skips the check (and says so).

The original F3 SEG-Y sits behind landing pages (terranubis.com), so it
cannot be fetched automatically: download it yourself and pass
--segy-file PATH, or give a direct link with --segy-url URL. Either way
the file is checked to open as SEG-Y and registered in DEST/segy.json,
where segloss train --data f3 --data-dir DEST finds it (or set
data.segy_file / --segy-file in the training config). Without either
flag the SEG-Y already registered in DEST/segy.json is checked and
reported. A SEG-Y that covers much less than F3 (inlines 100-750,
crosslines 300-1250, 462 samples), such as a small crop, is registered
with a warning.`,
		Example: `  segloss fetch-data                                   # labels into ./data
  segloss fetch-data --dest /big/f3
  segloss fetch-data --dest /big/f3                    # with /big/f3/data.zip downloaded by hand
  segloss fetch-data --segy-file ~/Downloads/F3_entire.sgy
  segloss fetch-data --skip-labels --segy-url https://example.org/F3.sgy`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			return runFetch(ctx, o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.dest, "dest", "data", "destination directory")
	f.StringVar(&o.url, "url", dataset.AlaudahURL, "URL of data.zip")
	f.StringVar(&o.md5, "md5", dataset.AlaudahMD5, "expected MD5 of data.zip (empty: no check)")
	f.StringVar(&o.segyURL, "segy-url", "", "direct URL of the F3 SEG-Y to download into DEST/segy/ and register")
	f.StringVar(&o.segyMD5, "segy-md5", "", "expected MD5 of the SEG-Y from --segy-url")
	f.StringVar(&o.segyFile, "segy-file", "", "local F3 SEG-Y to register")
	f.BoolVar(&o.skipNPY, "skip-labels", false, "do not fetch data.zip (only the SEG-Y)")
	f.IntVar(&o.retries, "retries", 3, "resumes of an interrupted transfer")
	f.BoolVar(&o.quiet, "quiet", false, "no progress bar")
	return cmd
}

// byteProgress returns a progress callback drawing a byte bar (size, rate,
// ETA) on w, and a function that finishes it.
func byteProgress(w io.Writer, desc string, quiet bool) (func(done, total int64), func()) {
	var bar *progressbar.ProgressBar
	fn := func(done, total int64) {
		if quiet {
			return
		}
		if bar == nil {
			bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(w),
				progressbar.OptionSetDescription(desc), progressbar.OptionShowBytes(true),
				progressbar.OptionSetPredictTime(true), progressbar.OptionShowCount(),
				progressbar.OptionThrottle(100e6), progressbar.OptionClearOnFinish())
		}
		bar.Set64(done)
	}
	return fn, func() {
		if bar != nil {
			bar.Finish()
		}
	}
}

// runFetch fetches the labels and registers the SEG-Y as o asks.
func runFetch(ctx context.Context, o fetchOptions, stdout, stderr io.Writer) error {
	if o.segyURL != "" && o.segyFile != "" {
		return fmt.Errorf("give --segy-url or --segy-file, not both")
	}
	retries := o.retries
	if retries == 0 {
		retries = -1
	}
	if !o.skipNPY {
		progress, finish := byteProgress(stderr, "data.zip", o.quiet)
		notice := func(msg string) { fmt.Fprintf(stderr, "warning: %s\n", msg) }
		res, err := dataset.FetchAlaudah(ctx, o.dest, dataset.DownloadOptions{URL: o.url, MD5: o.md5, Retries: retries, Progress: progress, Notice: notice})
		finish()
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, fetchSummary(res, o.dest))
	}
	segyPath := o.segyFile
	if o.segyURL != "" {
		segyPath = filepath.Join(o.dest, "segy", dataset.FileNameFromURL(o.segyURL))
		progress, finish := byteProgress(stderr, filepath.Base(segyPath), o.quiet)
		_, err := dataset.Download(ctx, dataset.DownloadOptions{URL: o.segyURL, MD5: o.segyMD5, Path: segyPath, Retries: retries, Progress: progress})
		finish()
		if err != nil {
			return err
		}
	}
	registered := false
	if segyPath == "" {
		reg, err := dataset.RegisteredSEGY(o.dest)
		if err != nil {
			return err
		}
		if reg == "" {
			fmt.Fprintf(stdout, "F3 SEG-Y: not registered. It is behind landing pages, e.g.\n")
			for _, p := range dataset.F3SEGYPages {
				fmt.Fprintf(stdout, "  %s\n", p)
			}
			fmt.Fprintf(stdout, "download it, then run: segloss fetch-data --skip-labels --dest %s --segy-file PATH\n", o.dest)
			return nil
		}
		segyPath, registered = reg, true
	}
	registry := filepath.Join(o.dest, "segy.json")
	f, err := segy.Open(segyPath, segy.Options{})
	if err != nil {
		if registered {
			return fmt.Errorf("%s registers %s, which no longer opens: %w (register the F3 SEG-Y again with --segy-file PATH)", registry, segyPath, err)
		}
		return err
	}
	g, err := f.Geometry()
	ns := f.NumSamples()
	f.Close()
	if err != nil {
		return err
	}
	ext := surveyExtent{g.Inlines[0], g.Inlines[len(g.Inlines)-1], g.Crosslines[0], g.Crosslines[len(g.Crosslines)-1], ns}
	if registered {
		fmt.Fprintf(stdout, "F3 SEG-Y: %s (%s), registered in %s\n", segyPath, ext, registry)
	} else {
		if err := os.MkdirAll(o.dest, 0o755); err != nil {
			return err
		}
		if err := dataset.RegisterSEGY(o.dest, segyPath); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "registered %s (%s) in %s\nsegloss train --data f3 --data-dir %s uses it (or set data.segy_file in the config)\n",
			segyPath, ext, registry, o.dest)
	}
	if !ext.coversF3() {
		fmt.Fprintf(stderr, "warning: %s is not the full F3 survey: it covers %s, F3 has %s; the Alaudah labels need the whole survey\n",
			segyPath, ext, f3Extent)
	}
	return nil
}

// fetchSummary is the line saying what happened to data.zip.
func fetchSummary(res dataset.FetchResult, dest string) string {
	if res.LabelsPresent {
		return fmt.Sprintf("labels already unpacked in %s (data.zip is not there; not downloaded again)", dest)
	}
	var state string
	switch d := res.Download; {
	case d.Skipped && d.Verified:
		state = "already present, MD5 verified"
	case d.Skipped:
		state = "already present, MD5 check skipped (--md5 \"\")"
	case d.Verified:
		state = "downloaded, MD5 verified"
	default:
		state = "downloaded, MD5 check skipped (--md5 \"\")"
	}
	return fmt.Sprintf("data.zip %s (%s); %s unpacked into %s", state, plural(int(res.Download.Bytes), "byte"), plural(res.Extracted, "file"), dest)
}

// plural writes n and noun, adding "s" unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// surveyExtent is the inline and crossline range and the samples per trace
// of a survey.
type surveyExtent struct {
	il0, il1, xl0, xl1, samples int
}

// f3Extent is the original F3 survey (F3_DATA.md section 2).
var f3Extent = surveyExtent{100, 750, 300, 1250, 462}

func (e surveyExtent) String() string {
	return fmt.Sprintf("inlines %d-%d, crosslines %d-%d, %d samples", e.il0, e.il1, e.xl0, e.xl1, e.samples)
}

// coversF3 tells whether e spans at least 90% of F3's inline and crossline
// ranges and samples: smaller files are crops, not the survey the labels
// were made on.
func (e surveyExtent) coversF3() bool {
	const share = 0.9
	f := f3Extent
	return float64(e.il1-e.il0) >= share*float64(f.il1-f.il0) &&
		float64(e.xl1-e.xl0) >= share*float64(f.xl1-f.xl0) &&
		float64(e.samples) >= share*float64(f.samples)
}
