package model

import (
	"fmt"
	"hash"
	"math"
	"runtime"
	"sync"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/segloss/segloss/model/nnops"
)

// Batch-norm constants (the PyTorch convention: running = (1-m)*running +
// m*batch, with the unbiased batch variance in the running variance).
const (
	bnMomentum = 0.1
	bnEpsilon  = 1e-5
)

// bnStats are the running statistics of one batch-norm layer, owned by the
// Model and shared by its training and inference graphs.
type bnStats struct {
	mean, variance []float32
}

func newBNStats(c int) *bnStats {
	s := &bnStats{mean: make([]float32, c), variance: make([]float32, c)}
	for i := range s.variance {
		s.variance[i] = 1
	}
	return s
}

// bnOp is per-channel batch normalisation with a per-channel scale and
// shift: y = gamma*(x-mean)/sqrt(var+eps) + beta, for x of shape (N,C,H,W)
// and gamma, beta of shape (1,C,1,1). In training mode it uses the batch
// statistics and updates the running ones; otherwise it uses the running
// statistics and changes nothing. It deliberately does not implement
// Gorgonia's TrainModeOp, so no tape machine can reset its statistics.
//
// The op keeps its output tensor between runs (it returns the same tensor,
// rewritten, every time) and the statistics of its last forward pass, which
// its gradient ops read; they take the forward output as an input so that
// the tape always runs them after the forward pass.
type bnOp struct {
	id       int64
	training bool
	stats    *bnStats
	out      nnops.OutBuf
	mean     []float64 // of the last forward pass
	invstd   []float64
	variance []float64
}

func (op *bnOp) Arity() int { return 3 }

// OutputBuffer implements nnops.Buffered.
func (op *bnOp) OutputBuffer() *nnops.OutBuf { return &op.out }
func (op *bnOp) Type() hm.Type {
	t := tensorType(4)
	return hm.NewFnType(t, t, t, t)
}
func (op *bnOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("batchnorm: want 3 inputs, got %d", len(in))
	}
	s, ok := in[0].(tensor.Shape)
	if !ok || s.Dims() != 4 {
		return nil, fmt.Errorf("batchnorm: input must be 4-d, got %v", in[0])
	}
	return s.Clone(), nil
}
func (op *bnOp) ReturnsPtr() bool      { return false }
func (op *bnOp) CallsExtern() bool     { return false }
func (op *bnOp) OverwritesInput() int  { return -1 }
func (op *bnOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *bnOp) Hashcode() uint32      { return hashOf(op) }
func (op *bnOp) String() string        { return fmt.Sprintf("BatchNorm#%d(train=%t)", op.id, op.training) }
func (op *bnOp) DiffWRT(n int) []bool  { return []bool{true, true, true} }

// checkDims checks x against the op's channel count and returns its batch
// size, channels and pixels per image.
func (op *bnOp) checkDims(x *tensor.Dense) (n, c, s int, err error) {
	sh := x.Shape()
	if sh.Dims() != 4 || sh[1] != len(op.stats.mean) {
		return 0, 0, 0, fmt.Errorf("batchnorm: input shape %v does not have %d channels", sh, len(op.stats.mean))
	}
	return sh[0], sh[1], sh[2] * sh[3], nil
}

// bnInputs checks the inputs of the batch-norm ops: the first three are x,
// a (1,C,1,1) tensor and an x-shaped tensor or another (1,C,1,1) one.
func bnInputs(what string, vals []G.Value, want int) ([]*tensor.Dense, error) {
	if len(vals) != want {
		return nil, fmt.Errorf("%s: want %d inputs, got %d", what, want, len(vals))
	}
	ds := make([]*tensor.Dense, 3)
	for i := range ds {
		d, err := denseOf(vals[i], what)
		if err != nil {
			return nil, err
		}
		if i > 0 && d.Dtype() != ds[0].Dtype() {
			return nil, fmt.Errorf("%s: mixed dtypes %v and %v", what, ds[0].Dtype(), d.Dtype())
		}
		ds[i] = d
	}
	return ds, nil
}

func (op *bnOp) Do(vals ...G.Value) (G.Value, error) {
	in, err := bnInputs("batchnorm", vals, 3)
	if err != nil {
		return nil, err
	}
	x, gamma, beta := in[0], in[1], in[2]
	n, c, s, err := op.checkDims(x)
	if err != nil {
		return nil, err
	}
	if gamma.Size() != c || beta.Size() != c {
		return nil, fmt.Errorf("batchnorm: scale and bias need %d values, got %d and %d", c, gamma.Size(), beta.Size())
	}
	if len(op.mean) != c {
		op.mean, op.invstd, op.variance = make([]float64, c), make([]float64, c), make([]float64, c)
	}
	out := op.out.Get(x.Dtype(), x.Shape()...)
	switch x.Dtype() {
	case tensor.Float32:
		bnForward(op, x.Float32s(), gamma.Float32s(), beta.Float32s(), out.Float32s(), n, c, s)
	default:
		bnForward(op, x.Float64s(), gamma.Float64s(), beta.Float64s(), out.Float64s(), n, c, s)
	}
	return out, nil
}

// bnForward computes the statistics (batch ones in training mode, updating
// the running ones) and writes y, in parallel over channels.
func bnForward[T float](op *bnOp, x, gamma, beta, y []T, n, c, s int) {
	m := float64(n * s)
	parallelChannels(c, n*s, func(ch int) {
		if op.training {
			var sum float64
			for b := range n {
				for _, v := range x[(b*c+ch)*s : (b*c+ch+1)*s] {
					sum += float64(v)
				}
			}
			mu := sum / m
			var ss float64
			for b := range n {
				for _, v := range x[(b*c+ch)*s : (b*c+ch+1)*s] {
					d := float64(v) - mu
					ss += d * d
				}
			}
			op.mean[ch], op.variance[ch] = mu, ss/m
			unbiased := ss / max(m-1, 1)
			op.stats.mean[ch] = float32((1-bnMomentum)*float64(op.stats.mean[ch]) + bnMomentum*mu)
			op.stats.variance[ch] = float32((1-bnMomentum)*float64(op.stats.variance[ch]) + bnMomentum*unbiased)
		} else {
			op.mean[ch], op.variance[ch] = float64(op.stats.mean[ch]), float64(op.stats.variance[ch])
		}
		op.invstd[ch] = 1 / math.Sqrt(op.variance[ch]+bnEpsilon)
		a := float64(gamma[ch]) * op.invstd[ch]
		off := float64(beta[ch]) - a*op.mean[ch]
		for b := range n {
			i0 := (b*c + ch) * s
			for i := i0; i < i0+s; i++ {
				y[i] = T(a*float64(x[i]) + off)
			}
		}
	})
}

// parallelChannels runs f for every channel, spread over GOMAXPROCS
// goroutines when there is enough work (size values per channel). Each
// channel's result depends only on that channel, so the outcome is the
// same for any split.
func parallelChannels(c, size int, f func(ch int)) {
	workers := min(runtime.GOMAXPROCS(0), c)
	if workers < 2 || c*size < 1<<14 {
		for ch := range c {
			f(ch)
		}
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ch := w; ch < c; ch += workers {
				f(ch)
			}
		}()
	}
	wg.Wait()
}

func (op *bnOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 3 {
		return nil, fmt.Errorf("batchnorm: want 3 inputs, got %d", len(inputs))
	}
	x, gamma := inputs[0], inputs[1]
	res := make(G.Nodes, 3)
	for which := range res {
		d, err := G.ApplyOp(&bnDiffOp{fwd: op, which: which}, x, gamma, grad, output)
		if err != nil {
			return nil, fmt.Errorf("batchnorm gradient: %w", err)
		}
		res[which] = d
	}
	return res, nil
}

// bnDiffOp computes one of the gradients of a bnOp (which: 0 for x, 1 for
// the scale, 2 for the bias) from x, the scale, the output gradient and the
// forward output (read only to order the tape), with the statistics the
// forward pass kept. It keeps its output tensor between runs.
type bnDiffOp struct {
	fwd   *bnOp
	which int
	out   nnops.OutBuf
}

func (op *bnDiffOp) Arity() int { return 4 }

// OutputBuffer implements nnops.Buffered.
func (op *bnDiffOp) OutputBuffer() *nnops.OutBuf { return &op.out }
func (op *bnDiffOp) Type() hm.Type {
	t := tensorType(4)
	return hm.NewFnType(t, t, t, t, t)
}
func (op *bnDiffOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 4 {
		return nil, fmt.Errorf("batchnorm gradient: want 4 inputs, got %d", len(in))
	}
	s, ok := in[min(op.which, 1)].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("batchnorm gradient: bad input shape %v", in[0])
	}
	return s.Clone(), nil
}
func (op *bnDiffOp) ReturnsPtr() bool      { return false }
func (op *bnDiffOp) CallsExtern() bool     { return false }
func (op *bnDiffOp) OverwritesInput() int  { return -1 }
func (op *bnDiffOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *bnDiffOp) Hashcode() uint32      { return hashOf(op) }
func (op *bnDiffOp) String() string        { return fmt.Sprintf("BatchNormGrad#%d/%d", op.fwd.id, op.which) }

func (op *bnDiffOp) Do(vals ...G.Value) (G.Value, error) {
	in, err := bnInputs("batchnorm gradient", vals, 4)
	if err != nil {
		return nil, err
	}
	x, gamma, dy := in[0], in[1], in[2]
	n, c, s, err := op.fwd.checkDims(x)
	if err != nil {
		return nil, err
	}
	if !dy.Shape().Eq(x.Shape()) || len(op.fwd.mean) != c {
		return nil, fmt.Errorf("batchnorm gradient: gradient %v for input %v, or no forward pass", dy.Shape(), x.Shape())
	}
	shape := x.Shape()
	if op.which > 0 {
		shape = gamma.Shape()
	}
	out := op.out.Get(x.Dtype(), shape...)
	switch x.Dtype() {
	case tensor.Float32:
		bnBackward(op.which, op.fwd, x.Float32s(), gamma.Float32s(), dy.Float32s(), out.Float32s(), n, c, s)
	default:
		bnBackward(op.which, op.fwd, x.Float64s(), gamma.Float64s(), dy.Float64s(), out.Float64s(), n, c, s)
	}
	return out, nil
}

func (op *bnDiffOp) DiffWRT(n int) []bool { return make([]bool, n) }
func (op *bnDiffOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("batchnorm gradient has no second derivative")
}

// bnBackward writes d loss/d x (which 0), d loss/d scale (1) or d loss/d
// bias (2). With xhat = (x-mean)*invstd and M = n*s pixels per channel:
// dbias = sum dy, dscale = sum dy*xhat, and in training mode
// dx = scale*invstd/M * (M*dy - sum dy - xhat*sum dy*xhat); in eval mode the
// statistics are constants and dx = scale*invstd*dy.
func bnBackward[T float](which int, fwd *bnOp, x, gamma, dy, out []T, n, c, s int) {
	m := float64(n * s)
	parallelChannels(c, n*s, func(ch int) {
		mean, invstd := fwd.mean[ch], fwd.invstd[ch]
		k := float64(gamma[ch]) * invstd
		if which == 0 && !fwd.training {
			for b := range n {
				for i := (b*c + ch) * s; i < (b*c+ch+1)*s; i++ {
					out[i] = T(k * float64(dy[i]))
				}
			}
			return
		}
		var sumDy, sumDyXhat float64
		for b := range n {
			for i := (b*c + ch) * s; i < (b*c+ch+1)*s; i++ {
				g := float64(dy[i])
				sumDy += g
				if which != 2 {
					sumDyXhat += g * (float64(x[i]) - mean)
				}
			}
		}
		sumDyXhat *= invstd
		switch which {
		case 1:
			out[ch] = T(sumDyXhat)
			return
		case 2:
			out[ch] = T(sumDy)
			return
		}
		for b := range n {
			for i := (b*c + ch) * s; i < (b*c+ch+1)*s; i++ {
				xhat := (float64(x[i]) - mean) * invstd
				out[i] = T(k / m * (m*float64(dy[i]) - sumDy - xhat*sumDyXhat))
			}
		}
	})
}
