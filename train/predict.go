package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/schollz/progressbar/v3"

	"github.com/segloss/segloss/dataset"
	"github.com/segloss/segloss/segy"
)

// DefaultPredictBlock is the number of inlines Predict holds at once when
// PredictOptions.Block is 0.
const DefaultPredictBlock = 16

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
	// Directions is "both" (the default when empty: probabilities averaged
	// over the inline and the crossline through each voxel) or "inline"
	// (inline sections only: half the work and no scratch file). Surveys of
	// a single line use their one long direction either way.
	Directions string
	// Block is the number of inlines (and, in the crossline pass, of
	// crosslines) held in memory at once; 0 means DefaultPredictBlock.
	Block int
	// Progress receives a progress bar (nil: none).
	Progress io.Writer
	// Log receives warnings, such as input amplitudes unlike the training
	// data's (nil: discarded; they are in PredictResult.Warnings too).
	Log io.Writer
}

// PredictResult summarises a prediction.
type PredictResult struct {
	// Inlines, Crosslines and Samples are the size of the input grid;
	// Traces the number of traces written (holes of the grid have none).
	Inlines, Crosslines, Samples, Traces int
	// Counts holds the number of voxels of each predicted class.
	Counts []int64
	// Warnings are the warnings printed on PredictOptions.Log.
	Warnings []string
}

// Predict reads a post-stack SEG-Y, infers the facies of every voxel and
// writes them as a SEG-Y with the input's trace headers (inline, crossline,
// coordinates, delay), sample count and interval, one trace per input
// trace in the input's order, facies as IEEE floats 0..classes-1.
//
// It streams: the volume is read and predicted in blocks of opt.Block
// inlines, and the facies traces and the probability rows are written as
// each block is done, so memory is bounded by the block size, not by the
// survey (4·classes bytes per voxel of a block, plus one section). With
// both directions, the crossline sections are inferred first, one block of
// crosslines at a time, and their halves of the probabilities wait in a
// scratch file next to the output (4·classes bytes per voxel of the
// survey, removed at the end). The results are those of inferring the
// whole cube in memory, bit for bit. A file sorted other than by inline
// also keeps the facies of predicted traces it cannot write yet, one byte
// per voxel.
//
// Outputs that are the input or each other are refused, and so are
// existing outputs without write permission. Without RefitNorm, the
// amplitudes of a sample of input traces are compared with those of the
// training data and a mismatch of more than a factor of 3 is a warning.
func Predict(ctx context.Context, ck *Checkpoint, opt PredictOptions) (*PredictResult, error) {
	if err := checkPredictPaths(opt); err != nil {
		return nil, err
	}
	if opt.Block < 0 {
		return nil, fmt.Errorf("predict: block of %d inlines: want a positive number (0: %d)", opt.Block, DefaultPredictBlock)
	}
	if opt.Block == 0 {
		opt.Block = DefaultPredictBlock
	}
	both := true
	switch opt.Directions {
	case "", "both":
	case "inline":
		both = false
	default:
		return nil, fmt.Errorf("predict: directions %q: want both or inline", opt.Directions)
	}
	k := ck.Model.Config().Classes
	if k > 256 {
		return nil, fmt.Errorf("predict: the model has %d classes, facies SEG-Y output takes at most 256", k)
	}
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
	p := &predictor{f: f, g: g, ni: len(g.Inlines), nx: len(g.Crosslines), ns: f.NumSamples(), k: k,
		block: opt.Block, useInline: true, useCross: both}
	// A single line: the other direction's sections are one trace wide.
	if p.ni == 1 {
		p.useCross = false
	} else if p.nx == 1 {
		p.useInline, p.useCross = false, true
	}
	p.dirs = 0
	for _, on := range []bool{p.useInline, p.useCross} {
		if on {
			p.dirs++
		}
	}
	norm := ck.Meta.Norm
	var warnings []string
	if opt.RefitNorm {
		if norm, err = p.fitNorm(opt.Input, norm.Method); err != nil {
			return nil, err
		}
	} else {
		st, err := fileAmplitude(f)
		if err != nil {
			return nil, err
		}
		if w := amplitudeWarning(opt.Input, st, ck.Meta); w != "" {
			warnings = append(warnings, w)
			if opt.Log != nil {
				fmt.Fprintln(opt.Log, w)
			}
		}
	}
	cfg := ck.Meta.Config
	p.in = Inferer{Predict: ck.Model.Predict, Classes: k, Window: cfg.Eval.Window, Stride: cfg.Eval.Stride,
		Batch: opt.Batch, Norm: norm}
	if opt.Window >= 0 {
		p.in.Window, p.in.Stride = opt.Window, opt.Stride
	}
	sections := 0
	if p.useInline {
		sections += p.ni
	}
	if p.useCross {
		sections += p.nx
	}
	p.bar = newBar(opt.Progress, sections, "predict", "sections")
	defer p.bar.Finish()
	res, err := p.run(ctx, ck, opt)
	if res != nil {
		res.Warnings = warnings
	}
	return res, err
}

// checkPredictPaths refuses a prediction whose outputs would overwrite its
// input or each other, or an existing output without write permission
// (writing through a temporary file and a rename would replace it anyway).
func checkPredictPaths(opt PredictOptions) error {
	if opt.Input == "" || opt.Output == "" {
		return errors.New("predict: need an input and an output SEG-Y")
	}
	files := []struct{ flag, path string }{{"--input", opt.Input}, {"--output", opt.Output}}
	if opt.Probabilities != "" {
		files = append(files, struct{ flag, path string }{"--probabilities", opt.Probabilities})
	}
	for i := 1; i < len(files); i++ {
		for j := 0; j < i; j++ {
			if samePath(files[i].path, files[j].path) {
				return fmt.Errorf("predict: %s %s is the same file as %s %s: refusing to overwrite it, choose another %s",
					files[i].flag, files[i].path, files[j].flag, files[j].path, files[i].flag)
			}
		}
		if fi, err := os.Stat(files[i].path); err == nil {
			if fi.IsDir() {
				return fmt.Errorf("predict: %s %s is a folder: give a file name", files[i].flag, files[i].path)
			}
			if fi.Mode().Perm()&0o200 == 0 {
				return fmt.Errorf("predict: %s %s exists and is read-only: remove it or choose another %s",
					files[i].flag, files[i].path, files[i].flag)
			}
		}
	}
	return nil
}

// samePath reports whether a and b name the same file: the same cleaned
// absolute path, or (when both exist) the same file through links.
func samePath(a, b string) bool {
	aa, errA := filepath.Abs(a)
	ab, errB := filepath.Abs(b)
	if errA == nil && errB == nil && aa == ab {
		return true
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}

// predictor is a streaming prediction in progress.
type predictor struct {
	f          *segy.File
	g          *segy.Geometry
	ni, nx, ns int
	k          int
	block      int
	in         Inferer
	// useInline and useCross say which section directions are averaged;
	// dirs counts them.
	useInline, useCross bool
	dirs                int
	bar                 *progressbar.ProgressBar
}

// run writes the outputs: the crossline pass into a scratch file, then the
// inline blocks, each finished with the crossline halves, written out.
func (p *predictor) run(ctx context.Context, ck *Checkpoint, opt PredictOptions) (*PredictResult, error) {
	var xs *scratchFile
	if p.useCross {
		var err error
		if xs, err = newScratchFile(filepath.Dir(opt.Output), filepath.Base(opt.Output)); err != nil {
			return nil, fmt.Errorf("predict: scratch file for the crossline pass: %w", err)
		}
		defer xs.remove()
		if err := p.crosslinePass(ctx, xs); err != nil {
			return nil, err
		}
	}
	tw, err := newTraceWriter(p, opt.Output, segy.WriterOptions{Samples: p.ns, Interval: p.f.Interval(),
		Format: segy.FormatIEEE, Text: predictText(opt.Input, ck), Binary: ptr(p.f.BinaryHeader())})
	if err != nil {
		return nil, err
	}
	defer tw.abort()
	var npy *dataset.NPYWriter
	if opt.Probabilities != "" {
		if npy, err = dataset.CreateNPY(opt.Probabilities, "<f4", []int{p.ni, p.nx, p.ns, p.k}); err != nil {
			return nil, fmt.Errorf("probabilities: %w", err)
		}
		defer npy.Abort()
	}
	rowLen := p.nx * p.ns * p.k
	prob := make([]float32, min(p.block, p.ni)*rowLen)
	for i0 := 0; i0 < p.ni; i0 += p.block {
		i1 := min(i0+p.block, p.ni)
		blk := prob[:(i1-i0)*rowLen]
		clear(blk)
		if p.useInline {
			if err := p.inlineBlock(ctx, i0, i1, blk); err != nil {
				return nil, err
			}
		}
		if xs != nil {
			if err := xs.addTo(blk, int64(i0)*int64(rowLen)); err != nil {
				return nil, err
			}
		}
		if npy != nil {
			if err := npy.WriteFloat32(blk); err != nil {
				return nil, fmt.Errorf("probabilities: %w", err)
			}
		}
		if err := tw.addBlock(i0/p.block, blk); err != nil {
			return nil, err
		}
	}
	if npy != nil {
		if err := npy.Close(); err != nil {
			return nil, fmt.Errorf("probabilities: %w", err)
		}
	}
	return tw.close()
}

// inlineBlock adds the inline-section probabilities of inlines [i0, i1),
// divided by the number of directions, into blk (inline, crossline,
// sample, class).
func (p *predictor) inlineBlock(ctx context.Context, i0, i1 int, blk []float32) error {
	cube, err := p.f.ReadSubCube(segy.Box{Il0: i0, Il1: i1, Xl0: 0, Xl1: p.nx, S0: 0, S1: p.ns})
	if err != nil {
		return err
	}
	x := make([]float32, p.ns*p.nx)
	for i := i0; i < i1; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		c0 := (i - i0) * p.nx
		transposeTraces(cube[c0*p.ns:(c0+p.nx)*p.ns], p.nx, p.ns, x)
		pr, err := p.sectionProbabilities(x, p.nx, dataset.InlineDir, p.g.Inlines[i])
		if err != nil {
			return err
		}
		p.accumulate(pr, p.nx, func(col int) []float32 {
			return blk[((i-i0)*p.nx+col)*p.ns*p.k:]
		})
		p.bar.Add(1)
	}
	return nil
}

// crosslinePass infers every crossline section, block by block of
// crosslines, and writes their probabilities divided by the number of
// directions into xs in (inline, crossline, sample, class) order.
func (p *predictor) crosslinePass(ctx context.Context, xs *scratchFile) error {
	bw := min(p.block, p.nx)
	buf := make([]float32, p.ni*bw*p.ns*p.k)
	x := make([]float32, p.ns*p.ni)
	for j0 := 0; j0 < p.nx; j0 += bw {
		j1 := min(j0+bw, p.nx)
		w := j1 - j0
		blk := buf[:p.ni*w*p.ns*p.k]
		clear(blk)
		for j := j0; j < j1; j++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			traces, err := p.f.ReadSubCube(segy.Box{Il0: 0, Il1: p.ni, Xl0: j, Xl1: j + 1, S0: 0, S1: p.ns})
			if err != nil {
				return err
			}
			transposeTraces(traces, p.ni, p.ns, x)
			pr, err := p.sectionProbabilities(x, p.ni, dataset.CrosslineDir, p.g.Crosslines[j])
			if err != nil {
				return err
			}
			p.accumulate(pr, p.ni, func(col int) []float32 {
				return blk[(col*w+j-j0)*p.ns*p.k:]
			})
			p.bar.Add(1)
		}
		// Each inline's run of crosslines [j0, j1) is contiguous in the file.
		run := w * p.ns * p.k
		for i := 0; i < p.ni; i++ {
			if err := xs.write(blk[i*run:(i+1)*run], int64((i*p.nx+j0)*p.ns*p.k)); err != nil {
				return err
			}
		}
	}
	return nil
}

// sectionProbabilities normalises the rows x cols section x in place and
// returns its (class, row, column) probabilities.
func (p *predictor) sectionProbabilities(x []float32, cols int, d dataset.Direction, number int) ([]float32, error) {
	p.in.Norm.Apply(x)
	pr, err := p.in.SectionLogits(x, p.ns, cols)
	if err != nil {
		return nil, fmt.Errorf("%s %s %d: %w", p.f.Name(), d, number, err)
	}
	Softmax(pr, p.k)
	return pr, nil
}

// accumulate adds the (class, row, column) probabilities pr of a section of
// cols columns, divided by the number of directions, to the (sample,
// class) run that at(col) returns for each column.
func (p *predictor) accumulate(pr []float32, cols int, at func(col int) []float32) {
	n, k := p.ns*cols, p.k
	div := float32(p.dirs)
	for col := 0; col < cols; col++ {
		dst := at(col)
		for r := 0; r < p.ns; r++ {
			for c := 0; c < k; c++ {
				dst[r*k+c] += pr[c*n+r*cols+col] / div
			}
		}
	}
}

// transposeTraces writes n traces of ns samples (trace-major) as an ns x n
// section (row-major) into x.
func transposeTraces(traces []float32, n, ns int, x []float32) {
	for c := 0; c < n; c++ {
		for r, v := range traces[c*ns : (c+1)*ns] {
			x[r*n+c] = v
		}
	}
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
