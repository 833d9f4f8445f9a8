//go:build !amd64 || purego

package nnops

func asmKernel() (microKernel, bool) { return microKernel{}, false }

func asmKernels() map[string]microKernel { return map[string]microKernel{} }
