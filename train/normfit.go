package train

import (
	"github.com/segloss/segloss/dataset"
	"github.com/segloss/segloss/segy"
)

// fitNorm fits a normalisation of the given method on the input survey,
// reading it a block of inlines at a time. It gives what
// dataset.FitNormalizer gives on the whole cube (holes as zeros).
func (p *predictor) fitNorm(name, method string) (dataset.Normalizer, error) {
	fit, err := dataset.NewNormalizerFitter(method, p.ni*p.nx*p.ns)
	if err != nil || method == "none" {
		return dataset.Normalizer{Method: method}, err
	}
	for i0 := 0; i0 < p.ni; i0 += p.block {
		i1 := min(i0+p.block, p.ni)
		cube, err := p.f.ReadSubCube(segy.Box{Il0: i0, Il1: i1, Xl0: 0, Xl1: p.nx, S0: 0, S1: p.ns})
		if err != nil {
			return dataset.Normalizer{Method: method}, err
		}
		fit.Add(i0*p.nx*p.ns, cube)
	}
	return fit.Normalizer(name)
}
