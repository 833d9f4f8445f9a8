package model

import (
	"errors"
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Solver is a gorgonia.Solver whose learning rate can change between steps
// (for schedules) and whose state can be saved in and restored from a
// checkpoint. Step updates float32 parameters in place and zeroes their
// gradients afterwards, like Gorgonia's own solvers.
type Solver interface {
	G.Solver
	// LearningRate returns the learning rate of the next step.
	LearningRate() float64
	// SetLearningRate sets the learning rate of the following steps.
	SetLearningRate(lr float64)
	// State returns a copy of the solver's state for a checkpoint.
	State() SolverState
	// SetState restores a state returned by State of a solver of the same
	// kind; the slot sizes are checked against the parameters at the next
	// Step.
	SetState(SolverState) error
}

// SolverState is the resumable state of a Solver: its kind, learning
// rate, step count and per-parameter slots (Adam: first and second moment
// of every parameter, in turn; SGD: the velocity of every parameter).
type SolverState struct {
	Kind         string      `json:"kind"`
	LearningRate float64     `json:"learning_rate"`
	Steps        int         `json:"steps"`
	Slots        [][]float32 `json:"-"`
}

func (s SolverState) clone() SolverState {
	c := s
	c.Slots = make([][]float32, len(s.Slots))
	for i, sl := range s.Slots {
		c.Slots[i] = append([]float32(nil), sl...)
	}
	return c
}

// validateCommon checks the hyperparameters both solvers share.
func validateCommon(lr, weightDecay, clipNorm float64) []error {
	var errs []error
	if !(lr > 0) || math.IsInf(lr, 0) {
		errs = append(errs, fmt.Errorf("learning rate must be positive and finite, got %v", lr))
	}
	if !(weightDecay >= 0) || math.IsInf(weightDecay, 0) {
		errs = append(errs, fmt.Errorf("weight decay must be >= 0, got %v", weightDecay))
	}
	if !(clipNorm >= 0) || math.IsInf(clipNorm, 0) {
		errs = append(errs, fmt.Errorf("clip norm must be >= 0, got %v", clipNorm))
	}
	return errs
}

// AdamConfig are the hyperparameters of Adam; zero Beta1, Beta2 and
// Epsilon take the defaults 0.9, 0.999 and 1e-8.
type AdamConfig struct {
	LearningRate float64 `json:"learning_rate"`
	Beta1        float64 `json:"beta1"`
	Beta2        float64 `json:"beta2"`
	Epsilon      float64 `json:"epsilon"`
	// WeightDecay is the decoupled weight decay (0 = none).
	WeightDecay float64 `json:"weight_decay"`
	// ClipNorm rescales the gradients so that their global L2 norm is at
	// most ClipNorm (0 = no clipping).
	ClipNorm float64 `json:"clip_norm"`
}

// Adam is the Adam solver with decoupled weight decay (AdamW: each step
// also shrinks every weight by lr*WeightDecay*w) and optional global
// gradient-norm clipping.
type Adam struct {
	cfg   AdamConfig
	lr    float64
	steps int
	slots [][]float32
}

// NewAdam returns an Adam solver, e.g. NewAdam(AdamConfig{LearningRate: 1e-3}).
func NewAdam(cfg AdamConfig) (*Adam, error) {
	if cfg.Beta1 == 0 {
		cfg.Beta1 = 0.9
	}
	if cfg.Beta2 == 0 {
		cfg.Beta2 = 0.999
	}
	if cfg.Epsilon == 0 {
		cfg.Epsilon = 1e-8
	}
	errs := validateCommon(cfg.LearningRate, cfg.WeightDecay, cfg.ClipNorm)
	if cfg.Beta1 < 0 || cfg.Beta1 >= 1 || cfg.Beta2 < 0 || cfg.Beta2 >= 1 {
		errs = append(errs, fmt.Errorf("adam betas must be in [0, 1), got %v and %v", cfg.Beta1, cfg.Beta2))
	}
	if !(cfg.Epsilon > 0) {
		errs = append(errs, fmt.Errorf("adam epsilon must be positive, got %v", cfg.Epsilon))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("adam: %w", errors.Join(errs...))
	}
	return &Adam{cfg: cfg, lr: cfg.LearningRate}, nil
}

// LearningRate implements Solver.
func (a *Adam) LearningRate() float64 { return a.lr }

// SetLearningRate implements Solver.
func (a *Adam) SetLearningRate(lr float64) { a.lr = lr }

// State implements Solver.
func (a *Adam) State() SolverState {
	return SolverState{Kind: "adam", LearningRate: a.lr, Steps: a.steps, Slots: a.slots}.clone()
}

// SetState implements Solver.
func (a *Adam) SetState(s SolverState) error {
	if s.Kind != "adam" {
		return fmt.Errorf("adam: cannot restore the state of a %q solver", s.Kind)
	}
	c := s.clone()
	a.lr, a.steps, a.slots = c.LearningRate, c.Steps, c.Slots
	return nil
}

// Step implements gorgonia.Solver.
func (a *Adam) Step(vgs []G.ValueGrad) error {
	ws, gs, err := unpack(vgs)
	if err != nil {
		return fmt.Errorf("adam: %w", err)
	}
	if a.slots, err = ensureSlots(a.slots, ws, 2); err != nil {
		return fmt.Errorf("adam: %w", err)
	}
	scale := clipScale(gs, a.cfg.ClipNorm)
	a.steps++
	b1, b2 := a.cfg.Beta1, a.cfg.Beta2
	c1 := 1 - math.Pow(b1, float64(a.steps))
	c2 := 1 - math.Pow(b2, float64(a.steps))
	lr, decay, eps := a.lr, 1-a.lr*a.cfg.WeightDecay, a.cfg.Epsilon
	for i, w := range ws {
		g, m, v := gs[i], a.slots[2*i], a.slots[2*i+1]
		for j := range w {
			gj := float64(g[j]) * scale
			mj := b1*float64(m[j]) + (1-b1)*gj
			vj := b2*float64(v[j]) + (1-b2)*gj*gj
			m[j], v[j] = float32(mj), float32(vj)
			w[j] = float32(float64(w[j])*decay - lr*(mj/c1)/(math.Sqrt(vj/c2)+eps))
		}
		clear(g)
	}
	return nil
}

// SGDConfig are the hyperparameters of SGD with momentum.
type SGDConfig struct {
	LearningRate float64 `json:"learning_rate"`
	// Momentum is the heavy-ball momentum (0 = plain SGD).
	Momentum float64 `json:"momentum"`
	// WeightDecay is the L2 weight decay added to the gradient (0 = none).
	WeightDecay float64 `json:"weight_decay"`
	// ClipNorm rescales the gradients so that their global L2 norm is at
	// most ClipNorm (0 = no clipping).
	ClipNorm float64 `json:"clip_norm"`
}

// SGD is stochastic gradient descent with heavy-ball momentum
// (v = momentum*v + g; w -= lr*v), L2 weight decay added to the gradient
// (g += WeightDecay*w) and optional global gradient-norm clipping (applied
// before the decay).
type SGD struct {
	cfg   SGDConfig
	lr    float64
	steps int
	slots [][]float32
}

// NewSGD returns an SGD solver.
func NewSGD(cfg SGDConfig) (*SGD, error) {
	errs := validateCommon(cfg.LearningRate, cfg.WeightDecay, cfg.ClipNorm)
	if cfg.Momentum < 0 || cfg.Momentum >= 1 {
		errs = append(errs, fmt.Errorf("sgd momentum must be in [0, 1), got %v", cfg.Momentum))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("sgd: %w", errors.Join(errs...))
	}
	return &SGD{cfg: cfg, lr: cfg.LearningRate}, nil
}

// LearningRate implements Solver.
func (s *SGD) LearningRate() float64 { return s.lr }

// SetLearningRate implements Solver.
func (s *SGD) SetLearningRate(lr float64) { s.lr = lr }

// State implements Solver.
func (s *SGD) State() SolverState {
	return SolverState{Kind: "sgd", LearningRate: s.lr, Steps: s.steps, Slots: s.slots}.clone()
}

// SetState implements Solver.
func (s *SGD) SetState(st SolverState) error {
	if st.Kind != "sgd" {
		return fmt.Errorf("sgd: cannot restore the state of a %q solver", st.Kind)
	}
	c := st.clone()
	s.lr, s.steps, s.slots = c.LearningRate, c.Steps, c.Slots
	return nil
}

// Step implements gorgonia.Solver.
func (s *SGD) Step(vgs []G.ValueGrad) error {
	ws, gs, err := unpack(vgs)
	if err != nil {
		return fmt.Errorf("sgd: %w", err)
	}
	if s.slots, err = ensureSlots(s.slots, ws, 1); err != nil {
		return fmt.Errorf("sgd: %w", err)
	}
	scale := clipScale(gs, s.cfg.ClipNorm)
	s.steps++
	mu, wd, lr := s.cfg.Momentum, s.cfg.WeightDecay, s.lr
	for i, w := range ws {
		g, v := gs[i], s.slots[i]
		for j := range w {
			gj := float64(g[j])*scale + wd*float64(w[j])
			vj := mu*float64(v[j]) + gj
			v[j] = float32(vj)
			w[j] = float32(float64(w[j]) - lr*vj)
		}
		clear(g)
	}
	return nil
}

// unpack returns the float32 data of every value and gradient.
func unpack(vgs []G.ValueGrad) (ws, gs [][]float32, err error) {
	ws = make([][]float32, len(vgs))
	gs = make([][]float32, len(vgs))
	for i, vg := range vgs {
		name := fmt.Sprintf("parameter %d", i)
		if nm, ok := vg.(G.Namer); ok {
			name = nm.Name()
		}
		vt, ok := vg.Value().(tensor.Tensor)
		if !ok {
			return nil, nil, fmt.Errorf("%s: value is a %T, not a tensor", name, vg.Value())
		}
		g, err := vg.Grad()
		if err != nil {
			return nil, nil, fmt.Errorf("%s: no gradient: %w", name, err)
		}
		gt, ok := g.(tensor.Tensor)
		if !ok {
			return nil, nil, fmt.Errorf("%s: gradient is a %T, not a tensor", name, g)
		}
		w, ok1 := vt.Data().([]float32)
		gd, ok2 := gt.Data().([]float32)
		if !ok1 || !ok2 || len(w) != len(gd) {
			return nil, nil, fmt.Errorf("%s: want float32 value and gradient of one size, got %v and %v", name, vt.Dtype(), gt.Dtype())
		}
		ws[i], gs[i] = w, gd
	}
	return ws, gs, nil
}

// ensureSlots allocates per slots per parameter, or checks that restored
// slots fit the parameters.
func ensureSlots(slots, ws [][]float32, per int) ([][]float32, error) {
	if slots == nil {
		slots = make([][]float32, per*len(ws))
		for i, w := range ws {
			for k := range per {
				slots[per*i+k] = make([]float32, len(w))
			}
		}
		return slots, nil
	}
	if len(slots) != per*len(ws) {
		return nil, fmt.Errorf("state has %d slots, the model needs %d", len(slots), per*len(ws))
	}
	for i, w := range ws {
		for k := range per {
			if len(slots[per*i+k]) != len(w) {
				return nil, fmt.Errorf("state slot %d has %d values, parameter %d has %d", per*i+k, len(slots[per*i+k]), i, len(w))
			}
		}
	}
	return slots, nil
}

// clipScale returns the factor that brings the global gradient norm down
// to maxNorm (1 when maxNorm is 0 or the norm is already small enough).
func clipScale(gs [][]float32, maxNorm float64) float64 {
	if maxNorm <= 0 {
		return 1
	}
	var ss float64
	for _, g := range gs {
		for _, v := range g {
			ss += float64(v) * float64(v)
		}
	}
	if norm := math.Sqrt(ss); norm > maxNorm {
		return maxNorm / norm
	}
	return 1
}
