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
// and gamma, beta of shape (1,C,1,1), followed by max(y, 0) when relu is set. In training mode it uses the batch
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
	relu     bool
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
func (op *bnOp) String() string {
	return fmt.Sprintf("BatchNorm#%d(train=%t,relu=%t)", op.id, op.training, op.relu)
}
func (op *bnOp) DiffWRT(n int) []bool { return []bool{true, true, true} }

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
				sum += sumOf(x[(b*c+ch)*s : (b*c+ch+1)*s])
			}
			mu := sum / m
			var ss float64
			for b := range n {
				ss += squaredDeviations(x[(b*c+ch)*s:(b*c+ch+1)*s], T(mu))
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
			affine(x[i0:i0+s], T(a), T(off), y[i0:i0+s], op.relu)
		}
	})
}

// sumOf returns the sum of x, accumulated in float64 over runs of 256
// (each run in four independent partial sums, so the adds overlap).
func sumOf[T float](x []T) float64 {
	var sum float64
	for lo := 0; lo < len(x); lo += 256 {
		r := x[lo:min(lo+256, len(x))]
		var a0, a1, a2, a3 T
		i := 0
		for ; i+4 <= len(r); i += 4 {
			q := r[i : i+4 : i+4]
			a0, a1, a2, a3 = a0+q[0], a1+q[1], a2+q[2], a3+q[3]
		}
		for ; i < len(r); i++ {
			a0 += r[i]
		}
		sum += float64((a0 + a1) + (a2 + a3))
	}
	return sum
}

// squaredDeviations returns the sum of (x-mean)², accumulated like sumOf.
func squaredDeviations[T float](x []T, mean T) float64 {
	var sum float64
	for lo := 0; lo < len(x); lo += 256 {
		r := x[lo:min(lo+256, len(x))]
		var a0, a1, a2, a3 T
		i := 0
		for ; i+4 <= len(r); i += 4 {
			q := r[i : i+4 : i+4]
			d0, d1, d2, d3 := q[0]-mean, q[1]-mean, q[2]-mean, q[3]-mean
			a0, a1, a2, a3 = a0+d0*d0, a1+d1*d1, a2+d2*d2, a3+d3*d3
		}
		for ; i < len(r); i++ {
			d := r[i] - mean
			a0 += d * d
		}
		sum += float64((a0 + a1) + (a2 + a3))
	}
	return sum
}

// affine writes a*x + b into y, then max(·, 0) if relu (never -0).
func affine[T float](x []T, a, b T, y []T, relu bool) {
	y = y[:len(x)]
	if yf, ok := any(y).([]float32); ok && relu {
		xf, af, bf := any(x).([]float32), float32(a), float32(b)
		for i, v := range xf {
			u := math.Float32bits(af*v + bf)
			yf[i] = math.Float32frombits(u &^ uint32(int32(u)>>31))
		}
		return
	}
	for i, v := range x {
		y[i] = a*v + b
	}
	if relu {
		reluInPlace(y)
	}
}

// reluInPlace replaces the values of y by max(y, 0), negative zero by +0.
func reluInPlace[T float](y []T) {
	if f, ok := any(y).([]float32); ok {
		for i, v := range f {
			u := math.Float32bits(v)
			f[i] = math.Float32frombits(u &^ uint32(int32(u)>>31))
		}
		return
	}
	for i, v := range y {
		if !(v > 0) {
			y[i] = 0
		}
	}
}

// reluGrad is dy where the ReLU output y is positive, else 0.
func reluGrad[T float](y, dy T) T {
	if y > 0 {
		return dy
	}
	return 0
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
	gop := &bnGradOp{fwd: op}
	dx, err := G.ApplyOp(gop, x, gamma, grad, output)
	if err != nil {
		return nil, fmt.Errorf("batchnorm gradient: %w", err)
	}
	res := G.Nodes{dx, nil, nil}
	for which := 1; which <= 2; which++ {
		d, err := G.ApplyOp(&bnParamGradOp{src: gop, which: which}, dx)
		if err != nil {
			return nil, fmt.Errorf("batchnorm gradient: %w", err)
		}
		res[which] = d
	}
	return res, nil
}

// bnGradOp computes all the gradients of a bnOp in one pass over the data:
// it returns d loss/d x and keeps d loss/d scale and d loss/d bias for its
// two bnParamGradOps. Inputs: x, the scale, the output gradient and the
// forward output (for the ReLU mask; it also orders the tape), with the
// statistics the forward pass kept. It keeps its tensors between runs.
type bnGradOp struct {
	fwd           *bnOp
	out           nnops.OutBuf
	dgamma, dbeta nnops.OutBuf
}

func (op *bnGradOp) Arity() int { return 4 }

// OutputBuffer implements nnops.Buffered.
func (op *bnGradOp) OutputBuffer() *nnops.OutBuf { return &op.out }
func (op *bnGradOp) Type() hm.Type {
	t := tensorType(4)
	return hm.NewFnType(t, t, t, t, t)
}
func (op *bnGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 4 {
		return nil, fmt.Errorf("batchnorm gradient: want 4 inputs, got %d", len(in))
	}
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("batchnorm gradient: bad input shape %v", in[0])
	}
	return s.Clone(), nil
}
func (op *bnGradOp) ReturnsPtr() bool      { return false }
func (op *bnGradOp) CallsExtern() bool     { return false }
func (op *bnGradOp) OverwritesInput() int  { return -1 }
func (op *bnGradOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *bnGradOp) Hashcode() uint32      { return hashOf(op) }
func (op *bnGradOp) String() string        { return fmt.Sprintf("BatchNormGrad#%d", op.fwd.id) }
func (op *bnGradOp) DiffWRT(n int) []bool  { return make([]bool, n) }
func (op *bnGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("batchnorm gradient has no second derivative")
}

func (op *bnGradOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != 4 {
		return nil, fmt.Errorf("batchnorm gradient: want 4 inputs, got %d", len(vals))
	}
	in, err := bnInputs("batchnorm gradient", vals, 4)
	if err != nil {
		return nil, err
	}
	y, err := denseOf(vals[3], "batchnorm gradient")
	if err != nil {
		return nil, err
	}
	x, gamma, dy := in[0], in[1], in[2]
	n, c, s, err := op.fwd.checkDims(x)
	if err != nil {
		return nil, err
	}
	if !dy.Shape().Eq(x.Shape()) || !y.Shape().Eq(x.Shape()) || y.Dtype() != x.Dtype() || len(op.fwd.mean) != c {
		return nil, fmt.Errorf("batchnorm gradient: gradient %v and output %v for input %v, or no forward pass", dy.Shape(), y.Shape(), x.Shape())
	}
	out := op.out.Get(x.Dtype(), x.Shape()...)
	dg := op.dgamma.Get(x.Dtype(), gamma.Shape()...)
	db := op.dbeta.Get(x.Dtype(), gamma.Shape()...)
	switch x.Dtype() {
	case tensor.Float32:
		bnBackward(op.fwd, x.Float32s(), gamma.Float32s(), dy.Float32s(), y.Float32s(), out.Float32s(), dg.Float32s(), db.Float32s(), n, c, s)
	default:
		bnBackward(op.fwd, x.Float64s(), gamma.Float64s(), dy.Float64s(), y.Float64s(), out.Float64s(), dg.Float64s(), db.Float64s(), n, c, s)
	}
	return out, nil
}

// bnBackward writes d loss/d x into dx and d loss/d scale, d loss/d bias
// into dgamma, dbeta. With g the output gradient (masked by y > 0 when the
// op has a ReLU), xhat = (x-mean)*invstd and M = n*s pixels per channel:
// dbias = sum g, dscale = sum g*xhat, and in training mode
// dx = scale*invstd/M * (M*g - sum g - xhat*sum g*xhat), computed as
// A*g + B*x + C; in eval mode the statistics are constants and
// dx = scale*invstd*g.
func bnBackward[T float](fwd *bnOp, x, gamma, dy, y, dx, dgamma, dbeta []T, n, c, s int) {
	m := float64(n * s)
	parallelChannels(c, n*s, func(ch int) {
		mean, invstd := fwd.mean[ch], fwd.invstd[ch]
		k := float64(gamma[ch]) * invstd
		var sumG, sumGX float64 // sum g, sum g*(x-mean)
		for b := range n {
			i0 := (b*c + ch) * s
			if fwd.relu {
				sg, sgx := maskSums(y[i0:i0+s], dy[i0:i0+s], x[i0:i0+s], T(mean), dx[i0:i0+s])
				sumG, sumGX = sumG+sg, sumGX+sgx
			} else {
				sg, sgx := sums(dy[i0:i0+s], x[i0:i0+s], T(mean))
				sumG, sumGX = sumG+sg, sumGX+sgx
			}
		}
		sumGXhat := sumGX * invstd
		dgamma[ch], dbeta[ch] = T(sumGXhat), T(sumG)
		a, bx, c0 := k, 0.0, 0.0
		if fwd.training {
			bx = -k * sumGXhat * invstd / m
			c0 = -k*sumG/m - bx*mean
		}
		for b := range n {
			i0 := (b*c + ch) * s
			g := dy[i0 : i0+s]
			if fwd.relu {
				g = dx[i0 : i0+s] // the masked gradient, written above
			}
			gradAffine(g, x[i0:i0+s], T(a), T(bx), T(c0), dx[i0:i0+s])
		}
	})
}

// maskSums writes g = dy where the ReLU output y is positive and 0
// elsewhere (branch-free for float32: the ReLU never outputs -0) and
// returns sum g and sum g*(x-mean), accumulated like sumOf.
func maskSums[T float](y, dy, x []T, mean T, g []T) (sg, sgx float64) {
	if yf, ok := any(y).([]float32); ok {
		df, xf, gf := any(dy).([]float32), any(x).([]float32), any(g).([]float32)
		m := float32(mean)
		for lo := 0; lo < len(yf); lo += 256 {
			hi := min(lo+256, len(yf))
			yr, dr, xr, gr := yf[lo:hi], df[lo:hi], xf[lo:hi], gf[lo:hi]
			var a, b float32
			for i, v := range yr {
				mask := uint32(^((int32(math.Float32bits(v)) - 1) >> 31))
				gv := math.Float32frombits(math.Float32bits(dr[i]) & mask)
				gr[i] = gv
				a += gv
				b += gv * (xr[i] - m)
			}
			sg += float64(a)
			sgx += float64(b)
		}
		return sg, sgx
	}
	for i, v := range y {
		g[i] = reluGrad(v, dy[i])
	}
	return sums(g, x, mean)
}

// sums returns sum g and sum g*(x-mean), accumulated like sumOf.
func sums[T float](g, x []T, mean T) (sg, sgx float64) {
	x = x[:len(g)]
	for lo := 0; lo < len(g); lo += 256 {
		hi := min(lo+256, len(g))
		gr, xr := g[lo:hi], x[lo:hi]
		var a0, a1, b0, b1 T
		i := 0
		for ; i+2 <= len(gr); i += 2 {
			gq, xq := gr[i:i+2:i+2], xr[i:i+2:i+2]
			a0, a1 = a0+gq[0], a1+gq[1]
			b0, b1 = b0+gq[0]*(xq[0]-mean), b1+gq[1]*(xq[1]-mean)
		}
		for ; i < len(gr); i++ {
			a0 += gr[i]
			b0 += gr[i] * (xr[i] - mean)
		}
		sg += float64(a0 + a1)
		sgx += float64(b0 + b1)
	}
	return sg, sgx
}

// gradAffine writes a*g + b*x + c into dx (which may be g).
func gradAffine[T float](g, x []T, a, b, c T, dx []T) {
	x, dx = x[:len(g)], dx[:len(g)]
	for i, v := range g {
		dx[i] = a*v + b*x[i] + c
	}
}

// bnParamGradOp hands out the scale (which 1) or bias (which 2) gradient
// its bnGradOp computed. Input: the bnGradOp's output, to order the tape.
type bnParamGradOp struct {
	src   *bnGradOp
	which int
}

func (op *bnParamGradOp) Arity() int { return 1 }
func (op *bnParamGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(4), tensorType(4))
}
func (op *bnParamGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{1, len(op.src.fwd.stats.mean), 1, 1}, nil
}
func (op *bnParamGradOp) ReturnsPtr() bool      { return false }
func (op *bnParamGradOp) CallsExtern() bool     { return false }
func (op *bnParamGradOp) OverwritesInput() int  { return -1 }
func (op *bnParamGradOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *bnParamGradOp) Hashcode() uint32      { return hashOf(op) }
func (op *bnParamGradOp) String() string {
	return fmt.Sprintf("BatchNormGrad#%d/%d", op.src.fwd.id, op.which)
}
func (op *bnParamGradOp) DiffWRT(n int) []bool { return make([]bool, n) }
func (op *bnParamGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("batchnorm gradient has no second derivative")
}

func (op *bnParamGradOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != 1 {
		return nil, fmt.Errorf("batchnorm gradient: want 1 input, got %d", len(vals))
	}
	buf := &op.src.dgamma
	if op.which == 2 {
		buf = &op.src.dbeta
	}
	return buf.Get(vals[0].Dtype(), 1, len(op.src.fwd.stats.mean), 1, 1), nil
}
