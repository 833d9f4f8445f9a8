package dataset

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/segloss/segloss/internal/fileutil"
)

// npyMagic opens every .npy file.
const npyMagic = "\x93NUMPY"

// NPYHeader is the parsed header of a .npy file.
type NPYHeader struct {
	// Major and Minor are the format version (1.0, 2.0 or 3.0).
	Major, Minor int
	// Descr is the NumPy dtype string, e.g. "<f4" or "|u1".
	Descr string
	// FortranOrder is true when the array is stored column-major.
	FortranOrder bool
	// Shape is the array shape; an empty shape is a scalar.
	Shape []int
	// DataOffset is the byte offset of the first element.
	DataOffset int64
}

// Len returns the number of elements the header describes.
func (h NPYHeader) Len() int {
	n := 1
	for _, s := range h.Shape {
		n *= s
	}
	return n
}

// npyDtype describes one supported element type.
type npyDtype struct {
	kind  byte // 'f', 'i' or 'u'
	size  int
	order binary.ByteOrder
}

// parseDescr maps a NumPy descr onto an element type.
func parseDescr(d string) (npyDtype, error) {
	if len(d) < 3 {
		return npyDtype{}, fmt.Errorf("descr %q: unsupported dtype", d)
	}
	var t npyDtype
	switch d[0] {
	case '<':
		t.order = binary.LittleEndian
	case '>':
		t.order = binary.BigEndian
	case '|', '=':
		t.order = binary.LittleEndian
	default:
		return t, fmt.Errorf("descr %q: unknown byte order %q", d, d[0])
	}
	t.kind = d[1]
	size, err := strconv.Atoi(d[2:])
	if err != nil {
		return t, fmt.Errorf("descr %q: bad item size", d)
	}
	t.size = size
	switch {
	case t.kind == 'f' && (size == 4 || size == 8):
	case t.kind == 'i' && (size == 1 || size == 2 || size == 4 || size == 8):
	case t.kind == 'u' && (size == 1 || size == 2 || size == 4 || size == 8):
	case t.kind == 'b' && size == 1:
		t.kind = 'u'
	default:
		return t, fmt.Errorf("descr %q: unsupported dtype (want <f8 <f4 |u1 <i8 <i4 <i2 or big-endian forms)", d)
	}
	if size > 1 && (d[0] == '|') {
		return t, fmt.Errorf("descr %q: multi-byte dtype without byte order", d)
	}
	return t, nil
}

// ReadNPYHeader parses the header of a .npy stream. It reads exactly up to
// the first data byte.
func ReadNPYHeader(r io.Reader) (NPYHeader, error) {
	var h NPYHeader
	pre := make([]byte, 8)
	if _, err := io.ReadFull(r, pre); err != nil {
		return h, fmt.Errorf("magic: %w", noEOF(err))
	}
	if string(pre[:6]) != npyMagic {
		return h, errors.New("magic: not a .npy file")
	}
	h.Major, h.Minor = int(pre[6]), int(pre[7])
	var hlen int
	switch h.Major {
	case 1:
		b := make([]byte, 2)
		if _, err := io.ReadFull(r, b); err != nil {
			return h, fmt.Errorf("header length: %w", noEOF(err))
		}
		hlen = int(binary.LittleEndian.Uint16(b))
		h.DataOffset = 10 + int64(hlen)
	case 2, 3:
		b := make([]byte, 4)
		if _, err := io.ReadFull(r, b); err != nil {
			return h, fmt.Errorf("header length: %w", noEOF(err))
		}
		l := binary.LittleEndian.Uint32(b)
		if l > 1<<24 {
			return h, fmt.Errorf("header length %d: too large", l)
		}
		hlen = int(l)
		h.DataOffset = 12 + int64(hlen)
	default:
		return h, fmt.Errorf("version %d.%d: unsupported", h.Major, h.Minor)
	}
	hb := make([]byte, hlen)
	if _, err := io.ReadFull(r, hb); err != nil {
		return h, fmt.Errorf("header (%d bytes): %w", hlen, noEOF(err))
	}
	if err := parseHeaderDict(string(hb), &h); err != nil {
		return h, err
	}
	return h, nil
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// parseHeaderDict parses the Python dict literal of a .npy header.
func parseHeaderDict(s string, h *NPYHeader) error {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "{") || !strings.HasSuffix(s, "}") {
		return fmt.Errorf("header %q: not a dict", s)
	}
	body := s[1 : len(s)-1]
	seen := map[string]bool{}
	for len(strings.TrimSpace(body)) > 0 {
		body = strings.TrimLeft(body, " \t\n,")
		if body == "" {
			break
		}
		key, rest, err := pyString(body)
		if err != nil {
			return fmt.Errorf("header key: %v", err)
		}
		rest = strings.TrimLeft(rest, " ")
		if !strings.HasPrefix(rest, ":") {
			return fmt.Errorf("header field %q: missing ':'", key)
		}
		rest = strings.TrimLeft(rest[1:], " ")
		switch key {
		case "descr":
			v, r2, err := pyString(rest)
			if err != nil {
				return fmt.Errorf("header field 'descr': %v", err)
			}
			h.Descr, rest = v, r2
		case "fortran_order":
			switch {
			case strings.HasPrefix(rest, "True"):
				h.FortranOrder, rest = true, rest[4:]
			case strings.HasPrefix(rest, "False"):
				h.FortranOrder, rest = false, rest[5:]
			default:
				return fmt.Errorf("header field 'fortran_order': want True or False")
			}
		case "shape":
			end := strings.IndexByte(rest, ')')
			if !strings.HasPrefix(rest, "(") || end < 0 {
				return fmt.Errorf("header field 'shape': want a tuple")
			}
			h.Shape = h.Shape[:0]
			for _, p := range strings.Split(rest[1:end], ",") {
				p = strings.TrimSpace(p)
				if p == "" {
					continue
				}
				p = strings.TrimSuffix(p, "L")
				n, err := strconv.Atoi(p)
				if err != nil || n < 0 {
					return fmt.Errorf("header field 'shape': bad dimension %q", p)
				}
				h.Shape = append(h.Shape, n)
			}
			rest = rest[end+1:]
		default:
			return fmt.Errorf("header field %q: unknown", key)
		}
		seen[key] = true
		body = rest
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return fmt.Errorf("header field %q: missing", k)
		}
	}
	n := int64(1)
	for _, d := range h.Shape {
		n *= int64(d)
		if n > 1<<40 {
			return fmt.Errorf("header field 'shape' %v: too large", h.Shape)
		}
	}
	return nil
}

// pyString reads a quoted Python string at the start of s.
func pyString(s string) (string, string, error) {
	if s == "" || (s[0] != '\'' && s[0] != '"') {
		return "", s, fmt.Errorf("want a quoted string at %q", trunc(s))
	}
	end := strings.IndexByte(s[1:], s[0])
	if end < 0 {
		return "", s, fmt.Errorf("unterminated string at %q", trunc(s))
	}
	return s[1 : 1+end], s[end+2:], nil
}

func trunc(s string) string {
	if len(s) > 20 {
		return s[:20] + "..."
	}
	return s
}

// ReadNPYFloat32 reads a .npy file of any supported numeric dtype into a
// float32 array in C order. It streams the file, converting as it goes.
func ReadNPYFloat32(path string) ([]float32, []int, error) {
	var out []float32
	h, err := readNPY(path, func(h NPYHeader) func(i int, v float64) error {
		out = make([]float32, h.Len())
		return func(i int, v float64) error { out[i] = float32(v); return nil }
	})
	if err != nil {
		return nil, nil, err
	}
	return out, h.Shape, nil
}

// ReadNPYUint8 reads a .npy file of an integer (or integral float) dtype into
// a uint8 array in C order. Values outside 0..255 or with a fraction are an
// error that names the file and counts them.
func ReadNPYUint8(path string) ([]uint8, []int, error) {
	var out []uint8
	bad, first := 0, 0.0
	h, err := readNPY(path, func(h NPYHeader) func(i int, v float64) error {
		out = make([]uint8, h.Len())
		return func(i int, v float64) error {
			if v < 0 || v > 255 || v != math.Trunc(v) {
				if bad == 0 {
					first = v
				}
				bad++
				return nil
			}
			out[i] = uint8(v)
			return nil
		}
	})
	if err != nil {
		return nil, nil, err
	}
	if bad > 0 {
		return nil, nil, fmt.Errorf("%s: %d values do not fit uint8 labels (first: %g)", path, bad, first)
	}
	return out, h.Shape, nil
}

// readNPY opens path, parses the header and streams every element (as
// float64) to the setter returned by prepare, at its C-order index.
func readNPY(path string, prepare func(NPYHeader) func(int, float64) error) (NPYHeader, error) {
	f, err := os.Open(path)
	if err != nil {
		return NPYHeader{}, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	h, err := ReadNPYHeader(br)
	if err != nil {
		return h, fmt.Errorf("%s: %v", path, err)
	}
	dt, err := parseDescr(h.Descr)
	if err != nil {
		return h, fmt.Errorf("%s: header field %v", path, err)
	}
	if st, err := f.Stat(); err == nil {
		want := h.DataOffset + int64(h.Len())*int64(dt.size)
		if st.Size() < want {
			return h, fmt.Errorf("%s: truncated: shape %v of %s needs %d bytes, file has %d", path, h.Shape, h.Descr, want, st.Size())
		}
	}
	set := prepare(h)
	n := h.Len()
	idx := fortranToC(h.Shape, h.FortranOrder)
	buf := make([]byte, dt.size*4096)
	for done := 0; done < n; {
		m := min(4096, n-done)
		b := buf[:m*dt.size]
		if _, err := io.ReadFull(br, b); err != nil {
			return h, fmt.Errorf("%s: data at element %d: %v", path, done, noEOF(err))
		}
		for k := 0; k < m; k++ {
			v := decodeElem(dt, b[k*dt.size:])
			if err := set(idx(done+k), v); err != nil {
				return h, err
			}
		}
		done += m
	}
	return h, nil
}

// fortranToC returns a function mapping the storage index of an element to
// its C-order index.
func fortranToC(shape []int, fortran bool) func(int) int {
	if !fortran || len(shape) < 2 {
		return func(i int) int { return i }
	}
	strides := make([]int, len(shape)) // C strides
	s := 1
	for d := len(shape) - 1; d >= 0; d-- {
		strides[d] = s
		s *= shape[d]
	}
	return func(i int) int {
		c := 0
		for d := 0; d < len(shape); d++ {
			c += (i % shape[d]) * strides[d]
			i /= shape[d]
		}
		return c
	}
}

func decodeElem(dt npyDtype, b []byte) float64 {
	switch dt.kind {
	case 'f':
		if dt.size == 4 {
			return float64(math.Float32frombits(dt.order.Uint32(b)))
		}
		return math.Float64frombits(dt.order.Uint64(b))
	case 'i':
		switch dt.size {
		case 1:
			return float64(int8(b[0]))
		case 2:
			return float64(int16(dt.order.Uint16(b)))
		case 4:
			return float64(int32(dt.order.Uint32(b)))
		default:
			return float64(int64(dt.order.Uint64(b)))
		}
	default:
		switch dt.size {
		case 1:
			return float64(b[0])
		case 2:
			return float64(dt.order.Uint16(b))
		case 4:
			return float64(dt.order.Uint32(b))
		default:
			return float64(dt.order.Uint64(b))
		}
	}
}

// encodeNPYHeader builds a version 1.0 header (2.0 when it does not fit),
// padded so the data starts on a 64-byte boundary.
func encodeNPYHeader(descr string, shape []int) []byte {
	var sb strings.Builder
	sb.WriteString("{'descr': '" + descr + "', 'fortran_order': False, 'shape': (")
	for i, s := range shape {
		sb.WriteString(strconv.Itoa(s))
		if i < len(shape)-1 || len(shape) == 1 {
			sb.WriteString(",")
		}
		if i < len(shape)-1 {
			sb.WriteString(" ")
		}
	}
	sb.WriteString("), }")
	dict := sb.String()
	major, pre := 1, 10
	if len(dict)+pre+1 > 65535 {
		major, pre = 2, 12
	}
	pad := 64 - (pre+len(dict)+1)%64
	if pad == 64 {
		pad = 0
	}
	dict += strings.Repeat(" ", pad) + "\n"
	var b bytes.Buffer
	b.WriteString(npyMagic)
	b.WriteByte(byte(major))
	b.WriteByte(0)
	if major == 1 {
		binary.Write(&b, binary.LittleEndian, uint16(len(dict)))
	} else {
		binary.Write(&b, binary.LittleEndian, uint32(len(dict)))
	}
	b.WriteString(dict)
	return b.Bytes()
}

// NPYWriter streams a C-order .npy file of dtype "<f4" or "|u1": the
// header first, then the elements in C order as they come, written
// atomically (temporary file in the same directory, renamed into place by
// Close).
type NPYWriter struct {
	path  string
	descr string
	f     *fileutil.AtomicFile
	left  int64 // elements still expected
	buf   []byte
}

// CreateNPY starts a .npy file of the given dtype ("<f4" or "|u1") and
// C-order shape. The directory must exist. Write the elements with
// WriteFloat32 or WriteUint8, then Close (or Abort).
func CreateNPY(path, descr string, shape []int) (*NPYWriter, error) {
	if descr != "<f4" && descr != "|u1" {
		return nil, fmt.Errorf("%s: dtype %q: can write <f4 or |u1", path, descr)
	}
	n := int64(1)
	for _, s := range shape {
		if s < 0 {
			return nil, fmt.Errorf("%s: shape %v: negative dimension", path, shape)
		}
		n *= int64(s)
	}
	f, err := fileutil.CreateAtomic(path)
	if err != nil {
		return nil, err
	}
	w := &NPYWriter{path: path, descr: descr, f: f, left: n}
	if _, err := f.Write(encodeNPYHeader(descr, shape)); err != nil {
		f.Abort()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return w, nil
}

// take checks that n more elements of dtype descr fit.
func (w *NPYWriter) take(descr string, n int) error {
	if descr != w.descr {
		return fmt.Errorf("%s: writing %s elements to a %s file", w.path, descr, w.descr)
	}
	if int64(n) > w.left {
		return fmt.Errorf("%s: %d values more than the shape holds", w.path, int64(n)-w.left)
	}
	w.left -= int64(n)
	return nil
}

// WriteFloat32 appends values in C order to a "<f4" file.
func (w *NPYWriter) WriteFloat32(vals []float32) error {
	if err := w.take("<f4", len(vals)); err != nil {
		return err
	}
	if w.buf == nil {
		w.buf = make([]byte, 0, 1<<16)
	}
	for len(vals) > 0 {
		n := min(len(vals), cap(w.buf)/4)
		b := w.buf[:0]
		for _, v := range vals[:n] {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
		if _, err := w.f.Write(b); err != nil {
			return fmt.Errorf("%s: %w", w.path, err)
		}
		vals = vals[n:]
	}
	return nil
}

// WriteUint8 appends values in C order to a "|u1" file.
func (w *NPYWriter) WriteUint8(vals []uint8) error {
	if err := w.take("|u1", len(vals)); err != nil {
		return err
	}
	if _, err := w.f.Write(vals); err != nil {
		return fmt.Errorf("%s: %w", w.path, err)
	}
	return nil
}

// Close checks that the shape is full and renames the file into place. On
// error the temporary file is removed.
func (w *NPYWriter) Close() error {
	if w.left != 0 {
		w.f.Abort()
		return fmt.Errorf("%s: %d values missing", w.path, w.left)
	}
	return w.f.Commit()
}

// Abort discards the file unless Close succeeded.
func (w *NPYWriter) Abort() {
	w.f.Abort()
}

// WriteNPYFloat32 writes data with the given C-order shape as a "<f4" .npy
// file, atomically (temporary file in the same directory, then rename),
// creating the directory when needed.
func WriteNPYFloat32(path string, data []float32, shape []int) error {
	return writeNPY(path, "<f4", len(data), shape, func(w *NPYWriter) error { return w.WriteFloat32(data) })
}

// WriteNPYUint8 writes data with the given C-order shape as a "|u1" .npy
// file, atomically, creating the directory when needed.
func WriteNPYUint8(path string, data []uint8, shape []int) error {
	return writeNPY(path, "|u1", len(data), shape, func(w *NPYWriter) error { return w.WriteUint8(data) })
}

// writeNPY checks that n elements fill shape, creates the directory and
// the file, and lets write fill it.
func writeNPY(path, descr string, n int, shape []int, write func(*NPYWriter) error) error {
	if err := checkShape(path, n, shape); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	w, err := CreateNPY(path, descr, shape)
	if err != nil {
		return err
	}
	if err := write(w); err != nil {
		w.Abort()
		return err
	}
	return w.Close()
}

func checkShape(path string, n int, shape []int) error {
	p := 1
	for _, s := range shape {
		p *= s
	}
	if p != n {
		return fmt.Errorf("%s: shape %v holds %d elements, data has %d", path, shape, p, n)
	}
	return nil
}

// writeAtomic writes a file atomically (see fileutil.WriteFile), creating
// its directory when needed.
func writeAtomic(path string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return fileutil.WriteFile(path, write)
}
