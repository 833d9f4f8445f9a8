package train

import (
	"fmt"
	"math"
	"slices"

	"github.com/segloss/segloss/dataset"
	"github.com/segloss/segloss/segy"
)

// fitNorm fits a normalisation of the given method on the input survey,
// reading it a block of inlines at a time. It gives what
// dataset.FitNormalizer gives on the whole cube (holes as zeros): the same
// sums in the same order and the same subsample for the clip percentiles.
func (p *predictor) fitNorm(name, method string) (dataset.Normalizer, error) {
	n := dataset.Normalizer{Method: method}
	switch method {
	case "none":
		return n, nil
	case "meanstd", "clip":
	default:
		return n, fmt.Errorf("normalisation %q: want none, meanstd or clip", method)
	}
	var sum, sum2 float64
	var sample []float32
	total := p.ni * p.nx * p.ns
	step := max(1, total/1_000_000)
	for i0 := 0; i0 < p.ni; i0 += p.block {
		i1 := min(i0+p.block, p.ni)
		cube, err := p.f.ReadSubCube(segy.Box{Il0: i0, Il1: i1, Xl0: 0, Xl1: p.nx, S0: 0, S1: p.ns})
		if err != nil {
			return n, err
		}
		base := i0 * p.nx * p.ns
		for v, a := range cube {
			f := float64(a)
			sum += f
			sum2 += f * f
			if (base+v)%step == 0 {
				sample = append(sample, a)
			}
		}
	}
	if method == "meanstd" {
		n.Mean = sum / float64(total)
		n.Std = math.Sqrt(max(0, sum2/float64(total)-n.Mean*n.Mean))
		if n.Std == 0 {
			return n, fmt.Errorf("volume %s: constant seismic, standard deviation 0", name)
		}
		return n, nil
	}
	slices.Sort(sample)
	q := func(pc float64) float64 { return float64(sample[int(pc/100*float64(len(sample)-1)+0.5)]) }
	n.Low, n.High = q(100-dataset.ClipPercentile), q(dataset.ClipPercentile)
	if n.High <= n.Low {
		return n, fmt.Errorf("volume %s: clip range [%g, %g] is empty", name, n.Low, n.High)
	}
	return n, nil
}
