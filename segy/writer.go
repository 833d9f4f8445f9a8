package segy

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
)

// WriterOptions describe a new SEG-Y file. Zero values mean defaults.
type WriterOptions struct {
	// Samples per trace (required). Above 65535 the file is written as
	// rev 2 with the extended samples field (3269-3272).
	Samples int
	// Interval is the sample interval in µs (3217-3218, and 117-118 of
	// traces that leave it 0).
	Interval int
	// Format of the samples: default FormatIEEE (lossless for float32);
	// any supported format works (integers are rounded and range-checked).
	Format Format
	// Endian is the byte order, big by default.
	Endian Endian
	// Text is the textual header (up to 40 lines of 80 columns); a short
	// default names the writer.
	Text string
	// TextEncoding of the textual header, EBCDIC by default.
	TextEncoding TextEncoding
	// Binary, when set, supplies the binary header words that do not
	// describe the layout (job, line and reel numbers, sorting code,
	// measurement system, ...). Layout words come from these options.
	Binary *BinaryHeader
}

// Writer writes a SEG-Y file trace by trace to a temporary file in the
// destination directory; Close renames it into place, so readers never see
// a half-written file.
type Writer struct {
	path   string
	tmp    *os.File
	w      *bufio.Writer
	opts   WriterOptions
	bo     binary.ByteOrder
	buf    []byte
	traces int
	err    error
}

// defaultText is the textual header written when none is given.
const defaultText = "C 1 SEG-Y WRITTEN BY SEGLOSS (github.com/segloss/segloss)\nC 2 SEG-Y REV 1\nC40 END TEXTUAL HEADER"

// Create starts a new SEG-Y file at path (written atomically on Close).
func Create(path string, opts WriterOptions) (*Writer, error) {
	if opts.Samples <= 0 {
		return nil, fmt.Errorf("segy: create %s: samples per trace must be positive, got %d", path, opts.Samples)
	}
	if opts.Format == 0 {
		opts.Format = FormatIEEE
	}
	if err := opts.Format.check(); err != nil {
		return nil, fmt.Errorf("segy: create %s: %v", path, err)
	}
	if opts.Interval < 0 || opts.Interval > math.MaxInt16 {
		return nil, fmt.Errorf("segy: create %s: sample interval %d µs does not fit bytes 3217-3218", path, opts.Interval)
	}
	if opts.Text == "" {
		opts.Text = defaultText
	}
	tmp, err := createTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-", "")
	if err != nil {
		return nil, fmt.Errorf("segy: create %s: %w", path, err)
	}
	wr := &Writer{path: path, tmp: tmp, w: bufio.NewWriterSize(tmp, 4<<20), opts: opts, bo: opts.Endian.order()}
	wr.buf = make([]byte, TraceHeaderSize+opts.Samples*opts.Format.Size())
	if _, err := wr.w.Write(EncodeText(opts.Text, opts.TextEncoding)); err != nil {
		wr.abort()
		return nil, fmt.Errorf("segy: create %s: %w", path, err)
	}
	if _, err := wr.w.Write(wr.binaryHeader()); err != nil {
		wr.abort()
		return nil, fmt.Errorf("segy: create %s: %w", path, err)
	}
	return wr, nil
}

// binaryHeader lays out the 400-byte binary header.
func (wr *Writer) binaryHeader() []byte {
	b := make([]byte, BinaryHeaderSize)
	put := func(pos, width int, v int64) { putWord(b, pos-3201, width, v, wr.bo) }
	if src := wr.opts.Binary; src != nil {
		put(3201, 4, int64(src.JobID))
		put(3205, 4, int64(src.LineNumber))
		put(3209, 4, int64(src.ReelNumber))
		put(3213, 2, int64(src.TracesPerEnsemble))
		put(3215, 2, int64(src.AuxTraces))
		put(3227, 2, int64(src.EnsembleFold))
		put(3229, 2, int64(src.SortingCode))
		put(3255, 2, int64(src.MeasurementSystem))
	}
	o := wr.opts
	put(3217, 2, int64(o.Interval))
	put(3219, 2, int64(o.Interval))
	put(3225, 2, int64(o.Format))
	put(3503, 2, 1) // fixed trace length
	if o.Samples > math.MaxUint16 {
		put(3269, 4, int64(o.Samples))
		put(3289, 4, int64(o.Samples))
		putWord(b, 3297-3201, 4, 0x01020304, wr.bo)
		b[3501-3201], b[3502-3201] = 2, 0
	} else {
		put(3221, 2, int64(o.Samples))
		put(3223, 2, int64(o.Samples))
		b[3501-3201], b[3502-3201] = 1, 0
	}
	return b
}

// WriteTrace appends one trace. The header's samples (115-116) and, when
// 0, interval (117-118) are set from the writer's options; samples must
// have exactly Samples values.
func (wr *Writer) WriteTrace(h TraceHeader, samples []float32) error {
	if wr.err != nil {
		return wr.err
	}
	if len(samples) != wr.opts.Samples {
		return fmt.Errorf("segy: %s: trace %d has %d samples, the file has %d per trace", wr.path, wr.traces, len(samples), wr.opts.Samples)
	}
	h.NumSamples = wr.opts.Samples
	if h.NumSamples > math.MaxUint16 {
		h.NumSamples = 0
	}
	if h.Interval == 0 {
		h.Interval = wr.opts.Interval
	}
	raw, err := h.encode(wr.bo)
	if err != nil {
		return fmt.Errorf("segy: %s: trace %d: %v", wr.path, wr.traces, err)
	}
	copy(wr.buf, raw[:])
	if err := encodeSamples(wr.buf[TraceHeaderSize:], samples, wr.opts.Format, wr.bo); err != nil {
		return fmt.Errorf("segy: %s: trace %d: %v", wr.path, wr.traces, err)
	}
	if _, err := wr.w.Write(wr.buf); err != nil {
		wr.err = fmt.Errorf("segy: %s: %w", wr.path, err)
		return wr.err
	}
	wr.traces++
	return nil
}

// Traces is the number of traces written so far.
func (wr *Writer) Traces() int { return wr.traces }

func (wr *Writer) abort() {
	wr.tmp.Close()
	os.Remove(wr.tmp.Name())
}

// Close finishes the file and renames it into place. After a write error
// it removes the temporary file and returns that error.
func (wr *Writer) Close() error {
	if wr.tmp == nil {
		return wr.err
	}
	defer func() { wr.tmp = nil }()
	if wr.err != nil {
		wr.abort()
		return wr.err
	}
	if err := wr.w.Flush(); err != nil {
		wr.abort()
		return fmt.Errorf("segy: %s: %w", wr.path, err)
	}
	if err := wr.tmp.Close(); err != nil {
		os.Remove(wr.tmp.Name())
		return fmt.Errorf("segy: %s: %w", wr.path, err)
	}
	if err := os.Rename(wr.tmp.Name(), wr.path); err != nil {
		os.Remove(wr.tmp.Name())
		return fmt.Errorf("segy: %s: %w", wr.path, err)
	}
	return nil
}

// Abort discards the file being written.
func (wr *Writer) Abort() {
	if wr.tmp != nil {
		wr.abort()
		wr.tmp = nil
	}
}

// Cube is a post-stack volume to write with WriteCube.
type Cube struct {
	Inlines    []int     // inline numbers, one per first-axis index
	Crosslines []int     // crossline numbers, one per second-axis index
	Samples    int       // samples per trace
	Data       []float32 // len(Inlines)*len(Crosslines)*Samples values, (inline, crossline, sample) order
	Interval   int       // µs
	Delay      int       // ms, first sample time (109-110)
	Format     Format    // default FormatIEEE
	Endian     Endian    // default big
	Text       string    // textual header; default names the writer
	// Missing, when set, has one entry per (inline, crossline) position;
	// true positions get no trace (an irregular survey).
	Missing []bool
	// Origin is the (x, y) of (Inlines[0], Crosslines[0]); InlineStep and
	// CrosslineStep are the (x, y) moves from one inline (crossline)
	// index to the next. Coordinates go to 181-188 and 73-80.
	Origin, InlineStep, CrosslineStep [2]float64
	// CoordScalar is stored at 71-72: -100 stores coordinates times 100.
	CoordScalar int
	// IlineByte and XlineByte place the keys (default 189 and 193).
	IlineByte, XlineByte int
}

// WriteCube writes c as a SEG-Y file at path (atomically).
func WriteCube(path string, c Cube) error {
	ni, nx := len(c.Inlines), len(c.Crosslines)
	if ni == 0 || nx == 0 || c.Samples <= 0 {
		return fmt.Errorf("segy: write %s: empty cube (%d inlines, %d crosslines, %d samples)", path, ni, nx, c.Samples)
	}
	if len(c.Data) != ni*nx*c.Samples {
		return fmt.Errorf("segy: write %s: %d values for %d x %d x %d", path, len(c.Data), ni, nx, c.Samples)
	}
	if c.Missing != nil && len(c.Missing) != ni*nx {
		return fmt.Errorf("segy: write %s: missing mask has %d entries for %d x %d traces", path, len(c.Missing), ni, nx)
	}
	ilb, xlb := c.IlineByte, c.XlineByte
	if ilb == 0 {
		ilb = 189
	}
	if xlb == 0 {
		xlb = 193
	}
	scale := 1.0 // stored = coordinate * scale
	switch {
	case c.CoordScalar < 0:
		scale = float64(-c.CoordScalar)
	case c.CoordScalar > 0:
		scale = 1 / float64(c.CoordScalar)
	}
	w, err := Create(path, WriterOptions{Samples: c.Samples, Interval: c.Interval, Format: c.Format, Endian: c.Endian, Text: c.Text})
	if err != nil {
		return err
	}
	seq := 0
	for i, il := range c.Inlines {
		for j, xl := range c.Crosslines {
			if c.Missing != nil && c.Missing[i*nx+j] {
				continue
			}
			seq++
			var h TraceHeader
			h.TraceSeqLine, h.TraceSeqFile, h.TraceID = seq, seq, 1
			h.CDP = seq
			h.DelayTime = c.Delay
			h.CoordScalar = c.CoordScalar
			x := c.Origin[0] + float64(i)*c.InlineStep[0] + float64(j)*c.CrosslineStep[0]
			y := c.Origin[1] + float64(i)*c.InlineStep[1] + float64(j)*c.CrosslineStep[1]
			h.CDPX, h.CDPY = int(math.Round(x*scale)), int(math.Round(y*scale))
			h.SourceX, h.SourceY = h.CDPX, h.CDPY
			for _, kv := range [][2]int{{ilb, il}, {xlb, xl}} {
				if err := h.SetWord(kv[0], 4, int64(kv[1])); err != nil {
					w.Abort()
					return fmt.Errorf("segy: write %s: key byte %d: %v", path, kv[0], err)
				}
			}
			k := (i*nx + j) * c.Samples
			if err := w.WriteTrace(h, c.Data[k:k+c.Samples]); err != nil {
				w.Abort()
				return err
			}
		}
	}
	return w.Close()
}
