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
