//go:build !amd64 || purego

package nnops

func asmKernel() (microKernel, bool) { return microKernel{}, false }

func asmKernels() map[string]microKernel { return map[string]microKernel{} }

func transpose8(dst []float32, ldd int, rows *[8]*float32, n int) int { return 0 }
