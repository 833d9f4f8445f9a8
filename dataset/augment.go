package dataset

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Augment configures the random training-time transforms of a patch. The
// zero value does nothing (use it for validation and test).
type Augment struct {
	// FlipProb is the probability of a left-right flip.
	FlipProb float64 `json:"flip_prob"`
	// MaxRotation is the largest rotation in degrees (uniform in +/-).
	MaxRotation float64 `json:"max_rotation"`
	// NoiseStd is the standard deviation of added Gaussian noise.
	NoiseStd float64 `json:"noise_std"`
	// ScaleMin and ScaleMax bound a uniform amplitude factor (both 0: off).
	ScaleMin float64 `json:"scale_min"`
	ScaleMax float64 `json:"scale_max"`
}

// DefaultAugment is a mild setting close to the benchmark's (flip, small
// rotation, noise 0.02 in normalised units, +/-10 % amplitude).
func DefaultAugment() Augment {
	return Augment{FlipProb: 0.5, MaxRotation: 5, NoiseStd: 0.02, ScaleMin: 0.9, ScaleMax: 1.1}
}

// Validate checks the ranges.
func (a Augment) Validate() error {
	switch {
	case a.FlipProb < 0 || a.FlipProb > 1:
		return fmt.Errorf("augment flip probability %g: want 0..1", a.FlipProb)
	case a.MaxRotation < 0 || a.MaxRotation > 45:
		return fmt.Errorf("augment rotation %g degrees: want 0..45", a.MaxRotation)
	case a.NoiseStd < 0:
		return fmt.Errorf("augment noise %g: want >= 0", a.NoiseStd)
	case a.ScaleMin < 0 || a.ScaleMax < a.ScaleMin:
		return fmt.Errorf("augment scale [%g, %g]: want 0 <= min <= max", a.ScaleMin, a.ScaleMax)
	}
	return nil
}

// Apply transforms one h x w patch in place (x seismic, y labels, y may be
// nil) using rng. Rotation resamples seismic bilinearly and labels by
// nearest neighbour; pixels rotated in from outside become 0 / Ignore.
func (a Augment) Apply(rng *rand.Rand, x []float32, y []int32, h, w int) {
	if a.FlipProb > 0 && rng.Float64() < a.FlipProb {
		for r := 0; r < h; r++ {
			for c := 0; c < w/2; c++ {
				p, q := r*w+c, r*w+w-1-c
				x[p], x[q] = x[q], x[p]
				if y != nil {
					y[p], y[q] = y[q], y[p]
				}
			}
		}
	}
	if a.MaxRotation > 0 {
		if ang := (rng.Float64()*2 - 1) * a.MaxRotation; math.Abs(ang) > 1e-3 {
			rotate(x, y, h, w, ang*math.Pi/180)
		}
	}
	scale := float32(1)
	if a.ScaleMax > 0 {
		scale = float32(a.ScaleMin + rng.Float64()*(a.ScaleMax-a.ScaleMin))
	}
	ns := a.NoiseStd
	for i := range x {
		v := x[i] * scale
		if ns > 0 {
			v += float32(rng.NormFloat64() * ns)
		}
		x[i] = v
	}
}

// rotate turns the patch by ang radians about its centre.
func rotate(x []float32, y []int32, h, w int, ang float64) {
	src := append([]float32(nil), x...)
	var lsrc []int32
	if y != nil {
		lsrc = append([]int32(nil), y...)
	}
	cs, sn := math.Cos(ang), math.Sin(ang)
	cy, cx := float64(h-1)/2, float64(w-1)/2
	for r := 0; r < h; r++ {
		for c := 0; c < w; c++ {
			dy, dx := float64(r)-cy, float64(c)-cx
			sy, sx := cs*dy-sn*dx+cy, sn*dy+cs*dx+cx
			o := r*w + c
			if sy < -0.5 || sx < -0.5 || sy > float64(h)-0.5 || sx > float64(w)-0.5 {
				x[o] = 0
				if y != nil {
					y[o] = int32(Ignore)
				}
				continue
			}
			if y != nil {
				ny := min(h-1, max(0, int(math.Round(sy))))
				nx := min(w-1, max(0, int(math.Round(sx))))
				y[o] = lsrc[ny*w+nx]
			}
			sy = min(float64(h-1), max(0, sy))
			sx = min(float64(w-1), max(0, sx))
			y0, x0 := int(sy), int(sx)
			y1, x1 := min(y0+1, h-1), min(x0+1, w-1)
			fy, fx := float32(sy-float64(y0)), float32(sx-float64(x0))
			top := src[y0*w+x0]*(1-fx) + src[y0*w+x1]*fx
			bot := src[y1*w+x0]*(1-fx) + src[y1*w+x1]*fx
			x[o] = top*(1-fy) + bot*fy
		}
	}
}
