package loss

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
)

// ablOffsets are the 8 direction offsets (row, column) of ABL in segloss's order; index 8 is the centre.
var ablOffsets = [9][2]int{{1, 0}, {-1, 0}, {0, -1}, {0, 1}, {-1, 1}, {1, 1}, {-1, -1}, {1, -1}, {0, 0}}

// ablDeltas returns the flat offsets of ablOffsets in an image of width w, from the neighbour up and to the
// left (index w+1 is the pixel itself).
func ablDeltas(w int) [9]int {
	var d [9]int
	for m, off := range ablOffsets {
		d[m] = (off[0]+1)*w + off[1] + 1
	}
	return d
}

// ablOutside is the distance candidate of an offset that leaves the image.
const ablOutside = 1e5

// bilinearAxis returns segloss's (PyTorch's) align_corners=True source indices and weights along one axis.
func bilinearAxis(in, out int) (i0, i1 []int, lam []float64) {
	i0, i1, lam = make([]int, out), make([]int, out), make([]float64, out)
	scale := 0.0
	if out > 1 {
		scale = float64(in-1) / float64(out-1)
	}
	for d := range out {
		src := scale * float64(d)
		i := int(src)
		step := 0
		if i < in-1 {
			step = 1
		}
		i0[d], i1[d], lam[d] = i, i+step, src-float64(i)
	}
	return i0, i1, lam
}

// resizeBilinear resizes x (shape sh) to oh x ow (bilinear, aligned corners) into dst, or, when back is set,
// adds the transpose of that map applied to dst (a gradient on the resized grid) into x.
func resizeBilinear(x []float64, sh Shape, dst []float64, oh, ow int, back bool) {
	y0, y1, ly := bilinearAxis(sh.H, oh)
	x0, x1, lx := bilinearAxis(sh.W, ow)
	planes := sh.N * sh.C
	parallelFor(planes, func(_, pl int) {
		in := x[pl*sh.H*sh.W : (pl+1)*sh.H*sh.W]
		out := dst[pl*oh*ow : (pl+1)*oh*ow]
		for i := range oh {
			h1, h0 := ly[i], 1-ly[i]
			r0, r1 := y0[i]*sh.W, y1[i]*sh.W
			for j := range ow {
				w1, w0 := lx[j], 1-lx[j]
				if back {
					v := out[i*ow+j]
					in[r0+x0[j]] += h0 * w0 * v
					in[r0+x1[j]] += h0 * w1 * v
					in[r1+x0[j]] += h1 * w0 * v
					in[r1+x1[j]] += h1 * w1 * v
					continue
				}
				out[i*ow+j] = h0*(w0*in[r0+x0[j]]+w1*in[r0+x1[j]]) + h1*(w0*in[r1+x0[j]]+w1*in[r1+x1[j]])
			}
		}
	})
}

// ablPixel is one kept predicted-boundary pixel.
type ablPixel struct {
	o     int // flat pixel index within the image
	z     [8]float64
	dir   int
	ce    float64
	omega float64
	ls    [8]float64 // log-softmax of z
}

func (ws *Workspace) runABL(pr params, sh Shape, lh, lw int, labels []int32, wantGrad bool, res *Result) error {
	compat := pr.mode == Compat
	n, c := sh.N, sh.C
	gsh := Shape{N: n, C: c, H: lh, W: lw}
	hw := lh * lw
	resized := lh != sh.H || lw != sh.W
	x := ws.logits(sh)
	if resized {
		x = grow(&ws.xr, gsh.Len())
		resizeBilinear(ws.x[:sh.Len()], sh, x, lh, lw, false)
	}
	var gAll, g []float64
	g32 := ws.g32 // the gradient goes straight to the caller's float32 buffer (Run: detach, no maps or resize)
	if wantGrad && g32 == nil {
		gAll = grow(&ws.g, sh.Len())
		g = gAll
		if resized {
			clear(gAll)
			g = grow(&ws.gr, gsh.Len())
		}
	}
	var mp *ABLMaps
	if res.Maps != nil {
		mp = &ABLMaps{}
		res.Maps.ABL = mp
	}
	finish := func() {
		if resized && wantGrad {
			resizeBilinear(gAll, sh, g, lh, lw, true)
		}
	}
	// near: default mode without maps, where every stage up to the direction cross-entropy runs per image
	// right after the image's softmax (its p and lp are still in cache) and distances are computed only where
	// the loss reads them. Otherwise only the KL map runs there and the other stages follow batch-wide.
	near := !compat && mp == nil
	kl := grow(&ws.abl.kl, n*hw)
	buf := grow(&ws.abl.buf, n*hw) // scratch: a row per image for the KL map, then the threshold selection
	maxN := float64(hw) * pr.ratio
	thr := grow(&ws.abl.thr, n)
	raw := grow(&ws.abl.raw, n*hw)
	tmp := grow(&ws.abl.tmp, n*hw)
	bp := grow(&ws.abl.bp, n*hw)
	counts := zeroed(&ws.cnt, n)
	bg := grow(&ws.abl.bg, n*hw)
	dist := grow(&ws.abl.dist, n*hw)
	hasB := zeroed(&ws.abl.hasB, n)
	scr := ws.scratchFor(workerCount(n))
	kept := grow(&ws.abl.kept, n)
	for img := range kept {
		kept[img] = kept[img][:0]
	}
	var all [][3]int
	var dirAll []int
	var dw []float64
	if compat && pr.w != nil {
		dw = pr.w
	}
	eps := pr.smooth
	// Predicted boundary: KL scores, the x1.2 threshold loop, 3x3 dilation.
	klImage := func(img int, pi, lpi []float64) {
		klMap(pi, lpi, c, lh, lw, kl[img*hw:(img+1)*hw], buf[img*hw:img*hw+lw])
	}
	thrImage := func(img int) {
		thr[img] = nextThreshold(kl[img*hw:(img+1)*hw], maxN, buf[img*hw:(img+1)*hw])
	}
	maskImage := func(img int) {
		var t float64
		if compat {
			t = thr[0] // one batch-wide threshold
		} else {
			t = thr[img]
		}
		r := raw[img*hw : (img+1)*hw]
		for ij, v := range kl[img*hw : (img+1)*hw] {
			r[ij] = v > t
		}
		dilate3x3(r, lh, lw, bp[img*hw:(img+1)*hw], tmp[img*hw:(img+1)*hw])
		counts[img] += countTrue(bp[img*hw : (img+1)*hw])
	}
	// Ground-truth boundary and distance map.
	nearImage := func(wk, img int) {
		if counts[img] == 0 {
			return
		}
		o := img * hw
		hasB[img] = ablNearDistances(labels[o:o+hw], pr.ign, lh, lw, bp[o:o+hw],
			grow(&scr[wk].k[0], lw*((lh+63)/64)), grow(&scr[wk].k[1], lw), raw[o:o+hw], tmp[o:o+hw], dist[o:o+hw])
	}
	distImage := func(wk, img int) {
		lab := labels[img*hw : (img+1)*hw]
		b := bg[img*hw : (img+1)*hw]
		all := true
		for i := range lh {
			for j := range lw {
				o := i*lw + j
				y := lab[o]
				var on bool
				if compat {
					on = y == pr.ign || (i < lh-1 && lab[o+lw] != y) || (j < lw-1 && lab[o+1] != y)
				} else if y != pr.ign {
					on = (i < lh-1 && lab[o+lw] != y && lab[o+lw] != pr.ign) ||
						(j < lw-1 && lab[o+1] != y && lab[o+1] != pr.ign)
				}
				b[o] = on
				hasB[img] = hasB[img] || on
				all = all && on
			}
		}
		d := dist[img*hw : (img+1)*hw]
		switch {
		case compat && all:
			clear(d)
		case compat && !hasB[img]:
			for i := range lh {
				for j := range lw {
					d[i*lw+j] = math.Floor(math.Sqrt(float64(1+i*i+j*j))) - 1
				}
			}
		case hasB[img]:
			sq := grow(&scr[wk].i64, hw)
			scr[wk].edt.run(b, lh, lw, sq)
			for o, v := range sq {
				e := math.Sqrt(float64(v)) // exact for perfect squares, as scipy's EDT
				if v == 0 {
					d[o] = 0
				} else {
					d[o] = math.Floor(e) - 1
				}
			}
		default:
			clear(d)
		}
	}
	// Directions: the first neighbour (centre last) of least distance. With maps, images run in batch order,
	// as the maps list every pixel that way.
	direction := func(img int) {
		if near && !hasB[img] {
			return
		}
		bpi := boolBytes(bp[img*hw : (img+1)*hw])
		deltas := ablDeltas(lw)
		for o := 0; o < hw; o++ {
			if o&7 == 0 && o+8 <= hw && binary.LittleEndian.Uint64(bpi[o:]) == 0 {
				o += 7 // eight pixels off the predicted boundary
				continue
			}
			if bpi[o] == 0 || (near && labels[img*hw+o] == pr.ign) {
				continue
			}
			i, j := o/lw, o%lw
			best, bd := 0, math.Inf(1)
			if i > 0 && i < lh-1 && j > 0 && j < lw-1 {
				// Inside the image: every neighbour exists, at a fixed offset.
				di := dist[img*hw+o-lw-1 : img*hw+o+lw+2]
				for m, dlt := range &deltas {
					if cand := di[dlt]; cand < bd {
						best, bd = m, cand
					}
				}
			} else {
				for m, off := range ablOffsets {
					ii, jj := i+off[0], j+off[1]
					cand := ablOutside
					if ii >= 0 && ii < lh && jj >= 0 && jj < lw {
						cand = dist[img*hw+ii*lw+jj]
					}
					if cand < bd {
						best, bd = m, cand
					}
				}
			}
			if mp != nil {
				all = append(all, [3]int{img, i, j})
				dirAll = append(dirAll, best)
			}
			if best == 8 {
				continue
			}
			if !compat && (labels[img*hw+o] == pr.ign || !hasB[img]) {
				continue
			}
			kept[img] = append(kept[img], ablPixel{o: o, dir: best})
		}
	}
	// Direction logits, their cross-entropy and the pixel weights.
	// The gradient reads p (and, without detach, lp) only around the kept pixels: zImage copies those values
	// per image into nbr (ablGather), so in the near path p and lp never leave the worker's one-image buffers.
	stride := 9 * c
	if !pr.detach {
		stride += 8 * c
	}
	for len(ws.abl.nbr) < n {
		ws.abl.nbr = append(ws.abl.nbr, nil)
	}
	nbr := ws.abl.nbr[:n]
	zImage := func(wk, img int, pi, lpi []float64) {
		loc := grow(&scr[wk].f[0], 17*c) // the values of one pixel when nbr does not keep them
		if wantGrad {
			nbr[img] = grow(&nbr[img], len(kept[img])*stride)
		}
		for q := range kept[img] {
			px := &kept[img][q]
			v := loc
			if wantGrad {
				v = nbr[img][q*stride : (q+1)*stride]
			}
			dl := loc[9*c : 17*c]
			if len(v) == 17*c {
				dl = v[9*c:]
			}
			ablGather(px.o, pi, lpi, c, lh, lw, v[:9*c], dl)
			for m := range 8 {
				z := 0.0
				for k := range c {
					z += v[m*c+k] * dl[m*c+k]
				}
				px.z[m] = z
			}
			logSoftmax8(&px.z, &px.ls, !compat)
			ls := &px.ls
			wg := 1.0
			if dw != nil {
				wg = dw[px.dir]
			}
			smooth := 0.0
			for m := range 8 {
				wm := 1.0
				if dw != nil {
					wm = dw[m]
				}
				smooth -= wm * ls[m]
			}
			px.ce = (1-eps)*(-wg*ls[px.dir]) + eps/8*smooth
			if compat {
				dm, cl := float32(dist[img*hw+px.o]), float32(pr.clip)
				px.omega = float64(min(dm, cl) / cl)
			} else {
				px.omega = min(dist[img*hw+px.o], pr.clip) / pr.clip
			}
		}
	}
	then := func(_, img int, pi, lpi []float64) { klImage(img, pi, lpi) }
	if near {
		then = func(wk, img int, pi, lpi []float64) {
			klImage(img, pi, lpi)
			o := img * hw
			thr[img] = thresholdMask(kl[o:o+hw], maxN, buf[o:o+hw], grow(&scr[wk].i32[0], hw), raw[o:o+hw])
			dilate3x3(raw[o:o+hw], lh, lw, bp[o:o+hw], tmp[o:o+hw])
			counts[img] += countTrue(bp[o : o+hw])
			nearImage(wk, img)
			direction(img)
			zImage(wk, img, pi, lpi)
		}
	}
	p, lp, ce, _ := ws.forward(x, gsh, &ceTerm{labels: labels, ign: pr.ign, w: pr.w, red: pr.red, then: then,
		perImage: near}, g, pr.mode == Default, true)
	if ws.nonFinite {
		return nil // Run reports the non-finite logit
	}
	res.Loss = ce
	if mp != nil {
		res.Maps.Shape, res.Maps.CE = gsh, ce
	}
	if !near {
		if compat {
			thr = thr[:1]
			thr[0] = nextThreshold(kl, maxN, buf)
		} else {
			parallelFor(n, func(_, img int) { thrImage(img) })
		}
		parallelFor(n, func(_, img int) { maskImage(img) })
	}
	count := 0
	for _, k := range counts {
		count += k
	}
	if mp != nil {
		mp.KL = append([]float64(nil), kl...)
		mp.MaxN, mp.Thresholds = maxN, append([]float64(nil), thr...)
		mp.PredBoundary, mp.PredBoundaryCount = append([]bool(nil), bp...), count
	}
	if count <= 1 {
		finish()
		return nil
	}
	if compat && pr.w != nil && c != 8 {
		return fmt.Errorf("loss active-boundary: segloss hands the %d class weights to the 8-way direction "+
			"cross-entropy and raises RuntimeError (weight tensor should be defined for all 8 classes)", c)
	}
	if !near {
		parallelFor(n, distImage)
		if mp != nil {
			for img := range n {
				direction(img)
			}
		} else {
			parallelFor(n, func(_, img int) { direction(img) })
		}
		parallelFor(n, func(wk, img int) {
			zImage(wk, img, p[img*c*hw:(img+1)*c*hw], lp[img*c*hw:(img+1)*c*hw])
		})
	}
	var ceSum, omegaSum, prodSum float64
	omega32 := ws.abl.omega32[:0]
	nk := 0
	for img := range n {
		for _, px := range kept[img] {
			ceSum += px.ce
			if compat {
				omega32 = append(omega32, float32(px.omega))
			}
			omegaSum += px.omega
			prodSum += px.ce * px.omega
			nk++
		}
	}
	ws.abl.omega32 = omega32
	var border float64
	if compat {
		omegaSum = float64(torchSum32(omega32))
		border = ceSum * omegaSum
	} else if nk > 0 {
		border = prodSum / float64(nk)
	}
	res.Loss = ce + pr.factor*border
	if mp != nil {
		res.Maps.Border = border
		mp.GTBoundary, mp.Distance = append([]bool(nil), bg...), append([]float64(nil), dist...)
		mp.Pixels, mp.DirectionAll = all, dirAll
		mp.DirectionCESum, mp.WeightSum = ceSum, omegaSum
		idx := 0
		for img := range n {
			for _, px := range kept[img] {
				for idx < len(all) && (all[idx][0] != img || all[idx][1]*lw+all[idx][2] != px.o) {
					idx++
				}
				mp.Kept = append(mp.Kept, idx)
				mp.DirectionKept = append(mp.DirectionKept, px.dir)
				mp.DirectionLogits = append(mp.DirectionLogits, px.z)
				mp.Weights = append(mp.Weights, px.omega)
				mp.DistanceKept = append(mp.DistanceKept, dist[img*hw+px.o])
			}
		}
	}
	if !wantGrad || nk == 0 {
		finish()
		return nil
	}
	// The direction cross-entropy's gradient w.r.t. its logits is e^ls * asum - a, a depending only on the
	// direction: a_m = eps/8 w_m, plus (1-eps) w_dir for m = dir.
	var aTab [8][8]float64
	var aSum [8]float64
	for dir := range 8 {
		a := &aTab[dir]
		for m := range 8 {
			wm := 1.0
			if dw != nil {
				wm = dw[m]
			}
			a[m] = eps / 8 * wm
		}
		wg := 1.0
		if dw != nil {
			wg = dw[dir]
		}
		a[dir] += (1 - eps) * wg
		for m := range 8 {
			aSum[dir] += a[m]
		}
	}
	parallelFor(n, func(_, img int) {
		var gi []float64
		var gi32 []float32
		if g32 != nil {
			gi32 = g32[img*c*hw : (img+1)*c*hw]
		} else {
			gi = g[img*c*hw : (img+1)*c*hw]
		}
		var cgb [16]float64
		cg := cgb[:min(c, len(cgb))] // the kept pixel's float64 gradient, rebuilt from the cross-entropy's
		if g32 != nil && c > len(cgb) {
			cg = make([]float64, c)
		}
		for q := range kept[img] {
			px := &kept[img][q]
			pn := nbr[img][q*stride : q*stride+9*c] // p at the 8 neighbours, then at the centre
			dl := nbr[img][q*stride+9*c : (q+1)*stride]
			scale := pr.factor * omegaSum
			if !compat {
				scale = pr.factor * px.omega / float64(nk)
			}
			if scale == 0 {
				continue
			}
			ls := &px.ls
			a, asum := &aTab[px.dir], aSum[px.dir]
			var gz [8]float64
			for m := range 8 {
				e := 0.0
				if compat {
					e = math.Exp(ls[m])
				} else {
					e = expNonPos(ls[m])
				}
				gz[m] = scale * (e*asum - a[m])
			}
			i, j := px.o/lw, px.o%lw
			if g32 != nil {
				// As ceImage.block before narrowing: gw p_k, less gw for the label (never ignored here).
				t := labels[img*hw+px.o]
				gw := ws.ceScale
				if pr.w != nil {
					gw *= pr.w[t]
				}
				for k := range c {
					cg[k] = gw * pn[8*c+k]
				}
				cg[t] -= gw
				var hsum float64
				for k := range c {
					h := 0.0
					for m := range 8 {
						h -= gz[m] * pn[m*c+k]
					}
					cg[k] += h
					hsum += h
				}
				for k := range c {
					cg[k] -= pn[8*c+k] * hsum
					gi32[k*hw+px.o] = float32(cg[k])
				}
				continue
			}
			// Through log p_centre: d z_m / d lp_c(centre) = -q_m,c.
			var hsum float64
			for k := range c {
				h := 0.0
				for m := range 8 {
					h -= gz[m] * pn[m*c+k]
				}
				gi[k*hw+px.o] += h
				hsum += h
			}
			for k := range c {
				gi[k*hw+px.o] -= pn[8*c+k] * hsum
			}
			if pr.detach {
				continue
			}
			for m := range 8 {
				nb := min(max(i+ablOffsets[m][0], 0), lh-1)*lw + min(max(j+ablOffsets[m][1], 0), lw-1)
				for k := range c {
					gi[k*hw+nb] += gz[m] * pn[m*c+k] * (dl[m*c+k] - px.z[m])
				}
			}
		}
	})
	finish()
	return nil
}

// ablGather copies what the direction logits and their gradient read around pixel o of one image (c planes of
// h x w): v[m*c+k] = p_k at neighbour m (ablOffsets, clamped to the image; m = 8 the pixel itself), and
// dl[m*c+k] = lp_k(neighbour m) - lp_k(o) for m < 8.
func ablGather(o int, p, lp []float64, c, h, w int, v, dl []float64) {
	hw := h * w
	i, j := o/w, o%w
	for m, off := range ablOffsets {
		nb := min(max(i+off[0], 0), h-1)*w + min(max(j+off[1], 0), w-1)
		pv := v[m*c : (m+1)*c]
		for k := range pv {
			pv[k] = p[k*hw+nb]
		}
		if m < 8 {
			dv := dl[m*c : (m+1)*c]
			for k := range dv {
				dv[k] = lp[k*hw+nb] - lp[k*hw+o]
			}
		}
	}
}

// logSoftmax8 writes the log-softmax of z into ls; fast (default mode) uses expNonPos instead of math.Exp.
func logSoftmax8(z, ls *[8]float64, fast bool) {
	m := z[0]
	for _, v := range z[1:] {
		m = max(m, v)
	}
	s := 0.0
	for _, v := range z {
		if fast {
			s += expNonPos(v - m)
		} else {
			s += math.Exp(v - m)
		}
	}
	l := math.Log(s)
	for k, v := range z {
		ls[k] = v - m - l
	}
}

// ablNearDistances finds, for one image in default mode, the ground-truth boundary (a labelled pixel whose
// lower or right neighbour holds another label that is not ign) and reports whether it has any pixel. If so, it
// writes ABL's distance floor(EDT) - 1 (0 on the boundary) into d at the pixels of bp and their 8 neighbours,
// the only entries the loss reads, and leaves the others as they are. The squared Euclidean distance of pixel
// (i, q) is the minimum over columns p of (q-p)^2 + v(i,p)^2, v being the vertical distance to the boundary
// within column p; the search runs outward from q and stops once (q-p)^2 reaches the best value so far, so it
// is exact and costs about twice the distance. v is read only where the search visits: each column keeps its
// boundary rows as a bit set (cols, len w*ceil(h/64)), and v is the distance to the nearest set bit, found
// with a few word operations, and cached per row in vcache (len w). need and tmp are scratch of len h*w.
func ablNearDistances(lab []int32, ign int32, h, w int, bp []bool, cols, vcache []uint64, need, tmp []bool,
	d []float64) bool {
	nw := (h + 63) / 64
	cols = cols[:w*nw]
	clear(cols)
	has := false
	for i := range h {
		row := lab[i*w : (i+1)*w]
		down := row // the last row has no lower neighbour: comparing it with itself finds none
		if i < h-1 {
			down = lab[(i+1)*w : (i+2)*w][:len(row)]
		}
		wd, bit := i>>6, uint64(1)<<(i&63)
		j := 0
		for ; j+4 < len(row); j += 4 {
			// Four pixels whose right and lower neighbours all hold their own label are off the boundary.
			y := row[j]
			if (row[j+1]^y)|(row[j+2]^y)|(row[j+3]^y)|(row[j+4]^y)|
				(down[j]^y)|(down[j+1]^y)|(down[j+2]^y)|(down[j+3]^y) == 0 {
				continue
			}
			for jj := j; jj < j+4; jj++ {
				if ablOnBoundary(row[jj], down[jj], row[jj+1], ign) {
					has = true
					cols[jj*nw+wd] |= bit
				}
			}
		}
		for ; j < len(row); j++ {
			r := row[j] // the last column has no right neighbour
			if j < len(row)-1 {
				r = row[j+1]
			}
			if ablOnBoundary(row[j], down[j], r, ign) {
				has = true
				cols[j*nw+wd] |= bit
			}
		}
	}
	if !has {
		return false
	}
	dilate3x3(bp, h, w, need, tmp)
	// vc caches v(i, p) for the current row i: (i+1)<<32 | v, so entries of other rows never match.
	vc := vcache[:w]
	clear(vc)
	nb := boolBytes(need[:h*w])
	for i := range h {
		tag := uint64(i+1) << 32
		row := nb[i*w : (i+1)*w]
		for q := 0; q < len(row); q++ {
			if q&7 == 0 && q+8 <= len(row) && binary.LittleEndian.Uint64(row[q:]) == 0 {
				q += 7 // eight pixels that need no distance
				continue
			}
			if row[q] == 0 {
				continue
			}
			// The search visits columns q-r and q+r, reading v through vc.
			best := int64(math.MaxInt64)
			for r := 0; ; r++ {
				r2 := int64(r * r)
				if r2 >= best || (q < r && q+r >= w) {
					break
				}
				lo, hi := q-r, q+r
				if lo >= 0 {
					e := vc[lo]
					if e&^math.MaxUint32 != tag {
						e = tag | uint64(ablColumnDistance(cols[lo*nw:(lo+1)*nw], i))
						vc[lo] = e
					}
					x := int64(uint32(e))
					best = min(best, r2+x*x)
				}
				if hi < w && r > 0 {
					e := vc[hi]
					if e&^math.MaxUint32 != tag {
						e = tag | uint64(ablColumnDistance(cols[hi*nw:(hi+1)*nw], i))
						vc[hi] = e
					}
					x := int64(uint32(e))
					best = min(best, r2+x*x)
				}
			}
			if best == 0 {
				d[i*w+q] = 0
			} else {
				// sqrt is correctly rounded, so its floor is the integer square root (exact for perfect
				// squares, as scipy's EDT).
				d[i*w+q] = float64(int64(math.Sqrt(float64(best)))) - 1
			}
		}
	}
	return true
}

// ablOnBoundary reports whether a pixel of label y whose lower and right neighbours hold dn and r is on the
// default-mode ground-truth boundary.
func ablOnBoundary(y, dn, r, ign int32) bool {
	return y != ign && ((dn != y && dn != ign) || (r != y && r != ign))
}

// ablColumnDistance returns the distance from row i to the nearest set bit of the column bit set c (bit r of
// word r/64 marks row r), or math.MaxInt32/2 when c has none.
func ablColumnDistance(c []uint64, i int) int64 {
	const far = math.MaxInt32 / 2
	best := int64(far)
	wd, sh := i>>6, uint(i&63)
	// At or below row i: bits >= i.
	if x := c[wd] >> sh; x != 0 {
		best = int64(bits.TrailingZeros64(x))
	} else {
		for k := wd + 1; k < len(c); k++ {
			if c[k] != 0 {
				best = int64(k*64 + bits.TrailingZeros64(c[k]) - i)
				break
			}
		}
	}
	if best == 0 {
		return 0
	}
	// Above row i: bits < i.
	if x := c[wd] << (63 - sh) << 1; x != 0 {
		return min(best, int64(bits.LeadingZeros64(x))+1)
	}
	for k := wd - 1; k >= 0; k-- {
		if c[k] != 0 {
			return min(best, int64(i-(k*64+63-bits.LeadingZeros64(c[k]))))
		}
	}
	return best
}

// countTrue returns the number of set entries of b, eight at a time (each bool is a 0 or 1 byte).
func countTrue(b []bool) int {
	by := boolBytes(b)
	n, i := 0, 0
	for ; i+8 <= len(by); i += 8 {
		n += bits.OnesCount64(binary.LittleEndian.Uint64(by[i:]))
	}
	for _, v := range b[i:] {
		if v {
			n++
		}
	}
	return n
}
