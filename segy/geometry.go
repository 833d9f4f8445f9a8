package segy

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
)

// Sorting is the trace order of a survey.
type Sorting int

// Sortings: inline-sorted files hold each inline's traces together
// (crossline varies fastest), crossline-sorted files each crossline's.
const (
	Unstructured Sorting = iota
	InlineSorted
	CrosslineSorted
)

// String returns "inline", "crossline" or "unstructured".
func (s Sorting) String() string {
	switch s {
	case InlineSorted:
		return "inline"
	case CrosslineSorted:
		return "crossline"
	}
	return "unstructured"
}

// Cell is one (inline, crossline, offset) position of the grid.
type Cell struct {
	Inline, Crossline, Offset int
}

// Geometry indexes the traces of a file by their (inline, crossline,
// offset) header keys. The grid is the product of the distinct values of
// each key; cells without a trace are holes, never assumed away.
type Geometry struct {
	IlineByte, XlineByte, OffsetByte int
	Inlines                          []int // distinct inline numbers, ascending
	Crosslines                       []int // distinct crossline numbers, ascending
	Offsets                          []int // distinct offsets, ascending (one value post-stack)
	Sorting                          Sorting
	Missing                          []Cell // grid cells without a trace, in (inline, crossline, offset) order

	index  []int32 // grid cell -> trace, -1 for holes
	ilPos  map[int]int
	xlPos  map[int]int
	offPos map[int]int
}

// maxSparseCells caps the grid of a geometry relative to the trace count:
// keys from the wrong byte positions give huge, nearly empty grids.
const maxSparseCells = 16

// Shape returns the number of inlines, crosslines and offsets.
func (g *Geometry) Shape() (nil_, nxl, noff int) {
	return len(g.Inlines), len(g.Crosslines), len(g.Offsets)
}

// NumCells is the number of grid cells, holes included.
func (g *Geometry) NumCells() int { return len(g.index) }

// InlineIndex returns the position of inline il in Inlines.
func (g *Geometry) InlineIndex(il int) (int, bool) { i, ok := g.ilPos[il]; return i, ok }

// CrosslineIndex returns the position of crossline xl in Crosslines.
func (g *Geometry) CrosslineIndex(xl int) (int, bool) { i, ok := g.xlPos[xl]; return i, ok }

// OffsetIndex returns the position of offset off in Offsets.
func (g *Geometry) OffsetIndex(off int) (int, bool) { i, ok := g.offPos[off]; return i, ok }

// Trace returns the trace at (il, xl) for the first offset, false for a
// hole or numbers outside the survey.
func (g *Geometry) Trace(il, xl int) (int, bool) {
	return g.TraceAt(il, xl, g.Offsets[0])
}

// TraceAt returns the trace at (il, xl, off).
func (g *Geometry) TraceAt(il, xl, off int) (int, bool) {
	i, ok1 := g.ilPos[il]
	j, ok2 := g.xlPos[xl]
	k, ok3 := g.offPos[off]
	if !ok1 || !ok2 || !ok3 {
		return 0, false
	}
	t := g.index[(i*len(g.Crosslines)+j)*len(g.Offsets)+k]
	return int(t), t >= 0
}

// TraceAtIndex returns the trace at grid indices (i, j, k) into Inlines,
// Crosslines and Offsets.
func (g *Geometry) TraceAtIndex(i, j, k int) (int, bool) {
	if i < 0 || j < 0 || k < 0 || i >= len(g.Inlines) || j >= len(g.Crosslines) || k >= len(g.Offsets) {
		return 0, false
	}
	t := g.index[(i*len(g.Crosslines)+j)*len(g.Offsets)+k]
	return int(t), t >= 0
}

// Step returns the most common difference between consecutive values of
// a sorted list (the line spacing), 0 for fewer than two values.
func Step(vals []int) int {
	counts := map[int]int{}
	best, bestN := 0, 0
	for i := 1; i < len(vals); i++ {
		d := vals[i] - vals[i-1]
		counts[d]++
		if n := counts[d]; n > bestN || (n == bestN && d < best) {
			best, bestN = d, n
		}
	}
	return best
}

// Geometry builds (once) and returns the survey index for the key byte
// positions of the file's Options.
func (f *File) Geometry() (*Geometry, error) {
	f.geomOnce.Do(func() {
		o := f.opts
		keys, err := f.ScanKeys([]Field{
			{Name: "inline", Byte: o.IlineByte, Width: o.IlineWidth},
			{Name: "crossline", Byte: o.XlineByte, Width: o.XlineWidth},
			{Name: "offset", Byte: o.OffsetByte, Width: o.OffsetWidth},
		})
		if err != nil {
			f.geomErr = err
			return
		}
		g, err := InferGeometry(keys[0], keys[1], keys[2])
		if err != nil {
			f.geomErr = fmt.Errorf("segy: %s: inline/crossline/offset at bytes %d/%d/%d: %w", f.name, o.IlineByte, o.XlineByte, o.OffsetByte, err)
			return
		}
		g.IlineByte, g.XlineByte, g.OffsetByte = o.IlineByte, o.XlineByte, o.OffsetByte
		f.geom = g
	})
	return f.geom, f.geomErr
}

// ScanKeys reads the given trace header words of every trace (in the
// file's byte order), one slice per field, reading the file in large
// blocks from several goroutines.
func (f *File) ScanKeys(fields []Field) ([][]int, error) {
	for _, k := range fields {
		if k.Width != 1 && k.Width != 2 && k.Width != 4 && k.Width != 8 {
			return nil, f.errorf(-1, -1, "header key %s width %d: want 1, 2, 4 or 8", k.Name, k.Width)
		}
		if k.Byte < 1 || k.Byte+k.Width-1 > TraceHeaderSize {
			return nil, f.errorf(-1, -1, "header key %s at byte %d lies outside the 240-byte trace header", k.Name, k.Byte)
		}
	}
	out := make([][]int, len(fields))
	for i := range out {
		out[i] = make([]int, f.ntraces)
	}
	if data, release := f.mapping(); data != nil {
		defer release()
		return out, f.scanMapped(data, fields, out)
	}
	bo := f.order
	err := f.forEachHeader(func(t int, h []byte) {
		for i, k := range fields {
			out[i][t] = int(getWord(h, k.Byte-1, k.Width, k.Unsigned, bo))
		}
	})
	return out, err
}

// scanMapped is ScanKeys over the memory map, in contiguous runs of
// traces per core.
func (f *File) scanMapped(data []byte, fields []Field, out [][]int) error {
	big := f.order == binary.ByteOrder(binary.BigEndian)
	// The usual keys (4-byte signed) take a loop without a call per key.
	int32Keys := true
	ats := make([]int, len(fields))
	for i, k := range fields {
		ats[i] = k.Byte - 1
		int32Keys = int32Keys && k.Width == 4 && !k.Unsigned
	}
	return parallel(f.ntraces, int(blockBytes/8/f.stride), func(lo, hi int) error {
		cur := lo
		return f.guard(&cur, func() error {
			if int32Keys {
				for t := lo; t < hi; t++ {
					cur = t
					o := f.traceOffset(t)
					h := data[o : o+TraceHeaderSize : o+TraceHeaderSize]
					for i, at := range ats {
						if big {
							out[i][t] = int(int32(binary.BigEndian.Uint32(h[at : at+4])))
						} else {
							out[i][t] = int(int32(binary.LittleEndian.Uint32(h[at : at+4])))
						}
					}
				}
				return nil
			}
			for t := lo; t < hi; t++ {
				cur = t
				o := f.traceOffset(t)
				h := data[o : o+TraceHeaderSize : o+TraceHeaderSize]
				for i, k := range fields {
					out[i][t] = keyWord(h[k.Byte-1:k.Byte-1+k.Width], k.Width, k.Unsigned, big)
				}
			}
			return nil
		})
	})
}

// keyWord reads a header key of width (1, 2, 4 or 8) bytes from b.
func keyWord(b []byte, width int, unsigned, big bool) int {
	var v uint64
	switch {
	case width == 4 && big:
		v = uint64(binary.BigEndian.Uint32(b))
	case width == 4:
		v = uint64(binary.LittleEndian.Uint32(b))
	case width == 2 && big:
		v = uint64(binary.BigEndian.Uint16(b))
	case width == 2:
		v = uint64(binary.LittleEndian.Uint16(b))
	case width == 1:
		v = uint64(b[0])
	case big:
		return int(binary.BigEndian.Uint64(b))
	default:
		return int(binary.LittleEndian.Uint64(b))
	}
	if !unsigned {
		sh := 64 - 8*uint(width)
		return int(int64(v<<sh) >> sh)
	}
	return int(v)
}

// forEachHeader calls fn with every trace's 240 header bytes, from several
// goroutines (fn must only write to per-trace slots).
func (f *File) forEachHeader(fn func(trace int, hdr []byte)) error {
	var reqs []span
	for t := 0; t < f.ntraces; t++ {
		reqs = append(reqs, span{trace: t})
	}
	return f.runSpans(reqs, 0, TraceHeaderSize, func(s span, b []byte) error {
		fn(s.trace, b)
		return nil
	})
}

// InferGeometry builds a Geometry from per-trace keys in file order.
// Duplicate (inline, crossline, offset) keys are an error that names them;
// grids far larger than the number of traces are refused as unstructured.
func InferGeometry(il, xl, off []int) (*Geometry, error) {
	n := len(il)
	if n == 0 || len(xl) != n || len(off) != n {
		return nil, fmt.Errorf("no traces to build a geometry from")
	}
	g := &Geometry{}
	g.Inlines, g.ilPos = distinct(il)
	g.Crosslines, g.xlPos = distinct(xl)
	g.Offsets, g.offPos = distinct(off)
	ni, nx, no := len(g.Inlines), len(g.Crosslines), len(g.Offsets)
	cells := int64(ni) * int64(nx) * int64(no)
	if cells > int64(maxSparseCells)*int64(n)+1024 {
		return nil, fmt.Errorf("unstructured: %d inlines x %d crosslines x %d offsets = %d cells for %d traces (wrong key bytes?)", ni, nx, no, cells, n)
	}
	g.index = make([]int32, cells)
	for i := range g.index {
		g.index[i] = -1
	}
	var dups []string
	nDup := 0
	for t := 0; t < n; t++ {
		c := (g.ilPos[il[t]]*nx+g.xlPos[xl[t]])*no + g.offPos[off[t]]
		if prev := g.index[c]; prev >= 0 {
			nDup++
			if len(dups) < 3 {
				dups = append(dups, fmt.Sprintf("(inline %d, crossline %d, offset %d) at traces %d and %d", il[t], xl[t], off[t], prev, t))
			}
			continue
		}
		g.index[c] = int32(t)
	}
	if nDup > 0 {
		more := ""
		if nDup > len(dups) {
			more = fmt.Sprintf(" and %d more", nDup-len(dups))
		}
		return nil, fmt.Errorf("unstructured: duplicate keys %s%s", strings.Join(dups, "; "), more)
	}
	for c, t := range g.index {
		if t < 0 {
			k := c % no
			j := (c / no) % nx
			i := c / (no * nx)
			g.Missing = append(g.Missing, Cell{g.Inlines[i], g.Crosslines[j], g.Offsets[k]})
		}
	}
	g.Sorting = sorting(il, xl, ni, nx)
	return g, nil
}

// sorting says which key is grouped in file order. A key is grouped when
// it changes only ni-1 (nx-1) times between consecutive traces; when both
// are, the one that changes less is the slow one. Ties (one trace, one
// line) count as crossline sorting, as segyio does.
func sorting(il, xl []int, ni, nx int) Sorting {
	ci, cx := 0, 0
	for t := 1; t < len(il); t++ {
		if il[t] != il[t-1] {
			ci++
		}
		if xl[t] != xl[t-1] {
			cx++
		}
	}
	ilGrouped, xlGrouped := ci == ni-1, cx == nx-1
	switch {
	case ilGrouped && xlGrouped:
		if ci < cx {
			return InlineSorted
		}
		return CrosslineSorted
	case ilGrouped:
		return InlineSorted
	case xlGrouped:
		return CrosslineSorted
	}
	return Unstructured
}

// distinct returns the sorted distinct values of v and their positions.
func distinct(v []int) ([]int, map[int]int) {
	pos := map[int]int{}
	for _, x := range v {
		pos[x] = 0
	}
	out := make([]int, 0, len(pos))
	for x := range pos {
		out = append(out, x)
	}
	sort.Ints(out)
	for i, x := range out {
		pos[x] = i
	}
	return out, pos
}
