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
	"github.com/segloss/segloss/internal/fileutil"
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
	// Metrics are the validation metrics of the last epoch validated in
	// this call.
	Metrics Metrics
	// BestEpoch is the epoch saved as best.ckpt (0: none) and Best its
	// validation metrics (nil when unknown).
	BestEpoch int
	Best      *Metrics
	// History holds one record per finished epoch.
	History []EpochRecord
	// ClassNames name the classes of the metrics.
	ClassNames []string
	// Complete is set when a resumed run had already trained all its
	// epochs: nothing was done.
	Complete bool
}

// WriteSummary prints the end of a run (the folder was named when it
// started): which epoch is best.ckpt and its validation metrics, and the last epoch's mIoU when
// another epoch is best.
func (r *Result) WriteSummary(w io.Writer) error {
	if r.Best == nil {
		_, err := fmt.Fprintln(w, "no validation scores recorded")
		return err
	}
	fmt.Fprintf(w, "best epoch: %d of %d (validation mIoU %s), saved as %s\n", r.BestEpoch, len(r.History),
		fmtScore(r.Best.MIoU), filepath.Join(r.Dir, "best.ckpt"))
	if n := len(r.History); n > 0 && r.History[n-1].Epoch != r.BestEpoch && finite(r.History[n-1].MIoU) {
		fmt.Fprintf(w, "last epoch: %d (validation mIoU %s), saved as %s\n", r.History[n-1].Epoch,
			fmtScore(r.History[n-1].MIoU), filepath.Join(r.Dir, "last.ckpt"))
	}
	return r.Best.WriteTable(w, fmt.Sprintf("validation metrics of best.ckpt (epoch %d)", r.BestEpoch), r.ClassNames)
}

// ErrInterrupted is returned (wrapped) when the context is cancelled during
// training; last.ckpt then holds the exact position to resume from.
var ErrInterrupted = errors.New("training interrupted")

// Train runs a training job: it prepares the data, builds or restores the
// model, and trains for cfg.Train.Epochs epochs, validating, logging and
// checkpointing into the run folder. When ctx is cancelled it saves
// last.ckpt at the current step and returns an error wrapping
// ErrInterrupted. A new run that fails before its first epoch is done
// (an error, an interruption before the first step, or a failed write to
// opt.Log, such as a closed pipe) removes what it created of the run
// folder. Resuming a run that has
// trained all its epochs does nothing and returns a Result with Complete.
func Train(ctx context.Context, cfg Config, opt Options) (res *Result, err error) {
	s, err := newSession(cfg, opt)
	if err != nil {
		return nil, err
	}
	if s.complete != nil {
		return s.complete, nil
	}
	defer s.trainer.Close()
	defer func() {
		// A run without a finished epoch leaves nothing behind, unless an
		// interruption saved steps to resume from.
		if err != nil && !opt.Resume && s.st.Epoch == 0 && (!errors.Is(err, ErrInterrupted) || s.st.Global == 0) {
			s.folder.remove()
			fmt.Fprintf(s.log.w, "removed the run folder %s: the run stopped before its first epoch finished\n", s.dir)
		}
	}()
	res = &Result{Dir: s.dir, ClassNames: s.data.ClassNames, BestEpoch: s.st.BestEpoch, Best: s.st.BestMetrics,
		History: s.st.History}
	for s.st.Epoch < cfg.Train.Epochs {
		start := time.Now()
		err := s.trainSteps(ctx)
		if err == nil {
			err = s.validate(ctx, res)
		}
		if errors.Is(err, ErrInterrupted) || ctx.Err() != nil {
			return res, s.interrupted()
		}
		if err != nil {
			return res, fmt.Errorf("epoch %d: %w", s.st.Epoch+1, err)
		}
		if err := s.endEpoch(res, time.Since(start)); err != nil {
			return res, err
		}
	}
	if err := s.log.err; err != nil {
		return res, fmt.Errorf("writing the log: %w", err)
	}
	if err := writeValPictures(s.dir, s.infer, s.data); err != nil {
		return res, err
	}
	return res, nil
}

// session is a training run in progress.
type session struct {
	cfg     Config
	opt     Options
	dir     string
	log     *logWriter
	data    *Data
	net     *model.Model
	solver  model.Solver
	trainer *model.Trainer
	loader  *dataset.Loader
	infer   Inferer
	st      *RunState
	steps   int     // batches per epoch
	labels  []int32 // the labels of the batch being trained on
	lossErr error   // the loss function's error in the step being run
	rec     EpochRecord
	// pixels is the number of label pixels of a batch; reduction the
	// loss's ("sum" or "mean").
	pixels    int
	labelled  float64 // mean labelled pixels per batch of the epoch
	reduction string
	// notes are said once the run is ready (changes accepted on resume).
	notes  []string
	folder runFolder
	// complete is the result of resuming a run that has nothing left.
	complete *Result
}

// newSession prepares a run: folder, data, model and solver (fresh or from
// last.ckpt), loader and training graph. A resumed run whose epochs are all
// done gets s.complete and nothing else. A new run's folder is created
// only once the data and the model are ready, and removed again if
// preparing fails after that.
func newSession(cfg Config, opt Options) (_ *session, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if cfg, err = cfg.AbsPaths(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	s := &session{cfg: cfg, opt: opt, log: &logWriter{w: opt.Log}, st: &RunState{Best: math.Inf(-1)}}
	if s.log.w == nil {
		s.log.w = io.Discard
	}
	defer func() {
		if err != nil && !opt.Resume {
			s.folder.remove()
		}
	}()
	var ck *Checkpoint
	if opt.Resume {
		if s.dir, ck, err = openRun(cfg); err != nil {
			return nil, err
		}
		if s.notes, err = checkResume(s.dir, ck.Meta.Config, cfg, ck.Meta.State.Epoch); err != nil {
			return nil, err
		}
		if st := ck.Meta.State; st.Epoch >= cfg.Train.Epochs && st.Step == 0 {
			s.complete = completeResult(s.dir, ck)
			fmt.Fprintf(s.log, "run %s is complete: %d of %d epochs trained, nothing to resume; to train longer, "+
				"raise the number of epochs: segloss train --resume --out %s --epochs %d\n",
				s.dir, st.Epoch, cfg.Train.Epochs, s.dir, 2*st.Epoch)
			return s, nil
		}
	} else {
		if s.dir, err = newRunDir(cfg, opt, &s.folder); err != nil {
			return nil, err
		}
		fmt.Fprintf(s.log, "run folder: %s\n", s.dir)
	}
	s.cfg.Out = s.dir
	if s.data, err = LoadData(s.cfg, s.log); err != nil {
		return nil, err
	}
	d := s.data
	fmt.Fprintf(s.log, "data: train %s %dx%dx%d, validation %s %dx%dx%d\n", d.Train.Name, d.Train.NI, d.Train.NX,
		d.Train.NS, d.Val.Name, d.Val.NI, d.Val.NX, d.Val.NS)
	spec, err := LossSpec(cfg, d.Weights)
	if err != nil {
		return nil, err
	}
	if err := spec.Validate(dataset.NumClasses); err != nil {
		return nil, err
	}
	if s.solver, err = newSolver(cfg.Optim); err != nil {
		return nil, err
	}
	if opt.Resume {
		err = s.restore(ck)
	} else {
		s.net, err = model.New(cfg.ModelConfig(), int64(cfg.Train.Seed))
	}
	if err != nil {
		return nil, err
	}
	if !opt.Resume {
		if err := s.folder.create(s.dir); err != nil {
			return nil, err
		}
	}
	if err := s.folder.write(filepath.Join(s.dir, "config.yaml"), s.cfg.WriteYAML); err != nil {
		return nil, err
	}
	s.reduction = lossReduction(cfg)
	fmt.Fprintf(s.log, "model: %v, %d parameters; loss %s (%s, %s over the pixels of a batch); %s lr %g %s\n",
		s.net.Config(), s.net.NumParams(), spec.Name, spec.Mode, s.reduction, cfg.Optim.Name, cfg.Optim.LR, cfg.Optim.Schedule)

	patches, err := dataset.PatchGrid(d.Train, cfg.Data.Patch, cfg.Data.Stride)
	if err != nil {
		return nil, err
	}
	if w := paddingWarning(d.Train, patches, cfg.Data.Patch); w != "" {
		fmt.Fprintln(s.log, w)
	}
	aug := dataset.Augment{}
	if cfg.Data.Augment {
		aug = dataset.DefaultAugment()
	}
	batch := min(cfg.Train.Batch, len(patches))
	s.loader, err = dataset.NewLoader(dataset.LoaderConfig{Volume: d.Train, Patches: patches,
		PatchSize: cfg.Data.Patch, BatchSize: batch, Shuffle: true, Seed: cfg.Train.Seed,
		Augment: aug, Norm: d.Norm, Prefetch: 2, DropLast: true})
	if err != nil {
		return nil, err
	}
	if s.steps = cfg.Train.Steps; s.steps == 0 {
		s.steps = s.loader.NumBatches()
	}
	s.pixels = batch * cfg.Data.Patch * cfg.Data.Patch
	for _, n := range s.notes {
		fmt.Fprintln(s.log, n)
	}
	lossFn := func(logits, grad []float32, n, c, h, w int) (float64, error) {
		l, err := loss.Compute(spec, logits, s.labels, loss.Shape{N: n, C: c, H: h, W: w}, grad)
		if err != nil {
			s.lossErr = err
		}
		return l, err
	}
	if s.trainer, err = s.net.NewTrainer(batch, cfg.Data.Patch, cfg.Data.Patch, lossFn, s.solver); err != nil {
		return nil, err
	}
	s.infer = Inferer{Predict: s.net.Predict, Classes: s.net.Config().Classes, Window: cfg.Eval.Window,
		Stride: cfg.Eval.Stride, Batch: batch, Norm: d.Norm}
	return s, nil
}

// openRun checks the run folder of a resumed run and loads its last.ckpt.
func openRun(cfg Config) (string, *Checkpoint, error) {
	dir := cfg.Out
	if dir == "" {
		return "", nil, errors.New("resume: give the run folder with --out")
	}
	path := filepath.Join(dir, "last.ckpt")
	if _, err := os.Stat(path); err != nil {
		return "", nil, fmt.Errorf("resume: %w", err)
	}
	ck, err := LoadCheckpoint(path)
	if err != nil {
		return "", nil, fmt.Errorf("resume: %w", err)
	}
	return dir, ck, nil
}

// completeResult describes a run that has trained all its epochs, from its
// last checkpoint.
func completeResult(dir string, ck *Checkpoint) *Result {
	st := ck.Meta.State
	r := &Result{Dir: dir, Complete: true, BestEpoch: st.BestEpoch, Best: st.BestMetrics, History: st.History,
		ClassNames: ck.Meta.ClassNames}
	if n := len(st.History); n > 0 && st.BestMetrics == nil {
		// A checkpoint of an older segloss has the scalar scores only.
		r.Metrics = Metrics{PA: st.History[n-1].PA, MIoU: st.History[n-1].MIoU}
	}
	return r
}

// restore loads model, solver state, normalisation and run position from
// the run's last.ckpt.
func (s *session) restore(ck *Checkpoint) error {
	path := filepath.Join(s.dir, "last.ckpt")
	if want := s.cfg.ModelConfig().WithDefaults(); ck.Model.Config() != want {
		return fmt.Errorf("resume: %s holds a %v, the configuration asks for a %v", path, ck.Model.Config(), want)
	}
	if ck.Solver == nil {
		return fmt.Errorf("resume: %s holds no solver state", path)
	}
	if err := s.solver.SetState(*ck.Solver); err != nil {
		return fmt.Errorf("resume: %s: %w", path, err)
	}
	s.net, s.st, s.data.Norm = ck.Model, &ck.Meta.State, ck.Meta.Norm
	fmt.Fprintf(s.log, "resuming %s at epoch %d, step %d\n", s.dir, s.st.Epoch+1, s.st.Step)
	return nil
}

// trainSteps runs the remaining steps of the current epoch under a
// progress bar.
func (s *session) trainSteps(ctx context.Context) error {
	cfg := s.cfg
	bar := newBar(s.opt.Progress, s.steps, fmt.Sprintf("epoch %d/%d", s.st.Epoch+1, cfg.Train.Epochs), "batches")
	bar.Set(s.st.Step)
	err := trainEpoch(ctx, s.st, cfg, s.loader, s.steps, func(b *dataset.Batch) (float64, error) {
		s.solver.SetLearningRate(learningRate(cfg.Optim, s.st.Epoch, s.st.Global, cfg.Train.Epochs*s.steps))
		if err := s.log.err; err != nil {
			return 0, fmt.Errorf("writing the log: %w", err)
		}
		s.labels, s.lossErr = b.Y, nil
		s.st.Labelled += float64(labelledPixels(b.Y, cfg.Loss.IgnoreIndex))
		s.st.LabelledSteps++
		l, err := s.trainer.Step(b.X)
		if err != nil {
			if s.lossErr != nil {
				err = s.lossErr
			}
			return l, fmt.Errorf("training step %d: %w", s.st.Global+1, vmCause(err))
		}
		if s.opt.OnStep != nil {
			s.opt.OnStep(s.st.Global+1, l)
		}
		return l, nil
	}, bar)
	if err == nil {
		bar.Finish()
	} else {
		bar.Clear()
		bar.Exit()
	}
	return err
}

// validate scores the validation volume after the epoch's steps (every
// Eval.Every epochs and after the last) into s.rec and res.Metrics.
func (s *session) validate(ctx context.Context, res *Result) error {
	e := s.st.Epoch + 1
	s.rec = EpochRecord{Epoch: e, Step: s.st.Global, LR: s.solver.LearningRate(),
		TrainLoss: s.st.LossSum / float64(s.steps)}
	s.labelled = 0
	if s.st.LabelledSteps > 0 {
		s.labelled = s.st.Labelled / float64(s.st.LabelledSteps)
	}
	nan := math.NaN()
	s.rec.PA, s.rec.MCA, s.rec.FWIU, s.rec.MIoU, s.rec.BoundaryF1 = nan, nan, nan, nan, nan
	if e%s.cfg.Eval.Every != 0 && e != s.cfg.Train.Epochs {
		return nil
	}
	sc, err := s.infer.Score(ctx, s.data.Val, s.cfg.Eval.Tolerance, nil)
	if err != nil {
		return err
	}
	m := sc.Metrics()
	res.Metrics = m
	s.rec.PA, s.rec.MCA, s.rec.FWIU, s.rec.MIoU, s.rec.BoundaryF1 = m.PA, m.MCA, m.FWIU, m.MIoU, m.BoundaryF1
	return nil
}

// endEpoch records the finished epoch: the epoch line, last.ckpt, best.ckpt
// when the validation mIoU improved, history.csv, log.jsonl, history.png
// and metrics.json.
func (s *session) endEpoch(res *Result, took time.Duration) error {
	rec := s.rec
	rec.Seconds = took.Seconds()
	fmt.Fprintf(s.log, "epoch %3d  %s  lr %.2e  val PA %s MCA %s FWIU %s mIoU %s BF1 %s  %.0fs\n",
		rec.Epoch, lossText(rec.TrainLoss, s.reduction, s.pixels, s.labelled), rec.LR, fmtScore(rec.PA), fmtScore(rec.MCA),
		fmtScore(rec.FWIU), fmtScore(rec.MIoU), fmtScore(rec.BoundaryF1), rec.Seconds)
	if err := s.log.err; err != nil {
		return fmt.Errorf("writing the log: %w", err)
	}
	s.st.History = append(s.st.History, rec)
	res.History = s.st.History
	s.st.Epoch++
	s.st.Step, s.st.LossSum, s.st.Labelled, s.st.LabelledSteps = 0, 0, 0, 0
	improved := finite(rec.MIoU) && rec.MIoU > s.st.Best
	if improved {
		m := res.Metrics
		s.st.Best, s.st.BestEpoch, s.st.BestMetrics = rec.MIoU, rec.Epoch, &m
		res.BestEpoch, res.Best = rec.Epoch, &m
	}
	if err := s.save("last.ckpt"); err != nil {
		return err
	}
	if improved {
		if err := s.save("best.ckpt"); err != nil {
			return err
		}
	}
	if err := WriteHistory(s.dir, s.st.History); err != nil {
		return err
	}
	if err := WriteHistoryPNG(filepath.Join(s.dir, "history.png"), s.st.History); err != nil {
		return err
	}
	if improved {
		return WriteMetricsJSON(filepath.Join(s.dir, "metrics.json"), RunMetrics{Metrics: *s.st.BestMetrics,
			Epoch: rec.Epoch, Checkpoint: "best.ckpt", ClassNames: s.data.ClassNames})
	}
	return nil
}

// lossText is the training loss of the epoch line, saying what the number
// is: a mean over the labelled pixels, or a sum over the pixels of a batch
// (pixels, labelled of them on average; padding and the ignore label are
// not) with the mean per labelled pixel beside it.
func lossText(l float64, reduction string, pixels int, labelled float64) string {
	if reduction == "sum" && labelled > 0 {
		return fmt.Sprintf("loss %.6g (sum over a batch: %.0f labelled of %d pixels; %.4f per labelled pixel)",
			l, labelled, pixels, l/labelled)
	}
	if reduction == "sum" {
		return fmt.Sprintf("loss %.6g (sum over the labelled pixels of a batch)", l)
	}
	return fmt.Sprintf("loss %.4f (mean per labelled pixel)", l)
}

// labelledPixels counts the labels that the loss counts: facies classes
// other than the ignore index (padding carries dataset.Ignore).
func labelledPixels(y []int32, ignore int) int {
	n := 0
	for _, c := range y {
		if c >= 0 && c < dataset.NumClasses && int(c) != ignore {
			n++
		}
	}
	return n
}

// paddingWarning warns when the patches are larger than the training
// sections, saying how much of the patches is padding ("" when none is).
func paddingWarning(v *dataset.Volume, patches []dataset.Patch, size int) string {
	if size <= v.NS && size <= v.NX && size <= v.NI {
		return ""
	}
	var inside, total float64
	for _, p := range patches {
		w := v.NX
		if p.Dir == dataset.CrosslineDir {
			w = v.NI
		}
		inside += float64(min(v.NS-p.Row, size) * min(w-p.Col, size))
		total += float64(size * size)
	}
	return fmt.Sprintf("warning: data: the %dx%d patches (--patch) are larger than the training sections "+
		"(%d samples; inline sections %d traces wide, crossline sections %d): %.0f%% of the patch pixels are "+
		"padding, which the loss does not count; a --patch of at most %d avoids it",
		size, size, v.NS, v.NX, v.NI, 100*(1-inside/max(total, 1)), min(v.NS, v.NX, v.NI))
}

// logWriter passes the run's messages on and keeps the first write error,
// so that a run whose log cannot be written (a closed pipe) stops.
type logWriter struct {
	w   io.Writer
	err error
}

// Write writes to the log, or fails with the first error it had.
func (l *logWriter) Write(b []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.w.Write(b)
	if err != nil {
		l.err = err
	}
	return n, err
}

// lossReduction is the reduction of the configured loss: loss.reduction,
// or each loss's own default (ce and boundary mean, dtl and
// active-boundary sum).
func lossReduction(c Config) string {
	if c.Loss.Reduction != "" {
		return c.Loss.Reduction
	}
	name, _ := loss.ParseName(c.Loss.Name)
	if name == loss.NameDTL || name == loss.NameActiveBoundary {
		return "sum"
	}
	return "mean"
}

// save writes the model, the solver and the run position to the run folder.
func (s *session) save(name string) error {
	amp := s.data.Amplitude
	meta := CheckpointMeta{Config: s.cfg, Norm: s.data.Norm, ClassNames: s.data.ClassNames, State: *s.st, Amplitude: &amp}
	path := filepath.Join(s.dir, name)
	s.folder.track(path)
	return SaveCheckpoint(path, s.net, s.solver, meta)
}

// interrupted saves the position in last.ckpt (a resumed run skips the
// batches already trained on) and says how to continue. Before the first
// step there is nothing to save.
func (s *session) interrupted() error {
	if s.st.Global == 0 {
		return fmt.Errorf("%w before the first step", ErrInterrupted)
	}
	path := filepath.Join(s.dir, "last.ckpt")
	if err := s.save("last.ckpt"); err != nil {
		return errors.Join(ErrInterrupted, err)
	}
	fmt.Fprintf(s.log, "interrupted at epoch %d, step %d/%d: saved %s; continue with --resume --out %s\n",
		s.st.Epoch+1, s.st.Step, s.steps, path, s.dir)
	return ErrInterrupted
}

// RunState is the position of a run, saved in every checkpoint so that a
// resumed run continues the same loss curve.
type RunState struct {
	// Epoch counts the finished epochs; Step the batches done in the next.
	Epoch, Step int
	// Global counts every batch trained on.
	Global int
	// LossSum adds the losses of the Step batches of the current epoch.
	LossSum float64
	// Labelled adds the labelled pixels of the LabelledSteps batches of
	// the current epoch counted so far (checkpoints of older versions
	// count from the resumed step on).
	Labelled      float64
	LabelledSteps int
	// Best is the best validation mIoU so far (best.ckpt).
	Best float64
	// BestEpoch is the epoch saved as best.ckpt (0: none yet) and
	// BestMetrics its validation metrics.
	BestEpoch   int
	BestMetrics *Metrics
	// History holds the records of the finished epochs.
	History []EpochRecord
}

// trainEpoch runs the remaining steps of the current epoch. Batches come
// from the loader's reproducible stream, so skipping the first st.Step
// batches continues an interrupted epoch exactly.
func trainEpoch(ctx context.Context, st *RunState, cfg Config, loader *dataset.Loader, steps int,
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

// newRunDir returns the folder of a new run: cfg.Out (not created yet;
// a folder that already holds a run is refused), or a new folder
// runs/<date-time>-<loss>, created at once by folder so that runs started
// in the same second get folders of their own (-2, -3 ...).
func newRunDir(cfg Config, opt Options, folder *runFolder) (string, error) {
	dir := cfg.Out
	if dir == "" {
		now := time.Now
		if opt.Now != nil {
			now = opt.Now
		}
		name, _ := loss.ParseName(cfg.Loss.Name)
		return folder.claim(filepath.Join("runs", now().Format("20060102-150405")+"-"+name))
	}
	if _, err := os.Stat(filepath.Join(dir, "last.ckpt")); err == nil {
		return "", fmt.Errorf("run folder %s already holds a run: use --resume to continue it or another --out", dir)
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return "", fmt.Errorf("run folder %s is a file", dir)
	}
	return dir, nil
}

// runFolder remembers what a new run created, so that a run that fails
// before its first epoch can take it away again: the folders it made and
// the files that did not exist before it wrote them.
type runFolder struct {
	dirs  []string // outermost first
	files []string
}

// create makes dir and any missing parents, remembering the new ones.
func (r *runFolder) create(dir string) error {
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i := len(missing) - 1; i >= 0; i-- {
		r.dirs = append(r.dirs, missing[i])
	}
	return nil
}

// claim creates a new folder base, or base-2, base-3 ... when it exists
// (os.Mkdir fails on an existing folder, so two runs never share one), and
// any missing parents, remembering them. It returns the folder made.
func (r *runFolder) claim(base string) (string, error) {
	if err := r.create(filepath.Dir(base)); err != nil {
		return "", err
	}
	for n := 1; n <= 10000; n++ {
		dir := base
		if n > 1 {
			dir = fmt.Sprintf("%s-%d", base, n)
		}
		err := os.Mkdir(dir, 0o755)
		if err == nil {
			r.dirs = append(r.dirs, dir)
			return dir, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return "", fmt.Errorf("run folder: %w", err)
		}
	}
	return "", fmt.Errorf("run folder: %s and 9999 numbered folders beside it exist already", base)
}

// track remembers path if it does not exist yet.
func (r *runFolder) track(path string) {
	if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
		r.files = append(r.files, path)
	}
}

// write writes path atomically and tracks it.
func (r *runFolder) write(path string, write func(io.Writer) error) error {
	r.track(path)
	return fileutil.WriteFile(path, write)
}

// remove deletes the tracked files, then the created folders that are
// empty, innermost first.
func (r *runFolder) remove() {
	for _, f := range r.files {
		os.Remove(f)
	}
	for i := len(r.dirs) - 1; i >= 0; i-- {
		os.Remove(r.dirs[i])
	}
	r.files, r.dirs = nil, nil
}

// newBar returns a progress bar on w, or a silent one when w is nil.
// unit names what is counted ("batches", "sections") in the rate.
func newBar(w io.Writer, n int, desc, unit string) *progressbar.ProgressBar {
	if w == nil {
		return progressbar.DefaultSilent(int64(n), desc)
	}
	return progressbar.NewOptions(n, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString(unit),
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
		if err := WriteSectionPNG(path, SectionOf(data.Val, s, pred, title), data.ClassNames); err != nil {
			return err
		}
	}
	return nil
}
