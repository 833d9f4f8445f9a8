package loss

import (
	"encoding/binary"
	"math"
	"unsafe"
)

// Contour writes into dst (len h*w) segloss's DTL contour of the binary mask: pixel (i,j) is on the contour iff
// i < h-1 and mask(i,j) != mask(i+1,j) (a vertical transition marks the upper pixel), or j > 0 and
// mask(i,j) != mask(i,j-1) (a horizontal transition marks the right-hand pixel). When valid is not nil, only
// pairs of two valid pixels are compared, so an unknown region creates no contour.
func Contour(mask, valid []bool, h, w int, dst []bool) {
	var v []uint8
	if valid != nil {
		v = bytesOf(valid)
	}
	out := make([]uint8, h*w)
	contour8(bytesOf(mask), v, h, w, out)
	for i, b := range out {
		dst[i] = b != 0
	}
}

// bytesOf returns the 0/1 bytes of b.
func bytesOf(b []bool) []uint8 {
	out := make([]uint8, len(b))
	for i, v := range b {
		if v {
			out[i] = 1
		}
	}
	return out
}

// contour8 is Contour on 0/1 bytes, with byte arithmetic instead of branches (valid nil: all valid).
func contour8(mask, valid []uint8, h, w int, dst []uint8) {
	for i := 0; i < h; i++ {
		row, out := mask[i*w:(i+1)*w], dst[i*w:(i+1)*w]
		out = out[:len(row)]
		switch down := mask[min(i+1, h-1)*w:][:len(row)]; {
		case i == h-1:
			clear(out)
		case valid == nil:
			for j, m := range row {
				out[j] = m ^ down[j]
			}
		default:
			v, vd := valid[i*w : (i+1)*w][:len(row)], valid[(i+1)*w : (i+2)*w][:len(row)]
			for j, m := range row {
				out[j] = (m ^ down[j]) & v[j] & vd[j]
			}
		}
		if valid == nil {
			for j := 1; j < len(row); j++ {
				out[j] |= row[j] ^ row[j-1]
			}
			continue
		}
		v := valid[i*w : (i+1)*w][:len(row)]
		for j := 1; j < len(row); j++ {
			out[j] |= (row[j] ^ row[j-1]) & v[j] & v[j-1]
		}
	}
}

// wmaxScratch holds the buffers of WindowMax and Dilate.
type wmaxScratch struct {
	key, tk, gk, hk []uint64
	a, ga, ha, oa   []int32
	cnt             []int32
	words           []uint64
}

// WindowMax writes into dst (len h*w) the maximum of src over the size x size window centred on each pixel
// (size odd; pixels outside the image are skipped, i.e. max-pooling with stride 1 and -Inf padding). When arg is
// not nil it receives the flat index of the window's first maximal pixel in row-major order, which is where
// PyTorch's CPU max_pool2d sends the gradient. src must not hold NaN; -0 and +0 count as equal (a zero maximum
// is written as +0). The pass is separable (rows, then columns); each 1-D pass is the van Herk / Gil-Werman
// running maximum, O(1) per pixel whatever the size (three comparisons), except for windows of 3, where
// comparing the neighbours directly is cheaper. Values are compared as order-preserving integer keys, so the
// selections compile to conditional moves instead of unpredictable branches. dst may alias src.
func WindowMax(src []float64, h, w, size int, dst []float64, arg []int32) {
	var s wmaxScratch
	s.run(src, h, w, size, dst, arg)
}

// wmaxDirect is the largest window size that WindowMax handles by direct comparison.
const wmaxDirect = 3

// fkey maps a float64 (not NaN) to a uint64 with the same order; -0 and +0 map to the same key.
func fkey(v float64) uint64 {
	b := math.Float64bits(v + 0) // -0 + 0 = +0
	return b ^ (uint64(int64(b)>>63) | 1<<63)
}

// unkey inverts fkey.
func unkey(k uint64) float64 {
	return math.Float64frombits(k ^ (uint64(int64(^k)>>63) | 1<<63))
}

func (s *wmaxScratch) run(src []float64, h, w, size int, dst []float64, arg []int32) {
	key := grow(&s.key, h*w)
	for i, v := range src[:h*w] {
		key[i] = fkey(v)
	}
	s.keys(key, h, w, size, arg)
	for i, k := range key {
		dst[i] = unkey(k)
	}
}

// keys is WindowMax on fkey keys, in place: key (len h*w) is replaced by the window maxima's keys. arg may be
// nil.
func (s *wmaxScratch) keys(key []uint64, h, w, size int, arg []int32) {
	r := (size - 1) / 2
	n := h * w
	if arg == nil {
		arg = grow(&s.oa, n)
	}
	tv, ta := grow(&s.tk, n), grow(&s.a, n)
	gv, hv := grow(&s.gk, n), grow(&s.hk, n)
	ga, ha := grow(&s.ga, n), grow(&s.ha, n)
	for i := 0; i < h; i++ {
		o := i * w
		if size <= wmaxDirect {
			rowMaxDirect(key[o:o+w], tv[o:o+w], ta[o:o+w], int32(o), r)
		} else {
			rowMaxHGW(key[o:o+w], tv[o:o+w], ta[o:o+w], int32(o), r, gv[:w], hv[:w], ga[:w], ha[:w])
		}
	}
	out := key // the source keys are no longer needed
	if size > wmaxDirect {
		colMaxHGW(tv, ta, out, arg, h, w, r, gv, hv, ga, ha)
		return
	}
	if r == 1 && h >= 3 {
		colMax3(tv, ta, out, arg, h, w)
		return
	}
	for i := 0; i < h; i++ {
		lo, hi := max(i-r, 0), min(i+r, h-1)
		d, da := out[i*w:(i+1)*w], arg[i*w:(i+1)*w]
		copy(d, tv[lo*w:(lo+1)*w])
		copy(da, ta[lo*w:(lo+1)*w])
		da = da[:len(d)]
		for ii := lo + 1; ii <= hi; ii++ {
			v, a := tv[ii*w : (ii+1)*w][:len(d)], ta[ii*w : (ii+1)*w][:len(d)]
			for j, x := range v {
				y, k := d[j], da[j]
				if x > y {
					k = a[j]
				}
				d[j], da[j] = max(x, y), k
			}
		}
	}
}

// colMaxHGW is the van Herk / Gil-Werman running maximum down the columns of tv (with indices ta), computed
// row by row over whole rows so that memory is read in order, written into out and oa.
func colMaxHGW(tv []uint64, ta []int32, out []uint64, oa []int32, h, w, r int, gv, hv []uint64, ga, ha []int32) {
	size := 2*r + 1
	for b0 := 0; b0 < h; b0 += size {
		b1 := min(b0+size, h)
		copy(gv[b0*w:(b0+1)*w], tv[b0*w:(b0+1)*w])
		copy(ga[b0*w:(b0+1)*w], ta[b0*w:(b0+1)*w])
		for i := b0 + 1; i < b1; i++ {
			g, gi := gv[i*w:(i+1)*w], ga[i*w : (i+1)*w][:w]
			t, a := tv[i*w : (i+1)*w][:len(g)], ta[i*w : (i+1)*w][:len(g)]
			pg, pa := gv[(i-1)*w : i*w][:len(g)], ga[(i-1)*w : i*w][:len(g)]
			gi = gi[:len(g)]
			for j, v := range t {
				y, k := pg[j], pa[j]
				if v > y {
					k = a[j]
				}
				g[j], gi[j] = max(v, y), k
			}
		}
		copy(hv[(b1-1)*w:b1*w], tv[(b1-1)*w:b1*w])
		copy(ha[(b1-1)*w:b1*w], ta[(b1-1)*w:b1*w])
		for i := b1 - 2; i >= b0; i-- {
			hh, hi := hv[i*w:(i+1)*w], ha[i*w:(i+1)*w]
			t, a := tv[i*w : (i+1)*w][:len(hh)], ta[i*w : (i+1)*w][:len(hh)]
			nh, na := hv[(i+1)*w : (i+2)*w][:len(hh)], ha[(i+1)*w : (i+2)*w][:len(hh)]
			hi = hi[:len(hh)]
			for j, v := range t {
				y, k := nh[j], na[j]
				if v >= y {
					k = a[j]
				}
				hh[j], hi[j] = max(v, y), k
			}
		}
	}
	for i := 0; i < h; i++ {
		lo, up := max(i-r, 0), min(i+r, h-1)
		d, da := out[i*w:(i+1)*w], oa[i*w:(i+1)*w]
		switch {
		case lo/size == up/size && lo%size == 0: // one block, from its start
			copy(d, gv[up*w:(up+1)*w])
			copy(da, ga[up*w:(up+1)*w])
		case lo/size == up/size: // one block, to its end (the last, partial block)
			copy(d, hv[lo*w:(lo+1)*w])
			copy(da, ha[lo*w:(lo+1)*w])
		default:
			hvl, hal := hv[lo*w : (lo+1)*w][:len(d)], ha[lo*w : (lo+1)*w][:len(d)]
			gvh, gah := gv[up*w : (up+1)*w][:len(d)], ga[up*w : (up+1)*w][:len(d)]
			da = da[:len(d)]
			for j := range d {
				x, y, k := hvl[j], gvh[j], gah[j]
				if x >= y {
					k = hal[j]
				}
				d[j], da[j] = max(x, y), k
			}
		}
	}
}

// colMax3 is the column pass of a 3-window: each output row is the first maximum of the rows above, at and
// below it (h >= 3), read in one sweep.
func colMax3(tv []uint64, ta []int32, out []uint64, oa []int32, h, w int) {
	pair := func(d []uint64, da []int32, x, y []uint64, xa, ya []int32) {
		x, y, xa, ya, da = x[:len(d)], y[:len(d)], xa[:len(d)], ya[:len(d)], da[:len(d)]
		for j := range d {
			v, k := x[j], xa[j]
			if y[j] > v {
				k = ya[j]
			}
			d[j], da[j] = max(v, y[j]), k
		}
	}
	pair(out[:w], oa[:w], tv[:w], tv[w:2*w], ta[:w], ta[w:2*w])
	for i := 1; i < h-1; i++ {
		d, da := out[i*w:(i+1)*w], oa[i*w : (i+1)*w][:w]
		a, b, c := tv[(i-1)*w : i*w][:len(d)], tv[i*w : (i+1)*w][:len(d)], tv[(i+1)*w : (i+2)*w][:len(d)]
		aa, ba, ca := ta[(i-1)*w : i*w][:len(d)], ta[i*w : (i+1)*w][:len(d)], ta[(i+1)*w : (i+2)*w][:len(d)]
		da = da[:len(d)]
		for j := range d {
			v, k := a[j], aa[j]
			if b[j] > v {
				k = ba[j]
			}
			v = max(v, b[j])
			if c[j] > v {
				k = ca[j]
			}
			d[j], da[j] = max(v, c[j]), k
		}
	}
	pair(out[(h-1)*w:], oa[(h-1)*w:], tv[(h-2)*w:(h-1)*w], tv[(h-1)*w:], ta[(h-2)*w:(h-1)*w], ta[(h-1)*w:])
}

// rowMaxDirect writes the running maximum of row over windows [j-r, j+r] (clipped) into v, and the flat index
// base+j of its first maximum into a.
func rowMaxDirect(row, v []uint64, a []int32, base int32, r int) {
	w := len(row)
	edge := func(j int) {
		lo, hi := max(j-r, 0), min(j+r, w-1)
		b, bj := row[lo], lo
		for jj := lo + 1; jj <= hi; jj++ {
			if row[jj] > b {
				b, bj = row[jj], jj
			}
		}
		v[j], a[j] = b, base+int32(bj)
	}
	for j := 0; j < min(r, w); j++ {
		edge(j)
	}
	if r == 1 {
		for j := 1; j < w-1; j++ {
			x, y, z := row[j-1], row[j], row[j+1]
			k := j - 1
			if y > x {
				k = j
			}
			x = max(x, y)
			if z > x {
				k = j + 1
			}
			v[j], a[j] = max(x, z), base+int32(k)
		}
	} else {
		for j := r; j < w-r; j++ {
			win := row[j-r : j+r+1]
			b, bj := win[0], 0
			for d := 1; d < len(win); d++ {
				x := win[d]
				if x > b { // compiled to a conditional move
					bj = d
				}
				b = max(b, x)
			}
			v[j], a[j] = b, base+int32(j-r+bj)
		}
	}
	for j := max(w-r, r); j < w; j++ {
		edge(j)
	}
}

// rowMaxHGW is rowMaxDirect by van Herk / Gil-Werman: prefix maxima g from each block start and suffix maxima
// h to each block end (blocks of 2r+1), so that a window is max(h[lo], g[hi]), ties going to the left.
func rowMaxHGW(row, v []uint64, a []int32, base int32, r int, g, h []uint64, gi, hi []int32) {
	w, size := len(row), 2*r+1
	for b0 := 0; b0 < w; b0 += size {
		b1 := min(b0+size, w)
		g[b0], gi[b0] = row[b0], int32(b0)
		for j := b0 + 1; j < b1; j++ {
			x, pv, pi := row[j], g[j-1], gi[j-1]
			if x > pv {
				pi = int32(j)
			}
			g[j], gi[j] = max(pv, x), pi
		}
		h[b1-1], hi[b1-1] = row[b1-1], int32(b1-1)
		for j := b1 - 2; j >= b0; j-- {
			x, nv, ni := row[j], h[j+1], hi[j+1]
			if x >= nv {
				ni = int32(j)
			}
			h[j], hi[j] = max(nv, x), ni
		}
	}
	edge := func(j int) {
		lo, up := max(j-r, 0), min(j+r, w-1)
		switch {
		case lo/size == up/size && lo%size == 0:
			v[j], a[j] = g[up], base+gi[up]
		case lo/size == up/size:
			v[j], a[j] = h[lo], base+hi[lo]
		case h[lo] >= g[up]:
			v[j], a[j] = h[lo], base+hi[lo]
		default:
			v[j], a[j] = g[up], base+gi[up]
		}
	}
	for j := 0; j < min(r, w); j++ {
		edge(j)
	}
	// Interior windows have length size: max(h[lo], g[lo+2r]), which also holds when lo starts a block.
	for j := r; j < w-r; j++ {
		hv, gv, k := h[j-r], g[j+r], gi[j+r]
		if hv >= gv {
			k = hi[j-r]
		}
		v[j], a[j] = max(hv, gv), base+k
	}
	for j := max(w-r, r); j < w; j++ {
		edge(j)
	}
}

// Dilate writes into dst (len h*w) the binary dilation of src by a size x size square (size odd, zero
// padding): dst is 1 where src has a non-zero pixel within the window, else 0. Window counts are kept as running
// sums, so the cost per pixel does not depend on size. dst may alias src.
func Dilate(src []uint8, h, w, size int, dst []uint8) {
	var s wmaxScratch
	s.dilate(src, h, w, size, dst)
}

func (s *wmaxScratch) dilate(src []uint8, h, w, size int, dst []uint8) {
	r := (size - 1) / 2
	if w%8 == 0 && r < 8 {
		s.dilateWords(src, h, w, r, dst)
		return
	}
	rows := grow(&s.cnt, h*w+w)
	rc, cc := rows[:h*w], rows[h*w:]
	// Rows: rc = number of set pixels in [j-r, j+r].
	for i := 0; i < h; i++ {
		row, out := src[i*w:(i+1)*w], rc[i*w:(i+1)*w]
		var k int32
		for j := 0; j < min(r, w); j++ {
			k += int32(row[j] & 1)
		}
		for j := 0; j < w; j++ {
			if j+r < w {
				k += int32(row[j+r] & 1)
			}
			if j-r-1 >= 0 {
				k -= int32(row[j-r-1] & 1)
			}
			out[j] = k
		}
	}
	// Columns: cc = sum of rc over rows [i-r, i+r], updated row by row.
	clear(cc)
	for i := 0; i < min(r, h); i++ {
		for j, v := range rc[i*w : (i+1)*w][:len(cc)] {
			cc[j] += v
		}
	}
	for i := 0; i < h; i++ {
		if i+r < h {
			for j, v := range rc[(i+r)*w : (i+r+1)*w][:len(cc)] {
				cc[j] += v
			}
		}
		if i-r-1 >= 0 {
			for j, v := range rc[(i-r-1)*w : (i-r)*w][:len(cc)] {
				cc[j] -= v
			}
		}
		out := dst[i*w : (i+1)*w][:len(cc)]
		for j, v := range cc {
			if v > 0 {
				out[j] = 1
			} else {
				out[j] = 0
			}
		}
	}
}

// Dilate3x3 writes into dst (len h*w) the binary dilation of src by a 3x3 square (zero padding): a pixel is set
// iff any pixel of its 3x3 neighbourhood is set. dst must not alias src.
func Dilate3x3(src []bool, h, w int, dst []bool) {
	dilate3x3(src, h, w, dst, make([]bool, h*w))
}

// dilate3x3 is Dilate3x3 with scratch tmp (len h*w): a row pass, then a column pass, eight pixels at a time
// when w is a multiple of 8.
func dilate3x3(src []bool, h, w int, dst, tmp []bool) {
	if w%8 == 0 && h*w > 0 {
		dilate3x3Words(boolBytes(src[:h*w]), h, w, boolBytes(dst[:h*w]), boolBytes(tmp[:h*w]))
		return
	}
	for i := 0; i < h; i++ {
		row, t := src[i*w:(i+1)*w], tmp[i*w:(i+1)*w]
		t = t[:len(row)]
		copy(t, row)
		for j := 1; j < len(row); j++ {
			t[j] = t[j] || row[j-1]
			t[j-1] = t[j-1] || row[j]
		}
	}
	for i := 0; i < h; i++ {
		out, t := dst[i*w:(i+1)*w], tmp[i*w:(i+1)*w]
		t = t[:len(out)]
		copy(out, t)
		if i > 0 {
			up := tmp[(i-1)*w : i*w][:len(out)]
			for j, v := range up {
				out[j] = out[j] || v
			}
		}
		if i < h-1 {
			down := tmp[(i+1)*w : (i+2)*w][:len(out)]
			for j, v := range down {
				out[j] = out[j] || v
			}
		}
	}
}

// KLMap writes into dst (len h*w) ABL's predicted-boundary score for one image whose softmax is p and
// log-softmax lp (both c x h x w): dst(i,j) = [j<w-1]·KL(p(i,j) || p(i,j+1)) + [i<h-1]·KL(p(i,j) || p(i+1,j)),
// with KL(u || v) = sum_c u_c (log u_c - log v_c).
func KLMap(p, lp []float64, c, h, w int, dst []float64) {
	klMap(p, lp, c, h, w, dst, make([]float64, w))
}

// klMap is KLMap with scratch ud (len w). It sweeps the class planes row by row; each sum still runs over the
// classes in order, so the values are those of the per-pixel formula bit for bit.
func klMap(p, lp []float64, c, h, w int, dst, ud []float64) {
	hw := h * w
	for i := 0; i < h; i++ {
		lr := dst[i*w : (i+1)*w]
		ud := ud[:len(lr)]
		clear(lr)
		clear(ud)
		for k := 0; k < c; k++ {
			o := k*hw + i*w
			pk, lk := p[o : o+w][:len(lr)], lp[o : o+w][:len(lr)]
			softBack(lr[:w-1], pk, lk, lk[1:]) // lr[j] += pk[j] * (lk[j] - lk[j+1])
			if i < h-1 {
				softBack(ud, pk, lk, lp[o+w:o+2*w]) // ud[j] += pk[j] * (lk[j] - lk[j+w])
			}
		}
		for j, v := range ud {
			lr[j] += v
		}
	}
}

// nextThreshold returns ABL's final threshold: starting at 1e-5 and multiplying by 1.2 (sequentially, as
// segloss does) while more than maxN of the scores exceed it. It uses a selection instead of recounting.
// buf is scratch of len(scores).
func nextThreshold(scores []float64, maxN float64, buf []float64) float64 {
	t, _ := thresholdSelect(scores, maxN, buf, nil)
	return t
}

// thresholdMask returns nextThreshold(scores, maxN, buf) and sets mask[o] = scores[o] > t. Where the threshold
// comes from the histogram, the scan that collects its bucket also lists every score at or above that bucket
// (all that can exceed t) in idx, so the mask is cleared and only those are compared. idx is scratch of
// len(scores).
func thresholdMask(scores []float64, maxN float64, buf []float64, idx []int32, mask []bool) float64 {
	t, n := thresholdSelect(scores, maxN, buf, idx)
	if n < 0 {
		for o, v := range scores {
			mask[o] = v > t
		}
		return t
	}
	clear(mask[:len(scores)])
	for _, o := range idx[:n] {
		mask[o] = scores[o] > t
	}
	return t
}

// thresholdSelect is nextThreshold; with idx, it also lists in idx the indices of the scores whose fkey
// bucket is at or above the returned threshold's (a superset of those that exceed it) and returns their
// number, or -1 when it took a path without the histogram.
func thresholdSelect(scores []float64, maxN float64, buf []float64, idx []int32) (float64, int) {
	t := 1e-5
	m := int(math.Floor(maxN)) + 1 // the count exceeds maxN iff at least m scores are > t
	if maxN < 0 {
		m = 0
	}
	if m > len(scores) {
		return t, -1
	}
	if m <= 0 {
		return math.Inf(1), -1
	}
	if len(scores) < 1024 {
		v := kthLargestOf(scores, m, buf)
		for !(v <= t) {
			t *= 1.2
		}
		return t, -1
	}
	// The m-th largest score v is <= t iff fewer than m scores exceed t. A histogram of the sign and exponent
	// (fkey's top 12 bits, which keep the order) finds v's bucket b: a t whose bucket lies above b passes, one
	// below fails, and only the few t within b (1.2^4 > 2) count b's values, copied to buf.
	var hist [1 << 12]int32
	for _, v := range scores {
		hist[fkey(v)>>52]++
	}
	b, above := len(hist)-1, 0
	for above+int(hist[b]) < m {
		above += int(hist[b])
		b--
	}
	n, ni := 0, 0
	if idx == nil {
		for _, v := range scores {
			if fkey(v)>>52 == uint64(b) {
				buf[n] = v
				n++
			}
		}
	} else {
		for o, v := range scores {
			k := fkey(v) >> 52
			if k >= uint64(b) {
				idx[ni] = int32(o)
				ni++
				if k == uint64(b) {
					buf[n] = v
					n++
				}
			}
		}
	}
	for {
		switch bt := int(fkey(t) >> 52); {
		case bt > b:
			return t, ni
		case bt == b:
			cnt := above
			for _, v := range buf[:n] {
				if v > t {
					cnt++
				}
			}
			if cnt < m {
				return t, ni
			}
		}
		t *= 1.2
	}
}

// kthLargestOf returns the k-th largest value (1 <= k <= len(a)) of a (no NaN), leaving a as it is; buf is
// scratch of len(a). Long inputs go through a histogram of the values' sign and exponent (fkey's top 12 bits,
// which keep the order) first: only the values of the bucket that holds the k-th largest are copied to buf
// and selected among, so the value is the one a full selection gives.
func kthLargestOf(a []float64, k int, buf []float64) float64 {
	if len(a) < 1024 {
		copy(buf, a)
		return kthLargest(buf[:len(a)], k)
	}
	var hist [1 << 12]int32
	for _, v := range a {
		hist[fkey(v)>>52]++
	}
	b, above := len(hist)-1, 0
	for above+int(hist[b]) < k {
		above += int(hist[b])
		b--
	}
	n := 0
	buf = buf[:len(a)]
	for _, v := range a {
		if fkey(v)>>52 == uint64(b) {
			buf[n] = v
			n++
		}
	}
	return kthLargest(buf[:n], k-above)
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

// dilateWords is dilate for rows of whole 64-bit words (w a multiple of 8) and r < 8, on 0/1 bytes eight at a
// time: each row is ORed with itself shifted by 1..r bytes either way (bytes carried across words), then each
// output row is the OR of the 2r+1 rows around it. dst may alias src.
func (s *wmaxScratch) dilateWords(src []uint8, h, w, r int, dst []uint8) {
	m := w / 8
	hor := grow(&s.words, h*m)
	for i := 0; i < h; i++ {
		row, out := src[i*w:(i+1)*w], hor[i*m:(i+1)*m]
		for q := range out {
			out[q] = binary.LittleEndian.Uint64(row[8*q:])
		}
		var prev uint64
		for q := range out {
			x := out[q]
			var next uint64
			if q+1 < len(out) {
				next = binary.LittleEndian.Uint64(row[8*q+8:])
			}
			d := x
			for sh := 1; sh <= r; sh++ {
				b := uint(8 * sh)
				d |= x<<b | prev>>(64-b) | x>>b | next<<(64-b)
			}
			prev = x
			out[q] = d
		}
	}
	for i := 0; i < h; i++ {
		lo, hi := max(i-r, 0), min(i+r, h-1)
		out := dst[i*w : (i+1)*w]
		for q := 0; q < m; q++ {
			var d uint64
			for ii := lo; ii <= hi; ii++ {
				d |= hor[ii*m+q]
			}
			binary.LittleEndian.PutUint64(out[8*q:], d)
		}
	}
}

// boolBytes returns the bytes (0 or 1) that hold b, sharing its memory.
func boolBytes(b []bool) []uint8 {
	return unsafe.Slice((*uint8)(unsafe.Pointer(unsafe.SliceData(b))), len(b))
}

// dilate3x3Words is dilate3x3 on 0/1 bytes for w a multiple of 8, a 64-bit word (eight pixels) at a time: each
// row is ORed with itself shifted by one byte either way (bytes carried across words), then each output row is
// the OR of the three rows around it. dst must not alias src.
func dilate3x3Words(src []uint8, h, w int, dst, tmp []uint8) {
	m := w / 8
	for i := range h {
		row, t := src[i*w:(i+1)*w], tmp[i*w:(i+1)*w]
		var prev uint64
		x := binary.LittleEndian.Uint64(row)
		for q := range m {
			var next uint64
			if q+1 < m {
				next = binary.LittleEndian.Uint64(row[8*q+8:])
			}
			binary.LittleEndian.PutUint64(t[8*q:], x|x<<8|prev>>56|x>>8|next<<56)
			prev, x = x, next
		}
	}
	for i := range h {
		lo, hi := max(i-1, 0), min(i+1, h-1)
		for q := range m {
			var d uint64
			for ii := lo; ii <= hi; ii++ {
				d |= binary.LittleEndian.Uint64(tmp[ii*w+8*q:])
			}
			binary.LittleEndian.PutUint64(dst[i*w+8*q:], d)
		}
	}
}
