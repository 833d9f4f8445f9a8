//go:build amd64 && !purego

package loss

//go:noescape
func logAtLeast1AVX2(s, ls *float64, n int, c *[15][4]uint64, inv, tab *[257]float64) int

// logAtLeast1Vec runs logAtLeast1's vector kernel on the leading groups of four of s and returns how many
// entries it did: it stops at the end of the last whole group or before a group holding an argument outside
// [1, 1e300] (or NaN).
func logAtLeast1Vec(s, ls []float64) int {
	n := len(s) &^ 3
	if !hasAVX2 || n == 0 {
		return 0
	}
	_ = ls[n-1]
	return logAtLeast1AVX2(&s[0], &ls[0], n, &logConsts, &logInv, &logTab)
}
