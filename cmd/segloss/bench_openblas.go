//go:build openblas

package main

// With -tags openblas the binary can select OpenBLAS as the GEMM backend
// (segloss bench --gemm openblas).
import _ "github.com/segloss/segloss/model/nnops/openblas"
