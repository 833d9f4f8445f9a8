package train

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/segloss/segloss/dataset"
	"github.com/segloss/segloss/loss"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"
)

// Config is everything a training run needs. It is read from a YAML file,
// flags and SEGLOSS_* environment variables by LoadConfig, and written back
// resolved into the run folder as config.yaml.
type Config struct {
	Data  DataConfig  `mapstructure:"data" yaml:"data"`
	Model ModelConfig `mapstructure:"model" yaml:"model"`
	Loss  LossConfig  `mapstructure:"loss" yaml:"loss"`
	Optim OptimConfig `mapstructure:"optim" yaml:"optim"`
	Train LoopConfig  `mapstructure:"train" yaml:"train"`
	Eval  EvalConfig  `mapstructure:"eval" yaml:"eval"`
	// Out is the run folder; empty means runs/<date-time>-<loss>.
	Out string `mapstructure:"out" yaml:"out"`
}

// DataConfig says where the data comes from and how patches are cut.
type DataConfig struct {
	// Source is "synthetic" (the built-in survey, generated once and cached)
	// or "f3" (the Alaudah layout under Dir).
	Source string `mapstructure:"source" yaml:"source"`
	// Dir is the root of the Alaudah layout (data/train/train_seismic.npy ...).
	Dir string `mapstructure:"dir" yaml:"dir"`
	// Cache is the folder of cached synthetic surveys; empty means the
	// user cache directory.
	Cache string `mapstructure:"cache" yaml:"cache"`
	// SynthSize and SynthSeed choose the synthetic survey.
	SynthSize string `mapstructure:"synth_size" yaml:"synth_size"`
	SynthSeed uint64 `mapstructure:"synth_seed" yaml:"synth_seed"`
	// ValFraction is the share of crossline blocks held out for validation.
	ValFraction float64 `mapstructure:"val_fraction" yaml:"val_fraction"`
	// Patch is the side of the square training patches, Stride their step.
	Patch  int `mapstructure:"patch" yaml:"patch"`
	Stride int `mapstructure:"stride" yaml:"stride"`
	// Augment turns on flips, small rotations and noise.
	Augment bool `mapstructure:"augment" yaml:"augment"`
	// ClassWeights is "none", "auto" (median-frequency balancing on the
	// training part), "inverse", "median", "one-minus" or a comma-separated
	// list of one weight per class.
	ClassWeights string `mapstructure:"class_weights" yaml:"class_weights"`
	// Normalize is the amplitude normalisation: none, meanstd or clip.
	Normalize string `mapstructure:"normalize" yaml:"normalize"`
}

// ModelConfig is the U-Net architecture.
type ModelConfig struct {
	Depth     int    `mapstructure:"depth" yaml:"depth"`
	Base      int    `mapstructure:"base" yaml:"base"`
	BatchNorm bool   `mapstructure:"batch_norm" yaml:"batch_norm"`
	Upsample  string `mapstructure:"upsample" yaml:"upsample"`
}

// LossConfig chooses the loss and its parameters (see LOSSES.md).
type LossConfig struct {
	// Name is ce, dtl, boundary (bsl) or active-boundary (abl).
	Name string `mapstructure:"name" yaml:"name"`
	// Mode is "default" (bugs of segloss v0.0.1 fixed) or "compat".
	Mode string `mapstructure:"mode" yaml:"mode"`
	// Reduction is "mean" or "sum"; empty (the default) uses each loss's
	// segloss v0.0.1 default (ce mean, dtl sum, boundary mean, abl sum).
	// DTL's "mean" is over the non-zero border entries only and trains
	// much worse on the synthetic survey than its "sum".
	Reduction   string `mapstructure:"reduction" yaml:"reduction"`
	IgnoreIndex int    `mapstructure:"ignore_index" yaml:"ignore_index"`
	DTL         struct {
		Dilate int     `mapstructure:"dilate" yaml:"dilate"`
		Power  float64 `mapstructure:"power" yaml:"power"`
		Weight float64 `mapstructure:"weight" yaml:"weight"`
	} `mapstructure:"dtl" yaml:"dtl"`
	BSL struct {
		Theta0 int     `mapstructure:"theta0" yaml:"theta0"`
		Theta  int     `mapstructure:"theta" yaml:"theta"`
		Weight float64 `mapstructure:"weight" yaml:"weight"`
	} `mapstructure:"bsl" yaml:"bsl"`
	ABL struct {
		Factor    float64 `mapstructure:"factor" yaml:"factor"`
		Detach    bool    `mapstructure:"detach" yaml:"detach"`
		Smoothing float64 `mapstructure:"smoothing" yaml:"smoothing"`
		MaxRatio  float64 `mapstructure:"max_ratio" yaml:"max_ratio"`
		MaxDist   float64 `mapstructure:"max_dist" yaml:"max_dist"`
	} `mapstructure:"abl" yaml:"abl"`
}

// OptimConfig is the solver and its learning-rate schedule.
type OptimConfig struct {
	// Name is adam or sgd (with momentum).
	Name     string  `mapstructure:"name" yaml:"name"`
	LR       float64 `mapstructure:"lr" yaml:"lr"`
	Momentum float64 `mapstructure:"momentum" yaml:"momentum"`
	// WeightDecay is L2 regularisation; Clip the gradient clipping value (0: off).
	WeightDecay float64 `mapstructure:"weight_decay" yaml:"weight_decay"`
	Clip        float64 `mapstructure:"clip" yaml:"clip"`
	// Schedule is cosine (LR to LRMin over the run) or step (LR times
	// Gamma every StepEpochs epochs).
	Schedule   string  `mapstructure:"schedule" yaml:"schedule"`
	LRMin      float64 `mapstructure:"lr_min" yaml:"lr_min"`
	StepEpochs int     `mapstructure:"step_epochs" yaml:"step_epochs"`
	Gamma      float64 `mapstructure:"gamma" yaml:"gamma"`
}

// LoopConfig is the length and randomness of training.
type LoopConfig struct {
	Epochs int `mapstructure:"epochs" yaml:"epochs"`
	Batch  int `mapstructure:"batch" yaml:"batch"`
	// Steps is the number of batches per epoch; 0 means one pass over
	// every training patch.
	Steps int    `mapstructure:"steps" yaml:"steps"`
	Seed  uint64 `mapstructure:"seed" yaml:"seed"`
}

// EvalConfig is how validation and evaluation infer whole sections.
type EvalConfig struct {
	// Window is the side of the sliding window (0: whole sections at once);
	// Stride its step.
	Window int `mapstructure:"window" yaml:"window"`
	Stride int `mapstructure:"stride" yaml:"stride"`
	// Tolerance is the boundary-F1 matching distance in pixels.
	Tolerance int `mapstructure:"tolerance" yaml:"tolerance"`
	// Every validates every this many epochs (the last epoch always).
	Every int `mapstructure:"every" yaml:"every"`
}

// option is one configuration key with its flag, default and help.
type option struct {
	key, flag string
	def       any
	help      string
}

// options lists every key of Config. Each is a flag and an environment
// variable SEGLOSS_<FLAG> (dashes as underscores).
var options = []option{
	{"data.source", "data", "synthetic", "data source: synthetic (built-in survey, cached) or f3 (Alaudah layout under --data-dir)"},
	{"data.dir", "data-dir", "data", "root of the F3 benchmark layout (after segloss fetch-data)"},
	{"data.cache", "cache-dir", "", "folder of cached synthetic surveys (empty: the user cache dir, segloss/)"},
	{"data.synth_size", "synth-size", "small", "synthetic survey training volume: small, alaudah or IxXxS"},
	{"data.synth_seed", "synth-seed", uint64(1), "seed of the synthetic survey"},
	{"data.val_fraction", "val-fraction", 0.1, "share of crossline blocks held out for validation"},
	{"data.patch", "patch", 64, "side of the square training patches in pixels"},
	{"data.stride", "stride", 32, "step between training patches in pixels"},
	{"data.augment", "augment", true, "augment patches (flips, small rotations, noise)"},
	{"data.class_weights", "class-weights", "none", "class weights: none, auto (= median), inverse, median, one-minus (computed on the training part) or a comma list"},
	{"data.normalize", "normalize", "meanstd", "amplitude normalisation fitted on the training part: none, meanstd or clip"},
	{"model.depth", "depth", 3, "U-Net levels including the bottleneck"},
	{"model.base", "base", 16, "channels of the first level (doubling per level)"},
	{"model.batch_norm", "batch-norm", true, "batch normalisation after each 3x3 convolution"},
	{"model.upsample", "upsample", "nearest", "decoder upsampling: nearest or learned"},
	{"loss.name", "loss", "ce", "loss: ce, dtl, boundary (bsl) or active-boundary (abl)"},
	{"loss.mode", "loss-mode", "default", "default (segloss v0.0.1 bugs fixed) or compat (bit-compatible)"},
	{"loss.reduction", "loss-reduction", "", "reduction of the pixel terms: mean or sum (empty: each loss's segloss v0.0.1 default: ce mean, dtl sum, boundary mean, abl sum)"},
	{"loss.ignore_index", "ignore-index", 255, "label value that no loss or metric counts"},
	{"loss.dtl.dilate", "dtl-dilate", 5, "DTL tolerance band in pixels subtracted from the distance"},
	{"loss.dtl.power", "dtl-power", 0.5, "DTL exponent of the border term"},
	{"loss.dtl.weight", "dtl-weight", 1.0, "DTL multiplier of the border term"},
	{"loss.bsl.theta0", "bsl-theta0", 3, "boundary loss: odd window that extracts boundaries"},
	{"loss.bsl.theta", "bsl-theta", 5, "boundary loss: odd window that extends boundaries"},
	{"loss.bsl.weight", "bsl-weight", 0.5, "boundary loss: multiplier of the boundary term"},
	{"loss.abl.factor", "abl-factor", 0.1, "active-boundary loss: multiplier of the boundary term"},
	{"loss.abl.detach", "abl-detach", true, "active-boundary loss: detach neighbour distributions"},
	{"loss.abl.smoothing", "abl-smoothing", 0.2, "active-boundary loss: label smoothing of the direction CE"},
	{"loss.abl.max_ratio", "abl-max-ratio", 0.01, "active-boundary loss: cap on boundary pixels as a share of H*W"},
	{"loss.abl.max_dist", "abl-max-dist", 20.0, "active-boundary loss: distance clip"},
	{"optim.name", "optimizer", "adam", "solver: adam or sgd (with momentum)"},
	{"optim.lr", "lr", 0.003, "initial learning rate"},
	{"optim.momentum", "momentum", 0.9, "SGD momentum"},
	{"optim.weight_decay", "weight-decay", 0.0, "L2 weight decay"},
	{"optim.clip", "clip", 5.0, "rescale gradients to at most this global L2 norm (0: off)"},
	{"optim.schedule", "schedule", "cosine", "learning-rate schedule: cosine or step"},
	{"optim.lr_min", "lr-min", 0.0001, "final learning rate of the cosine schedule"},
	{"optim.step_epochs", "step-epochs", 10, "step schedule: epochs between decays"},
	{"optim.gamma", "gamma", 0.5, "step schedule: decay factor"},
	{"train.epochs", "epochs", 8, "number of epochs"},
	{"train.batch", "batch", 8, "patches per batch"},
	{"train.steps", "steps", 0, "batches per epoch (0: one pass over the training patches)"},
	{"train.seed", "seed", uint64(1), "random seed (same seed and config give the same loss curve)"},
	{"eval.window", "window", 0, "sliding window side for whole-section inference (0: whole sections)"},
	{"eval.stride", "window-stride", 0, "sliding window step (0: half the window)"},
	{"eval.tolerance", "boundary-tolerance", 3, "boundary F1 matching distance in pixels"},
	{"eval.every", "val-every", 1, "validate every N epochs (the last epoch always)"},
	{"out", "out", "", "run folder (default runs/<date-time>-<loss>)"},
}

// AddConfigFlags defines a flag for every configuration key on fs, with
// the built-in defaults.
func AddConfigFlags(fs *pflag.FlagSet) {
	for _, o := range options {
		switch d := o.def.(type) {
		case string:
			fs.String(o.flag, d, o.help)
		case int:
			fs.Int(o.flag, d, o.help)
		case uint64:
			fs.Uint64(o.flag, d, o.help)
		case float64:
			fs.Float64(o.flag, d, o.help)
		case bool:
			fs.Bool(o.flag, d, o.help)
		default:
			panic(fmt.Sprintf("config option %s: unsupported default %T", o.key, o.def))
		}
	}
}

// LoadConfig resolves the configuration: the built-in defaults, then the
// YAML file at path (if not empty), then SEGLOSS_<FLAG> environment
// variables, then the flags of fs that were set (fs may be nil). Keys of
// the file that Config does not have are an error naming them.
func LoadConfig(path string, fs *pflag.FlagSet) (Config, error) {
	v := viper.New()
	for _, o := range options {
		v.SetDefault(o.key, o.def)
		env := "SEGLOSS_" + strings.ToUpper(strings.ReplaceAll(o.flag, "-", "_"))
		if err := v.BindEnv(o.key, env); err != nil {
			return Config{}, err
		}
		if fs != nil {
			if f := fs.Lookup(o.flag); f != nil {
				if err := v.BindPFlag(o.key, f); err != nil {
					return Config{}, err
				}
			}
		}
	}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("config: %w", err)
		}
		if err := checkKeys(path, data); err != nil {
			return Config{}, err
		}
		v.SetConfigType("yaml")
		if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
			return Config{}, fmt.Errorf("config %s: %w", path, err)
		}
	}
	// Lists in the file (class_weights: [0.7, 0.9]) become comma lists.
	if raw, ok := v.Get("data.class_weights").([]any); ok {
		parts := make([]string, len(raw))
		for i, x := range raw {
			parts[i] = fmt.Sprint(x)
		}
		v.Set("data.class_weights", strings.Join(parts, ","))
	}
	var c Config
	if err := v.UnmarshalExact(&c); err != nil {
		return Config{}, fmt.Errorf("config %s: %w", orDefaults(path), err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("config %s: %w", orDefaults(path), err)
	}
	return c, nil
}

func orDefaults(path string) string {
	if path == "" {
		return "(built-in defaults)"
	}
	return path
}

// checkKeys reports every key of the YAML document that is not a key of
// Config, with the name of the file.
func checkKeys(path string, data []byte) error {
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	known := map[string]bool{}
	for _, o := range options {
		parts := strings.Split(o.key, ".")
		for i := 1; i < len(parts); i++ {
			known[strings.Join(parts[:i], ".")+"."] = true
		}
		known[o.key] = true
	}
	var unknown []string
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, val := range m {
			key := prefix + k
			if sub, ok := val.(map[string]any); ok && known[key+"."] {
				walk(key+".", sub)
				continue
			}
			if !known[key] {
				unknown = append(unknown, key)
			}
		}
	}
	walk("", doc)
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return fmt.Errorf("config %s: unknown keys %s (known keys: see segloss train --help)", path, strings.Join(unknown, ", "))
	}
	return nil
}

// Validate reports every invalid value of c in one error.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if c.Data.Source != "synthetic" && c.Data.Source != "f3" {
		bad("data.source must be synthetic or f3, got %q", c.Data.Source)
	}
	if _, err := dataset.ParseSynthSize(c.Data.SynthSize); err != nil {
		bad("data.synth_size: %v", err)
	}
	if c.Data.ValFraction <= 0 || c.Data.ValFraction >= 1 {
		bad("data.val_fraction must be between 0 and 1, got %g", c.Data.ValFraction)
	}
	if c.Data.Patch < 8 {
		bad("data.patch must be at least 8, got %d", c.Data.Patch)
	}
	if k := 1 << max(c.Model.Depth-1, 0); c.Model.Depth >= 1 && c.Model.Depth <= 8 && c.Data.Patch%k != 0 {
		bad("data.patch %d must be a multiple of %d for a U-Net of depth %d", c.Data.Patch, k, c.Model.Depth)
	}
	if c.Model.Depth < 1 || c.Model.Depth > 8 || c.Model.Base < 1 {
		bad("model.depth must be 1..8 and model.base positive, got %d and %d", c.Model.Depth, c.Model.Base)
	}
	if c.Data.Stride < 1 {
		bad("data.stride must be positive, got %d", c.Data.Stride)
	}
	if _, _, err := ParseClassWeights(c.Data.ClassWeights); err != nil {
		bad("data.class_weights: %v", err)
	}
	if n := c.Data.Normalize; n != "none" && n != "meanstd" && n != "clip" {
		bad("data.normalize must be none, meanstd or clip, got %q", n)
	}
	if _, err := loss.ParseName(c.Loss.Name); err != nil {
		bad("loss.name: %v", err)
	}
	if _, err := loss.ParseMode(c.Loss.Mode); err != nil {
		bad("loss.mode: %v", err)
	}
	if r := c.Loss.Reduction; r != "" && r != "mean" && r != "sum" {
		bad("loss.reduction must be mean or sum, got %q", r)
	}
	if c.Optim.Name != "adam" && c.Optim.Name != "sgd" {
		bad("optim.name must be adam or sgd, got %q", c.Optim.Name)
	}
	if c.Optim.LR <= 0 {
		bad("optim.lr must be positive, got %g", c.Optim.LR)
	}
	if c.Optim.Schedule != "cosine" && c.Optim.Schedule != "step" {
		bad("optim.schedule must be cosine or step, got %q", c.Optim.Schedule)
	}
	if c.Optim.Schedule == "step" && (c.Optim.StepEpochs < 1 || c.Optim.Gamma <= 0) {
		bad("optim.step_epochs must be positive and optim.gamma above 0 for the step schedule")
	}
	if c.Optim.WeightDecay < 0 || c.Optim.Clip < 0 {
		bad("optim.weight_decay and optim.clip must not be negative")
	}
	if c.Train.Epochs < 1 || c.Train.Batch < 1 || c.Train.Steps < 0 {
		bad("train.epochs and train.batch must be positive and train.steps not negative, got %d, %d, %d",
			c.Train.Epochs, c.Train.Batch, c.Train.Steps)
	}
	if c.Eval.Window < 0 || c.Eval.Stride < 0 || c.Eval.Tolerance < 0 || c.Eval.Every < 1 {
		bad("eval.window, eval.stride and eval.tolerance must not be negative and eval.every must be positive")
	}
	if c.Eval.Window > 0 && c.Eval.Stride > c.Eval.Window {
		bad("eval.stride %d is larger than eval.window %d: sections would have gaps", c.Eval.Stride, c.Eval.Window)
	}
	return errors.Join(errs...)
}

// ParseClassWeights reads a class-weight setting: "none" (or empty), a
// method of dataset.ClassWeights computed on the training part ("inverse",
// "median", "one-minus"; "auto" is "median"), or a comma list of weights.
// It returns the method, or the list with an empty method.
func ParseClassWeights(s string) (method string, w []float64, err error) {
	s = strings.TrimSpace(strings.Trim(strings.TrimSpace(s), "[]"))
	switch m := strings.ToLower(s); m {
	case "", "none":
		return "none", nil, nil
	case "auto":
		return "median", nil, nil
	case "inverse", "median", "one-minus":
		return m, nil, nil
	}
	for _, p := range strings.Split(s, ",") {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || x < 0 || !finite(x) {
			return "", nil, fmt.Errorf("want none, auto, inverse, median, one-minus or a comma list of weights, got %q", s)
		}
		w = append(w, x)
	}
	return "", w, nil
}

// WriteYAML writes the resolved configuration as YAML.
func (c Config) WriteYAML(w io.Writer) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(c); err != nil {
		return err
	}
	return enc.Close()
}
