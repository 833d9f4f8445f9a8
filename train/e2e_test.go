package train

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segloss/segloss/dataset"
	"github.com/segloss/segloss/segy"
)

// tinyConfig is a configuration that trains in seconds on a tiny synthetic
// survey cached in cache.
func tinyConfig(t *testing.T, cache, out string) Config {
	t.Helper()
	cfg, err := LoadConfig("", nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Data.Cache = cache
	cfg.Data.SynthSize = "12x20x32"
	cfg.Data.Patch, cfg.Data.Stride = 16, 16
	cfg.Data.ValFraction = 0.2
	cfg.Model.Depth, cfg.Model.Base = 2, 4
	cfg.Train.Epochs, cfg.Train.Batch = 2, 4
	cfg.Train.Steps = 5
	cfg.Optim.LR = 0.01
	cfg.Out = out
	return cfg
}

func TestEndToEnd(t *testing.T) {
	root := t.TempDir()
	cache, run := filepath.Join(root, "cache"), filepath.Join(root, "run")
	cfg := tinyConfig(t, cache, run)
	cfg.Loss.Name = "dtl"
	res, err := Train(context.Background(), cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"config.yaml", "history.csv", "log.jsonl", "best.ckpt", "last.ckpt", "metrics.json", "history.png"} {
		if _, err := os.Stat(filepath.Join(run, f)); err != nil {
			t.Errorf("run folder lacks %s", f)
		}
	}
	hist, err := ReadHistory(run)
	if err != nil || len(hist) != 2 || hist[1].Step != 10 || !(hist[1].PA > 0) {
		t.Fatalf("history %+v %v", hist, err)
	}
	// metrics.json has the keys of eval --json, and the scores, epoch,
	// checkpoint and class names of best.ckpt.
	raw, err := os.ReadFile(filepath.Join(run, "metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"pa", "mca", "fwiu", "miou", "class_accuracy", "iou", "boundary_f1", "confusion", "pixels",
		"epoch", "checkpoint", "class_names"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("metrics.json lacks %q", k)
		}
	}
	var rm RunMetrics
	if err := json.Unmarshal(raw, &rm); err != nil {
		t.Fatal(err)
	}
	best := hist[0]
	if hist[1].MIoU > best.MIoU {
		best = hist[1]
	}
	if res.BestEpoch != best.Epoch || res.Best == nil || res.Best.MIoU != best.MIoU || rm.Epoch != best.Epoch ||
		rm.Checkpoint != "best.ckpt" || rm.MIoU != best.MIoU || rm.PA != best.PA || rm.Pixels != res.Metrics.Pixels ||
		strings.Join(rm.ClassNames, ",") != strings.Join(dataset.ClassNames[:], ",") {
		t.Fatalf("metrics.json %+v, result best epoch %d, history %+v", rm, res.BestEpoch, hist)
	}
	m := res.Metrics // the last epoch's
	if m.PA != hist[1].PA {
		t.Fatalf("result metrics PA %v, last epoch %v", m.PA, hist[1].PA)
	}
	bck, err := LoadCheckpoint(filepath.Join(run, "best.ckpt"))
	if err != nil || bck.Meta.State.BestEpoch != best.Epoch || bck.Meta.State.BestMetrics == nil ||
		bck.Meta.State.BestMetrics.PA != best.PA || bck.Meta.Amplitude == nil || !(bck.Meta.Amplitude.RMS > 0) {
		t.Fatalf("best.ckpt state %+v, amplitude %+v (%v)", bck.Meta.State, bck.Meta.Amplitude, err)
	}
	var sum bytes.Buffer
	if err := res.WriteSummary(&sum); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("best epoch: %d of 2 (validation mIoU %.4f), saved as %s", best.Epoch, best.MIoU,
		filepath.Join(run, "best.ckpt")); !strings.Contains(sum.String(), want) ||
		!strings.Contains(sum.String(), fmt.Sprintf("validation metrics of best.ckpt (epoch %d)", best.Epoch)) {
		t.Fatalf("summary lacks %q:\n%s", want, sum.String())
	}
	// The saved config.yaml loads back to the run's configuration, with
	// its data paths absolute.
	back, err := LoadConfig(filepath.Join(run, "config.yaml"), nil)
	abs, errAbs := cfg.AbsPaths()
	if err != nil || errAbs != nil || back != abs || !filepath.IsAbs(back.Data.Dir) {
		t.Fatalf("config.yaml: %v %v\n%+v\nwant\n%+v", err, errAbs, back, abs)
	}
	if strings.Contains(sum.String(), "run folder:") {
		t.Fatalf("the summary names the run folder again:\n%s", sum.String())
	}

	ck, err := LoadCheckpoint(filepath.Join(run, "last.ckpt"))
	if err != nil {
		t.Fatal(err)
	}
	if ck.Meta.State.Epoch != 2 || ck.Meta.Config.Loss.Name != "dtl" || len(ck.Meta.ClassNames) != 6 {
		t.Fatalf("checkpoint state %+v", ck.Meta.State)
	}
	// Evaluating the last checkpoint on the validation split reproduces the
	// validation of the last epoch exactly.
	scores, err := Evaluate(context.Background(), ck, EvalOptions{Splits: []string{"val", "both"}, Window: -1, Tolerance: cfg.Eval.Tolerance})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, s := range scores {
		names = append(names, s.Split)
	}
	if strings.Join(names, ",") != "val,test1,test2,both" {
		t.Fatalf("splits %v", names)
	}
	if scores[0].Metrics.PA != m.PA || scores[0].Metrics.Pixels != m.Pixels {
		t.Fatalf("eval val PA %v pixels %d, training said %v %d", scores[0].Metrics.PA, scores[0].Metrics.Pixels, m.PA, m.Pixels)
	}
	if scores[3].Metrics.Pixels != scores[1].Metrics.Pixels+scores[2].Metrics.Pixels {
		t.Fatalf("pooled pixels %d != %d + %d", scores[3].Metrics.Pixels, scores[1].Metrics.Pixels, scores[2].Metrics.Pixels)
	}

	// Predict the synthetic SEG-Y and read the facies back.
	matches, _ := filepath.Glob(filepath.Join(cache, "*", dataset.SynthSEGYFile))
	if len(matches) != 1 {
		t.Fatalf("synthetic SEG-Y not found in the cache: %v", matches)
	}
	out, probs := filepath.Join(root, "facies.sgy"), filepath.Join(root, "p.npy")
	pr, err := Predict(context.Background(), ck, PredictOptions{Input: matches[0], Output: out, Probabilities: probs, Window: 16, Stride: 8})
	if err != nil {
		t.Fatal(err)
	}
	checkFacies(t, matches[0], out, pr)
	p, shape, err := dataset.ReadNPYFloat32(probs)
	if err != nil || len(shape) != 4 || shape[3] != 6 || shape[0] != pr.Inlines || shape[2] != pr.Samples {
		t.Fatalf("probabilities shape %v: %v", shape, err)
	}
	for i := 0; i < len(p); i += 6 {
		var s float32
		for _, v := range p[i : i+6] {
			s += v
		}
		if math.Abs(float64(s)-1) > 1e-4 {
			t.Fatalf("probabilities of voxel %d sum to %v", i/6, s)
		}
	}
}

// checkFacies compares a facies SEG-Y with its input: same traces, same
// headers apart from the sample words, class numbers as samples.
func checkFacies(t *testing.T, input, output string, pr *PredictResult) {
	t.Helper()
	in, err := segy.Open(input, segy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := segy.Open(output, segy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if out.NumTraces() != in.NumTraces() || out.NumSamples() != in.NumSamples() || out.Interval() != in.Interval() ||
		pr.Traces != in.NumTraces() {
		t.Fatalf("output %d traces x %d samples at %d us, input %d x %d at %d us", out.NumTraces(), out.NumSamples(),
			out.Interval(), in.NumTraces(), in.NumSamples(), in.Interval())
	}
	counts := make([]int64, 6)
	buf := make([]float32, out.NumSamples())
	for i := 0; i < in.NumTraces(); i++ {
		hi, _ := in.TraceHeader(i)
		ho, err := out.TraceHeader(i)
		if err != nil {
			t.Fatal(err)
		}
		if hi.Inline != ho.Inline || hi.Crossline != ho.Crossline || hi.CDPX != ho.CDPX || hi.CDPY != ho.CDPY ||
			hi.DelayTime != ho.DelayTime || hi.CoordScalar != ho.CoordScalar {
			t.Fatalf("trace %d: header %+v, input %+v", i, ho, hi)
		}
		if err := out.ReadTrace(i, buf); err != nil {
			t.Fatal(err)
		}
		for _, v := range buf {
			if v != float32(int(v)) || v < 0 || v > 5 {
				t.Fatalf("trace %d holds %v, not a class", i, v)
			}
			counts[int(v)]++
		}
	}
	for c := range counts {
		if counts[c] != pr.Counts[c] {
			t.Fatalf("class counts read back %v, reported %v", counts, pr.Counts)
		}
	}
}

func TestResumeContinuesTheSameCurve(t *testing.T) {
	root := t.TempDir()
	cache := filepath.Join(root, "cache")
	var straight []float64
	cfg := tinyConfig(t, cache, filepath.Join(root, "a"))
	if _, err := Train(context.Background(), cfg, Options{OnStep: func(_ int, l float64) { straight = append(straight, l) }}); err != nil {
		t.Fatal(err)
	}
	hist, err := ReadHistory(cfg.Out)
	if err != nil {
		t.Fatal(err)
	}

	// The same run, interrupted in the middle of the second epoch, and
	// after the last step of the first epoch (during its validation).
	for _, stop := range []int{7, 5} {
		cfg.Out = filepath.Join(root, fmt.Sprint("stop", stop))
		ctx, cancel := context.WithCancel(context.Background())
		var resumed []float64
		_, err = Train(ctx, cfg, Options{OnStep: func(g int, l float64) {
			resumed = append(resumed, l)
			if g == stop {
				cancel()
			}
		}})
		if !errors.Is(err, ErrInterrupted) {
			t.Fatalf("run stopped at step %d returned %v", stop, err)
		}
		if _, err := Train(context.Background(), cfg, Options{}); err == nil {
			t.Fatal("a new run over an existing run folder was accepted")
		}
		res, err := Train(context.Background(), cfg, Options{Resume: true, OnStep: func(_ int, l float64) { resumed = append(resumed, l) }})
		if err != nil {
			t.Fatal(err)
		}
		if len(resumed) != len(straight) {
			t.Fatalf("stop %d: resumed run took %d steps, the straight one %d", stop, len(resumed), len(straight))
		}
		// Training is bit-reproducible (TestTrainingIsBitReproducible), so
		// the resumed curve and scores equal the straight ones exactly.
		for i := range straight {
			if resumed[i] != straight[i] {
				t.Fatalf("stop %d, step %d: loss %v after resuming, %v straight through\n%v\n%v", stop, i+1, resumed[i], straight[i], resumed, straight)
			}
		}
		if len(res.History) != 2 {
			t.Fatalf("stop %d: resumed history %+v", stop, res.History)
		}
		for e, r := range res.History {
			h := hist[e]
			if r.TrainLoss != h.TrainLoss || r.PA != h.PA || r.MIoU != h.MIoU || r.BoundaryF1 != h.BoundaryF1 {
				t.Fatalf("stop %d, epoch %d: resumed %+v, straight %+v", stop, e+1, r, h)
			}
		}
	}
}
