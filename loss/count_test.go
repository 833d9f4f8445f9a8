package loss

import (
	"math/rand/v2"
	"testing"
)

// TestCountTrue compares the word-wise count with a plain loop on random maps of every length up to 40 and
// densities from empty to full.
func TestCountTrue(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 1))
	for n := 0; n <= 40; n++ {
		for _, density := range []float64{0, 0.1, 0.5, 1} {
			b := make([]bool, n)
			want := 0
			for i := range b {
				b[i] = rng.Float64() < density
				if b[i] {
					want++
				}
			}
			if got := countTrue(b); got != want {
				t.Errorf("n=%d density %v: countTrue = %d, want %d", n, density, got, want)
			}
		}
	}
}
