package model

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/segloss/segloss/model/nnops"
)

// This file is the only place that applies Gorgonia ops to build layers.
// Every function takes the nodes it combines (the graph is theirs) and
// returns the layer's output node; the U-Net in unet.go only calls these,
// so a faster implementation of a layer replaces one function here.
//
// Each layer uses the fast ops of package nnops (same function, buffers
// reused across steps) unless UseStockOps(true) selects the stock Gorgonia
// ops, which are kept for comparisons and checks.

// conv3x3 is a 3x3 convolution with stride 1 and zero padding 1 plus a
// per-channel bias: x (N,Cin,H,W), w (Cout,Cin,3,3), b (1,Cout,1,1); with
// withReLU the output goes through max(., 0) in the same op. With dataInput
// x is the network's input, whose gradient nobody needs, so none is computed.
func conv3x3(x, w, b *G.Node, withReLU, dataInput bool) (*G.Node, error) {
	if !stockOps() {
		y, err := nnops.Conv(x, w, b, nnops.ConvOptions{ReLU: withReLU, NoInputGrad: dataInput})
		if err != nil {
			return nil, fmt.Errorf("conv3x3: %w", err)
		}
		return y, nil
	}
	y, err := G.Conv2d(x, w, tensor.Shape{3, 3}, []int{1, 1}, []int{1, 1}, []int{1, 1})
	if err != nil {
		return nil, fmt.Errorf("conv3x3 %v * %v: %w", x.Shape(), w.Shape(), err)
	}
	if y, err = addBias(y, b); err != nil || !withReLU {
		return y, err
	}
	return relu(y)
}

// concatConv3x3 is conv3x3 (without the data-input case) applied to the
// channel concatenation of skip and low, low upsampled 2x (nearest) first
// when up is set. The fast op builds neither tensor.
func concatConv3x3(skip, low, w, b *G.Node, up, withReLU bool) (*G.Node, error) {
	if !stockOps() {
		y, err := nnops.ConcatConv(skip, low, w, b, up, nnops.ConvOptions{ReLU: withReLU})
		if err != nil {
			return nil, fmt.Errorf("decoder conv3x3: %w", err)
		}
		return y, nil
	}
	x := low
	var err error
	if up {
		if x, err = upsample2(low); err != nil {
			return nil, err
		}
	}
	if x, err = concat(skip, x); err != nil {
		return nil, err
	}
	return conv3x3(x, w, b, withReLU, false)
}

// conv1x1 is a 1x1 convolution plus a per-channel bias: x (N,Cin,H,W),
// w (Cout,Cin,1,1), b (1,Cout,1,1).
func conv1x1(x, w, b *G.Node) (*G.Node, error) {
	if !stockOps() {
		y, err := nnops.Conv2D(x, w, b, false)
		if err != nil {
			return nil, fmt.Errorf("conv1x1: %w", err)
		}
		return y, nil
	}
	y, err := G.Conv2d(x, w, tensor.Shape{1, 1}, []int{0, 0}, []int{1, 1}, []int{1, 1})
	if err != nil {
		return nil, fmt.Errorf("conv1x1 %v * %v: %w", x.Shape(), w.Shape(), err)
	}
	return addBias(y, b)
}

// addBias adds b (1,C,1,1) to every pixel of x (N,C,H,W).
func addBias(x, b *G.Node) (*G.Node, error) {
	y, err := G.BroadcastAdd(x, b, nil, []byte{0, 2, 3})
	if err != nil {
		return nil, fmt.Errorf("bias %v + %v: %w", x.Shape(), b.Shape(), err)
	}
	return y, nil
}

// relu is max(x, 0).
func relu(x *G.Node) (*G.Node, error) {
	if !stockOps() {
		return nnops.ReLU(x)
	}
	y, err := G.Rectify(x)
	if err != nil {
		return nil, fmt.Errorf("relu %v: %w", x.Shape(), err)
	}
	return y, nil
}

// batchNorm normalises every channel of x (N,C,H,W) and applies the scale
// gamma and shift beta, both (1,C,1,1), then ReLU if withReLU. In training
// mode it uses and updates the batch statistics; otherwise it uses the
// running statistics. With stock ops the ReLU is a separate stock op.
func batchNorm(x, gamma, beta *G.Node, stats *bnStats, training, withReLU bool) (*G.Node, error) {
	fuse := withReLU && !stockOps()
	op := &bnOp{id: nextOpID(), training: training, relu: fuse, stats: stats}
	y, err := G.ApplyOp(op, x, gamma, beta)
	if err != nil {
		return nil, fmt.Errorf("batchnorm %v: %w", x.Shape(), err)
	}
	if withReLU && !fuse {
		return relu(y)
	}
	return y, nil
}

// maxPool2 is a 2x2 max-pool with stride 2.
func maxPool2(x *G.Node) (*G.Node, error) {
	if !stockOps() {
		return nnops.MaxPool2(x)
	}
	y, err := G.MaxPool2D(x, tensor.Shape{2, 2}, []int{0, 0}, []int{2, 2})
	if err != nil {
		return nil, fmt.Errorf("maxpool %v: %w", x.Shape(), err)
	}
	return y, nil
}

// upsample2 repeats every pixel of x 2x2 (nearest neighbour).
func upsample2(x *G.Node) (*G.Node, error) {
	if !stockOps() {
		return nnops.Upsample2(x)
	}
	y, err := G.Upsample2D(x, 2)
	if err != nil {
		return nil, fmt.Errorf("upsample %v: %w", x.Shape(), err)
	}
	return y, nil
}

// concat joins a and b along the channel axis.
func concat(a, b *G.Node) (*G.Node, error) {
	if !stockOps() {
		return nnops.Concat(a, b)
	}
	y, err := G.Concat(1, a, b)
	if err != nil {
		return nil, fmt.Errorf("concat %v and %v: %w", a.Shape(), b.Shape(), err)
	}
	return y, nil
}

// lossNode applies a LossFunc to the logits as one op and returns the
// scalar loss node.
func lossNode(logits *G.Node, op *lossOp) (*G.Node, error) {
	y, err := G.ApplyOp(op, logits)
	if err != nil {
		return nil, fmt.Errorf("loss of %v: %w", logits.Shape(), err)
	}
	return y, nil
}
