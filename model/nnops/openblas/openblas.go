//go:build openblas && cgo

// Package openblas makes OpenBLAS's cblas_sgemm (through cgo) selectable as
// the nnops GEMM backend "openblas". It is built only with -tags openblas
// (apt-get install -y libopenblas-dev); import it for its side effect.
package openblas

/*
#cgo LDFLAGS: -lopenblas
#include <cblas.h>
*/
import "C"

import (
	"unsafe"

	"github.com/segloss/segloss/model/nnops"
)

// gemm calls OpenBLAS's cblas_sgemm. The ops already spread a batch
// over the cores, so OpenBLAS itself runs single-threaded.
type gemm struct{}

func (gemm) Name() string { return "openblas" }

func (gemm) Sgemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	ta, tb := C.enum_CBLAS_TRANSPOSE(C.CblasNoTrans), C.enum_CBLAS_TRANSPOSE(C.CblasNoTrans)
	if transA {
		ta = C.CblasTrans
	}
	if transB {
		tb = C.CblasTrans
	}
	C.cblas_sgemm(C.CblasRowMajor, ta, tb, C.blasint(m), C.blasint(n), C.blasint(k), 1,
		(*C.float)(unsafe.Pointer(unsafe.SliceData(a))), C.blasint(lda),
		(*C.float)(unsafe.Pointer(unsafe.SliceData(b))), C.blasint(ldb), C.float(beta),
		(*C.float)(unsafe.Pointer(unsafe.SliceData(c))), C.blasint(ldc))
}

func init() {
	C.openblas_set_num_threads(1)
	nnops.RegisterGEMM(gemm{})
}
