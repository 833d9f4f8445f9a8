package nnops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// MaxPool2 is a 2×2 max-pool with stride 2 over x (N,C,H,W) with even H and W.
func MaxPool2(x *G.Node) (*G.Node, error) {
	s := x.Shape()
	if s.Dims() != 4 || s[2]%2 != 0 || s[3]%2 != 0 {
		return nil, fmt.Errorf("nnops.MaxPool2: want (N,C,H,W) with even H and W, got %v", s)
	}
	y, err := G.ApplyOp(&maxPoolOp{id: nextID()}, x)
	if err != nil {
		return nil, fmt.Errorf("nnops.MaxPool2 %v: %w", s, err)
	}
	return y, nil
}

// maxPoolOp keeps the position of each maximum for its gradient.
type maxPoolOp struct {
	id     int64
	argmax []int32 // per output pixel, the input offset of its maximum within the plane
	out    OutBuf
}

func (op *maxPoolOp) Arity() int            { return 1 }
func (op *maxPoolOp) OutputBuffer() *OutBuf { return &op.out }
func (op *maxPoolOp) Type() hm.Type         { return fnType(4, 4) }
func (op *maxPoolOp) ReturnsPtr() bool      { return false }
func (op *maxPoolOp) CallsExtern() bool     { return false }
func (op *maxPoolOp) OverwritesInput() int  { return -1 }
func (op *maxPoolOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *maxPoolOp) Hashcode() uint32      { return hashString(op.String()) }
func (op *maxPoolOp) String() string        { return fmt.Sprintf("MaxPool2#%d", op.id) }
func (op *maxPoolOp) DiffWRT(int) []bool    { return []bool{true} }
func (op *maxPoolOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapeOf(op.String(), in[0])
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[0], s[1], s[2] / 2, s[3] / 2}, nil
}

func (op *maxPoolOp) Do(vals ...G.Value) (G.Value, error) {
	in, err := inputs(op.String(), 1, vals)
	if err != nil {
		return nil, err
	}
	x := in[0]
	s := x.Shape()
	if s.Dims() != 4 || s[2]%2 != 0 || s[3]%2 != 0 {
		return nil, fmt.Errorf("%v: want (N,C,H,W) with even H and W, got %v", op, s)
	}
	out := op.out.Get(x.Dtype(), s[0], s[1], s[2]/2, s[3]/2)
	if len(op.argmax) != out.Size() {
		op.argmax = make([]int32, out.Size())
	}
	if x.Dtype() == tensor.Float32 {
		maxPoolForward(slice[float32](x), s[0]*s[1], s[2], s[3], slice[float32](out), op.argmax)
	} else {
		maxPoolForward(slice[float64](x), s[0]*s[1], s[2], s[3], slice[float64](out), op.argmax)
	}
	return out, nil
}

func maxPoolForward[T float](x []T, planes, h, w int, y []T, arg []int32) {
	oh, ow := h/2, w/2
	parallelFor(planes, func(_, p int) {
		xp := x[p*h*w : (p+1)*h*w]
		yp := y[p*oh*ow : (p+1)*oh*ow]
		ap := arg[p*oh*ow : (p+1)*oh*ow]
		for i := 0; i < oh; i++ {
			r0 := xp[2*i*w : (2*i+1)*w]
			r1 := xp[(2*i+1)*w : (2*i+2)*w]
			y := yp[i*ow : (i+1)*ow]
			a := ap[i*ow : (i+1)*ow]
			for j := range y {
				// Branch-free (the winner is unpredictable); ties keep the
				// first of a, b, c, d.
				top, bot := r0[2*j:2*j+2:2*j+2], r1[2*j:2*j+2:2*j+2]
				m01, i01 := top[0], b2i(top[1] > top[0])
				m01 = max(m01, top[1])
				m23, i23 := bot[0], w+b2i(bot[1] > bot[0])
				m23 = max(m23, bot[1])
				lower := b2i(m23 > m01)
				y[j] = max(m01, m23)
				a[j] = int32(2*i*w + 2*j + i01 + (i23-i01)*lower)
			}
		}
	})
}

// b2i is 1 for true and 0 for false, without a branch.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (op *maxPoolOp) SymDiff(in G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(&maxPoolGradOp{fwd: op, xShape: in[0].Shape().Clone()}, output, grad)
	if err != nil {
		return nil, fmt.Errorf("%v: gradient: %w", op, err)
	}
	return G.Nodes{d}, nil
}

// maxPoolGradOp routes each output gradient to the input pixel that was the
// maximum. Inputs: the pool's output (to order it after the pool) and dy.
type maxPoolGradOp struct {
	fwd    *maxPoolOp
	xShape tensor.Shape
	out    OutBuf
}

func (op *maxPoolGradOp) Arity() int            { return 2 }
func (op *maxPoolGradOp) OutputBuffer() *OutBuf { return &op.out }
func (op *maxPoolGradOp) Type() hm.Type         { return fnType(4, 4, 4) }
func (op *maxPoolGradOp) ReturnsPtr() bool      { return false }
func (op *maxPoolGradOp) CallsExtern() bool     { return false }
func (op *maxPoolGradOp) OverwritesInput() int  { return -1 }
func (op *maxPoolGradOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *maxPoolGradOp) Hashcode() uint32      { return hashString(op.String()) }
func (op *maxPoolGradOp) String() string        { return fmt.Sprintf("MaxPool2Grad#%d", op.fwd.id) }
func (op *maxPoolGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return op.xShape.Clone(), nil
}

func (op *maxPoolGradOp) Do(vals ...G.Value) (G.Value, error) {
	in, err := inputs(op.String(), 2, vals)
	if err != nil {
		return nil, err
	}
	dy := in[1]
	if dy.Size() != len(op.fwd.argmax) {
		return nil, fmt.Errorf("%v: gradient %v does not match the pooled output", op, dy.Shape())
	}
	s := op.xShape
	out := op.out.Get(dy.Dtype(), s...)
	if dy.Dtype() == tensor.Float32 {
		maxPoolBackward(slice[float32](dy), op.fwd.argmax, s[0]*s[1], s[2]*s[3], slice[float32](out))
	} else {
		maxPoolBackward(slice[float64](dy), op.fwd.argmax, s[0]*s[1], s[2]*s[3], slice[float64](out))
	}
	return out, nil
}

func maxPoolBackward[T float](dy []T, arg []int32, planes, hw int, dx []T) {
	q := hw / 4
	parallelFor(planes, func(_, p int) {
		dxp := dx[p*hw : (p+1)*hw]
		clear(dxp)
		for i, a := range arg[p*q : (p+1)*q] {
			dxp[a] += dy[p*q+i]
		}
	})
}

// Upsample2 repeats every pixel of x (N,C,H,W) into a 2×2 block (nearest neighbour).
func Upsample2(x *G.Node) (*G.Node, error) {
	s := x.Shape()
	if s.Dims() != 4 {
		return nil, fmt.Errorf("nnops.Upsample2: want (N,C,H,W), got %v", s)
	}
	y, err := G.ApplyOp(&upsampleOp{id: nextID()}, x)
	if err != nil {
		return nil, fmt.Errorf("nnops.Upsample2 %v: %w", s, err)
	}
	return y, nil
}

type upsampleOp struct {
	id  int64
	out OutBuf
}

func (op *upsampleOp) Arity() int            { return 1 }
func (op *upsampleOp) OutputBuffer() *OutBuf { return &op.out }
func (op *upsampleOp) Type() hm.Type         { return fnType(4, 4) }
func (op *upsampleOp) ReturnsPtr() bool      { return false }
func (op *upsampleOp) CallsExtern() bool     { return false }
func (op *upsampleOp) OverwritesInput() int  { return -1 }
func (op *upsampleOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *upsampleOp) Hashcode() uint32      { return hashString(op.String()) }
func (op *upsampleOp) String() string        { return fmt.Sprintf("Upsample2#%d", op.id) }
func (op *upsampleOp) DiffWRT(int) []bool    { return []bool{true} }
func (op *upsampleOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapeOf(op.String(), in[0])
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[0], s[1], 2 * s[2], 2 * s[3]}, nil
}

func (op *upsampleOp) Do(vals ...G.Value) (G.Value, error) {
	in, err := inputs(op.String(), 1, vals)
	if err != nil {
		return nil, err
	}
	x := in[0]
	s := x.Shape()
	if s.Dims() != 4 {
		return nil, fmt.Errorf("%v: want (N,C,H,W), got %v", op, s)
	}
	out := op.out.Get(x.Dtype(), s[0], s[1], 2*s[2], 2*s[3])
	if x.Dtype() == tensor.Float32 {
		upsampleForward(slice[float32](x), s[0]*s[1], s[2], s[3], slice[float32](out))
	} else {
		upsampleForward(slice[float64](x), s[0]*s[1], s[2], s[3], slice[float64](out))
	}
	return out, nil
}

func upsampleForward[T float](x []T, planes, h, w int, y []T) {
	ow := 2 * w
	parallelFor(planes, func(_, p int) {
		xp := x[p*h*w : (p+1)*h*w]
		yp := y[p*4*h*w : (p+1)*4*h*w]
		for i := 0; i < h; i++ {
			src := xp[i*w : (i+1)*w]
			r0 := yp[2*i*ow : (2*i+1)*ow]
			for j, v := range src {
				r0[2*j] = v
				r0[2*j+1] = v
			}
			copy(yp[(2*i+1)*ow:(2*i+2)*ow], r0)
		}
	})
}

func (op *upsampleOp) SymDiff(in G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(&upsampleGradOp{id: op.id, xShape: in[0].Shape().Clone()}, grad)
	if err != nil {
		return nil, fmt.Errorf("%v: gradient: %w", op, err)
	}
	return G.Nodes{d}, nil
}

// upsampleGradOp sums the gradient over each 2×2 block. Input: dy.
type upsampleGradOp struct {
	id     int64
	xShape tensor.Shape
	out    OutBuf
}

func (op *upsampleGradOp) Arity() int            { return 1 }
func (op *upsampleGradOp) OutputBuffer() *OutBuf { return &op.out }
func (op *upsampleGradOp) Type() hm.Type         { return fnType(4, 4) }
func (op *upsampleGradOp) ReturnsPtr() bool      { return false }
func (op *upsampleGradOp) CallsExtern() bool     { return false }
func (op *upsampleGradOp) OverwritesInput() int  { return -1 }
func (op *upsampleGradOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *upsampleGradOp) Hashcode() uint32      { return hashString(op.String()) }
func (op *upsampleGradOp) String() string        { return fmt.Sprintf("Upsample2Grad#%d", op.id) }
func (op *upsampleGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return op.xShape.Clone(), nil
}

func (op *upsampleGradOp) Do(vals ...G.Value) (G.Value, error) {
	in, err := inputs(op.String(), 1, vals)
	if err != nil {
		return nil, err
	}
	dy := in[0]
	s := op.xShape
	if dy.Size() != 4*s.TotalSize() {
		return nil, fmt.Errorf("%v: gradient %v does not fit input %v", op, dy.Shape(), s)
	}
	out := op.out.Get(dy.Dtype(), s...)
	if dy.Dtype() == tensor.Float32 {
		upsampleBackward(slice[float32](dy), s[0]*s[1], s[2], s[3], slice[float32](out))
	} else {
		upsampleBackward(slice[float64](dy), s[0]*s[1], s[2], s[3], slice[float64](out))
	}
	return out, nil
}

func upsampleBackward[T float](dy []T, planes, h, w int, dx []T) {
	ow := 2 * w
	parallelFor(planes, func(_, p int) {
		dyp := dy[p*4*h*w : (p+1)*4*h*w]
		dxp := dx[p*h*w : (p+1)*h*w]
		for i := 0; i < h; i++ {
			r0 := dyp[2*i*ow : (2*i+1)*ow]
			r1 := dyp[(2*i+1)*ow : (2*i+2)*ow]
			d := dxp[i*w : (i+1)*w]
			for j := range d {
				d[j] = r0[2*j] + r0[2*j+1] + r1[2*j] + r1[2*j+1]
			}
		}
	})
}
