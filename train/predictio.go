package train

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/segloss/segloss/segy"
)

// traceWriter writes the facies SEG-Y of a streaming prediction: traces go
// out in the input's order as soon as the block holding their cell is done.
// An inline-sorted input writes each block straight away; otherwise the
// facies of finished blocks wait (one byte per voxel) until their traces'
// turn comes.
type traceWriter struct {
	p      *predictor
	w      *segy.Writer
	path   string
	traces []int32 // input traces that have a grid cell, in file order
	cells  []int32 // their cells i·NX+j
	// last[b] is the position in traces of block b's last trace (-1: none).
	last    []int
	pending map[int][]uint8 // facies of finished blocks, (cell in block, sample)
	next    int             // position of the next trace to write
	trace   []float32
	res     *PredictResult
	done    bool
}

// newTraceWriter maps the input's traces to grid cells and creates the
// output SEG-Y (written atomically on close).
func newTraceWriter(p *predictor, path string, opts segy.WriterOptions) (*traceWriter, error) {
	cellOf := make([]int32, p.f.NumTraces())
	for t := range cellOf {
		cellOf[t] = -1
	}
	for i := 0; i < p.ni; i++ {
		for j := 0; j < p.nx; j++ {
			if t, ok := p.g.TraceAtIndex(i, j, 0); ok {
				cellOf[t] = int32(i*p.nx + j)
			}
		}
	}
	tw := &traceWriter{p: p, path: path, pending: map[int][]uint8{}, trace: make([]float32, p.ns),
		res: &PredictResult{Inlines: p.ni, Crosslines: p.nx, Samples: p.ns, Counts: make([]int64, p.k)}}
	nb := (p.ni + p.block - 1) / p.block
	tw.last = make([]int, nb)
	for b := range tw.last {
		tw.last[b] = -1
	}
	for t, cell := range cellOf {
		if cell < 0 {
			continue // a trace whose keys the geometry skipped cannot be placed
		}
		tw.last[tw.blockOf(cell)] = len(tw.traces)
		tw.traces = append(tw.traces, int32(t))
		tw.cells = append(tw.cells, cell)
	}
	w, err := segy.Create(path, opts)
	if err != nil {
		return nil, err
	}
	tw.w = w
	return tw, nil
}

// blockOf returns the block of inlines that holds cell.
func (tw *traceWriter) blockOf(cell int32) int {
	return int(cell) / tw.p.nx / tw.p.block
}

// addBlock takes the finished probabilities of block b (inline, crossline,
// sample, class), turns them into facies and writes every trace whose turn
// has come.
func (tw *traceWriter) addBlock(b int, prob []float32) error {
	k := tw.p.k
	fac := make([]uint8, len(prob)/k)
	for v := range fac {
		pv := prob[v*k : (v+1)*k]
		best, cls := pv[0], 0
		for c := 1; c < k; c++ {
			if pv[c] > best {
				best, cls = pv[c], c
			}
		}
		fac[v] = uint8(cls)
	}
	tw.pending[b] = fac
	ns := tw.p.ns
	for ; tw.next < len(tw.traces); tw.next++ {
		cell := tw.cells[tw.next]
		bb := tw.blockOf(cell)
		fb, ok := tw.pending[bb]
		if !ok {
			break
		}
		t := int(tw.traces[tw.next])
		h, err := tw.p.f.TraceHeader(t)
		if err != nil {
			return err
		}
		at := (int(cell) - bb*tw.p.block*tw.p.nx) * ns
		for s, c := range fb[at : at+ns] {
			tw.trace[s] = float32(c)
			tw.res.Counts[c]++
		}
		if err := tw.w.WriteTrace(h, tw.trace); err != nil {
			return fmt.Errorf("%s: %w", tw.path, err)
		}
	}
	for bb := range tw.pending {
		if tw.last[bb] < tw.next {
			delete(tw.pending, bb)
		}
	}
	return nil
}

// close finishes the SEG-Y once every trace has been written.
func (tw *traceWriter) close() (*PredictResult, error) {
	if tw.next != len(tw.traces) {
		return nil, fmt.Errorf("%s: %d of %d traces written", tw.path, tw.next, len(tw.traces))
	}
	tw.done = true
	if err := tw.w.Close(); err != nil {
		return nil, fmt.Errorf("%s: %w", tw.path, err)
	}
	tw.res.Traces = tw.next
	return tw.res, nil
}

// abort discards the output unless close succeeded.
func (tw *traceWriter) abort() {
	if !tw.done {
		tw.w.Abort()
	}
}

// scratchFile holds float32 values at random positions on disk: the
// crossline pass's probabilities until their inline block comes.
type scratchFile struct {
	f   *os.File
	buf []byte
}

// newScratchFile creates a hidden scratch file in dir named after base.
func newScratchFile(dir, base string) (*scratchFile, error) {
	f, err := os.CreateTemp(dir, "."+base+".scratch*")
	if err != nil {
		return nil, err
	}
	return &scratchFile{f: f}, nil
}

// write stores vals at value position at.
func (s *scratchFile) write(vals []float32, at int64) error {
	s.buf = s.buf[:0]
	for _, v := range vals {
		s.buf = binary.LittleEndian.AppendUint32(s.buf, math.Float32bits(v))
	}
	if _, err := s.f.WriteAt(s.buf, 4*at); err != nil {
		return fmt.Errorf("predict: scratch file %s: %w", s.f.Name(), err)
	}
	return nil
}

// addTo adds the len(dst) values stored from value position at to dst,
// reading a bounded chunk at a time.
func (s *scratchFile) addTo(dst []float32, at int64) error {
	const chunk = 1 << 18
	if cap(s.buf) < 4*chunk {
		s.buf = make([]byte, 4*chunk)
	}
	for len(dst) > 0 {
		n := min(len(dst), chunk)
		b := s.buf[:4*n]
		if _, err := s.f.ReadAt(b, 4*at); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("predict: scratch file %s: %w", s.f.Name(), err)
		}
		for i := range dst[:n] {
			dst[i] += math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
		dst, at = dst[n:], at+int64(n)
	}
	return nil
}

// remove closes and deletes the scratch file.
func (s *scratchFile) remove() {
	s.f.Close()
	os.Remove(s.f.Name())
}
