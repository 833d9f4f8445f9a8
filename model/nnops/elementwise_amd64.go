//go:build amd64 && !purego

package nnops

//go:noescape
func reluMaskAVX(y, dy, out *float32, n int)

//go:noescape
func biasActAVX(src, dst *float32, n int, b float32, relu bool)

//go:noescape
func sumAVX(x *float32, n int) float32

// reluMaskVec masks the leading multiple of 8 of y and returns its length.
func reluMaskVec(y, dy, out []float32) int {
	n := len(y) &^ 7
	if !hasTranspose8 || n == 0 {
		return 0
	}
	_, _ = dy[n-1], out[n-1]
	reluMaskAVX(&y[0], &dy[0], &out[0], n)
	return n
}

// biasActVec does the leading multiple of 8 of src and returns its length.
func biasActVec(src []float32, b float32, dst []float32, relu bool) int {
	n := len(src) &^ 7
	if !hasTranspose8 || n == 0 {
		return 0
	}
	_ = dst[n-1]
	biasActAVX(&src[0], &dst[0], n, b, relu)
	return n
}

// sumVec sums the leading multiple of 32 of x and returns the sum and its length.
func sumVec(x []float32) (float32, int) {
	n := len(x) &^ 31
	if !hasTranspose8 || n == 0 {
		return 0, 0
	}
	return sumAVX(&x[0], n), n
}
