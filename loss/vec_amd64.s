//go:build amd64 && !purego

#include "textflag.h"

// func maxAccAVX2(m, x *float64, n int)
// m[i] = max(m[i], x[i]) for i < n (n a multiple of 4) with Go's max of zeros (+0 unless both are -0): the AND
// of the two operand orders of VMAXPD.
TEXT ·maxAccAVX2(SB), NOSPLIT, $0-24
	MOVQ m+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX
maxloop:
	CMPQ AX, CX
	JGE  maxdone
	VMOVUPD (DI)(AX*8), Y0
	VMOVUPD (SI)(AX*8), Y1
	VMAXPD  Y1, Y0, Y2
	VMAXPD  Y0, Y1, Y3
	VANDPD  Y3, Y2, Y2
	VMOVUPD Y2, (DI)(AX*8)
	ADDQ    $4, AX
	JMP     maxloop
maxdone:
	VZEROUPPER
	RET

// func mulToAVX2(dst, a, b *float64, n int)
// dst[i] = a[i] * b[i] for i < n (n a multiple of 4); dst may be a or b.
TEXT ·mulToAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	XORQ AX, AX
mulloop:
	CMPQ AX, CX
	JGE  muldone
	VMOVUPD (SI)(AX*8), Y0
	VMULPD  (DX)(AX*8), Y0, Y0
	VMOVUPD Y0, (DI)(AX*8)
	ADDQ    $4, AX
	JMP     mulloop
muldone:
	VZEROUPPER
	RET

// func widenAVX2(dst *float64, src *float32, n int) bool
// dst[i] = float64(src[i]) for i < n (n a multiple of 4); reports whether every value is finite.
TEXT ·widenAVX2(SB), NOSPLIT, $0-25
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
widenloop:
	CMPQ AX, CX
	JGE  widendone
	VCVTPS2PD (SI)(AX*4), Y0
	VMOVUPD Y0, (DI)(AX*8)
	VSUBPD  Y0, Y0, Y1              // 0, or NaN for NaN and ±Inf
	VCMPPD  $4, Y3, Y1, Y2          // != 0 or unordered
	VORPD   Y2, Y4, Y4
	ADDQ    $4, AX
	JMP     widenloop
widendone:
	VMOVMSKPD Y4, R10
	VZEROUPPER
	TESTQ R10, R10
	SETEQ ret+24(FP)
	RET

// func narrowAVX2(dst *float32, src *float64, n int)
// dst[i] = float32(src[i]) for i < n (n a multiple of 4).
TEXT ·narrowAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX
narrowloop:
	CMPQ AX, CX
	JGE  narrowdone
	VCVTPD2PSY (SI)(AX*8), X0
	VMOVUPS X0, (DI)(AX*4)
	ADDQ    $4, AX
	JMP     narrowloop
narrowdone:
	VZEROUPPER
	RET

// func dotAccAVX2(d, a, b *float64, n int)
// d[i] += a[i] * b[i] for i < n (n a multiple of 4), product rounded before the sum (no fused multiply-add).
TEXT ·dotAccAVX2(SB), NOSPLIT, $0-32
	MOVQ d+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	XORQ AX, AX
dotloop:
	CMPQ AX, CX
	JGE  dotdone
	VMOVUPD (SI)(AX*8), Y0
	VMULPD  (DX)(AX*8), Y0, Y0
	VADDPD  (DI)(AX*8), Y0, Y0
	VMOVUPD Y0, (DI)(AX*8)
	ADDQ    $4, AX
	JMP     dotloop
dotdone:
	VZEROUPPER
	RET

// func softBackAVX2(acc, p, gp, d *float64, n int)
// acc[i] += p[i] * (gp[i] - d[i]) for i < n (n a multiple of 4), each operation rounded.
TEXT ·softBackAVX2(SB), NOSPLIT, $0-40
	MOVQ acc+0(FP), DI
	MOVQ p+8(FP), SI
	MOVQ gp+16(FP), DX
	MOVQ d+24(FP), BX
	MOVQ n+32(FP), CX
	XORQ AX, AX
backloop:
	CMPQ AX, CX
	JGE  backdone
	VMOVUPD (DX)(AX*8), Y0
	VSUBPD  (BX)(AX*8), Y0, Y0
	VMULPD  (SI)(AX*8), Y0, Y0
	VADDPD  (DI)(AX*8), Y0, Y0
	VMOVUPD Y0, (DI)(AX*8)
	ADDQ    $4, AX
	JMP     backloop
backdone:
	VZEROUPPER
	RET

// func rowMax3AVX2(row, v *float64, a *int32, n int, c *[3][4]float64)
// For j < n (a multiple of 4): v[j] = max(row[j], row[j+1], row[j+2]) and a[j] = c[0][0] + j + the offset (0,
// 1 or 2) of its first occurrence. c holds the lane offsets (c[0][0] = base), 4s and 1s.
TEXT ·rowMax3AVX2(SB), NOSPLIT, $0-40
	MOVQ row+0(FP), SI
	MOVQ v+8(FP), DI
	MOVQ a+16(FP), DX
	MOVQ n+24(FP), CX
	MOVQ c+32(FP), R8
	VMOVUPD 0(R8), Y8               // J - 1: column index of row[j]
	VMOVUPD 32(R8), Y9              // 4
	VMOVUPD 64(R8), Y10             // 1
	XORQ AX, AX
r3loop:
	CMPQ AX, CX
	JGE  r3done
	VMOVUPD (SI)(AX*8), Y0
	VMOVUPD 8(SI)(AX*8), Y1
	VMOVUPD 16(SI)(AX*8), Y2
	VADDPD  Y10, Y8, Y11            // J
	VADDPD  Y10, Y11, Y12           // J + 1
	VCMPPD  $0x1e, Y0, Y1, Y3       // row[j+1] > row[j]
	VBLENDVPD Y3, Y11, Y8, Y4       // K
	VMAXPD  Y1, Y0, Y5              // M
	VCMPPD  $0x1e, Y5, Y2, Y3       // row[j+2] > M
	VBLENDVPD Y3, Y12, Y4, Y4
	VMAXPD  Y2, Y5, Y5
	VMOVUPD Y5, (DI)(AX*8)
	VCVTTPD2DQY Y4, X6
	VMOVDQU X6, (DX)(AX*4)
	VADDPD  Y9, Y8, Y8
	ADDQ    $4, AX
	JMP     r3loop
r3done:
	VZEROUPPER
	RET

// func colMax3AVX2(x, y, z *float64, xa, ya, za *int32, d *float64, da *int32, n int)
// For j < n (a multiple of 4): d[j] = max(x[j], y[j], z[j]) and da[j] the argument (xa, ya or za) of its
// first occurrence in that order.
TEXT ·colMax3AVX2(SB), NOSPLIT, $0-72
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), R9
	MOVQ z+16(FP), R10
	MOVQ xa+24(FP), R11
	MOVQ ya+32(FP), R12
	MOVQ za+40(FP), R13
	MOVQ d+48(FP), DI
	MOVQ da+56(FP), DX
	MOVQ n+64(FP), CX
	XORQ AX, AX
c3loop:
	CMPQ AX, CX
	JGE  c3done
	VMOVUPD (SI)(AX*8), Y0
	VMOVUPD (R9)(AX*8), Y1
	VMOVUPD (R10)(AX*8), Y2
	VCVTDQ2PD (R11)(AX*4), Y4
	VCVTDQ2PD (R12)(AX*4), Y6
	VCVTDQ2PD (R13)(AX*4), Y7
	VCMPPD  $0x1e, Y0, Y1, Y3       // y > x
	VBLENDVPD Y3, Y6, Y4, Y4
	VMAXPD  Y1, Y0, Y5
	VCMPPD  $0x1e, Y5, Y2, Y3       // z > M
	VBLENDVPD Y3, Y7, Y4, Y4
	VMAXPD  Y2, Y5, Y5
	VMOVUPD Y5, (DI)(AX*8)
	VCVTTPD2DQY Y4, X6
	VMOVDQU X6, (DX)(AX*4)
	ADDQ    $4, AX
	JMP     c3loop
c3done:
	VZEROUPPER
	RET

// func subSubAVX2(dst, x, m, l *float64, n int)
// dst[i] = (x[i] - m[i]) - l[i] for i < n (n a multiple of 4).
TEXT ·subSubAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ m+16(FP), DX
	MOVQ l+24(FP), BX
	MOVQ n+32(FP), CX
	XORQ AX, AX
subloop:
	CMPQ AX, CX
	JGE  subdone
	VMOVUPD (SI)(AX*8), Y0
	VSUBPD  (DX)(AX*8), Y0, Y0
	VSUBPD  (BX)(AX*8), Y0, Y0
	VMOVUPD Y0, (DI)(AX*8)
	ADDQ    $4, AX
	JMP     subloop
subdone:
	VZEROUPPER
	RET

// func finite32AVX2(x *float32, n int) bool
// Reports whether x[i] is finite for every i < n (n a multiple of 8): x - x is 0 exactly for finite values.
TEXT ·finite32AVX2(SB), NOSPLIT, $0-17
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	XORQ AX, AX
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
finloop:
	CMPQ AX, CX
	JGE  findone
	VMOVUPS (SI)(AX*4), Y0
	VSUBPS  Y0, Y0, Y1
	VCMPPS  $4, Y3, Y1, Y2          // != 0 or unordered
	VORPS   Y2, Y4, Y4
	ADDQ    $8, AX
	JMP     finloop
findone:
	VMOVMSKPS Y4, R10
	VZEROUPPER
	TESTQ R10, R10
	SETEQ ret+16(FP)
	RET
