//go:build !amd64 || purego

package loss

// maxAccVec does nothing without the amd64 assembly (the callers' scalar loops do everything).
func maxAccVec(m, x []float64) int { return 0 }

// mulToVec does nothing without the amd64 assembly.
func mulToVec(dst, a, b []float64) int { return 0 }

// widenVec does nothing without the amd64 assembly.
func widenVec(dst []float64, src []float32) (int, bool) { return 0, true }

// narrowVec does nothing without the amd64 assembly.
func narrowVec(dst []float32, src []float64) int { return 0 }

// dotAccVec does nothing without the amd64 assembly.
func dotAccVec(d, a, b []float64) int { return 0 }

// softBackVec does nothing without the amd64 assembly.
func softBackVec(g, p, gp, d []float64) int { return 0 }

// rowMax3Vec does nothing without the amd64 assembly.
func rowMax3Vec(row, v []float64, a []int32, base int32) int { return 0 }

// colMax3Vec does nothing without the amd64 assembly.
func colMax3Vec(x, y, z []float64, xa, ya, za []int32, d []float64, da []int32) int { return 0 }

// subSubVec does nothing without the amd64 assembly.
func subSubVec(dst, x, m, l []float64) int { return 0 }

// finite32Vec does nothing without the amd64 assembly.
func finite32Vec(x []float32) (int, bool) { return 0, true }
