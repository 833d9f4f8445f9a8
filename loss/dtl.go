package loss

import (
	"fmt"
	"math"
)

// argmaxClasses writes the first maximal class of every pixel of x (N x C x H x W) into dst (N*H*W). It sweeps
// the class planes over blocks of pixels, with conditional moves instead of branches.
func argmaxClasses(x []float64, sh Shape, dst []int32) {
	hw, c := sh.H*sh.W, sh.C
	parallelFor(sh.N, func(_, n int) {
		var bb [softmaxBlock]float64
		o := n * c * hw
		for b0 := 0; b0 < hw; b0 += softmaxBlock {
			nb := min(softmaxBlock, hw-b0)
			best, kb := bb[:nb], dst[n*hw+b0 : n*hw+b0+nb][:nb]
			copy(best, x[o+b0:o+b0+nb])
			clear(kb)
			for k := 1; k < c; k++ {
				for i, v := range x[o+k*hw+b0 : o+k*hw+b0+nb][:nb] {
					if v > best[i] {
						kb[i] = int32(k)
					}
					best[i] = max(best[i], v)
				}
			}
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
		cemap: cemap}, g, pr.mode == Default, false)
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
		mask, pc, gc := grow(&s.u8[0], hw), grow(&s.u8[1], hw), grow(&s.u8[2], hw)
		var valid []uint8
		lab := labels[img*hw : (img+1)*hw]
		if !compat {
			valid = grow(&s.u8[3], hw)
			for ij, y := range lab {
				valid[ij] = b2u(y != pr.ign)
			}
		}
		for ij, a := range am[img*hw : (img+1)*hw] {
			mask[ij] = b2u(a == k)
		}
		contour8(mask, nil, h, w, pc)
		for ij, y := range lab {
			mask[ij] = b2u(y == k)
		}
		contour8(mask, valid, h, w, gc)
		dist := grow(&s.i32[0], hw)
		cityBlock8(gc, h, w, limit, dist)
		out := m[job*hw : (job+1)*hw]
		dil := int32(pr.dilate)
		for ij, dv := range dist[:len(out)] {
			d := max(dv-dil, 0)
			sel := pc[ij]
			if valid != nil {
				sel &= valid[ij]
			}
			out[ij] = d * int32(sel)
			if mp != nil {
				mp.PredContour[kk][img*hw+ij] = pc[ij] != 0
				mp.GTContour[kk][img*hw+ij] = gc[ij] != 0
				mp.Distance[kk][img*hw+ij] = float64(d)
			}
		}
	})
	keep := pr.red == "none"
	var pen dtlPenalty
	switch {
	case !compat || n == 1:
		pen = ws.dtlDiagonal(p, m, classes, sh, keep)
	case !keep:
		var ok bool
		if pen, ok = ws.dtlFactorised(p, m, classes, sh); !ok {
			pen = ws.dtlPairs(p, m, classes, sh, keep)
		}
	default:
		pen = ws.dtlPairs(p, m, classes, sh, keep)
	}
	total, cnt := pen.total, pen.count
	var coef float64
	switch pr.red {
	case "none":
		vals := append([]float64(nil), cemap...)
		for a := range n {
			vals = append(vals, pen.entries[a]...)
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
	gp := grow(&ws.gp, sh.Len())
	pen.grad(coef, gp)
	softmaxBackward(p, gp, g, sh)
	return nil
}

// dtlPenalty is the reduced border penalty of DTL: the sum and count of the non-zero entries, the entries
// themselves when kept (per image a, in row-major order), and the gradient of the sum w.r.t. the probabilities.
type dtlPenalty struct {
	total   float64
	count   int
	entries [][]float64
	// grad overwrites gp (N x C x H x W) with coef times d total / d p.
	grad func(coef float64, gp []float64)
}

// newDTLPenalty adds the per-image sums and counts in image order (a fixed
// order, so the total does not depend on scheduling).
func newDTLPenalty(entries [][]float64, sums []float64, cnts []int) dtlPenalty {
	pen := dtlPenalty{entries: entries}
	for a := range sums {
		pen.total += sums[a]
		pen.count += cnts[a]
	}
	return pen
}

// dtlDiagonal is the per-sample penalty sum_k p_k(a) * m_k(a) of each image a (the default mode, and compat
// with N = 1, where the cross-batch broadcast has a single pair). m holds P*D per class, image and pixel.
func (ws *Workspace) dtlDiagonal(p []float64, m []int32, classes []int32, sh Shape, keep bool) dtlPenalty {
	n, c, hw := sh.N, sh.C, sh.H*sh.W
	sel := grow(&ws.flag, n*hw) // entries that are non-zero, so selected by the reduction
	sums := grow(&ws.part, n)
	cnts := grow(&ws.cnt, n)
	var entries [][]float64
	if keep {
		entries = make([][]float64, n)
	}
	scr := ws.scratchFor(workerCount(n))
	parallelFor(n, func(wk, a int) {
		vb, on := grow(&scr[wk].f[2], hw), grow(&scr[wk].u8[3], hw)
		clear(vb)
		clear(on)
		// Per pixel, v = sum over the classes in order of p_k * m_k (a zero m adds +0 and changes nothing).
		for kk, k := range classes {
			mk := m[(kk*n+a)*hw : (kk*n+a+1)*hw][:len(vb)]
			pk := p[(a*c+int(k))*hw : (a*c+int(k)+1)*hw][:len(vb)]
			on := on[:len(vb)]
			for ij, mv := range mk {
				vb[ij] += pk[ij] * float64(mv)
				on[ij] |= b2u(mv != 0)
			}
		}
		var s float64
		var cnt int
		for ij, v := range vb {
			sel[a*hw+ij] = on[ij] != 0 && v != 0
			if !sel[a*hw+ij] {
				continue
			}
			s += v
			cnt++
			if keep {
				entries[a] = append(entries[a], v)
			}
		}
		sums[a], cnts[a] = s, cnt
	})
	pen := newDTLPenalty(entries, sums, cnts)
	pen.grad = func(coef float64, gp []float64) {
		parallelFor(n, func(_, a int) {
			clear(gp[a*c*hw : (a+1)*c*hw])
			for kk, k := range classes {
				g := gp[(a*c+int(k))*hw : (a*c+int(k)+1)*hw]
				mk := m[(kk*n+a)*hw : (kk*n+a+1)*hw]
				for ij, on := range sel[a*hw : (a+1)*hw][:len(g)] {
					// coef >= 0, so unselected entries get +0, as the cleared buffer holds.
					g[ij] = coef * float64(mk[ij]) * float64(b2u(on))
				}
			}
		})
	}
	return pen
}

// dtlFactorised is compat's [N,N,H,W] penalty in O(N) per pixel: entry (a,b,ij) is
// q = sum_k p_k(b,ij) * m_k(a,ij) with p > 0 and integer m >= 0, so it is non-zero exactly where some
// m_k(a,ij) is, the sum over (a,b) is sum_k (sum_b p_k(b,ij)) * (sum_a m_k(a,ij)), the count is N times the
// number of (a,ij) with a non-zero m, and d sum / d p_k(b,ij) = sum_a m_k(a,ij). This holds while no
// probability that meets a non-zero m has underflowed to 0; ok is false otherwise (use dtlPairs).
func (ws *Workspace) dtlFactorised(p []float64, m []int32, classes []int32, sh Shape) (pen dtlPenalty, ok bool) {
	n, c, h, w := sh.N, sh.C, sh.H, sh.W
	hw, nk := h*w, len(classes)
	ms := grow(&ws.msum, nk*hw)
	rows := grow(&ws.part, h)
	rowCnt := grow(&ws.cnt, h)
	under := grow(&ws.bad, h)
	scr := ws.scratchFor(workerCount(h))
	parallelFor(h, func(wk, i int) {
		sc := scr[wk]
		on := grow(&sc.b[0], w)
		ps := grow(&sc.f[0], nk*w)
		cnt, bad := 0, 0
		// Pixels (a, ij) of this row with some non-zero m, and M_k(ij) = sum_a m_k(a, ij).
		for a := 0; a < n; a++ {
			clear(on)
			for kk := 0; kk < nk; kk++ {
				mk := m[(kk*n+a)*hw+i*w : (kk*n+a)*hw+(i+1)*w][:len(on)]
				for j, v := range mk {
					on[j] = on[j] || v != 0
				}
			}
			for _, o := range on {
				if o {
					cnt++
				}
			}
		}
		for kk, k := range classes {
			msum := ms[kk*hw+i*w : kk*hw+(i+1)*w]
			clear(msum)
			for a := 0; a < n; a++ {
				for j, v := range m[(kk*n+a)*hw+i*w : (kk*n+a)*hw+(i+1)*w][:len(msum)] {
					msum[j] += v
				}
			}
			// P_k(ij) = sum_b p_k(b, ij), and whether a p that meets a non-zero M has underflowed.
			pk := ps[kk*w : (kk+1)*w][:len(msum)]
			clear(pk)
			for b := 0; b < n; b++ {
				for j, v := range p[(b*c+int(k))*hw+i*w : (b*c+int(k))*hw+(i+1)*w][:len(msum)] {
					pk[j] += v
					if v == 0 && msum[j] != 0 {
						bad++
					}
				}
			}
		}
		var s float64
		for j := 0; j < w; j++ {
			for kk := 0; kk < nk; kk++ {
				if mv := ms[kk*hw+i*w+j]; mv != 0 {
					s += ps[kk*w+j] * float64(mv)
				}
			}
		}
		rows[i], rowCnt[i], under[i] = s, cnt, bad
	})
	for i := range h {
		if under[i] != 0 {
			return pen, false
		}
		pen.total += rows[i]
		pen.count += n * rowCnt[i]
	}
	pen.grad = func(coef float64, gp []float64) {
		parallelFor(n, func(_, b int) {
			clear(gp[b*c*hw : (b+1)*c*hw])
			for kk, k := range classes {
				g := gp[(b*c+int(k))*hw : (b*c+int(k)+1)*hw]
				for ij, v := range ms[kk*hw : (kk+1)*hw] {
					if v != 0 {
						g[ij] = coef * float64(v)
					}
				}
			}
		})
	}
	return pen, true
}

// dtlPairs is compat's [N,N,H,W] penalty entry by entry: image b's probabilities against image a's contour
// distances for every pair (a,b). It is the general form (reduction "none" lists the entries, and it is the
// fallback of dtlFactorised when a probability has underflowed).
func (ws *Workspace) dtlPairs(p []float64, m []int32, classes []int32, sh Shape, keep bool) dtlPenalty {
	n, c, hw := sh.N, sh.C, sh.H*sh.W
	anyM := grow(&ws.flag, n*hw)
	parallelFor(n, func(_, a int) {
		for ij := 0; ij < hw; ij++ {
			on := false
			for kk := range classes {
				if m[(kk*n+a)*hw+ij] > 0 {
					on = true
					break
				}
			}
			anyM[a*hw+ij] = on
		}
	})
	q := func(a, b, ij int) float64 {
		s := 0.0
		for kk, k := range classes {
			s += p[(b*c+int(k))*hw+ij] * float64(m[(kk*n+a)*hw+ij])
		}
		return s
	}
	sums := grow(&ws.part, n)
	cnts := grow(&ws.cnt, n)
	var entries [][]float64
	if keep {
		entries = make([][]float64, n)
	}
	parallelFor(n, func(_, a int) {
		var s float64
		var cnt int
		for b := 0; b < n; b++ {
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
	pen := newDTLPenalty(entries, sums, cnts)
	pen.grad = func(coef float64, gp []float64) {
		parallelFor(n, func(_, b int) {
			clear(gp[b*c*hw : (b+1)*c*hw])
			for a := range n {
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
	}
	return pen
}

// b2u is 1 for true and 0 for false.
func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}
