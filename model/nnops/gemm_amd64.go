//go:build amd64 && !purego

package nnops

import "golang.org/x/sys/cpu"

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
