package loss

import "math"

// bfEps is the epsilon of the boundary-F1 precision, recall and F1 ratios.
const bfEps = 1e-7

// ceOnProbs is segloss's boundary-loss CE term: the cross-entropy of the probabilities p used as logits
// (a second softmax), against labels lab, reduced by red. It overwrites gp with the gradient w.r.t. p (when
// gp is not nil). part is scratch of len 2*N.
func ceOnProbs(p []float64, lab []int32, sh Shape, w []float64, red string, gp, cemap, part []float64) float64 {
	hw, c := sh.H*sh.W, sh.C
	var sumw float64
	for n := range sh.N {
		sw := 0.0
		for _, t := range lab[n*hw : (n+1)*hw] {
			if w != nil {
				sw += w[t]
			} else {
				sw++
			}
		}
		part[2*n+1] = sw
	}
	for n := range sh.N {
		sumw += part[2*n+1]
	}
	scale := 1.0
	if red == "mean" {
		scale = 1 / sumw
	}
	parallelFor(sh.N, func(_, n int) {
		var s float64
		o := n * c * hw
		pn := p[o : o+c*hw]
		var gn []float64
		if gp != nil {
			gn = gp[o : o+c*hw]
		}
		for ij := 0; ij < hw; ij++ {
			t := int(lab[n*hw+ij])
			m := pn[ij]
			for k := 1; k < c; k++ {
				m = max(m, pn[k*hw+ij])
			}
			z := 0.0
			for k := 0; k < c; k++ {
				e := math.Exp(pn[k*hw+ij] - m)
				z += e
				if gn != nil {
					gn[k*hw+ij] = e
				}
			}
			wt := 1.0
			if w != nil {
				wt = w[t]
			}
			l := -wt * (pn[t*hw+ij] - m - math.Log(z))
			if cemap != nil {
				cemap[n*hw+ij] = l
			}
			s += l
			if gn != nil {
				gw := scale
				if w != nil {
					gw *= w[t]
				}
				for k := 0; k < c; k++ {
					gn[k*hw+ij] = gw * gn[k*hw+ij] / z
				}
				gn[t*hw+ij] -= gw
			}
		}
		part[2*n] = s
	})
	var sum float64
	for n := 0; n < sh.N; n++ {
		sum += part[2*n]
	}
	if red == "mean" {
		return sum / sumw
	}
	return sum
}

func (ws *Workspace) runBSL(pr params, sh Shape, labels []int32, wantGrad bool, res *Result) error {
	n, c, h, w := sh.N, sh.C, sh.H, sh.W
	hw := h * w
	compat := pr.mode == Compat
	lab := grow(&ws.lab, n*hw)
	copy(lab, labels)
	if compat {
		for i, y := range lab {
			if y == pr.ign {
				lab[i] = 0
			}
		}
	}
	var cemap []float64
	if pr.red == "none" {
		cemap = make([]float64, n*hw)
	}
	g := ws.gradBuf(sh, wantGrad)
	var p []float64
	var ce float64
	gp := grow(&ws.gp, sh.Len())
	if compat {
		p, _, _, _ = ws.forward(ws.logits(sh), sh, nil, g, false, false)
		var gce []float64
		if wantGrad {
			gce = gp
		}
		ce = ceOnProbs(p, lab, sh, pr.w, pr.red, gce, cemap, grow(&ws.part, 2*n))
	} else {
		p, _, ce, _ = ws.forward(ws.logits(sh), sh, &ceTerm{labels: labels, ign: pr.ign, w: pr.w, red: pr.red,
			cemap: cemap}, g, pr.mode == Default, false)
		if wantGrad {
			clear(gp)
		}
	}
	var mp *BSLMaps
	if res.Maps != nil {
		res.Maps.CE, res.Maps.CEMap = ce, cemap
		mp = &BSLMaps{LabelsUsed: append([]int32(nil), lab...),
			GTBoundary: make([]float64, sh.Len()), PredBoundary: make([]float64, sh.Len()),
			GTExtended: make([]float64, sh.Len()), PredExtended: make([]float64, sh.Len()),
			Precision: make([]float64, n*c), Recall: make([]float64, n*c), BF1: make([]float64, n*c)}
		res.Maps.BSL = mp
	}
	gF := -pr.beta / float64(n*c)
	if pr.red == "none" {
		gF *= float64(n * hw)
	}
	f1 := grow(&ws.f1, n*c)
	// For the default 3 x 3 window, Bg of class k is the class-k pixels whose window holds a different counted
	// label: one map per image serves every class (labelEdges3), instead of a dilation per class.
	var edges []uint8
	if pr.theta0 == 3 {
		edges = grow(&ws.edges, n*hw)
		scr := ws.scratchFor(workerCount(n))
		parallelFor(n, func(wk, img int) {
			labelEdges3(lab[img*hw:(img+1)*hw], h, w, pr.ign, !compat, edges[img*hw:(img+1)*hw],
				grow(&scr[wk].i32[3], 2*hw))
		})
	}
	scr := ws.scratchFor(workerCount(n * c))
	parallelFor(n*c, func(wk, job int) {
		var e []uint8
		if edges != nil {
			e = edges[(job/c)*hw : (job/c+1)*hw]
		}
		f1[job] = bslJob(scr[wk], pr, compat, p[job*hw:(job+1)*hw], lab[(job/c)*hw:(job/c+1)*hw], e, int32(job%c), h, w,
			gF, wantGrad, gp[job*hw:(job+1)*hw], mp, job)
	})
	var bd float64
	for _, f := range f1 {
		bd += 1 - f
	}
	bd /= float64(n * c)
	if res.Maps != nil {
		res.Maps.Border = bd
	}
	if pr.red == "none" {
		res.Values = make([]float64, n*hw)
		for i, v := range cemap {
			res.Values[i] = v + pr.beta*bd
		}
		res.Loss = ce + float64(n*hw)*pr.beta*bd
	} else {
		res.Loss = ce + pr.beta*bd
	}
	if wantGrad {
		softmaxBackward(p, gp, g, sh)
	}
	return nil
}

// bslJob evaluates the boundary F1 of class k in one image (probabilities pk, labels lk, h x w) and returns
// it. When wantGrad is set it adds gF times the F1's gradient w.r.t. pk into gk (which for compat already
// holds the CE term's gradient, and is zero otherwise). mp, when not nil, receives the maps at index job.
// edges, when not nil, is labelEdges3 of lk (theta0 = 3).
func bslJob(s *scratch, pr params, compat bool, pk []float64, lk []int32, edges []uint8, k int32, h, w int, gF float64,
	wantGrad bool, gk []float64, mp *BSLMaps, job int) float64 {
	hw := h * w
	if mp == nil && !hasBoundary(lk[:hw], k, compat, pr.ign) {
		// Without a ground-truth boundary (class k absent, or covering every labelled pixel) Bg = 0, so
		// a = c = 0, P = R = 0, BF1 = 0 and both partial derivatives are 0: nothing to add.
		return 0
	}
	bp, gbp := grow(&s.f[0], hw), grow(&s.f[1], hw)
	mk, ek := grow(&s.k[0], hw), grow(&s.k[1], hw) // keys of 1 - p, then of its window max; of bp, then of Bp_ext
	argm, argp := grow(&s.i32[0], hw), grow(&s.i32[1], hw)
	notK, bg, bge := grow(&s.u8[0], hw), grow(&s.u8[1], hw), grow(&s.u8[2], hw)
	// wm is maxpool_theta0(1 - p): the float 3 x 3 kernel for the default window (1 - p holds no NaN and no -0,
	// so it gives the key path's bits), the key path otherwise.
	wm := grow(&s.f[2], hw)
	if pr.theta0 == 3 {
		om := grow(&s.f[3], hw)
		for ij, v := range pk[:hw] {
			om[ij] = 1 - v
		}
		wmax3(om, h, w, wm, argm, grow(&s.f[4], hw), grow(&s.i32[2], hw))
	} else {
		for ij, v := range pk[:hw] {
			mk[ij] = fkey(1 - v)
		}
		s.wmax.keys(mk, h, w, pr.theta0, argm)
		for ij, e := range mk[:hw] {
			wm[ij] = unkey(e)
		}
	}
	nbg := 0
	if edges != nil {
		edges = edges[:hw]
		for ij, y := range lk[:hw] {
			if !compat && y == pr.ign {
				bp[ij], bg[ij] = 0, 0
				continue
			}
			bp[ij] = wm[ij] - (1 - pk[ij]) // >= +0 (wm includes the pixel's own 1 - p), never -0 or NaN
			b := edges[ij] & b2u(y == k)
			bg[ij] = b
			nbg += int(b)
		}
	} else {
		for ij, y := range lk[:hw] {
			if !compat && y == pr.ign {
				bp[ij] = 0
				notK[ij] = 0
				continue
			}
			bp[ij] = wm[ij] - (1 - pk[ij])
			notK[ij] = b2u(y != k)
		}
		// Bg is the max-pool of "not k" kept on the class-k pixels: a dilation of a binary map.
		s.wmax.dilate(notK, h, w, pr.theta0, bg)
		for ij, y := range lk[:hw] {
			if y != k {
				bg[ij] = 0
			}
			nbg += int(bg[ij])
		}
	}
	sbg := float64(nbg)
	// Bg_ext is a dilation of the thin Bg: stamping the window of each Bg pixel gives the same map and is
	// cheaper than the running counts unless Bg is dense.
	if 2*nbg*pr.theta*pr.theta < hw {
		stampDilate(bg, h, w, pr.theta, bge)
	} else {
		s.wmax.dilate(bg, h, w, pr.theta, bge)
	}
	var sbp, a, cc float64
	for ij, v := range bp[:hw] {
		sbp += v
		if bge[ij] != 0 {
			a += v
		}
	}
	// Bp_ext = maxpool_theta(Bp) enters only where Bg = 1 (R's numerator and, through its argument, the
	// gradient). Ground-truth boundaries are thin, so scanning the window at those pixels alone is cheaper
	// than the full running maximum unless they are many (or the maps want Bp_ext everywhere).
	if mp == nil && int(sbg)*pr.theta*pr.theta < 8*hw {
		r := (pr.theta - 1) / 2
		for ij, b := range bg[:hw] {
			if b == 0 {
				continue
			}
			i, j := ij/w, ij%w
			best, at := 0.0, -1
			for ii := max(i-r, 0); ii <= min(i+r, h-1); ii++ {
				lo, hi := ii*w+max(j-r, 0), ii*w+min(j+r, w-1)
				for o, e := range bp[lo : hi+1] {
					if at < 0 || e > best { // Bp holds no NaN or -0: float order is key order
						best, at = e, lo+o
					}
				}
			}
			cc += best
			argp[ij] = int32(at)
		}
	} else {
		for ij, v := range bp[:hw] {
			ek[ij] = fkey(v)
		}
		s.wmax.keys(ek, h, w, pr.theta, argp)
		for ij, b := range bg[:hw] {
			if b != 0 {
				cc += unkey(ek[ij])
			}
		}
	}
	P := a / (sbp + bfEps)
	// Bg is float32 in segloss, so the epsilon is added in float32 (where it vanishes next to any count >= 1).
	sbgEps := float64(float32(sbg) + float32(bfEps))
	R := cc / sbgEps
	den := P + R + bfEps
	f1 := 2 * P * R / den
	if mp != nil {
		for ij := range hw {
			mp.GTBoundary[job*hw+ij] = float64(bg[ij])
			mp.GTExtended[job*hw+ij] = float64(bge[ij])
		}
		copy(mp.PredBoundary[job*hw:], bp)
		for ij, e := range ek[:hw] {
			mp.PredExtended[job*hw+ij] = unkey(e)
		}
		mp.Precision[job], mp.Recall[job], mp.BF1[job] = P, R, f1
	}
	if !wantGrad {
		return f1
	}
	gP := gF * 2 * R * (R + bfEps) / (den * den)
	gR := gF * 2 * P * (P + bfEps) / (den * den)
	in, off := 1/(sbp+bfEps), a/((sbp+bfEps)*(sbp+bfEps))
	gIn, gOut := gP*(in-off), gP*(0-off)
	for ij, e := range bge[:hw] {
		if e != 0 {
			gbp[ij] = gIn
		} else {
			gbp[ij] = gOut
		}
	}
	if gR != 0 {
		gr := gR * 1 / sbgEps
		for ij, b := range bg[:hw] {
			if b != 0 {
				gbp[argp[ij]] += gr
			}
		}
	}
	for ij, v := range gbp[:hw] {
		if !compat && lk[ij] == pr.ign {
			continue
		}
		gk[ij] += v
		gk[argm[ij]] -= v
	}
	return f1
}

// hasBoundary reports whether labels lk hold both a class-k pixel and a pixel that counts as "not k" (any other
// label in compat mode, where ignore pixels were rewritten to 0; any other valid label in default mode), the
// precondition of a non-empty ground-truth boundary Bg.
func hasBoundary(lk []int32, k int32, compat bool, ign int32) bool {
	var in, out bool
	for _, y := range lk {
		if y == k {
			in = true
		} else if compat || y != ign {
			out = true
		}
		if in && out {
			return true
		}
	}
	return false
}

// stampDilate writes into dst the binary dilation of src (0/1, h x w) by the size x size window (size odd,
// clipped at the edges) by stamping the window of each set pixel: the map wmaxScratch.dilate gives, in time
// proportional to the set pixels times the window area.
func stampDilate(src []uint8, h, w, size int, dst []uint8) {
	clear(dst[:h*w])
	r := (size - 1) / 2
	for ij, b := range src[:h*w] {
		if b == 0 {
			continue
		}
		i, j := ij/w, ij%w
		for ii := max(i-r, 0); ii <= min(i+r, h-1); ii++ {
			row := dst[ii*w+max(j-r, 0) : ii*w+min(j+r, w-1)+1]
			for jj := range row {
				row[jj] = 1
			}
		}
	}
}

// labelEdges3 sets dst[ij] = 1 where the clipped 3 x 3 window of pixel ij holds a label other than lab[ij]
// (not counting ignore pixels when skipIgn), else 0. For a class k, the class-k pixels with dst = 1 are the
// boundary-F1 loss's Bg: maxpool_3(label != k) on the class-k pixels. It takes the window's smallest and
// largest counted label in two separable passes (tmp: scratch of 2*h*w); the window differs from lab[ij] where
// either differs from it. Where lab[ij] is itself an ignored label, dst is meaningless (no class k covers it).
func labelEdges3(lab []int32, h, w int, ign int32, skipIgn bool, dst []uint8, tmp []int32) {
	n := h * w
	lab, dst = lab[:n], dst[:n]
	lo, hi := tmp[:n], tmp[n:2*n]
	for i := range h {
		row, l, u := lab[i*w:(i+1)*w], lo[i*w:(i+1)*w], hi[i*w:(i+1)*w]
		// a, b: the counted label itself as a candidate minimum and maximum (neutral where ignored).
		cand := func(j int) (int32, int32) {
			v := row[j]
			if skipIgn && v == ign {
				return math.MaxInt32, math.MinInt32
			}
			return v, v
		}
		pa, pb := cand(0)
		ca, cb := pa, pb
		for j := range w {
			na, nb := int32(math.MaxInt32), int32(math.MinInt32)
			if j+1 < w {
				na, nb = cand(j + 1)
			}
			l[j], u[j] = min(pa, ca, na), max(pb, cb, nb)
			pa, pb, ca, cb = ca, cb, na, nb
		}
	}
	for i := range h {
		a, b := max(i-1, 0), min(i+1, h-1)
		la, lb, lc := lo[a*w:(a+1)*w], lo[i*w:(i+1)*w], lo[b*w:(b+1)*w]
		ua, ub, uc := hi[a*w:(a+1)*w], hi[i*w:(i+1)*w], hi[b*w:(b+1)*w]
		row, d := lab[i*w:(i+1)*w], dst[i*w:(i+1)*w]
		la, lb, lc, ua, ub, uc, d = la[:len(row)], lb[:len(row)], lc[:len(row)], ua[:len(row)], ub[:len(row)],
			uc[:len(row)], d[:len(row)]
		for j, y := range row {
			d[j] = b2u(min(la[j], lb[j], lc[j]) < y) | b2u(max(ua[j], ub[j], uc[j]) > y)
		}
	}
}
