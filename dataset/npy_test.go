package dataset

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// rawNPY encodes C-order values vals as a .npy file of the given version,
// dtype and order, independently of the package's writer.
func rawNPY(t testing.TB, major int, descr string, fortran bool, shape []int, vals []float64) []byte {
	t.Helper()
	var bo binary.ByteOrder = binary.LittleEndian
	if descr[0] == '>' {
		bo = binary.BigEndian
	}
	dims := make([]string, len(shape))
	for i, s := range shape {
		dims[i] = fmt.Sprint(s)
	}
	st := strings.Join(dims, ", ")
	if len(shape) == 1 {
		st += ","
	}
	fo := "False"
	if fortran {
		fo = "True"
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }\n", descr, fo, st)
	var b bytes.Buffer
	b.WriteString("\x93NUMPY")
	b.WriteByte(byte(major))
	b.WriteByte(0)
	if major == 1 {
		binary.Write(&b, binary.LittleEndian, uint16(len(dict)))
	} else {
		binary.Write(&b, binary.LittleEndian, uint32(len(dict)))
	}
	b.WriteString(dict)
	order := make([]int, len(vals)) // storage position -> C index
	for i := range order {
		order[i] = i
	}
	if fortran {
		for s := range order {
			rem, c, stride := s, 0, 1
			cs := make([]int, len(shape))
			for d := len(shape) - 1; d >= 0; d-- {
				cs[d] = stride
				stride *= shape[d]
			}
			for d := 0; d < len(shape); d++ {
				c += (rem % shape[d]) * cs[d]
				rem /= shape[d]
			}
			order[s] = c
		}
	}
	for _, c := range order {
		v := vals[c]
		switch descr[1:] {
		case "f8":
			binary.Write(&b, bo, v)
		case "f4":
			binary.Write(&b, bo, float32(v))
		case "u1":
			b.WriteByte(uint8(v))
		case "i8":
			binary.Write(&b, bo, int64(v))
		case "i4":
			binary.Write(&b, bo, int32(v))
		case "i2":
			binary.Write(&b, bo, int16(v))
		default:
			t.Fatalf("rawNPY: dtype %s", descr)
		}
	}
	return b.Bytes()
}

func writeFile(t testing.TB, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadNPYDtypesOrdersVersions(t *testing.T) {
	shape := []int{2, 3, 4}
	vals := make([]float64, 24)
	for i := range vals {
		vals[i] = float64(i*7%23) - 3 // distinct, some negative
	}
	dir := t.TempDir()
	for _, descr := range []string{"<f8", "<f4", "<i8", "<i4", "<i2", ">f8", ">f4", ">i8", ">i4", ">i2"} {
		for _, fortran := range []bool{false, true} {
			for _, major := range []int{1, 2} {
				name := fmt.Sprintf("%s-%v-%d", descr, fortran, major)
				t.Run(name, func(t *testing.T) {
					p := writeFile(t, dir, strings.ReplaceAll(name, ">", "B")+".npy", rawNPY(t, major, descr, fortran, shape, vals))
					got, gshape, err := ReadNPYFloat32(p)
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(gshape, shape) {
						t.Fatalf("shape %v", gshape)
					}
					for i := range vals {
						if float64(got[i]) != vals[i] {
							t.Fatalf("element %d: got %g want %g", i, got[i], vals[i])
						}
					}
				})
			}
		}
	}
}

func TestReadNPYUint8Labels(t *testing.T) {
	dir := t.TempDir()
	vals := []float64{0, 1, 2, 3, 4, 5, 255, 2}
	for _, descr := range []string{"|u1", "<i8", ">i4", "<f8"} {
		p := writeFile(t, dir, strings.ReplaceAll(descr, "|", "p")+".npy", rawNPY(t, 1, descr, true, []int{2, 4}, vals))
		got, _, err := ReadNPYUint8(p)
		if err != nil {
			t.Fatalf("%s: %v", descr, err)
		}
		for i, v := range vals {
			if float64(got[i]) != v {
				t.Fatalf("%s element %d: %d want %g", descr, i, got[i], v)
			}
		}
	}
	p := writeFile(t, dir, "neg.npy", rawNPY(t, 1, "<i8", false, []int{4}, []float64{-1, 3, 256, 1}))
	if _, _, err := ReadNPYUint8(p); err == nil || !strings.Contains(err.Error(), "2 values") || !strings.Contains(err.Error(), p) {
		t.Fatalf("want error counting 2 bad values in %s, got %v", p, err)
	}
}

func TestNPYRoundTrip(t *testing.T) {
	dir := t.TempDir()
	f := []float32{1.5, -2, float32(math.Pi), 0, 1e-30, -1e30}
	p := filepath.Join(dir, "f.npy")
	if err := WriteNPYFloat32(p, f, []int{3, 2}); err != nil {
		t.Fatal(err)
	}
	got, shape, err := ReadNPYFloat32(p)
	if err != nil || !slices.Equal(got, f) || !slices.Equal(shape, []int{3, 2}) {
		t.Fatalf("float32 round trip: %v %v %v", got, shape, err)
	}
	b, _ := os.ReadFile(p)
	if (len(b)-len(f)*4)%64 != 0 {
		t.Fatalf("data offset %d not 64-aligned", len(b)-len(f)*4)
	}
	u := []uint8{0, 5, 255}
	p = filepath.Join(dir, "u.npy")
	if err := WriteNPYUint8(p, u, []int{3}); err != nil {
		t.Fatal(err)
	}
	gu, shape, err := ReadNPYUint8(p)
	if err != nil || !slices.Equal(gu, u) || !slices.Equal(shape, []int{3}) {
		t.Fatalf("uint8 round trip: %v %v %v", gu, shape, err)
	}
	if err := WriteNPYUint8(p, u, []int{2}); err == nil {
		t.Fatal("shape mismatch accepted")
	}
}

// TestNPYWriterStreams checks that rows streamed through NPYWriter give
// the bytes of the one-shot writers, that the header is the padded NumPy
// 1.0 header, and that a wrong count, dtype or shape is an error that
// leaves no file behind.
func TestNPYWriterStreams(t *testing.T) {
	dir := t.TempDir()
	vals := make([]float32, 2*3*4)
	for i := range vals {
		vals[i] = float32(i)*0.25 - 3
	}
	whole := filepath.Join(dir, "whole.npy")
	if err := WriteNPYFloat32(whole, vals, []int{2, 3, 4}); err != nil {
		t.Fatal(err)
	}
	streamed := filepath.Join(dir, "rows.npy")
	w, err := CreateNPY(streamed, "<f4", []int{2, 3, 4})
	if err != nil {
		t.Fatal(err)
	}
	for r := 0; r < len(vals); r += 5 {
		if err := w.WriteFloat32(vals[r:min(r+5, len(vals))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(whole)
	b, _ := os.ReadFile(streamed)
	if !bytes.Equal(a, b) {
		t.Fatalf("streamed file (%d bytes) differs from WriteNPYFloat32's (%d bytes)", len(b), len(a))
	}
	header := "\x93NUMPY\x01\x00\x76\x00{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }" + strings.Repeat(" ", 55) + "\n"
	if len(header) != 128 || string(a[:128]) != header {
		t.Errorf("header %q, want %q", a[:min(len(a), 128)], header)
	}

	tests := []struct {
		name  string
		descr string
		shape []int
		write func(*NPYWriter) error
		want  string
	}{
		{"too many", "<f4", []int{2}, func(w *NPYWriter) error { return w.WriteFloat32([]float32{1, 2, 3}) }, "1 values more"},
		{"too few", "|u1", []int{2, 2}, func(w *NPYWriter) error { return w.WriteUint8([]uint8{1, 2, 3}) }, "1 values missing"},
		{"wrong dtype", "|u1", []int{1}, func(w *NPYWriter) error { return w.WriteFloat32([]float32{1}) }, "writing <f4 elements to a |u1 file"},
		{"unsupported dtype", "<f8", []int{1}, nil, "dtype \"<f8\""},
		{"negative shape", "<f4", []int{2, -1}, nil, "negative dimension"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := t.TempDir()
			p := filepath.Join(d, "x.npy")
			w, err := CreateNPY(p, tc.descr, tc.shape)
			if err == nil {
				if err = tc.write(w); err == nil {
					err = w.Close()
				} else {
					w.Abort()
				}
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), p) {
				t.Errorf("error %v, want one naming %s and saying %q", err, p, tc.want)
			}
			if ents, _ := os.ReadDir(d); len(ents) != 0 {
				t.Errorf("%d files left behind", len(ents))
			}
		})
	}
}

func TestReadNPYErrors(t *testing.T) {
	dir := t.TempDir()
	good := rawNPY(t, 1, "<f4", false, []int{2, 2}, []float64{1, 2, 3, 4})
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "magic"},
		{"magic", []byte("NOTNUMPYxxxxxxxxx"), "magic"},
		{"version", append([]byte("\x93NUMPY\x09\x00"), good[8:]...), "version 9.0"},
		{"truncated data", good[:len(good)-3], "truncated"},
		{"truncated header", good[:20], "header"},
		{"dtype", bytes.Replace(good, []byte("<f4"), []byte("<c8"), 1), "descr"},
		{"order", bytes.Replace(good, []byte("False"), []byte("Maybe"), 1), "fortran_order"},
		{"shape", bytes.Replace(good, []byte("(2, 2)"), []byte("(2, x)"), 1), "shape"},
		{"unknown field", bytes.Replace(good, []byte("'shape'"), []byte("'shope'"), 1), "shope"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := writeFile(t, dir, strings.ReplaceAll(c.name, " ", "_")+".npy", c.data)
			_, _, err := ReadNPYFloat32(p)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
				t.Fatalf("want error with %q naming %s, got %v", c.want, p, err)
			}
		})
	}
	if _, _, err := ReadNPYFloat32(filepath.Join(dir, "absent.npy")); err == nil {
		t.Fatal("missing file accepted")
	}
}

func FuzzReadNPYHeader(f *testing.F) {
	f.Add(rawNPY(f, 1, "<f4", false, []int{2, 2}, []float64{1, 2, 3, 4}))
	f.Add(rawNPY(f, 2, ">i8", true, []int{3}, []float64{1, 2, 3}))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ReadNPYHeader(bytes.NewReader(b))
		if err != nil {
			return
		}
		if h.Len() < 0 || h.DataOffset > int64(len(b)) {
			t.Fatalf("header %+v from %d bytes", h, len(b))
		}
	})
}

func FuzzReadNPYFile(f *testing.F) {
	f.Add(rawNPY(f, 1, "<f4", false, []int{2, 2}, []float64{1, 2, 3, 4}))
	f.Add(rawNPY(f, 1, "|u1", true, []int{2, 3}, []float64{1, 2, 3, 4, 5, 255}))
	f.Add(rawNPY(f, 2, ">i2", true, []int{3, 1, 2}, []float64{-1, 2, 3, 4, 5, 6}))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "fuzz.npy")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if x, shape, err := ReadNPYFloat32(p); err == nil {
			n := 1
			for _, s := range shape {
				n *= s
			}
			if len(x) != n {
				t.Fatalf("%d values for shape %v", len(x), shape)
			}
		}
		ReadNPYUint8(p)
	})
}
