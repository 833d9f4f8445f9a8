package segy

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"
)

// fuzzSeeds are small valid and nearly valid files for the fuzzers.
func fuzzSeeds() [][]byte {
	rev2 := synth{ns: 3, traces: 2, rev: [2]byte{2, 0}}.bytes()
	binary.BigEndian.PutUint32(rev2[3296:], 0x01020304)
	return [][]byte{
		synth{format: FormatIBM, ns: 4, traces: 3}.bytes(),
		synth{bo: binary.LittleEndian, format: FormatInt16, ns: 5, traces: 4}.bytes(),
		synth{format: FormatUint24, ns: 2, traces: 2, textExt: 1}.bytes(),
		rev2,
		gridFile([][2]int{{1, 1}, {1, 2}, {2, 1}}),
	}
}

// FuzzOpen feeds arbitrary bytes to the header parser and layout logic:
// it must return an error or a File whose every trace can be read, and
// never panic or read out of bounds.
func FuzzOpen(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s, false)
	}
	f.Add(suBytes(binary.BigEndian, binary.BigEndian, 3, 2), true)
	f.Fuzz(func(t *testing.T, b []byte, su bool) {
		opts := Options{}
		if su {
			opts.Container = ContainerSU
		}
		file, err := NewReader(bytes.NewReader(b), int64(len(b)), "fuzz.sgy", opts)
		if err != nil {
			if file != nil {
				t.Fatal("file and error")
			}
			return
		}
		if file.NumTraces() <= 0 || file.NumSamples() <= 0 {
			t.Fatalf("opened with %d traces of %d samples", file.NumTraces(), file.NumSamples())
		}
		if file.DataOffset()+int64(file.NumTraces())*file.TraceStride() != int64(len(b)) {
			t.Fatal("layout does not cover the file exactly")
		}
		_ = file.TextHeader()
		_ = file.ExtendedTextHeaders()
		if _, err := file.TraceHeader(file.NumTraces() - 1); err != nil {
			t.Fatal(err)
		}
		if _, err := file.Stats(); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzReadTrace decodes arbitrary sample bytes in every supported format
// and byte order and checks float32 and float64 decodes agree.
func FuzzReadTrace(f *testing.F) {
	f.Add([]byte{0xB8, 0x04, 0x80, 0xCC, 0x7F, 0xFF, 0xFF, 0xFF, 0, 0x10, 0, 0, 0x41, 0x10, 0, 0}, uint8(1), false)
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8}, uint8(15), true)
	f.Fuzz(func(t *testing.T, data []byte, code uint8, little bool) {
		fm := Format(code)
		if !fm.Supported() || len(data) < fm.Size() {
			return
		}
		ns := len(data) / fm.Size()
		bo := binary.ByteOrder(binary.BigEndian)
		if little {
			bo = binary.LittleEndian
		}
		b := synth{bo: bo, format: fm, ns: ns, traces: 2, data: func(_ int, d []byte) { copy(d, data) }}.bytes()
		file, err := openBytes(t, b, "fuzz.sgy", Options{})
		if err != nil {
			t.Fatal(err)
		}
		v32 := make([]float32, ns)
		v64 := make([]float64, ns)
		if err := file.ReadTrace(1, v32); err != nil {
			t.Fatal(err)
		}
		if err := file.ReadTrace64(1, v64); err != nil {
			t.Fatal(err)
		}
		for k := range v32 {
			if fm.Integer() && fm.Size() == 8 && math.Abs(v64[k]) >= 1<<53 {
				continue // float64 is not exact there; float32 rounds the integer directly
			}
			want := float32(v64[k])
			if fm == FormatIBM && math.Abs(v64[k]) > math.MaxFloat32 {
				want = float32(math.Copysign(math.Inf(1), v64[k]))
			}
			if v32[k] != want && !(math.IsNaN(float64(v32[k])) && math.IsNaN(v64[k])) {
				t.Fatalf("format %d sample %d: float32 %v, float64 %v", fm, k, v32[k], v64[k])
			}
		}
		if fm == FormatIEEE || fm == FormatFloat64 {
			return // NaN payloads and float64 -> float32 rounding do not round-trip
		}
		// Integer formats and IBM: writing the decoded values back in the
		// same format gives values that decode to the same numbers.
		enc := make([]byte, ns*fm.Size())
		if err := encodeSamples(enc, v32, fm, bo); err != nil {
			if fm.Integer() && (fm.Size() >= 4) {
				return // float32 rounding can push a large integer out of range
			}
			if fm == FormatIBM {
				return // Inf has no IBM form
			}
			t.Fatalf("format %d: re-encoding %v: %v", fm, v32, err)
		}
		back := make([]float32, ns)
		decodeFloat32(back, enc, fm, bo)
		for k := range back {
			if back[k] != v32[k] && !(fm == FormatIBM && float32(ibmToFloat64(mustIBM(t, v32[k]))) == back[k]) {
				t.Fatalf("format %d sample %d: %v re-decodes as %v", fm, k, v32[k], back[k])
			}
		}
	})
}

func mustIBM(t *testing.T, v float32) uint32 {
	w, err := float32ToIBM(v)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// FuzzGeometry builds a geometry from arbitrary key triples: it must
// either fail or index every trace exactly once, with holes = cells - traces.
func FuzzGeometry(f *testing.F) {
	f.Add([]byte{1, 1, 0, 1, 2, 0, 2, 1, 0, 2, 2, 0})
	f.Add([]byte{1, 10, 0, 2, 8, 0, 2, 9, 0, 3, 10, 0})
	f.Add([]byte{0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, keys []byte) {
		n := len(keys) / 3
		if n == 0 {
			return
		}
		il, xl, off := make([]int, n), make([]int, n), make([]int, n)
		for i := 0; i < n; i++ {
			il[i], xl[i], off[i] = int(int8(keys[3*i])), int(keys[3*i+1])%32, int(keys[3*i+2]%3)
		}
		g, err := InferGeometry(il, xl, off)
		if err != nil {
			return
		}
		seen := make([]bool, n)
		for i := range g.Inlines {
			for j := range g.Crosslines {
				for k := range g.Offsets {
					tr, ok := g.TraceAtIndex(i, j, k)
					if !ok {
						continue
					}
					if seen[tr] || il[tr] != g.Inlines[i] || xl[tr] != g.Crosslines[j] || off[tr] != g.Offsets[k] {
						t.Fatalf("trace %d misplaced or indexed twice", tr)
					}
					seen[tr] = true
				}
			}
		}
		for tr, s := range seen {
			if !s {
				t.Fatalf("trace %d not indexed", tr)
			}
		}
		if len(g.Missing) != g.NumCells()-n {
			t.Fatalf("%d holes for %d cells and %d traces", len(g.Missing), g.NumCells(), n)
		}
	})
}
