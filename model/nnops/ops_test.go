package nnops

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	_ "go4.org/unsafe/assume-no-moving-gc"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// builder makes the op under test from its parameter nodes.
type builder func(ps []*G.Node) (*G.Node, error)

// opCase pairs one of our ops with the stock Gorgonia graph it replaces.
type opCase struct {
	name   string
	shapes [][]int
	stock  builder
	ours   builder
	// fixed0: input 0 is data, not differentiated (only the others are).
	fixed0 bool
}

func stockConv(k int, relu bool) builder {
	return func(ps []*G.Node) (*G.Node, error) {
		p := k / 2
		y, err := G.Conv2d(ps[0], ps[1], tensor.Shape{k, k}, []int{p, p}, []int{1, 1}, []int{1, 1})
		if err != nil {
			return nil, err
		}
		if y, err = G.BroadcastAdd(y, ps[2], nil, []byte{0, 2, 3}); err != nil {
			return nil, err
		}
		if relu {
			return G.Rectify(y)
		}
		return y, nil
	}
}

func oursConv(relu bool) builder {
	return func(ps []*G.Node) (*G.Node, error) { return Conv2D(ps[0], ps[1], ps[2], relu) }
}

func stockConcatConv(k int, up, relu bool) builder {
	return func(ps []*G.Node) (*G.Node, error) {
		low := ps[1]
		if up {
			var err error
			if low, err = G.Upsample2D(low, 2); err != nil {
				return nil, err
			}
		}
		x, err := G.Concat(1, ps[0], low)
		if err != nil {
			return nil, err
		}
		return stockConv(k, relu)([]*G.Node{x, ps[2], ps[3]})
	}
}

func oursConcatConv(up, relu bool) builder {
	return func(ps []*G.Node) (*G.Node, error) {
		return ConcatConv(ps[0], ps[1], ps[2], ps[3], up, ConvOptions{ReLU: relu})
	}
}

var opCases = []opCase{
	{"conv-cat-up-relu", [][]int{{2, 3, 6, 4}, {2, 2, 3, 2}, {4, 5, 3, 3}, {1, 4, 1, 1}}, stockConcatConv(3, true, true), oursConcatConv(true, true), false},
	{"conv-cat-same", [][]int{{2, 2, 5, 5}, {2, 3, 5, 5}, {3, 5, 3, 3}, {1, 3, 1, 1}}, stockConcatConv(3, false, false), oursConcatConv(false, false), false},
	{"conv-cat-1x1-up", [][]int{{3, 2, 4, 6}, {3, 1, 2, 3}, {2, 3, 1, 1}, {1, 2, 1, 1}}, stockConcatConv(1, true, false), oursConcatConv(true, false), false},
	{"conv3x3-relu", [][]int{{2, 3, 6, 5}, {4, 3, 3, 3}, {1, 4, 1, 1}}, stockConv(3, true), oursConv(true), false},
	{"conv3x3", [][]int{{3, 2, 5, 7}, {5, 2, 3, 3}, {1, 5, 1, 1}}, stockConv(3, false), oursConv(false), false},
	{"conv1x1", [][]int{{2, 3, 4, 4}, {6, 3, 1, 1}, {1, 6, 1, 1}}, stockConv(1, false), oursConv(false), false},
	{"conv5x5-relu", [][]int{{2, 2, 6, 6}, {3, 2, 5, 5}, {1, 3, 1, 1}}, stockConv(5, true), oursConv(true), false},
	{"conv3x3-relu-no-dx", [][]int{{2, 1, 5, 6}, {4, 1, 3, 3}, {1, 4, 1, 1}}, stockConv(3, true),
		func(ps []*G.Node) (*G.Node, error) {
			return Conv(ps[0], ps[1], ps[2], ConvOptions{ReLU: true, NoInputGrad: true})
		}, true},
	{"maxpool2", [][]int{{2, 3, 6, 4}},
		func(ps []*G.Node) (*G.Node, error) {
			return G.MaxPool2D(ps[0], tensor.Shape{2, 2}, []int{0, 0}, []int{2, 2})
		},
		func(ps []*G.Node) (*G.Node, error) { return MaxPool2(ps[0]) }, false},
	{"upsample2", [][]int{{2, 3, 3, 4}},
		func(ps []*G.Node) (*G.Node, error) { return G.Upsample2D(ps[0], 2) },
		func(ps []*G.Node) (*G.Node, error) { return Upsample2(ps[0]) }, false},
	{"concat", [][]int{{2, 3, 4, 5}, {2, 2, 4, 5}},
		func(ps []*G.Node) (*G.Node, error) { return G.Concat(1, ps[0], ps[1]) },
		func(ps []*G.Node) (*G.Node, error) { return Concat(ps[0], ps[1]) }, false},
	{"relu", [][]int{{2, 3, 4, 4}},
		func(ps []*G.Node) (*G.Node, error) { return G.Rectify(ps[0]) },
		func(ps []*G.Node) (*G.Node, error) { return ReLU(ps[0]) }, false},
}

// randValues draws one normal tensor per shape.
func randValues(seed uint64, shapes [][]int) [][]float64 {
	r := rand.New(rand.NewPCG(seed, 7))
	vs := make([][]float64, len(shapes))
	for i, s := range shapes {
		n := 1
		for _, d := range s {
			n *= d
		}
		vs[i] = make([]float64, n)
		for j := range vs[i] {
			vs[i][j] = r.NormFloat64()
		}
	}
	return vs
}

// graphRun is a compiled graph: loss = Σ out ⊙ R for a fixed random R, so
// that d loss / d out = R.
type graphRun struct {
	m      G.VM
	ps     []*G.Node
	out    *G.Node
	loss   *G.Node
	grads  G.Nodes
	dtype  tensor.Dtype
	values []*tensor.Dense
}

func newGraphRun(t testing.TB, dt tensor.Dtype, shapes [][]int, vals [][]float64, build builder, seed uint64, fixed0 bool) *graphRun {
	t.Helper()
	g := G.NewGraph()
	gr := &graphRun{dtype: dt}
	for i, s := range shapes {
		v := toDense(dt, s, vals[i])
		gr.values = append(gr.values, v)
		gr.ps = append(gr.ps, G.NewTensor(g, dt, len(s), G.WithShape(s...), G.WithValue(v), G.WithName(fmt.Sprintf("p%d", i))))
	}
	out, err := build(gr.ps)
	if err != nil {
		t.Fatal(err)
	}
	gr.out = out
	rv := randValues(seed, [][]int{out.Shape()})[0]
	r := G.NewConstant(toDense(dt, out.Shape(), rv), G.WithName("R"))
	prod, err := G.HadamardProd(out, r)
	if err != nil {
		t.Fatal(err)
	}
	if gr.loss, err = G.Sum(prod); err != nil {
		t.Fatal(err)
	}
	wrt := gr.ps
	if fixed0 {
		wrt = wrt[1:]
	}
	if gr.grads, err = G.Grad(gr.loss, wrt...); err != nil {
		t.Fatal(err)
	}
	gr.m = G.NewTapeMachine(g)
	t.Cleanup(func() { gr.m.Close() })
	return gr
}

func toDense(dt tensor.Dtype, shape []int, v []float64) *tensor.Dense {
	if dt == tensor.Float32 {
		f := make([]float32, len(v))
		for i, x := range v {
			f[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), v...)))
}

func asF64(t testing.TB, v G.Value) []float64 {
	t.Helper()
	switch d := v.Data().(type) {
	case []float32:
		o := make([]float64, len(d))
		for i, x := range d {
			o[i] = float64(x)
		}
		return o
	case []float64:
		return append([]float64(nil), d...)
	case float32:
		return []float64{float64(d)}
	case float64:
		return []float64{d}
	}
	t.Fatalf("unexpected value type %T", v.Data())
	return nil
}

// run executes the graph once and returns the output, the loss and the
// gradient of every parameter.
func (gr *graphRun) run(t testing.TB) (out []float64, loss float64, grads [][]float64) {
	t.Helper()
	gr.m.Reset()
	if err := gr.m.RunAll(); err != nil {
		t.Fatal(err)
	}
	out = asF64(t, gr.out.Value())
	loss = asF64(t, gr.loss.Value())[0]
	for _, g := range gr.grads {
		grads = append(grads, asF64(t, g.Value()))
	}
	return out, loss, grads
}

// closeTo reports the first element where got and want differ by more than
// tol relative to the largest magnitude of want.
func closeTo(got, want []float64, tol float64) error {
	if len(got) != len(want) {
		return fmt.Errorf("length %d, want %d", len(got), len(want))
	}
	scale := 1e-6
	for _, w := range want {
		scale = math.Max(scale, math.Abs(w))
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol*scale {
			return fmt.Errorf("[%d] = %v, want %v (scale %v)", i, got[i], want[i], scale)
		}
	}
	return nil
}

func TestOpsMatchStockGorgonia(t *testing.T) {
	for _, c := range opCases {
		t.Run(c.name, func(t *testing.T) {
			vals := randValues(11, c.shapes)
			stock := newGraphRun(t, tensor.Float32, c.shapes, vals, c.stock, 5, c.fixed0)
			ours := newGraphRun(t, tensor.Float32, c.shapes, vals, c.ours, 5, c.fixed0)
			wo, wl, wg := stock.run(t)
			// Run ours twice: the second run reuses every buffer and must give the same answer.
			ours.run(t)
			o, l, gs := ours.run(t)
			if err := closeTo(o, wo, 1e-5); err != nil {
				t.Errorf("output: %v", err)
			}
			if err := closeTo([]float64{l}, []float64{wl}, 1e-5); err != nil {
				t.Errorf("loss: %v", err)
			}
			for i := range gs {
				if err := closeTo(gs[i], wg[i], 1e-5); err != nil {
					t.Errorf("gradient of input %d: %v", i, err)
				}
			}
		})
	}
}

func TestOpsFiniteDifferences(t *testing.T) {
	const h = 1e-6
	for _, c := range opCases {
		t.Run(c.name, func(t *testing.T) {
			vals := randValues(3, c.shapes)
			gr := newGraphRun(t, tensor.Float64, c.shapes, vals, c.ours, 9, c.fixed0)
			_, _, grads := gr.run(t)
			if c.fixed0 {
				grads = append([][]float64{nil}, grads...)
			}
			r := rand.New(rand.NewPCG(4, 4))
			for p, v := range gr.values {
				if c.fixed0 && p == 0 {
					continue
				}
				data := v.Data().([]float64)
				for trial := 0; trial < 12; trial++ {
					j := r.IntN(len(data))
					orig := data[j]
					data[j] = orig + h
					_, lp, _ := gr.run(t)
					data[j] = orig - h
					_, lm, _ := gr.run(t)
					data[j] = orig
					fd := (lp - lm) / (2 * h)
					if math.Abs(fd-grads[p][j]) > 1e-6*(1+math.Abs(fd)) {
						t.Errorf("input %d [%d]: analytic %v, finite difference %v", p, j, grads[p][j], fd)
					}
				}
			}
		})
	}
}

func TestReLUMaskEdgeCases(t *testing.T) {
	y := []float32{1, 0, 1e-45, 3, float32(math.Inf(1))}
	dy := []float32{5, 6, 7, -8, 9}
	want := []float32{5, 0, 7, -8, 9}
	out := make([]float32, len(y))
	reluMask(y, dy, out)
	for i := range want {
		if out[i] != want[i] {
			t.Errorf("mask of y=%v: got %v, want %v", y[i], out[i], want[i])
		}
	}
	// max(-0, 0) is +0, so the ReLU never outputs -0 and its mask is exact.
	x := []float32{float32(math.Copysign(0, -1)), -2}
	r := make([]float32, 2)
	reluForward(x, r)
	if math.Float32bits(r[0]) != 0 || r[1] != 0 {
		t.Errorf("ReLU(-0, -2) = %v (bits %x), want +0, 0", r, math.Float32bits(r[0]))
	}
}

// TestConvEveryBackend runs the convolution cases on every GEMM backend:
// the packed ones take the implicit (padded-grid) path, the others im2col.
func TestConvEveryBackend(t *testing.T) {
	defer SetGEMM(defaultGEMMName())
	cases := append([]opCase{
		{"conv3x3-wide", [][]int{{3, 5, 7, 53}, {50, 5, 3, 3}, {1, 50, 1, 1}}, stockConv(3, true), oursConv(true), false},
		{"conv-cat-wide", [][]int{{2, 20, 6, 50}, {2, 30, 3, 25}, {50, 50, 3, 3}, {1, 50, 1, 1}}, stockConcatConv(3, true, true), oursConcatConv(true, true), false},
	}, opCases...)
	for _, name := range GEMMBackends() {
		if err := SetGEMM(name); err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			if !strings.HasPrefix(c.name, "conv") {
				continue
			}
			t.Run(name+"/"+c.name, func(t *testing.T) {
				vals := randValues(13, c.shapes)
				wo, wl, wg := newGraphRun(t, tensor.Float32, c.shapes, vals, c.stock, 5, c.fixed0).run(t)
				o, l, gs := newGraphRun(t, tensor.Float32, c.shapes, vals, c.ours, 5, c.fixed0).run(t)
				if err := closeTo(o, wo, 1e-5); err != nil {
					t.Errorf("output: %v", err)
				}
				if err := closeTo([]float64{l}, []float64{wl}, 1e-5); err != nil {
					t.Errorf("loss: %v", err)
				}
				for i := range gs {
					if err := closeTo(gs[i], wg[i], 1e-5); err != nil {
						t.Errorf("gradient of input %d: %v", i, err)
					}
				}
			})
		}
	}
}

// TestVectorElementwise checks the vectorised ReLU mask, bias + ReLU and
// plane sum against their scalar definitions, edge values included, over
// lengths that leave tails of every size.
func TestVectorElementwise(t *testing.T) {
	special := []float32{1, 0, 1e-45, -3, float32(math.Inf(1)), float32(math.Copysign(0, -1)), -1e-45, 2.5}
	r := rand.New(rand.NewPCG(8, 8))
	for n := 0; n <= 70; n++ {
		y := make([]float32, n)
		dy := randSlice(r, n)
		for i := range y {
			if i%3 == 0 {
				y[i] = special[i%len(special)]
			} else {
				y[i] = float32(r.NormFloat64())
			}
		}
		act := make([]float32, n)
		biasReLU(y, -0.5, act)
		// The mask reads ReLU outputs, which are never -0.
		for i, v := range y {
			if v == 0 && math.Signbit(float64(v)) {
				y[i] = 0
			}
		}
		out := make([]float32, n)
		reluMask32(y, dy, out)
		var want float64
		for i := range y {
			m := float32(0)
			if y[i] > 0 {
				m = dy[i]
			}
			if out[i] != m {
				t.Fatalf("n %d: mask[%d] of y=%v: %v, want %v", n, i, y[i], out[i], m)
			}
			if a := max(y[i]-0.5, 0); act[i] != a || math.Signbit(float64(act[i])) {
				t.Fatalf("n %d: bias+ReLU[%d] of %v: %v, want %v", n, i, y[i], act[i], a)
			}
			want += float64(dy[i])
		}
		if got := float64(sumPlane(dy)); math.Abs(got-want) > 1e-5*(1+math.Abs(want)) {
			t.Fatalf("n %d: sum %v, want %v", n, got, want)
		}
	}
}
