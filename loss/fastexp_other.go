//go:build !amd64 || purego

package loss

// expShiftAccumVec does nothing without the amd64 assembly: expShiftAccum runs the scalar loop.
func expShiftAccumVec(x, m, p, s []float64) int { return 0 }

// logAtLeast1Vec does nothing without the amd64 assembly: logAtLeast1 runs the scalar loop.
func logAtLeast1Vec(s, ls []float64) int { return 0 }
