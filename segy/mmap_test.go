package segy

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// holeyCube is a 40 x 30 survey with 3 samples per trace in format fm,
// in the given trace order, missing a corner and one inner trace; sample
// k of (il, xl) is il*100+xl+k/4 (k/4 keeps int16 exact).
func holeyCube(t *testing.T, fm Format, crosslineSorted bool) []byte {
	t.Helper()
	var cells [][2]int
	outer, inner := 40, 30
	if crosslineSorted {
		outer, inner = inner, outer
	}
	for a := 0; a < outer; a++ {
		for b := 0; b < inner; b++ {
			il, xl := a, b
			if crosslineSorted {
				il, xl = b, a
			}
			if (il < 3 && xl < 4) || (il == 20 && xl == 7) {
				continue
			}
			cells = append(cells, [2]int{il + 1, xl + 500})
		}
	}
	return synth{format: fm, ns: 3, traces: len(cells), hdr: func(tr int, h []byte) {
		binary.BigEndian.PutUint32(h[188:], uint32(cells[tr][0]))
		binary.BigEndian.PutUint32(h[192:], uint32(cells[tr][1]))
		binary.BigEndian.PutUint16(h[20:], uint16(60000+tr)) // unsigned 2-byte key
	}, data: func(tr int, d []byte) {
		v := make([]float32, 3)
		for k := range v {
			v[k] = float32(cells[tr][0]*100+cells[tr][1]) + float32(k)/4
			if fm.Integer() {
				v[k] = float32(cells[tr][0]*100 + cells[tr][1] + k)
			}
		}
		if err := encodeSamples(d, v, fm, binary.BigEndian); err != nil {
			t.Fatal(err)
		}
	}}.bytes()
}

// TestMappedAndReaderAtAgree reads the same files through Open (memory
// map) and NewReader (positioned reads) and compares every kind of read.
func TestMappedAndReaderAtAgree(t *testing.T) {
	for _, fm := range []Format{FormatIBM, FormatInt16, FormatIEEE, FormatInt32} {
		for _, xsort := range []bool{false, true} {
			raw := holeyCube(t, fm, xsort)
			path := filepath.Join(t.TempDir(), "cube.sgy")
			if err := os.WriteFile(path, raw, 0o644); err != nil {
				t.Fatal(err)
			}
			mf, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if (mf.data != nil) != (runtime.GOOS == "linux") {
				t.Fatalf("memory-mapped: %v on %s", mf.data != nil, runtime.GOOS)
			}
			rf := mustOpen(t, raw, "cube.sgy", Options{})
			type read func(f *File) ([]float32, error)
			reads := map[string]read{
				"cube":      func(f *File) ([]float32, error) { return f.ReadCube() },
				"inline":    func(f *File) ([]float32, error) { return f.ReadInline(21) },
				"crossline": func(f *File) ([]float32, error) { return f.ReadCrossline(507) },
				"slice":     func(f *File) ([]float32, error) { return f.ReadTimeSlice(2) },
				"subcube":   func(f *File) ([]float32, error) { return f.ReadSubCube(Box{1, 5, 2, 9, 1, 3}) },
				"traces":    func(f *File) ([]float32, error) { return f.ReadTraces(5, 100) },
			}
			for name, rd := range reads {
				a, err1 := rd(mf)
				b, err2 := rd(rf)
				if err1 != nil || err2 != nil {
					t.Fatalf("format %d %s: %v / %v", fm, name, err1, err2)
				}
				if !slices.Equal(a, b) {
					t.Fatalf("format %d crossline-sorted %v: %s differs between the memory map and ReadAt", fm, xsort, name)
				}
			}
			g, _ := mf.Geometry()
			if len(g.Missing) != 13 || (g.Sorting == CrosslineSorted) != xsort {
				t.Fatalf("geometry: %d holes, %v", len(g.Missing), g.Sorting)
			}
			cube, _ := mf.ReadCube()
			if v := cube[((20*30+7)*1)*3]; v != 0 {
				t.Fatalf("hole (21, 507) holds %v", v)
			}
			if v, want := cube[((5*30+9)*1)*3+2], float32(6*100+509)+0.5; v != want && !fm.Integer() {
				t.Fatalf("cube (6, 509) sample 2 = %v, want %v", v, want)
			}
			fields := []Field{{Name: "k", Byte: 21, Width: 2, Unsigned: true}, {Name: "il", Byte: 189, Width: 4}}
			ka, err1 := mf.ScanKeys(fields)
			kb, err2 := rf.ScanKeys(fields)
			if err1 != nil || err2 != nil || !slices.Equal(ka[0], kb[0]) || !slices.Equal(ka[1], kb[1]) || ka[0][3] != 60003 {
				t.Fatalf("ScanKeys differ: %v %v", err1, err2)
			}
			sa, err1 := mf.Stats()
			sb, err2 := rf.Stats()
			if err1 != nil || err2 != nil || sa != sb {
				t.Fatalf("stats %+v / %+v (%v %v)", sa, sb, err1, err2)
			}
			ha, _ := mf.TraceHeader(17)
			hb, _ := rf.TraceHeader(17)
			if ha != hb {
				t.Fatalf("trace header 17 differs")
			}
			mf.Close()
		}
	}
}

// TestReadCubeIntoReusesBuffer reads into a buffer full of NaN: every
// value, holes included, must come out as ReadCube gives it.
func TestReadCubeIntoReusesBuffer(t *testing.T) {
	f := mustOpen(t, holeyCube(t, FormatIEEE, false), "cube.sgy", Options{})
	want, err := f.ReadCube()
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]float32, len(want))
	for i := range dst {
		dst[i] = float32(math.NaN())
	}
	if err := f.ReadCubeInto(dst); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(dst, want) {
		t.Fatal("ReadCubeInto differs from ReadCube")
	}
	box := Box{0, 4, 0, 6, 0, 3}
	sub := make([]float32, 4*6*3)
	for i := range sub {
		sub[i] = -1
	}
	if err := f.ReadSubCubeInto(box, sub); err != nil {
		t.Fatal(err)
	}
	if sub[0] != 0 || sub[(3*6+5)*3] != float32(4*100+505) {
		t.Fatalf("sub-cube: hole %v, (4, 505) %v", sub[0], sub[(3*6+5)*3])
	}
	for _, n := range []int{len(want) - 1, len(want) + 1} {
		if err := f.ReadCubeInto(make([]float32, n)); err == nil || !strings.Contains(err.Error(), "destination holds") {
			t.Errorf("destination of %d values: %v", n, err)
		}
	}
}

// TestFileCutShortWhileMapped truncates a file after Open: reads of the
// lost part must fail with an error naming the file, not crash, and reads
// after Close must fail too.
func TestFileCutShortWhileMapped(t *testing.T) {
	raw := holeyCube(t, FormatIEEE, false) // about 300 kB: truncation drops whole pages
	path := filepath.Join(t.TempDir(), "cut.sgy")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Geometry(); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, 8192); err != nil {
		t.Fatal(err)
	}
	_, err = f.ReadCube()
	if f.data != nil {
		if err == nil || !strings.Contains(err.Error(), "cut.sgy") || !strings.Contains(err.Error(), "changed while it was read") {
			t.Fatalf("ReadCube of a truncated mapped file: %v", err)
		}
		if _, err := f.TraceHeader(f.NumTraces() - 1); err == nil {
			t.Fatal("reading the last header of a truncated mapped file gave no error")
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.TraceHeader(0); err == nil {
		t.Fatal("read after Close gave no error")
	}
}
