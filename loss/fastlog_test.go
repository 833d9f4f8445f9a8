package loss

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestLogAtLeast1 compares the fast logarithm with math.Log on a dense grid of [1, 64], near 1, at powers of
// two and the bin edges, and on the arguments it hands to math.Log.
func TestLogAtLeast1(t *testing.T) {
	var xs []float64
	for x := 1.0; x <= 64; x += 1.0 / 4099 {
		xs = append(xs, x)
	}
	for e := -52; e <= 0; e++ {
		xs = append(xs, 1+math.Ldexp(1, e), 1+3*math.Ldexp(1, e))
	}
	for e := 0; e < 1000; e += 7 {
		xs = append(xs, math.Ldexp(1, e), math.Nextafter(math.Ldexp(1, e), 0))
	}
	for j := range 257 {
		c := 1 + float64(j)/256
		xs = append(xs, c+1.0/512, math.Nextafter(c+1.0/512, 0), math.Nextafter(c-1.0/512, 3))
	}
	worst := 0.0
	got := make([]float64, len(xs))
	logAtLeast1(xs, got)
	for i, x := range xs {
		want := math.Log(x)
		e := math.Abs(got[i] - want)
		if want != 0 {
			e /= want
		}
		worst = max(worst, e)
	}
	if worst > 1e-15 {
		t.Errorf("largest relative error %g, want below 1e-15", worst)
	}
	for _, x := range []float64{0.5, 0, -1, 2e300, math.Inf(1), math.NaN(), 1e-310} {
		got := make([]float64, 5)
		logAtLeast1([]float64{2, 3, 4, x, 5}, got)
		want := math.Log(x)
		if math.Float64bits(got[3]) != math.Float64bits(want) && !(math.IsNaN(want) && math.IsNaN(got[3])) {
			t.Errorf("log(%v) = %v, want math.Log's %v", x, got[3], want)
		}
	}
}

// TestLogAtLeast1Kernel requires logAtLeast1 (vector kernel where the CPU has one) to give the bits of the
// scalar loop on random arguments of every length up to 40, some groups holding arguments it defers.
func TestLogAtLeast1Kernel(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 4))
	for n := 0; n <= 40; n++ {
		for rep := range 20 {
			s := make([]float64, n)
			for i := range s {
				s[i] = 1 + rng.ExpFloat64()*float64(rep+1)
				if rng.IntN(10) == 0 {
					s[i] = 1 + rng.Float64()*1e-9
				}
				if rep%4 == 1 && rng.IntN(8) == 0 {
					s[i] = rng.Float64()
				}
			}
			l1, l2 := make([]float64, n), make([]float64, n)
			logAtLeast1(s, l1)
			logAtLeast1Go(s, l2)
			for i := range s {
				if math.Float64bits(l1[i]) != math.Float64bits(l2[i]) {
					t.Fatalf("n=%d entry %d (s = %v): %v, scalar loop %v", n, i, s[i], l1[i], l2[i])
				}
			}
		}
	}
}
