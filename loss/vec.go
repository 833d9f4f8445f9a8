package loss

// The element-wise loops below run their leading multiple of four in AVX2 where the CPU has it (vec_amd64.s)
// and the rest in Go; both give the same bits. Explicit float64 conversions keep the compiler from fusing a
// multiply and an add (as it may for GOAMD64=v3), which the kernels do not.

// maxAcc sets m[i] = max(m[i], x[i]) (Go's max: +0 beats -0).
func maxAcc(m, x []float64) {
	x = x[:len(m)]
	for i := maxAccVec(m, x); i < len(m); i++ {
		m[i] = max(m[i], x[i])
	}
}

// mulTo sets dst[i] = a[i] * b[i]; dst may alias a or b.
func mulTo(dst, a, b []float64) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := mulToVec(dst, a, b); i < len(dst); i++ {
		dst[i] = a[i] * b[i]
	}
}

// widen sets dst[i] = float64(src[i]) and reports whether every value is finite.
func widen(dst []float64, src []float32) bool {
	dst = dst[:len(src)]
	i, ok := widenVec(dst, src)
	for ; i < len(src); i++ {
		f := float64(src[i])
		ok = ok && f-f == 0
		dst[i] = f
	}
	return ok
}

// narrow sets dst[i] = float32(src[i]).
func narrow(dst []float32, src []float64) {
	src = src[:len(dst)]
	for i := narrowVec(dst, src); i < len(src); i++ {
		dst[i] = float32(src[i])
	}
}

// dotAcc sets d[i] += a[i] * b[i].
func dotAcc(d, a, b []float64) {
	a, b = a[:len(d)], b[:len(d)]
	for i := dotAccVec(d, a, b); i < len(d); i++ {
		d[i] += float64(a[i] * b[i]) // the conversion rounds the product: no fused multiply-add
	}
}

// softBack sets g[i] += p[i] * (gp[i] - d[i]).
func softBack(g, p, gp, d []float64) {
	p, gp, d = p[:len(g)], gp[:len(g)], d[:len(g)]
	for i := softBackVec(g, p, gp, d); i < len(g); i++ {
		g[i] += float64(p[i] * (gp[i] - d[i]))
	}
}

// subSub sets dst[i] = x[i] - m[i] - l[i] (the left subtraction first).
func subSub(dst, x, m, l []float64) {
	x, m, l = x[:len(dst)], m[:len(dst)], l[:len(dst)]
	for i := subSubVec(dst, x, m, l); i < len(dst); i++ {
		dst[i] = x[i] - m[i] - l[i]
	}
}

// finite32 reports whether every value of x is finite.
func finite32(x []float32) bool {
	i, ok := finite32Vec(x)
	for ; ok && i < len(x); i++ {
		ok = x[i]-x[i] == 0
	}
	return ok
}
