//go:build amd64 && !purego

package loss

//go:noescape
func maxAccAVX2(m, x *float64, n int)

//go:noescape
func mulToAVX2(dst, a, b *float64, n int)

//go:noescape
func widenAVX2(dst *float64, src *float32, n int) bool

//go:noescape
func narrowAVX2(dst *float32, src *float64, n int)

// maxAccVec does maxAcc's leading multiple of four and returns its length.
func maxAccVec(m, x []float64) int {
	n := len(m) &^ 3
	if !hasAVX2 || n == 0 {
		return 0
	}
	_ = x[n-1]
	maxAccAVX2(&m[0], &x[0], n)
	return n
}

// mulToVec does mulTo's leading multiple of four and returns its length.
func mulToVec(dst, a, b []float64) int {
	n := len(dst) &^ 3
	if !hasAVX2 || n == 0 {
		return 0
	}
	_, _ = a[n-1], b[n-1]
	mulToAVX2(&dst[0], &a[0], &b[0], n)
	return n
}

// widenVec does widen's leading multiple of four, returns its length and whether those values are finite.
func widenVec(dst []float64, src []float32) (int, bool) {
	n := len(src) &^ 3
	if !hasAVX2 || n == 0 {
		return 0, true
	}
	_ = dst[n-1]
	return n, widenAVX2(&dst[0], &src[0], n)
}

// narrowVec does narrow's leading multiple of four and returns its length.
func narrowVec(dst []float32, src []float64) int {
	n := len(src) &^ 3
	if !hasAVX2 || n == 0 {
		return 0
	}
	_ = dst[n-1]
	narrowAVX2(&dst[0], &src[0], n)
	return n
}

//go:noescape
func dotAccAVX2(d, a, b *float64, n int)

//go:noescape
func softBackAVX2(acc, p, gp, d *float64, n int)

// dotAccVec does dotAcc's leading multiple of four and returns its length.
func dotAccVec(d, a, b []float64) int {
	n := len(d) &^ 3
	if !hasAVX2 || n == 0 {
		return 0
	}
	_, _ = a[n-1], b[n-1]
	dotAccAVX2(&d[0], &a[0], &b[0], n)
	return n
}

// softBackVec does softBack's leading multiple of four and returns its length.
func softBackVec(g, p, gp, d []float64) int {
	n := len(g) &^ 3
	if !hasAVX2 || n == 0 {
		return 0
	}
	_, _, _ = p[n-1], gp[n-1], d[n-1]
	softBackAVX2(&g[0], &p[0], &gp[0], &d[0], n)
	return n
}

//go:noescape
func rowMax3AVX2(row, v *float64, a *int32, n int, c *[3][4]float64)

//go:noescape
func colMax3AVX2(x, y, z *float64, xa, ya, za *int32, d *float64, da *int32, n int)

// rowMax3Vec does rowMax3's interior columns 1.. in groups of four (v and a start at column 1, base is column
// 1's index) and returns how many it did.
func rowMax3Vec(row, v []float64, a []int32, base int32) int {
	n := len(v) &^ 3
	if !hasAVX2 || n == 0 {
		return 0
	}
	_, _ = row[n+1], a[n-1]
	b := float64(base) - 1
	c := [3][4]float64{{b, b + 1, b + 2, b + 3}, {4, 4, 4, 4}, {1, 1, 1, 1}}
	rowMax3AVX2(&row[0], &v[0], &a[0], n, &c)
	return n
}

// colMax3Vec does colMax3F's leading multiple of four and returns its length.
func colMax3Vec(x, y, z []float64, xa, ya, za []int32, d []float64, da []int32) int {
	n := len(d) &^ 3
	if !hasAVX2 || n == 0 {
		return 0
	}
	_, _, _, _, _, _, _ = x[n-1], y[n-1], z[n-1], xa[n-1], ya[n-1], za[n-1], da[n-1]
	colMax3AVX2(&x[0], &y[0], &z[0], &xa[0], &ya[0], &za[0], &d[0], &da[0], n)
	return n
}

//go:noescape
func subSubAVX2(dst, x, m, l *float64, n int)

// subSubVec does subSub's leading multiple of four and returns its length.
func subSubVec(dst, x, m, l []float64) int {
	n := len(dst) &^ 3
	if !hasAVX2 || n == 0 {
		return 0
	}
	_, _, _ = x[n-1], m[n-1], l[n-1]
	subSubAVX2(&dst[0], &x[0], &m[0], &l[0], n)
	return n
}

//go:noescape
func finite32AVX2(x *float32, n int) bool

// finite32Vec checks finite32's leading multiple of eight and returns its length and whether those are finite.
func finite32Vec(x []float32) (int, bool) {
	n := len(x) &^ 7
	if !hasAVX2 || n == 0 {
		return 0, true
	}
	return n, finite32AVX2(&x[0], n)
}
