package segy

import (
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// span asks for part of one trace; dst is where its decoded samples go.
type span struct {
	trace int
	dst   int
}

const (
	blockBytes = 8 << 20  // most bytes one read may fetch
	gapBytes   = 64 << 10 // unneeded bytes a read may skip over to join two traces
)

// runSpans reads bytes [from, from+n) of every span's trace and calls fn
// with them. Spans of nearby traces are fetched together in blocks of up
// to 8 MiB and handled by one goroutine per core; memory use is one block
// per goroutine. spans is sorted by trace in place.
func (f *File) runSpans(spans []span, from int64, n int, fn func(span, []byte) error) error {
	if len(spans) == 0 {
		return nil
	}
	sorted := true
	for k := 1; k < len(spans) && sorted; k++ {
		sorted = spans[k-1].trace <= spans[k].trace
	}
	if !sorted {
		slices.SortFunc(spans, func(a, b span) int { return a.trace - b.trace })
	}
	if err := f.checkTrace(spans[0].trace); err != nil {
		return err
	}
	if err := f.checkTrace(spans[len(spans)-1].trace); err != nil {
		return err
	}
	if data, release := f.mapping(); data != nil {
		defer release()
		return f.runMapped(data, spans, from, n, fn)
	}
	// Chunks of spans read with one ReadAt.
	type chunk struct{ lo, hi int }
	var chunks []chunk
	lo := 0
	for i := 1; i <= len(spans); i++ {
		if i < len(spans) {
			gap := int64(spans[i].trace-spans[i-1].trace)*f.stride - int64(n)
			total := int64(spans[i].trace-spans[lo].trace)*f.stride + int64(n)
			if gap <= gapBytes && total <= blockBytes {
				continue
			}
		}
		chunks = append(chunks, chunk{lo, i})
		lo = i
	}
	work := func(c chunk, buf []byte) ([]byte, error) {
		first := spans[c.lo].trace
		size := int64(spans[c.hi-1].trace-first)*f.stride + int64(n)
		if int64(cap(buf)) < size {
			buf = make([]byte, size)
		}
		b := buf[:size]
		if err := f.readAt(b, f.traceOffset(first)+from, first); err != nil {
			return buf, err
		}
		for _, s := range spans[c.lo:c.hi] {
			o := int64(s.trace-first) * f.stride
			if err := fn(s, b[o:o+int64(n)]); err != nil {
				return buf, err
			}
		}
		return buf, nil
	}
	return workPool(len(chunks), func() func(int) error {
		var buf []byte // one read buffer per goroutine
		return func(k int) (err error) {
			buf, err = work(chunks[k], buf)
			return err
		}
	})
}

// runMapped is runSpans over the memory map: no copies; each goroutine
// takes runs of consecutive spans, so a whole-file read goes through the
// file in a few large contiguous pieces per core.
func (f *File) runMapped(data []byte, spans []span, from int64, n int, fn func(span, []byte) error) error {
	return parallel(len(spans), int(blockBytes/8/f.stride), func(lo, hi int) error {
		cur := spans[lo].trace
		return f.guard(&cur, func() error {
			for _, s := range spans[lo:hi] {
				cur = s.trace
				o := f.traceOffset(s.trace) + from
				if err := fn(s, data[o:o+int64(n):o+int64(n)]); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// parallel calls fn on pieces [lo, hi) of [0, n), at least minPer long
// and about 16 per core, from one goroutine per core, and returns the
// first error (the remaining pieces are then skipped).
func parallel(n, minPer int, fn func(lo, hi int) error) error {
	if n <= 0 {
		return nil
	}
	workers := runtime.GOMAXPROCS(0)
	per := max((n+16*workers-1)/(16*workers), minPer, 1)
	pieces := (n + per - 1) / per
	return workPool(pieces, func() func(int) error {
		return func(k int) error { return fn(k*per, min(k*per+per, n)) }
	})
}

// workPool runs tasks 0..tasks-1, each once, on one goroutine per core (at
// most one per task; none when one suffices). Each goroutine gets its own
// task function from newWorker, so it can keep state such as a buffer.
// After the first error no new task starts; that error is returned.
func workPool(tasks int, newWorker func() func(k int) error) error {
	workers := min(runtime.GOMAXPROCS(0), tasks)
	if workers <= 1 {
		do := newWorker()
		for k := 0; k < tasks; k++ {
			if err := do(k); err != nil {
				return err
			}
		}
		return nil
	}
	var next atomic.Int64
	var failed atomic.Bool
	var once sync.Once
	var firstErr error
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			do := newWorker()
			for !failed.Load() {
				k := int(next.Add(1) - 1)
				if k >= tasks {
					return
				}
				if err := do(k); err != nil {
					once.Do(func() { firstErr = err })
					failed.Store(true)
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// readSamples decodes samples [s0, s1) of every span's trace into
// dst[span.dst:span.dst+s1-s0].
func (f *File) readSamples(spans []span, s0, s1 int, dst []float32) error {
	size := f.format.Size()
	from := f.sampleOffset() + int64(s0*size)
	return f.runSpans(spans, from, (s1-s0)*size, func(s span, b []byte) error {
		decodeFloat32(dst[s.dst:s.dst+s1-s0], b, f.format, f.sorder)
		return nil
	})
}

// ReadTrace decodes the samples of trace i into dst, which must hold at
// least NumSamples values.
func (f *File) ReadTrace(i int, dst []float32) error {
	if len(dst) < f.ns {
		return f.errorf(i, -1, "destination holds %d samples, the trace has %d", len(dst), f.ns)
	}
	return f.readSamples([]span{{trace: i}}, 0, f.ns, dst)
}

// ReadTrace64 decodes trace i into float64, exact for every format except
// 8-byte integers beyond 2^53.
func (f *File) ReadTrace64(i int, dst []float64) error {
	if len(dst) < f.ns {
		return f.errorf(i, -1, "destination holds %d samples, the trace has %d", len(dst), f.ns)
	}
	size := f.format.Size()
	return f.runSpans([]span{{trace: i}}, f.sampleOffset(), f.ns*size, func(_ span, b []byte) error {
		decodeFloat64(dst[:f.ns], b, f.format, f.sorder)
		return nil
	})
}

// ReadTraces decodes n consecutive traces from first into one slice of
// n*NumSamples values (trace-major), reading in parallel.
func (f *File) ReadTraces(first, n int) ([]float32, error) {
	if n < 0 || first < 0 || first+n > f.ntraces {
		return nil, f.errorf(first, -1, "traces %d to %d are outside the file's %d traces", first, first+n-1, f.ntraces)
	}
	out := make([]float32, n*f.ns)
	spans := make([]span, n)
	for k := range spans {
		spans[k] = span{trace: first + k, dst: k * f.ns}
	}
	return out, f.readSamples(spans, 0, f.ns, out)
}

// Box selects part of a survey by half-open index ranges into
// Geometry.Inlines, Geometry.Crosslines and the samples.
type Box struct {
	Il0, Il1, Xl0, Xl1, S0, S1 int
}

// ReadSubCube decodes a box of the survey into
// (Il1-Il0) x (Xl1-Xl0) x offsets x (S1-S0) values; holes are 0.
func (f *File) ReadSubCube(b Box) ([]float32, error) {
	n, err := f.boxLen(b)
	if err != nil {
		return nil, err
	}
	out := make([]float32, n)
	return out, f.readBox(b, out, false)
}

// ReadSubCubeInto is ReadSubCube into dst, which must hold exactly
// (Il1-Il0) x (Xl1-Xl0) x offsets x (S1-S0) values (holes are set to 0),
// so that one buffer serves many reads.
func (f *File) ReadSubCubeInto(b Box, dst []float32) error {
	n, err := f.boxLen(b)
	if err != nil {
		return err
	}
	if len(dst) != n {
		return f.errorf(-1, -1, "destination holds %d values, the box has %d", len(dst), n)
	}
	return f.readBox(b, dst, true)
}

// boxLen checks box b against the geometry and returns its number of
// values.
func (f *File) boxLen(b Box) (int, error) {
	g, err := f.Geometry()
	if err != nil {
		return 0, err
	}
	ni, nx, no := g.Shape()
	if b.Il0 < 0 || b.Il1 > ni || b.Il0 >= b.Il1 || b.Xl0 < 0 || b.Xl1 > nx || b.Xl0 >= b.Xl1 || b.S0 < 0 || b.S1 > f.ns || b.S0 >= b.S1 {
		return 0, f.errorf(-1, -1, "box inlines [%d,%d) crosslines [%d,%d) samples [%d,%d) is empty or outside %d x %d x %d",
			b.Il0, b.Il1, b.Xl0, b.Xl1, b.S0, b.S1, ni, nx, f.ns)
	}
	return (b.Il1 - b.Il0) * (b.Xl1 - b.Xl0) * no * (b.S1 - b.S0), nil
}

// readBox decodes box b (already checked) into out, zeroing the places of
// holes when zeroHoles is set (a fresh slice is zero already).
func (f *File) readBox(b Box, out []float32, zeroHoles bool) error {
	g := f.geom
	_, _, no := g.Shape()
	bx, bs := b.Xl1-b.Xl0, b.S1-b.S0
	spans := make([]span, 0, min(len(out)/bs, f.ntraces))
	for i := b.Il0; i < b.Il1; i++ {
		for j := b.Xl0; j < b.Xl1; j++ {
			for k := 0; k < no; k++ {
				at := (((i-b.Il0)*bx+(j-b.Xl0))*no + k) * bs
				if t, ok := g.TraceAtIndex(i, j, k); ok {
					spans = append(spans, span{trace: t, dst: at})
				} else if zeroHoles {
					clear(out[at : at+bs])
				}
			}
		}
	}
	return f.readSamples(spans, b.S0, b.S1, out)
}

// ReadCube decodes the whole survey in (inline, crossline, offset, sample)
// order, len(Inlines) x len(Crosslines) x len(Offsets) x NumSamples
// values (offsets has length 1 post-stack); holes are 0.
func (f *File) ReadCube() ([]float32, error) {
	b, err := f.cubeBox()
	if err != nil {
		return nil, err
	}
	return f.ReadSubCube(b)
}

// ReadCubeInto is ReadCube into dst, which must hold exactly
// len(Inlines) x len(Crosslines) x len(Offsets) x NumSamples values
// (holes are set to 0): reading into a reused buffer saves allocating
// and clearing the memory each time.
func (f *File) ReadCubeInto(dst []float32) error {
	b, err := f.cubeBox()
	if err != nil {
		return err
	}
	return f.ReadSubCubeInto(b, dst)
}

func (f *File) cubeBox() (Box, error) {
	g, err := f.Geometry()
	if err != nil {
		return Box{}, err
	}
	ni, nx, _ := g.Shape()
	return Box{0, ni, 0, nx, 0, f.ns}, nil
}

// ReadInline decodes inline il: len(Crosslines) x len(Offsets) x NumSamples.
func (f *File) ReadInline(il int) ([]float32, error) {
	g, err := f.Geometry()
	if err != nil {
		return nil, err
	}
	i, ok := g.InlineIndex(il)
	if !ok {
		return nil, f.errorf(-1, -1, "no inline %d (inlines %d to %d)", il, g.Inlines[0], g.Inlines[len(g.Inlines)-1])
	}
	return f.ReadSubCube(Box{i, i + 1, 0, len(g.Crosslines), 0, f.ns})
}

// ReadCrossline decodes crossline xl: len(Inlines) x len(Offsets) x NumSamples.
func (f *File) ReadCrossline(xl int) ([]float32, error) {
	g, err := f.Geometry()
	if err != nil {
		return nil, err
	}
	j, ok := g.CrosslineIndex(xl)
	if !ok {
		return nil, f.errorf(-1, -1, "no crossline %d (crosslines %d to %d)", xl, g.Crosslines[0], g.Crosslines[len(g.Crosslines)-1])
	}
	return f.ReadSubCube(Box{0, len(g.Inlines), j, j + 1, 0, f.ns})
}

// ReadTimeSlice decodes sample index k of every trace:
// len(Inlines) x len(Crosslines) x len(Offsets) values.
func (f *File) ReadTimeSlice(k int) ([]float32, error) {
	g, err := f.Geometry()
	if err != nil {
		return nil, err
	}
	if k < 0 || k >= f.ns {
		return nil, f.errorf(-1, -1, "no sample %d (traces have %d)", k, f.ns)
	}
	return f.ReadSubCube(Box{0, len(g.Inlines), 0, len(g.Crosslines), k, k + 1})
}

// Stats summarises samples: min, max, mean, root mean square, sum and
// sum of squares over the finite values, and counts of NaN and Inf.
type Stats struct {
	Count      int64
	Min, Max   float64
	Mean, RMS  float64
	Sum, SumSq float64
	NaN, Inf   int64
}

// acc is a compensated (Neumaier) sum.
type acc struct{ s, c float64 }

func (a *acc) add(v float64) {
	t := a.s + v
	if math.Abs(a.s) >= math.Abs(v) {
		a.c += (a.s - t) + v
	} else {
		a.c += (v - t) + a.s
	}
	a.s = t
}

func (a acc) value() float64 { return a.s + a.c }

// Stats decodes every sample (as float64, so integer formats are exact)
// and summarises them, reading in parallel.
func (f *File) Stats() (Stats, error) { return f.StatsOf(0, f.ntraces) }

// Merge combines the statistics of two disjoint sets of samples.
func (s Stats) Merge(o Stats) Stats {
	if o.Count+o.NaN+o.Inf == 0 {
		return s
	}
	if s.Count+s.NaN+s.Inf == 0 {
		return o
	}
	var sum, sq acc
	sum.add(s.Sum)
	sum.add(o.Sum)
	sq.add(s.SumSq)
	sq.add(o.SumSq)
	m := Stats{Count: s.Count + o.Count, NaN: s.NaN + o.NaN, Inf: s.Inf + o.Inf, Sum: sum.value(), SumSq: sq.value()}
	m.Min, m.Max = math.NaN(), math.NaN()
	if m.Count > 0 {
		m.Min = math.Min(nanTo(s.Min, math.Inf(1)), nanTo(o.Min, math.Inf(1)))
		m.Max = math.Max(nanTo(s.Max, math.Inf(-1)), nanTo(o.Max, math.Inf(-1)))
		m.Mean = m.Sum / float64(m.Count)
		m.RMS = math.Sqrt(m.SumSq / float64(m.Count))
	}
	return m
}

func nanTo(v, alt float64) float64 {
	if math.IsNaN(v) {
		return alt
	}
	return v
}

// StatsOf summarises the samples of n traces from first (see Stats); a
// caller can walk a large file in pieces and Merge the results.
func (f *File) StatsOf(first, n int) (Stats, error) {
	if n < 0 || first < 0 || first+n > f.ntraces {
		return Stats{}, f.errorf(first, -1, "traces %d to %d are outside the file's %d traces", first, first+n-1, f.ntraces)
	}
	type part struct {
		n, nan, inf int64
		min, max    float64
		sum, sq     acc
	}
	parts := make([]part, n)
	size := f.format.Size()
	spans := make([]span, n)
	for i := range spans {
		spans[i] = span{trace: first + i}
	}
	bufs := sync.Pool{New: func() any { b := make([]float64, f.ns); return &b }}
	err := f.runSpans(spans, f.sampleOffset(), f.ns*size, func(s span, b []byte) error {
		bp := bufs.Get().(*[]float64)
		defer bufs.Put(bp)
		v := *bp
		decodeFloat64(v, b, f.format, f.sorder)
		p := part{min: math.Inf(1), max: math.Inf(-1)}
		for _, x := range v {
			switch {
			case math.IsNaN(x):
				p.nan++
				continue
			case math.IsInf(x, 0):
				p.inf++
				continue
			}
			p.n++
			p.min = math.Min(p.min, x)
			p.max = math.Max(p.max, x)
			p.sum.add(x)
			p.sq.add(x * x)
		}
		parts[s.trace-first] = p
		return nil
	})
	if err != nil {
		return Stats{}, err
	}
	st := Stats{Min: math.Inf(1), Max: math.Inf(-1)}
	var sum, sq acc
	for _, p := range parts { // fixed order: the result does not depend on scheduling
		st.Count += p.n
		st.NaN += p.nan
		st.Inf += p.inf
		st.Min = math.Min(st.Min, p.min)
		st.Max = math.Max(st.Max, p.max)
		sum.add(p.sum.value())
		sq.add(p.sq.value())
	}
	st.Sum, st.SumSq = sum.value(), sq.value()
	if st.Count > 0 {
		st.Mean = st.Sum / float64(st.Count)
		st.RMS = math.Sqrt(st.SumSq / float64(st.Count))
	} else {
		st.Min, st.Max = math.NaN(), math.NaN()
	}
	return st, nil
}
