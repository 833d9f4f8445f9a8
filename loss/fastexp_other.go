//go:build !amd64 || purego

package loss

// expShiftAccumVec does nothing without the amd64 assembly: expShiftAccum runs the scalar loop.
func expShiftAccumVec(x, m, p, s []float64) int { return 0 }
