//go:build amd64 && !purego

#include "textflag.h"

// func transpose8AVX(dst *float32, ldd int, rows *[8]*float32, blocks int)
// For b < blocks, reads floats 8b..8b+7 of each of the 8 rows and writes
// them transposed: dst[(8b+t)*ldd + i] = rows[i][8b+t] for t, i < 8.
TEXT ·transpose8AVX(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ ldd+8(FP), SI
	SHLQ $2, SI
	MOVQ rows+16(FP), R8
	MOVQ blocks+24(FP), CX
	XORQ AX, AX
	TESTQ CX, CX
	JZ   done
loop:
	MOVQ 0(R8), R9
	VMOVUPS (R9)(AX*1), Y0
	MOVQ 8(R8), R9
	VMOVUPS (R9)(AX*1), Y1
	MOVQ 16(R8), R9
	VMOVUPS (R9)(AX*1), Y2
	MOVQ 24(R8), R9
	VMOVUPS (R9)(AX*1), Y3
	MOVQ 32(R8), R9
	VMOVUPS (R9)(AX*1), Y4
	MOVQ 40(R8), R9
	VMOVUPS (R9)(AX*1), Y5
	MOVQ 48(R8), R9
	VMOVUPS (R9)(AX*1), Y6
	MOVQ 56(R8), R9
	VMOVUPS (R9)(AX*1), Y7
	// Interleave pairs of rows.
	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15
	// Columns of four rows, within each 128-bit lane.
	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xEE, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xEE, Y11, Y9, Y3
	VSHUFPS $0x44, Y14, Y12, Y4
	VSHUFPS $0xEE, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xEE, Y15, Y13, Y7
	// Join the lanes: columns 0-3 from the low lanes, 4-7 from the high.
	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15
	MOVQ DI, R10
	VMOVUPS Y8, (R10)
	ADDQ SI, R10
	VMOVUPS Y9, (R10)
	ADDQ SI, R10
	VMOVUPS Y10, (R10)
	ADDQ SI, R10
	VMOVUPS Y11, (R10)
	ADDQ SI, R10
	VMOVUPS Y12, (R10)
	ADDQ SI, R10
	VMOVUPS Y13, (R10)
	ADDQ SI, R10
	VMOVUPS Y14, (R10)
	ADDQ SI, R10
	VMOVUPS Y15, (R10)
	ADDQ SI, R10
	MOVQ R10, DI
	ADDQ $32, AX
	DECQ CX
	JNZ  loop
	VZEROUPPER
done:
	RET
