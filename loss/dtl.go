package loss

import (
	"fmt"
	"math"
)

// argmaxClasses writes the first maximal class of every pixel of x (N x C x H x W) into dst (N*H*W).
func argmaxClasses(x []float64, sh Shape, dst []int32) {
	hw, c := sh.H*sh.W, sh.C
	parallelFor(sh.N, func(_, n int) {
		o := n * c * hw
		for ij := 0; ij < hw; ij++ {
			b, bk := x[o+ij], int32(0)
			for k := 1; k < c; k++ {
				if v := x[o+k*hw+ij]; v > b {
					b, bk = v, int32(k)
				}
			}
			dst[n*hw+ij] = bk
		}
	})
}

// presentClasses lists, ascending, the classes that occur in labels (ignoring ign).
func presentClasses(labels []int32, c int, ign int32) []int32 {
	seen := make([]bool, c)
	for _, y := range labels {
		if y != ign {
			seen[y] = true
		}
	}
	var out []int32
	for k, s := range seen {
		if s {
			out = append(out, int32(k))
		}
	}
	return out
}

// presentAny counts the labels that are not ign.
func presentAny(labels []int32, ign int32) int {
	k := 0
	for _, y := range labels {
		if y != ign {
			k++
		}
	}
	return k
}

func (ws *Workspace) runDTL(pr params, sh Shape, labels []int32, wantGrad bool, res *Result) error {
	n, c, h, w := sh.N, sh.C, sh.H, sh.W
	hw := h * w
	compat := pr.mode == Compat
	var cemap []float64
	if pr.red == "none" {
		cemap = make([]float64, n*hw)
	}
	g := ws.gradBuf(sh, wantGrad)
	p, _, ce, ok := ws.forward(ws.x[:sh.Len()], sh, &ceTerm{labels: labels, ign: pr.ign, w: pr.w, red: pr.red,
		cemap: cemap}, g)
	if !ok && compat {
		return fmt.Errorf("loss dtl: reduction \"mean\" with every pixel labelled %d: segloss's CE term is NaN", pr.ign)
	}
	am := grow(&ws.lab, n*hw)
	argmaxClasses(ws.x, sh, am)
	// Compat loops over the classes present in the batch's labels; default over every class, so that a
	// hallucinated class (predicted but absent from an image's labels) is penalised in every image alike.
	classes := presentClasses(labels, c, pr.ign)
	if !compat {
		classes = classes[:0]
		for k := range c {
			if int32(k) != pr.ign {
				classes = append(classes, int32(k))
			}
		}
		if presentAny(labels, pr.ign) == 0 {
			classes = nil
		}
	}
	var mp *DTLMaps
	if res.Maps != nil {
		res.Maps.CE, res.Maps.CEMap = ce, cemap
		mp = &DTLMaps{PredArgmax: append([]int32(nil), am...), Classes: classes}
		mp.PenaltyShape = [4]int{n, 1, h, w}
		if compat {
			mp.PenaltyShape[1] = n
		}
		res.Maps.DTL = mp
	}
	if len(classes) == 0 {
		if compat {
			return fmt.Errorf("loss dtl: every pixel is labelled with the ignore index %d, so no class is looped "+
				"over (segloss raises TypeError: 'float' object is not subscriptable)", pr.ign)
		}
		res.Loss = ce
		return nil
	}
	nk := len(classes)
	limit := int32(h + w)
	if compat {
		limit = int32(n + 1 + h + w)
	}
	m := grow(&ws.m, nk*n*hw)
	if mp != nil {
		mp.PredContour = make([][]bool, nk)
		mp.GTContour = make([][]bool, nk)
		mp.Distance = make([][]float64, nk)
		for k := range nk {
			mp.PredContour[k] = make([]bool, n*hw)
			mp.GTContour[k] = make([]bool, n*hw)
			mp.Distance[k] = make([]float64, n*hw)
		}
	}
	scr := ws.scratchFor(workerCount(nk * n))
	parallelFor(nk*n, func(wk, job int) {
		kk, img := job/n, job%n
		k := classes[kk]
		s := scr[wk]
		mask, pc, gc := grow(&s.b[0], hw), grow(&s.b[1], hw), grow(&s.b[2], hw)
		var valid []bool
		lab := labels[img*hw : (img+1)*hw]
		if !compat {
			valid = grow(&s.b[3], hw)
			for ij, y := range lab {
				valid[ij] = y != pr.ign
			}
		}
		for ij, a := range am[img*hw : (img+1)*hw] {
			mask[ij] = a == k
		}
		Contour(mask, nil, h, w, pc)
		for ij, y := range lab {
			mask[ij] = y == k
		}
		Contour(mask, valid, h, w, gc)
		dist := grow(&s.i32[0], hw)
		CityBlock(gc, h, w, limit, dist)
		out := m[job*hw : (job+1)*hw]
		for ij := range out {
			d := dist[ij] - int32(pr.dilate)
			if d < 0 {
				d = 0
			}
			if pc[ij] && (valid == nil || valid[ij]) {
				out[ij] = d
			} else {
				out[ij] = 0
			}
			if mp != nil {
				mp.PredContour[kk][img*hw+ij] = pc[ij]
				mp.GTContour[kk][img*hw+ij] = gc[ij]
				mp.Distance[kk][img*hw+ij] = float64(d)
			}
		}
	})
	anyM := grow(&ws.flag, n*hw)
	parallelFor(n, func(_, a int) {
		for ij := 0; ij < hw; ij++ {
			on := false
			for kk := 0; kk < nk; kk++ {
				if m[(kk*n+a)*hw+ij] > 0 {
					on = true
					break
				}
			}
			anyM[a*hw+ij] = on
		}
	})
	// pairs lists the images b whose probabilities meet image a's contours: all of them in compat mode
	// (segloss's [N,N,H,W] broadcast), only b = a otherwise.
	pairs := func(a int) (int, int) {
		if compat {
			return 0, n
		}
		return a, a + 1
	}
	q := func(a, b, ij int) float64 {
		s := 0.0
		for kk, k := range classes {
			s += p[(b*c+int(k))*hw+ij] * float64(m[(kk*n+a)*hw+ij])
		}
		return s
	}
	keep := pr.red == "none"
	sums := make([]float64, n)
	cnts := make([]int, n)
	entries := make([][]float64, n)
	parallelFor(n, func(_, a int) {
		lo, hi := pairs(a)
		var s float64
		var cnt int
		for b := lo; b < hi; b++ {
			for ij := 0; ij < hw; ij++ {
				if !anyM[a*hw+ij] {
					continue
				}
				if v := q(a, b, ij); v != 0 {
					s += v
					cnt++
					if keep {
						entries[a] = append(entries[a], v)
					}
				}
			}
		}
		sums[a], cnts[a] = s, cnt
	})
	var total float64
	var cnt int
	for a := range n {
		total += sums[a]
		cnt += cnts[a]
	}
	var coef float64
	switch pr.red {
	case "none":
		vals := append([]float64(nil), cemap...)
		for a := range n {
			vals = append(vals, entries[a]...)
		}
		res.Values = vals
		res.Loss = ce + total
		coef = 1
		if mp != nil {
			mp.Entries = vals[n*hw:]
		}
	case "sum":
		res.Loss = ce + pr.bw*math.Pow(total, pr.power)
		if cnt > 0 {
			coef = pr.bw * pr.power * math.Pow(total, pr.power-1)
		}
	case "mean":
		if cnt == 0 {
			if compat {
				return fmt.Errorf("loss dtl: reduction \"mean\" over no non-zero border penalty (no predicted " +
					"contour pixel lies outside the tolerance band): segloss returns NaN")
			}
			res.Loss = ce
			break
		}
		total /= float64(cnt)
		res.Loss = ce + pr.bw*math.Pow(total, pr.power)
		coef = pr.bw * pr.power * math.Pow(total, pr.power-1) / float64(cnt)
	}
	if res.Maps != nil {
		res.Maps.Border = total
		mp.NonZero = cnt
	}
	if !wantGrad || coef == 0 {
		return nil
	}
	gp := zeroed(&ws.gp, sh.Len())
	parallelFor(n, func(_, b int) {
		for a := range n {
			if lo, hi := pairs(a); b < lo || b >= hi {
				continue
			}
			for ij := 0; ij < hw; ij++ {
				if !anyM[a*hw+ij] || q(a, b, ij) == 0 {
					continue
				}
				for kk, k := range classes {
					gp[(b*c+int(k))*hw+ij] += coef * float64(m[(kk*n+a)*hw+ij])
				}
			}
		}
	})
	softmaxBackward(p, gp, g, sh)
	return nil
}
