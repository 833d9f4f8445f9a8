package nnops

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Conv2D applies a k×k convolution with stride 1 and zero padding k/2 ("same"
// output size) to x (N,Cin,H,W) with weights w (Cout,Cin,k,k) and adds the
// bias b (any shape of Cout elements, e.g. (1,Cout,1,1)); with relu it also
// applies max(·, 0). k must be odd. It is Conv with ConvOptions{ReLU: relu}.
func Conv2D(x, w, b *G.Node, relu bool) (*G.Node, error) {
	return Conv(x, w, b, ConvOptions{ReLU: relu})
}

// ConvOptions are the variants of the fused convolution.
type ConvOptions struct {
	// ReLU applies max(·, 0) to the output.
	ReLU bool
	// NoInputGrad makes the convolution not differentiable with respect to
	// x, so that no input gradient is computed: for a first layer whose
	// input is data. x must then not be needed in any gradient.
	NoInputGrad bool
}

// Conv is the fused convolution of Conv2D with options. The product runs as
// a GEMM per image; on the packed GEMM backends (the default) its right-hand
// operand is read straight out of the zero-padded image, with no im2col
// matrix, and on the others it is an im2col matrix.
func Conv(x, w, b *G.Node, o ConvOptions) (*G.Node, error) {
	xs, ws, bs := x.Shape(), w.Shape(), b.Shape()
	if xs.Dims() != 4 || ws.Dims() != 4 {
		return nil, fmt.Errorf("nnops.Conv2D: want 4-d input and weights, got %v and %v", xs, ws)
	}
	if ws[2] != ws[3] || ws[2]%2 != 1 {
		return nil, fmt.Errorf("nnops.Conv2D: kernel must be square and odd, got %v", ws)
	}
	if ws[1] != xs[1] {
		return nil, fmt.Errorf("nnops.Conv2D: weights %v do not match %d input channels", ws, xs[1])
	}
	if bs.TotalSize() != ws[0] {
		return nil, fmt.Errorf("nnops.Conv2D: bias %v does not have %d elements", bs, ws[0])
	}
	op := &convOp{id: nextID(), k: ws[2], relu: o.ReLU, noInputGrad: o.NoInputGrad, biasShape: bs.Clone()}
	y, err := G.ApplyOp(op, x, w, b)
	if err != nil {
		return nil, fmt.Errorf("nnops.Conv2D %v * %v: %w", xs, ws, err)
	}
	return y, nil
}

// convOp is the fused convolution + bias (+ ReLU).
type convOp struct {
	id          int64
	k           int
	relu        bool
	noInputGrad bool
	biasShape   tensor.Shape
	out         OutBuf
}

func (op *convOp) Arity() int            { return 3 }
func (op *convOp) OutputBuffer() *OutBuf { return &op.out }
func (op *convOp) Type() hm.Type         { return fnType(4, 4, op.biasShape.Dims(), 4) }
func (op *convOp) ReturnsPtr() bool      { return false }
func (op *convOp) CallsExtern() bool     { return false }
func (op *convOp) OverwritesInput() int  { return -1 }
func (op *convOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *convOp) Hashcode() uint32      { return hashString(op.String()) }
func (op *convOp) String() string {
	return fmt.Sprintf("Conv%dx%d(relu=%t,dx=%t)#%d", op.k, op.k, op.relu, !op.noInputGrad, op.id)
}
func (op *convOp) DiffWRT(n int) []bool { return []bool{!op.noInputGrad, true, true} }

func (op *convOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("%v: want 3 shapes, got %d", op, len(in))
	}
	xs, err := shapeOf(op.String(), in[0])
	if err != nil {
		return nil, err
	}
	ws, err := shapeOf(op.String(), in[1])
	if err != nil {
		return nil, err
	}
	if xs.Dims() != 4 || ws.Dims() != 4 {
		return nil, fmt.Errorf("%v: want 4-d shapes, got %v and %v", op, xs, ws)
	}
	return tensor.Shape{xs[0], ws[0], xs[2], xs[3]}, nil
}

func (op *convOp) Do(vals ...G.Value) (G.Value, error) {
	in, err := inputs(op.String(), 3, vals)
	if err != nil {
		return nil, err
	}
	x, w, b := in[0], in[1], in[2]
	xs, ws := x.Shape(), w.Shape()
	if xs.Dims() != 4 || ws.Dims() != 4 || ws[1] != xs[1] || ws[2] != op.k || b.Size() != ws[0] {
		return nil, fmt.Errorf("%v: shapes x %v, w %v, b %v do not fit", op, xs, ws, b.Shape())
	}
	out := op.out.Get(x.Dtype(), xs[0], ws[0], xs[2], xs[3])
	g := convGeom{n: xs[0], c: xs[1], h: xs[2], w: xs[3], cout: ws[0], k: op.k}
	if x.Dtype() == tensor.Float32 {
		convForward(g, slice[float32](x), slice[float32](w), slice[float32](b), slice[float32](out), op.relu)
	} else {
		convForward(g, slice[float64](x), slice[float64](w), slice[float64](b), slice[float64](out), op.relu)
	}
	return out, nil
}

func (op *convOp) SymDiff(in G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("%v: want 3 inputs, got %d", op, len(in))
	}
	g := grad
	var err error
	if op.relu {
		if g, err = G.ApplyOp(&reluGradOp{id: op.id}, output, grad); err != nil {
			return nil, fmt.Errorf("%v: relu gradient: %w", op, err)
		}
	}
	var dx *G.Node
	if !op.noInputGrad {
		if dx, err = G.ApplyOp(&convDataOp{id: op.id, k: op.k, xShape: in[0].Shape().Clone()}, in[1], g); err != nil {
			return nil, fmt.Errorf("%v: input gradient: %w", op, err)
		}
	}
	dw, err := G.ApplyOp(&convFilterOp{id: op.id, k: op.k}, in[0], g)
	if err != nil {
		return nil, fmt.Errorf("%v: weight gradient: %w", op, err)
	}
	db, err := G.ApplyOp(&biasGradOp{id: op.id, biasShape: op.biasShape}, g)
	if err != nil {
		return nil, fmt.Errorf("%v: bias gradient: %w", op, err)
	}
	return G.Nodes{dx, dw, db}, nil
}

// convGeom is the geometry of one convolution.
type convGeom struct{ n, c, h, w, cout, k int }

func (g convGeom) hw() int   { return g.h * g.w }
func (g convGeom) kdim() int { return g.c * g.k * g.k }

// convForward computes y = conv(x, w) + b (then ReLU) image by image.
func convForward[T float](g convGeom, x, w, b, y []T, relu bool) {
	if xf, ok := any(x).([]float32); ok && g.k > 1 {
		if pg, ok := packedBackend(); ok {
			convForwardImplicit(pg, g, plainSource(xf, g), any(w).([]float32), any(b).([]float32), any(y).([]float32), relu)
			return
		}
	}
	hw, kd := g.hw(), g.kdim()
	sc := scratchFor[T]()
	var cols, pads [][]T
	if g.k > 1 {
		cols = sc.takeN(workers(), kd*hw)
		pads = sc.takeN(workers(), g.paddedLen())
		defer sc.give(cols...)
		defer sc.give(pads...)
	}
	parallelFor(g.n, func(wk, i int) {
		xn := x[i*g.c*hw : (i+1)*g.c*hw]
		yn := y[i*g.cout*hw : (i+1)*g.cout*hw]
		src := xn
		if g.k > 1 {
			src = cols[wk]
			padImage(xn, g, pads[wk])
			im2col(pads[wk], g, src)
		}
		gemm(false, false, g.cout, hw, kd, w, kd, src, hw, 0, yn, hw)
		for co := 0; co < g.cout; co++ {
			row := yn[co*hw : (co+1)*hw]
			bv := b[co]
			if relu {
				for j, v := range row {
					v += bv
					if !(v > 0) {
						v = 0 // also turns -0 into +0, which reluMask32 relies on
					}
					row[j] = v
				}
			} else {
				for j := range row {
					row[j] += bv
				}
			}
		}
	})
}

// padImage copies one image x (C,H,W) into xp (C, H+2p, W+2p) with a zero
// border of width p = k/2.
func padImage[T float](x []T, g convGeom, xp []T) {
	padPlanes(g, xp, func(c, y int, dst []T) { copy(dst, x[(c*g.h+y)*g.w:(c*g.h+y+1)*g.w]) })
}

// paddedLen is the length of the padded image of g.
func (g convGeom) paddedLen() int { return g.c * (g.h + g.k - 1) * (g.w + g.k - 1) }

// im2col lays out the k×k neighbourhoods of one padded image xp (see
// padImage) as the rows of col (C·k·k, H·W).
func im2col[T float](xp []T, g convGeom, col []T) {
	hw := g.hw()
	pw, ph := g.w+g.k-1, g.h+g.k-1
	r := 0
	for c := 0; c < g.c; c++ {
		for ky := 0; ky < g.k; ky++ {
			for kx := 0; kx < g.k; kx++ {
				dst := col[r*hw : (r+1)*hw]
				r++
				for y := 0; y < g.h; y++ {
					s := (c*ph+y+ky)*pw + kx
					copy(dst[y*g.w:(y+1)*g.w], xp[s:s+g.w])
				}
			}
		}
	}
}

// reluGradOp masks the upstream gradient with the ReLU output: g = dy·[y > 0].
// Inputs: y, dy.
type reluGradOp struct {
	id  int64
	out OutBuf
}

func (op *reluGradOp) Arity() int            { return 2 }
func (op *reluGradOp) OutputBuffer() *OutBuf { return &op.out }
func (op *reluGradOp) Type() hm.Type         { return fnType(4, 4, 4) }
func (op *reluGradOp) ReturnsPtr() bool      { return false }
func (op *reluGradOp) CallsExtern() bool     { return false }
func (op *reluGradOp) OverwritesInput() int  { return -1 }
func (op *reluGradOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *reluGradOp) Hashcode() uint32      { return hashString(op.String()) }
func (op *reluGradOp) String() string        { return fmt.Sprintf("ReLUGrad#%d", op.id) }
func (op *reluGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapeOf(op.String(), in[0])
	return s.Clone(), err
}

func (op *reluGradOp) Do(vals ...G.Value) (G.Value, error) {
	in, err := inputs(op.String(), 2, vals)
	if err != nil {
		return nil, err
	}
	y, dy := in[0], in[1]
	if !y.Shape().Eq(dy.Shape()) {
		return nil, fmt.Errorf("%v: output %v and gradient %v differ in shape", op, y.Shape(), dy.Shape())
	}
	out := op.out.Get(y.Dtype(), y.Shape()...)
	if y.Dtype() == tensor.Float32 {
		yv, dv, ov := slice[float32](y), slice[float32](dy), slice[float32](out)
		parallelChunks(len(yv), 1<<15, func(lo, hi int) { reluMask(yv[lo:hi], dv[lo:hi], ov[lo:hi]) })
	} else {
		reluMask(slice[float64](y), slice[float64](dy), slice[float64](out))
	}
	return out, nil
}

func reluMask[T float](y, dy, out []T) {
	switch yv := any(y).(type) {
	case []float32:
		reluMask32(yv, any(dy).([]float32), any(out).([]float32))
		return
	}
	dy = dy[:len(y)]
	out = out[:len(y)]
	for i, v := range y {
		if v > 0 {
			out[i] = dy[i]
		} else {
			out[i] = 0
		}
	}
}

// reluMask32 is reluMask without branches (the signs of activations are
// unpredictable): a ReLU output is positive exactly when its bits, read as
// an int32, are; the ReLU ops never output -0.
func reluMask32(y, dy, out []float32) {
	dy = dy[:len(y)]
	out = out[:len(y)]
	done := reluMaskVec(y, dy, out)
	for i := done; i < len(y); i++ {
		v := y[i]
		b := int32(math.Float32bits(v))
		mask := uint32(^((b - 1) >> 31))
		out[i] = math.Float32frombits(math.Float32bits(dy[i]) & mask)
	}
}

// convDataOp is the input gradient of a convolution (a convolution of g with
// the flipped, transposed weights).
// Inputs: w, g.
type convDataOp struct {
	id     int64
	k      int
	xShape tensor.Shape
	out    OutBuf
}

func (op *convDataOp) Arity() int            { return 2 }
func (op *convDataOp) OutputBuffer() *OutBuf { return &op.out }
func (op *convDataOp) Type() hm.Type         { return fnType(4, 4, 4) }
func (op *convDataOp) ReturnsPtr() bool      { return false }
func (op *convDataOp) CallsExtern() bool     { return false }
func (op *convDataOp) OverwritesInput() int  { return -1 }
func (op *convDataOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *convDataOp) Hashcode() uint32      { return hashString(op.String()) }
func (op *convDataOp) String() string        { return fmt.Sprintf("ConvGradInput#%d", op.id) }
func (op *convDataOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return op.xShape.Clone(), nil
}

func (op *convDataOp) Do(vals ...G.Value) (G.Value, error) {
	in, err := inputs(op.String(), 2, vals)
	if err != nil {
		return nil, err
	}
	w, gr := in[0], in[1]
	xs, ws, gs := op.xShape, w.Shape(), gr.Shape()
	if gs.Dims() != 4 || gs[0] != xs[0] || gs[1] != ws[0] || gs[2] != xs[2] || gs[3] != xs[3] || ws[1] != xs[1] {
		return nil, fmt.Errorf("%v: gradient %v and weights %v do not fit input %v", op, gs, ws, xs)
	}
	out := op.out.Get(w.Dtype(), xs...)
	g := convGeom{n: xs[0], c: xs[1], h: xs[2], w: xs[3], cout: ws[0], k: op.k}
	if w.Dtype() == tensor.Float32 {
		convBackData(g, slice[float32](w), slice[float32](gr), slice[float32](out))
	} else {
		convBackData(g, slice[float64](w), slice[float64](gr), slice[float64](out))
	}
	return out, nil
}

// convBackData computes dx as the convolution of g with the flipped,
// transposed weights: dxₙ = w̃ · im2col(gₙ), w̃[c, (o,ky,kx)] = w[o, c, k-1-ky, k-1-kx].
// This reads k² shifted copies of g's Cout channels instead of scattering
// C·k² rows of wᵀ·g back onto the image.
func convBackData[T float](g convGeom, w, gr, dx []T) {
	hw, k := g.hw(), g.k
	if k == 1 {
		parallelFor(g.n, func(_, i int) {
			gn := gr[i*g.cout*hw : (i+1)*g.cout*hw]
			gemm(true, false, g.c, hw, g.cout, w, g.c, gn, hw, 0, dx[i*g.c*hw:(i+1)*g.c*hw], hw)
		})
		return
	}
	sc := scratchFor[T]()
	kd := g.cout * k * k
	wf := flippedWeights(g, w)
	defer sc.give(wf)
	tg := convGeom{n: g.n, c: g.cout, h: g.h, w: g.w, cout: g.c, k: k}
	if wff, ok := any(wf).([]float32); ok {
		if pg, ok := packedBackend(); ok {
			dxf := any(dx).([]float32)
			convBackDataImplicit(pg, tg, wff, any(gr).([]float32), func(i int, grid []float32) {
				copyFromGrid(grid, tg, dxf[i*g.c*hw:(i+1)*g.c*hw])
			})
			return
		}
	}
	cols := sc.takeN(min(workers(), g.n), kd*hw)
	pads := sc.takeN(min(workers(), g.n), tg.paddedLen())
	defer sc.give(cols...)
	defer sc.give(pads...)
	parallelFor(g.n, func(wk, i int) {
		gn := gr[i*g.cout*hw : (i+1)*g.cout*hw]
		padImage(gn, tg, pads[wk])
		im2col(pads[wk], tg, cols[wk])
		gemm(false, false, g.c, hw, kd, wf, kd, cols[wk], hw, 0, dx[i*g.c*hw:(i+1)*g.c*hw], hw)
	})
}

// flippedWeights returns w̃[c, (o,ky,kx)] = w[o, c, k-1-ky, k-1-kx] in a
// scratch buffer (give it back when done).
func flippedWeights[T float](g convGeom, w []T) []T {
	k := g.k
	kd := g.cout * k * k
	wf := scratchFor[T]().take(g.c * kd)
	for o := 0; o < g.cout; o++ {
		for c := 0; c < g.c; c++ {
			src := w[(o*g.c+c)*k*k : (o*g.c+c+1)*k*k]
			dst := wf[c*kd+o*k*k : c*kd+(o+1)*k*k]
			for j := range dst {
				dst[j] = src[k*k-1-j]
			}
		}
	}
	return wf
}

// convFilterOp is the weight gradient of a convolution: dw = Σₙ gₙ·im2col(xₙ)ᵀ.
// Inputs: x, g.
type convFilterOp struct {
	id  int64
	k   int
	out OutBuf
}

func (op *convFilterOp) Arity() int            { return 2 }
func (op *convFilterOp) OutputBuffer() *OutBuf { return &op.out }
func (op *convFilterOp) Type() hm.Type         { return fnType(4, 4, 4) }
func (op *convFilterOp) ReturnsPtr() bool      { return false }
func (op *convFilterOp) CallsExtern() bool     { return false }
func (op *convFilterOp) OverwritesInput() int  { return -1 }
func (op *convFilterOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *convFilterOp) Hashcode() uint32      { return hashString(op.String()) }
func (op *convFilterOp) String() string        { return fmt.Sprintf("ConvGradWeight#%d", op.id) }
func (op *convFilterOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("%v: want 2 shapes, got %d", op, len(in))
	}
	xs, err := shapeOf(op.String(), in[0])
	if err != nil {
		return nil, err
	}
	gs, err := shapeOf(op.String(), in[1])
	if err != nil {
		return nil, err
	}
	return tensor.Shape{gs[1], xs[1], op.k, op.k}, nil
}

func (op *convFilterOp) Do(vals ...G.Value) (G.Value, error) {
	in, err := inputs(op.String(), 2, vals)
	if err != nil {
		return nil, err
	}
	x, gr := in[0], in[1]
	xs, gs := x.Shape(), gr.Shape()
	if xs.Dims() != 4 || gs.Dims() != 4 || gs[0] != xs[0] || gs[2] != xs[2] || gs[3] != xs[3] {
		return nil, fmt.Errorf("%v: gradient %v does not fit input %v", op, gs, xs)
	}
	out := op.out.Get(x.Dtype(), gs[1], xs[1], op.k, op.k)
	g := convGeom{n: xs[0], c: xs[1], h: xs[2], w: xs[3], cout: gs[1], k: op.k}
	if x.Dtype() == tensor.Float32 {
		convBackFilter(g, slice[float32](x), slice[float32](gr), slice[float32](out))
	} else {
		convBackFilter(g, slice[float64](x), slice[float64](gr), slice[float64](out))
	}
	return out, nil
}

// convBackFilter computes dw = Σₙ gₙ · rowsₙ, where rowsₙ (H·W, C·k²) is the
// transposed im2col of xₙ, so that both GEMM operands are read row-major.
func convBackFilter[T float](g convGeom, x, gr, dw []T) {
	if xf, ok := any(x).([]float32); ok && g.k > 1 {
		if pg, ok := packedBackend(); ok {
			convBackFilterImplicit(pg, g, plainSource(xf, g), any(gr).([]float32), any(dw).([]float32))
			return
		}
	}
	hw, kd := g.hw(), g.kdim()
	sc := scratchFor[T]()
	nw := min(workers(), g.n)
	parts := sc.takeN(g.n, g.cout*kd)
	defer sc.give(parts...)
	var rows, pads [][]T
	if g.k > 1 {
		rows = sc.takeN(nw, kd*hw)
		pads = sc.takeN(nw, g.paddedLen())
		defer sc.give(rows...)
		defer sc.give(pads...)
	}
	// Each image has its own part and the parts are added in image order,
	// so dw depends neither on scheduling nor on the number of workers.
	parallelFor(g.n, func(wk, i int) {
		xn := x[i*g.c*hw : (i+1)*g.c*hw]
		gn := gr[i*g.cout*hw : (i+1)*g.cout*hw]
		if g.k == 1 {
			gemm(false, true, g.cout, kd, hw, gn, hw, xn, hw, 0, parts[i], kd)
			return
		}
		padImage(xn, g, pads[wk])
		im2row(pads[wk], g, rows[wk])
		gemm(false, false, g.cout, kd, hw, gn, hw, rows[wk], kd, 0, parts[i], kd)
	})
	copy(dw, parts[0])
	for _, p := range parts[1:] {
		for j, v := range p {
			dw[j] += v
		}
	}
}

// im2row is the transpose of im2col: row y·W+x of rows (H·W, C·k²) holds the
// k×k neighbourhood of pixel (y, x) of the padded image xp over all channels.
func im2row[T float](xp []T, g convGeom, rows []T) {
	k, kd := g.k, g.kdim()
	pw, ph := g.w+k-1, g.h+k-1
	for y := 0; y < g.h; y++ {
		for x := 0; x < g.w; x++ {
			dst := rows[(y*g.w+x)*kd : (y*g.w+x+1)*kd]
			if k == 3 {
				im2row3(xp, ph*pw, pw, y*pw+x, dst)
				continue
			}
			j := 0
			for c := 0; c < g.c; c++ {
				for ky := 0; ky < k; ky++ {
					s := (c*ph+y+ky)*pw + x
					j += copy(dst[j:j+k], xp[s:s+k])
				}
			}
		}
	}
}

// im2row3 writes the 3×3 neighbourhoods at offset off of every channel
// plane (size plane, row length w) of x into dst, 9 values per channel.
func im2row3[T float](x []T, plane, w, off int, dst []T) {
	for c := 0; len(dst) >= 9; c++ {
		base := c*plane + off
		r0 := x[base : base+3 : base+3]
		r1 := x[base+w : base+w+3 : base+w+3]
		r2 := x[base+2*w : base+2*w+3 : base+2*w+3]
		d := dst[:9:9]
		d[0], d[1], d[2] = r0[0], r0[1], r0[2]
		d[3], d[4], d[5] = r1[0], r1[1], r1[2]
		d[6], d[7], d[8] = r2[0], r2[1], r2[2]
		dst = dst[9:]
	}
}

// biasGradOp is the bias gradient of a convolution: db[c] = Σ g[·, c, ·, ·].
// Input: g.
type biasGradOp struct {
	id        int64
	biasShape tensor.Shape
	out       OutBuf
}

func (op *biasGradOp) Arity() int            { return 1 }
func (op *biasGradOp) OutputBuffer() *OutBuf { return &op.out }
func (op *biasGradOp) Type() hm.Type         { return fnType(4, op.biasShape.Dims()) }
func (op *biasGradOp) ReturnsPtr() bool      { return false }
func (op *biasGradOp) CallsExtern() bool     { return false }
func (op *biasGradOp) OverwritesInput() int  { return -1 }
func (op *biasGradOp) WriteHash(h hash.Hash) { writeHash(h, op) }
func (op *biasGradOp) Hashcode() uint32      { return hashString(op.String()) }
func (op *biasGradOp) String() string        { return fmt.Sprintf("ConvGradBias#%d", op.id) }
func (op *biasGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return op.biasShape.Clone(), nil
}

func (op *biasGradOp) Do(vals ...G.Value) (G.Value, error) {
	in, err := inputs(op.String(), 1, vals)
	if err != nil {
		return nil, err
	}
	gr := in[0]
	gs := gr.Shape()
	if gs.Dims() != 4 || gs[1] != op.biasShape.TotalSize() {
		return nil, fmt.Errorf("%v: gradient %v does not fit bias %v", op, gs, op.biasShape)
	}
	out := op.out.Get(gr.Dtype(), op.biasShape...)
	if gr.Dtype() == tensor.Float32 {
		channelSums(slice[float32](gr), gs[0], gs[1], gs[2]*gs[3], slice[float32](out))
	} else {
		channelSums(slice[float64](gr), gs[0], gs[1], gs[2]*gs[3], slice[float64](out))
	}
	return out, nil
}

// sumPlane returns the sum of x, vectorised for float32.
func sumPlane[T float](x []T) T {
	var sum T
	done := 0
	if xf, ok := any(x).([]float32); ok {
		v, n := sumVec(xf)
		sum, done = T(v), n
	}
	for _, v := range x[done:] {
		sum += v
	}
	return sum
}

// channelSums writes the per-channel sums of g (n, c, s) into out (c).
func channelSums[T float](g []T, n, c, s int, out []T) {
	parallelFor(c, func(_, ch int) {
		var acc float64
		for i := 0; i < n; i++ {
			acc += float64(sumPlane(g[(i*c+ch)*s : (i*c+ch+1)*s]))
		}
		out[ch] = T(acc)
	})
}
