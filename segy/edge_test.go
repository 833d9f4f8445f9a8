package segy

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Tests named TestEdgeNN follow entry NN of shared/testdata/segy/EDGE_CASES.md.

func putF32(bo binary.ByteOrder) func(t int, d []byte) {
	return func(t int, d []byte) {
		for k := 0; k < len(d)/4; k++ {
			bo.PutUint32(d[4*k:], math.Float32bits(float32(t*1000+k)))
		}
	}
}

func TestEdge01LongTracesUnsignedSamples(t *testing.T) {
	b := synth{ns: 60000, traces: 3, data: putF32(binary.BigEndian)}.bytes()
	f := mustOpen(t, b, "long.sgy", Options{})
	if f.NumSamples() != 60000 || f.NumTraces() != 3 {
		t.Fatalf("got %d samples x %d traces, want 60000 x 3", f.NumSamples(), f.NumTraces())
	}
	tr := make([]float32, 60000)
	if err := f.ReadTrace(2, tr); err != nil {
		t.Fatal(err)
	}
	if tr[59999] != 2000+59999 {
		t.Fatalf("last sample %v", tr[59999])
	}
}

func TestEdge02Rev2ExtendedSamples(t *testing.T) {
	const ns = 40000
	s := synth{ns: ns, traces: 2, binNS: 0, rev: [2]byte{2, 0}, data: putF32(binary.BigEndian)}
	b := s.bytes()
	binary.BigEndian.PutUint32(b[3268:], ns)
	binary.BigEndian.PutUint16(b[3506:], 1) // one additional trace header per trace
	// Insert a 240-byte extension after each trace header.
	var out []byte
	out = append(out, b[:3600]...)
	stride := 240 + 4*ns
	for k := 0; k < 2; k++ {
		tr := b[3600+k*stride : 3600+(k+1)*stride]
		ext := make([]byte, 240)
		binary.BigEndian.PutUint32(ext[136:], ns)
		out = append(out, tr[:240]...)
		out = append(out, ext...)
		out = append(out, tr[240:]...)
	}
	f := mustOpen(t, out, "rev2.sgy", Options{})
	if f.NumSamples() != ns || f.ExtraTraceHeaders() != 1 || f.NumTraces() != 2 {
		t.Fatalf("got ns %d, extra headers %d, traces %d", f.NumSamples(), f.ExtraTraceHeaders(), f.NumTraces())
	}
	tr := make([]float32, ns)
	if err := f.ReadTrace(1, tr); err != nil {
		t.Fatal(err)
	}
	if tr[0] != 1000 || tr[ns-1] != 1000+ns-1 {
		t.Fatalf("trace 1 samples %v ... %v", tr[0], tr[ns-1])
	}
	ext, err := f.RawExtraTraceHeader(1, 0)
	if err != nil || binary.BigEndian.Uint32(ext[136:]) != ns {
		t.Fatalf("extension header: %v", err)
	}
}

func TestEdge03BinarySamplesWinOverTraceHeader(t *testing.T) {
	for _, trNS := range []int{0, 462} {
		b := synth{format: FormatIBM, ns: 60, traces: 4, hdr: func(_ int, h []byte) {
			binary.BigEndian.PutUint16(h[114:], uint16(trNS))
		}}.bytes()
		f := mustOpen(t, b, "ns.sgy", Options{})
		if f.NumSamples() != 60 {
			t.Fatalf("trace ns %d: got %d samples, want 60", trNS, f.NumSamples())
		}
		if warned := len(f.Warnings()) > 0; warned != (trNS != 0) {
			t.Errorf("trace ns %d: warnings %v", trNS, f.Warnings())
		}
	}
}

func TestEdge04SamplesOverride(t *testing.T) {
	const ns = 300000
	b := synth{ns: ns, binNS: ns % 65536, traces: 2, data: putF32(binary.BigEndian)}.bytes()
	if _, err := openBytes(t, b, "sensor.sgy", Options{}); err == nil || !strings.Contains(err.Error(), "sensor.sgy") {
		t.Fatalf("wrapped sample count should fail with the file named, got %v", err)
	}
	f := mustOpen(t, b, "sensor.sgy", Options{Samples: ns})
	if f.NumTraces() != 2 {
		t.Fatalf("traces %d", f.NumTraces())
	}
	if _, err := openBytes(t, b, "sensor.sgy", Options{Samples: ns - 1}); err == nil {
		t.Fatal("an override that does not fit the file size must fail")
	}
}

func TestEdge05Int16Stride(t *testing.T) {
	b := synth{format: FormatInt16, ns: 75, traces: 6, data: func(t int, d []byte) {
		for k := 0; k < 75; k++ {
			binary.BigEndian.PutUint16(d[2*k:], uint16(int16(-t*100-k)))
		}
	}}.bytes()
	f := mustOpen(t, b, "f3like.sgy", Options{})
	if f.TraceStride() != 390 || f.NumTraces() != 6 {
		t.Fatalf("stride %d traces %d, want 390 and 6", f.TraceStride(), f.NumTraces())
	}
	tr := make([]float32, 75)
	if err := f.ReadTrace(5, tr); err != nil || tr[74] != -574 {
		t.Fatalf("trace 5 last sample %v (%v)", tr[74], err)
	}
}

func TestEdge06StrayByte(t *testing.T) {
	b := synth{ns: 10, traces: 3}.bytes()
	pos := 3600 + 2*280 + 100
	b = append(b[:pos], append([]byte{0xAB}, b[pos:]...)...)
	_, err := openBytes(t, b, "stray.sgy", Options{})
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("want FormatError, got %v", err)
	}
	for _, want := range []string{"stray.sgy", "3 whole traces and 1 bytes left over", "trace 3"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestEdge07TraceCountFromSizeNot3213(t *testing.T) {
	if testing.Short() {
		t.Skip("sparse 4.7 GB file")
	}
	const ns, n = 1000, 1100000
	path := filepath.Join(t.TempDir(), "sparse.sgy")
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	hdr := synth{ns: ns, traces: 0}.bytes()
	binary.BigEndian.PutUint16(hdr[3212:], 1234) // traces per ensemble: must be ignored
	stride := int64(240 + 4*ns)
	last := make([]byte, stride)
	binary.BigEndian.PutUint32(last[188:], 77)
	binary.BigEndian.PutUint32(last[240+4*(ns-1):], math.Float32bits(42.5))
	_, err1 := fh.Write(hdr)
	_, err2 := fh.WriteAt(last, 3600+(n-1)*stride)
	if err := errors.Join(err1, err2, fh.Close()); err != nil {
		t.Skipf("cannot make a sparse file here: %v", err)
	}
	f, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.NumTraces() != n {
		t.Fatalf("traces %d, want %d", f.NumTraces(), n)
	}
	h, err := f.TraceHeader(n - 1)
	if err != nil || h.Inline != 77 {
		t.Fatalf("last trace inline %d (%v)", h.Inline, err)
	}
	tr := make([]float32, ns)
	if err := f.ReadTrace(n-1, tr); err != nil || tr[ns-1] != 42.5 {
		t.Fatalf("last sample %v (%v)", tr[ns-1], err)
	}
}

func TestEdge08IBMExact(t *testing.T) {
	cases := []struct {
		word uint32
		f64  float64
		f32  float32
	}{
		{0xB80480CC, -4.095557226690971e-12, float32(-4.095557226690971e-12)},
		{0x20100000, math.Ldexp(1, -132), float32(math.Ldexp(1, -132))},
		{0x00100000, math.Pow(16, -65), 0},
		{0x7FFFFFFF, float64(0xFFFFFF) * math.Pow(16, 63-6), float32(math.Inf(1))},
		{0xFFFFFFFF, -float64(0xFFFFFF) * math.Pow(16, 63-6), float32(math.Inf(-1))},
		{0x41100000, 1, 1},
		{0xC276A000, -118.625, -118.625},
		{0x00000000, 0, 0},
		{0x80000000, math.Copysign(0, -1), float32(math.Copysign(0, -1))},
	}
	words := make([]uint32, len(cases))
	for i, c := range cases {
		words[i] = c.word
		if got := ibmToFloat64(c.word); got != c.f64 && math.Abs(got-c.f64) > 1e-15*math.Abs(c.f64) {
			t.Errorf("ibm %08X as float64 = %v, want %v", c.word, got, c.f64)
		}
		if got := ibmToFloat32(c.word); got != c.f32 || math.Signbit(float64(got)) != math.Signbit(float64(c.f32)) {
			t.Errorf("ibm %08X as float32 = %v, want %v", c.word, got, c.f32)
		}
	}
	// The same words in a little-endian file.
	b := synth{bo: binary.LittleEndian, format: FormatIBM, ns: len(words), traces: 1, data: func(_ int, d []byte) {
		for k, w := range words {
			binary.LittleEndian.PutUint32(d[4*k:], w)
		}
	}}.bytes()
	f := mustOpen(t, b, "ibm-lsb.sgy", Options{})
	got := make([]float64, len(words))
	if err := f.ReadTrace64(0, got); err != nil {
		t.Fatal(err)
	}
	if got[0] != -4.095557226690971e-12 || got[2] != math.Pow(16, -65) {
		t.Fatalf("little-endian IBM decode %v", got[:3])
	}
}

func TestIBMEncodeRoundTrip(t *testing.T) {
	vals := []float32{1, -1, 0.1, 3.4028235e38, 1e-45, 1.1754944e-38, -118.625, 5.2400403, 123456.79}
	for _, v := range vals {
		w, err := float32ToIBM(v)
		if err != nil {
			t.Fatal(err)
		}
		back := ibmToFloat64(w)
		// IBM keeps at least 21 significant bits: the error is below 2^-21 relative.
		if math.Abs(back-float64(v)) > math.Abs(float64(v))*math.Ldexp(1, -21) {
			t.Errorf("%v -> %08X -> %v", v, w, back)
		}
	}
	if w, _ := float32ToIBM(1); w != 0x41100000 {
		t.Errorf("1.0 encodes as %08X, want 41100000", w)
	}
	if _, err := float32ToIBM(float32(math.NaN())); err == nil {
		t.Error("NaN must not encode as IBM")
	}
}

func TestEdge09FormatOverride(t *testing.T) {
	b := synth{format: FormatIBM, ns: 2, traces: 1, data: func(_ int, d []byte) {
		binary.BigEndian.PutUint32(d, math.Float32bits(1))
		binary.BigEndian.PutUint32(d[4:], 0x41100000)
	}}.bytes()
	tr := make([]float32, 2)
	if err := mustOpen(t, b, "rev0.sgy", Options{}).ReadTrace(0, tr); err != nil || tr[0] != 0.03125 {
		t.Fatalf("IEEE 1.0 read as IBM = %v (%v), want 0.03125", tr[0], err)
	}
	if err := mustOpen(t, b, "rev0.sgy", Options{Format: FormatIEEE}).ReadTrace(0, tr); err != nil || tr[0] != 1 || tr[1] != 9 {
		t.Fatalf("override to IEEE gives %v (%v), want [1 9]", tr, err)
	}
}

func TestEdge10Format6OneByteSamples(t *testing.T) {
	b := synth{format: FormatInt8, ns: 7, traces: 5, data: func(t int, d []byte) { d[0] = byte(t) }}.bytes()
	binary.BigEndian.PutUint16(b[3224:], 6) // vendor code 6 for 1-byte integers
	_, err := openBytes(t, b, "vendor6.sgy", Options{})
	if err == nil || !strings.Contains(err.Error(), "vendor6.sgy") || !strings.Contains(err.Error(), "not a whole number") {
		t.Fatalf("want a size error naming the file, got %v", err)
	}
	f := mustOpen(t, b, "vendor6.sgy", Options{Format: FormatInt8})
	tr := make([]float32, 7)
	if err := f.ReadTrace(4, tr); err != nil || tr[0] != 4 {
		t.Fatalf("override gives %v (%v)", tr[0], err)
	}
}

func TestEdge11Format4Rejected(t *testing.T) {
	b := synth{format: FormatIEEE, ns: 1, traces: 1, data: func(_ int, d []byte) { copy(d, []byte{0, 3, 0, 0x10}) }}.bytes()
	binary.BigEndian.PutUint16(b[3224:], 4)
	_, err := openBytes(t, b, "gain.sgy", Options{})
	if err == nil || !strings.Contains(err.Error(), "format 4") || !strings.Contains(err.Error(), "gain.sgy") {
		t.Fatalf("format 4 should be refused clearly, got %v", err)
	}
}

func TestEdge12ByteOrderDetection(t *testing.T) {
	cases := []struct {
		name  string
		bo    binary.ByteOrder
		konst []byte
		want  Endian
		fails bool
	}{
		{"big rev1", binary.BigEndian, nil, BigEndian, false},
		{"little rev1", binary.LittleEndian, nil, LittleEndian, false},
		{"little rev2 constant", binary.LittleEndian, []byte{4, 3, 2, 1}, LittleEndian, false},
		{"big rev2 constant", binary.BigEndian, []byte{1, 2, 3, 4}, BigEndian, false},
		{"pair-swapped", binary.BigEndian, []byte{2, 1, 4, 3}, BigEndian, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := synth{bo: c.bo, format: FormatIBM, ns: 3, traces: 4}.bytes()
			copy(b[3296:], c.konst)
			f, err := openBytes(t, b, "order.sgy", Options{})
			if c.fails {
				if err == nil {
					t.Fatal("pair-swapped order should be refused")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.ByteOrder() != c.want || f.NumSamples() != 3 {
				t.Fatalf("order %v ns %d", f.ByteOrder(), f.NumSamples())
			}
			g, err := f.Geometry()
			if err != nil || len(g.Inlines) != 2 || len(g.Crosslines) != 3 {
				t.Fatalf("geometry %+v (%v)", g, err)
			}
		})
	}
}

func TestEdge13BulkAndSingleHeaderReadsAgree(t *testing.T) {
	b := synth{bo: binary.LittleEndian, ns: 2, traces: 5, hdr: func(tr int, h []byte) {
		binary.LittleEndian.PutUint16(h[116:], 1000)
		binary.LittleEndian.PutUint16(h[118:], 0xFFFF)
		binary.LittleEndian.PutUint32(h[80:], uint32(int32(-314346+tr)))
	}}.bytes()
	f := mustOpen(t, b, "le-headers.sgy", Options{})
	fields := TraceFields
	bulk, err := f.ScanKeys(fields)
	if err != nil {
		t.Fatal(err)
	}
	for tr := 0; tr < f.NumTraces(); tr++ {
		h, err := f.TraceHeader(tr)
		if err != nil {
			t.Fatal(err)
		}
		if h.Interval != 1000 || h.GroupX != -314346+tr {
			t.Fatalf("trace %d: dt %d group x %d", tr, h.Interval, h.GroupX)
		}
		for i, fl := range fields {
			single, err := f.HeaderWord(tr, fl.Byte, fl.Width, fl.Unsigned)
			if err != nil {
				t.Fatal(err)
			}
			named, _ := h.Get(fl.Name)
			if int64(bulk[i][tr]) != single || single != named {
				t.Fatalf("trace %d %s: bulk %d, single %d, named %d", tr, fl.Name, bulk[i][tr], single, named)
			}
		}
	}
}

func suBytes(hbo, sbo binary.ByteOrder, ns, n int) []byte {
	var out []byte
	for t := 0; t < n; t++ {
		h := make([]byte, 240)
		hbo.PutUint32(h[4:], uint32(1+t/5))
		hbo.PutUint32(h[20:], uint32(20+t%5))
		hbo.PutUint16(h[114:], uint16(ns))
		binary.BigEndian.PutUint32(h[188:], 0x394F7C78) // SU d2 as float bits
		out = append(out, h...)
		for k := 0; k < ns; k++ {
			d := make([]byte, 4)
			sbo.PutUint32(d, math.Float32bits(float32(t)+float32(k)/100))
			out = append(out, d...)
		}
	}
	return out
}

func TestEdge14XDRSeismicUnix(t *testing.T) {
	b := suBytes(binary.LittleEndian, binary.BigEndian, 50, 10)
	f := mustOpen(t, b, "xdr.su", Options{SampleEndian: BigEndian})
	if f.ByteOrder() != LittleEndian || f.SampleByteOrder() != BigEndian || f.NumSamples() != 50 {
		t.Fatalf("orders %v/%v ns %d", f.ByteOrder(), f.SampleByteOrder(), f.NumSamples())
	}
	tr := make([]float32, 50)
	if err := f.ReadTrace(3, tr); err != nil || tr[7] != float32(3)+float32(7)/100 {
		t.Fatalf("sample %v (%v)", tr[7], err)
	}
}

func TestEdge15TextEncoding(t *testing.T) {
	ascii := []byte(strings.Repeat(" ", 3200))
	copy(ascii, "C 1 CLIENT")
	ebcdic := EncodeText("C 1 CLIENT", EBCDIC)
	noC := EncodeText("  HELLO WORLD", EBCDIC)
	cases := []struct {
		name string
		b    []byte
		enc  TextEncoding
		line string
	}{
		{"ascii", ascii, ASCII, "C 1 CLIENT"},
		{"ebcdic", ebcdic, EBCDIC, "C 1 CLIENT"},
		{"ebcdic without C", noC, EBCDIC, "  HELLO WORLD"},
		{"all NUL", make([]byte, 3200), ASCII, ""},
	}
	for _, c := range cases {
		enc := DetectTextEncoding(c.b)
		text := DecodeText(c.b, enc)
		lines := strings.Split(text, "\n")
		if enc != c.enc || len(lines) != 40 || strings.TrimRight(lines[0], " ") != c.line {
			t.Errorf("%s: %v, %d lines, first %q", c.name, enc, len(lines), lines[0])
		}
	}
}

func TestEdge16NulInText(t *testing.T) {
	b := synth{ns: 1, traces: 1}.bytes()
	b[24] = 0
	f := mustOpen(t, b, "nul.sgy", Options{})
	text := f.TextHeader()
	if lines := strings.Split(text, "\n"); len(lines) != 40 || len(lines[0]) != 80 || len(text) != 3239 {
		t.Fatalf("text with NUL: %d lines, %d chars", len(lines), len(text))
	}
}

func TestEdge17SignedHeaderWords(t *testing.T) {
	b := synth{ns: 1, traces: 1, hdr: func(_ int, h []byte) {
		copy(h[80:], []byte{0xFF, 0xFB, 0x34, 0x16})
		copy(h[70:], []byte{0xFF, 0xF6})
		putWord(h, 180, 4, -123450, binary.BigEndian)
		binary.BigEndian.PutUint32(h[184:], 67890)
	}}.bytes()
	h, err := mustOpen(t, b, "neg.sgy", Options{}).TraceHeader(0)
	if err != nil {
		t.Fatal(err)
	}
	x, y := h.CDPXY()
	if h.GroupX != -314346 || h.CoordScalar != -10 || x != -12345 || y != 6789 {
		t.Fatalf("group x %d scalar %d cdp %v,%v", h.GroupX, h.CoordScalar, x, y)
	}
}

// gridFile builds a file holding the given (inline, crossline) traces in
// order; sample 0 of each trace is il*1000+xl.
func gridFile(cells [][2]int) []byte {
	return synth{ns: 4, traces: len(cells), hdr: func(t int, h []byte) {
		binary.BigEndian.PutUint32(h[188:], uint32(cells[t][0]))
		binary.BigEndian.PutUint32(h[192:], uint32(cells[t][1]))
	}, data: func(t int, d []byte) {
		binary.BigEndian.PutUint32(d, math.Float32bits(float32(cells[t][0]*1000+cells[t][1])))
	}}.bytes()
}

func TestEdge18MissingTraces(t *testing.T) {
	var cells [][2]int
	dropped := map[[2]int]bool{{111, 875}: true, {111, 876}: true, {112, 875}: true, {120, 880}: true}
	for il := 111; il <= 133; il++ {
		for xl := 875; xl <= 892; xl++ {
			if !dropped[[2]int{il, xl}] {
				cells = append(cells, [2]int{il, xl})
			}
		}
	}
	f := mustOpen(t, gridFile(cells), "holes.sgy", Options{})
	g, err := f.Geometry()
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Inlines) != 23 || len(g.Crosslines) != 18 || len(g.Missing) != 4 || g.Sorting != InlineSorted {
		t.Fatalf("%d x %d, %d missing, %v", len(g.Inlines), len(g.Crosslines), len(g.Missing), g.Sorting)
	}
	for _, m := range g.Missing {
		if !dropped[[2]int{m.Inline, m.Crossline}] {
			t.Errorf("hole %v was not dropped", m)
		}
	}
	cube, err := f.ReadCube()
	if err != nil {
		t.Fatal(err)
	}
	for i, il := range g.Inlines {
		for j, xl := range g.Crosslines {
			want := float32(il*1000 + xl)
			if dropped[[2]int{il, xl}] {
				want = 0
			}
			if got := cube[(i*18+j)*4]; got != want {
				t.Fatalf("cube[%d,%d] = %v, want %v", il, xl, got, want)
			}
		}
	}
}

func TestEdge19IrregularOutline(t *testing.T) {
	var cells [][2]int
	for _, r := range [][3]int{{1, 10, 14}, {2, 8, 15}, {3, 10, 14}} {
		for xl := r[1]; xl <= r[2]; xl++ {
			cells = append(cells, [2]int{r[0], xl})
		}
	}
	f := mustOpen(t, gridFile(cells), "outline.sgy", Options{})
	g, err := f.Geometry()
	if err != nil {
		t.Fatal(err)
	}
	if g.NumCells() != 24 || f.NumTraces() != 18 || len(g.Missing) != 6 || g.Sorting != InlineSorted {
		t.Fatalf("%d cells, %d traces, %d missing, %v", g.NumCells(), f.NumTraces(), len(g.Missing), g.Sorting)
	}
	xl, err := f.ReadCrossline(8)
	if err != nil {
		t.Fatal(err)
	}
	if xl[0] != 0 || xl[4] != 2008 || xl[8] != 0 {
		t.Fatalf("crossline 8 = %v", xl)
	}
}

func TestEdge20AnyKeyBytes(t *testing.T) {
	cases := []struct{ il, xl, w int }{{221, 21, 4}, {9, 21, 4}, {5, 21, 4}, {9, 13, 2}}
	for _, c := range cases {
		b := synth{ns: 2, traces: 6, hdr: func(t int, h []byte) {
			for i := range h[188:196] {
				h[188+i] = 0
			}
			putWord(h, c.il-1, c.w, int64(100+t/2), binary.BigEndian)
			putWord(h, c.xl-1, c.w, int64(7+t%2), binary.BigEndian)
		}}.bytes()
		f := mustOpen(t, b, "keys.sgy", Options{IlineByte: c.il, XlineByte: c.xl, IlineWidth: c.w, XlineWidth: c.w})
		g, err := f.Geometry()
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		if !slices.Equal(g.Inlines, []int{100, 101, 102}) || !slices.Equal(g.Crosslines, []int{7, 8}) {
			t.Fatalf("%+v: inlines %v crosslines %v", c, g.Inlines, g.Crosslines)
		}
	}
	if _, err := openBytes(t, synth{ns: 1, traces: 1}.bytes(), "k.sgy", Options{IlineByte: 239}); err == nil {
		t.Fatal("a key past byte 240 must be refused")
	}
}

func TestEdge21SeismicUnixKeys(t *testing.T) {
	for _, bo := range []binary.ByteOrder{binary.BigEndian, binary.LittleEndian} {
		b := suBytes(bo, bo, 50, 25)
		f := mustOpen(t, b, "small.su", Options{})
		if f.Container() != ContainerSU || f.ByteOrder() != endianOf(bo) || f.NumTraces() != 25 {
			t.Fatalf("%v: container %v order %v traces %d", bo, f.Container(), f.ByteOrder(), f.NumTraces())
		}
		if v, _ := f.HeaderWord(0, 189, 4, false); bo == binary.ByteOrder(binary.BigEndian) && v != 961510520 {
			t.Fatalf("word at 189 = %d, want the float bits 961510520", v)
		}
		g, err := f.Geometry()
		if err != nil || len(g.Inlines) != 5 || len(g.Crosslines) != 5 {
			t.Fatalf("SU geometry from 5/21: %+v %v", g, err)
		}
		if f.TextHeader() != "" || f.Interval() != 0 {
			t.Fatalf("SU text %q interval %d", f.TextHeader(), f.Interval())
		}
	}
}

func TestExtendedTextHeaders(t *testing.T) {
	b := synth{ns: 2, traces: 3, textExt: 2}.bytes()
	f := mustOpen(t, b, "ext.sgy", Options{})
	if len(f.ExtendedTextHeaders()) != 2 || f.DataOffset() != 3600+6400 {
		t.Fatalf("%d extended headers, data at %d", len(f.ExtendedTextHeaders()), f.DataOffset())
	}
	// Count -1: scan until the end stanza, in any case and spacing.
	b = synth{ns: 2, traces: 3, textExt: 2}.bytes()
	binary.BigEndian.PutUint16(b[3504:], 0xFFFF)
	copy(b[3600+3200:], EncodeText("((  seg: endTEXt ))", EBCDIC))
	f = mustOpen(t, b, "ext.sgy", Options{})
	if len(f.ExtendedTextHeaders()) != 2 || f.NumTraces() != 3 {
		t.Fatalf("scan found %d blocks, %d traces", len(f.ExtendedTextHeaders()), f.NumTraces())
	}
	// Declared but absent.
	b = synth{ns: 2, traces: 1}.bytes()
	binary.BigEndian.PutUint16(b[3504:], 5)
	if _, err := openBytes(t, b, "ext.sgy", Options{}); err == nil {
		t.Fatal("5 declared extended headers in a short file must fail")
	}
}

func TestBrokenFilesFailCleanly(t *testing.T) {
	good := synth{ns: 4, traces: 3}.bytes()
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "shorter than the 3600-byte"},
		{"headers only", good[:3600], "no traces"},
		{"last trace cut", good[:len(good)-5], "left over"},
		{"passcal", synth{ns: 4, traces: 20}.bytes()[3600:], "format code"},
		{"zero samples", func() []byte {
			b := append([]byte(nil), good...)
			binary.BigEndian.PutUint16(b[3220:], 0)
			for k := 0; k < 3; k++ {
				binary.BigEndian.PutUint16(b[3600+k*256+114:], 0)
			}
			return b
		}(), "samples per trace is 0"},
		{"garbage format", func() []byte {
			b := append([]byte(nil), good...)
			binary.BigEndian.PutUint16(b[3224:], 0x7777)
			return b
		}(), "format code"},
	}
	for _, c := range cases {
		_, err := openBytes(t, c.b, c.name+".sgy", Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.name+".sgy") {
			t.Errorf("%s: want error with %q naming the file, got %v", c.name, c.want, err)
		}
	}
	if _, err := openBytes(t, good[:3600], "h.sgy", Options{}); !errors.Is(err, ErrNoTraces) {
		t.Errorf("headers-only file: want ErrNoTraces, got %v", err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "absent.sgy"), Options{}); err == nil || !strings.Contains(err.Error(), "absent.sgy") {
		t.Errorf("missing file: %v", err)
	}
}

func TestDuplicateKeysNamed(t *testing.T) {
	f := mustOpen(t, gridFile([][2]int{{1, 1}, {1, 2}, {1, 1}}), "dup.sgy", Options{})
	_, err := f.Geometry()
	if err == nil || !strings.Contains(err.Error(), "inline 1, crossline 1") || !strings.Contains(err.Error(), "traces 0 and 2") {
		t.Fatalf("want duplicate named, got %v", err)
	}
	if _, err := f.ReadCube(); err == nil {
		t.Fatal("ReadCube of an unstructured file must fail")
	}
}

func TestSortingAndSlices(t *testing.T) {
	var cells [][2]int
	for xl := 10; xl <= 12; xl++ { // crossline-sorted: inline varies fastest
		for il := 1; il <= 4; il++ {
			cells = append(cells, [2]int{il, xl})
		}
	}
	f := mustOpen(t, gridFile(cells), "xsorted.sgy", Options{})
	g, err := f.Geometry()
	if err != nil || g.Sorting != CrosslineSorted {
		t.Fatalf("sorting %v (%v)", g, err)
	}
	if tr, ok := g.Trace(3, 11); !ok || tr != 6 {
		t.Fatalf("trace of (3, 11) = %d %v", tr, ok)
	}
	il, _ := f.ReadInline(3)
	ts, _ := f.ReadTimeSlice(0)
	sub, err := f.ReadSubCube(Box{Il0: 1, Il1: 3, Xl0: 1, Xl1: 3, S0: 0, S1: 1})
	if err != nil {
		t.Fatal(err)
	}
	if il[4] != 3011 || ts[3*3+2] != 4012 || !slices.Equal(sub, []float32{2011, 2012, 3011, 3012}) {
		t.Fatalf("inline %v slice %v sub %v", il, ts, sub)
	}
	if _, err := f.ReadSubCube(Box{Il0: 0, Il1: 9, Xl0: 0, Xl1: 1, S0: 0, S1: 1}); err == nil {
		t.Fatal("box outside the survey must fail")
	}
}

func TestDelayTimeScalar(t *testing.T) {
	td := testdataDir(t)
	f, err := Open(filepath.Join(td, "delay-scalar.sgy"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Delay() != 1000 || f.TextEncoding() != ASCII {
		t.Fatalf("delay %v ms (want 10000 * 1/10 = 1000), text %v", f.Delay(), f.TextEncoding())
	}
}

func TestIntervalRules(t *testing.T) {
	cases := []struct{ bin, tr, want int }{{4000, 0, 4000}, {4000, 4000, 4000}, {0, 2000, 2000}, {0, 0, 0}, {2000, 4000, 0}, {-2, 4000, 0}}
	for _, c := range cases {
		b := synth{ns: 1, traces: 1, hdr: func(_ int, h []byte) { binary.BigEndian.PutUint16(h[116:], uint16(int16(c.tr))) }}.bytes()
		binary.BigEndian.PutUint16(b[3216:], uint16(int16(c.bin)))
		if got := mustOpen(t, b, "dt.sgy", Options{}).Interval(); got != c.want {
			t.Errorf("binary %d trace %d: interval %d, want %d", c.bin, c.tr, got, c.want)
		}
	}
}

func TestStatsMergeMatchesWhole(t *testing.T) {
	b := synth{ns: 7, traces: 9, data: func(tr int, d []byte) {
		for k := 0; k < 7; k++ {
			v := float32(tr-4) * float32(k+1) / 3
			if tr == 2 && k == 3 {
				v = float32(math.NaN())
			}
			if tr == 5 && k == 0 {
				v = float32(math.Inf(-1))
			}
			binary.BigEndian.PutUint32(d[4*k:], math.Float32bits(v))
		}
	}}.bytes()
	f := mustOpen(t, b, "stats.sgy", Options{})
	whole, err := f.Stats()
	if err != nil {
		t.Fatal(err)
	}
	var parts Stats
	for first := 0; first < 9; first += 4 {
		n := min(4, 9-first)
		s, err := f.StatsOf(first, n)
		if err != nil {
			t.Fatal(err)
		}
		parts = parts.Merge(s)
	}
	if whole.Count != 61 || whole.NaN != 1 || whole.Inf != 1 || whole.Min != float64(float32(-28)/3) || whole.Max != float64(float32(4)*float32(7)/3) {
		t.Fatalf("whole %+v", whole)
	}
	if !closeRel(parts.Sum, whole.Sum, 1e-15) || parts.Min != whole.Min || parts.Max != whole.Max || parts.Count != whole.Count || parts.NaN != 1 || parts.Inf != 1 {
		t.Fatalf("merged %+v, whole %+v", parts, whole)
	}
}
