package nnops

import (
	"fmt"
	"math"
)

// SoftmaxCrossEntropy is the per-pixel softmax cross-entropy of NCHW logits
// (n images, c classes, h×w pixels) against integer labels (n·h·w, one per
// pixel), averaged over the pixels whose label is not ignore. It writes
// d loss / d logits into grad (same layout as logits) and returns the loss.
// The softmax subtracts each pixel's largest logit, so large logits do not
// overflow. A label outside [0, c) other than ignore is an error; a batch
// whose pixels are all ignored has loss 0 and a zero gradient. With labels
// bound in a closure it is a model.LossFunc.
func SoftmaxCrossEntropy(logits, grad []float32, labels []int32, n, c, h, w int, ignore int32) (float64, error) {
	return softmaxCE(logits, grad, labels, n, c, h, w, ignore)
}

func softmaxCE[T float](logits, grad []T, labels []int32, n, c, h, w int, ignore int32) (float64, error) {
	hw := h * w
	if n < 1 || c < 1 || hw < 1 {
		return 0, fmt.Errorf("softmax cross-entropy: bad shape %dx%dx%dx%d", n, c, h, w)
	}
	if len(logits) != n*c*hw || len(grad) != n*c*hw || len(labels) != n*hw {
		return 0, fmt.Errorf("softmax cross-entropy: %d logits, %d gradients, %d labels do not fit %dx%dx%dx%d",
			len(logits), len(grad), len(labels), n, c, h, w)
	}
	count := 0
	for i, l := range labels {
		if l == ignore {
			continue
		}
		if l < 0 || int(l) >= c {
			return 0, fmt.Errorf("softmax cross-entropy: label %d at pixel %d is outside [0, %d) and is not the ignore index %d", l, i, c, ignore)
		}
		count++
	}
	if count == 0 {
		clear(grad)
		return 0, nil
	}
	inv := 1 / float64(count)
	losses := make([]float64, n)
	parallelFor(n, func(_, i int) {
		x := logits[i*c*hw : (i+1)*c*hw]
		g := grad[i*c*hw : (i+1)*c*hw]
		lab := labels[i*hw : (i+1)*hw]
		var sum float64
		for p := 0; p < hw; p++ {
			if lab[p] == ignore {
				for k := 0; k < c; k++ {
					g[k*hw+p] = 0
				}
				continue
			}
			m := x[p]
			for k := 1; k < c; k++ {
				m = max(m, x[k*hw+p])
			}
			var z float64
			for k := 0; k < c; k++ {
				e := math.Exp(float64(x[k*hw+p] - m))
				g[k*hw+p] = T(e)
				z += e
			}
			lz := math.Log(z)
			sum += lz - float64(x[int(lab[p])*hw+p]-m)
			s := inv / z
			for k := 0; k < c; k++ {
				g[k*hw+p] = T(float64(g[k*hw+p]) * s)
			}
			g[int(lab[p])*hw+p] -= T(inv)
		}
		losses[i] = sum
	})
	var total float64
	for _, l := range losses {
		total += l
	}
	return total * inv, nil
}
