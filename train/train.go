// Package train is the training loop of segloss and everything around it:
// the configuration, validation and evaluation over whole sections, the
// metrics of the F3 benchmark, prediction into SEG-Y, run folders with
// logs, checkpoints and pictures.
package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/segloss/segloss/dataset"
	"github.com/segloss/segloss/loss"
	"github.com/segloss/segloss/model"
)

// Options are the parts of a run that are not configuration.
type Options struct {
	// Resume continues the run in Config.Out from its last.ckpt.
	Resume bool
	// Log receives one line per epoch and a summary (nil: discarded).
	Log io.Writer
	// Progress receives the per-epoch progress bars (nil: none).
	Progress io.Writer
	// Now stamps the default run folder (nil: time.Now).
	Now func() time.Time
	// OnStep, if not nil, is called after every training step with the
	// number of steps done so far in the run and the step's loss.
	OnStep func(global int, loss float64)
}

// Result is what a finished (or interrupted) run leaves behind.
type Result struct {
	// Dir is the run folder.
	Dir string
	// Metrics are the validation metrics of the last epoch.
	Metrics Metrics
	// History holds one record per finished epoch.
	History []EpochRecord
	// ClassNames name the classes of the metrics.
	ClassNames []string
}

// ErrInterrupted is returned (wrapped) when the context is cancelled during
// training; last.ckpt then holds the exact position to resume from.
var ErrInterrupted = errors.New("training interrupted")

// Train runs a training job: it prepares the data, builds or restores the
// model, and trains for cfg.Train.Epochs epochs, validating, logging and
// checkpointing into the run folder. When ctx is cancelled it saves
// last.ckpt at the current step and returns an error wrapping
// ErrInterrupted.
func Train(ctx context.Context, cfg Config, opt Options) (*Result, error) {
	logw := opt.Log
	if logw == nil {
		logw = io.Discard
	}
	dir, err := runDir(cfg, opt)
	if err != nil {
		return nil, err
	}
	cfg.Out = dir

	data, err := LoadData(cfg, logw)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(logw, "data: train %s %dx%dx%d, validation %s %dx%dx%d\n", data.Train.Name, data.Train.NI, data.Train.NX,
		data.Train.NS, data.Val.Name, data.Val.NI, data.Val.NX, data.Val.NS)

	spec, err := LossSpec(cfg, data.Weights)
	if err != nil {
		return nil, err
	}
	st := &state{}
	var net *model.Model
	var solver model.Solver
	if opt.Resume {
		ck, err := LoadCheckpoint(filepath.Join(dir, "last.ckpt"))
		if err != nil {
			return nil, fmt.Errorf("resume: %w", err)
		}
		net, st = ck.Model, &ck.Meta.State
		if want := cfg.ModelConfig().WithDefaults(); net.Config() != want {
			return nil, fmt.Errorf("resume: %s holds a %v, the configuration asks for a %v", filepath.Join(dir, "last.ckpt"), net.Config(), want)
		}
		data.Norm = ck.Meta.Norm
		if solver, err = newSolver(cfg.Optim); err != nil {
			return nil, err
		}
		if ck.Solver == nil {
			return nil, fmt.Errorf("resume: %s holds no solver state", filepath.Join(dir, "last.ckpt"))
		}
		if err := solver.SetState(*ck.Solver); err != nil {
			return nil, fmt.Errorf("resume: %w", err)
		}
		if err := writeConfig(dir, cfg); err != nil { // flags may have changed, e.g. more epochs
			return nil, err
		}
		fmt.Fprintf(logw, "resuming %s at epoch %d, step %d\n", dir, st.Epoch+1, st.Step)
	} else {
		if net, err = model.New(cfg.ModelConfig(), int64(cfg.Train.Seed)); err != nil {
			return nil, err
		}
		if solver, err = newSolver(cfg.Optim); err != nil {
			return nil, err
		}
		st.Best = math.Inf(-1)
		if err := writeConfig(dir, cfg); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(logw, "model: %v, %d parameters; loss %s (%s); %s lr %g %s\n", net.Config(), net.NumParams(),
		spec.Name, spec.Mode, cfg.Optim.Name, cfg.Optim.LR, cfg.Optim.Schedule)

	patches, err := dataset.PatchGrid(data.Train, cfg.Data.Patch, cfg.Data.Stride)
	if err != nil {
		return nil, err
	}
	aug := dataset.Augment{}
	if cfg.Data.Augment {
		aug = dataset.DefaultAugment()
	}
	batch := min(cfg.Train.Batch, len(patches))
	loader, err := dataset.NewLoader(dataset.LoaderConfig{Volume: data.Train, Patches: patches,
		PatchSize: cfg.Data.Patch, BatchSize: batch, Shuffle: true, Seed: cfg.Train.Seed,
		Augment: aug, Norm: data.Norm, Prefetch: 2, DropLast: true})
	if err != nil {
		return nil, err
	}
	steps := cfg.Train.Steps
	if steps == 0 {
		steps = loader.NumBatches()
	}

	var labels []int32 // the labels of the batch being trained on
	lossFn := func(logits, grad []float32, n, c, h, w int) (float64, error) {
		return loss.Compute(spec, logits, labels, loss.Shape{N: n, C: c, H: h, W: w}, grad)
	}
	trainer, err := net.NewTrainer(batch, cfg.Data.Patch, cfg.Data.Patch, lossFn, solver)
	if err != nil {
		return nil, err
	}
	defer trainer.Close()
	infer := Inferer{Predict: net.Predict, Classes: net.Config().Classes, Window: cfg.Eval.Window,
		Stride: cfg.Eval.Stride, Batch: batch, Norm: data.Norm}
	meta := func() CheckpointMeta {
		return CheckpointMeta{Config: cfg, Norm: data.Norm, ClassNames: data.ClassNames, State: *st}
	}
	save := func(name string) error {
		return SaveCheckpoint(filepath.Join(dir, name), net, solver, meta())
	}

	res := &Result{Dir: dir, History: st.History, ClassNames: data.ClassNames}
	for st.Epoch < cfg.Train.Epochs {
		start := time.Now()
		bar := newBar(opt.Progress, steps, fmt.Sprintf("epoch %d/%d", st.Epoch+1, cfg.Train.Epochs))
		bar.Set(st.Step)
		err := trainEpoch(ctx, st, cfg, loader, steps, func(b *dataset.Batch) (float64, error) {
			solver.SetLearningRate(learningRate(cfg.Optim, st.Epoch, st.Global, cfg.Train.Epochs*steps))
			labels = b.Y
			l, err := trainer.Step(b.X)
			if err == nil && opt.OnStep != nil {
				opt.OnStep(st.Global+1, l)
			}
			return l, err
		}, bar)
		if err == nil {
			bar.Finish()
		} else {
			bar.Clear()
			bar.Exit()
		}
		// interrupted saves the position (a resumed run skips the batches
		// already trained on) and says how to continue.
		interrupted := func() error {
			if serr := save("last.ckpt"); serr != nil {
				return errors.Join(ErrInterrupted, serr)
			}
			fmt.Fprintf(logw, "interrupted at epoch %d, step %d/%d: saved %s; continue with --resume --out %s\n",
				st.Epoch+1, st.Step, steps, filepath.Join(dir, "last.ckpt"), dir)
			return ErrInterrupted
		}
		if errors.Is(err, ErrInterrupted) {
			return res, interrupted()
		}
		if err != nil {
			return res, fmt.Errorf("epoch %d: %w", st.Epoch+1, err)
		}
		rec := EpochRecord{Epoch: st.Epoch + 1, Step: st.Global, LR: solver.LearningRate(),
			TrainLoss: st.LossSum / float64(steps)}
		last := st.Epoch+1 == cfg.Train.Epochs
		if (st.Epoch+1)%cfg.Eval.Every == 0 || last {
			sc, err := infer.Score(ctx, data.Val, cfg.Eval.Tolerance, nil)
			if err != nil && ctx.Err() != nil {
				return res, interrupted()
			}
			if err != nil {
				return res, err
			}
			res.Metrics = sc.Metrics()
			rec.PA, rec.MCA, rec.FWIU, rec.MIoU, rec.BoundaryF1 = res.Metrics.PA, res.Metrics.MCA,
				res.Metrics.FWIU, res.Metrics.MIoU, res.Metrics.BoundaryF1
		} else {
			rec.PA, rec.MCA, rec.FWIU, rec.MIoU, rec.BoundaryF1 = math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()
		}
		rec.Seconds = time.Since(start).Seconds()
		st.History = append(st.History, rec)
		st.Step, st.LossSum = 0, 0
		res.History = st.History
		fmt.Fprintf(logw, "epoch %3d  loss %.4f  lr %.2e  val PA %s MCA %s FWIU %s mIoU %s BF1 %s  %.0fs\n",
			rec.Epoch, rec.TrainLoss, rec.LR, fmtScore(rec.PA), fmtScore(rec.MCA), fmtScore(rec.FWIU),
			fmtScore(rec.MIoU), fmtScore(rec.BoundaryF1), rec.Seconds)

		improved := finite(rec.MIoU) && rec.MIoU > st.Best
		if improved {
			st.Best = rec.MIoU
		}
		st.Epoch++
		if err := save("last.ckpt"); err != nil {
			return res, err
		}
		if improved {
			if err := save("best.ckpt"); err != nil {
				return res, err
			}
		}
		if err := WriteHistory(dir, st.History); err != nil {
			return res, err
		}
		if err := WriteHistoryPNG(filepath.Join(dir, "history.png"), st.History); err != nil {
			return res, err
		}
		if finite(rec.PA) {
			if err := WriteMetricsJSON(filepath.Join(dir, "metrics.json"), res.Metrics); err != nil {
				return res, err
			}
		}
	}
	if err := writeValPictures(dir, infer, data); err != nil {
		return res, err
	}
	return res, nil
}

// state is the position of a run, saved in every checkpoint so that a
// resumed run continues the same loss curve.
type state struct {
	// Epoch counts the finished epochs; Step the batches done in the next.
	Epoch, Step int
	// Global counts every batch trained on.
	Global int
	// LossSum adds the losses of the Step batches of the current epoch.
	LossSum float64
	// Best is the best validation mIoU so far (best.ckpt).
	Best float64
	// History holds the records of the finished epochs.
	History []EpochRecord
}

// trainEpoch runs the remaining steps of the current epoch. Batches come
// from the loader's reproducible stream, so skipping the first st.Step
// batches continues an interrupted epoch exactly.
func trainEpoch(ctx context.Context, st *state, cfg Config, loader *dataset.Loader, steps int,
	step func(*dataset.Batch) (float64, error), bar *progressbar.ProgressBar) error {
	perPass := loader.NumBatches()
	for pass := 0; pass*perPass < steps; pass++ {
		if (pass+1)*perPass <= st.Step {
			continue
		}
		it := loader.Epoch(st.Epoch*1024 + pass)
		for k := pass * perPass; k < min((pass+1)*perPass, steps); k++ {
			b, ok := it.Next()
			if !ok {
				it.Close()
				return fmt.Errorf("loader ended after %d of %d batches", k-pass*perPass, perPass)
			}
			if k < st.Step {
				continue
			}
			if ctx.Err() != nil {
				it.Close()
				return ErrInterrupted
			}
			l, err := step(b)
			if err != nil {
				it.Close()
				return err
			}
			if !finite(l) {
				it.Close()
				return fmt.Errorf("loss is %v at step %d (lower --lr or use --clip)", l, st.Global+1)
			}
			st.LossSum += l
			st.Step++
			st.Global++
			bar.Describe(fmt.Sprintf("epoch %d/%d loss %.4f", st.Epoch+1, cfg.Train.Epochs, st.LossSum/float64(st.Step)))
			bar.Add(1)
		}
		it.Close()
	}
	return nil
}

// learningRate is the schedule: cosine from LR to LRMin over all steps, or
// LR times Gamma every StepEpochs epochs.
func learningRate(o OptimConfig, epoch, step, total int) float64 {
	if o.Schedule == "step" {
		return o.LR * math.Pow(o.Gamma, float64(epoch/o.StepEpochs))
	}
	if total <= 1 {
		return o.LR
	}
	t := float64(step) / float64(total-1)
	return o.LRMin + (o.LR-o.LRMin)*0.5*(1+math.Cos(math.Pi*t))
}

// newSolver builds the solver named in the configuration.
func newSolver(o OptimConfig) (model.Solver, error) {
	if o.Name == "sgd" {
		return model.NewSGD(model.SGDConfig{LearningRate: o.LR, Momentum: o.Momentum, WeightDecay: o.WeightDecay, ClipNorm: o.Clip})
	}
	return model.NewAdam(model.AdamConfig{LearningRate: o.LR, WeightDecay: o.WeightDecay, ClipNorm: o.Clip})
}

// ModelConfig is the U-Net configuration of c for single-channel seismic
// and the facies classes.
func (c Config) ModelConfig() model.Config {
	return model.Config{InChannels: 1, Classes: dataset.NumClasses, Depth: c.Model.Depth, Base: c.Model.Base,
		BatchNorm: c.Model.BatchNorm, Upsample: c.Model.Upsample}
}

// LossSpec turns the loss section of c into a loss.Spec with the class
// weights w (nil: none).
func LossSpec(c Config, w []float64) (loss.Spec, error) {
	name, err := loss.ParseName(c.Loss.Name)
	if err != nil {
		return loss.Spec{}, err
	}
	mode, err := loss.ParseMode(c.Loss.Mode)
	if err != nil {
		return loss.Spec{}, err
	}
	l := c.Loss
	return loss.Spec{Name: name, Mode: mode, IgnoreIndex: l.IgnoreIndex, Weights: w, Reduction: l.Reduction,
		Dilate: loss.Int(l.DTL.Dilate), Power: l.DTL.Power, BorderWeight: l.DTL.Weight,
		Theta0: l.BSL.Theta0, Theta: l.BSL.Theta, Beta: l.BSL.Weight,
		Factor: l.ABL.Factor, Detach: loss.Bool(l.ABL.Detach), Smoothing: loss.F64(l.ABL.Smoothing),
		MaxRatio: l.ABL.MaxRatio, MaxClip: l.ABL.MaxDist}, nil
}

// runDir returns the run folder, creating it: cfg.Out, or
// runs/<date-time>-<loss> for a new run. Resuming needs an existing folder
// with a last.ckpt; a new run refuses a folder that already has one.
func runDir(cfg Config, opt Options) (string, error) {
	dir := cfg.Out
	if opt.Resume {
		if dir == "" {
			return "", errors.New("resume: give the run folder with --out")
		}
		if _, err := os.Stat(filepath.Join(dir, "last.ckpt")); err != nil {
			return "", fmt.Errorf("resume: %w", err)
		}
		return dir, nil
	}
	if dir == "" {
		now := time.Now
		if opt.Now != nil {
			now = opt.Now
		}
		name, _ := loss.ParseName(cfg.Loss.Name)
		dir = filepath.Join("runs", now().Format("20060102-150405")+"-"+name)
	}
	if _, err := os.Stat(filepath.Join(dir, "last.ckpt")); err == nil {
		return "", fmt.Errorf("run folder %s already holds a run: use --resume to continue it or another --out", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return dir, nil
}

// writeConfig writes the resolved configuration as dir/config.yaml.
func writeConfig(dir string, cfg Config) error {
	return writeFileAtomic(filepath.Join(dir, "config.yaml"), cfg.WriteYAML)
}

// newBar returns a progress bar on w, or a silent one when w is nil.
func newBar(w io.Writer, n int, desc string) *progressbar.ProgressBar {
	if w == nil {
		return progressbar.DefaultSilent(int64(n), desc)
	}
	return progressbar.NewOptions(n, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("batch"),
		progressbar.OptionSetPredictTime(true), progressbar.OptionClearOnFinish(), progressbar.OptionThrottle(100*time.Millisecond))
}

// writeValPictures draws the middle inline and crossline of the validation
// volume with true and predicted facies.
func writeValPictures(dir string, in Inferer, data *Data) error {
	for _, d := range []dataset.Direction{dataset.InlineDir, dataset.CrosslineDir} {
		idx := data.Val.NumSections(d) / 2
		s, pred, err := in.SectionPrediction(data.Val, d, idx)
		if err != nil {
			return err
		}
		title := fmt.Sprintf("validation %s %d", d, s.Number)
		path := filepath.Join(dir, fmt.Sprintf("val-%s-%d.png", d, s.Number))
		if err := WriteSectionPNG(path, Section{Title: title, Seismic: s.Seismic, Truth: labels32(s.Labels),
			Pred: pred, H: s.Rows, W: s.Cols}, data.ClassNames); err != nil {
			return err
		}
	}
	return nil
}
