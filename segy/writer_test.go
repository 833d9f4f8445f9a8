package segy

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestWriterRoundTripAllFormats(t *testing.T) {
	formats := []Format{FormatIBM, FormatInt32, FormatInt16, FormatIEEE, FormatFloat64, FormatInt24, FormatInt8,
		FormatInt64, FormatUint32, FormatUint16, FormatUint64, FormatUint24, FormatUint8}
	for _, fm := range formats {
		for _, end := range []Endian{BigEndian, LittleEndian} {
			t.Run(fm.String()+"/"+end.String(), func(t *testing.T) {
				const ns, n = 13, 7
				path := filepath.Join(t.TempDir(), "rt.sgy")
				w, err := Create(path, WriterOptions{Samples: ns, Interval: 2000, Format: fm, Endian: end, Text: "C 1 ROUND TRIP\nC 2 LINE TWO"})
				if err != nil {
					t.Fatal(err)
				}
				want := make([][]float32, n)
				for tr := 0; tr < n; tr++ {
					var h TraceHeader
					h.Inline, h.Crossline, h.Offset = 100+tr/3, 20+tr%3, 1
					h.GroupX = -314346
					want[tr] = make([]float32, ns)
					for k := range want[tr] {
						v := float32(tr*10 + k)
						if !fm.Integer() {
							v = float32(math.Sin(float64(tr*ns+k))) * 1e3
						}
						if fm == FormatIBM {
							v = 0.5 * float32(tr-k) // exactly representable in IBM
						}
						want[tr][k] = v
					}
					if err := w.WriteTrace(h, want[tr]); err != nil {
						t.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				f, err := Open(path, Options{})
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if f.Format() != fm || f.ByteOrder() != end || f.NumTraces() != n || f.NumSamples() != ns || f.Interval() != 2000 {
					t.Fatalf("read back %v %v %d x %d dt %d", f.Format(), f.ByteOrder(), f.NumTraces(), f.NumSamples(), f.Interval())
				}
				if major, _ := f.Revision(); major != 1 {
					t.Errorf("revision %d, want 1", major)
				}
				if !strings.HasPrefix(f.TextHeader(), "C 1 ROUND TRIP") || f.TextEncoding() != EBCDIC {
					t.Errorf("text %q", f.TextHeader()[:80])
				}
				got := make([]float32, ns)
				for tr := 0; tr < n; tr++ {
					if err := f.ReadTrace(tr, got); err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(got, want[tr]) {
						t.Fatalf("trace %d: %v, want %v", tr, got, want[tr])
					}
					h, _ := f.TraceHeader(tr)
					if h.Inline != 100+tr/3 || h.Crossline != 20+tr%3 || h.GroupX != -314346 || h.NumSamples != ns || h.Interval != 2000 {
						t.Fatalf("trace %d header %+v", tr, h)
					}
				}
			})
		}
	}
}

func TestWriterRejects(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.sgy")
	if _, err := Create(path, WriterOptions{Samples: 0}); err == nil {
		t.Fatal("zero samples must fail")
	}
	if _, err := Create(path, WriterOptions{Samples: 3, Format: FormatFixGain}); err == nil {
		t.Fatal("format 4 must fail")
	}
	w, err := Create(path, WriterOptions{Samples: 3, Format: FormatInt8})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteTrace(TraceHeader{}, []float32{1, 2}); err == nil {
		t.Fatal("short trace must fail")
	}
	if err := w.WriteTrace(TraceHeader{}, []float32{1, 200, 3}); err == nil || !strings.Contains(err.Error(), "does not fit") {
		t.Fatalf("200 in int8: %v", err)
	}
	if err := w.WriteTrace(TraceHeader{TraceID: 1 << 20}, []float32{1, 2, 3}); err == nil {
		t.Fatal("a header value that does not fit 2 bytes must fail")
	}
	w.Abort()
	left, _ := os.ReadDir(dir)
	if len(left) != 0 {
		t.Fatalf("abort left %v behind", left)
	}
}

func TestWriterIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.sgy")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := Create(path, WriterOptions{Samples: 2})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteTrace(TraceHeader{}, []float32{1, 2}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Fatal("destination changed before Close")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Size() != 3600+248 || st.Mode().Perm() != 0o644 {
		t.Fatalf("size %d mode %v", st.Size(), st.Mode())
	}
	if left, _ := os.ReadDir(dir); len(left) != 1 {
		t.Fatalf("temporary files left: %v", left)
	}
}

func TestWriteCubeRoundTrip(t *testing.T) {
	ils, xls := []int{10, 12, 14}, []int{100, 101, 102, 103}
	const ns = 5
	data := make([]float32, len(ils)*len(xls)*ns)
	for i := range data {
		data[i] = float32(i) * 0.25
	}
	missing := make([]bool, len(ils)*len(xls))
	missing[0], missing[7] = true, true
	path := filepath.Join(t.TempDir(), "cube.sgy")
	c := Cube{Inlines: ils, Crosslines: xls, Samples: ns, Data: data, Interval: 4000, Delay: 8, Format: FormatIBM, Missing: missing,
		Origin: [2]float64{605000.5, 6073000.25}, InlineStep: [2]float64{0, 25}, CrosslineStep: [2]float64{25, 0}, CoordScalar: -100}
	if err := WriteCube(path, c); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g, err := f.Geometry()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(g.Inlines, ils) || !slices.Equal(g.Crosslines, xls) || len(g.Missing) != 2 || f.Delay() != 8 || f.Interval() != 4000 {
		t.Fatalf("geometry %v %v missing %v delay %v", g.Inlines, g.Crosslines, g.Missing, f.Delay())
	}
	if g.Missing[0] != (Cell{10, 100, 0}) || g.Missing[1] != (Cell{12, 103, 0}) {
		t.Fatalf("holes %v", g.Missing)
	}
	cube, err := f.ReadCube()
	if err != nil {
		t.Fatal(err)
	}
	for k := range data {
		want := data[k]
		if missing[k/ns] {
			want = 0
		}
		if cube[k] != want {
			t.Fatalf("cube[%d] = %v, want %v", k, cube[k], want)
		}
	}
	tr, _ := g.Trace(14, 102)
	h, _ := f.TraceHeader(tr)
	x, y := h.CDPXY()
	if x != 605000.5+2*25 || y != 6073000.25+2*25 {
		t.Fatalf("coordinates of (14, 102): %v, %v", x, y)
	}
	bad := c
	bad.Data = data[:10]
	if err := WriteCube(filepath.Join(t.TempDir(), "bad.sgy"), bad); err == nil {
		t.Fatal("wrong data length must fail")
	}
}

func TestCopyHeadersWithNewSamples(t *testing.T) {
	td := testdataDir(t)
	in, err := Open(filepath.Join(td, "f3-lsb.sgy"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	path := filepath.Join(t.TempDir(), "facies.sgy")
	w, err := Create(path, WriterOptions{Samples: in.NumSamples(), Interval: in.Interval(), Format: FormatInt8, Text: in.TextHeader()})
	if err != nil {
		t.Fatal(err)
	}
	pred := make([]float32, in.NumSamples())
	for i := 0; i < in.NumTraces(); i++ {
		h, err := in.TraceHeader(i)
		if err != nil {
			t.Fatal(err)
		}
		for k := range pred {
			pred[k] = float32((i + k) % 6)
		}
		if err := w.WriteTrace(h, pred); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	gi, _ := in.Geometry()
	go_, err := out.Geometry()
	if err != nil || !slices.Equal(gi.Inlines, go_.Inlines) || !slices.Equal(gi.Crosslines, go_.Crosslines) || out.Delay() != in.Delay() {
		t.Fatalf("geometry not kept: %v", err)
	}
	for i := 0; i < in.NumTraces(); i += 37 {
		a, _ := in.TraceHeader(i)
		b, _ := out.TraceHeader(i)
		a.Set("ns", int64(in.NumSamples())) // the writer corrects the wrong 462
		if a != b {
			t.Fatalf("trace %d header changed:\n%+v\n%+v", i, a, b)
		}
		out.ReadTrace(i, pred)
		if pred[3] != float32((i+3)%6) {
			t.Fatalf("trace %d sample 3 = %v", i, pred[3])
		}
	}
	if out.TextHeader() != in.TextHeader() {
		t.Fatal("text header not copied")
	}
}
