//go:build openblas && cgo

package openblas

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/segloss/segloss/model/nnops"
)

// TestMatchesPackedGEMM compares OpenBLAS with the package's portable GEMM.
func TestMatchesPackedGEMM(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	fill := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(r.NormFloat64())
		}
		return s
	}
	for _, s := range []struct{ m, n, k int }{{1, 1, 1}, {16, 4096, 144}, {33, 70, 300}} {
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			t.Run(fmt.Sprintf("%dx%dx%d/%v", s.m, s.n, s.k, tr), func(t *testing.T) {
				a, b, c := fill(s.m*s.k), fill(s.k*s.n), fill(s.m*s.n)
				lda, ldb := s.k, s.n
				if tr[0] {
					lda = s.m
				}
				if tr[1] {
					ldb = s.k
				}
				want := append([]float32(nil), c...)
				if err := nnops.SetGEMM("go"); err != nil {
					t.Fatal(err)
				}
				nnops.CurrentGEMM().Sgemm(tr[0], tr[1], s.m, s.n, s.k, a, lda, b, ldb, 1, want, s.n)
				gemm{}.Sgemm(tr[0], tr[1], s.m, s.n, s.k, a, lda, b, ldb, 1, c, s.n)
				for i := range c {
					if math.Abs(float64(c[i]-want[i])) > 1e-4*(1+math.Abs(float64(want[i]))) {
						t.Fatalf("c[%d] = %v, want %v", i, c[i], want[i])
					}
				}
			})
		}
	}
}
