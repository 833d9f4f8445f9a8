//go:build amd64 && !purego

#include "textflag.h"

// func logAtLeast1AVX2(s, ls *float64, n int, c *[15][4]uint64, inv, tab *[257]float64) int
// For i < n in groups of four: ls[i] = log(s[i]) by logAtLeast1Go's formula (same operations, same order).
// Stops before a group with an argument outside [1, 1e300] or NaN and returns the number of entries done.
// c holds, 32 bytes each: mantissa mask, bits of 1, 511, 1, bits of 2^52, 2^52+1023, ln2hi, ln2lo, -1/6, 1/5,
// -1/4, 1/3, -1/2, 1, 1e300.
TEXT ·logAtLeast1AVX2(SB), NOSPLIT, $0-56
	MOVQ s+0(FP), SI
	MOVQ ls+8(FP), DI
	MOVQ n+16(FP), CX
	MOVQ c+24(FP), R8
	MOVQ inv+32(FP), R9
	MOVQ tab+40(FP), R11
	XORQ AX, AX
loop:
	CMPQ AX, CX
	JGE  done
	VMOVUPD (SI)(AX*8), Y0          // v
	VCMPPD  $9, 416(R8), Y0, Y1     // !(v >= 1)
	VCMPPD  $6, 448(R8), Y0, Y2     // !(v <= 1e300)
	VORPD   Y2, Y1, Y1
	VMOVMSKPD Y1, R10
	TESTQ   R10, R10
	JNZ     done
	VPSRLQ  $52, Y0, Y1
	VPOR    128(R8), Y1, Y1
	VSUBPD  160(R8), Y1, Y1         // ef = exponent - 1023
	VPAND   0(R8), Y0, Y2
	VPOR    32(R8), Y2, Y2          // m in [1, 2)
	VPSRLQ  $43, Y2, Y3
	VPAND   64(R8), Y3, Y3
	VPADDQ  96(R8), Y3, Y3
	VPSRLQ  $1, Y3, Y3              // j
	VPSLLQ  $44, Y3, Y4
	VPADDQ  32(R8), Y4, Y4          // c = 1 + j/256
	VSUBPD  Y4, Y2, Y2              // d = m - c
	VPCMPEQQ Y5, Y5, Y5
	VXORPD  Y6, Y6, Y6
	VGATHERQPD Y5, (R9)(Y3*8), Y6   // 1/c
	VMULPD  Y6, Y2, Y2              // r
	VMULPD  256(R8), Y2, Y4         // r*(-1/6)
	VADDPD  288(R8), Y4, Y4
	VMULPD  Y2, Y4, Y4
	VADDPD  320(R8), Y4, Y4
	VMULPD  Y2, Y4, Y4
	VADDPD  352(R8), Y4, Y4
	VMULPD  Y2, Y4, Y4
	VADDPD  384(R8), Y4, Y4
	VMULPD  Y2, Y4, Y4
	VMULPD  Y2, Y4, Y4
	VADDPD  Y2, Y4, Y4              // q = r*q + r
	VPCMPEQQ Y5, Y5, Y5
	VXORPD  Y6, Y6, Y6
	VGATHERQPD Y5, (R11)(Y3*8), Y6  // log c
	VMULPD  192(R8), Y1, Y7
	VADDPD  Y6, Y7, Y7              // ef*ln2hi + log c
	VMULPD  224(R8), Y1, Y1
	VADDPD  Y4, Y1, Y1              // ef*ln2lo + q
	VADDPD  Y1, Y7, Y7
	VMOVUPD Y7, (DI)(AX*8)
	ADDQ    $4, AX
	JMP     loop
done:
	VZEROUPPER
	MOVQ AX, ret+48(FP)
	RET
