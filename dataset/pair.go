package dataset

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
)

// traceSource is what pairing labels with a SEG-Y needs from the file.
type traceSource interface {
	// NumSamples is the number of samples per trace.
	NumSamples() int
	// Delay and Interval give the time of sample 0 and the spacing, in ms.
	Delay() float64
	Interval() float64
	// Trace returns the samples of the trace at (inline, crossline), false
	// when the survey has no trace there.
	Trace(il, xl int) ([]float32, bool)
}

// loadWithSEGY builds the wanted splits from SEG-Y seismic placed by
// inline/crossline numbers and npy labels.
func (s *Survey) loadWithSEGY(cfg SurveyConfig, path string, specs []SplitSpec, want []string) error {
	ilb, xlb := cfg.IlineByte, cfg.XlineByte
	if s.Manifest != nil {
		if ilb == 0 {
			ilb = s.Manifest.IlineByte
		}
		if xlb == 0 {
			xlb = s.Manifest.XlineByte
		}
	}
	src, closeFn, err := openSEGY(path, ilb, xlb)
	if err != nil {
		return err
	}
	defer closeFn()
	al := &Alignment{Correlation: math.NaN(), SEGYFile: path, SEGYSamples: src.NumSamples()}
	switch {
	case cfg.SampleOffset != nil:
		al.Offset, al.Source = *cfg.SampleOffset, "config"
	case s.Manifest != nil && !cfg.FindOffset:
		al.Offset, al.Source = s.Manifest.SampleOffset, "survey.json"
	default:
		i := slices.IndexFunc(specs, func(sp SplitSpec) bool { return sp.Name == "train" })
		if i < 0 {
			return fmt.Errorf("survey %s: no train split to align the SEG-Y against", s.Dir)
		}
		ref, err := loadNPYSplit(s.Dir, specs[i], true)
		if err != nil {
			return fmt.Errorf("finding the vertical alignment needs the labelled seismic: %w", err)
		}
		off, corr, err := FindAlignment(ref, src)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		al.Offset, al.Correlation, al.Searched, al.Source = off, corr, true, "search"
		minC := cfg.MinCorrelation
		if minC == 0 {
			minC = 0.8
		}
		if corr < minC && !cfg.AllowPoorMatch {
			return fmt.Errorf("%s: best vertical alignment (label sample 0 = SEG-Y sample %d) correlates only %.3f with %s, below %.2f: set the offset explicitly or allow a poor match",
				path, off, corr, filepath.Join(s.Dir, specs[i].SeismicFile), minC)
		}
	}
	s.Alignment = al
	for _, sp := range specs {
		if !slices.Contains(want, sp.Name) {
			continue
		}
		v, err := loadNPYSplit(s.Dir, sp, false)
		if err != nil {
			return err
		}
		if err := s.checkSampleCount(al, v, path); err != nil {
			return err
		}
		if err := fillFromSEGY(v, src, al.Offset, path); err != nil {
			return err
		}
		if e, ok := src.(interface{ Err() error }); ok && e.Err() != nil {
			return fmt.Errorf("%s: %w", path, e.Err())
		}
		s.Volumes[sp.Name] = v
	}
	return nil
}

// checkSampleCount records the label sample count of v in al and refuses
// labels whose length survey.json does not account for: an offset taken
// from survey.json comes with the sample count it was written for, and
// labels of another length (or a survey.json without a count, on a SEG-Y
// of another length) would be paired with a silently cut SEG-Y. Offsets
// set in the configuration or found by search say how to align, and the
// unused SEG-Y samples are reported by Alignment.Unused.
func (s *Survey) checkSampleCount(al *Alignment, v *Volume, path string) error {
	if al.Samples == 0 {
		al.Samples = v.NS
	}
	if al.Source != "survey.json" {
		return nil
	}
	m := s.Manifest
	switch {
	case m.Samples > 0 && m.Samples != v.NS:
		return fmt.Errorf("survey %s: the %s labels have %d samples but %s places %d from SEG-Y sample %d of %s (%d samples): "+
			"regenerate the labels or survey.json, or set the sample offset explicitly to pair them anyway",
			s.Dir, v.Name, v.NS, ManifestFile, m.Samples, m.SampleOffset, path, al.SEGYSamples)
	case m.Samples == 0 && v.NS != al.SEGYSamples:
		return fmt.Errorf("survey %s: the %s labels have %d samples, %s has %d, and %s gives no sample count: "+
			"set the sample offset explicitly (or search it) to say how they align",
			s.Dir, v.Name, v.NS, path, al.SEGYSamples, ManifestFile)
	}
	return nil
}

// fillFromSEGY sets v.Seismic from the SEG-Y traces at v's inline and
// crossline numbers, samples [offset, offset+NS). Traces the SEG-Y lacks
// are marked Missing, with seismic 0 and labels Ignore.
func fillFromSEGY(v *Volume, src traceSource, offset int, path string) error {
	if offset < 0 || offset+v.NS > src.NumSamples() {
		return fmt.Errorf("%s: %d label samples from SEG-Y sample %d exceed its %d samples", path, v.NS, offset, src.NumSamples())
	}
	v.T0 = src.Delay() + float64(offset)*src.Interval()
	v.DT = src.Interval()
	v.Seismic = make([]float32, v.NI*v.NX*v.NS)
	missing := 0
	for i, il := range v.Inlines {
		for j, xl := range v.Crosslines {
			t := i*v.NX + j
			tr, ok := src.Trace(il, xl)
			if !ok {
				if v.Missing == nil {
					v.Missing = make([]bool, v.NI*v.NX)
				}
				v.Missing[t] = true
				missing++
				for k := t * v.NS; k < (t+1)*v.NS; k++ {
					v.Labels[k] = Ignore
				}
				continue
			}
			copy(v.Seismic[t*v.NS:(t+1)*v.NS], tr[offset:offset+v.NS])
		}
	}
	if missing == v.NI*v.NX {
		return fmt.Errorf("%s: none of the %d traces of split %s (inlines %d-%d, crosslines %d-%d) is in the SEG-Y: check the inline/crossline header bytes",
			path, missing, v.Name, v.Inlines[0], v.Inlines[v.NI-1], v.Crosslines[0], v.Crosslines[v.NX-1])
	}
	return nil
}

// alignTraces is how many traces FindAlignment correlates at most.
const alignTraces = 256

// FindAlignment finds the SEG-Y sample that matches sample 0 of ref (a
// volume with seismic and survey numbers) by the mean normalised
// cross-correlation of up to 256 evenly spread traces, and returns it with
// that correlation.
func FindAlignment(ref *Volume, src traceSource) (offset int, corr float64, err error) {
	ns := src.NumSamples()
	if ref.NS > ns {
		return 0, 0, fmt.Errorf("labelled seismic has %d samples, SEG-Y only %d", ref.NS, ns)
	}
	type pair struct{ a, b []float32 }
	var pairs []pair
	step := max(1, ref.NI*ref.NX/alignTraces)
	for t := 0; t < ref.NI*ref.NX; t += step {
		i, j := t/ref.NX, t%ref.NX
		tr, ok := src.Trace(ref.Inlines[i], ref.Crosslines[j])
		if !ok {
			continue
		}
		pairs = append(pairs, pair{ref.Seismic[t*ref.NS : (t+1)*ref.NS], tr})
	}
	if len(pairs) == 0 {
		return 0, 0, fmt.Errorf("no trace of %s (inlines %d-%d) is in the SEG-Y: check the inline/crossline header bytes", ref.Name, ref.Inlines[0], ref.Inlines[ref.NI-1])
	}
	best, bestC := 0, math.Inf(-1)
	for o := 0; o+ref.NS <= ns; o++ {
		var sum float64
		var n int
		for _, p := range pairs {
			if c, ok := pearson(p.a, p.b[o:o+ref.NS]); ok {
				sum += c
				n++
			}
		}
		if n > 0 && sum/float64(n) > bestC {
			best, bestC = o, sum/float64(n)
		}
	}
	if math.IsInf(bestC, -1) {
		return 0, 0, fmt.Errorf("traces are constant, cannot correlate")
	}
	return best, bestC, nil
}

// pearson returns the correlation coefficient of a and b (false when either
// is constant).
func pearson(a, b []float32) (float64, bool) {
	var sa, sb, saa, sbb, sab float64
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		sa += x
		sb += y
		saa += x * x
		sbb += y * y
		sab += x * y
	}
	n := float64(len(a))
	va, vb := saa-sa*sa/n, sbb-sb*sb/n
	if va <= 1e-12*n || vb <= 1e-12*n {
		return 0, false
	}
	return (sab - sa*sb/n) / math.Sqrt(va*vb), true
}
