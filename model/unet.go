package model

import (
	"errors"
	"fmt"
	"math"
	"math/rand"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Model is a U-Net: its configuration, its float32 parameters and batch-norm
// running statistics, and the inference graphs built so far. The training
// graphs of its Trainers and its inference graphs all share the same
// parameter tensors. A Model is not safe for concurrent use.
type Model struct {
	cfg    Config
	names  []string
	values []*tensor.Dense
	stats  []*bnStats
	infer  map[[3]int]*inferGraph
}

// New builds a U-Net for cfg (defaults filled in) with He-normal
// convolution weights drawn from seed, zero biases, unit batch-norm scales
// and zero shifts. The same cfg and seed give the same parameters.
func New(cfg Config, seed int64) (*Model, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Model{cfg: cfg, infer: map[[3]int]*inferGraph{}}
	b := &builder{
		g: G.NewGraph(), dt: tensor.Float32, rng: rand.New(rand.NewSource(seed)),
	}
	k := cfg.Multiple()
	if _, err := b.build(cfg, 1, k, k); err != nil {
		return nil, fmt.Errorf("building %v: %w", cfg, err)
	}
	m.names, m.values, m.stats = b.names, b.values, b.stats
	return m, nil
}

// Config returns the model's configuration with defaults filled in.
func (m *Model) Config() Config { return m.cfg }

// NumParams returns the number of learned scalars.
func (m *Model) NumParams() int {
	n := 0
	for _, v := range m.values {
		n += v.Size()
	}
	return n
}

// ParamNames returns the parameter names in checkpoint order, such as
// "enc0.conv1.w" or "head.b".
func (m *Model) ParamNames() []string { return append([]string(nil), m.names...) }

// valuesAs returns the parameters as tensors of dtype dt: the model's own
// tensors for float32, fresh copies otherwise.
func (m *Model) valuesAs(dt tensor.Dtype) []*tensor.Dense {
	if dt == tensor.Float32 {
		return m.values
	}
	out := make([]*tensor.Dense, len(m.values))
	for i, v := range m.values {
		d := make([]float64, v.Size())
		for j, f := range v.Float32s() {
			d[j] = float64(f)
		}
		out[i] = tensor.New(tensor.WithShape(v.Shape().Clone()...), tensor.WithBacking(d))
	}
	return out
}

// net is one built U-Net graph.
type net struct {
	g      *G.ExprGraph
	x      *G.Node
	xT     *tensor.Dense
	logits *G.Node
	params G.Nodes
}

// newNet builds the U-Net for inputs of shape (n, InChannels, h, w) of dtype
// dt, with parameter nodes bound to values.
func (m *Model) newNet(dt tensor.Dtype, n, h, w int, training bool, values []*tensor.Dense) (*net, error) {
	if n < 1 || h < 1 || w < 1 {
		return nil, fmt.Errorf("batch shape %dx%dx%d must be positive", n, h, w)
	}
	if k := m.cfg.Multiple(); h%k != 0 || w%k != 0 {
		return nil, fmt.Errorf("input size %dx%d is not a multiple of %d", h, w, k)
	}
	b := &builder{g: G.NewGraph(), dt: dt, training: training, names: m.names, values: values, stats: m.stats}
	nt, err := b.build(m.cfg, n, h, w)
	if err != nil {
		return nil, fmt.Errorf("building %v for %dx%dx%d: %w", m.cfg, n, h, w, err)
	}
	if len(b.nodes) != len(values) || b.nBN != len(m.stats) {
		return nil, errors.New("internal error: graph and parameter list disagree")
	}
	return nt, nil
}

// builder creates parameter nodes in a fixed order. With rng set it is in
// init mode: it draws new values and records names and statistics.
type builder struct {
	g        *G.ExprGraph
	dt       tensor.Dtype
	training bool
	rng      *rand.Rand
	names    []string
	values   []*tensor.Dense
	stats    []*bnStats
	nodes    G.Nodes
	nBN      int
}

type initKind int

const (
	initHe initKind = iota
	initZero
	initOne
)

func (b *builder) param(name string, shape tensor.Shape, kind initKind) (*G.Node, error) {
	k := len(b.nodes)
	if b.rng != nil {
		d := make([]float32, shape.TotalSize())
		switch kind {
		case initHe:
			fanIn := shape.TotalSize() / shape[0]
			std := math.Sqrt(2 / float64(fanIn))
			for i := range d {
				d[i] = float32(b.rng.NormFloat64() * std)
			}
		case initOne:
			for i := range d {
				d[i] = 1
			}
		}
		b.names = append(b.names, name)
		b.values = append(b.values, tensor.New(tensor.WithShape(shape...), tensor.WithBacking(d)))
	}
	if k >= len(b.values) || b.names[k] != name || !b.values[k].Shape().Eq(shape) {
		return nil, fmt.Errorf("internal error: parameter %d (%s %v) does not match the model", k, name, shape)
	}
	n := G.NewTensor(b.g, b.dt, shape.Dims(), G.WithShape(shape...), G.WithName(name), G.WithValue(b.values[k]))
	b.nodes = append(b.nodes, n)
	return n, nil
}

func (b *builder) bnStatsFor(c int) *bnStats {
	if b.rng != nil {
		b.stats = append(b.stats, newBNStats(c))
	}
	s := b.stats[b.nBN]
	b.nBN++
	return s
}

// blockInput is the input of a convBlock: x, or for a decoder block the
// concatenation of skip and x (upsampled 2x when up is set).
type blockInput struct {
	x, skip   *G.Node
	up        bool
	dataInput bool // x is the network's input
}

// convBlock is two 3x3 convolutions, each followed by batch norm (if
// enabled) and ReLU; the first one reads the block's input in.
func (b *builder) convBlock(prefix string, in blockInput, cin, cout int, bn bool) (*G.Node, error) {
	h := in.x
	for i, c := range []int{cin, cout} {
		name := fmt.Sprintf("%s.conv%d", prefix, i+1)
		w, err := b.param(name+".w", tensor.Shape{cout, c, 3, 3}, initHe)
		if err != nil {
			return nil, err
		}
		bias, err := b.param(name+".b", tensor.Shape{1, cout, 1, 1}, initZero)
		if err != nil {
			return nil, err
		}
		if i == 0 && in.skip != nil {
			h, err = concatConv3x3(in.skip, h, w, bias, in.up, !bn)
		} else {
			h, err = conv3x3(h, w, bias, !bn, in.dataInput && i == 0)
		}
		if err != nil {
			return nil, err
		}
		if bn {
			name := fmt.Sprintf("%s.bn%d", prefix, i+1)
			gamma, err := b.param(name+".gamma", tensor.Shape{1, cout, 1, 1}, initOne)
			if err != nil {
				return nil, err
			}
			beta, err := b.param(name+".beta", tensor.Shape{1, cout, 1, 1}, initZero)
			if err != nil {
				return nil, err
			}
			if h, err = batchNorm(h, gamma, beta, b.bnStatsFor(cout), b.training, true); err != nil {
				return nil, err
			}
		}
	}
	return h, nil
}

// build adds the whole U-Net for an (n, InChannels, h, w) input to b.g.
func (b *builder) build(cfg Config, n, h, w int) (*net, error) {
	xT := tensor.New(tensor.Of(b.dt), tensor.WithShape(n, cfg.InChannels, h, w))
	x := G.NewTensor(b.g, b.dt, 4, G.WithShape(n, cfg.InChannels, h, w), G.WithName("x"), G.WithValue(xT))
	widths := cfg.Widths()
	var skips []*G.Node
	cur, cin := x, cfg.InChannels
	var err error
	for l, c := range widths {
		if l > 0 {
			if cur, err = maxPool2(cur); err != nil {
				return nil, err
			}
		}
		if cur, err = b.convBlock(fmt.Sprintf("enc%d", l), blockInput{x: cur, dataInput: l == 0}, cin, c, cfg.BatchNorm); err != nil {
			return nil, err
		}
		skips = append(skips, cur)
		cin = c
	}
	for l := len(widths) - 2; l >= 0; l-- {
		in := blockInput{x: cur, skip: skips[l], up: true}
		cup := widths[l+1]
		if cfg.Upsample == UpsampleLearned {
			if cur, err = upsample2(cur); err != nil {
				return nil, err
			}
			name := fmt.Sprintf("up%d", l)
			wt, err := b.param(name+".w", tensor.Shape{widths[l], widths[l+1], 3, 3}, initHe)
			if err != nil {
				return nil, err
			}
			bias, err := b.param(name+".b", tensor.Shape{1, widths[l], 1, 1}, initZero)
			if err != nil {
				return nil, err
			}
			if cur, err = conv3x3(cur, wt, bias, false, false); err != nil {
				return nil, err
			}
			cup = widths[l]
			in = blockInput{x: cur, skip: skips[l]}
		}
		if cur, err = b.convBlock(fmt.Sprintf("dec%d", l), in, widths[l]+cup, widths[l], cfg.BatchNorm); err != nil {
			return nil, err
		}
	}
	wt, err := b.param("head.w", tensor.Shape{cfg.Classes, widths[0], 1, 1}, initHe)
	if err != nil {
		return nil, err
	}
	bias, err := b.param("head.b", tensor.Shape{1, cfg.Classes, 1, 1}, initZero)
	if err != nil {
		return nil, err
	}
	logits, err := conv1x1(cur, wt, bias)
	if err != nil {
		return nil, err
	}
	return &net{g: b.g, x: x, xT: xT, logits: logits, params: b.nodes}, nil
}
