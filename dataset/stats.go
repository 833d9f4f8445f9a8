package dataset

import (
	"fmt"
	"math"
	"slices"
)

// Normalizer maps raw amplitudes to network inputs. It is fitted on the
// training part only and stored with the checkpoint (it marshals to JSON) so
// evaluation and prediction apply the very same transform.
type Normalizer struct {
	// Method is "none", "meanstd" ((x-Mean)/Std) or "clip" (clip to
	// [Low, High], then scale to [-1, 1]).
	Method string `json:"method"`
	// Mean and Std are used by "meanstd".
	Mean float64 `json:"mean,omitempty"`
	Std  float64 `json:"std,omitempty"`
	// Low and High are the clip limits of "clip".
	Low  float64 `json:"low,omitempty"`
	High float64 `json:"high,omitempty"`
}

// ClipPercentile is the percentile of the amplitudes that "clip" maps to
// +1 (its mirror, 100-ClipPercentile, maps to -1).
const ClipPercentile = 99.5

// FitNormalizer fits method ("none", "meanstd" or "clip") on the seismic of
// v, skipping missing traces. Pass the training part only.
func FitNormalizer(v *Volume, method string) (Normalizer, error) {
	fit, err := NewNormalizerFitter(method, v.NI*v.NX*v.NS)
	if err != nil || method == "none" {
		return Normalizer{Method: method}, err
	}
	if v.Seismic == nil {
		return Normalizer{Method: method}, fmt.Errorf("volume %s: no seismic to fit normalisation", v.Name)
	}
	for t := 0; t < v.NI*v.NX; t++ {
		if v.Missing == nil || !v.Missing[t] {
			fit.Add(t*v.NS, v.Seismic[t*v.NS:(t+1)*v.NS])
		}
	}
	return fit.Normalizer(v.Name)
}

// NormalizerFitter fits a Normalizer incrementally, a piece of the volume
// at a time, so that a survey too large for memory can be fitted block by
// block. Adding the pieces in C order gives bit for bit what one pass over
// the whole volume gives: the same sums in the same order and, for "clip",
// the same subsample (every step-th value by position in the volume, step
// chosen so that about a million values are kept).
type NormalizerFitter struct {
	method    string
	step      int
	sum, sum2 float64
	cnt       int
	sample    []float32
}

// NewNormalizerFitter starts fitting method ("none", "meanstd" or "clip")
// on a volume of total values (positions 0..total-1).
func NewNormalizerFitter(method string, total int) (*NormalizerFitter, error) {
	switch method {
	case "none", "meanstd", "clip":
	default:
		return nil, fmt.Errorf("normalisation %q: want none, meanstd or clip", method)
	}
	return &NormalizerFitter{method: method, step: max(1, total/1_000_000)}, nil
}

// Add takes the values vals, the first at position pos of the volume.
// Positions left out (missing traces) do not count.
func (f *NormalizerFitter) Add(pos int, vals []float32) {
	if f.method == "none" {
		return
	}
	for k, a := range vals {
		x := float64(a)
		f.sum += x
		f.sum2 += x * x
		if (pos+k)%f.step == 0 {
			f.sample = append(f.sample, a)
		}
	}
	f.cnt += len(vals)
}

// Normalizer returns the fitted normalisation; name (the volume) goes in
// the errors: no values added, constant seismic or an empty clip range.
func (f *NormalizerFitter) Normalizer(name string) (Normalizer, error) {
	n := Normalizer{Method: f.method}
	if f.method == "none" {
		return n, nil
	}
	if f.cnt == 0 {
		return n, fmt.Errorf("volume %s: no live traces to fit normalisation", name)
	}
	if f.method == "meanstd" {
		n.Mean = f.sum / float64(f.cnt)
		n.Std = math.Sqrt(max(0, f.sum2/float64(f.cnt)-n.Mean*n.Mean))
		if n.Std == 0 {
			return n, fmt.Errorf("volume %s: constant seismic, standard deviation 0", name)
		}
		return n, nil
	}
	sample := f.sample // sorting in place keeps the multiset Add builds on
	slices.Sort(sample)
	q := func(p float64) float64 { return float64(sample[int(p/100*float64(len(sample)-1)+0.5)]) }
	n.Low, n.High = q(100-ClipPercentile), q(ClipPercentile)
	if n.High <= n.Low {
		return n, fmt.Errorf("volume %s: clip range [%g, %g] is empty", name, n.Low, n.High)
	}
	return n, nil
}

// Apply transforms x in place.
func (n Normalizer) Apply(x []float32) {
	switch n.Method {
	case "meanstd":
		m, s := float32(n.Mean), float32(1/n.Std)
		for i, v := range x {
			x[i] = (v - m) * s
		}
	case "clip":
		lo, hi := float32(n.Low), float32(n.High)
		s := 2 / (hi - lo)
		for i, v := range x {
			x[i] = (min(max(v, lo), hi)-lo)*s - 1
		}
	}
}

// Validate reports an unknown method or unusable parameters (e.g. from a
// damaged checkpoint).
func (n Normalizer) Validate() error {
	switch n.Method {
	case "none", "":
		return nil
	case "meanstd":
		if !(n.Std > 0) {
			return fmt.Errorf("normalisation meanstd: std %g must be > 0", n.Std)
		}
		return nil
	case "clip":
		if !(n.High > n.Low) {
			return fmt.Errorf("normalisation clip: high %g must exceed low %g", n.High, n.Low)
		}
		return nil
	}
	return fmt.Errorf("normalisation %q: want none, meanstd or clip", n.Method)
}

// ClassCounts counts the labels of each class in v (Ignore and missing
// traces are skipped). Call it on the training part only.
func ClassCounts(v *Volume) [NumClasses]int64 {
	var c [NumClasses]int64
	for _, l := range v.Labels {
		if l < NumClasses {
			c[l]++
		}
	}
	return c
}

// ClassFrequencies turns counts into fractions summing to 1.
func ClassFrequencies(counts [NumClasses]int64) [NumClasses]float64 {
	var f [NumClasses]float64
	var tot int64
	for _, c := range counts {
		tot += c
	}
	if tot == 0 {
		return f
	}
	for i, c := range counts {
		f[i] = float64(c) / float64(tot)
	}
	return f
}

// ClassWeights derives loss weights from training counts: "none" (all 1),
// "inverse" (1/frequency, scaled to mean 1 over present classes), "median"
// (median frequency / frequency) or "one-minus" (1 - frequency, as in
// Microsoft's F3 configs). Absent classes get weight 0.
func ClassWeights(counts [NumClasses]int64, method string) ([NumClasses]float64, error) {
	f := ClassFrequencies(counts)
	var w [NumClasses]float64
	var present []float64
	for _, x := range f {
		if x > 0 {
			present = append(present, x)
		}
	}
	if len(present) == 0 && method != "none" {
		return w, fmt.Errorf("class weights: no labelled pixels")
	}
	switch method {
	case "none":
		for i := range w {
			w[i] = 1
		}
	case "inverse":
		var s float64
		for i, x := range f {
			if x > 0 {
				w[i] = 1 / x
				s += w[i]
			}
		}
		for i := range w {
			w[i] *= float64(len(present)) / s
		}
	case "median":
		slices.Sort(present)
		m := present[len(present)/2]
		if len(present)%2 == 0 {
			m = (present[len(present)/2-1] + m) / 2
		}
		for i, x := range f {
			if x > 0 {
				w[i] = m / x
			}
		}
	case "one-minus":
		for i, x := range f {
			if x > 0 {
				w[i] = 1 - x
			}
		}
	default:
		return w, fmt.Errorf("class weights %q: want none, inverse, median or one-minus", method)
	}
	return w, nil
}
