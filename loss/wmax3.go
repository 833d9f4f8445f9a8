package loss

// wmax3 writes into dst the maximum of src over the 3 x 3 window centred on each pixel (clipped at the image
// edges) and into arg the flat index of its first maximal pixel in row-major order, which is what
// wmaxScratch.keys gives for size 3. src must hold no NaN and no -0 (the boundary loss's 1 - p never does), so
// that float comparisons order it as keys do. tv and ta are scratch of len h*w.
func wmax3(src []float64, h, w int, dst []float64, arg []int32, tv []float64, ta []int32) {
	n := h * w
	src, dst, arg, tv, ta = src[:n], dst[:n], arg[:n], tv[:n], ta[:n]
	for i := range h {
		o := i * w
		rowMax3(src[o:o+w], tv[o:o+w], ta[o:o+w], int32(o))
	}
	for i := range h {
		lo, hi := max(i-1, 0), min(i+1, h-1)
		d, da := dst[i*w:(i+1)*w], arg[i*w:(i+1)*w]
		if hi-lo == 2 {
			colMax3F(tv[lo*w:(lo+1)*w], tv[i*w:(i+1)*w], tv[hi*w:(hi+1)*w],
				ta[lo*w:(lo+1)*w], ta[i*w:(i+1)*w], ta[hi*w:(hi+1)*w], d, da)
			continue
		}
		copy(d, tv[lo*w:(lo+1)*w])
		copy(da, ta[lo*w:(lo+1)*w])
		for ii := lo + 1; ii <= hi; ii++ {
			v, a := tv[ii*w : (ii+1)*w][:len(d)], ta[ii*w : (ii+1)*w][:len(d)]
			for j, x := range v {
				if x > d[j] {
					d[j], da[j] = x, a[j]
				}
			}
		}
	}
}

// rowMax3 writes the maximum of row over columns j-1..j+1 (clipped) into v[j] and base plus the column of its
// first occurrence into a[j].
func rowMax3(row, v []float64, a []int32, base int32) {
	w := len(row)
	v, a = v[:w], a[:w]
	edge := func(j int) {
		lo, hi := max(j-1, 0), min(j+1, w-1)
		b, bj := row[lo], lo
		for jj := lo + 1; jj <= hi; jj++ {
			if row[jj] > b {
				b, bj = row[jj], jj
			}
		}
		v[j], a[j] = b, base+int32(bj)
	}
	edge(0)
	if w == 1 {
		return
	}
	j := 1
	if w >= 3 {
		j += rowMax3Vec(row, v[1:w-1], a[1:w-1], base+1)
	}
	for ; j < w-1; j++ {
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
	edge(w - 1)
}

// colMax3F writes the maximum of rows x, y, z into d and the argument (from xa, ya, za) of its first
// occurrence in that order into da.
func colMax3F(x, y, z []float64, xa, ya, za []int32, d []float64, da []int32) {
	n := len(d)
	x, y, z, xa, ya, za, da = x[:n], y[:n], z[:n], xa[:n], ya[:n], za[:n], da[:n]
	for j := colMax3Vec(x, y, z, xa, ya, za, d, da); j < n; j++ {
		v, k := x[j], xa[j]
		if y[j] > v {
			k = ya[j]
		}
		v = max(v, y[j])
		if z[j] > v {
			k = za[j]
		}
		d[j], da[j] = max(v, z[j]), k
	}
}
