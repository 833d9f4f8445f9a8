//go:build amd64 && !purego

#include "textflag.h"

// func expShiftAccumAVX2(x, m, p, s *float64, n int, c *[11][4]uint64, tab *[32]float64) int
// For i < n in groups of four: y = x[i] - m[i], p[i] = e^y by expShiftAccumGo's formula (same operations,
// same order), s[i] += p[i]. Stops before a group with y < -700 and returns the number of entries done.
// c holds, 32 bytes each: 32/ln2, shifter, ln2hi/32, ln2lo/32, 1/120, 1/24, 1/6, 1/2, 1, -700, 31.
TEXT ·expShiftAccumAVX2(SB), NOSPLIT, $0-64
	MOVQ x+0(FP), SI
	MOVQ m+8(FP), DX
	MOVQ p+16(FP), DI
	MOVQ s+24(FP), BX
	MOVQ n+32(FP), CX
	MOVQ c+40(FP), R8
	MOVQ tab+48(FP), R9
	XORQ AX, AX
loop:
	CMPQ AX, CX
	JGE  done
	VMOVUPD (SI)(AX*8), Y0
	VSUBPD  (DX)(AX*8), Y0, Y0      // y
	VCMPPD  $1, 288(R8), Y0, Y1     // y < -700
	VMOVMSKPD Y1, R10
	TESTQ   R10, R10
	JNZ     done
	VMULPD  0(R8), Y0, Y1
	VADDPD  32(R8), Y1, Y1          // t = y*32/ln2 + shifter
	VSUBPD  32(R8), Y1, Y2          // kf = t - shifter
	VMULPD  64(R8), Y2, Y3
	VSUBPD  Y3, Y0, Y3              // y - kf*ln2hi
	VMULPD  96(R8), Y2, Y4
	VSUBPD  Y4, Y3, Y3              // r
	VMULPD  128(R8), Y3, Y4         // r/120
	VADDPD  160(R8), Y4, Y4
	VMULPD  Y3, Y4, Y4
	VADDPD  192(R8), Y4, Y4
	VMULPD  Y3, Y4, Y4
	VADDPD  224(R8), Y4, Y4
	VMULPD  Y3, Y4, Y4
	VADDPD  256(R8), Y4, Y4
	VMULPD  Y3, Y4, Y4
	VADDPD  256(R8), Y4, Y4         // q
	VPAND   320(R8), Y1, Y5         // j = k & 31
	VPCMPEQQ Y6, Y6, Y6
	VXORPD  Y7, Y7, Y7
	VGATHERQPD Y6, (R9)(Y5*8), Y7   // 2^(j/32)
	VPSRLQ  $5, Y1, Y6
	VPSLLQ  $52, Y6, Y6
	VPADDQ  Y6, Y7, Y7              // scaled by 2^floor(k/32)
	VMULPD  Y4, Y7, Y7              // e
	VMOVUPD Y7, (DI)(AX*8)
	VADDPD  (BX)(AX*8), Y7, Y7
	VMOVUPD Y7, (BX)(AX*8)
	ADDQ    $4, AX
	JMP     loop
done:
	VZEROUPPER
	MOVQ AX, ret+56(FP)
	RET
