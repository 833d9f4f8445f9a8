package loss

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// Float is the element type of logits and gradients.
type Float interface{ ~float32 | ~float64 }

// Workspace holds buffers that Run reuses between calls. A Workspace must be used by one goroutine at a time;
// the zero value is ready to use.
type Workspace struct {
	x, p, lp, g, gp []float64
	xr, gr          []float64 // ABL: logits resized to the label grid, and their gradient
	m               []int32   // DTL: P*D per class, image and pixel
	lab             []int32
	flag            []bool
	img             []float64
	bad             []int
	part, f1        []float64
	cnt             []int
	msum            []int32
	x32             []float32 // float32 logits read block by block by forward (then x is not filled), or nil
	g32             []float32 // the caller's float32 gradient when forward writes it directly (g unused), or nil
	nonFinite       bool      // forward met a non-finite logit in x32 (checked there, not beforehand)
	ceScale         float64   // forward's gradient factor of the cross-entropy reduction
	edges           []uint8   // boundary loss: labelEdges3 per image
	abl             ablBuffers
	scr             []*scratch
}

// ablBuffers are the active-boundary loss's per-call maps, kept between calls.
type ablBuffers struct {
	kl, buf, thr []float64
	dist         []float64
	raw, bp, bg  []bool
	tmp          []bool
	hasB         []bool
	kept         [][]ablPixel
	nbr          [][]float64 // per image and kept pixel: ablGather's neighbourhood values
	omega32      []float32
}

// NewWorkspace returns an empty Workspace.
func NewWorkspace() *Workspace { return &Workspace{} }

// scratch is one worker's private buffers.
type scratch struct {
	f    [6][]float64
	b    [4][]bool
	i32  [4][]int32
	u8   [4][]uint8
	k    [2][]uint64
	i64  []int64
	xb   []float64 // a block of widened float32 logits
	p    []float64 // one image's softmax when forward keeps it per image (ceTerm.perImage)
	g    []float64 // a block's cross-entropy gradient before ceImage.block narrows it into Workspace.g32
	lp   []float64 // one image's log-softmax, likewise
	edt  edtScratch
	wmax wmaxScratch
}

func grow[E any](b *[]E, n int) []E {
	if cap(*b) < n {
		*b = make([]E, n)
	}
	*b = (*b)[:n]
	return *b
}

func zeroed[E any](b *[]E, n int) []E {
	s := grow(b, n)
	clear(s)
	return s
}

func (ws *Workspace) scratchFor(workers int) []*scratch {
	for len(ws.scr) < workers {
		ws.scr = append(ws.scr, &scratch{})
	}
	return ws.scr
}

func workerCount(n int) int {
	w := runtime.GOMAXPROCS(0)
	if w > n {
		w = n
	}
	if w < 1 {
		w = 1
	}
	return w
}

// parallelFor runs fn(worker, i) for every i in [0, n) on up to GOMAXPROCS goroutines; worker < workerCount(n).
func parallelFor(n int, fn func(worker, i int)) {
	w := workerCount(n)
	if w <= 1 {
		for i := 0; i < n; i++ {
			fn(0, i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for k := 0; k < w; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(k, i)
			}
		}(k)
	}
	wg.Wait()
}

// Input is one call's data for Run.
type Input[T Float] struct {
	// Logits are N x C x H x W (Shape), row-major. They are never modified.
	Logits []T
	// Labels are N x LabelH x LabelW (by default the logits' H x W). They are never modified.
	Labels []int32
	// Shape is the logits' shape.
	Shape Shape
	// LabelH and LabelW give the label grid when it differs from the logits' (active-boundary only: the logits
	// are then resized bilinearly with aligned corners, as segloss does). 0 means the logits' size.
	LabelH, LabelW int
	// Grad receives d loss / d logits (len Shape.Len()); nil skips the gradient. When Run returns an error its
	// contents are unspecified (a non-finite float32 logit is found while the gradient is being written).
	Grad []T
	// Maps requests the intermediate maps in Result.Maps.
	Maps bool
}

// Result is what Run returns.
type Result struct {
	// Loss is the loss value (for compat reduction "none": the sum of Values, whose gradient Grad holds).
	Loss float64
	// Values is the unreduced output for compat reduction "none": DTL gives the CE map (N*H*W) followed by the
	// non-zero border entries; the boundary loss gives its N*H*W map.
	Values []float64
	// Maps holds the intermediates when Input.Maps was set.
	Maps *Maps
}

var (
	sharedMu sync.Mutex
	sharedWS Workspace
)

// Compute evaluates the loss of s on logits (N x C x H x W) and labels (N x H x W, ignore pixels = IgnoreIndex),
// writes d loss / d logits into grad (same layout; nil skips it) and returns the loss. The inputs are never
// modified. It reuses internal buffers under a mutex, so concurrent calls are safe but serialised.
func Compute[T Float](s Spec, logits []T, labels []int32, sh Shape, grad []T) (float64, error) {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	r, err := Run(&sharedWS, s, Input[T]{Logits: logits, Labels: labels, Shape: sh, Grad: grad})
	return r.Loss, err
}

// Intermediates evaluates the loss like Compute (without a gradient) and returns its intermediate maps
// (contours, distance maps, boundaries) for plotting.
func Intermediates[T Float](s Spec, logits []T, labels []int32, sh Shape) (*Maps, error) {
	r, err := Run(NewWorkspace(), s, Input[T]{Logits: logits, Labels: labels, Shape: sh, Maps: true})
	return r.Maps, err
}

// CrossEntropy is Compute with s.Name = "ce".
func CrossEntropy[T Float](s Spec, logits []T, labels []int32, sh Shape, grad []T) (float64, error) {
	s.Name = NameCE
	return Compute(s, logits, labels, sh, grad)
}

// DistanceTransformLoss is Compute with s.Name = "dtl".
func DistanceTransformLoss[T Float](s Spec, logits []T, labels []int32, sh Shape, grad []T) (float64, error) {
	s.Name = NameDTL
	return Compute(s, logits, labels, sh, grad)
}

// BoundaryLoss is Compute with s.Name = "boundary" (segloss's BoundaryScoreLoss, the boundary-F1 loss).
func BoundaryLoss[T Float](s Spec, logits []T, labels []int32, sh Shape, grad []T) (float64, error) {
	s.Name = NameBoundary
	return Compute(s, logits, labels, sh, grad)
}

// BoundaryScoreLoss is segloss's name for BoundaryLoss.
func BoundaryScoreLoss[T Float](s Spec, logits []T, labels []int32, sh Shape, grad []T) (float64, error) {
	return BoundaryLoss(s, logits, labels, sh, grad)
}

// ActiveBoundaryLoss is Compute with s.Name = "active-boundary".
func ActiveBoundaryLoss[T Float](s Spec, logits []T, labels []int32, sh Shape, grad []T) (float64, error) {
	s.Name = NameActiveBoundary
	return Compute(s, logits, labels, sh, grad)
}

// Run evaluates the loss of s on in, using ws for its buffers (nil allocates fresh ones).
func Run[T Float](ws *Workspace, s Spec, in Input[T]) (Result, error) {
	if ws == nil {
		ws = NewWorkspace()
	}
	sh := in.Shape
	if err := sh.check(); err != nil {
		return Result{}, err
	}
	pr, err := s.resolve(sh.C)
	if err != nil {
		return Result{}, err
	}
	if len(in.Logits) != sh.Len() {
		return Result{}, fmt.Errorf("loss %s: %d logits for shape %dx%dx%dx%d (want %d)", pr.name, len(in.Logits),
			sh.N, sh.C, sh.H, sh.W, sh.Len())
	}
	if in.Grad != nil && len(in.Grad) != sh.Len() {
		return Result{}, fmt.Errorf("loss %s: gradient buffer has %d entries, want %d", pr.name, len(in.Grad), sh.Len())
	}
	lh, lw := sh.H, sh.W
	if in.LabelH != 0 || in.LabelW != 0 {
		lh, lw = in.LabelH, in.LabelW
		if lh < 1 || lw < 1 {
			return Result{}, fmt.Errorf("loss %s: label grid %dx%d is empty", pr.name, lh, lw)
		}
		if (lh != sh.H || lw != sh.W) && pr.name != NameActiveBoundary {
			return Result{}, fmt.Errorf("loss %s: labels are %dx%d but logits %dx%d; only active-boundary resizes",
				pr.name, lh, lw, sh.H, sh.W)
		}
	}
	if len(in.Labels) != sh.N*lh*lw {
		return Result{}, fmt.Errorf("loss %s: %d labels for %d images of %dx%d (want %d)", pr.name, len(in.Labels),
			sh.N, lh, lw, sh.N*lh*lw)
	}
	if err := checkLabels(ws, pr.name, in.Labels, sh.N, lh, lw, sh.C, pr.ign); err != nil {
		return Result{}, err
	}
	// Float32 logits go straight to the softmax (widened block by block) for the losses that read them only
	// there; the others get the float64 copy ws.x.
	ws.x32 = nil
	s32, is32 := any(in.Logits).([]float32)
	// CE and active-boundary leave the finiteness check to forward, which widens every logit anyway: an
	// image with a non-finite one stops there, and the error below names the first such logit.
	fused := pr.name == NameCE || (pr.name == NameActiveBoundary && lh == sh.H && lw == sh.W)
	ws.nonFinite = false
	if is32 && (fused || (pr.name == NameBoundary && allFinite(ws, s32, sh))) {
		ws.x32 = s32
	} else if err := loadLogits(ws, pr.name, in.Logits, sh); err != nil {
		return Result{}, err
	}
	wantGrad := in.Grad != nil
	// Float32 gradients of the cross-entropy, and of the default-mode active-boundary loss with detach and
	// without maps (whose direction term changes only the kept pixels, recomputed there), are narrowed per
	// image by forward, which spares the float64 gradient of the whole batch.
	ws.g32 = nil
	if g32, ok := any(in.Grad).([]float32); ok && wantGrad && (pr.name == NameCE ||
		(pr.name == NameActiveBoundary && pr.mode == Default && pr.detach && !in.Maps && lh == sh.H && lw == sh.W)) {
		ws.g32 = g32
	}
	var res Result
	if in.Maps {
		res.Maps = &Maps{Loss: pr.name, Mode: pr.mode, Shape: sh}
	}
	switch pr.name {
	case NameCE:
		err = ws.runCE(pr, sh, in.Labels, wantGrad, &res)
	case NameDTL:
		err = ws.runDTL(pr, sh, in.Labels, wantGrad, &res)
	case NameBoundary:
		err = ws.runBSL(pr, sh, in.Labels, wantGrad, &res)
	case NameActiveBoundary:
		err = ws.runABL(pr, sh, lh, lw, in.Labels, wantGrad, &res)
	}
	if ws.nonFinite {
		if err := loadLogits(ws, pr.name, in.Logits, sh); err != nil {
			return Result{}, err
		}
		return Result{}, fmt.Errorf("loss %s: a logit is not finite", pr.name)
	}
	if err != nil {
		return Result{}, err
	}
	if math.IsNaN(res.Loss) || math.IsInf(res.Loss, 0) {
		return Result{}, fmt.Errorf("loss %s: the loss is %v", pr.name, res.Loss)
	}
	if wantGrad && ws.g32 == nil {
		store(in.Grad, ws.g[:sh.Len()], sh)
	}
	return res, nil
}

// loadLogits converts the logits to float64 into ws.x, in parallel per image, and rejects a non-finite one
// (the first in index order, whatever the number of workers).
func loadLogits[T Float](ws *Workspace, name string, logits []T, sh Shape) error {
	x := grow(&ws.x, sh.Len())
	per := sh.Len() / sh.N
	bad := grow(&ws.bad, sh.N)
	parallelFor(sh.N, func(_, n int) {
		bad[n] = -1
		src, dst := logits[n*per:(n+1)*per], x[n*per:(n+1)*per]
		if s32, ok := any(src).([]float32); ok && widen(dst, s32) {
			return
		}
		for i, v := range src {
			f := float64(v)
			if f-f != 0 { // NaN or ±Inf
				bad[n] = n*per + i
				return
			}
			dst[i] = f
		}
	})
	for _, i := range bad {
		if i >= 0 {
			return fmt.Errorf("loss %s: logit %d is %v", name, i, float64(logits[i]))
		}
	}
	return nil
}

// allFinite reports whether every float32 logit is finite, checking the images in parallel.
func allFinite(ws *Workspace, x []float32, sh Shape) bool {
	per := sh.Len() / sh.N
	bad := grow(&ws.bad, sh.N)
	parallelFor(sh.N, func(_, n int) {
		bad[n] = 0
		if !finite32(x[n*per : (n+1)*per]) {
			bad[n] = 1
		}
	})
	for _, b := range bad {
		if b != 0 {
			return false
		}
	}
	return true
}

// logits returns the float64 logits ws.x (len sh.Len()), or nil when forward reads ws.x32 instead.
func (ws *Workspace) logits(sh Shape) []float64 {
	if ws.x32 != nil {
		return nil
	}
	return ws.x[:sh.Len()]
}

// checkLabels rejects a label outside [0, c) that is not the ignore index (the first in index order).
func checkLabels(ws *Workspace, name string, labels []int32, n, lh, lw, c int, ign int32) error {
	per := lh * lw
	bad := grow(&ws.bad, n)
	parallelFor(n, func(_, img int) {
		bad[img] = -1
		for i, y := range labels[img*per : (img+1)*per] {
			if (y < 0 || int(y) >= c) && y != ign {
				bad[img] = img*per + i
				return
			}
		}
	})
	for _, i := range bad {
		if i >= 0 {
			img, rest := i/per, i%per
			return fmt.Errorf("loss %s: label %d at image %d row %d column %d is outside [0,%d) and not the "+
				"ignore index %d", name, labels[i], img, rest/lw, rest%lw, c, ign)
		}
	}
	return nil
}

// store converts the float64 gradient g into dst, in parallel per image.
func store[T Float](dst []T, g []float64, sh Shape) {
	per := sh.Len() / sh.N
	parallelFor(sh.N, func(_, n int) {
		d, s := dst[n*per:(n+1)*per], g[n*per:(n+1)*per]
		if d32, ok := any(d).([]float32); ok {
			narrow(d32, s)
			return
		}
		for i, v := range s {
			d[i] = T(v)
		}
	})
}

// softmaxBlock is the number of pixels that softmaxImage handles at once (their maxima, sums and logs stay
// on the stack while it sweeps the class planes).
const softmaxBlock = 256

// softmaxImage fills p and lp (softmax and log-softmax over the class axis; lp may be nil) of one image from
// x, all c planes of hw pixels. When ce is not nil it also evaluates that image's cross-entropy term (see
// ceImage) block by block, while the block's probabilities are still in cache.
//
// fast (default mode) uses expNonPos, logAtLeast1 and a reciprocal instead of math.Exp, math.Log and a
// division per class: results differ from the exact ones by a few ulp. Compat keeps the exact operations.
//
// When x32 is not nil it holds the image's float32 logits and x is unused: each block's logits are widened
// into xb (c*softmaxBlock entries) while in cache, which spares the float64 copy of the whole batch; a
// non-finite one stops the image there and softmaxImage returns false (otherwise true).
func softmaxImage(x, p, lp []float64, c, hw int, ce *ceImage, fast bool, x32 []float32, xb []float64) bool {
	var mb, sb, lb [softmaxBlock]float64
	for b0 := 0; b0 < hw; b0 += softmaxBlock {
		nb := min(softmaxBlock, hw-b0)
		m, s, ls := mb[:nb], sb[:nb], lb[:nb]
		xs, xo, xst := x, b0, hw // class k's block is xs[k*xst+xo:][:nb]
		if x32 != nil {
			for k := 0; k < c; k++ {
				if !widen(xb[k*nb:(k+1)*nb], x32[k*hw+b0:k*hw+b0+nb]) {
					return false
				}
			}
			xs, xo, xst = xb, 0, nb
		}
		copy(m, xs[xo:xo+nb])
		for k := 1; k < c; k++ {
			maxAcc(m, xs[k*xst+xo:k*xst+xo+nb])
		}
		clear(s)
		for k := 0; k < c; k++ {
			pk := p[k*hw+b0 : k*hw+b0+nb][:nb]
			xk := xs[k*xst+xo : k*xst+xo+nb][:nb]
			if fast {
				expShiftAccum(xk, m, pk, s)
				continue
			}
			for i, v := range xk {
				e := math.Exp(v - m[i])
				pk[i] = e
				s[i] += e
			}
		}
		if fast {
			logAtLeast1(s, ls) // s >= 1: the largest term is e^0
			for i, v := range s {
				s[i] = 1 / v
			}
		} else {
			for i, v := range s {
				ls[i] = math.Log(v)
			}
		}
		for k := 0; k < c; k++ {
			o := k*hw + b0
			pk := p[o : o+nb][:nb]
			if fast {
				mulTo(pk, pk, s)
			} else {
				for i, v := range s {
					pk[i] /= v
				}
			}
			if lp == nil {
				continue
			}
			subSub(lp[o:o+nb], xs[k*xst+xo:k*xst+xo+nb], m, ls)
		}
		if ce != nil {
			ce.block(xs, xst, xo, p, m, ls, c, hw, b0, nb)
		}
	}
	return true
}

// ceImage is one image's share of a fused softmax and cross-entropy pass.
type ceImage struct {
	labels []int32   // the image's labels (hw)
	ign    int32     // ignore label
	w      []float64 // class weights or nil
	scale  float64   // gradient factor of the reduction (1, or 1/sum of weights for "mean")
	g      []float64 // the image's gradient (c*hw), overwritten; nil: no gradient (unless g32)
	g32    []float32 // the image's float32 gradient (c*hw) when g is nil: each block is narrowed from gb
	gb     []float64 // scratch of c*softmaxBlock for g32
	cemap  []float64 // per-pixel loss (hw) or nil
	sum    float64   // accumulated sum of -w_t log p_t, in pixel order
}

// block adds pixels [b0, b0+nb) of the image to the cross-entropy sum and writes their gradient.
// m and ls are the block's maxima and log sums: log p_t = x_t - m - ls; class k's logits of the block are
// x[k*xst+xo:][:nb].
func (ce *ceImage) block(x []float64, xst, xo int, p, m, ls []float64, c, hw, b0, nb int) {
	var gwb [softmaxBlock]float64
	gw := gwb[:nb] // gradient weight per pixel: 0 on ignore pixels
	lab := ce.labels[b0 : b0+nb][:nb]
	for i, t := range lab {
		if t == ce.ign {
			gw[i] = 0
			if ce.cemap != nil {
				ce.cemap[b0+i] = 0
			}
			continue
		}
		wt := 1.0
		if ce.w != nil {
			wt = ce.w[t]
		}
		l := -wt * (x[int(t)*xst+xo+i] - m[i] - ls[i])
		if ce.cemap != nil {
			ce.cemap[b0+i] = l
		}
		ce.sum += l
		gw[i] = ce.scale
		if ce.w != nil {
			gw[i] *= ce.w[t]
		}
	}
	gs, gst, gof := ce.g, hw, b0 // class k's gradient of the block is gs[k*gst+gof:][:nb]
	switch {
	case ce.g32 != nil:
		gs, gst, gof = ce.gb, nb, 0
	case ce.g == nil:
		return
	}
	for k := 0; k < c; k++ {
		mulTo(gs[k*gst+gof:k*gst+gof+nb], gw, p[k*hw+b0:k*hw+b0+nb])
	}
	for i, t := range lab {
		if t != ce.ign {
			gs[int(t)*gst+gof+i] -= gw[i]
		}
	}
	if ce.g32 != nil {
		for k := 0; k < c; k++ {
			narrow(ce.g32[k*hw+b0:k*hw+b0+nb], gs[k*nb:(k+1)*nb])
		}
	}
}

// ceTerm selects the cross-entropy term of a forward pass.
type ceTerm struct {
	labels []int32
	ign    int32
	w      []float64
	red    string    // "sum", "mean" or "none"
	cemap  []float64 // N*H*W per-pixel losses, or nil
	// then, when not nil, runs on each image (worker, image) right after its softmax, while its maps are still
	// in cache, with the image's p and lp (c*h*w each; lp nil unless requested); images run in parallel.
	then func(worker, img int, p, lp []float64)
	// perImage keeps p and lp in per-worker buffers that hold one image at a time (valid only inside then):
	// forward then returns nil for them and never writes the batch-wide arrays.
	perImage bool
}

// forward computes the softmax p and log-softmax lp of x (shape sh) into the workspace and, when ce is not
// nil, the cross-entropy of the logits against ce.labels, reduced by ce.red, in the same pass. When g is not
// nil it is overwritten with that term's gradient w.r.t. the logits (zeros without ce, or for "mean" over no
// valid pixel); when ws.g32 is set (with ce), g is unused and the gradient is narrowed into ws.g32 block by
// block instead. For "mean" with no valid pixel ok is false and the loss 0. fast selects softmaxImage's
// inexact operations (default mode); lp is computed only when wantLP is set (nil otherwise). The sums run per
// image in pixel order and then over the images in order, so the result does not depend on the number of
// workers.
func (ws *Workspace) forward(x []float64, sh Shape, ce *ceTerm, g []float64, fast, wantLP bool) (p, lp []float64,
	loss float64, ok bool) {
	hw, c := sh.H*sh.W, sh.C
	perImage := ce != nil && ce.perImage
	if !perImage {
		p = grow(&ws.p, sh.Len())
		if wantLP {
			lp = grow(&ws.lp, sh.Len())
		}
	}
	part := grow(&ws.img, sh.N)
	scale, sumw := 1.0, 0.0
	if ce != nil {
		parallelFor(sh.N, func(_, n int) {
			lab := ce.labels[n*hw : (n+1)*hw]
			if ce.w == nil {
				cnt := 0
				for _, t := range lab {
					if t != ce.ign {
						cnt++
					}
				}
				part[n] = float64(cnt)
				return
			}
			part[n] = 0
			for _, t := range lab {
				if t != ce.ign {
					part[n] += ce.w[t]
				}
			}
		})
		for _, v := range part {
			sumw += v
		}
		if ce.red == "mean" {
			scale = 1 / sumw
		}
	}
	ws.ceScale = scale
	g32 := ws.g32
	if ce == nil {
		g32 = nil
	}
	gce := g
	if ce != nil && ce.red == "mean" && sumw == 0 {
		gce = nil
		clear(g)
		clear(g32)
		g32 = nil
	}
	var scr []*scratch
	if ws.x32 != nil || perImage || g32 != nil {
		scr = ws.scratchFor(workerCount(sh.N))
	}
	var nonFinite atomic.Bool
	parallelFor(sh.N, func(wk, n int) {
		o := n * c * hw
		var ci *ceImage
		if ce != nil {
			ci = &ceImage{labels: ce.labels[n*hw : (n+1)*hw], ign: ce.ign, w: ce.w, scale: scale}
			switch {
			case g32 != nil:
				ci.g32, ci.gb = g32[o:o+c*hw], grow(&scr[wk].g, c*softmaxBlock)
			case gce != nil:
				ci.g = gce[o : o+c*hw]
			}
			if ce.cemap != nil {
				ci.cemap = ce.cemap[n*hw : (n+1)*hw]
			}
		} else if g != nil {
			clear(g[o : o+c*hw])
		}
		var pn, lpn []float64
		switch {
		case perImage:
			pn = grow(&scr[wk].p, c*hw)
			if wantLP {
				lpn = grow(&scr[wk].lp, c*hw)
			}
		default:
			pn = p[o : o+c*hw]
			if lp != nil {
				lpn = lp[o : o+c*hw]
			}
		}
		if ws.x32 != nil {
			if !softmaxImage(nil, pn, lpn, c, hw, ci, fast, ws.x32[o:o+c*hw], grow(&scr[wk].xb, c*softmaxBlock)) {
				nonFinite.Store(true)
				return
			}
		} else {
			softmaxImage(x[o:o+c*hw], pn, lpn, c, hw, ci, fast, nil, nil)
		}
		if ci != nil {
			part[n] = ci.sum
		}
		if ce != nil && ce.then != nil {
			ce.then(wk, n, pn, lpn)
		}
	})
	if nonFinite.Load() {
		ws.nonFinite = true // Run reports the logit; the caller returns at once
		return p, lp, 0, false
	}
	if ce == nil {
		return p, lp, 0, true
	}
	var sum float64
	for _, v := range part {
		sum += v
	}
	if ce.red == "mean" {
		if sumw == 0 {
			return p, lp, 0, false
		}
		return p, lp, sum / sumw, true
	}
	return p, lp, sum, true
}

// softmaxBackward adds, per pixel, the gradient w.r.t. the logits of a function whose gradient w.r.t. the
// probabilities p is gp: g_c += p_c (gp_c - sum_m p_m gp_m).
func softmaxBackward(p, gp, g []float64, sh Shape) {
	hw, c := sh.H*sh.W, sh.C
	parallelFor(sh.N, func(_, n int) {
		o := n * c * hw
		var db [softmaxBlock]float64
		for b0 := 0; b0 < hw; b0 += softmaxBlock {
			nb := min(softmaxBlock, hw-b0)
			d := db[:nb]
			clear(d)
			for k := 0; k < c; k++ {
				i := o + k*hw + b0
				dotAcc(d, p[i:i+nb], gp[i:i+nb])
			}
			for k := 0; k < c; k++ {
				i := o + k*hw + b0
				softBack(g[i:i+nb], p[i:i+nb], gp[i:i+nb], d)
			}
		}
	})
}

// gradBuf returns the workspace's gradient accumulator (len sh.Len()) when the gradient is wanted, else nil.
func (ws *Workspace) gradBuf(sh Shape, want bool) []float64 {
	if !want {
		return nil
	}
	return grow(&ws.g, sh.Len())
}

func (ws *Workspace) runCE(pr params, sh Shape, labels []int32, wantGrad bool, res *Result) error {
	_, _, l, ok := ws.forward(ws.logits(sh), sh, &ceTerm{labels: labels, ign: pr.ign, w: pr.w, red: pr.red},
		ws.gradBuf(sh, wantGrad), pr.mode == Default, false)
	if ws.nonFinite {
		return nil
	}
	if !ok && pr.mode == Compat {
		return fmt.Errorf("loss ce: reduction \"mean\" over no valid pixel (every label is the ignore index %d): "+
			"segloss returns NaN", pr.ign)
	}
	res.Loss = l
	if res.Maps != nil {
		res.Maps.CE = l
	}
	return nil
}
