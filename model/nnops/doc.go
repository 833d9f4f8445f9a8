// Package nnops holds fast Gorgonia operations for the segloss U-Net: a fused
// 2-D convolution with bias and optional ReLU (Conv), the same over the
// channel concatenation of a skip tensor and an upsampled lower level
// without building either (ConcatConv), 2x2 max-pooling, nearest 2x
// upsampling, channel concatenation and a per-pixel softmax cross-entropy,
// each over NCHW tensors and each with its own gradient operation.
//
// On the packed GEMM backends the convolutions are implicit: each image is
// zero-padded once and the GEMM reads the shifted planes of the padded image
// in place as the rows of its im2col matrix (and packs its im2row panels
// straight out of it for the weight gradient), so no im2col or im2row matrix
// is ever built. The weight gradient sums one part per image in image order,
// so results do not depend on scheduling or on the number of cores.
//
// Every op keeps its output and scratch buffers between runs of a tape
// machine: the value an op returns is the same tensor on every step, rewritten
// in place. A caller that wants to keep a node's value beyond the next run of
// the machine must copy it. PlanMemory goes further: it lays the outputs of a
// whole graph out in one arena, outputs that are never needed at the same
// time sharing memory, so that only the nodes it is told to keep hold their
// values after a run.
//
// The matrix products go through a GEMM backend chosen with SetGEMM: "asm"
// (packed GEMM with an AVX-512 or AVX2/FMA micro-kernel written for this
// package, the default on amd64), "go" (the same packed GEMM with a portable
// Go micro-kernel), "gonum" (gonum's pure-Go Sgemm) and, when built with
// -tags openblas, "openblas" (OpenBLAS through cgo).
package nnops
