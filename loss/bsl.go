package loss

import "math"

// bfEps is the epsilon of the boundary-F1 precision, recall and F1 ratios.
const bfEps = 1e-7

// ceOnProbs is segloss's boundary-loss CE term: the cross-entropy of the probabilities p used as logits
// (a second softmax), against labels lab, reduced by red. It adds the gradient w.r.t. p into gp.
func ceOnProbs(p []float64, lab []int32, sh Shape, w []float64, red string, gp, cemap []float64) float64 {
	hw, c := sh.H*sh.W, sh.C
	part := make([]float64, 2*sh.N)
	parallelFor(sh.N, func(_, n int) {
		var s, sw float64
		o := n * c * hw
		for ij := 0; ij < hw; ij++ {
			t := int(lab[n*hw+ij])
			m := p[o+ij]
			for k := 1; k < c; k++ {
				m = max(m, p[o+k*hw+ij])
			}
			z := 0.0
			for k := 0; k < c; k++ {
				z += math.Exp(p[o+k*hw+ij] - m)
			}
			wt := 1.0
			if w != nil {
				wt = w[t]
			}
			l := -wt * (p[o+t*hw+ij] - m - math.Log(z))
			if cemap != nil {
				cemap[n*hw+ij] = l
			}
			s += l
			sw += wt
		}
		part[2*n], part[2*n+1] = s, sw
	})
	var sum, sumw float64
	for n := 0; n < sh.N; n++ {
		sum += part[2*n]
		sumw += part[2*n+1]
	}
	scale, loss := 1.0, sum
	if red == "mean" {
		scale, loss = 1/sumw, sum/sumw
	}
	if gp == nil {
		return loss
	}
	parallelFor(sh.N, func(_, n int) {
		o := n * c * hw
		for ij := 0; ij < hw; ij++ {
			t := int(lab[n*hw+ij])
			m := p[o+ij]
			for k := 1; k < c; k++ {
				m = max(m, p[o+k*hw+ij])
			}
			z := 0.0
			for k := 0; k < c; k++ {
				z += math.Exp(p[o+k*hw+ij] - m)
			}
			wt := scale
			if w != nil {
				wt *= w[t]
			}
			for k := 0; k < c; k++ {
				gp[o+k*hw+ij] += wt * math.Exp(p[o+k*hw+ij]-m) / z
			}
			gp[o+t*hw+ij] -= wt
		}
	})
	return loss
}

func (ws *Workspace) runBSL(pr params, sh Shape, labels []int32, wantGrad bool, res *Result) error {
	p, lp, g := ws.prepare(sh)
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
	gp := zeroed(&ws.gp, sh.Len())
	var ce float64
	if compat {
		var gce []float64
		if wantGrad {
			gce = gp
		}
		ce = ceOnProbs(p, lab, sh, pr.w, pr.red, gce, cemap)
	} else {
		var gce []float64
		if wantGrad {
			gce = g
		}
		ce, _ = ws.crossEntropy(p, lp, labels, sh, pr.ign, pr.w, pr.red, gce, cemap)
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
	f1 := make([]float64, n*c)
	scr := ws.scratchFor(workerCount(n * c))
	parallelFor(n*c, func(wk, job int) {
		img, k := job/c, job%c
		s := scr[wk]
		pk := p[job*hw : (job+1)*hw]
		lk := lab[img*hw : (img+1)*hw]
		q, mx, bp, bg, bge, bpe := grow(&s.f[0], hw), grow(&s.f[1], hw), grow(&s.f[2], hw), grow(&s.f[3], hw),
			grow(&s.f[4], hw), grow(&s.f[5], hw)
		argm, argp := grow(&s.i32[0], hw), grow(&s.i32[1], hw)
		for ij, v := range pk {
			q[ij] = 1 - v
		}
		s.wmax.run(q, h, w, pr.theta0, mx, argm)
		for ij := range bp {
			bp[ij] = mx[ij] - q[ij]
			if !compat && lk[ij] == pr.ign {
				bp[ij] = 0
			}
			switch {
			case !compat && lk[ij] == pr.ign:
				bg[ij] = 0
			case lk[ij] != int32(k):
				bg[ij] = 1
			default:
				bg[ij] = 0
			}
		}
		s.wmax.run(bg, h, w, pr.theta0, bg, nil)
		for ij := range bg {
			if lk[ij] != int32(k) {
				bg[ij] = 0
			}
		}
		s.wmax.run(bg, h, w, pr.theta, bge, nil)
		s.wmax.run(bp, h, w, pr.theta, bpe, argp)
		var sbp, sbg, a, cc float64
		for ij := range bp {
			sbp += bp[ij]
			sbg += bg[ij]
			a += bp[ij] * bge[ij]
			cc += bpe[ij] * bg[ij]
		}
		P := a / (sbp + bfEps)
		// Bg is float32 in segloss, so the epsilon is added in float32 (where it vanishes next to any count >= 1).
		sbgEps := float64(float32(sbg) + float32(bfEps))
		R := cc / sbgEps
		den := P + R + bfEps
		f1[job] = 2 * P * R / den
		if mp != nil {
			copy(mp.GTBoundary[job*hw:], bg)
			copy(mp.PredBoundary[job*hw:], bp)
			copy(mp.GTExtended[job*hw:], bge)
			copy(mp.PredExtended[job*hw:], bpe)
			mp.Precision[job], mp.Recall[job], mp.BF1[job] = P, R, f1[job]
		}
		if !wantGrad {
			return
		}
		gP := gF * 2 * R * (R + bfEps) / (den * den)
		gR := gF * 2 * P * (P + bfEps) / (den * den)
		gbp := mx // reuse: the window maximum is no longer needed
		for ij := range gbp {
			gbp[ij] = gP * (bge[ij]/(sbp+bfEps) - a/((sbp+bfEps)*(sbp+bfEps)))
		}
		if gR != 0 {
			for ij := range bg {
				if bg[ij] != 0 {
					gbp[argp[ij]] += gR * bg[ij] / sbgEps
				}
			}
		}
		gk := gp[job*hw : (job+1)*hw]
		for ij, v := range gbp {
			if !compat && lk[ij] == pr.ign {
				continue
			}
			gk[ij] += v
			gk[argm[ij]] -= v
		}
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
