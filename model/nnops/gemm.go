package nnops

import (
	"fmt"
	"sort"
	"sync"
)

// GEMM multiplies row-major float32 matrices: C = op(A)·op(B) + beta·C, where
// op(X) is X or its transpose. A is m×k after op, B is k×n, C is m×n. beta is
// 0 or 1. Implementations must be safe for concurrent use on distinct C.
type GEMM interface {
	// Name is the name the backend is selected by.
	Name() string
	// Sgemm computes C = op(A)·op(B) + beta·C.
	Sgemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)
}

var (
	gemmMu       sync.RWMutex
	gemmBackends = map[string]GEMM{}
	gemmDefault  GEMM
)

// RegisterGEMM makes a backend selectable by name with SetGEMM (used by
// backends in other packages, such as the cgo OpenBLAS one).
func RegisterGEMM(g GEMM) {
	gemmMu.Lock()
	defer gemmMu.Unlock()
	gemmBackends[g.Name()] = g
}

// GEMMBackends lists the names of the backends compiled into this binary.
func GEMMBackends() []string {
	gemmMu.RLock()
	defer gemmMu.RUnlock()
	names := make([]string, 0, len(gemmBackends))
	for n := range gemmBackends {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// SetGEMM selects the GEMM backend used by all ops from now on.
func SetGEMM(name string) error {
	gemmMu.Lock()
	defer gemmMu.Unlock()
	g, ok := gemmBackends[name]
	if !ok {
		names := make([]string, 0, len(gemmBackends))
		for n := range gemmBackends {
			names = append(names, n)
		}
		sort.Strings(names)
		return fmt.Errorf("nnops: unknown GEMM backend %q (available: %v)", name, names)
	}
	gemmDefault = g
	return nil
}

// CurrentGEMM returns the backend in use.
func CurrentGEMM() GEMM {
	gemmMu.RLock()
	defer gemmMu.RUnlock()
	return gemmDefault
}

// defaultGEMMName is the backend chosen at start-up: the assembly kernel where the CPU has one.
func defaultGEMMName() string {
	if _, ok := asmKernel(); ok {
		return "asm"
	}
	return "go"
}

func init() {
	RegisterGEMM(packedGEMM{name: "go", kern: goKernel})
	RegisterGEMM(gonumGEMM{})
	for name, k := range asmKernels() {
		RegisterGEMM(packedGEMM{name: name, kern: k})
	}
	if k, ok := asmKernel(); ok {
		RegisterGEMM(packedGEMM{name: "asm", kern: k})
	}
	gemmDefault = gemmBackends[defaultGEMMName()]
}
