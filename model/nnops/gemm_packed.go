package nnops

import (
	"sync"
	"unsafe"
)

// microKernel computes an mr×nr tile: C = Ap·B (+ C when acc), where Ap
// holds k packed columns of mr values and row p of B holds nr values
// starting boff[p] floats after b.
type microKernel struct {
	mr, nr int
	fn     func(k int, a, b *float32, boff *int, c *float32, ldc int, acc bool)
}

// Blocking sizes of the packed GEMM: a KC×NC panel of B stays in L2/L3, an
// MC×KC block of A in L2.
const (
	gemmKC = 256
	gemmMC = 96
	gemmNC = 3072
)

// packedGEMM is a GotoBLAS-style blocked product: pack a block of B and of A
// into contiguous panels, then run the micro-kernel over the tiles. B is read
// in place, without packing, wherever its rows are contiguous runs of nr
// floats.
type packedGEMM struct {
	name string
	kern microKernel
}

func (g packedGEMM) Name() string { return g.name }

// gemmWork is the packing workspace of one running product.
type gemmWork struct {
	ap, bp, tile []float32
	// packedOff[p] = p·nr, the row offsets of a packed B panel; rowsOff[p] =
	// p·ldb, those of a row-major B read in place.
	packedOff, rowsOff []int
}

// Workspaces live as long as the package (a sync.Pool would drop them at
// every garbage collection and the next product would allocate megabytes
// again); there are as many as products ever ran at once.
var (
	workMu   sync.Mutex
	workFree []*gemmWork
)

func getWork() *gemmWork {
	workMu.Lock()
	defer workMu.Unlock()
	if n := len(workFree); n > 0 {
		w := workFree[n-1]
		workFree = workFree[:n-1]
		return w
	}
	return &gemmWork{}
}

func putWork(w *gemmWork) {
	workMu.Lock()
	defer workMu.Unlock()
	workFree = append(workFree, w)
}

// grow returns buf with length n, reallocated only if it is too short.
func grow[T any](buf []T, n int) []T {
	if cap(buf) < n {
		return make([]T, n)
	}
	return buf[:n]
}

// bKind is how the right-hand operand B (k×n) is stored.
type bKind int

const (
	// bRows: B[p][j] = data[p*ld + j] (row-major).
	bRows bKind = iota
	// bTrans: B[p][j] = data[j*ld + p] (B transposed, row-major).
	bTrans
	// bRowOff: B[p][j] = data[off[p] + j], rows at arbitrary offsets (the
	// shifted planes of a padded image: an implicit im2col).
	bRowOff
	// bColOff: B[p][j] = data[off[j] + p], columns at arbitrary offsets (an
	// implicit im2row).
	bColOff
)

// bMatrix describes B.
type bMatrix struct {
	kind bKind
	data []float32
	ld   int
	off  []int
}

// direct reports whether rows of B are contiguous, so that full panels are
// read in place.
func (b bMatrix) direct() bool { return b.kind == bRows || b.kind == bRowOff }

// pack copies the kc×ncb block of B at (pc, jc) into panels of nr columns,
// each stored k-major (nr values per k), padding with zeros.
func (b bMatrix) pack(bp []float32, pc, jc, kc, ncb, nr int) {
	for jr := 0; jr < ncb; jr += nr {
		pan := bp[(jr/nr)*kc*nr : (jr/nr+1)*kc*nr]
		nw := min(nr, ncb-jr)
		if nw < nr {
			clear(pan)
		}
		j0 := jc + jr
		switch b.kind {
		case bRows:
			for p := 0; p < kc; p++ {
				src := b.data[(pc+p)*b.ld+j0:]
				copy(pan[p*nr:p*nr+nw], src[:nw])
			}
		case bRowOff:
			for p := 0; p < kc; p++ {
				src := b.data[b.off[pc+p]+j0:]
				copy(pan[p*nr:p*nr+nw], src[:nw])
			}
		case bTrans:
			for j := 0; j < nw; j++ {
				src := b.data[(j0+j)*b.ld+pc : (j0+j)*b.ld+pc+kc]
				for p, v := range src {
					pan[p*nr+j] = v
				}
			}
		case bColOff:
			j := 0
			for ; j+8 <= nw; j += 8 {
				gather8(pan[j:], nr, b.data, b.off[j0+j:j0+j+8], pc, kc)
			}
			for ; j < nw; j++ {
				o := b.off[j0+j] + pc
				src := b.data[o : o+kc]
				for p, v := range src {
					pan[p*nr+j] = v
				}
			}
		}
	}
}

func (g packedGEMM) Sgemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	bm := bMatrix{kind: bRows, data: b, ld: ldb}
	if transB {
		bm.kind = bTrans
	}
	g.run(transA, m, n, k, a, lda, bm, beta, c, ldc)
}

// run computes C = op(A)·B + beta·C for B described by bm.
func (g packedGEMM) run(transA bool, m, n, k int, a []float32, lda int, bm bMatrix, beta float32, c []float32, ldc int) {
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
	kcMax := min(gemmKC, k)
	ncMax := min(nc, (n+nr-1)/nr*nr)
	ws := getWork()
	defer putWork(ws)
	ws.ap = grow(ws.ap, mc*kcMax)
	ws.bp = grow(ws.bp, kcMax*ncMax)
	ws.tile = grow(ws.tile, mr*nr)
	ws.packedOff = grow(ws.packedOff, kcMax)
	ap, bp, tile := ws.ap, ws.bp, ws.tile
	packedOff := ws.packedOff
	for p := range packedOff {
		packedOff[p] = p * nr
	}
	var rowsOff []int
	if bm.kind == bRows {
		ws.rowsOff = grow(ws.rowsOff, kcMax)
		rowsOff = ws.rowsOff
		for p := range rowsOff {
			rowsOff[p] = p * bm.ld
		}
	}
	direct := bm.direct()

	for jc := 0; jc < n; jc += nc {
		ncb := min(nc, n-jc)
		for pc := 0; pc < k; pc += gemmKC {
			kc := min(gemmKC, k-pc)
			acc := pc > 0 || beta != 0
			// Rows of B that are contiguous are read in place, except for a
			// last partial panel.
			if direct {
				if full := ncb / nr * nr; full < ncb {
					bm.pack(bp[(full/nr)*kc*nr:], pc, jc+full, kc, ncb-full, nr)
				}
			} else {
				bm.pack(bp, pc, jc, kc, ncb, nr)
			}
			for ic := 0; ic < m; ic += mc {
				mcb := min(mc, m-ic)
				packA(ap, transA, a, lda, ic, pc, mcb, kc, mr)
				for jr := 0; jr < ncb; jr += nr {
					nw := min(nr, ncb-jr)
					bpan, boff := &bp[(jr/nr)*kc*nr], &packedOff[0]
					if direct && nw == nr {
						switch bm.kind {
						case bRows:
							bpan, boff = &bm.data[pc*bm.ld+jc+jr], &rowsOff[0]
						case bRowOff:
							bpan, boff = &bm.data[jc+jr], &bm.off[pc]
						}
					}
					for ir := 0; ir < mcb; ir += mr {
						mw := min(mr, mcb-ir)
						apan := &ap[(ir/mr)*kc*mr]
						ci := (ic+ir)*ldc + jc + jr
						if mw == mr && nw == nr {
							g.kern.fn(kc, apan, bpan, boff, &c[ci], ldc, acc)
							continue
						}
						g.kern.fn(kc, apan, bpan, boff, &tile[0], nr, false)
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
		if mr == 8 && mw == 8 {
			var off [8]int
			for i := range off {
				off[i] = (ic + ir + i) * lda
			}
			gather8(pan, 8, a, off[:], pc, kc)
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

// gather8 writes, for p < kc, data[off[0..7]+pc+p] into dst[p*nr : p*nr+8]:
// eight columns of a panel at once, so that every write is a contiguous run
// of eight floats; an AVX transpose does blocks of 8×8 where it can.
func gather8(dst []float32, nr int, data []float32, off []int, pc, kc int) {
	s0 := data[off[0]+pc : off[0]+pc+kc]
	s1 := data[off[1]+pc : off[1]+pc+kc]
	s2 := data[off[2]+pc : off[2]+pc+kc]
	s3 := data[off[3]+pc : off[3]+pc+kc]
	s4 := data[off[4]+pc : off[4]+pc+kc]
	s5 := data[off[5]+pc : off[5]+pc+kc]
	s6 := data[off[6]+pc : off[6]+pc+kc]
	s7 := data[off[7]+pc : off[7]+pc+kc]
	done := 0
	if kc >= 8 {
		rows := [8]*float32{&s0[0], &s1[0], &s2[0], &s3[0], &s4[0], &s5[0], &s6[0], &s7[0]}
		done = transpose8(dst, nr, &rows, kc)
	}
	for p := done; p < kc; p++ {
		d := dst[p*nr : p*nr+8 : p*nr+8]
		d[0], d[1], d[2], d[3] = s0[p], s1[p], s2[p], s3[p]
		d[4], d[5], d[6], d[7] = s4[p], s5[p], s6[p], s7[p]
	}
}

// goKernel is the portable 4×4 micro-kernel.
var goKernel = microKernel{mr: 4, nr: 4, fn: goKern4x4}

func goKern4x4(k int, a, b *float32, boff *int, c *float32, ldc int, acc bool) {
	as := unsafe.Slice(a, 4*k)
	offs := unsafe.Slice(boff, k)
	var c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33 float32
	for p := 0; p < k; p++ {
		av := as[p*4 : p*4+4 : p*4+4]
		bv := (*[4]float32)(unsafe.Add(unsafe.Pointer(b), offs[p]*4))
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
