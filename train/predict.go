package train

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/segloss/segloss/dataset"
	"github.com/segloss/segloss/segy"
)

// PredictOptions control Predict.
type PredictOptions struct {
	// Input is the seismic SEG-Y; Output the facies SEG-Y to write.
	Input, Output string
	// Probabilities, when not empty, receives the class probabilities as a
	// float32 npy of shape (inlines, crosslines, samples, classes).
	Probabilities string
	// IlineByte and XlineByte locate the geometry keys (0: 189 and 193).
	IlineByte, XlineByte int
	// RefitNorm fits the checkpoint's normalisation method on the input
	// instead of using the training statistics (for data of another scale).
	RefitNorm bool
	// Window and Stride override the checkpoint's sliding window when
	// Window is not negative.
	Window, Stride, Batch int
	// Progress receives a progress bar (nil: none).
	Progress io.Writer
}

// PredictResult summarises a prediction.
type PredictResult struct {
	// Inlines, Crosslines and Samples are the size of the input grid;
	// Traces the number of traces written (holes of the grid have none).
	Inlines, Crosslines, Samples, Traces int
	// Counts holds the number of voxels of each predicted class.
	Counts []int64
}

// Predict reads a post-stack SEG-Y, infers the facies of every voxel
// (probabilities averaged over the inline and the crossline through it) and
// writes them as a SEG-Y with the input's trace headers (inline, crossline,
// coordinates, delay), sample count and interval, one trace per input
// trace, facies as IEEE floats 0..classes-1.
func Predict(ctx context.Context, ck *Checkpoint, opt PredictOptions) (*PredictResult, error) {
	f, err := segy.Open(opt.Input, segy.Options{IlineByte: opt.IlineByte, XlineByte: opt.XlineByte})
	if err != nil {
		return nil, err
	}
	defer f.Close()
	g, err := f.Geometry()
	if err != nil {
		return nil, err
	}
	if len(g.Offsets) > 1 {
		return nil, fmt.Errorf("%s: %d offsets: predict needs a post-stack volume", opt.Input, len(g.Offsets))
	}
	cube, err := f.ReadCube()
	if err != nil {
		return nil, err
	}
	ni, nx, ns := len(g.Inlines), len(g.Crosslines), f.NumSamples()
	v := &dataset.Volume{Name: opt.Input, NI: ni, NX: nx, NS: ns, Inlines: g.Inlines, Crosslines: g.Crosslines,
		DT: float64(f.Interval()) / 1000, T0: f.Delay(), Seismic: cube}
	cellOf := make([]int, f.NumTraces()) // trace -> grid cell i*NX+j
	for i := range cellOf {
		cellOf[i] = -1
	}
	for a, il := range g.Inlines {
		for b, xl := range g.Crosslines {
			if t, ok := g.Trace(il, xl); ok {
				cellOf[t] = a*nx + b
			}
		}
	}
	norm := ck.Meta.Norm
	if opt.RefitNorm {
		if norm, err = dataset.FitNormalizer(v, norm.Method); err != nil {
			return nil, err
		}
	}
	cfg := ck.Meta.Config
	k := ck.Model.Config().Classes
	in := Inferer{Predict: ck.Model.Predict, Classes: k, Window: cfg.Eval.Window, Stride: cfg.Eval.Stride,
		Batch: opt.Batch, Norm: norm}
	if opt.Window >= 0 {
		in.Window, in.Stride = opt.Window, opt.Stride
	}
	sections := ni + nx
	if ni == 1 || nx == 1 {
		sections = 1
	}
	bar := newBar(opt.Progress, sections, "predict")
	prob, err := in.Probabilities(ctx, v, func() { bar.Add(1) })
	bar.Finish()
	if err != nil {
		return nil, err
	}
	facies := Argmax(transposeClasses(prob, k), k)
	res := &PredictResult{Inlines: ni, Crosslines: nx, Samples: ns, Counts: make([]int64, k)}

	w, err := segy.Create(opt.Output, segy.WriterOptions{Samples: ns, Interval: f.Interval(),
		Format: segy.FormatIEEE, Text: predictText(opt.Input, ck), Binary: ptr(f.BinaryHeader())})
	if err != nil {
		return nil, err
	}
	trace := make([]float32, ns)
	for t, cell := range cellOf {
		if cell < 0 {
			continue // a trace whose keys the geometry skipped cannot be placed
		}
		h, err := f.TraceHeader(t)
		if err != nil {
			w.Abort()
			return nil, err
		}
		for s := range trace {
			c := facies[cell*ns+s]
			trace[s] = float32(c)
			res.Counts[c]++
		}
		if err := w.WriteTrace(h, trace); err != nil {
			w.Abort()
			return nil, fmt.Errorf("%s: %w", opt.Output, err)
		}
		res.Traces++
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("%s: %w", opt.Output, err)
	}
	if opt.Probabilities != "" {
		if err := dataset.WriteNPYFloat32(opt.Probabilities, prob, []int{ni, nx, ns, k}); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// transposeClasses turns (voxel, class) probabilities into (class, voxel).
func transposeClasses(p []float32, k int) []float32 {
	n := len(p) / k
	out := make([]float32, len(p))
	for i := 0; i < n; i++ {
		for c := 0; c < k; c++ {
			out[c*n+i] = p[i*k+c]
		}
	}
	return out
}

// predictText is the textual header of a facies SEG-Y.
func predictText(input string, ck *Checkpoint) string {
	lines := []string{
		fmt.Sprintf("C01 FACIES PREDICTED BY SEGLOSS (%v)", ck.Model.Config()),
		"C02 INPUT " + input,
		"C03 SAMPLES ARE CLASS NUMBERS",
	}
	for i, n := range ck.Meta.ClassNames {
		lines = append(lines, fmt.Sprintf("C%02d FACIES %d = %s", 4+i, i, n))
	}
	for i, l := range lines {
		if len(l) > 80 {
			lines[i] = l[:80]
		}
	}
	return strings.Join(lines, "\n")
}

func ptr[T any](v T) *T { return &v }
