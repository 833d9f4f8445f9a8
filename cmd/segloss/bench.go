package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"text/tabwriter"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/segloss/segloss/model"
	"github.com/segloss/segloss/model/nnops"
)

func init() { register(newBenchCmd) }

// benchOptions are the flags of segloss bench.
type benchOptions struct {
	model      string
	batchNorm  bool
	classes    int
	batch      int
	size       int
	steps      int
	warmup     int
	threads    int
	gemm       string
	stock      bool
	json       bool
	cpuProfile string
	quiet      bool
}

func newBenchCmd() *cobra.Command {
	var o benchOptions
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Time training steps and inference of a U-Net and report speed and memory",
		Long: `bench builds a freshly initialised U-Net, trains it on one random batch
(forward, softmax cross-entropy, backward and an Adam step) and times the
training steps and inference. It prints seconds per step, patches per
second, the achieved GFLOP/s of the convolutions (3x the forward
convolution FLOPs per training step), the resident memory after each step
and the process's peak resident memory (VmHWM).

The defaults are the reference configuration: a 16-32-64 U-Net with 6
classes on batches of 16 patches of 1x64x64. Only figures from one run on
one quiet machine compare.`,
		Example: `  segloss bench                              # reference configuration
  segloss bench --size 128 --steps 5         # 128x128 patches
  segloss bench --json > bench.json          # keys step_seconds, patches_per_second, gflops, peak_rss_bytes
  segloss bench --stock                      # stock Gorgonia ops (before)
  segloss bench --gemm gonum --threads 1     # another GEMM backend on one core
  segloss bench --cpuprofile cpu.out && go tool pprof -top segloss cpu.out`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBench(o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.model, "model", "16-32-64", "U-Net level widths, each twice the one before")
	f.BoolVar(&o.batchNorm, "bn", false, "add batch norm after every 3x3 convolution")
	f.IntVar(&o.classes, "classes", 6, "number of classes")
	f.IntVar(&o.batch, "batch", 16, "patches per step")
	f.IntVar(&o.size, "size", 64, "patch height and width")
	f.IntVar(&o.steps, "steps", 10, "timed steps (training and inference each)")
	f.IntVar(&o.warmup, "warmup", 2, "untimed training steps first (at least 1)")
	f.IntVar(&o.threads, "threads", 0, "cores to use (0: all)")
	f.StringVar(&o.gemm, "gemm", "", fmt.Sprintf("GEMM backend, one of %v (default %s)", nnops.GEMMBackends(), nnops.CurrentGEMM().Name()))
	f.BoolVar(&o.stock, "stock", false, "use stock Gorgonia ops instead of the fast ones")
	f.BoolVar(&o.json, "json", false, "print one JSON object instead of a table")
	f.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the timed training steps to this file")
	f.BoolVar(&o.quiet, "quiet", false, "no progress bar")
	return cmd
}

// runBench runs the benchmark described by o and prints its figures to out.
func runBench(o benchOptions, out, errOut io.Writer) error {
	depth, base, err := model.ParseWidths(o.model)
	if err != nil {
		return fmt.Errorf("--model: %w", err)
	}
	if o.threads < 0 {
		return fmt.Errorf("--threads %d: must be 0 (all cores) or positive", o.threads)
	}
	// model.Bench takes zeros for its defaults, so a zero here would be
	// silently replaced: reject it.
	for _, c := range []struct {
		flag string
		v    int
	}{{"steps", o.steps}, {"batch", o.batch}, {"size", o.size}, {"classes", o.classes}} {
		if c.v < 1 {
			return fmt.Errorf("--%s %d: must be a positive integer", c.flag, c.v)
		}
	}
	if o.warmup < 1 {
		return fmt.Errorf("--warmup %d: must be at least 1 (the untimed steps before timing; 0 is not supported)", o.warmup)
	}
	if o.threads > 0 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(o.threads))
	}
	if o.gemm != "" {
		prev := nnops.CurrentGEMM().Name()
		if err := nnops.SetGEMM(o.gemm); err != nil {
			return fmt.Errorf("--gemm: %w", err)
		}
		defer nnops.SetGEMM(prev)
	}
	model.UseStockOps(o.stock)
	defer model.UseStockOps(false)

	opts := model.BenchOptions{
		Config: model.Config{InChannels: 1, Classes: o.classes, Depth: depth, Base: base, BatchNorm: o.batchNorm},
		Batch:  o.batch, Size: o.size, Steps: o.steps, Warmup: o.warmup, Seed: 1,
	}
	if !o.quiet {
		bar := progressbar.NewOptions(o.warmup+o.steps,
			progressbar.OptionSetWriter(errOut), progressbar.OptionSetDescription("bench"),
			progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
		opts.Progress = func() { _ = bar.Add(1) }
		defer bar.Finish()
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("--cpuprofile %s: %w", o.cpuProfile, err)
		}
		defer pprof.StopCPUProfile()
	}
	res, err := model.Bench(opts)
	if err != nil {
		return err
	}
	if o.json {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	return printBench(out, res)
}

func printBench(out io.Writer, r model.BenchResult) error {
	ops := "nnops"
	if r.StockOps {
		ops = "stock gorgonia"
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	rows := [][2]string{
		{"model", fmt.Sprintf("U-Net %s (%d parameters), ops %s", r.Model, r.NumParams, ops)},
		{"batch", fmt.Sprintf("%d x 1x%dx%d", r.Batch, r.Size, r.Size)},
		{"gemm / threads", fmt.Sprintf("%s / %d", r.GEMM, r.Threads)},
		{"train step", fmt.Sprintf("%.4f s (fastest %.4f s, %d steps)", r.StepSeconds, r.MinStepSeconds, r.Steps)},
		{"train patches/s", fmt.Sprintf("%.1f", r.PatchesPerSecond)},
		{"train GFLOP/s", fmt.Sprintf("%.1f (%.2f GFLOP per step)", r.GFLOPS, r.StepGFLOP)},
		{"inference", fmt.Sprintf("%.4f s per batch, %.1f patches/s", r.InferSeconds, r.InferPatchesPerSecond)},
		{"heap allocated/step", fmt.Sprintf("%.1f MB", r.AllocBytesPerStep/1e6)},
		{"peak memory", fmt.Sprintf("%.3f GB", float64(r.PeakRSSBytes)/1e9)},
	}
	rss := ""
	for i, b := range r.RSSBytes {
		if i > 0 {
			rss += " "
		}
		rss += fmt.Sprintf("%.0f", float64(b)/1e6)
	}
	rows = append(rows, [2]string{"RSS per step (MB)", rss})
	for _, row := range rows {
		fmt.Fprintf(tw, "%s\t%s\n", row[0], row[1])
	}
	return tw.Flush()
}
