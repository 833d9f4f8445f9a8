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
	scr             []*scratch
}

// NewWorkspace returns an empty Workspace.
func NewWorkspace() *Workspace { return &Workspace{} }

// scratch is one worker's private buffers.
type scratch struct {
	f    [6][]float64
	b    [4][]bool
	i32  [4][]int32
	i64  []int64
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
	// Grad receives d loss / d logits (len Shape.Len()); nil skips the gradient.
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
	for i, y := range in.Labels {
		if (y < 0 || int(y) >= sh.C) && y != pr.ign {
			n, rest := i/(lh*lw), i%(lh*lw)
			return Result{}, fmt.Errorf("loss %s: label %d at image %d row %d column %d is outside [0,%d) and not the "+
				"ignore index %d", pr.name, y, n, rest/lw, rest%lw, sh.C, pr.ign)
		}
	}
	x := grow(&ws.x, sh.Len())
	for i, v := range in.Logits {
		f := float64(v)
		if !finite(f) {
			return Result{}, fmt.Errorf("loss %s: logit %d is %v", pr.name, i, f)
		}
		x[i] = f
	}
	wantGrad := in.Grad != nil
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
	if err != nil {
		return Result{}, err
	}
	if math.IsNaN(res.Loss) || math.IsInf(res.Loss, 0) {
		return Result{}, fmt.Errorf("loss %s: the loss is %v", pr.name, res.Loss)
	}
	if wantGrad {
		for i, v := range ws.g[:sh.Len()] {
			in.Grad[i] = T(v)
		}
	}
	return res, nil
}

// softmax fills p and lp (softmax and log-softmax over the class axis) from x, all N x C x H x W.
func softmax(x, p, lp []float64, sh Shape) {
	hw, c := sh.H*sh.W, sh.C
	parallelFor(sh.N, func(_, n int) {
		softmaxImage(x[n*c*hw:(n+1)*c*hw], p[n*c*hw:(n+1)*c*hw], lp[n*c*hw:(n+1)*c*hw], c, hw)
	})
}

func softmaxImage(x, p, lp []float64, c, hw int) {
	for ij := 0; ij < hw; ij++ {
		m := x[ij]
		for k := 1; k < c; k++ {
			if v := x[k*hw+ij]; v > m {
				m = v
			}
		}
		s := 0.0
		for k := 0; k < c; k++ {
			e := math.Exp(x[k*hw+ij] - m)
			p[k*hw+ij] = e
			s += e
		}
		ls := math.Log(s)
		for k := 0; k < c; k++ {
			o := k*hw + ij
			p[o] /= s
			lp[o] = x[o] - m - ls
		}
	}
}

// softmaxBackward adds, per pixel, the gradient w.r.t. the logits of a function whose gradient w.r.t. the
// probabilities p is gp: g_c += p_c (gp_c - sum_m p_m gp_m).
func softmaxBackward(p, gp, g []float64, sh Shape) {
	hw, c := sh.H*sh.W, sh.C
	parallelFor(sh.N, func(_, n int) {
		o := n * c * hw
		for ij := 0; ij < hw; ij++ {
			d := 0.0
			for k := 0; k < c; k++ {
				d += p[o+k*hw+ij] * gp[o+k*hw+ij]
			}
			for k := 0; k < c; k++ {
				i := o + k*hw + ij
				g[i] += p[i] * (gp[i] - d)
			}
		}
	})
}

// crossEntropy evaluates the class-weighted cross-entropy of logits whose softmax is p and log-softmax lp
// against labels (pixels labelled ign are skipped), reduced by red ("sum", "mean" or "none"), and adds its
// gradient w.r.t. the logits into g (when g != nil). For "none" it fills cemap (N*H*W) and the gradient is that
// of the map's sum. For "mean" with no valid pixel it returns ok = false with a zero loss and no gradient.
func (ws *Workspace) crossEntropy(p, lp []float64, labels []int32, sh Shape, ign int32, w []float64, red string,
	g, cemap []float64) (loss float64, ok bool) {
	hw, c := sh.H*sh.W, sh.C
	part := zeroed(&ws.img, 2*sh.N)
	parallelFor(sh.N, func(_, n int) {
		var s, sw float64
		for ij := 0; ij < hw; ij++ {
			t := labels[n*hw+ij]
			if t == ign {
				if cemap != nil {
					cemap[n*hw+ij] = 0
				}
				continue
			}
			wt := 1.0
			if w != nil {
				wt = w[t]
			}
			l := -wt * lp[(n*c+int(t))*hw+ij]
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
	scale := 1.0
	if red == "mean" {
		if sumw == 0 {
			return 0, false
		}
		scale = 1 / sumw
		loss = sum / sumw
	} else {
		loss = sum
	}
	if g == nil {
		return loss, true
	}
	parallelFor(sh.N, func(_, n int) {
		for ij := 0; ij < hw; ij++ {
			t := labels[n*hw+ij]
			if t == ign {
				continue
			}
			wt := scale
			if w != nil {
				wt *= w[t]
			}
			for k := 0; k < c; k++ {
				i := (n*c+k)*hw + ij
				g[i] += wt * p[i]
			}
			g[(n*c+int(t))*hw+ij] -= wt
		}
	})
	return loss, true
}

// prepare computes the softmax of ws.x and zeroes the gradient accumulator.
func (ws *Workspace) prepare(sh Shape) (p, lp, g []float64) {
	p = grow(&ws.p, sh.Len())
	lp = grow(&ws.lp, sh.Len())
	g = zeroed(&ws.g, sh.Len())
	softmax(ws.x[:sh.Len()], p, lp, sh)
	return p, lp, g
}

// prepareOn computes the softmax of x (shape sh) into the workspace's probability buffers.
func (ws *Workspace) prepareOn(x []float64, sh Shape) (p, lp []float64) {
	p = grow(&ws.p, sh.Len())
	lp = grow(&ws.lp, sh.Len())
	softmax(x, p, lp, sh)
	return p, lp
}

func (ws *Workspace) runCE(pr params, sh Shape, labels []int32, wantGrad bool, res *Result) error {
	p, lp, g := ws.prepare(sh)
	if !wantGrad {
		g = nil
	}
	l, ok := ws.crossEntropy(p, lp, labels, sh, pr.ign, pr.w, pr.red, g, nil)
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
