//go:build amd64 && !purego

package nnops

import "golang.org/x/sys/cpu"

//go:noescape
func transpose8AVX(dst *float32, ldd int, rows *[8]*float32, blocks int)

// hasTranspose8 reports whether transpose8AVX runs on this CPU.
var hasTranspose8 = cpu.X86.HasAVX

// transpose8 is transpose8AVX where the CPU has AVX; it returns the number
// of leading columns of the rows it transposed (a multiple of 8).
func transpose8(dst []float32, ldd int, rows *[8]*float32, n int) int {
	if !hasTranspose8 || n < 8 {
		return 0
	}
	blocks := n / 8
	_ = dst[(blocks*8-1)*ldd+7]
	transpose8AVX(&dst[0], ldd, rows, blocks)
	return blocks * 8
}

//go:noescape
func kernAVX2(k int, a, b *float32, boff *int, c *float32, ldc int, acc bool)

//go:noescape
func kernAVX512(k int, a, b *float32, boff *int, c *float32, ldc int, acc bool)

// asmKernel returns the widest micro-kernel this CPU runs.
func asmKernel() (microKernel, bool) {
	switch {
	case cpu.X86.HasAVX512F:
		return microKernel{mr: 8, nr: 48, fn: kernAVX512}, true
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		return microKernel{mr: 4, nr: 24, fn: kernAVX2}, true
	}
	return microKernel{}, false
}

// asmKernels lists every assembly micro-kernel this CPU runs, widest first (for tests).
func asmKernels() map[string]microKernel {
	ks := map[string]microKernel{}
	if cpu.X86.HasAVX512F {
		ks["avx512"] = microKernel{mr: 8, nr: 48, fn: kernAVX512}
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks["avx2"] = microKernel{mr: 4, nr: 24, fn: kernAVX2}
	}
	return ks
}
