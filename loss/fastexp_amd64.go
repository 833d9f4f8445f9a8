//go:build amd64 && !purego

package loss

import "golang.org/x/sys/cpu"

// hasAVX2 selects the AVX2 kernels.
var hasAVX2 = cpu.X86.HasAVX2

//go:noescape
func expShiftAccumAVX2(x, m, p, s *float64, n int, c *[11][4]uint64, tab *[32]float64) int

// expShiftAccumVec runs expShiftAccum's vector kernel on the leading groups of four of x and returns how many
// entries it did: it stops at the end of the last whole group or before a group holding an argument below -700.
func expShiftAccumVec(x, m, p, s []float64) int {
	n := len(x) &^ 3
	if !hasAVX2 || n == 0 {
		return 0
	}
	_, _, _ = m[n-1], p[n-1], s[n-1]
	return expShiftAccumAVX2(&x[0], &m[0], &p[0], &s[0], n, &expConsts, &expTable)
}
