package nnops

import (
	"errors"
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ConcatConv is Conv applied to the channel concatenation of skip
// (N,Cs,H,W) and low, where low is (N,Cl,H/2,W/2) and nearest-upsampled 2×
// when upsample is set, or (N,Cl,H,W) otherwise: the first convolution of a
// U-Net decoder block. Neither the upsampled nor the concatenated tensor is
// ever built: every image is written straight into the convolution's padded
// input, and the input gradient is split (and summed over 2×2 blocks) as it
// is read off the product. w is (Cout,Cs+Cl,k,k). o.NoInputGrad is not
// supported.
func ConcatConv(skip, low, w, b *G.Node, upsample bool, o ConvOptions) (*G.Node, error) {
	ss, ls, ws, bs := skip.Shape(), low.Shape(), w.Shape(), b.Shape()
	if ss.Dims() != 4 || ls.Dims() != 4 || ws.Dims() != 4 {
		return nil, fmt.Errorf("nnops.ConcatConv: want 4-d inputs and weights, got %v, %v and %v", ss, ls, ws)
	}
	f := 1
	if upsample {
		f = 2
	}
	if ls[0] != ss[0] || ls[2]*f != ss[2] || ls[3]*f != ss[3] {
		return nil, fmt.Errorf("nnops.ConcatConv: low %v does not fit skip %v (upsample %t)", ls, ss, upsample)
	}
	if ws[2] != ws[3] || ws[2]%2 != 1 || ws[1] != ss[1]+ls[1] {
		return nil, fmt.Errorf("nnops.ConcatConv: weights %v need an odd square kernel over %d+%d channels", ws, ss[1], ls[1])
	}
	if bs.TotalSize() != ws[0] {
		return nil, fmt.Errorf("nnops.ConcatConv: bias %v does not have %d elements", bs, ws[0])
	}
	if o.NoInputGrad {
		return nil, errors.New("nnops.ConcatConv: NoInputGrad is not supported")
	}
	op := &catConvOp{id: nextID(), k: ws[2], cs: ss[1], cl: ls[1], up: upsample, relu: o.ReLU, biasShape: bs.Clone()}
	y, err := G.ApplyOp(op, skip, low, w, b)
	if err != nil {
		return nil, fmt.Errorf("nnops.ConcatConv %v ++ %v * %v: %w", ss, ls, ws, err)
	}
	return y, nil
}

// catSpec describes the concatenated input of a catConvOp.
type catSpec struct {
	cs, cl int  // channels of skip and of low
	up     bool // low is upsampled 2×
}

// geom returns the convolution geometry for skip of shape ss and cout outputs.
func (s catSpec) geom(ss tensor.Shape, cout, k int) convGeom {
	return convGeom{n: ss[0], c: s.cs + s.cl, h: ss[2], w: ss[3], cout: cout, k: k}
}

// lowShape is the shape of low for geometry g.
func (s catSpec) lowShape(g convGeom) tensor.Shape {
	if s.up {
		return tensor.Shape{g.n, s.cl, g.h / 2, g.w / 2}
	}
	return tensor.Shape{g.n, s.cl, g.h, g.w}
}

// padPlanes writes g.c zero-padded planes (H+k-1, W+k-1) into xp, filling
// row y of plane c with row(c, y, dst).
func padPlanes[T float](g convGeom, xp []T, row func(c, y int, dst []T)) {
	p := g.k / 2
	pw, ph := g.w+2*p, g.h+2*p
	for c := 0; c < g.c; c++ {
		plane := xp[c*ph*pw : (c+1)*ph*pw]
		clear(plane[:p*pw+p])
		for y := 0; y < g.h; y++ {
			d := (y+p)*pw + p
			row(c, y, plane[d:d+g.w])
			gap := plane[d+g.w : min(d+g.w+2*p, len(plane))]
			for i := range gap {
				gap[i] = 0
			}
		}
		clear(plane[(g.h+p)*pw+p:])
	}
}

// upRow writes the nearest 2× upsampling of src into dst (twice as long).
func upRow[T float](src, dst []T) {
	dst = dst[:2*len(src)]
	for j, v := range src {
		d := dst[2*j : 2*j+2 : 2*j+2]
		d[0], d[1] = v, v
	}
}

// catImage writes image i of the concatenated input into dst: padded planes
// (with slack) when padded, plain NCHW planes otherwise.
func catImage[T float](s catSpec, g convGeom, skip, low []T, i int, dst []T, padded bool) {
	hw := g.hw()
	sk := skip[i*s.cs*hw : (i+1)*s.cs*hw]
	lh, lw := g.h, g.w
	if s.up {
		lh, lw = g.h/2, g.w/2
	}
	lo := low[i*s.cl*lh*lw : (i+1)*s.cl*lh*lw]
	row := func(c, y int, d []T) {
		if c < s.cs {
			copy(d, sk[(c*g.h+y)*g.w:(c*g.h+y+1)*g.w])
			return
		}
		if s.up {
			y /= 2
		}
		r := lo[((c-s.cs)*lh+y)*lw : ((c-s.cs)*lh+y+1)*lw]
		if s.up {
			upRow(r, d)
		} else {
			copy(d, r)
		}
	}
	if padded {
		padPlanes(g, dst, row)
		clear(dst[g.paddedLen():g.padTotal()])
		return
	}
	for c := 0; c < g.c; c++ {
		for y := 0; y < g.h; y++ {
			row(c, y, dst[(c*g.h+y)*g.w:(c*g.h+y+1)*g.w])
		}
	}
}

// catMaterialize builds the whole concatenated input (N, Cs+Cl, H, W) in a
// scratch buffer, for the im2col paths.
func catMaterialize[T float](s catSpec, g convGeom, skip, low []T) []T {
	full := scratchFor[T]().take(g.n * g.c * g.hw())
	parallelFor(g.n, func(_, i int) {
		catImage(s, g, skip, low, i, full[i*g.c*g.hw():(i+1)*g.c*g.hw()], false)
	})
	return full
}

// catSplit writes the gradient of one image of the concatenated input, src
// (C planes planeStride apart, rows rowStride apart), into dskip and dlow,
// summing over 2×2 blocks for an upsampled low.
func catSplit[T float](s catSpec, g convGeom, src []T, planeStride, rowStride int, dskip, dlow []T) {
	hw := g.hw()
	for c := 0; c < s.cs; c++ {
		for y := 0; y < g.h; y++ {
			copy(dskip[c*hw+y*g.w:c*hw+(y+1)*g.w], src[c*planeStride+y*rowStride:c*planeStride+y*rowStride+g.w])
		}
	}
	for c := 0; c < s.cl; c++ {
		pl := src[(s.cs+c)*planeStride:]
		if !s.up {
			for y := 0; y < g.h; y++ {
				copy(dlow[c*hw+y*g.w:c*hw+(y+1)*g.w], pl[y*rowStride:y*rowStride+g.w])
			}
			continue
		}
		lh, lw := g.h/2, g.w/2
		for y := 0; y < lh; y++ {
			r0 := pl[2*y*rowStride : 2*y*rowStride+g.w]
			r1 := pl[(2*y+1)*rowStride : (2*y+1)*rowStride+g.w]
			d := dlow[(c*lh+y)*lw : (c*lh+y+1)*lw]
			for j := range d {
				d[j] = r0[2*j] + r0[2*j+1] + r1[2*j] + r1[2*j+1]
			}
		}
	}
}

// catConvOp is the fused concatenation (+ upsampling) + convolution + bias
// (+ ReLU). Inputs: skip, low, w, b.
type catConvOp struct {
	id        int64
	k         int
	cs, cl    int
	up        bool
	relu      bool
	biasShape tensor.Shape
	out       OutBuf
}

func (op *catConvOp) spec() catSpec { return catSpec{cs: op.cs, cl: op.cl, up: op.up} }

func (op *catConvOp) Arity() int            { return 4 }
func (op *catConvOp) OutputBuffer() *OutBuf { return &op.out }
func (op *catConvOp) Type() hm.Type         { return fnType(4, 4, 4, op.biasShape.Dims(), 4) }
func (op *catConvOp) ReturnsPtr() bool      { return false }
func (op *catConvOp) CallsExtern() bool     { return false }
func (op *catConvOp) OverwritesInput() int  { return -1 }
func (op *catConvOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *catConvOp) Hashcode() uint32      { return hashString(op.String()) }
func (op *catConvOp) DiffWRT(n int) []bool  { return []bool{true, true, true, true} }
func (op *catConvOp) String() string {
	return fmt.Sprintf("ConcatConv%dx%d(%d+%d,up=%t,relu=%t)#%d", op.k, op.k, op.cs, op.cl, op.up, op.relu, op.id)
}

func (op *catConvOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 4 {
		return nil, fmt.Errorf("%v: want 4 shapes, got %d", op, len(in))
	}
	ss, err := shapeOf(op.String(), in[0])
	if err != nil {
		return nil, err
	}
	ws, err := shapeOf(op.String(), in[2])
	if err != nil {
		return nil, err
	}
	return tensor.Shape{ss[0], ws[0], ss[2], ss[3]}, nil
}

// check validates the input shapes against the op and returns the geometry.
func (op *catConvOp) check(skip, low, w *tensor.Dense) (convGeom, error) {
	ss, ws := skip.Shape(), w.Shape()
	if ss.Dims() != 4 || ws.Dims() != 4 || ss[1] != op.cs || ws[1] != op.cs+op.cl || ws[2] != op.k {
		return convGeom{}, fmt.Errorf("%v: shapes skip %v, w %v do not fit", op, ss, ws)
	}
	g := op.spec().geom(ss, ws[0], op.k)
	if !low.Shape().Eq(op.spec().lowShape(g)) {
		return convGeom{}, fmt.Errorf("%v: low %v does not fit skip %v", op, low.Shape(), ss)
	}
	return g, nil
}

func (op *catConvOp) Do(vals ...G.Value) (G.Value, error) {
	in, err := inputs(op.String(), 4, vals)
	if err != nil {
		return nil, err
	}
	skip, low, w, b := in[0], in[1], in[2], in[3]
	g, err := op.check(skip, low, w)
	if err != nil {
		return nil, err
	}
	if b.Size() != g.cout {
		return nil, fmt.Errorf("%v: bias %v does not have %d elements", op, b.Shape(), g.cout)
	}
	out := op.out.Get(skip.Dtype(), g.n, g.cout, g.h, g.w)
	if skip.Dtype() == tensor.Float32 {
		catForward(op.spec(), g, slice[float32](skip), slice[float32](low), slice[float32](w), slice[float32](b), slice[float32](out), op.relu)
	} else {
		catForward(op.spec(), g, slice[float64](skip), slice[float64](low), slice[float64](w), slice[float64](b), slice[float64](out), op.relu)
	}
	return out, nil
}

// catForward is the forward pass: implicit on a packed float32 backend,
// otherwise through the materialised concatenation.
func catForward[T float](s catSpec, g convGeom, skip, low, w, b, y []T, relu bool) {
	if sf, ok := any(skip).([]float32); ok {
		if pg, ok := packedBackend(); ok {
			lf := any(low).([]float32)
			src := func(i int, xp []float32) { catImage(s, g, sf, lf, i, xp, true) }
			convForwardImplicit(pg, g, src, any(w).([]float32), any(b).([]float32), any(y).([]float32), relu)
			return
		}
	}
	full := catMaterialize(s, g, skip, low)
	defer scratchFor[T]().give(full)
	convForward(g, full, w, b, y, relu)
}

func (op *catConvOp) SymDiff(in G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(in) != 4 {
		return nil, fmt.Errorf("%v: want 4 inputs, got %d", op, len(in))
	}
	g := grad
	var err error
	if op.relu {
		if g, err = G.ApplyOp(&reluGradOp{id: op.id}, output, grad); err != nil {
			return nil, fmt.Errorf("%v: relu gradient: %w", op, err)
		}
	}
	dop := &catDataOp{id: op.id, k: op.k, spec: op.spec(), skipShape: in[0].Shape().Clone(), lowShape: in[1].Shape().Clone()}
	dskip, err := G.ApplyOp(dop, in[2], g)
	if err != nil {
		return nil, fmt.Errorf("%v: input gradient: %w", op, err)
	}
	dlow, err := G.ApplyOp(&catLowGradOp{src: dop}, dskip)
	if err != nil {
		return nil, fmt.Errorf("%v: input gradient: %w", op, err)
	}
	dw, err := G.ApplyOp(&catFilterOp{id: op.id, k: op.k, spec: op.spec()}, in[0], in[1], g)
	if err != nil {
		return nil, fmt.Errorf("%v: weight gradient: %w", op, err)
	}
	db, err := G.ApplyOp(&biasGradOp{id: op.id, biasShape: op.biasShape}, g)
	if err != nil {
		return nil, fmt.Errorf("%v: bias gradient: %w", op, err)
	}
	return G.Nodes{dskip, dlow, dw, db}, nil
}

// catDataOp is the input gradient of a catConvOp: it returns the skip
// gradient and keeps the low one for its catLowGradOp. Inputs: w, g.
type catDataOp struct {
	id                  int64
	k                   int
	spec                catSpec
	skipShape, lowShape tensor.Shape
	out                 OutBuf
	low                 OutBuf
}

func (op *catDataOp) Arity() int            { return 2 }
func (op *catDataOp) OutputBuffer() *OutBuf { return &op.out }
func (op *catDataOp) Type() hm.Type         { return fnType(4, 4, 4) }
func (op *catDataOp) ReturnsPtr() bool      { return false }
func (op *catDataOp) CallsExtern() bool     { return false }
func (op *catDataOp) OverwritesInput() int  { return -1 }
func (op *catDataOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *catDataOp) Hashcode() uint32      { return hashString(op.String()) }
func (op *catDataOp) String() string        { return fmt.Sprintf("ConcatConvGradInput#%d", op.id) }
func (op *catDataOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return op.skipShape.Clone(), nil
}

func (op *catDataOp) Do(vals ...G.Value) (G.Value, error) {
	in, err := inputs(op.String(), 2, vals)
	if err != nil {
		return nil, err
	}
	w, gr := in[0], in[1]
	ws, gs, ss := w.Shape(), gr.Shape(), op.skipShape
	if ws.Dims() != 4 || gs.Dims() != 4 || ws[1] != op.spec.cs+op.spec.cl || gs[0] != ss[0] || gs[1] != ws[0] || gs[2] != ss[2] || gs[3] != ss[3] {
		return nil, fmt.Errorf("%v: gradient %v and weights %v do not fit skip %v", op, gs, ws, ss)
	}
	g := op.spec.geom(ss, ws[0], op.k)
	dskip := op.out.Get(w.Dtype(), ss...)
	dlow := op.low.Get(w.Dtype(), op.lowShape...)
	if w.Dtype() == tensor.Float32 {
		catBackData(op.spec, g, slice[float32](w), slice[float32](gr), slice[float32](dskip), slice[float32](dlow))
	} else {
		catBackData(op.spec, g, slice[float64](w), slice[float64](gr), slice[float64](dskip), slice[float64](dlow))
	}
	return dskip, nil
}

// catBackData computes the input gradient of the concatenation and splits
// it into dskip and dlow.
func catBackData[T float](s catSpec, g convGeom, w, gr, dskip, dlow []T) {
	hw := g.hw()
	lhw := len(dlow) / g.n
	if wf, ok := any(w).([]float32); ok && g.k > 1 {
		if pg, ok := packedBackend(); ok {
			flipped := flippedWeights(g, wf)
			defer scratchFor[float32]().give(flipped)
			tg := convGeom{n: g.n, c: g.cout, h: g.h, w: g.w, cout: g.c, k: g.k}
			ds, dl := any(dskip).([]float32), any(dlow).([]float32)
			convBackDataImplicit(pg, tg, flipped, any(gr).([]float32), func(i int, grid []float32) {
				catSplit(s, g, grid, tg.gridSize(), tg.padW(), ds[i*s.cs*hw:(i+1)*s.cs*hw], dl[i*lhw:(i+1)*lhw])
			})
			return
		}
	}
	full := scratchFor[T]().take(g.n * g.c * hw)
	defer scratchFor[T]().give(full)
	convBackData(g, w, gr, full)
	parallelFor(g.n, func(_, i int) {
		catSplit(s, g, full[i*g.c*hw:(i+1)*g.c*hw], hw, g.w, dskip[i*s.cs*hw:(i+1)*s.cs*hw], dlow[i*lhw:(i+1)*lhw])
	})
}

// catLowGradOp hands out the low gradient its catDataOp computed. Input:
// the catDataOp's output, to order the tape.
type catLowGradOp struct{ src *catDataOp }

func (op *catLowGradOp) Arity() int            { return 1 }
func (op *catLowGradOp) Type() hm.Type         { return fnType(4, 4) }
func (op *catLowGradOp) ReturnsPtr() bool      { return false }
func (op *catLowGradOp) CallsExtern() bool     { return false }
func (op *catLowGradOp) OverwritesInput() int  { return -1 }
func (op *catLowGradOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *catLowGradOp) Hashcode() uint32      { return hashString(op.String()) }
func (op *catLowGradOp) String() string        { return fmt.Sprintf("ConcatConvGradLow#%d", op.src.id) }
func (op *catLowGradOp) DiffWRT(n int) []bool  { return make([]bool, n) }
func (op *catLowGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return op.src.lowShape.Clone(), nil
}
func (op *catLowGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, errors.New("concat-conv gradient has no second derivative")
}

func (op *catLowGradOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != 1 {
		return nil, fmt.Errorf("%v: want 1 input, got %d", op, len(vals))
	}
	return op.src.low.Get(vals[0].Dtype(), op.src.lowShape...), nil
}

// catFilterOp is the weight gradient of a catConvOp. Inputs: skip, low, g.
type catFilterOp struct {
	id   int64
	k    int
	spec catSpec
	out  OutBuf
}

func (op *catFilterOp) Arity() int            { return 3 }
func (op *catFilterOp) OutputBuffer() *OutBuf { return &op.out }
func (op *catFilterOp) Type() hm.Type         { return fnType(4, 4, 4, 4) }
func (op *catFilterOp) ReturnsPtr() bool      { return false }
func (op *catFilterOp) CallsExtern() bool     { return false }
func (op *catFilterOp) OverwritesInput() int  { return -1 }
func (op *catFilterOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *catFilterOp) Hashcode() uint32      { return hashString(op.String()) }
func (op *catFilterOp) String() string        { return fmt.Sprintf("ConcatConvGradWeight#%d", op.id) }
func (op *catFilterOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("%v: want 3 shapes, got %d", op, len(in))
	}
	gs, err := shapeOf(op.String(), in[2])
	if err != nil {
		return nil, err
	}
	return tensor.Shape{gs[1], op.spec.cs + op.spec.cl, op.k, op.k}, nil
}

func (op *catFilterOp) Do(vals ...G.Value) (G.Value, error) {
	in, err := inputs(op.String(), 3, vals)
	if err != nil {
		return nil, err
	}
	skip, low, gr := in[0], in[1], in[2]
	ss, gs := skip.Shape(), gr.Shape()
	if ss.Dims() != 4 || gs.Dims() != 4 || ss[1] != op.spec.cs || gs[0] != ss[0] || gs[2] != ss[2] || gs[3] != ss[3] {
		return nil, fmt.Errorf("%v: gradient %v does not fit skip %v", op, gs, ss)
	}
	g := op.spec.geom(ss, gs[1], op.k)
	if !low.Shape().Eq(op.spec.lowShape(g)) {
		return nil, fmt.Errorf("%v: low %v does not fit skip %v", op, low.Shape(), ss)
	}
	out := op.out.Get(skip.Dtype(), g.cout, g.c, op.k, op.k)
	if skip.Dtype() == tensor.Float32 {
		catBackFilter(op.spec, g, slice[float32](skip), slice[float32](low), slice[float32](gr), slice[float32](out))
	} else {
		catBackFilter(op.spec, g, slice[float64](skip), slice[float64](low), slice[float64](gr), slice[float64](out))
	}
	return out, nil
}

func catBackFilter[T float](s catSpec, g convGeom, skip, low, gr, dw []T) {
	if sf, ok := any(skip).([]float32); ok {
		if pg, ok := packedBackend(); ok {
			lf := any(low).([]float32)
			src := func(i int, xp []float32) { catImage(s, g, sf, lf, i, xp, true) }
			convBackFilterImplicit(pg, g, src, any(gr).([]float32), any(dw).([]float32))
			return
		}
	}
	full := catMaterialize(s, g, skip, low)
	defer scratchFor[T]().give(full)
	convBackFilter(g, full, gr, dw)
}
