package nnops

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func naiveGemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += float64(av) * float64(bv)
			}
			c[i*ldc+j] = float32(s) + beta*c[i*ldc+j]
		}
	}
}

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

func TestGEMMBackendsMatchNaive(t *testing.T) {
	shapes := []struct{ m, n, k int }{
		{1, 1, 1}, {4, 24, 7}, {8, 48, 256}, {16, 4096, 9}, {16, 9, 4096}, {33, 100, 300}, {97, 3100, 65}, {6, 70, 520},
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, name := range GEMMBackends() {
		if err := SetGEMM(name); err != nil {
			t.Fatal(err)
		}
		g := CurrentGEMM()
		for _, s := range shapes {
			for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
				for _, beta := range []float32{0, 1} {
					t.Run(fmt.Sprintf("%s/%dx%dx%d/%v/%v", name, s.m, s.n, s.k, tr, beta), func(t *testing.T) {
						lda, ldb, ldc := s.k+3, s.n+1, s.n+5
						if tr[0] {
							lda = s.m + 2
						}
						if tr[1] {
							ldb = s.k + 4
						}
						rowsA, rowsB := s.m, s.k
						if tr[0] {
							rowsA = s.k
						}
						if tr[1] {
							rowsB = s.n
						}
						a := randSlice(r, rowsA*lda)
						b := randSlice(r, rowsB*ldb)
						c := randSlice(r, s.m*ldc)
						want := append([]float32(nil), c...)
						naiveGemm(tr[0], tr[1], s.m, s.n, s.k, a, lda, b, ldb, beta, want, ldc)
						g.Sgemm(tr[0], tr[1], s.m, s.n, s.k, a, lda, b, ldb, beta, c, ldc)
						tol := 1e-5 * math.Sqrt(float64(s.k)) * 4
						for i := range c {
							if d := math.Abs(float64(c[i] - want[i])); d > tol*(1+math.Abs(float64(want[i]))) {
								t.Fatalf("c[%d] = %v, want %v", i, c[i], want[i])
							}
						}
					})
				}
			}
		}
	}
	if err := SetGEMM(defaultGEMMName()); err != nil {
		t.Fatal(err)
	}
}

func TestSetGEMMUnknown(t *testing.T) {
	if err := SetGEMM("nope"); err == nil {
		t.Fatal("SetGEMM(nope) succeeded")
	}
}

// BenchmarkSgemm times the conv-shaped products of the default U-Net
// (M = output channels, N = pixels of one patch, K = 9·input channels).
func BenchmarkSgemm(b *testing.B) {
	shapes := []struct{ m, n, k int }{{16, 4096, 144}, {16, 4096, 432}, {32, 1024, 864}, {64, 256, 576}}
	r := rand.New(rand.NewPCG(1, 2))
	defer SetGEMM(defaultGEMMName())
	for _, name := range GEMMBackends() {
		for _, s := range shapes {
			b.Run(fmt.Sprintf("%s/%dx%dx%d", name, s.m, s.n, s.k), func(b *testing.B) {
				if err := SetGEMM(name); err != nil {
					b.Fatal(err)
				}
				g := CurrentGEMM()
				a, bb, c := randSlice(r, s.m*s.k), randSlice(r, s.k*s.n), make([]float32, s.m*s.n)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					g.Sgemm(false, false, s.m, s.n, s.k, a, s.k, bb, s.n, 0, c, s.n)
				}
				b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// TestPackedGEMMOffsets checks the products whose B rows or columns sit at
// arbitrary offsets (the implicit im2col and im2row) against a naive product.
func TestPackedGEMMOffsets(t *testing.T) {
	shapes := []struct{ m, n, k int }{{1, 1, 1}, {8, 48, 9}, {9, 100, 300}, {16, 3100, 27}, {20, 70, 600}}
	r := rand.New(rand.NewPCG(3, 4))
	for name, k := range asmKernels() {
		testPackedOffsets(t, packedGEMM{name: name, kern: k}, shapes, r)
	}
	testPackedOffsets(t, packedGEMM{name: "go", kern: goKernel}, shapes, r)
}

func testPackedOffsets(t *testing.T, g packedGEMM, shapes []struct{ m, n, k int }, r *rand.Rand) {
	for _, s := range shapes {
		for _, kind := range []bKind{bRowOff, bColOff} {
			t.Run(fmt.Sprintf("%s/%dx%dx%d/%d", g.name, s.m, s.n, s.k, kind), func(t *testing.T) {
				lines, length := s.k, s.n // bRowOff: k rows of n
				if kind == bColOff {
					lines, length = s.n, s.k
				}
				data := randSlice(r, lines*length+lines*5)
				off := make([]int, lines)
				for i := range off {
					off[i] = r.IntN(lines*5 + 1)
				}
				at := func(p, j int) float32 {
					if kind == bRowOff {
						return data[off[p]+j]
					}
					return data[off[j]+p]
				}
				a := randSlice(r, s.m*s.k)
				c := randSlice(r, s.m*s.n)
				for _, beta := range []float32{0, 1} {
					want := make([]float32, len(c))
					for i := 0; i < s.m; i++ {
						for j := 0; j < s.n; j++ {
							var sum float64
							for p := 0; p < s.k; p++ {
								sum += float64(a[i*s.k+p]) * float64(at(p, j))
							}
							want[i*s.n+j] = float32(sum) + beta*c[i*s.n+j]
						}
					}
					got := append([]float32(nil), c...)
					g.run(false, s.m, s.n, s.k, a, s.k, bMatrix{kind: kind, data: data, off: off}, beta, got, s.n)
					tol := 1e-5 * math.Sqrt(float64(s.k)) * 4
					for i := range got {
						if d := math.Abs(float64(got[i] - want[i])); d > tol*(1+math.Abs(float64(want[i]))) {
							t.Fatalf("beta %v: c[%d] = %v, want %v", beta, i, got[i], want[i])
						}
					}
				}
			})
		}
	}
}

// TestGather8 checks the 8-column gather (and its AVX transpose) against
// its definition for every length up to a few 8×8 blocks.
func TestGather8(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	data := randSlice(r, 400)
	off := []int{0, 37, 5, 190, 64, 3, 111, 250}
	for kc := 0; kc <= 27; kc++ {
		for _, nr := range []int{8, 48} {
			dst := make([]float32, max(kc, 1)*nr)
			gather8(dst, nr, data, off, 7, kc)
			for p := 0; p < kc; p++ {
				for j := 0; j < 8; j++ {
					if got, want := dst[p*nr+j], data[off[j]+7+p]; got != want {
						t.Fatalf("kc %d nr %d: dst[%d][%d] = %v, want %v", kc, nr, p, j, got, want)
					}
				}
			}
		}
	}
}
