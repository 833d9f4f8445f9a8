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
