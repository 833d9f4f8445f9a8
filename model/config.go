// Package model is the segloss U-Net: its Gorgonia graphs for training and
// inference, the loss hook, the solvers and the checkpoint file.
//
// The package does not know where data comes from: callers hand it NCHW
// float32 batches and a LossFunc that turns logits into a loss and its
// gradient.
package model

import (
	"errors"
	"fmt"
	"strings"
)

// Upsampling modes of the decoder.
const (
	// UpsampleNearest repeats each pixel 2x2 and keeps the channel count.
	UpsampleNearest = "nearest"
	// UpsampleLearned repeats each pixel 2x2 and follows with a learned 3x3
	// convolution (+ bias) that halves the channel count (a resize-convolution).
	UpsampleLearned = "learned"
)

// Default values that Config.WithDefaults fills in.
const (
	DefaultDepth    = 3
	DefaultBase     = 16
	DefaultUpsample = UpsampleNearest
	maxDepth        = 8
)

// Config describes the architecture of a U-Net. Two models with equal
// Configs have parameters of the same names and shapes.
type Config struct {
	// InChannels is the number of input channels (1 for plain seismic).
	InChannels int `json:"in_channels"`
	// Classes is the number of output classes (logit channels).
	Classes int `json:"classes"`
	// Depth is the number of resolution levels including the bottleneck;
	// level l has Base<<l channels, so Depth 3 with Base 16 is 16-32-64.
	Depth int `json:"depth"`
	// Base is the channel count of the first level.
	Base int `json:"base"`
	// BatchNorm adds per-channel batch normalisation after every 3x3
	// convolution of the encoder and decoder blocks.
	BatchNorm bool `json:"batch_norm"`
	// Upsample is UpsampleNearest or UpsampleLearned.
	Upsample string `json:"upsample"`
}

// WithDefaults returns c with zero Depth, Base and Upsample replaced by
// their defaults.
func (c Config) WithDefaults() Config {
	if c.Depth == 0 {
		c.Depth = DefaultDepth
	}
	if c.Base == 0 {
		c.Base = DefaultBase
	}
	if c.Upsample == "" {
		c.Upsample = DefaultUpsample
	}
	return c
}

// Validate reports every problem of c (after defaults are applied by the
// caller) in one error.
func (c Config) Validate() error {
	var errs []error
	if c.InChannels < 1 {
		errs = append(errs, fmt.Errorf("in_channels must be at least 1, got %d", c.InChannels))
	}
	if c.Classes < 2 {
		errs = append(errs, fmt.Errorf("classes must be at least 2, got %d", c.Classes))
	}
	if c.Depth < 1 || c.Depth > maxDepth {
		errs = append(errs, fmt.Errorf("depth must be between 1 and %d, got %d", maxDepth, c.Depth))
	}
	if c.Base < 1 || c.Base > 1024 {
		errs = append(errs, fmt.Errorf("base must be between 1 and 1024, got %d", c.Base))
	}
	switch c.Upsample {
	case UpsampleNearest, UpsampleLearned:
	default:
		errs = append(errs, fmt.Errorf("upsample must be %q or %q, got %q", UpsampleNearest, UpsampleLearned, c.Upsample))
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("model config: %w", errors.Join(errs...))
}

// Multiple is the number that input heights and widths must be a multiple
// of: 2 to the power of the number of poolings.
func (c Config) Multiple() int {
	if c.Depth < 1 {
		return 1
	}
	return 1 << (c.Depth - 1)
}

// Widths returns the channel count of every level, e.g. [16 32 64].
func (c Config) Widths() []int {
	w := make([]int, c.Depth)
	for l := range w {
		w[l] = c.Base << l
	}
	return w
}

// String describes the architecture in one line, e.g.
// "unet 1->6 16-32-64 bn nearest".
func (c Config) String() string {
	ws := make([]string, 0, c.Depth)
	for _, w := range c.Widths() {
		ws = append(ws, fmt.Sprint(w))
	}
	bn := "no-bn"
	if c.BatchNorm {
		bn = "bn"
	}
	return fmt.Sprintf("unet %d->%d %s %s %s", c.InChannels, c.Classes, strings.Join(ws, "-"), bn, c.Upsample)
}
