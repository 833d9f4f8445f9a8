//go:build amd64 && !purego

#include "textflag.h"

// func reluMaskAVX(y, dy, out *float32, n int)
// out[i] = dy[i] where y[i] > 0, else 0, for i < n (n a multiple of 8).
TEXT ·reluMaskAVX(SB), NOSPLIT, $0-32
	MOVQ y+0(FP), SI
	MOVQ dy+8(FP), DX
	MOVQ out+16(FP), DI
	MOVQ n+24(FP), CX
	SHRQ $3, CX
	JZ   maskdone
	VXORPS Y7, Y7, Y7
maskloop:
	VMOVUPS (SI), Y0
	VCMPPS $0x0E, Y7, Y0, Y1
	VANDPS (DX), Y1, Y2
	VMOVUPS Y2, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNZ  maskloop
	VZEROUPPER
maskdone:
	RET

// func biasActAVX(src, dst *float32, n int, b float32, relu bool)
// dst[i] = src[i] + b, then max(·, +0) when relu (-0 becomes +0), for
// i < n (n a multiple of 8).
TEXT ·biasActAVX(SB), NOSPLIT, $0-29
	MOVQ src+0(FP), SI
	MOVQ dst+8(FP), DI
	MOVQ n+16(FP), CX
	VBROADCASTSS b+24(FP), Y6
	MOVBQZX relu+28(FP), DX
	VXORPS Y7, Y7, Y7
	SHRQ $3, CX
	JZ   biasdone
	TESTQ DX, DX
	JZ   addloop
reluloop:
	VADDPS (SI), Y6, Y0
	VMAXPS Y7, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  reluloop
	VZEROUPPER
	RET
addloop:
	VADDPS (SI), Y6, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  addloop
	VZEROUPPER
biasdone:
	RET

// func sumAVX(x *float32, n int) float32
// Sum of x[0:n] (n a multiple of 32) in four 8-lane accumulators.
TEXT ·sumAVX(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	SHRQ $5, CX
	JZ   sumreduce
sumloop:
	VADDPS (SI), Y0, Y0
	VADDPS 32(SI), Y1, Y1
	VADDPS 64(SI), Y2, Y2
	VADDPS 96(SI), Y3, Y3
	ADDQ $128, SI
	DECQ CX
	JNZ  sumloop
sumreduce:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS X1, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	MOVSS X0, ret+16(FP)
	VZEROUPPER
	RET
