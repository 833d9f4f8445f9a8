package train

import (
	"context"
	"fmt"
	"math"

	"github.com/segloss/segloss/dataset"
)

// PredictFunc returns the NCHW logits (n, classes, h, w) of an NCHW
// single-channel input of n images of h x w, in inference mode.
type PredictFunc func(x []float32, n, h, w int) ([]float32, error)

// Inferer runs a network over whole sections: in one piece, or through a
// sliding window whose overlapping logits are averaged.
type Inferer struct {
	// Predict is the network.
	Predict PredictFunc
	// Classes is the number of logit channels.
	Classes int
	// Window is the side of the sliding window; 0 infers whole sections.
	Window int
	// Stride is the window step; 0 means half the window.
	Stride int
	// Batch is the number of windows per network call (default 8).
	Batch int
	// Norm is applied to the raw seismic of every section.
	Norm dataset.Normalizer
}

// SectionLogits returns the (classes, h, w) logits of one normalised h x w
// section (row-major).
func (in Inferer) SectionLogits(x []float32, h, w int) ([]float32, error) {
	if len(x) != h*w {
		return nil, fmt.Errorf("inference: %d samples for a %dx%d section", len(x), h, w)
	}
	if in.Window <= 0 || (in.Window >= h && in.Window >= w) {
		return in.check(in.Predict(x, 1, h, w))(1, h, w)
	}
	wh, ww := min(in.Window, h), min(in.Window, w)
	stride := in.Stride
	if stride <= 0 {
		stride = max(1, in.Window/2)
	}
	type pos struct{ r, c int }
	var wins []pos
	for _, r := range dataset.PatchPositions(h, wh, stride) {
		for _, c := range dataset.PatchPositions(w, ww, stride) {
			wins = append(wins, pos{r, c})
		}
	}
	batch := in.Batch
	if batch <= 0 {
		batch = 8
	}
	batch = min(batch, len(wins))
	k := in.Classes
	sum := make([]float32, k*h*w)
	count := make([]float32, h*w)
	buf := make([]float32, batch*wh*ww)
	for b0 := 0; b0 < len(wins); b0 += batch {
		group := wins[b0:min(b0+batch, len(wins))]
		clear(buf) // a short last group is padded with zero windows to keep one graph shape
		for n, p := range group {
			for r := 0; r < wh; r++ {
				copy(buf[(n*wh+r)*ww:(n*wh+r+1)*ww], x[(p.r+r)*w+p.c:(p.r+r)*w+p.c+ww])
			}
		}
		logits, err := in.check(in.Predict(buf, batch, wh, ww))(batch, wh, ww)
		if err != nil {
			return nil, err
		}
		for n, p := range group {
			for c := 0; c < k; c++ {
				src := logits[(n*k+c)*wh*ww:]
				for r := 0; r < wh; r++ {
					dst := sum[c*h*w+(p.r+r)*w+p.c:]
					for j := 0; j < ww; j++ {
						dst[j] += src[r*ww+j]
					}
				}
			}
			for r := 0; r < wh; r++ {
				for j := 0; j < ww; j++ {
					count[(p.r+r)*w+p.c+j]++
				}
			}
		}
	}
	for c := 0; c < k; c++ {
		for i, n := range count {
			sum[c*h*w+i] /= n
		}
	}
	return sum, nil
}

// check returns a function that verifies the size of the logits of a call.
func (in Inferer) check(logits []float32, err error) func(n, h, w int) ([]float32, error) {
	return func(n, h, w int) ([]float32, error) {
		if err != nil {
			return nil, vmCause(err)
		}
		if len(logits) != n*in.Classes*h*w {
			return nil, fmt.Errorf("inference: model gave %d logits for %d x %d classes x %dx%d", len(logits), n, in.Classes, h, w)
		}
		return logits, nil
	}
}

// Argmax returns the class of highest logit of every pixel of (classes,
// pixels) logits, the first one on ties.
func Argmax(logits []float32, classes int) []int32 {
	n := len(logits) / classes
	out := make([]int32, n)
	for i := range out {
		best := logits[i]
		for c := 1; c < classes; c++ {
			if v := logits[c*n+i]; v > best {
				best, out[i] = v, int32(c)
			}
		}
	}
	return out
}

// Softmax turns (classes, pixels) logits into probabilities in place.
func Softmax(logits []float32, classes int) {
	n := len(logits) / classes
	for i := 0; i < n; i++ {
		m := float32(math.Inf(-1))
		for c := 0; c < classes; c++ {
			m = max(m, logits[c*n+i])
		}
		var s float64
		for c := 0; c < classes; c++ {
			e := math.Exp(float64(logits[c*n+i] - m))
			logits[c*n+i] = float32(e)
			s += e
		}
		for c := 0; c < classes; c++ {
			logits[c*n+i] = float32(float64(logits[c*n+i]) / s)
		}
	}
}

// section returns the normalised seismic of section idx in direction d.
func (in Inferer) section(v *dataset.Volume, d dataset.Direction, idx int) (dataset.Section, []float32, error) {
	s, err := v.Section(d, idx)
	if err != nil {
		return s, nil, err
	}
	x := append([]float32(nil), s.Seismic...)
	in.Norm.Apply(x)
	return s, x, nil
}

// Score runs the network over every section of v in the given directions
// (both when none are given) and scores the predictions against the labels
// of v. Every voxel is therefore counted once per direction, as in the
// benchmark's code. tick, if not nil, is called after each section.
func (in Inferer) Score(ctx context.Context, v *dataset.Volume, tolerance int, tick func(), dirs ...dataset.Direction) (*Scorer, error) {
	if v.Labels == nil || v.Seismic == nil {
		return nil, fmt.Errorf("score: volume %s needs seismic and labels", v.Name)
	}
	if len(dirs) == 0 {
		dirs = []dataset.Direction{dataset.InlineDir, dataset.CrosslineDir}
	}
	sc := NewScorer(in.Classes, tolerance)
	err := in.eachSection(ctx, v, dirs, tick, func(_ dataset.Direction, _ int, s dataset.Section, logits []float32) error {
		return sc.Add(labels32(s.Labels), Argmax(logits, in.Classes), s.Rows, s.Cols)
	})
	if err != nil {
		return nil, err
	}
	return sc, nil
}

// eachSection infers every section of v in the directions dirs, in order,
// and hands each with its logits to use; it stops at the first error or
// when ctx is done. tick, if not nil, is called after each section.
func (in Inferer) eachSection(ctx context.Context, v *dataset.Volume, dirs []dataset.Direction, tick func(), use func(d dataset.Direction, idx int, s dataset.Section, logits []float32) error) error {
	for _, d := range dirs {
		for idx := 0; idx < v.NumSections(d); idx++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			s, x, err := in.section(v, d, idx)
			if err != nil {
				return err
			}
			logits, err := in.SectionLogits(x, s.Rows, s.Cols)
			if err != nil {
				return fmt.Errorf("%s %s %d: %w", v.Name, d, s.Number, err)
			}
			if err := use(d, idx, s, logits); err != nil {
				return err
			}
			if tick != nil {
				tick()
			}
		}
	}
	return nil
}

// SectionPrediction infers one section and returns it with its predicted
// facies, for pictures.
func (in Inferer) SectionPrediction(v *dataset.Volume, d dataset.Direction, idx int) (dataset.Section, []int32, error) {
	s, x, err := in.section(v, d, idx)
	if err != nil {
		return s, nil, err
	}
	logits, err := in.SectionLogits(x, s.Rows, s.Cols)
	if err != nil {
		return s, nil, err
	}
	return s, Argmax(logits, in.Classes), nil
}

// Probabilities returns the class probabilities of every voxel of v, laid
// out (inline, crossline, sample, class), averaged over the sections
// through the voxel in the given directions (both when none are given; a
// single-line volume uses its one long direction). tick, if not nil, is
// called after each section. It holds the whole volume in memory; Predict
// streams the same computation through a SEG-Y file.
func (in Inferer) Probabilities(ctx context.Context, v *dataset.Volume, tick func(), dirs ...dataset.Direction) ([]float32, error) {
	k := in.Classes
	prob := make([]float32, v.NI*v.NX*v.NS*k)
	if len(dirs) == 0 {
		dirs = []dataset.Direction{dataset.InlineDir, dataset.CrosslineDir}
	}
	if v.NI == 1 || v.NX == 1 {
		// A single line: the other direction's sections are one trace wide.
		dirs = []dataset.Direction{dataset.InlineDir}
		if v.NI != 1 {
			dirs[0] = dataset.CrosslineDir
		}
	}
	err := in.eachSection(ctx, v, dirs, tick, func(d dataset.Direction, idx int, s dataset.Section, p []float32) error {
		Softmax(p, k)
		n := s.Rows * s.Cols
		for col := 0; col < s.Cols; col++ {
			i, j := idx, col
			if d == dataset.CrosslineDir {
				i, j = col, idx
			}
			for r := 0; r < s.Rows; r++ {
				dst := prob[(v.Index(i, j, r))*k:]
				for c := 0; c < k; c++ {
					dst[c] += p[c*n+r*s.Cols+col] / float32(len(dirs))
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return prob, nil
}

func labels32(l []uint8) []int32 {
	out := make([]int32, len(l))
	for i, v := range l {
		out[i] = int32(v)
	}
	return out
}
