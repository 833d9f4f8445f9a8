package loss

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestABLNearDistances checks ablNearDistances against a brute-force search over every ground-truth boundary
// pixel, on images taller than one and two 64-row words, with columns that hold no boundary, ignore pixels and
// images without any boundary.
func TestABLNearDistances(t *testing.T) {
	const ign = 255
	cases := []struct {
		name    string
		h, w    int
		classes int32
		flip    float64 // chance of a random label (makes scattered boundaries)
		ignore  float64
		split   int  // rows below it hold class 1 (with at least two classes)
		across  bool // the split spans the whole width, not only the left half
	}{
		{"one word", 40, 33, 3, 0.01, 0.02, 20, false},
		{"two words", 100, 17, 3, 0.002, 0.01, 50, false},
		{"three words", 150, 12, 2, 0.001, 0, 75, false},
		{"boundary far above", 200, 40, 2, 0, 0, 10, true},
		{"boundary far below", 200, 40, 2, 0, 0, 190, true},
		{"word edges", 192, 8, 2, 0, 0, 63, true},
		{"tall narrow", 200, 3, 4, 0.01, 0.05, 100, false},
		{"single class", 70, 9, 1, 0, 0, 35, false},
		{"single row", 1, 50, 3, 0.2, 0.1, 0, false},
	}
	rng := rand.New(rand.NewPCG(7, 9))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, w := tc.h, tc.w
			lab := make([]int32, h*w)
			for i := range h {
				for j := range w {
					y := int32(0)
					if tc.classes > 1 && i > tc.split && (tc.across || j < w/2) {
						y = 1
					}
					if rng.Float64() < tc.flip {
						y = rng.Int32N(tc.classes)
					}
					if rng.Float64() < tc.ignore {
						y = ign
					}
					lab[i*w+j] = y
				}
			}
			var bnd [][2]int
			for i := range h {
				for j := range w {
					y := lab[i*w+j]
					if y == ign {
						continue
					}
					if (i < h-1 && lab[(i+1)*w+j] != y && lab[(i+1)*w+j] != ign) ||
						(j < w-1 && lab[i*w+j+1] != y && lab[i*w+j+1] != ign) {
						bnd = append(bnd, [2]int{i, j})
					}
				}
			}
			bp := make([]bool, h*w)
			for o := range bp {
				bp[o] = rng.Float64() < 0.1
			}
			cols := make([]uint64, w*((h+63)/64))
			need, tmp := make([]bool, h*w), make([]bool, h*w)
			d := make([]float64, h*w)
			for o := range d {
				d[o] = -7 // entries the function must leave alone
			}
			has := ablNearDistances(lab, ign, h, w, bp, cols, make([]uint64, w), need, tmp, d)
			if has != (len(bnd) > 0) {
				t.Fatalf("has = %v, want %v", has, len(bnd) > 0)
			}
			if !has {
				return
			}
			want := make([]bool, h*w)
			dilate3x3(bp, h, w, want, tmp)
			for i := range h {
				for j := range w {
					o := i*w + j
					if !want[o] {
						if d[o] != -7 {
							t.Fatalf("(%d,%d) written (%v) though not needed", i, j, d[o])
						}
						continue
					}
					best := math.MaxInt
					for _, b := range bnd {
						best = min(best, (b[0]-i)*(b[0]-i)+(b[1]-j)*(b[1]-j))
					}
					exp := 0.0
					if best > 0 {
						exp = math.Floor(math.Sqrt(float64(best))) - 1
					}
					if d[o] != exp {
						t.Fatalf("(%d,%d): distance %v, want %v", i, j, d[o], exp)
					}
				}
			}
		})
	}
}
