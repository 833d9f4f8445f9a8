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
	n := Normalizer{Method: method}
	switch method {
	case "none":
		return n, nil
	case "meanstd", "clip":
	default:
		return n, fmt.Errorf("normalisation %q: want none, meanstd or clip", method)
	}
	if v.Seismic == nil {
		return n, fmt.Errorf("volume %s: no seismic to fit normalisation", v.Name)
	}
	var sum, sum2 float64
	var cnt int
	var sample []float32
	step := max(1, v.NI*v.NX*v.NS/1_000_000)
	for t := 0; t < v.NI*v.NX; t++ {
		if v.Missing != nil && v.Missing[t] {
			continue
		}
		for k, a := range v.Seismic[t*v.NS : (t+1)*v.NS] {
			f := float64(a)
			sum += f
			sum2 += f * f
			cnt++
			if (t*v.NS+k)%step == 0 {
				sample = append(sample, a)
			}
		}
	}
	if cnt == 0 {
		return n, fmt.Errorf("volume %s: no live traces to fit normalisation", v.Name)
	}
	if method == "meanstd" {
		n.Mean = sum / float64(cnt)
		n.Std = math.Sqrt(max(0, sum2/float64(cnt)-n.Mean*n.Mean))
		if n.Std == 0 {
			return n, fmt.Errorf("volume %s: constant seismic, standard deviation 0", v.Name)
		}
		return n, nil
	}
	slices.Sort(sample)
	q := func(p float64) float64 { return float64(sample[int(p/100*float64(len(sample)-1)+0.5)]) }
	n.Low, n.High = q(100-ClipPercentile), q(ClipPercentile)
	if n.High <= n.Low {
		return n, fmt.Errorf("volume %s: clip range [%g, %g] is empty", v.Name, n.Low, n.High)
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
