package model

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
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
type bnOp struct {
	id       int64
	training bool
	stats    *bnStats
}

func (op *bnOp) Arity() int { return 3 }
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
func (op *bnOp) checkDims(x *tensor.Dense) (n, c, s int, err error) {
	sh := x.Shape()
	if sh.Dims() != 4 || sh[1] != len(op.stats.mean) {
		return 0, 0, 0, fmt.Errorf("batchnorm: input shape %v does not have %d channels", sh, len(op.stats.mean))
	}
	return sh[0], sh[1], sh[2] * sh[3], nil
}

func (op *bnOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != 3 {
		return nil, fmt.Errorf("batchnorm: want 3 inputs, got %d", len(vals))
	}
	x, err := denseOf(vals[0], "batchnorm x")
	if err != nil {
		return nil, err
	}
	gamma, err := denseOf(vals[1], "batchnorm scale")
	if err != nil {
		return nil, err
	}
	beta, err := denseOf(vals[2], "batchnorm bias")
	if err != nil {
		return nil, err
	}
	n, c, s, err := op.checkDims(x)
	if err != nil {
		return nil, err
	}
	mean, invstd := op.statistics(x, n, c, s, true)
	out := tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(x.Shape().Clone()...))
	switch x.Dtype() {
	case tensor.Float32:
		bnForward(x.Float32s(), gamma.Float32s(), beta.Float32s(), out.Float32s(), n, c, s, mean, invstd)
	default:
		bnForward(x.Float64s(), gamma.Float64s(), beta.Float64s(), out.Float64s(), n, c, s, mean, invstd)
	}
	return out, nil
}

// statistics returns the per-channel mean and 1/sqrt(var+eps) the forward
// pass normalises with; in training mode these are the batch's, and when
// update is set the running statistics move towards them.
func (op *bnOp) statistics(x *tensor.Dense, n, c, s int, update bool) (mean, invstd []float64) {
	mean = make([]float64, c)
	invstd = make([]float64, c)
	if !op.training {
		for ch := range c {
			mean[ch] = float64(op.stats.mean[ch])
			invstd[ch] = 1 / math.Sqrt(float64(op.stats.variance[ch])+bnEpsilon)
		}
		return mean, invstd
	}
	var variance []float64
	switch x.Dtype() {
	case tensor.Float32:
		variance = batchMoments(x.Float32s(), n, c, s, mean)
	default:
		variance = batchMoments(x.Float64s(), n, c, s, mean)
	}
	m := float64(n * s)
	for ch := range c {
		invstd[ch] = 1 / math.Sqrt(variance[ch]+bnEpsilon)
		if update {
			unbiased := variance[ch]
			if m > 1 {
				unbiased *= m / (m - 1)
			}
			op.stats.mean[ch] = float32((1-bnMomentum)*float64(op.stats.mean[ch]) + bnMomentum*mean[ch])
			op.stats.variance[ch] = float32((1-bnMomentum)*float64(op.stats.variance[ch]) + bnMomentum*unbiased)
		}
	}
	return mean, invstd
}

// batchMoments fills mean and returns the biased variance per channel.
func batchMoments[T float](x []T, n, c, s int, mean []float64) []float64 {
	variance := make([]float64, c)
	m := float64(n * s)
	for ch := range c {
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
		mean[ch] = mu
		variance[ch] = ss / m
	}
	return variance
}

func bnForward[T float](x, gamma, beta, y []T, n, c, s int, mean, invstd []float64) {
	for b := range n {
		for ch := range c {
			a := float64(gamma[ch]) * invstd[ch]
			off := float64(beta[ch]) - a*mean[ch]
			i0 := (b*c + ch) * s
			for i := i0; i < i0+s; i++ {
				y[i] = T(a*float64(x[i]) + off)
			}
		}
	}
}

func (op *bnOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 3 {
		return nil, fmt.Errorf("batchnorm: want 3 inputs, got %d", len(inputs))
	}
	x, gamma := inputs[0], inputs[1]
	res := make(G.Nodes, 3)
	for which := range res {
		d, err := G.ApplyOp(&bnDiffOp{fwd: op, which: which}, x, gamma, grad)
		if err != nil {
			return nil, fmt.Errorf("batchnorm gradient: %w", err)
		}
		res[which] = d
	}
	return res, nil
}

// bnDiffOp computes one of the gradients of a bnOp (which: 0 for x, 1 for
// the scale, 2 for the bias) from x, the scale and the output gradient. It
// recomputes the batch statistics from x rather than trusting state saved
// by the forward pass, so the order the tape runs ops in cannot matter.
type bnDiffOp struct {
	fwd   *bnOp
	which int
}

func (op *bnDiffOp) Arity() int { return 3 }
func (op *bnDiffOp) Type() hm.Type {
	t := tensorType(4)
	return hm.NewFnType(t, t, t, t)
}
func (op *bnDiffOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("batchnorm gradient: want 3 inputs, got %d", len(in))
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
	if len(vals) != 3 {
		return nil, fmt.Errorf("batchnorm gradient: want 3 inputs, got %d", len(vals))
	}
	x, err := denseOf(vals[0], "batchnorm gradient x")
	if err != nil {
		return nil, err
	}
	gamma, err := denseOf(vals[1], "batchnorm gradient scale")
	if err != nil {
		return nil, err
	}
	dy, err := denseOf(vals[2], "batchnorm gradient dy")
	if err != nil {
		return nil, err
	}
	n, c, s, err := op.fwd.checkDims(x)
	if err != nil {
		return nil, err
	}
	mean, invstd := op.fwd.statistics(x, n, c, s, false)
	shape := x.Shape()
	if op.which > 0 {
		shape = gamma.Shape()
	}
	out := tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(shape.Clone()...))
	switch x.Dtype() {
	case tensor.Float32:
		bnBackward(op.which, op.fwd.training, x.Float32s(), gamma.Float32s(), dy.Float32s(), out.Float32s(), n, c, s, mean, invstd)
	default:
		bnBackward(op.which, op.fwd.training, x.Float64s(), gamma.Float64s(), dy.Float64s(), out.Float64s(), n, c, s, mean, invstd)
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
func bnBackward[T float](which int, training bool, x, gamma, dy, out []T, n, c, s int, mean, invstd []float64) {
	m := float64(n * s)
	for ch := range c {
		var sumDy, sumDyXhat float64
		for b := range n {
			i0 := (b*c + ch) * s
			for i := i0; i < i0+s; i++ {
				g := float64(dy[i])
				sumDy += g
				sumDyXhat += g * (float64(x[i]) - mean[ch]) * invstd[ch]
			}
		}
		switch which {
		case 1:
			out[ch] = T(sumDyXhat)
			continue
		case 2:
			out[ch] = T(sumDy)
			continue
		}
		k := float64(gamma[ch]) * invstd[ch]
		for b := range n {
			i0 := (b*c + ch) * s
			for i := i0; i < i0+s; i++ {
				if !training {
					out[i] = T(k * float64(dy[i]))
					continue
				}
				xhat := (float64(x[i]) - mean[ch]) * invstd[ch]
				out[i] = T(k / m * (m*float64(dy[i]) - sumDy - xhat*sumDyXhat))
			}
		}
	}
}
