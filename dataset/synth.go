package dataset

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

// SynthSize is the size of the training volume of a synthetic survey; the
// test splits are added around it in the proportions of F3 (test1: about
// half as many inlines before it, test2: about 200/701 as many crosslines
// after it, spanning all inlines).
type SynthSize struct {
	NI, NX, NS int
}

// DefaultSynthSize is small enough for `segloss train` to finish in minutes
// on two cores.
var DefaultSynthSize = SynthSize{NI: 80, NX: 96, NS: 96}

// AlaudahSynthSize is the shape of the Alaudah training volume.
var AlaudahSynthSize = SynthSize{NI: 401, NX: 701, NS: 255}

// String returns "IxXxS".
func (s SynthSize) String() string { return fmt.Sprintf("%dx%dx%d", s.NI, s.NX, s.NS) }

// ParseSynthSize accepts "small" (DefaultSynthSize), "alaudah" or
// "IxXxS" (inlines x crosslines x samples of the training volume).
func ParseSynthSize(s string) (SynthSize, error) {
	switch s {
	case "small", "":
		return DefaultSynthSize, nil
	case "alaudah":
		return AlaudahSynthSize, nil
	}
	p := strings.Split(s, "x")
	if len(p) != 3 {
		return SynthSize{}, fmt.Errorf("size %q: want small, alaudah or IxXxS such as 80x96x96", s)
	}
	var v [3]int
	for i, f := range p {
		n, err := strconv.Atoi(f)
		if err != nil || n < 8 || n > 4096 {
			return SynthSize{}, fmt.Errorf("size %q: %q must be a whole number 8..4096", s, f)
		}
		v[i] = n
	}
	if v[2] < 32 {
		return SynthSize{}, fmt.Errorf("size %q: need at least 32 samples for six units", s)
	}
	return SynthSize{v[0], v[1], v[2]}, nil
}

// synthFirst is the survey number of the first training inline and
// crossline, as in the Alaudah release.
const synthFirst = 300

// SynthSplits returns the split geometry of a synthetic survey of the given
// size, in Alaudah numbering (train starts at inline 300, crossline 300).
func SynthSplits(s SynthSize) []SplitSpec {
	n1 := max(1, int(math.Round(float64(s.NI)*200/401)))
	n2 := max(1, int(math.Round(float64(s.NX)*200/701)))
	sp := AlaudahSplits()
	sp[0].Inline0, sp[0].Crossline0, sp[0].NI, sp[0].NX = synthFirst, synthFirst, s.NI, s.NX
	sp[1].Inline0, sp[1].Crossline0, sp[1].NI, sp[1].NX = synthFirst-n1, synthFirst, n1, s.NX
	sp[2].Inline0, sp[2].Crossline0, sp[2].NI, sp[2].NX = synthFirst-n1, synthFirst+s.NX, n1+s.NI, n2
	return sp
}

// synthUnit describes the rock of one facies unit.
type synthUnit struct {
	thick     float64 // mean thickness as a fraction of the samples
	impedance float64 // mean acoustic impedance (relative)
	layerAmp  float64 // amplitude of internal layering
	period    float64 // layer period in samples (at 96 samples)
	dip       float64 // internal layer dip (clinoforms), samples per trace
	chaos     float64 // amplitude of incoherent impedance noise
}

// synthUnits are the six F3 units, top to bottom, with thicknesses chosen
// for an F3-like imbalance (two thin minority units at the base).
var synthUnits = [NumClasses]synthUnit{
	{0.245, 1.00, 0.09, 3.0, 0, 0.005},  // Upper North Sea: continuous parallel layers
	{0.12, 1.12, 0.03, 6.0, 0, 0.01},    // Middle North Sea: weak, wide layers
	{0.485, 1.06, 0.07, 4.0, 0.1, 0.01}, // Lower North Sea: dipping clinoforms
	{0.08, 1.30, 0.01, 8.0, 0, 0.005},   // Rijnland/Chalk: hard, transparent
	{0.05, 1.18, 0.12, 2.0, 0, 0.01},    // Scruff: bright thin layering
	{0.02, 1.45, 0.0, 1.0, 0, 0.05},     // Zechstein: salt, chaotic
}

// wave is one term of a smooth random lateral field.
type wave struct{ amp, fa, fb, phase float64 }

func randomField(rng *rand.Rand, n int, amp, minWL, maxWL float64) []wave {
	w := make([]wave, n)
	for i := range w {
		wl := minWL + rng.Float64()*(maxWL-minWL)
		th := rng.Float64() * 2 * math.Pi
		w[i] = wave{amp / math.Sqrt(float64(n)) * (0.5 + rng.Float64()), math.Cos(th) / wl, math.Sin(th) / wl, rng.Float64() * 2 * math.Pi}
	}
	return w
}

func evalField(w []wave, a, b float64) float64 {
	var s float64
	for _, t := range w {
		s += t.amp * math.Sin(2*math.Pi*(t.fa*a+t.fb*b)+t.phase)
	}
	return s
}

// synthFault is a planar normal fault: voxels with positive signed distance
// (the hanging wall) are shifted down by throw samples.
type synthFault struct {
	a0, b0, ca, cb, dip, throw float64
}

// synthModel holds the random parameters of one earth model.
type synthModel struct {
	size              SynthSize
	nia, nxa          int // full survey inlines and crosslines
	seed              uint64
	fold              []wave
	domes             [][3]float64 // centre a, centre b, radius (traces)
	domeAmp           float64
	thick             [NumClasses][]wave
	phase             [NumClasses][]wave
	layers            [NumClasses][]float64 // random impedance sequence per unit
	faults            []synthFault
	wavelet           []float64
	noiseStd, scaleNS float64
}

func newSynthModel(size SynthSize, seed uint64) *synthModel {
	sp := SynthSplits(size)
	m := &synthModel{size: size, seed: seed, nia: sp[2].NI, nxa: size.NX + sp[2].NX}
	rng := rand.New(rand.NewPCG(seed, 0x5e15))
	L := float64(max(m.nia, m.nxa))
	ns := float64(size.NS)
	m.scaleNS = ns / 96
	m.fold = randomField(rng, 4, 0.05*ns, 0.6*L, 1.6*L)
	for range 1 + rng.IntN(2) {
		m.domes = append(m.domes, [3]float64{rng.Float64() * float64(m.nia), rng.Float64() * float64(m.nxa), (0.1 + 0.1*rng.Float64()) * L})
	}
	m.domeAmp = 0.03 * ns
	for u := range NumClasses {
		m.thick[u] = randomField(rng, 3, 0.25, 0.4*L, 1.2*L)
		m.phase[u] = randomField(rng, 3, 1.5*m.scaleNS, 0.3*L, 1.0*L)
		seq := make([]float64, 512)
		for i := range seq {
			seq[i] = rng.NormFloat64()
		}
		m.layers[u] = seq
	}
	for f := range 3 {
		th := rng.Float64() * 2 * math.Pi
		m.faults = append(m.faults, synthFault{
			a0: (0.2 + 0.6*rng.Float64()) * float64(m.nia), b0: (0.2 + 0.6*rng.Float64()) * float64(m.nxa),
			ca: math.Cos(th), cb: math.Sin(th),
			dip:   (0.05 + 0.15*rng.Float64()) * L / ns, // lateral shift per sample
			throw: (2 + 2*rng.Float64() + float64(f)) * m.scaleNS,
		})
	}
	// Ricker wavelet, 30 Hz peak at 4 ms.
	const f0, dt = 30.0, 0.004
	for k := -12; k <= 12; k++ {
		t := float64(k) * dt
		x := math.Pi * math.Pi * f0 * f0 * t * t
		m.wavelet = append(m.wavelet, (1-2*x)*math.Exp(-x))
	}
	m.noiseStd = 0.004
	return m
}

// horizons returns the depth (in samples) of the top of units 1..5 at
// survey trace (a, b); horizon 0 is the top of unit 1.
func (m *synthModel) horizons(a, b float64) [NumClasses - 1]float64 {
	ns := float64(m.size.NS)
	fold := evalField(m.fold, a, b)
	var dome float64
	for _, d := range m.domes {
		r2 := ((a-d[0])*(a-d[0]) + (b-d[1])*(b-d[1])) / (d[2] * d[2])
		dome += m.domeAmp * math.Exp(-r2)
	}
	var h [NumClasses - 1]float64
	depth := 0.0
	for u := 0; u < NumClasses-1; u++ {
		t := synthUnits[u].thick * ns * (1 + evalField(m.thick[u], a, b))
		depth += max(t, 1.5)
		w := float64(u+1) / float64(NumClasses-1)
		h[u] = depth + fold*(0.4+0.6*w) - dome*w*w
	}
	// Keep the units in order, at least 1 sample thick, and leave the salt
	// at least 1.5 samples at the base.
	h[NumClasses-2] = min(h[NumClasses-2], ns-1.5)
	for u := NumClasses - 3; u >= 0; u-- {
		h[u] = min(h[u], h[u+1]-1)
	}
	h[0] = max(h[0], 2)
	for u := 1; u < NumClasses-1; u++ {
		h[u] = max(h[u], h[u-1]+1)
	}
	return h
}

// trace computes the labels and the impedance of one trace.
func (m *synthModel) trace(a, b int, lab []uint8, imp []float64, rng *rand.Rand) {
	fa, fb := float64(a), float64(b)
	h := m.horizons(fa, fb)
	var phase [NumClasses]float64
	for u := range NumClasses {
		phase[u] = evalField(m.phase[u], fa, fb)
	}
	for k := range lab {
		z := float64(k)
		for _, f := range m.faults {
			d := (fa-f.a0)*f.ca + (fb-f.b0)*f.cb - z*f.dip
			if d > 0 {
				z -= f.throw
			}
		}
		u := 0
		for u < NumClasses-1 && z >= h[u] {
			u++
		}
		lab[k] = uint8(u)
		top := 0.0
		if u > 0 {
			top = h[u-1]
		}
		su := synthUnits[u]
		rel := (z-top)/m.scaleNS + phase[u] + su.dip*(fa+fb)
		x := rel/su.period + 256
		i0 := int(math.Floor(x))
		fr := x - float64(i0)
		seq := m.layers[u]
		i0 = ((i0 % len(seq)) + len(seq)) % len(seq)
		l := seq[i0]*(1-fr) + seq[(i0+1)%len(seq)]*fr
		imp[k] = su.impedance + su.layerAmp*l + su.chaos*rng.NormFloat64()
	}
}

// SynthSurvey builds the whole synthetic survey (all splits, seismic scaled
// to [-1, 1], labels 0..5) as one volume in Alaudah numbering: inlines from
// 300-n1, crosslines from 300. progress, when not nil, is called with the
// inlines done so far and the total.
func SynthSurvey(size SynthSize, seed uint64, progress func(done, total int)) *Volume {
	m := newSynthModel(size, seed)
	sp := SynthSplits(size)
	v := NewVolume("synthetic", m.nia, m.nxa, size.NS, sp[2].Inline0, synthFirst, true)
	v.T0, v.DT = 0, 4
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	rows := make(chan int)
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ns := size.NS
			imp := make([]float64, ns)
			refl := make([]float64, ns)
			for a := range rows {
				for b := 0; b < m.nxa; b++ {
					rng := rand.New(rand.NewPCG(seed, uint64(a*m.nxa+b)+1))
					o := v.Index(a, b, 0)
					m.trace(a, b, v.Labels[o:o+ns], imp, rng)
					for k := 0; k < ns-1; k++ {
						refl[k] = (imp[k+1] - imp[k]) / (imp[k+1] + imp[k])
					}
					refl[ns-1] = 0
					for k := range refl {
						refl[k] += m.noiseStd * rng.NormFloat64()
					}
					half := len(m.wavelet) / 2
					for k := 0; k < ns; k++ {
						var s float64
						for t, w := range m.wavelet {
							if j := k + t - half; j >= 0 && j < ns {
								s += w * refl[j]
							}
						}
						v.Seismic[o+k] = float32(s)
					}
				}
				if progress != nil {
					mu.Lock()
					done++
					progress(done, m.nia)
					mu.Unlock()
				}
			}
		}()
	}
	for a := 0; a < m.nia; a++ {
		rows <- a
	}
	close(rows)
	wg.Wait()
	var peak float32
	for _, x := range v.Seismic {
		peak = max(peak, x, -x)
	}
	if peak > 0 {
		for i := range v.Seismic {
			v.Seismic[i] = max(-1, min(1, v.Seismic[i]/peak))
		}
	}
	return v
}
