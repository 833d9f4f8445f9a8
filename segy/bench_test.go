package segy

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// benchCube writes a post-stack cube of at least 500 MB in format fm to
// dir and returns its path. Samples are a smooth wave plus noise so that
// no decoding shortcut applies. A cube already in dir is reused.
func benchCube(b *testing.B, dir string, fm Format) string {
	b.Helper()
	path := filepath.Join(dir, fmt.Sprintf("cube-f%d.sgy", fm))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	const ns = 1000
	const target = 500 << 20
	traces := target/(TraceHeaderSize+ns*fm.Size()) + 1
	side := int(math.Ceil(math.Sqrt(float64(traces))))
	ils, xls := make([]int, side), make([]int, side)
	for i := range ils {
		ils[i], xls[i] = 100+i, 1000+2*i
	}
	w, err := Create(path, WriterOptions{Samples: ns, Interval: 4000, Format: fm})
	if err != nil {
		b.Fatal(err)
	}
	tr := make([]float32, ns)
	seed := uint32(1)
	for i, il := range ils {
		for j, xl := range xls {
			for k := range tr {
				seed = seed*1664525 + 1013904223
				tr[k] = float32(3000*math.Sin(float64(k+i+j)/17) + float64(seed>>20) - 2048)
			}
			if err := w.WriteTrace(TraceHeader{Inline: il, Crossline: xl}, tr); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkReadCube reads a whole >= 500 MB cube into float32 (open,
// geometry scan, parallel decode) for formats 1, 3 and 5, into a new slice
// each time (ReadCube) and into one reused slice (ReadCubeInto, which
// saves the runtime clearing the memory), next to a plain
// sequential read of the same file into io.Discard (what `cat FILE
// >/dev/null` does), both from the page cache after the first pass.
// SEGY_BENCH_DIR names a folder where the cubes are kept between runs (and
// can be timed with other readers); by default they go to a temporary one.
func BenchmarkReadCube(b *testing.B) {
	keep := os.Getenv("SEGY_BENCH_DIR")
	for _, fm := range []Format{FormatIBM, FormatInt16, FormatIEEE} {
		dir := keep
		if dir == "" {
			dir = b.TempDir()
		}
		var path string
		b.Run(fmt.Sprintf("format%d", fm), func(b *testing.B) {
			if path == "" {
				path = benchCube(b, dir, fm)
			}
			st, _ := os.Stat(path)
			b.SetBytes(st.Size())
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				f, err := Open(path, Options{})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := f.ReadCube(); err != nil {
					b.Fatal(err)
				}
				f.Close()
			}
		})
		b.Run(fmt.Sprintf("format%d-into", fm), func(b *testing.B) {
			if path == "" {
				path = benchCube(b, dir, fm)
			}
			st, _ := os.Stat(path)
			b.SetBytes(st.Size())
			var dst []float32
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				f, err := Open(path, Options{})
				if err != nil {
					b.Fatal(err)
				}
				g, err := f.Geometry()
				if err != nil {
					b.Fatal(err)
				}
				ni, nx, no := g.Shape()
				if n := ni * nx * no * f.NumSamples(); len(dst) != n {
					dst = make([]float32, n)
				}
				if err := f.ReadCubeInto(dst); err != nil {
					b.Fatal(err)
				}
				f.Close()
			}
		})
		b.Run(fmt.Sprintf("format%d-cat", fm), func(b *testing.B) {
			if path == "" {
				path = benchCube(b, dir, fm)
			}
			st, _ := os.Stat(path)
			b.SetBytes(st.Size())
			buf := make([]byte, 128<<10)
			for i := 0; i < b.N; i++ {
				fh, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.CopyBuffer(io.Discard, fh, buf); err != nil {
					b.Fatal(err)
				}
				fh.Close()
			}
		})
		if keep == "" {
			os.Remove(path)
		}
	}
}
