package nnops

import (
	"sync"
	"unsafe"
)

// microKernel computes an mr×nr tile: C = Ap·B (+ C when acc), where Ap
// holds k packed columns of mr values and B holds k rows of nr values, ldb
// floats apart (nr when packed).
type microKernel struct {
	mr, nr int
	fn     func(k int, a, b *float32, ldb int, c *float32, ldc int, acc bool)
}

// Blocking sizes of the packed GEMM: a KC×NC panel of B stays in L2/L3, an
// MC×KC block of A in L2.
const (
	gemmKC = 256
	gemmMC = 96
	gemmNC = 3072
)

// packedGEMM is a GotoBLAS-style blocked product: pack a block of B and of A
// into contiguous panels, then run the micro-kernel over the tiles.
type packedGEMM struct {
	name string
	kern microKernel
}

func (g packedGEMM) Name() string { return g.name }

var packPool = sync.Pool{New: func() any { return new([]float32) }}

func getBuf(n int) *[]float32 {
	p := packPool.Get().(*[]float32)
	if cap(*p) < n {
		*p = make([]float32, n)
	}
	*p = (*p)[:n]
	return p
}

func (g packedGEMM) Sgemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		if beta == 0 {
			for i := 0; i < m; i++ {
				clear(c[i*ldc : i*ldc+n])
			}
		}
		return
	}
	mr, nr := g.kern.mr, g.kern.nr
	mc := gemmMC / mr * mr
	nc := gemmNC / nr * nr
	apBuf := getBuf(mc * gemmKC)
	bpBuf := getBuf(gemmKC * nc)
	tileBuf := getBuf(mr * nr)
	defer packPool.Put(apBuf)
	defer packPool.Put(bpBuf)
	defer packPool.Put(tileBuf)
	ap, bp, tile := *apBuf, *bpBuf, *tileBuf

	for jc := 0; jc < n; jc += nc {
		ncb := min(nc, n-jc)
		for pc := 0; pc < k; pc += gemmKC {
			kc := min(gemmKC, k-pc)
			acc := pc > 0 || beta != 0
			// A row-major B is read in place, except for a last partial panel.
			direct := !transB
			if direct {
				if full := ncb / nr * nr; full < ncb {
					packB(bp[(full/nr)*kc*nr:], false, b, ldb, pc, jc+full, kc, ncb-full, nr)
				}
			} else {
				packB(bp, transB, b, ldb, pc, jc, kc, ncb, nr)
			}
			for ic := 0; ic < m; ic += mc {
				mcb := min(mc, m-ic)
				packA(ap, transA, a, lda, ic, pc, mcb, kc, mr)
				for jr := 0; jr < ncb; jr += nr {
					nw := min(nr, ncb-jr)
					bpan, bstride := &bp[(jr/nr)*kc*nr], nr
					if direct && nw == nr {
						bpan, bstride = &b[pc*ldb+jc+jr], ldb
					}
					for ir := 0; ir < mcb; ir += mr {
						mw := min(mr, mcb-ir)
						apan := &ap[(ir/mr)*kc*mr]
						ci := (ic+ir)*ldc + jc + jr
						if mw == mr && nw == nr {
							g.kern.fn(kc, apan, bpan, bstride, &c[ci], ldc, acc)
							continue
						}
						g.kern.fn(kc, apan, bpan, bstride, &tile[0], nr, false)
						for i := 0; i < mw; i++ {
							row := c[ci+i*ldc : ci+i*ldc+nw]
							src := tile[i*nr : i*nr+nw]
							if acc {
								for j := range row {
									row[j] += src[j]
								}
							} else {
								copy(row, src)
							}
						}
					}
				}
			}
		}
	}
}

// packA copies the mcb×kc block of op(A) at (ic, pc) into panels of mr rows,
// each stored k-major (mr values per k), padding the last panel with zeros.
func packA(ap []float32, trans bool, a []float32, lda, ic, pc, mcb, kc, mr int) {
	for ir := 0; ir < mcb; ir += mr {
		pan := ap[(ir/mr)*kc*mr : (ir/mr+1)*kc*mr]
		mw := min(mr, mcb-ir)
		if mw < mr {
			clear(pan)
		}
		if trans {
			// A stored k×m: element (i, p) at a[p*lda+i]; rows of the panel are contiguous.
			for p := 0; p < kc; p++ {
				src := a[(pc+p)*lda+ic+ir:]
				copy(pan[p*mr:p*mr+mw], src[:mw])
			}
			continue
		}
		for i := 0; i < mw; i++ {
			src := a[(ic+ir+i)*lda+pc : (ic+ir+i)*lda+pc+kc]
			for p, v := range src {
				pan[p*mr+i] = v
			}
		}
	}
}

// packB copies the kc×ncb block of op(B) at (pc, jc) into panels of nr
// columns, each stored k-major (nr values per k), padding with zeros.
func packB(bp []float32, trans bool, b []float32, ldb, pc, jc, kc, ncb, nr int) {
	for jr := 0; jr < ncb; jr += nr {
		pan := bp[(jr/nr)*kc*nr : (jr/nr+1)*kc*nr]
		nw := min(nr, ncb-jr)
		if nw < nr {
			clear(pan)
		}
		if !trans {
			for p := 0; p < kc; p++ {
				src := b[(pc+p)*ldb+jc+jr:]
				copy(pan[p*nr:p*nr+nw], src[:nw])
			}
			continue
		}
		// B stored n×k: element (p, j) at b[j*ldb+p].
		for j := 0; j < nw; j++ {
			src := b[(jc+jr+j)*ldb+pc : (jc+jr+j)*ldb+pc+kc]
			for p, v := range src {
				pan[p*nr+j] = v
			}
		}
	}
}

// goKernel is the portable 4×4 micro-kernel.
var goKernel = microKernel{mr: 4, nr: 4, fn: goKern4x4}

func goKern4x4(k int, a, b *float32, ldb int, c *float32, ldc int, acc bool) {
	as := unsafe.Slice(a, 4*k)
	bs := unsafe.Slice(b, (k-1)*ldb+4)
	var c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33 float32
	for p := 0; p < k; p++ {
		av := as[p*4 : p*4+4 : p*4+4]
		bv := bs[p*ldb : p*ldb+4 : p*ldb+4]
		a0, a1, a2, a3 := av[0], av[1], av[2], av[3]
		b0, b1, b2, b3 := bv[0], bv[1], bv[2], bv[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	cs := unsafe.Slice(c, 3*ldc+4)
	rows := [4][4]float32{{c00, c01, c02, c03}, {c10, c11, c12, c13}, {c20, c21, c22, c23}, {c30, c31, c32, c33}}
	for i := range rows {
		r := cs[i*ldc : i*ldc+4 : i*ldc+4]
		if acc {
			r[0] += rows[i][0]
			r[1] += rows[i][1]
			r[2] += rows[i][2]
			r[3] += rows[i][3]
		} else {
			r[0], r[1], r[2], r[3] = rows[i][0], rows[i][1], rows[i][2], rows[i][3]
		}
	}
}
