//go:build !amd64 || purego

package nnops

func asmKernel() (microKernel, bool) { return microKernel{}, false }

func asmKernels() map[string]microKernel { return map[string]microKernel{} }

func transpose8(dst []float32, ldd int, rows *[8]*float32, n int) int { return 0 }

func reluMaskVec(y, dy, out []float32) int { return 0 }

func biasActVec(src []float32, b float32, dst []float32, relu bool) int { return 0 }

func sumVec(x []float32) (float32, int) { return 0, 0 }
