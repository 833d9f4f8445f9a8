package loss

import "math"

// Contour writes into dst (len h*w) segloss's DTL contour of the binary mask: pixel (i,j) is on the contour iff
// i < h-1 and mask(i,j) != mask(i+1,j) (a vertical transition marks the upper pixel), or j > 0 and
// mask(i,j) != mask(i,j-1) (a horizontal transition marks the right-hand pixel). When valid is not nil, only
// pairs of two valid pixels are compared, so an unknown region creates no contour.
func Contour(mask, valid []bool, h, w int, dst []bool) {
	for i := 0; i < h; i++ {
		for j := 0; j < w; j++ {
			o := i*w + j
			c := false
			if valid == nil || valid[o] {
				m := mask[o]
				if i < h-1 && mask[o+w] != m && (valid == nil || valid[o+w]) {
					c = true
				} else if j > 0 && mask[o-1] != m && (valid == nil || valid[o-1]) {
					c = true
				}
			}
			dst[o] = c
		}
	}
}

// wmaxScratch holds the intermediate row pass of WindowMax.
type wmaxScratch struct {
	v []float64
	a []int32
}

// WindowMax writes into dst (len h*w) the maximum of src over the size x size window centred on each pixel
// (size odd; pixels outside the image are skipped, i.e. max-pooling with stride 1 and -Inf padding). When arg is
// not nil it receives the flat index of the window's first maximal pixel in row-major order, which is where
// PyTorch's CPU max_pool2d sends the gradient. The pass is separable: O(size) per pixel.
func WindowMax(src []float64, h, w, size int, dst []float64, arg []int32) {
	var s wmaxScratch
	s.run(src, h, w, size, dst, arg)
}

func (s *wmaxScratch) run(src []float64, h, w, size int, dst []float64, arg []int32) {
	r := (size - 1) / 2
	tv := grow(&s.v, h*w)
	ta := grow(&s.a, h*w)
	for i := 0; i < h; i++ {
		row := src[i*w : (i+1)*w]
		for j := 0; j < w; j++ {
			lo, hi := max(j-r, 0), min(j+r, w-1)
			b, bj := row[lo], lo
			for jj := lo + 1; jj <= hi; jj++ {
				if row[jj] > b {
					b, bj = row[jj], jj
				}
			}
			tv[i*w+j], ta[i*w+j] = b, int32(i*w+bj)
		}
	}
	for j := 0; j < w; j++ {
		for i := 0; i < h; i++ {
			lo, hi := max(i-r, 0), min(i+r, h-1)
			b, ba := tv[lo*w+j], ta[lo*w+j]
			for ii := lo + 1; ii <= hi; ii++ {
				if v := tv[ii*w+j]; v > b {
					b, ba = v, ta[ii*w+j]
				}
			}
			dst[i*w+j] = b
			if arg != nil {
				arg[i*w+j] = ba
			}
		}
	}
}

// Dilate3x3 writes into dst (len h*w) the binary dilation of src by a 3x3 square (zero padding): a pixel is set
// iff any pixel of its 3x3 neighbourhood is set. dst must not alias src.
func Dilate3x3(src []bool, h, w int, dst []bool) {
	for i := 0; i < h; i++ {
		for j := 0; j < w; j++ {
			on := false
			for ii := max(i-1, 0); ii <= min(i+1, h-1) && !on; ii++ {
				for jj := max(j-1, 0); jj <= min(j+1, w-1); jj++ {
					if src[ii*w+jj] {
						on = true
						break
					}
				}
			}
			dst[i*w+j] = on
		}
	}
}

// KLMap writes into dst (len h*w) ABL's predicted-boundary score for one image whose softmax is p and
// log-softmax lp (both c x h x w): dst(i,j) = [j<w-1]·KL(p(i,j) || p(i,j+1)) + [i<h-1]·KL(p(i,j) || p(i+1,j)),
// with KL(u || v) = sum_c u_c (log u_c - log v_c).
func KLMap(p, lp []float64, c, h, w int, dst []float64) {
	hw := h * w
	for i := 0; i < h; i++ {
		for j := 0; j < w; j++ {
			o := i*w + j
			var lr, ud float64
			if j < w-1 {
				for k := 0; k < c; k++ {
					lr += p[k*hw+o] * (lp[k*hw+o] - lp[k*hw+o+1])
				}
			}
			if i < h-1 {
				for k := 0; k < c; k++ {
					ud += p[k*hw+o] * (lp[k*hw+o] - lp[k*hw+o+w])
				}
			}
			dst[o] = lr + ud
		}
	}
}

// nextThreshold returns ABL's final threshold: starting at 1e-5 and multiplying by 1.2 (sequentially, as
// segloss does) while more than maxN of the scores exceed it. It uses a selection instead of recounting.
// buf is scratch of len(scores).
func nextThreshold(scores []float64, maxN float64, buf []float64) float64 {
	t := 1e-5
	m := int(math.Floor(maxN)) + 1 // the count exceeds maxN iff at least m scores are > t
	if maxN < 0 {
		m = 0
	}
	if m > len(scores) {
		return t
	}
	if m <= 0 {
		return math.Inf(1)
	}
	copy(buf, scores)
	v := kthLargest(buf[:len(scores)], m)
	for !(v <= t) {
		t *= 1.2
	}
	return t
}

// kthLargest returns the k-th largest value (k >= 1) of a, reordering a.
func kthLargest(a []float64, k int) float64 {
	lo, hi := 0, len(a)-1
	want := k - 1
	for lo < hi {
		piv := a[(lo+hi)/2]
		i, j := lo, hi
		for i <= j {
			for a[i] > piv {
				i++
			}
			for a[j] < piv {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
		}
		switch {
		case want <= j:
			hi = j
		case want >= i:
			lo = i
		default:
			return a[want]
		}
	}
	return a[want]
}
