package nnops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Concat joins tensors (N,Cᵢ,H,W) along the channel axis into (N,ΣCᵢ,H,W).
func Concat(xs ...*G.Node) (*G.Node, error) {
	if len(xs) < 2 {
		return nil, fmt.Errorf("nnops.Concat: want at least 2 inputs, got %d", len(xs))
	}
	s0 := xs[0].Shape()
	chans := make([]int, len(xs))
	for i, x := range xs {
		s := x.Shape()
		if s.Dims() != 4 || s[0] != s0[0] || s[2] != s0[2] || s[3] != s0[3] {
			return nil, fmt.Errorf("nnops.Concat: input %d has shape %v, input 0 has %v", i, s, s0)
		}
		chans[i] = s[1]
	}
	y, err := G.ApplyOp(&concatOp{id: nextID(), chans: chans}, xs...)
	if err != nil {
		return nil, fmt.Errorf("nnops.Concat: %w", err)
	}
	return y, nil
}

type concatOp struct {
	id    int64
	chans []int
	out   OutBuf
}

func (op *concatOp) Arity() int            { return len(op.chans) }
func (op *concatOp) OutputBuffer() *OutBuf { return &op.out }
func (op *concatOp) Type() hm.Type {
	r := make([]int, len(op.chans)+1)
	for i := range r {
		r[i] = 4
	}
	return fnType(r...)
}
func (op *concatOp) ReturnsPtr() bool      { return false }
func (op *concatOp) CallsExtern() bool     { return false }
func (op *concatOp) OverwritesInput() int  { return -1 }
func (op *concatOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *concatOp) Hashcode() uint32      { return hashString(op.String()) }
func (op *concatOp) String() string        { return fmt.Sprintf("Concat%v#%d", op.chans, op.id) }
func (op *concatOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = true
	}
	return d
}
func (op *concatOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapeOf(op.String(), in[0])
	if err != nil {
		return nil, err
	}
	total := 0
	for _, c := range op.chans {
		total += c
	}
	return tensor.Shape{s[0], total, s[2], s[3]}, nil
}

func (op *concatOp) Do(vals ...G.Value) (G.Value, error) {
	in, err := inputs(op.String(), len(op.chans), vals)
	if err != nil {
		return nil, err
	}
	s := in[0].Shape()
	total := 0
	for i, x := range in {
		xs := x.Shape()
		if xs.Dims() != 4 || xs[0] != s[0] || xs[1] != op.chans[i] || xs[2] != s[2] || xs[3] != s[3] {
			return nil, fmt.Errorf("%v: input %d has shape %v", op, i, xs)
		}
		total += op.chans[i]
	}
	out := op.out.Get(in[0].Dtype(), s[0], total, s[2], s[3])
	hw := s[2] * s[3]
	if out.Dtype() == tensor.Float32 {
		concatForward(in, slice[float32](out), s[0], total, hw)
	} else {
		concatForward(in, slice[float64](out), s[0], total, hw)
	}
	return out, nil
}

func concatForward[T float](in []*tensor.Dense, y []T, n, total, hw int) {
	parallelFor(n, func(_, i int) {
		off := 0
		for _, x := range in {
			c := x.Shape()[1]
			xd := slice[T](x)
			copy(y[(i*total+off)*hw:(i*total+off+c)*hw], xd[i*c*hw:(i+1)*c*hw])
			off += c
		}
	})
}

func (op *concatOp) SymDiff(in G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	ds := make(G.Nodes, len(in))
	off := 0
	for i, c := range op.chans {
		d, err := G.ApplyOp(&concatGradOp{id: op.id, input: i, off: off, xShape: in[i].Shape().Clone()}, grad)
		if err != nil {
			return nil, fmt.Errorf("%v: gradient of input %d: %w", op, i, err)
		}
		ds[i] = d
		off += c
	}
	return ds, nil
}

// concatGradOp copies one input's channels out of the concatenated gradient. Input: dy.
type concatGradOp struct {
	id     int64
	input  int
	off    int
	xShape tensor.Shape
	out    OutBuf
}

func (op *concatGradOp) Arity() int            { return 1 }
func (op *concatGradOp) OutputBuffer() *OutBuf { return &op.out }
func (op *concatGradOp) Type() hm.Type         { return fnType(4, 4) }
func (op *concatGradOp) ReturnsPtr() bool      { return false }
func (op *concatGradOp) CallsExtern() bool     { return false }
func (op *concatGradOp) OverwritesInput() int  { return -1 }
func (op *concatGradOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *concatGradOp) Hashcode() uint32      { return hashString(op.String()) }
func (op *concatGradOp) String() string {
	return fmt.Sprintf("ConcatGrad#%d/%d", op.id, op.input)
}
func (op *concatGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return op.xShape.Clone(), nil
}

func (op *concatGradOp) Do(vals ...G.Value) (G.Value, error) {
	in, err := inputs(op.String(), 1, vals)
	if err != nil {
		return nil, err
	}
	dy := in[0]
	ds, s := dy.Shape(), op.xShape
	if ds.Dims() != 4 || ds[0] != s[0] || ds[1] < op.off+s[1] || ds[2] != s[2] || ds[3] != s[3] {
		return nil, fmt.Errorf("%v: gradient %v does not fit input %v", op, ds, s)
	}
	out := op.out.Get(dy.Dtype(), s...)
	hw := s[2] * s[3]
	if dy.Dtype() == tensor.Float32 {
		concatBackward(slice[float32](dy), ds[1], op.off, s[0], s[1], hw, slice[float32](out))
	} else {
		concatBackward(slice[float64](dy), ds[1], op.off, s[0], s[1], hw, slice[float64](out))
	}
	return out, nil
}

func concatBackward[T float](dy []T, total, off, n, c, hw int, dx []T) {
	parallelFor(n, func(_, i int) {
		copy(dx[i*c*hw:(i+1)*c*hw], dy[(i*total+off)*hw:(i*total+off+c)*hw])
	})
}

// ReLU is max(x, 0) elementwise over a 4-d tensor.
func ReLU(x *G.Node) (*G.Node, error) {
	if x.Shape().Dims() != 4 {
		return nil, fmt.Errorf("nnops.ReLU: want a 4-d tensor, got %v", x.Shape())
	}
	y, err := G.ApplyOp(&reluOp{id: nextID()}, x)
	if err != nil {
		return nil, fmt.Errorf("nnops.ReLU %v: %w", x.Shape(), err)
	}
	return y, nil
}

type reluOp struct {
	id  int64
	out OutBuf
}

func (op *reluOp) Arity() int            { return 1 }
func (op *reluOp) OutputBuffer() *OutBuf { return &op.out }
func (op *reluOp) Type() hm.Type         { return fnType(4, 4) }
func (op *reluOp) ReturnsPtr() bool      { return false }
func (op *reluOp) CallsExtern() bool     { return false }
func (op *reluOp) OverwritesInput() int  { return -1 }
func (op *reluOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *reluOp) Hashcode() uint32      { return hashString(op.String()) }
func (op *reluOp) String() string        { return fmt.Sprintf("ReLU#%d", op.id) }
func (op *reluOp) DiffWRT(int) []bool    { return []bool{true} }
func (op *reluOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapeOf(op.String(), in[0])
	return s.Clone(), err
}

func (op *reluOp) Do(vals ...G.Value) (G.Value, error) {
	in, err := inputs(op.String(), 1, vals)
	if err != nil {
		return nil, err
	}
	x := in[0]
	out := op.out.Get(x.Dtype(), x.Shape()...)
	if x.Dtype() == tensor.Float32 {
		reluForward(slice[float32](x), slice[float32](out))
	} else {
		reluForward(slice[float64](x), slice[float64](out))
	}
	return out, nil
}

func reluForward[T float](x, y []T) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = max(v, 0)
	}
}

func (op *reluOp) SymDiff(in G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(&reluGradOp{id: op.id}, output, grad)
	if err != nil {
		return nil, fmt.Errorf("%v: gradient: %w", op, err)
	}
	return G.Nodes{d}, nil
}
