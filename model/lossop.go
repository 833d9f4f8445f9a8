package model

import (
	"errors"
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/segloss/segloss/model/nnops"
)

// LossFunc computes a scalar loss of NCHW logits (n images, c classes, h x w
// pixels) and writes d loss/d logits into grad (same layout, same length).
// It is called exactly once per training step; a caller sets the batch's
// labels in the closure before calling Trainer.Step.
type LossFunc func(logits, grad []float32, n, c, h, w int) (float64, error)

// lossOp wraps a LossFunc as one Gorgonia op from logits to a scalar. Its
// forward pass keeps the gradient the LossFunc wrote; lossGradOp hands it
// back times the upstream scalar gradient.
type lossOp struct {
	id     int64
	fn     LossFunc
	logits []float32 // float32 copy of float64 logits, reused
	grad   []float32
	loss   float64
	ran    bool
}

func (op *lossOp) Arity() int                                     { return 1 }
func (op *lossOp) Type() hm.Type                                  { return hm.NewFnType(tensorType(4), hm.TypeVariable('a')) }
func (op *lossOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return tensor.ScalarShape(), nil }
func (op *lossOp) ReturnsPtr() bool                               { return false }
func (op *lossOp) CallsExtern() bool                              { return false }
func (op *lossOp) OverwritesInput() int                           { return -1 }
func (op *lossOp) WriteHash(h hash.Hash)                          { writeHash(h, op) }
func (op *lossOp) Hashcode() uint32                               { return hashOf(op) }
func (op *lossOp) String() string                                 { return fmt.Sprintf("Loss#%d", op.id) }
func (op *lossOp) DiffWRT(n int) []bool                           { return []bool{true} }

func (op *lossOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != 1 {
		return nil, fmt.Errorf("loss: want 1 input, got %d", len(vals))
	}
	x, err := denseOf(vals[0], "loss logits")
	if err != nil {
		return nil, err
	}
	sh := x.Shape()
	if sh.Dims() != 4 {
		return nil, fmt.Errorf("loss: logits must be 4-d, got %v", sh)
	}
	var logits []float32
	if x.Dtype() == tensor.Float32 {
		logits = x.Float32s()
	} else {
		if len(op.logits) != x.Size() {
			op.logits = make([]float32, x.Size())
		}
		for i, v := range x.Float64s() {
			op.logits[i] = float32(v)
		}
		logits = op.logits
	}
	if len(op.grad) != x.Size() {
		op.grad = make([]float32, x.Size())
	}
	clear(op.grad)
	op.ran = false
	loss, err := op.fn(logits, op.grad, sh[0], sh[1], sh[2], sh[3])
	if err != nil {
		return nil, fmt.Errorf("loss: %w", err)
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return nil, fmt.Errorf("loss: not finite (%v)", loss)
	}
	op.loss, op.ran = loss, true
	if x.Dtype() == tensor.Float32 {
		return G.NewF32(float32(loss)), nil
	}
	return G.NewF64(loss), nil
}

func (op *lossOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 1 {
		return nil, fmt.Errorf("loss: want 1 input, got %d", len(inputs))
	}
	// The loss output is an input of the gradient op only to make the tape
	// run the LossFunc before its gradient is read.
	d, err := G.ApplyOp(&lossGradOp{fwd: op}, inputs[0], output, grad)
	if err != nil {
		return nil, fmt.Errorf("loss gradient: %w", err)
	}
	return G.Nodes{d}, nil
}

// lossGradOp returns the gradient kept by its lossOp times the upstream
// scalar gradient. Inputs: logits, the loss value, the upstream gradient.
// Its output tensor is allocated once and rewritten on every later run.
type lossGradOp struct {
	fwd *lossOp
	out nnops.OutBuf
}

func (op *lossGradOp) Arity() int { return 3 }

// OutputBuffer implements nnops.Buffered.
func (op *lossGradOp) OutputBuffer() *nnops.OutBuf { return &op.out }
func (op *lossGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(tensorType(4), a, a, tensorType(4))
}
func (op *lossGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("loss gradient: bad logits shape %v", in[0])
	}
	return s.Clone(), nil
}
func (op *lossGradOp) ReturnsPtr() bool      { return false }
func (op *lossGradOp) CallsExtern() bool     { return false }
func (op *lossGradOp) OverwritesInput() int  { return -1 }
func (op *lossGradOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *lossGradOp) Hashcode() uint32      { return hashOf(op) }
func (op *lossGradOp) String() string        { return fmt.Sprintf("LossGrad#%d", op.fwd.id) }
func (op *lossGradOp) DiffWRT(n int) []bool  { return make([]bool, n) }
func (op *lossGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, errors.New("loss gradient has no second derivative")
}

func (op *lossGradOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != 3 {
		return nil, fmt.Errorf("loss gradient: want 3 inputs, got %d", len(vals))
	}
	if !op.fwd.ran {
		return nil, errors.New("loss gradient: the loss has not been computed in this pass")
	}
	x, err := denseOf(vals[0], "loss gradient logits")
	if err != nil {
		return nil, err
	}
	up, err := scalarOf(vals[2])
	if err != nil {
		return nil, fmt.Errorf("loss gradient: %w", err)
	}
	out := op.out.Get(x.Dtype(), x.Shape()...)
	if x.Dtype() == tensor.Float32 {
		o := out.Float32s()
		u := float32(up)
		for i, g := range op.fwd.grad {
			o[i] = g * u
		}
	} else {
		o := out.Float64s()
		for i, g := range op.fwd.grad {
			o[i] = float64(g) * up
		}
	}
	return out, nil
}

// scalarOf reads a float scalar Value.
func scalarOf(v G.Value) (float64, error) {
	switch s := v.(type) {
	case *G.F32:
		return float64(*s), nil
	case *G.F64:
		return float64(*s), nil
	case tensor.Tensor:
		if s.Size() != 1 {
			return 0, fmt.Errorf("want a scalar, got shape %v", s.Shape())
		}
		switch d := s.Data().(type) {
		case float32:
			return float64(d), nil
		case float64:
			return d, nil
		case []float32:
			return float64(d[0]), nil
		case []float64:
			return d[0], nil
		}
	}
	return 0, fmt.Errorf("want a float scalar, got %T", v)
}
