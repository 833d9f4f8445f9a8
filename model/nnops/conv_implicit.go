package nnops

import (
	"math"
	"sync"
)

// The implicit convolutions below never build an im2col matrix. They run
// on the padded grid: with the image zero-padded to (C, H+k-1, W+k-1), row
// (c, ky, kx) of the im2col matrix, for output positions q = y·pw + x over
// the padded width pw, is the padded image itself read from offset
// c·plane + ky·pw + kx. The GEMM reads those rows in place; its output has
// pw - W columns per row beyond the image, which are dropped.

// packedBackend returns the GEMM backend in use if it is a packed one,
// which the implicit convolutions need.
func packedBackend() (packedGEMM, bool) {
	g, ok := CurrentGEMM().(packedGEMM)
	return g, ok
}

// padW is the width of the padded image; padSlack the zeros kept after the
// last channel plane, which the garbage columns of the padded grid read.
func (g convGeom) padW() int     { return g.w + g.k - 1 }
func (g convGeom) padSlack() int { return g.k }
func (g convGeom) gridSize() int { return g.h * g.padW() }
func (g convGeom) padPlane() int { return (g.h + g.k - 1) * g.padW() }
func (g convGeom) padTotal() int { return g.paddedLen() + g.padSlack() }

// tapOffsets returns, for every row (c, ky, kx) of the im2col matrix of g,
// its offset in the padded image. The tables are made once per geometry
// and shared; callers must not modify them.
func tapOffsets(g convGeom) []int {
	key := [4]int{g.c, g.h, g.w, g.k}
	tapMu.Lock()
	defer tapMu.Unlock()
	if off, ok := tapTables[key]; ok {
		return off
	}
	off := make([]int, 0, g.kdim())
	pw, plane := g.padW(), g.padPlane()
	for c := 0; c < g.c; c++ {
		for ky := 0; ky < g.k; ky++ {
			for kx := 0; kx < g.k; kx++ {
				off = append(off, c*plane+ky*pw+kx)
			}
		}
	}
	tapTables[key] = off
	return off
}

var (
	tapMu     sync.Mutex
	tapTables = map[[4]int][]int{}
)

// padWithSlack pads one image like padImage and zeroes the slack after it.
func padWithSlack(x []float32, g convGeom, xp []float32) {
	padImage(x, g, xp)
	clear(xp[g.paddedLen():g.padTotal()])
}

// source writes image i of a convolution's input, zero-padded with slack
// (see padWithSlack), into xp.
type source func(i int, xp []float32)

// plainSource is the source of an NCHW input x of geometry g.
func plainSource(x []float32, g convGeom) source {
	chw := g.c * g.hw()
	return func(i int, xp []float32) { padWithSlack(x[i*chw:(i+1)*chw], g, xp) }
}

// convImplicit computes a · im2col(xᵢ) per image on the padded grid and
// hands each image's grid (cout × H·pw) to store; a is (cout, C·k²).
func convImplicit(pg packedGEMM, g convGeom, src source, a []float32, store func(i int, grid []float32)) {
	kd, nq := g.kdim(), g.gridSize()
	off := tapOffsets(g)
	sc := scratchFor[float32]()
	nw := min(workers(), g.n)
	pads := sc.takeN(nw, g.padTotal())
	grids := sc.takeN(nw, g.cout*nq)
	defer sc.give(pads...)
	defer sc.give(grids...)
	parallelFor(g.n, func(wk, i int) {
		src(i, pads[wk])
		pg.run(false, g.cout, nq, kd, a, kd, bMatrix{kind: bRowOff, data: pads[wk], off: off}, 0, grids[wk], nq)
		store(i, grids[wk])
	})
}

// copyFromGrid copies the image columns of a padded-grid output (cout ×
// H·pw, g's geometry) into dst (cout, H, W).
func copyFromGrid(grid []float32, g convGeom, dst []float32) {
	hw, pw, nq := g.hw(), g.padW(), g.gridSize()
	for c := 0; c < g.cout; c++ {
		for r := 0; r < g.h; r++ {
			copy(dst[c*hw+r*g.w:c*hw+(r+1)*g.w], grid[c*nq+r*pw:c*nq+r*pw+g.w])
		}
	}
}

// convForwardImplicit is convForward for float32 on a packed backend.
func convForwardImplicit(pg packedGEMM, g convGeom, src source, w, b, y []float32, relu bool) {
	hw, pw, nq := g.hw(), g.padW(), g.gridSize()
	convImplicit(pg, g, src, w, func(i int, grid []float32) {
		yn := y[i*g.cout*hw : (i+1)*g.cout*hw]
		for co := 0; co < g.cout; co++ {
			bv := b[co]
			for r := 0; r < g.h; r++ {
				src := grid[co*nq+r*pw : co*nq+r*pw+g.w]
				dst := yn[co*hw+r*g.w : co*hw+(r+1)*g.w]
				if relu {
					biasReLU(src, bv, dst)
				} else {
					done := biasActVec(src, bv, dst, false)
					for j := done; j < len(src); j++ {
						dst[j] = src[j] + bv
					}
				}
			}
		}
	})
}

// convBackDataImplicit is convBackData's product for float32 on a packed
// backend: dxᵢ = wf · im2col(gᵢ) with wf the flipped, transposed weights
// (C, Cout·k²) and tg the geometry of the convolution of g; store gets
// each image's padded grid (C × H·pw).
func convBackDataImplicit(pg packedGEMM, tg convGeom, wf, gr []float32, store func(i int, grid []float32)) {
	convImplicit(pg, tg, plainSource(gr, tg), wf, store)
}

// convBackFilterImplicit is convBackFilter for float32 on a packed backend:
// dw = Σₙ ĝₙ · im2row(xₙ), where ĝₙ is gₙ on the padded grid (zero in the
// columns beyond the image) and im2row is read out of the padded image.
func convBackFilterImplicit(pg packedGEMM, g convGeom, src source, gr, dw []float32) {
	hw, kd, pw, nq := g.hw(), g.kdim(), g.padW(), g.gridSize()
	off := tapOffsets(g)
	sc := scratchFor[float32]()
	nw := min(workers(), g.n)
	parts := sc.takeN(g.n, g.cout*kd)
	pads := sc.takeN(nw, g.padTotal())
	grids := sc.takeN(nw, g.cout*nq)
	defer sc.give(parts...)
	defer sc.give(pads...)
	defer sc.give(grids...)
	// Each image has its own part and the parts are added in image order,
	// so dw depends neither on scheduling nor on the number of workers.
	parallelFor(g.n, func(wk, i int) {
		src(i, pads[wk])
		gn := gr[i*g.cout*hw : (i+1)*g.cout*hw]
		grid := grids[wk]
		for co := 0; co < g.cout; co++ {
			for r := 0; r < g.h; r++ {
				row := grid[co*nq+r*pw : co*nq+(r+1)*pw]
				copy(row, gn[co*hw+r*g.w:co*hw+(r+1)*g.w])
				clear(row[g.w:])
			}
		}
		pg.run(false, g.cout, kd, nq, grid, nq, bMatrix{kind: bColOff, data: pads[wk], off: off}, 0, parts[i], kd)
	})
	copy(dw, parts[0])
	for _, p := range parts[1:] {
		for j, v := range p {
			dw[j] += v
		}
	}
}

// biasReLU writes max(src+b, 0) into dst without branches (the signs of
// pre-activations are unpredictable): a float32 whose sign bit is set
// becomes +0, so -0 does too, which reluMask32 relies on.
func biasReLU(src []float32, b float32, dst []float32) {
	dst = dst[:len(src)]
	done := biasActVec(src, b, dst, true)
	for j := done; j < len(src); j++ {
		v := src[j]
		u := math.Float32bits(v + b)
		dst[j] = math.Float32frombits(u &^ uint32(int32(u)>>31))
	}
}
