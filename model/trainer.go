package model

import (
	"errors"
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/segloss/segloss/model/nnops"
)

// Trainer is the training graph of a Model for one static batch shape:
// forward pass in training mode, the loss, the backward pass and a solver
// step. It updates the Model's parameters and batch-norm statistics in
// place, so the Model's Predict sees every step.
type Trainer struct {
	m       *Model
	nt      *net
	cost    *G.Node
	loss    *lossOp
	vm      G.VM
	vgs     []G.ValueGrad
	solver  G.Solver
	n, h, w int
}

// NewTrainer builds a training graph for batches of shape
// (batch, InChannels, h, w); h and w must be multiples of Config.Multiple.
// fn is called once per Step with the logits; solver updates the
// parameters (any gorgonia.Solver, typically this package's Adam or SGD).
func (m *Model) NewTrainer(batch, h, w int, fn LossFunc, solver G.Solver) (*Trainer, error) {
	if fn == nil {
		return nil, errors.New("new trainer: nil loss function")
	}
	if solver == nil {
		return nil, errors.New("new trainer: nil solver")
	}
	op := &lossOp{id: nextOpID(), fn: fn}
	t, err := m.newTrainer(tensor.Float32, m.values, batch, h, w, func(logits *G.Node) (*G.Node, error) {
		return lossNode(logits, op)
	})
	if err != nil {
		return nil, err
	}
	t.loss, t.solver = op, solver
	return t, nil
}

// newTrainer builds a training graph of dtype dt over values with the
// given cost; it is NewTrainer without the solver, for gradient checks.
func (m *Model) newTrainer(dt tensor.Dtype, values []*tensor.Dense, batch, h, w int, cost func(*G.Node) (*G.Node, error)) (*Trainer, error) {
	nt, err := m.newNet(dt, batch, h, w, true, values)
	if err != nil {
		return nil, fmt.Errorf("new trainer: %w", err)
	}
	c, err := cost(nt.logits)
	if err != nil {
		return nil, fmt.Errorf("new trainer: %w", err)
	}
	if _, err := G.Grad(c, nt.params...); err != nil {
		return nil, fmt.Errorf("new trainer: gradient: %w", err)
	}
	if _, err := nnops.PlanMemory(nt.g, nt.logits, c); err != nil {
		return nil, fmt.Errorf("new trainer: %w", err)
	}
	t := &Trainer{m: m, nt: nt, cost: c, n: batch, h: h, w: w}
	t.vm = G.NewTapeMachine(nt.g, G.BindDualValues(nt.params...))
	t.vgs = make([]G.ValueGrad, len(nt.params))
	for i, p := range nt.params {
		t.vgs[i] = p
	}
	return t, nil
}

// Shape returns the batch shape the trainer was built for.
func (t *Trainer) Shape() (batch, h, w int) { return t.n, t.h, t.w }

// Step runs one training step on x, an NCHW float32 batch of the
// trainer's shape: forward, loss, backward and one solver step. Gradients
// are zeroed before every pass, so nothing accumulates across steps. It
// returns the loss the LossFunc reported.
func (t *Trainer) Step(x []float32) (float64, error) {
	if err := t.forwardBackward(x); err != nil {
		return 0, err
	}
	if err := t.solver.Step(t.vgs); err != nil {
		return 0, fmt.Errorf("training step: solver: %w", err)
	}
	return t.loss.loss, nil
}

// forwardBackward runs the graph on x and leaves this pass's gradients in
// the parameter nodes' dual values.
func (t *Trainer) forwardBackward(x []float32) error {
	want := t.n * t.m.cfg.InChannels * t.h * t.w
	if len(x) != want {
		return fmt.Errorf("training step: batch has %d values, want %d (%dx%dx%dx%d)", len(x), want, t.n, t.m.cfg.InChannels, t.h, t.w)
	}
	switch d := t.nt.xT.Data().(type) {
	case []float32:
		copy(d, x)
	case []float64:
		for i, v := range x {
			d[i] = float64(v)
		}
	}
	for _, p := range t.nt.params {
		if g, err := p.Grad(); err == nil {
			if gt, ok := g.(tensor.Tensor); ok {
				gt.Zero()
			}
		}
	}
	defer t.vm.Reset()
	if err := t.vm.RunAll(); err != nil {
		return fmt.Errorf("training step: %w", err)
	}
	return nil
}

// costValue returns the cost of the last pass (for gradient checks).
func (t *Trainer) costValue() (float64, error) { return scalarOf(t.cost.Value()) }

// grads returns the gradients of the last pass in parameter order.
func (t *Trainer) grads() ([]tensor.Tensor, error) {
	out := make([]tensor.Tensor, len(t.nt.params))
	for i, p := range t.nt.params {
		g, err := p.Grad()
		if err != nil {
			return nil, fmt.Errorf("gradient of %s: %w", p.Name(), err)
		}
		gt, ok := g.(tensor.Tensor)
		if !ok {
			return nil, fmt.Errorf("gradient of %s is a %T", p.Name(), g)
		}
		out[i] = gt
	}
	return out, nil
}

// Close releases the trainer's machine.
func (t *Trainer) Close() error { return t.vm.Close() }
