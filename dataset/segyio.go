package dataset

import (
	"fmt"
	"sync"

	"github.com/segloss/segloss/segy"
)

// segySource reads traces of a post-stack SEG-Y by (inline, crossline),
// decoding one inline at a time and keeping the last one.
type segySource struct {
	f *segy.File
	g *segy.Geometry

	mu     sync.Mutex
	il     int
	inline []float32
	err    error
}

// openSEGY opens a SEG-Y as a traceSource; ilb and xlb of 0 mean 189/193.
func openSEGY(path string, ilb, xlb int) (traceSource, func(), error) {
	f, err := segy.Open(path, segy.Options{IlineByte: ilb, XlineByte: xlb})
	if err != nil {
		return nil, nil, err
	}
	g, err := f.Geometry()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if len(g.Offsets) > 1 {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %d offsets per cell: pre-stack data cannot be paired with facies labels", path, len(g.Offsets))
	}
	s := &segySource{f: f, g: g}
	return s, func() { f.Close() }, nil
}

func (s *segySource) NumSamples() int   { return s.f.NumSamples() }
func (s *segySource) Delay() float64    { return s.f.Delay() }
func (s *segySource) Interval() float64 { return float64(s.f.Interval()) / 1000 }

// Trace returns the trace at (il, xl); a read error is kept for Err and
// reported as a missing trace.
func (s *segySource) Trace(il, xl int) ([]float32, bool) {
	j, ok := s.g.CrosslineIndex(xl)
	if !ok {
		return nil, false
	}
	if _, ok := s.g.Trace(il, xl); !ok {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inline == nil || s.il != il {
		d, err := s.f.ReadInline(il)
		if err != nil {
			s.err = err
			return nil, false
		}
		s.il, s.inline = il, d
	}
	ns := s.f.NumSamples()
	return s.inline[j*ns : (j+1)*ns], true
}

// Err returns the first read error met by Trace.
func (s *segySource) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}
