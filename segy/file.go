package segy

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
)

// Endian selects a byte order; the zero value means "detect".
type Endian int

// Byte orders.
const (
	EndianAuto Endian = iota
	BigEndian
	LittleEndian
)

// String returns "auto", "big" or "little".
func (e Endian) String() string {
	switch e {
	case BigEndian:
		return "big"
	case LittleEndian:
		return "little"
	}
	return "auto"
}

// ParseEndian reads "auto", "big" (or "msb", "be") and "little" ("lsb", "le").
func ParseEndian(s string) (Endian, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return EndianAuto, nil
	case "big", "msb", "be":
		return BigEndian, nil
	case "little", "lsb", "le":
		return LittleEndian, nil
	}
	return EndianAuto, fmt.Errorf("unknown byte order %q (want auto, big or little)", s)
}

func (e Endian) order() binary.ByteOrder {
	if e == LittleEndian {
		return binary.LittleEndian
	}
	return binary.BigEndian
}

func endianOf(bo binary.ByteOrder) Endian {
	if bo == binary.ByteOrder(binary.LittleEndian) {
		return LittleEndian
	}
	return BigEndian
}

// Container is the file layout: SEG-Y (3600-byte file header) or Seismic
// Unix (traces only).
type Container int

// Containers; ContainerAuto picks SU for names ending in .su and SEG-Y
// otherwise.
const (
	ContainerAuto Container = iota
	ContainerSEGY
	ContainerSU
)

// String returns "SEG-Y" or "SU".
func (c Container) String() string {
	switch c {
	case ContainerSU:
		return "SU"
	case ContainerSEGY:
		return "SEG-Y"
	}
	return "auto"
}

// Options control how a file is opened. Zero values mean defaults.
type Options struct {
	// IlineByte, XlineByte and OffsetByte are the 1-based trace header
	// positions of the geometry keys: 189, 193 and 37 by default (5, 21 and
	// 37 for Seismic Unix files, whose bytes 181-240 mean something else).
	IlineByte, XlineByte, OffsetByte int
	// IlineWidth, XlineWidth and OffsetWidth are the key widths in bytes,
	// 2 or 4 (default 4); keys are signed.
	IlineWidth, XlineWidth, OffsetWidth int
	// Endian forces the byte order of headers and samples.
	Endian Endian
	// SampleEndian forces the byte order of samples alone, for files that
	// mix orders (Seismic Unix written with XDR: native headers, big-endian
	// samples). Default: the header order.
	SampleEndian Endian
	// Format overrides the sample format of the binary header (for rev 0
	// files that say IBM but hold IEEE floats); for SU the default is IEEE.
	Format Format
	// Samples overrides the samples per trace (for traces longer than a
	// 16-bit header can say); it is still checked against the file size.
	Samples int
	// Container forces SEG-Y or SU.
	Container Container
	// AllowTruncated opens a SEG-Y file whose traces do not fill it
	// exactly (a copy cut short, a last trace cut off) instead of failing,
	// as long as its 3600-byte file header and extended textual headers
	// are whole: the file then has the whole traces before the cut, the
	// bytes after them are ignored (see Truncated), and Warnings says so.
	// A file with headers only opens with no traces. Meant for tools that
	// show headers; keep it off to read data. Seismic Unix files are
	// always opened strictly.
	AllowTruncated bool
}

// FormatError reports a malformed file: which file, which trace (or -1),
// which byte offset (or -1) and what is wrong.
type FormatError struct {
	File   string
	Trace  int
	Offset int64
	Msg    string
	Err    error // a sentinel such as ErrNoTraces, or nil
	// Hint, when set, says what might fix the problem; Error appends it
	// in parentheses. Programs may replace it with advice in their own
	// terms (a command-line flag instead of an Options field).
	Hint string
}

// Unwrap returns the sentinel error, if any.
func (e *FormatError) Unwrap() error { return e.Err }

// Error names the file, the trace or byte offset when known, and the problem.
func (e *FormatError) Error() string {
	s := "segy: " + e.File
	if e.Trace >= 0 {
		s += fmt.Sprintf(": trace %d", e.Trace)
	}
	if e.Offset >= 0 {
		s += fmt.Sprintf(" (byte %d)", e.Offset)
	}
	s += ": " + e.Msg
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

// ErrNoTraces is wrapped by the error for files that hold headers only.
var ErrNoTraces = errors.New("no traces after the file headers")

// ErrNotSEGY is wrapped by the error for a file whose binary header holds
// no valid sample format in either byte order: not SEG-Y, perhaps Seismic
// Unix.
var ErrNotSEGY = errors.New("not a SEG-Y file")

// HintSU is the Hint of ErrNotSEGY errors.
const HintSU = "Seismic Unix files need Container: SU or a .su name"

// File is an open SEG-Y or SU file. Its methods are safe for concurrent use.
type File struct {
	name      string
	r         io.ReaderAt
	closer    io.Closer
	mu        sync.RWMutex // guards data against Close
	data      []byte       // the whole file, memory-mapped by Open, or nil
	size      int64
	opts      Options
	container Container
	order     binary.ByteOrder // headers
	sorder    binary.ByteOrder // samples
	format    Format
	ns        int
	text      []byte
	textEnc   TextEncoding
	ext       [][]byte
	bin       BinaryHeader
	dataStart int64
	extraHdrs int
	stride    int64
	ntraces   int
	lenient   bool  // this layout attempt may keep a truncated file
	truncated int64 // bytes after the last whole trace (AllowTruncated)
	interval  int
	delay     float64
	warnings  []string

	geomOnce sync.Once
	geom     *Geometry
	geomErr  error
}

// Open opens the file at path. The file is memory-mapped where the system
// allows (Linux), so reads decode straight from the page cache; elsewhere
// reads use large positioned reads (pread). Either way any number of
// goroutines may read; Close releases the file. A file truncated by another
// program while it is mapped gives errors, not crashes.
func Open(path string, opts Options) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("segy: %w", err)
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, fmt.Errorf("segy: %w", err)
	}
	if st.IsDir() {
		fh.Close()
		return nil, &FormatError{File: path, Trace: -1, Offset: -1, Msg: "is a directory"}
	}
	data := mapFile(fh, st.Size())
	f, err := newFile(fh, st.Size(), path, opts, data)
	if err != nil {
		if data != nil {
			unmapFile(data)
		}
		fh.Close()
		return nil, err
	}
	f.closer = fh
	return f, nil
}

// NewReader reads a SEG-Y or SU file of size bytes from r; name is used in
// errors and to recognise .su files.
func NewReader(r io.ReaderAt, size int64, name string, opts Options) (*File, error) {
	return newFile(r, size, name, opts, nil)
}

func newFile(r io.ReaderAt, size int64, name string, opts Options, data []byte) (*File, error) {
	f := &File{name: name, r: r, size: size, opts: opts, data: data}
	f.container = opts.Container
	if f.container == ContainerAuto {
		f.container = ContainerSEGY
		if strings.EqualFold(filepath.Ext(name), ".su") {
			f.container = ContainerSU
		}
	}
	if err := f.checkKeyOptions(); err != nil {
		return nil, err
	}
	var err error
	if f.container == ContainerSU {
		err = f.openSU()
	} else {
		err = f.openSEGY()
	}
	if err != nil {
		return nil, err
	}
	f.sorder = f.order
	if opts.SampleEndian != EndianAuto {
		f.sorder = opts.SampleEndian.order()
	}
	if err := f.readTimes(); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *File) errorf(trace int, off int64, format string, a ...any) error {
	return &FormatError{File: f.name, Trace: trace, Offset: off, Msg: fmt.Sprintf(format, a...)}
}

func (f *File) checkKeyOptions() error {
	o := &f.opts
	def := [3]int{189, 193, 37}
	if f.container == ContainerSU {
		def = [3]int{5, 21, 37}
	}
	for i, p := range []*int{&o.IlineByte, &o.XlineByte, &o.OffsetByte} {
		if *p == 0 {
			*p = def[i]
		}
	}
	for _, p := range []*int{&o.IlineWidth, &o.XlineWidth, &o.OffsetWidth} {
		if *p == 0 {
			*p = 4
		}
		if *p != 2 && *p != 4 {
			return f.errorf(-1, -1, "header key width %d: want 2 or 4 bytes", *p)
		}
	}
	for i, p := range []int{o.IlineByte, o.XlineByte, o.OffsetByte} {
		w := []int{o.IlineWidth, o.XlineWidth, o.OffsetWidth}[i]
		if p < 1 || p+w-1 > TraceHeaderSize {
			return f.errorf(-1, -1, "header key at byte %d (%d bytes) lies outside the 240-byte trace header", p, w)
		}
	}
	if o.Samples < 0 {
		return f.errorf(-1, -1, "samples per trace override %d is negative", o.Samples)
	}
	if o.Format != 0 {
		if err := o.Format.check(); err != nil {
			return f.errorf(-1, -1, "format override: %v", err)
		}
	}
	return nil
}

// readAt reads exactly len(b) bytes at off, as an error naming the file.
func (f *File) readAt(b []byte, off int64, trace int) error {
	if off < 0 || off+int64(len(b)) > f.size {
		return f.errorf(trace, off, "read of %d bytes past the end of the %d-byte file", len(b), f.size)
	}
	if data, release := f.mapping(); data != nil {
		defer release()
		return f.guard(&trace, func() error {
			copy(b, data[off:])
			return nil
		})
	}
	n, err := f.r.ReadAt(b, off)
	if n == len(b) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return f.errorf(trace, off, "reading %d bytes: %v", len(b), err)
}

func (f *File) openSEGY() error {
	const hdr = TextHeaderSize + BinaryHeaderSize
	if f.size < hdr {
		return f.errorf(-1, -1, "%d bytes is shorter than the 3600-byte SEG-Y file header", f.size)
	}
	head := make([]byte, hdr)
	if err := f.readAt(head, 0, -1); err != nil {
		return err
	}
	f.text = head[:TextHeaderSize]
	f.textEnc = DetectTextEncoding(f.text)
	binRaw := head[TextHeaderSize:]

	orders, err := f.candidateOrders(binRaw)
	if err != nil {
		return err
	}
	// Strictly first, in every candidate order; only when no order fits
	// the file exactly may AllowTruncated keep a cut-short one.
	var firstErr error
	nwarn := len(f.warnings)
	for pass := 0; pass < 2; pass++ {
		if pass == 1 {
			if !f.opts.AllowTruncated {
				break
			}
			f.lenient, f.warnings = true, f.warnings[:nwarn]
		}
		for _, bo := range orders {
			err := f.layoutSEGY(binRaw, bo)
			if err == nil {
				return nil
			}
			if firstErr == nil {
				firstErr = err
			}
		}
	}
	return firstErr
}

// candidateOrders decides which byte orders to try for the file header.
func (f *File) candidateOrders(binRaw []byte) ([]binary.ByteOrder, error) {
	if f.opts.Endian != EndianAuto {
		return []binary.ByteOrder{f.opts.Endian.order()}, nil
	}
	switch binary.BigEndian.Uint32(binRaw[3297-3201:]) {
	case 0x01020304:
		return []binary.ByteOrder{binary.BigEndian}, nil
	case 0x04030201:
		return []binary.ByteOrder{binary.LittleEndian}, nil
	case 0x02010403:
		return nil, f.errorf(-1, 3296, "pair-swapped byte order (constant 0x02010403 at 3297) is not supported")
	}
	be := Format(binary.BigEndian.Uint16(binRaw[3225-3201:]))
	le := Format(binary.LittleEndian.Uint16(binRaw[3225-3201:]))
	var out []binary.ByteOrder
	if be.Known() {
		out = append(out, binary.BigEndian)
	}
	if le.Known() {
		out = append(out, binary.LittleEndian)
	}
	if len(out) == 0 {
		if f.opts.Format != 0 { // the override makes the code irrelevant: let the size decide
			return []binary.ByteOrder{binary.BigEndian, binary.LittleEndian}, nil
		}
		return nil, &FormatError{File: f.name, Trace: -1, Offset: 3224, Err: ErrNotSEGY, Hint: HintSU,
			Msg: fmt.Sprintf("no valid sample format code at bytes 3225-3226 (%d read big-endian, %d little-endian): not a SEG-Y file?", int(be), int(le))}
	}
	return out, nil
}

// maxScanBlocks bounds the search for extended textual headers.
const maxScanBlocks = 10000

// layoutSEGY works out format, samples, trace start and stride for byte
// order bo, checking them against the file size.
func (f *File) layoutSEGY(binRaw []byte, bo binary.ByteOrder) error {
	bh := decodeBinaryHeader(binRaw, bo)
	format := bh.Format
	if f.opts.Format != 0 {
		format = f.opts.Format
	}
	if err := format.check(); err != nil {
		return f.errorf(-1, 3224, "%v", err)
	}
	f.order, f.bin, f.format = bo, bh, format

	// Extended textual headers.
	next := int64(TextHeaderSize + BinaryHeaderSize)
	f.ext = nil
	switch n := bh.ExtTextHeaders; {
	case n == -1:
		for k := 0; ; k++ {
			if k == maxScanBlocks || next+TextHeaderSize > f.size {
				return f.errorf(-1, 3504, "extended textual header count is -1 but no %s stanza was found in %d blocks", endTextMarker, k)
			}
			blk := make([]byte, TextHeaderSize)
			if err := f.readAt(blk, next, -1); err != nil {
				return err
			}
			f.ext = append(f.ext, blk)
			next += TextHeaderSize
			if hasEndText(blk) {
				break
			}
		}
	case n < -1:
		return f.errorf(-1, 3504, "extended textual header count %d is negative", n)
	case n > 0:
		if next+int64(n)*TextHeaderSize > f.size {
			return f.errorf(-1, 3504, "binary header declares %d extended textual headers (%d bytes) but the file has %d bytes", n, int64(n)*TextHeaderSize, f.size)
		}
		for k := 0; k < n; k++ {
			blk := make([]byte, TextHeaderSize)
			if err := f.readAt(blk, next, -1); err != nil {
				return err
			}
			f.ext = append(f.ext, blk)
			next += TextHeaderSize
		}
	}
	// Where the traces start: the rev-2 first-trace offset (3521-3528)
	// overrides the extended textual headers when set; extended headers
	// written without being counted in 3505-3506 (a stanza where the first
	// trace should be) are skipped; else right after the declared ones.
	type start struct {
		at   int64
		ext  [][]byte
		note string
	}
	var starts []start
	major, _ := bh.Revision()
	if fto := bh.FirstTraceOffset; major >= 2 && fto != 0 && fto != uint64(next) {
		if fto >= TextHeaderSize+BinaryHeaderSize && fto <= uint64(f.size) {
			starts = append(starts, start{at: int64(fto), note: fmt.Sprintf("first trace at byte %d from the rev-2 field 3521-3528 (the file headers end at byte %d)", fto, next)})
		} else {
			f.warnf("rev-2 first-trace offset %d (3521-3528) lies outside the %d-byte file; ignored", fto, f.size)
		}
	}
	var undeclared [][]byte
	for at := next; len(undeclared) < maxScanBlocks && at+TextHeaderSize <= f.size; at += TextHeaderSize {
		blk := make([]byte, TextHeaderSize)
		if err := f.readAt(blk, at, -1); err != nil {
			return err
		}
		if !startsWithStanza(blk) {
			break
		}
		undeclared = append(undeclared, blk)
	}
	if k := len(undeclared); k > 0 {
		starts = append(starts, start{at: next + int64(k)*TextHeaderSize, ext: undeclared,
			note: fmt.Sprintf("%d extended textual header(s) at bytes %d-%d not counted in 3505-3506 (which says %d); skipped", k, next, next+int64(k)*TextHeaderSize-1, bh.ExtTextHeaders)})
	}
	starts = append(starts, start{at: next})
	var declaredErr error
	for _, st := range starts {
		err := f.layoutTraces(bh, bo, format, st.at)
		if err == nil {
			f.ext = append(f.ext, st.ext...)
			if st.note != "" {
				f.warnf("%s", st.note)
			}
			return nil
		}
		declaredErr = err // the last start is the declared one
	}
	return declaredErr
}

// layoutTraces works out samples per trace, additional trace headers and
// stride for traces from byte start on, checking them against the file
// size.
func (f *File) layoutTraces(bh BinaryHeader, bo binary.ByteOrder, format Format, start int64) error {
	f.dataStart = start
	if f.size == f.dataStart {
		if f.lenient {
			f.ns, f.extraHdrs, f.ntraces = bh.Samples, 0, 0
			f.stride = int64(TraceHeaderSize) + int64(max(bh.Samples, 0))*int64(format.Size())
			f.warnf("the file has no traces: it ends with its headers at byte %d", f.size)
			return nil
		}
		return &FormatError{File: f.name, Trace: -1, Offset: f.dataStart, Msg: ErrNoTraces.Error(), Err: ErrNoTraces}
	}

	// Candidate samples per trace and additional trace headers, in order
	// of preference; the first that divides the file size wins.
	major, _ := bh.Revision()
	var nsCands []int
	add := func(v int) {
		if v <= 0 {
			return
		}
		for _, c := range nsCands {
			if c == v {
				return
			}
		}
		nsCands = append(nsCands, v)
	}
	if f.opts.Samples > 0 {
		add(f.opts.Samples)
	} else {
		if major >= 2 {
			add(bh.ExtSamples)
		}
		add(bh.Samples)
		add(bh.ExtSamples)
	}
	var tr0 [TraceHeaderSize]byte
	haveTr0 := f.dataStart+TraceHeaderSize <= f.size
	if haveTr0 {
		if err := f.readAt(tr0[:], f.dataStart, 0); err != nil {
			return err
		}
	}
	tr0ns := 0
	if haveTr0 {
		tr0ns = int(getWord(tr0[:], 114, 2, true, bo))
	}
	if f.opts.Samples == 0 && len(nsCands) == 0 {
		add(tr0ns)
	}
	if len(nsCands) == 0 {
		return f.errorf(-1, 3220, "samples per trace is 0 in the binary header (3221-3222, 3269-3272) and in the first trace header (115-116)")
	}
	extraCands := []int{0}
	if major >= 2 && bh.ExtraTraceHeaders > 0 {
		extraCands = []int{bh.ExtraTraceHeaders, 0}
	}
	size := int64(format.Size())
	payload := f.size - f.dataStart
	for _, ns := range nsCands {
		for _, ex := range extraCands {
			stride := int64(TraceHeaderSize*(1+ex)) + int64(ns)*size
			if payload%stride == 0 && payload >= stride {
				f.ns, f.extraHdrs, f.stride = ns, ex, stride
				f.ntraces = int(payload / stride)
				if ns != bh.Samples && f.opts.Samples == 0 {
					f.warnf("samples per trace %d from the rev-2 field 3269 (3221-3222 says %d)", ns, bh.Samples)
				}
				if tr0ns != 0 && tr0ns != ns {
					f.warnf("trace header 0 says %d samples (115-116); using %d from the binary header, which matches the file size", tr0ns, ns)
				}
				return nil
			}
		}
	}
	// Nothing fits: describe the first candidate (or, allowed to, keep
	// its whole traces).
	ns := nsCands[0]
	stride := int64(TraceHeaderSize*(1+extraCands[0])) + int64(ns)*size
	whole := payload / stride
	if f.lenient && whole <= math.MaxInt32 {
		f.ns, f.extraHdrs, f.stride = ns, extraCands[0], stride
		f.ntraces, f.truncated = int(whole), payload%stride
		f.warnf("the file is cut short: %d whole traces of %d bytes (%d samples, format %d) from byte %d, then %d bytes of trace %d, which are ignored",
			whole, stride, ns, int(format), f.dataStart, f.truncated, whole)
		if tr0ns != 0 && tr0ns != ns {
			f.warnf("trace header 0 says %d samples (115-116); using %d from the binary header", tr0ns, ns)
		}
		return nil
	}
	msg := fmt.Sprintf("%d bytes after the headers (from byte %d) are not a whole number of %d-byte traces (%d samples of %d bytes, format %d): %d whole traces and %d bytes left over",
		payload, f.dataStart, stride, ns, size, int(format), whole, payload%stride)
	if whole >= 0 && payload%stride != 0 {
		msg += fmt.Sprintf("; trace %d is cut short or the file is not what its header says", whole)
	}
	if f.opts.Samples == 0 && tr0ns != 0 && tr0ns != ns {
		msg += fmt.Sprintf(" (trace header 0 says %d samples)", tr0ns)
	}
	return f.errorf(-1, -1, "%s", msg)
}

func (f *File) openSU() error {
	if f.size < TraceHeaderSize {
		return f.errorf(-1, -1, "%d bytes is shorter than one 240-byte SU trace header", f.size)
	}
	var h [TraceHeaderSize]byte
	if err := f.readAt(h[:], 0, 0); err != nil {
		return err
	}
	f.format = FormatIEEE
	if f.opts.Format != 0 {
		if err := f.opts.Format.check(); err != nil {
			return f.errorf(-1, -1, "%v", err)
		}
		f.format = f.opts.Format
	}
	orders := []binary.ByteOrder{binary.BigEndian, binary.LittleEndian}
	if f.opts.Endian != EndianAuto {
		orders = []binary.ByteOrder{f.opts.Endian.order()}
	}
	var tried []string
	for _, bo := range orders {
		ns := int(bo.Uint16(h[114:]))
		if f.opts.Samples > 0 {
			ns = f.opts.Samples
		}
		stride := int64(TraceHeaderSize) + int64(ns)*int64(f.format.Size())
		tried = append(tried, fmt.Sprintf("%s-endian ns %d gives %d-byte traces", endianOf(bo), ns, stride))
		if ns > 0 && f.size%stride == 0 {
			f.order, f.ns, f.stride = bo, ns, stride
			f.ntraces = int(f.size / stride)
			return nil
		}
	}
	return f.errorf(0, 114, "not a Seismic Unix file of %d bytes: %s, none divides the size", f.size, strings.Join(tried, "; "))
}

func (f *File) warnf(format string, a ...any) {
	f.warnings = append(f.warnings, fmt.Sprintf(format, a...))
}

// readTimes sets the sample interval and delay from the headers.
func (f *File) readTimes() error {
	if f.ntraces == 0 { // a truncated file opened with AllowTruncated
		f.interval = f.bin.Interval
		return nil
	}
	h, err := f.TraceHeader(0)
	if err != nil {
		return err
	}
	f.delay = h.DelayMs()
	tr := h.Interval
	if f.container == ContainerSU {
		if tr > 0 {
			f.interval = tr
		}
		return nil
	}
	bin := f.bin.Interval
	switch {
	case bin > 0 && (tr == 0 || tr == bin):
		f.interval = bin
	case bin == 0 && tr > 0:
		f.interval = tr
	case bin == 0 && tr == 0:
	default:
		f.warnf("sample interval unknown: binary header says %d µs (3217-3218), trace header 0 says %d µs (117-118)", bin, tr)
	}
	return nil
}

// mapping returns the file's memory map, or nil when it has none (made by
// NewReader, or closed); a non-nil map stays valid until release is
// called, and Close waits for that.
func (f *File) mapping() (data []byte, release func()) {
	f.mu.RLock()
	if f.data == nil {
		f.mu.RUnlock()
		return nil, nil
	}
	return f.data, f.mu.RUnlock
}

// guard runs fn, which reads the memory map, turning the fault of a read
// beyond the end of a file that shrank since Open into an error naming
// the trace *trace (or -1) that fn was reading.
func (f *File) guard(trace *int, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if _, fault := r.(interface{ Addr() uintptr }); !fault {
				panic(r)
			}
			err = f.errorf(*trace, -1, "the file changed while it was read (cut short by another program?)")
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	return fn()
}

// Close closes the underlying file when the File was made by Open, after
// reads in progress have finished; later reads fail.
func (f *File) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var err error
	if f.data != nil {
		err = unmapFile(f.data)
		f.data = nil
	}
	if f.closer == nil {
		return err
	}
	c := f.closer
	f.closer = nil
	if cerr := c.Close(); err == nil {
		err = cerr
	}
	return err
}

// Name is the path or name the file was opened with.
func (f *File) Name() string { return f.name }

// Size is the file size in bytes.
func (f *File) Size() int64 { return f.size }

// Container says whether the file is SEG-Y or Seismic Unix.
func (f *File) Container() Container { return f.container }

// NumTraces is the number of traces, from the file size.
func (f *File) NumTraces() int { return f.ntraces }

// Truncated is the number of bytes after the last whole trace that a file
// opened with Options.AllowTruncated ignores (part of a cut-off trace);
// 0 for a complete file.
func (f *File) Truncated() int64 { return f.truncated }

// NumSamples is the number of samples per trace.
func (f *File) NumSamples() int { return f.ns }

// Interval is the sample interval in µs, or 0 when unknown: when the
// binary and first trace header disagree, or both are zero or negative.
func (f *File) Interval() int { return f.interval }

// Delay is the time of the first sample in ms: the delay recording time
// of trace 0 (109-110) with its time scalar (215-216) applied.
func (f *File) Delay() float64 { return f.delay }

// Format is the sample format the samples are decoded as.
func (f *File) Format() Format { return f.format }

// ByteOrder is the byte order of the headers.
func (f *File) ByteOrder() Endian { return endianOf(f.order) }

// SampleByteOrder is the byte order of the samples.
func (f *File) SampleByteOrder() Endian { return endianOf(f.sorder) }

// TraceStride is the number of bytes from one trace to the next.
func (f *File) TraceStride() int64 { return f.stride }

// DataOffset is the byte offset of the first trace.
func (f *File) DataOffset() int64 { return f.dataStart }

// ExtraTraceHeaders is the number of rev-2 additional 240-byte headers
// after each standard trace header.
func (f *File) ExtraTraceHeaders() int { return f.extraHdrs }

// Options returns the options in effect, with defaults filled in.
func (f *File) Options() Options { return f.opts }

// Warnings lists oddities found while opening (header values that
// disagree) that did not stop the file from being read.
func (f *File) Warnings() []string { return append([]string(nil), f.warnings...) }

// TextHeader returns the 3200-byte textual header as 40 lines of 80
// characters (EBCDIC or ASCII detected); "" for Seismic Unix files.
func (f *File) TextHeader() string {
	if f.text == nil {
		return ""
	}
	return DecodeText(f.text, f.textEnc)
}

// TextEncoding is the detected encoding of the textual header.
func (f *File) TextEncoding() TextEncoding { return f.textEnc }

// RawTextHeader returns a copy of the 3200 textual header bytes.
func (f *File) RawTextHeader() []byte { return append([]byte(nil), f.text...) }

// ExtendedTextHeaders returns the extended textual headers, each as 40
// lines of text, in file order.
func (f *File) ExtendedTextHeaders() []string {
	out := make([]string, len(f.ext))
	for i, b := range f.ext {
		out[i] = DecodeText(b, DetectTextEncoding(b))
	}
	return out
}

// BinaryHeader returns the binary file header (zero for SU files).
func (f *File) BinaryHeader() BinaryHeader { return f.bin }

// Revision returns the SEG-Y revision (see BinaryHeader.Revision).
func (f *File) Revision() (major, minor int) { return f.bin.Revision() }

// traceOffset is the byte offset of trace i.
func (f *File) traceOffset(i int) int64 { return f.dataStart + int64(i)*f.stride }

// sampleOffset is the offset of trace i's samples from its start.
func (f *File) sampleOffset() int64 { return int64(TraceHeaderSize * (1 + f.extraHdrs)) }

func (f *File) checkTrace(i int) error {
	if i < 0 || i >= f.ntraces {
		return f.errorf(i, -1, "no such trace (the file has %d)", f.ntraces)
	}
	return nil
}

// RawTraceHeader returns the 240 bytes of trace i's header as stored in
// the file (file byte order).
func (f *File) RawTraceHeader(i int) ([]byte, error) {
	if err := f.checkTrace(i); err != nil {
		return nil, err
	}
	b := make([]byte, TraceHeaderSize)
	return b, f.readAt(b, f.traceOffset(i), i)
}

// RawExtraTraceHeader returns the k-th rev-2 additional 240-byte header of
// trace i (k from 0) as stored in the file.
func (f *File) RawExtraTraceHeader(i, k int) ([]byte, error) {
	if err := f.checkTrace(i); err != nil {
		return nil, err
	}
	if k < 0 || k >= f.extraHdrs {
		return nil, f.errorf(i, -1, "no additional trace header %d (the file has %d per trace)", k, f.extraHdrs)
	}
	b := make([]byte, TraceHeaderSize)
	return b, f.readAt(b, f.traceOffset(i)+int64(TraceHeaderSize*(1+k)), i)
}

// TraceHeader returns trace i's header with named fields decoded.
func (f *File) TraceHeader(i int) (TraceHeader, error) {
	b, err := f.RawTraceHeader(i)
	if err != nil {
		return TraceHeader{}, err
	}
	return decodeTraceHeader(b, f.order), nil
}

// HeaderWord reads the width-byte word (1, 2, 3, 4 or 8) at 1-based byte
// pos of trace i's header in the file's byte order.
func (f *File) HeaderWord(i, pos, width int, unsigned bool) (int64, error) {
	if width != 1 && width != 2 && width != 3 && width != 4 && width != 8 {
		return 0, f.errorf(i, -1, "header word width %d: want 1, 2, 3, 4 or 8", width)
	}
	if pos < 1 || pos+width-1 > TraceHeaderSize {
		return 0, f.errorf(i, -1, "header word at byte %d (%d bytes) lies outside the 240-byte trace header", pos, width)
	}
	if err := f.checkTrace(i); err != nil {
		return 0, err
	}
	b := make([]byte, width)
	if err := f.readAt(b, f.traceOffset(i)+int64(pos-1), i); err != nil {
		return 0, err
	}
	return getWord(b, 0, width, unsigned, f.order), nil
}

// RawTrace returns the sample bytes of trace i as stored in the file.
func (f *File) RawTrace(i int) ([]byte, error) {
	if err := f.checkTrace(i); err != nil {
		return nil, err
	}
	b := make([]byte, f.ns*f.format.Size())
	return b, f.readAt(b, f.traceOffset(i)+f.sampleOffset(), i)
}
