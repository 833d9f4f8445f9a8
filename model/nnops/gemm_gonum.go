package nnops

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// gonumGEMM is gonum's pure-Go Sgemm (which spreads large products over goroutines itself).
type gonumGEMM struct{}

func (gonumGEMM) Name() string { return "gonum" }

func (gonumGEMM) Sgemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gonum.Implementation{}.Sgemm(blasTrans(transA), blasTrans(transB), m, n, k, 1, a, lda, b, ldb, beta, c, ldc)
}

// dgemm is the float64 product used by the float64 paths of the ops (gradient checks).
func dgemm(transA, transB bool, m, n, k int, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	gonum.Implementation{}.Dgemm(blasTrans(transA), blasTrans(transB), m, n, k, 1, a, lda, b, ldb, beta, c, ldc)
}

// blasTrans maps a transpose flag onto BLAS's.
func blasTrans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}
