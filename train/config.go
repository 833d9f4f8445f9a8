package train

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/segloss/segloss/dataset"
	"github.com/segloss/segloss/internal/strdist"
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
	// SEGYFile, for the f3 source, takes the seismic from this SEG-Y
	// instead of the *_seismic.npy files (labels stay npy, placed by
	// inline and crossline numbers). Empty: the SEG-Y registered by
	// `segloss fetch-data --segy-file` in Dir, if any.
	SEGYFile string `mapstructure:"segy_file" yaml:"segy_file"`
	// IlineByte and XlineByte are the trace-header bytes of the inline and
	// crossline numbers of SEGYFile.
	IlineByte int `mapstructure:"iline_byte" yaml:"iline_byte"`
	XlineByte int `mapstructure:"xline_byte" yaml:"xline_byte"`
	// SampleOffset is the SEG-Y sample of label sample 0; -1 (auto) takes
	// the survey's survey.json, else searches it by cross-correlation.
	SampleOffset int `mapstructure:"sample_offset" yaml:"sample_offset"`
	// FindOffset searches the offset even when survey.json gives one.
	FindOffset bool `mapstructure:"find_offset" yaml:"find_offset"`
	// MinCorrelation is the weakest accepted alignment of a searched offset.
	MinCorrelation float64 `mapstructure:"min_correlation" yaml:"min_correlation"`
	// AllowPoorMatch accepts a searched offset below MinCorrelation.
	AllowPoorMatch bool `mapstructure:"allow_poor_match" yaml:"allow_poor_match"`
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
	{"data.segy_file", "segy-file", "", "f3: seismic from this SEG-Y instead of the npy files (empty: the one registered by fetch-data, if any)"},
	{"data.iline_byte", "iline-byte", 189, "trace header byte of the inline number in --segy-file"},
	{"data.xline_byte", "xline-byte", 193, "trace header byte of the crossline number in --segy-file"},
	{"data.sample_offset", "sample-offset", -1, "SEG-Y sample of label sample 0 (-1: survey.json's, else found by cross-correlation)"},
	{"data.find_offset", "find-offset", false, "search the sample offset by cross-correlation even when survey.json gives one"},
	{"data.min_correlation", "min-correlation", 0.8, "weakest accepted correlation of a searched sample offset"},
	{"data.allow_poor_match", "allow-poor-match", false, "accept a searched sample offset below --min-correlation"},
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
// the built-in defaults. Each flag's help ends with its YAML key in
// brackets, e.g. --dtl-dilate [loss.dtl.dilate].
func AddConfigFlags(fs *pflag.FlagSet) {
	for _, o := range options {
		help := o.help + " [" + o.key + "]"
		switch d := o.def.(type) {
		case string:
			fs.String(o.flag, d, help)
		case int:
			fs.Int(o.flag, d, help)
		case uint64:
			fs.Uint64(o.flag, d, help)
		case float64:
			fs.Float64(o.flag, d, help)
		case bool:
			fs.Bool(o.flag, d, help)
		default:
			panic(fmt.Sprintf("config option %s: unsupported default %T", o.key, o.def))
		}
	}
}

// FlagForKey returns the flag name (without dashes) of a configuration
// key, such as "dtl-dilate" for "loss.dtl.dilate".
func FlagForKey(key string) (string, bool) {
	for _, o := range options {
		if o.key == key {
			return o.flag, true
		}
	}
	return "", false
}

// envVar is the environment variable of a configuration flag.
func envVar(flag string) string {
	return "SEGLOSS_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// DefaultConfig returns the built-in defaults, ignoring the environment.
func DefaultConfig() Config {
	v := viper.New()
	for _, o := range options {
		v.SetDefault(o.key, o.def)
	}
	var c Config
	if err := v.UnmarshalExact(&c); err != nil {
		panic(fmt.Sprintf("built-in configuration defaults: %v", err))
	}
	return c
}

// LoadConfig resolves the configuration: the built-in defaults, then the
// YAML file at path (if not empty), then SEGLOSS_<FLAG> environment
// variables, then the flags of fs that were set (fs may be nil). Keys of
// the file that Config does not have are an error naming them (with the
// closest known key). Every invalid value is reported with where it came
// from: the flag, the environment variable, or the file and key.
func LoadConfig(path string, fs *pflag.FlagSet) (Config, error) {
	v := viper.New()
	for _, o := range options {
		v.SetDefault(o.key, o.def)
		if err := v.BindEnv(o.key, envVar(o.flag)); err != nil {
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
	src := configSources{v: v, fs: fs, path: path}
	var probs []problem
	for _, o := range options {
		if msg := typeProblem(v.Get(o.key), o.def); msg != "" {
			probs = append(probs, problem{o.key, msg})
		}
	}
	if len(probs) > 0 {
		return Config{}, src.error(probs)
	}
	var c Config
	if err := v.UnmarshalExact(&c); err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	if probs := c.problems(); len(probs) > 0 {
		return Config{}, src.error(probs)
	}
	return c, nil
}

// problem is one invalid value: its key and what is wrong with it. A
// problem that no single key causes has an empty key.
type problem struct{ key, msg string }

// configSources names where the value of a key came from.
type configSources struct {
	v    *viper.Viper
	fs   *pflag.FlagSet
	path string
}

// describe names the origin of key's value: "flag --loss",
// "SEGLOSS_LOSS=foo (flag --loss)", "c.yaml: loss.name (flag --loss)" or
// "built-in default of loss.name (flag --loss)".
func (s configSources) describe(key string) string {
	flag, ok := FlagForKey(key)
	if !ok {
		return key
	}
	env := envVar(flag)
	envVal, envSet := os.LookupEnv(env)
	if s.fs != nil {
		if f := s.fs.Lookup(flag); f != nil && f.Changed {
			// The root command copies SEGLOSS_* values into flags.
			if envSet && envVal == f.Value.String() {
				return fmt.Sprintf("%s=%s (flag --%s)", env, envVal, flag)
			}
			return "flag --" + flag
		}
	}
	if envSet {
		return fmt.Sprintf("%s=%s (flag --%s)", env, envVal, flag)
	}
	if s.path != "" && s.v.InConfig(key) {
		return fmt.Sprintf("%s: %s (flag --%s)", s.path, key, flag)
	}
	return fmt.Sprintf("built-in default of %s (flag --%s)", key, flag)
}

// error joins the problems, each prefixed with the origin of its value.
func (s configSources) error(probs []problem) error {
	errs := make([]error, len(probs))
	for i, p := range probs {
		if p.key == "" {
			errs[i] = errors.New(p.msg)
			continue
		}
		errs[i] = fmt.Errorf("%s: %s", s.describe(p.key), p.msg)
	}
	return errors.Join(errs...)
}

// typeProblem says why val cannot be a value of the type of def ("" when
// it can).
func typeProblem(val, def any) string {
	switch val.(type) {
	case map[string]any, []any:
		return "want a single value, got a list or a section"
	case nil:
		return ""
	}
	s := strings.TrimSpace(fmt.Sprint(val))
	switch def.(type) {
	case int:
		if _, err := strconv.Atoi(s); err == nil {
			return ""
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return ""
		}
		return fmt.Sprintf("%q is not a whole number", s)
	case uint64:
		if _, err := strconv.ParseUint(s, 10, 64); err != nil {
			return fmt.Sprintf("%q is not a whole number >= 0", s)
		}
	case float64:
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return fmt.Sprintf("%q is not a number", s)
		}
	case bool:
		if _, err := strconv.ParseBool(s); err != nil {
			return fmt.Sprintf("%q is not true or false", s)
		}
	}
	return ""
}

// checkKeys reports every key of the YAML document that is not a key of
// Config, with the name of the file and the closest known key.
func checkKeys(path string, data []byte) error {
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	sections := map[string]bool{}
	leaves := map[string]bool{}
	for _, o := range options {
		parts := strings.Split(o.key, ".")
		for i := 1; i < len(parts); i++ {
			sections[strings.Join(parts[:i], ".")] = true
		}
		leaves[o.key] = true
	}
	var unknown []string
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, val := range m {
			key := prefix + k
			sub, isMap := val.(map[string]any)
			switch {
			case isMap && sections[key]:
				walk(key+".", sub)
			case sections[key]:
				unknown = append(unknown, fmt.Sprintf("%s is a section (keys %s...), not a value", key, firstKeyUnder(key)))
			case !leaves[key]:
				msg := "unknown key " + key
				if s := suggestKey(key); s != "" {
					msg += " (did you mean " + s + "?)"
				}
				unknown = append(unknown, msg)
			}
		}
	}
	walk("", doc)
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return fmt.Errorf("config %s: %s (every key is listed with its flag in segloss train --help)", path, strings.Join(unknown, "; "))
	}
	return nil
}

// firstKeyUnder returns the first configuration key in section.
func firstKeyUnder(section string) string {
	for _, o := range options {
		if strings.HasPrefix(o.key, section+".") {
			return o.key
		}
	}
	return section
}

// suggestKey returns the known key or section closest to an unknown key
// (by edit distance on the whole key, on its last part and on the flag
// names), or "" when none is close.
func suggestKey(key string) string {
	norm := func(s string) string { return strings.ReplaceAll(strings.ToLower(s), "-", "_") }
	k := norm(key)
	leaf := k[strings.LastIndex(k, ".")+1:]
	best, bestD := "", math.MaxInt
	try := func(cand string, d int) {
		if d < bestD || (d == bestD && len(cand) < len(best)) {
			best, bestD = cand, d
		}
	}
	seen := map[string]bool{}
	for _, o := range options {
		parts := strings.Split(o.key, ".")
		for i := 1; i <= len(parts); i++ {
			if cand := strings.Join(parts[:i], "."); !seen[cand] {
				seen[cand] = true
				try(cand, strdist.Distance(k, cand))
			}
		}
		try(o.key, strdist.Distance(leaf, parts[len(parts)-1]))
		try(o.key, strdist.Distance(k, norm(o.flag)))
	}
	if bestD > 2 || bestD*3 > len(leaf) {
		return ""
	}
	return best
}

// Validate reports every invalid value of c in one error, each as
// "key: problem".
func (c Config) Validate() error {
	probs := c.problems()
	errs := make([]error, len(probs))
	for i, p := range probs {
		if p.key == "" {
			errs[i] = errors.New(p.msg)
		} else {
			errs[i] = fmt.Errorf("%s: %s", p.key, p.msg)
		}
	}
	return errors.Join(errs...)
}

// positive reports whether x is a finite number above 0.
func positive(x float64) bool { return x > 0 && finite(x) }

// problems lists every invalid value of c.
func (c Config) problems() []problem {
	var ps []problem
	bad := func(key, format string, a ...any) { ps = append(ps, problem{key, fmt.Sprintf(format, a...)}) }
	d := c.Data
	if d.Source != "synthetic" && d.Source != "f3" {
		bad("data.source", "%q: want synthetic or f3", d.Source)
	}
	if _, err := dataset.ParseSynthSize(d.SynthSize); err != nil {
		bad("data.synth_size", "%v", err)
	}
	if !(d.ValFraction > 0 && d.ValFraction < 1) {
		bad("data.val_fraction", "%g: want a share between 0 and 1", d.ValFraction)
	}
	depthOK := c.Model.Depth >= 1 && c.Model.Depth <= 8
	if k := 1 << max(c.Model.Depth-1, 0); d.Patch < 8 {
		bad("data.patch", "%d: want at least 8 pixels", d.Patch)
	} else if depthOK && d.Patch%k != 0 {
		bad("data.patch", "%d: want a multiple of %d for a U-Net of depth %d (--depth)", d.Patch, k, c.Model.Depth)
	}
	if d.Stride < 1 {
		bad("data.stride", "%d: want at least 1 pixel", d.Stride)
	}
	_, list, err := ParseClassWeights(d.ClassWeights)
	if err != nil {
		bad("data.class_weights", "%v", err)
	} else if list != nil && len(list) != dataset.NumClasses {
		bad("data.class_weights", "%d weights for %d classes (%s)", len(list), dataset.NumClasses,
			strings.Join(dataset.ClassNames[:], ", "))
		list = nil
	}
	if n := d.Normalize; n != "none" && n != "meanstd" && n != "clip" {
		bad("data.normalize", "%q: want none, meanstd or clip", n)
	}
	if d.SEGYFile != "" && d.Source != "f3" {
		bad("data.segy_file", "%s: only the f3 source reads a SEG-Y (the synthetic survey brings its own)", d.SEGYFile)
	}
	if d.IlineByte < 1 || d.IlineByte > 237 {
		bad("data.iline_byte", "%d: want a trace header byte 1..237", d.IlineByte)
	}
	if d.XlineByte < 1 || d.XlineByte > 237 {
		bad("data.xline_byte", "%d: want a trace header byte 1..237", d.XlineByte)
	} else if d.XlineByte == d.IlineByte {
		bad("data.xline_byte", "%d is also the inline byte (--iline-byte)", d.XlineByte)
	}
	if d.SampleOffset < -1 {
		bad("data.sample_offset", "%d: want a SEG-Y sample index >= 0, or -1 to find it", d.SampleOffset)
	}
	if d.SampleOffset >= 0 && d.FindOffset {
		bad("data.find_offset", "cannot search the offset that data.sample_offset (--sample-offset %d) sets", d.SampleOffset)
	}
	if !(d.MinCorrelation > 0 && d.MinCorrelation <= 1) {
		bad("data.min_correlation", "%g: want a correlation in (0, 1]", d.MinCorrelation)
	}

	m := c.Model
	if !depthOK {
		bad("model.depth", "%d: want 1..8 levels", m.Depth)
	}
	if m.Base < 1 || m.Base > 1024 {
		bad("model.base", "%d: want 1..1024 channels", m.Base)
	}
	if m.Upsample != "nearest" && m.Upsample != "learned" {
		bad("model.upsample", "%q: want nearest or learned", m.Upsample)
	}

	ps = append(ps, c.lossProblems(list)...)

	o := c.Optim
	if o.Name != "adam" && o.Name != "sgd" {
		bad("optim.name", "%q: want adam or sgd", o.Name)
	}
	if !positive(o.LR) {
		bad("optim.lr", "%g: want a positive learning rate", o.LR)
	}
	if !(o.Momentum >= 0 && o.Momentum < 1) {
		bad("optim.momentum", "%g: want a value in [0, 1)", o.Momentum)
	}
	if !(o.WeightDecay >= 0 && finite(o.WeightDecay)) {
		bad("optim.weight_decay", "%g: want a value >= 0", o.WeightDecay)
	}
	if !(o.Clip >= 0 && finite(o.Clip)) {
		bad("optim.clip", "%g: want a gradient norm >= 0 (0: off)", o.Clip)
	}
	if o.Schedule != "cosine" && o.Schedule != "step" {
		bad("optim.schedule", "%q: want cosine or step", o.Schedule)
	}
	if !(o.LRMin >= 0 && finite(o.LRMin)) {
		bad("optim.lr_min", "%g: want a learning rate >= 0", o.LRMin)
	} else if o.Schedule == "cosine" && positive(o.LR) && o.LRMin > o.LR {
		bad("optim.lr_min", "%g is above the initial learning rate %g (--lr)", o.LRMin, o.LR)
	}
	if o.StepEpochs < 1 {
		bad("optim.step_epochs", "%d: want at least 1 epoch", o.StepEpochs)
	}
	if !(o.Gamma > 0 && o.Gamma <= 1) {
		bad("optim.gamma", "%g: want a decay factor in (0, 1]", o.Gamma)
	}

	t := c.Train
	if t.Epochs < 1 {
		bad("train.epochs", "%d: want at least 1", t.Epochs)
	}
	if t.Batch < 1 {
		bad("train.batch", "%d: want at least 1 patch", t.Batch)
	}
	if t.Steps < 0 {
		bad("train.steps", "%d: want 0 (one pass) or more", t.Steps)
	}

	e := c.Eval
	if e.Window < 0 {
		bad("eval.window", "%d: want 0 (whole sections) or a window side", e.Window)
	}
	if e.Stride < 0 {
		bad("eval.stride", "%d: want 0 (half the window) or a step", e.Stride)
	} else if e.Window > 0 && e.Stride > e.Window {
		bad("eval.stride", "%d is larger than the window %d (--window): sections would have gaps", e.Stride, e.Window)
	}
	if e.Tolerance < 0 {
		bad("eval.tolerance", "%d: want a distance >= 0 pixels", e.Tolerance)
	}
	if e.Every < 1 {
		bad("eval.every", "%d: want at least 1 epoch", e.Every)
	}
	return ps
}

// lossProblems checks the loss section: the name, the mode and every
// parameter's range (of every loss, so that a typo shows before a long
// run switches losses), then the loss package's own check with the class
// weights w. Zero stands for "the default" in loss.Spec, so parameters
// that must be positive are checked here rather than defaulted there.
func (c Config) lossProblems(w []float64) []problem {
	var ps []problem
	bad := func(key, format string, a ...any) { ps = append(ps, problem{key, fmt.Sprintf(format, a...)}) }
	l := c.Loss
	if _, err := loss.ParseName(l.Name); err != nil {
		bad("loss.name", "unknown loss %q: want ce, dtl, boundary (bsl) or active-boundary (abl)", l.Name)
	}
	if _, err := loss.ParseMode(l.Mode); err != nil {
		bad("loss.mode", "%q: want default or compat", l.Mode)
	}
	if r := l.Reduction; r != "" && r != "mean" && r != "sum" {
		bad("loss.reduction", "%q: want mean, sum or empty (each loss's default)", r)
	}
	if l.IgnoreIndex >= 0 && l.IgnoreIndex < dataset.NumClasses {
		bad("loss.ignore_index", "%d is the class %s: want 255 (the default) or -1 (none)", l.IgnoreIndex,
			dataset.ClassNames[l.IgnoreIndex])
	} else if l.IgnoreIndex < -1 || l.IgnoreIndex > 255 {
		bad("loss.ignore_index", "%d: want a label value 0..255 or -1 (none)", l.IgnoreIndex)
	}
	if l.DTL.Dilate < 0 {
		bad("loss.dtl.dilate", "%d: want a tolerance band >= 0 pixels", l.DTL.Dilate)
	}
	if !positive(l.DTL.Power) {
		bad("loss.dtl.power", "%g: want a positive exponent", l.DTL.Power)
	}
	if !positive(l.DTL.Weight) {
		bad("loss.dtl.weight", "%g: want a positive multiplier", l.DTL.Weight)
	}
	for _, th := range []struct {
		key string
		v   int
	}{{"loss.bsl.theta0", l.BSL.Theta0}, {"loss.bsl.theta", l.BSL.Theta}} {
		if th.v < 1 || th.v%2 == 0 {
			bad(th.key, "%d: want an odd window of at least 1 pixel", th.v)
		}
	}
	if !positive(l.BSL.Weight) {
		bad("loss.bsl.weight", "%g: want a positive multiplier", l.BSL.Weight)
	}
	if !positive(l.ABL.Factor) {
		bad("loss.abl.factor", "%g: want a positive multiplier", l.ABL.Factor)
	}
	if !(l.ABL.Smoothing >= 0 && l.ABL.Smoothing <= 1) {
		bad("loss.abl.smoothing", "%g: want a label smoothing in [0, 1]", l.ABL.Smoothing)
	}
	if !(l.ABL.MaxRatio > 0 && l.ABL.MaxRatio <= 1) {
		bad("loss.abl.max_ratio", "%g: want a share of the pixels in (0, 1]", l.ABL.MaxRatio)
	}
	if !positive(l.ABL.MaxDist) {
		bad("loss.abl.max_dist", "%g: want a positive distance", l.ABL.MaxDist)
	}
	if len(ps) > 0 {
		return ps
	}
	spec, err := LossSpec(c, w)
	if err == nil {
		err = spec.Validate(dataset.NumClasses)
	}
	if err != nil {
		key := "loss.name"
		if strings.Contains(err.Error(), "reduction") {
			key = "loss.reduction"
		}
		bad(key, "%v", err)
	}
	return ps
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
