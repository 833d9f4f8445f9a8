package model

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/segloss/segloss/model/nnops"
)

// BenchOptions configures Bench. Zero fields take the defaults of the
// reference configuration: a 16-32-64 U-Net with 6 classes trained on
// batches of 16 patches of 1×64×64 with Adam.
type BenchOptions struct {
	// Config is the architecture; zero InChannels and Classes mean 1 and 6.
	Config Config
	// Batch is the number of patches per step (default 16).
	Batch int
	// Size is the patch height and width (default 64).
	Size int
	// Steps is the number of timed training steps (default 10).
	Steps int
	// Warmup is the number of untimed steps first (default 2).
	Warmup int
	// InferSteps is the number of timed inference passes (default Steps).
	InferSteps int
	// Seed seeds the weights, the batch and the labels.
	Seed int64
	// Progress, if set, is called after every step (warm-up included).
	Progress func()
}

// BenchResult holds the figures of one Bench run.
type BenchResult struct {
	Model     string `json:"model"`
	Batch     int    `json:"batch"`
	Size      int    `json:"size"`
	Steps     int    `json:"steps"`
	GEMM      string `json:"gemm"`
	Threads   int    `json:"threads"`
	StockOps  bool   `json:"stock_ops"`
	NumParams int    `json:"num_params"`
	// StepSeconds is the mean wall time of a training step (forward,
	// backward and Adam update); MinStepSeconds the fastest step.
	StepSeconds    float64 `json:"step_seconds"`
	MinStepSeconds float64 `json:"min_step_seconds"`
	// CPUStepSeconds is the mean CPU time (user + system, all threads) of a
	// training step: less sensitive than wall time to other processes
	// sharing the cores.
	CPUStepSeconds float64 `json:"cpu_step_seconds"`
	// PatchesPerSecond is Batch / StepSeconds.
	PatchesPerSecond float64 `json:"patches_per_second"`
	// GFLOPS is the convolution arithmetic of a training step (3× the
	// forward convolution FLOPs: forward, input and weight gradients) per second.
	GFLOPS float64 `json:"gflops"`
	// StepGFLOP is that arithmetic for one step, in GFLOP.
	StepGFLOP float64 `json:"step_gflop"`
	// InferSeconds is the mean wall time of Predict on one batch.
	InferSeconds          float64 `json:"infer_seconds"`
	InferPatchesPerSecond float64 `json:"infer_patches_per_second"`
	// PeakRSSBytes is the process's peak resident memory (VmHWM).
	PeakRSSBytes int64 `json:"peak_rss_bytes"`
	// RSSBytes is the resident memory after each timed step.
	RSSBytes []int64 `json:"rss_bytes"`
	// AllocBytesPerStep is the Go heap allocated per timed training step.
	AllocBytesPerStep float64 `json:"alloc_bytes_per_step"`
}

// withDefaults fills the zero fields of o.
func (o BenchOptions) withDefaults() BenchOptions {
	if o.Config.InChannels == 0 {
		o.Config.InChannels = 1
	}
	if o.Config.Classes == 0 {
		o.Config.Classes = 6
	}
	o.Config = o.Config.WithDefaults()
	if o.Batch == 0 {
		o.Batch = 16
	}
	if o.Size == 0 {
		o.Size = 64
	}
	if o.Steps == 0 {
		o.Steps = 10
	}
	if o.Warmup == 0 {
		o.Warmup = 2
	}
	if o.InferSteps == 0 {
		o.InferSteps = o.Steps
	}
	return o
}

// ParseWidths reads a model given as its level widths, e.g. "16-32-64",
// into Depth and Base; each width must double the one before.
func ParseWidths(s string) (depth, base int, err error) {
	parts := strings.Split(s, "-")
	prev := 0
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || v < 1 {
			return 0, 0, fmt.Errorf("model %q: width %q is not a positive integer", s, p)
		}
		if i > 0 && v != 2*prev {
			return 0, 0, fmt.Errorf("model %q: width %d must be twice %d", s, v, prev)
		}
		prev = v
	}
	if len(parts) < 2 {
		return 0, 0, fmt.Errorf("model %q: want at least two widths, e.g. 16-32-64", s)
	}
	first, _ := strconv.Atoi(strings.TrimSpace(parts[0]))
	return len(parts), first, nil
}

// ConvFLOPs counts the floating-point operations (2 per multiply-add) of
// every convolution in one forward pass of cfg's U-Net on n inputs of h×w.
func ConvFLOPs(cfg Config, n, h, w int) float64 {
	cfg = cfg.WithDefaults()
	widths := cfg.Widths()
	conv := func(cin, cout, k, hh, ww int) float64 {
		return 2 * float64(n) * float64(hh*ww) * float64(cin*cout*k*k)
	}
	var f float64
	cin := cfg.InChannels
	for l, c := range widths {
		hh, ww := h>>l, w>>l
		f += conv(cin, c, 3, hh, ww) + conv(c, c, 3, hh, ww)
		cin = c
	}
	for l := len(widths) - 2; l >= 0; l-- {
		hh, ww := h>>l, w>>l
		cup := widths[l+1]
		if cfg.Upsample == UpsampleLearned {
			f += conv(widths[l+1], widths[l], 3, hh, ww)
			cup = widths[l]
		}
		f += conv(widths[l]+cup, widths[l], 3, hh, ww) + conv(widths[l], widths[l], 3, hh, ww)
	}
	return f + conv(widths[0], cfg.Classes, 1, h, w)
}

// PeakRSS returns the process's peak resident set size (VmHWM) and its
// current one (VmRSS) in bytes, read from /proc/self/status.
func PeakRSS() (peak, current int64, err error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0, fmt.Errorf("reading memory use: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		var dst *int64
		switch f[0] {
		case "VmHWM:":
			dst = &peak
		case "VmRSS:":
			dst = &current
		default:
			continue
		}
		kb, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("reading memory use: bad line %q", line)
		}
		*dst = kb * 1024
	}
	if peak == 0 {
		return 0, 0, errors.New("reading memory use: no VmHWM in /proc/self/status")
	}
	return peak, current, nil
}

// Bench times training steps and inference of a freshly initialised model
// on random data and reports speed and memory.
func Bench(o BenchOptions) (BenchResult, error) {
	o = o.withDefaults()
	if o.Batch < 1 || o.Size < 1 || o.Steps < 1 || o.Warmup < 0 {
		return BenchResult{}, fmt.Errorf("bench: batch %d, size %d, steps %d and warm-up %d must be positive", o.Batch, o.Size, o.Steps, o.Warmup)
	}
	if k := o.Config.Multiple(); o.Size%k != 0 {
		return BenchResult{}, fmt.Errorf("bench: size %d is not a multiple of %d for %v", o.Size, k, o.Config)
	}
	m, err := New(o.Config, o.Seed)
	if err != nil {
		return BenchResult{}, fmt.Errorf("bench: %w", err)
	}
	n, s, c := o.Batch, o.Size, o.Config.Classes
	rng := rand.New(rand.NewPCG(uint64(o.Seed), 17))
	x := make([]float32, n*o.Config.InChannels*s*s)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	labels := make([]int32, n*s*s)
	for i := range labels {
		labels[i] = int32(rng.IntN(c))
	}
	loss := func(logits, grad []float32, n, c, h, w int) (float64, error) {
		return nnops.SoftmaxCrossEntropy(logits, grad, labels, n, c, h, w, -1)
	}
	adam, err := NewAdam(AdamConfig{LearningRate: 1e-3})
	if err != nil {
		return BenchResult{}, fmt.Errorf("bench: %w", err)
	}
	tr, err := m.NewTrainer(n, s, s, loss, adam)
	if err != nil {
		return BenchResult{}, fmt.Errorf("bench: %w", err)
	}
	defer tr.Close()

	res := BenchResult{
		Model: widthsString(o.Config), Batch: n, Size: s, Steps: o.Steps,
		GEMM: nnops.CurrentGEMM().Name(), Threads: runtime.GOMAXPROCS(0), StockOps: stockOps(),
		NumParams: m.NumParams(),
	}
	for i := 0; i < o.Warmup; i++ {
		if _, err := tr.Step(x); err != nil {
			return res, fmt.Errorf("bench: warm-up step %d: %w", i+1, err)
		}
		if o.Progress != nil {
			o.Progress()
		}
	}
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	times := make([]float64, 0, o.Steps)
	cpu0, cpuErr := processCPU()
	for i := 0; i < o.Steps; i++ {
		t0 := time.Now()
		if _, err := tr.Step(x); err != nil {
			return res, fmt.Errorf("bench: step %d: %w", i+1, err)
		}
		times = append(times, time.Since(t0).Seconds())
		if _, cur, err := PeakRSS(); err == nil {
			res.RSSBytes = append(res.RSSBytes, cur)
		}
		if o.Progress != nil {
			o.Progress()
		}
	}
	if cpu1, err := processCPU(); err == nil && cpuErr == nil {
		res.CPUStepSeconds = (cpu1 - cpu0) / float64(o.Steps)
	}
	runtime.ReadMemStats(&ms1)
	res.AllocBytesPerStep = float64(ms1.TotalAlloc-ms0.TotalAlloc) / float64(o.Steps)
	res.StepSeconds, res.MinStepSeconds = meanMin(times)
	res.PatchesPerSecond = float64(n) / res.StepSeconds
	res.StepGFLOP = 3 * ConvFLOPs(o.Config, n, s, s) / 1e9
	res.GFLOPS = res.StepGFLOP / res.StepSeconds

	if _, err := m.Predict(x, n, s, s); err != nil { // builds the inference graph
		return res, fmt.Errorf("bench: inference: %w", err)
	}
	itimes := make([]float64, 0, o.InferSteps)
	for i := 0; i < o.InferSteps; i++ {
		t0 := time.Now()
		if _, err := m.Predict(x, n, s, s); err != nil {
			return res, fmt.Errorf("bench: inference: %w", err)
		}
		itimes = append(itimes, time.Since(t0).Seconds())
	}
	res.InferSeconds, _ = meanMin(itimes)
	res.InferPatchesPerSecond = float64(n) / res.InferSeconds
	if res.PeakRSSBytes, _, err = PeakRSS(); err != nil {
		return res, fmt.Errorf("bench: %w", err)
	}
	return res, nil
}

// processCPU returns the CPU time the process has used, in seconds.
func processCPU() (float64, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, fmt.Errorf("reading CPU time: %w", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds(), nil
}

func meanMin(v []float64) (mean, least float64) {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	for _, x := range s {
		mean += x
	}
	return mean / float64(len(s)), s[0]
}

// widthsString names a config by its widths, e.g. "16-32-64", with "+bn"
// when it has batch norm and "+learned-up" for learned upsampling.
func widthsString(cfg Config) string {
	ws := cfg.Widths()
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = strconv.Itoa(w)
	}
	s := strings.Join(parts, "-")
	if cfg.BatchNorm {
		s += "+bn"
	}
	if cfg.Upsample == UpsampleLearned {
		s += "+learned-up"
	}
	return s
}
