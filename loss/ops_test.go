package loss

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func randomMask(rng *rand.Rand, h, w int, p float64) []bool {
	m := make([]bool, h*w)
	for i := range m {
		m[i] = rng.Float64() < p
	}
	return m
}

func TestCityBlockMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, c := range []struct {
		h, w  int
		p     float64
		limit int32
	}{{1, 1, 0.5, 100}, {1, 9, 0.2, 100}, {7, 1, 0.2, 100}, {13, 17, 0.05, 1000}, {20, 20, 0.01, 7}, {5, 6, 0, 12}} {
		for range 5 {
			f := randomMask(rng, c.h, c.w, c.p)
			got := make([]int32, c.h*c.w)
			CityBlock(f, c.h, c.w, c.limit, got)
			for i := range c.h {
				for j := range c.w {
					want := c.limit
					for ii := range c.h {
						for jj := range c.w {
							if f[ii*c.w+jj] {
								d := int32(abs(i-ii) + abs(j-jj))
								want = min(want, d)
							}
						}
					}
					if got[i*c.w+j] != want {
						t.Fatalf("%dx%d: (%d,%d) = %d, want %d", c.h, c.w, i, j, got[i*c.w+j], want)
					}
				}
			}
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func TestEuclideanSqMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, c := range []struct {
		h, w int
		p    float64
	}{{1, 1, 1}, {1, 12, 0.2}, {9, 1, 0.2}, {16, 23, 0.03}, {31, 7, 0.3}, {40, 40, 0.002}} {
		for range 5 {
			f := randomMask(rng, c.h, c.w, c.p)
			f[rng.IntN(len(f))] = true
			got := make([]int64, c.h*c.w)
			if !EuclideanSq(f, c.h, c.w, got) {
				t.Fatal("feature pixel not found")
			}
			for i := range c.h {
				for j := range c.w {
					want := int64(math.MaxInt64)
					for ii := range c.h {
						for jj := range c.w {
							if f[ii*c.w+jj] {
								want = min(want, int64((i-ii)*(i-ii)+(j-jj)*(j-jj)))
							}
						}
					}
					if got[i*c.w+j] != want {
						t.Fatalf("%dx%d: (%d,%d) = %d, want %d", c.h, c.w, i, j, got[i*c.w+j], want)
					}
				}
			}
		}
	}
	got := make([]int64, 6)
	if EuclideanSq(make([]bool, 6), 2, 3, got) || got[0] != -1 {
		t.Errorf("no feature: got %v", got)
	}
}

func TestContour(t *testing.T) {
	b := func(s string) []bool {
		out := make([]bool, len(s))
		for i := range s {
			out[i] = s[i] == '1'
		}
		return out
	}
	// 3x4 mask 0011/0110/0000: a pixel is on the contour when its lower or left neighbour differs.
	mask := b("001101100000")
	got := make([]bool, 12)
	Contour(mask, nil, 3, 4, got)
	for _, c := range []struct {
		valid []bool
		want  string
	}{{nil, "011101110000"}, {b("110111111111"), "010101110000"}} {
		Contour(mask, c.valid, 3, 4, got)
		if want := b(c.want); !slices.Equal(got, want) {
			t.Errorf("valid %v: contour %v, want %v", c.valid, got, want)
		}
	}
}

func TestWindowMaxMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	cases := [][3]int{{1, 1, 3}, {5, 7, 1}, {6, 9, 3}, {3, 5, 3}, {40, 2, 3}, {2, 6, 3}, {12, 5, 5}, {9, 9, 7},
		{1, 20, 7}, {20, 1, 9}, {17, 23, 9}, {30, 31, 11}, {8, 40, 15}, {13, 13, 31}}
	for _, c := range cases {
		h, w, size := c[0], c[1], c[2]
		src := make([]float64, h*w)
		for i := range src {
			src[i] = float64(rng.IntN(4)) // many ties
		}
		dst, arg := make([]float64, h*w), make([]int32, h*w)
		WindowMax(src, h, w, size, dst, arg)
		r := (size - 1) / 2
		for i := range h {
			for j := range w {
				best, ba := math.Inf(-1), -1
				for ii := max(i-r, 0); ii <= min(i+r, h-1); ii++ {
					for jj := max(j-r, 0); jj <= min(j+r, w-1); jj++ {
						if src[ii*w+jj] > best {
							best, ba = src[ii*w+jj], ii*w+jj
						}
					}
				}
				if dst[i*w+j] != best || int(arg[i*w+j]) != ba {
					t.Fatalf("%v (%d,%d): %v@%d, want %v@%d", c, i, j, dst[i*w+j], arg[i*w+j], best, ba)
				}
			}
		}
	}
}

// TestDilateMatchesNaive compares the running-count dilation with a direct window scan, in place and not.
func TestDilateMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	// Widths that are multiples of 8 with windows up to 15 take the 64-bit word path; the others running counts.
	cases := [][3]int{{1, 1, 1}, {1, 9, 3}, {9, 1, 5}, {6, 9, 3}, {12, 5, 5}, {17, 23, 9}, {10, 10, 25},
		{3, 8, 1}, {5, 8, 3}, {7, 16, 5}, {12, 24, 9}, {9, 32, 15}, {10, 16, 17}, {4, 64, 7}}
	for _, c := range cases {
		h, w, size := c[0], c[1], c[2]
		for _, inPlace := range []bool{false, true} {
			src := make([]uint8, h*w)
			for i := range src {
				if rng.IntN(9) == 0 {
					src[i] = 1
				}
			}
			want := make([]uint8, h*w)
			r := (size - 1) / 2
			for i := range h {
				for j := range w {
					for ii := max(i-r, 0); ii <= min(i+r, h-1); ii++ {
						for jj := max(j-r, 0); jj <= min(j+r, w-1); jj++ {
							if src[ii*w+jj] != 0 {
								want[i*w+j] = 1
							}
						}
					}
				}
			}
			dst := make([]uint8, h*w)
			if inPlace {
				dst = src
			}
			Dilate(src, h, w, size, dst)
			for i := range want {
				if dst[i] != want[i] {
					t.Fatalf("%v in place %v: pixel %d is %d, want %d", c, inPlace, i, dst[i], want[i])
				}
			}
		}
	}
}

func TestDilate3x3(t *testing.T) {
	src := make([]bool, 20)
	src[0], src[13] = true, true // (0,0) and (2,3) in 4x5
	dst := make([]bool, 20)
	Dilate3x3(src, 4, 5, dst)
	on := 0
	for i := range 4 {
		for j := range 5 {
			want := (i <= 1 && j <= 1) || (abs(i-2) <= 1 && abs(j-3) <= 1)
			if dst[i*5+j] != want {
				t.Errorf("(%d,%d) = %v, want %v", i, j, dst[i*5+j], want)
			}
			if dst[i*5+j] {
				on++
			}
		}
	}
	if on != 4+9 {
		t.Errorf("%d pixels set, want 13", on)
	}
}

// TestDilate3x3MatchesNaive compares Dilate3x3 with a direct scan on random masks, thin shapes included.
func TestDilate3x3MatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 2))
	for _, c := range [][2]int{{1, 1}, {1, 7}, {7, 1}, {2, 2}, {5, 9}, {16, 13}, {1, 8}, {2, 16}, {9, 24}, {13, 64}} {
		h, w := c[0], c[1]
		src := randomMask(rng, h, w, 0.15)
		dst := make([]bool, h*w)
		Dilate3x3(src, h, w, dst)
		for i := range h {
			for j := range w {
				want := false
				for ii := max(i-1, 0); ii <= min(i+1, h-1); ii++ {
					for jj := max(j-1, 0); jj <= min(j+1, w-1); jj++ {
						want = want || src[ii*w+jj]
					}
				}
				if dst[i*w+j] != want {
					t.Fatalf("%dx%d (%d,%d) = %v, want %v", h, w, i, j, dst[i*w+j], want)
				}
			}
		}
	}
}

// TestKLMapMatchesPerPixel compares KLMap bit for bit with the per-pixel formula (class sums in order) on
// random softmax outputs.
func TestKLMapMatchesPerPixel(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 1))
	for _, sh := range []Shape{{1, 3, 1, 1}, {1, 2, 1, 6}, {1, 4, 6, 1}, {1, 5, 9, 11}} {
		x, _ := randomCase(rng, sh, false, 1, 1)
		ws := NewWorkspace()
		p, lp, _, _ := ws.forward(x, sh, nil, nil, false, true)
		c, h, w, hw := sh.C, sh.H, sh.W, sh.H*sh.W
		got := make([]float64, hw)
		KLMap(p, lp, c, h, w, got)
		for i := range h {
			for j := range w {
				o := i*w + j
				var lr, ud float64
				if j < w-1 {
					for k := range c {
						lr += float64(p[k*hw+o] * (lp[k*hw+o] - lp[k*hw+o+1])) // rounded: no fused multiply-add
					}
				}
				if i < h-1 {
					for k := range c {
						ud += float64(p[k*hw+o] * (lp[k*hw+o] - lp[k*hw+o+w]))
					}
				}
				if want := lr + ud; math.Float64bits(got[o]) != math.Float64bits(want) {
					t.Fatalf("%+v (%d,%d): %v, want %v", sh, i, j, got[o], want)
				}
			}
		}
	}
}

func TestKLMap(t *testing.T) {
	// 2 classes, 2x2 image: probabilities chosen by hand.
	p := []float64{0.5, 0.9, 0.2, 0.5, 0.5, 0.1, 0.8, 0.5}
	lp := make([]float64, len(p))
	for i, v := range p {
		lp[i] = math.Log(v)
	}
	kl := func(u0, v0 float64) float64 {
		u1, v1 := 1-u0, 1-v0
		return u0*math.Log(u0/v0) + u1*math.Log(u1/v1)
	}
	want := []float64{kl(0.5, 0.9) + kl(0.5, 0.2), kl(0.9, 0.5), kl(0.2, 0.5), 0}
	got := make([]float64, 4)
	KLMap(p, lp, 2, 2, 2, got)
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-15 {
			t.Errorf("KL[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestThresholdMatchesLoop(t *testing.T) {
	// Exactly m = floor(maxN)+1 scores just above the ladder value t30 = 1e-5*1.2^30, the others just below,
	// all in one binade: t30 keeps too many, so the threshold is the next rung.
	t30 := 1e-5
	for range 30 {
		t30 *= 1.2
	}
	tied := make([]float64, 2000)
	for i := range tied {
		tied[i] = 0.9 * t30
		if i%10 == 0 {
			tied[i] = 1.01 * t30
		}
	}
	if got := nextThreshold(tied, 199.5, make([]float64, len(tied))); got != t30*1.2 {
		t.Errorf("200 scores above t30 = %v with maxN 199.5: threshold %v, want %v", t30, got, t30*1.2)
	}
	rng := rand.New(rand.NewPCG(4, 4))
	for _, tc := range []struct {
		n    int
		maxN float64
	}{{500, 0.25}, {500, 2.56}, {500, 5}, {500, 40.96}, {500, 1000}, {5000, 1}, {5000, 50}, {5000, 1300},
		{5000, 4999}, {16384, 163.84}, {16384, 20}} {
		maxN := tc.maxN
		s := make([]float64, tc.n)
		for i := range s {
			s[i] = math.Exp(rng.NormFloat64() * 3)
			if i%7 == 0 {
				s[i] = -s[i] * 1e-12 // KL scores a rounding below zero
			}
			if i%11 == 0 { // scores equal to a threshold of the x1.2 ladder
				s[i] = 1e-5
				for range i % 60 {
					s[i] *= 1.2
				}
			}
		}
		want := 1e-5
		for {
			cnt := 0
			for _, v := range s {
				if v > want {
					cnt++
				}
			}
			if float64(cnt) <= maxN {
				break
			}
			want *= 1.2
		}
		kept := append([]float64(nil), s...)
		if got := nextThreshold(s, maxN, make([]float64, len(s))); got != want {
			t.Errorf("%d scores, maxN %v: threshold %v, want %v", tc.n, maxN, got, want)
		}
		for i := range s {
			if s[i] != kept[i] {
				t.Fatalf("%d scores, maxN %v: score %d changed", tc.n, maxN, i)
			}
		}
		mask := make([]bool, len(s))
		for i := range mask {
			mask[i] = i%3 == 0 // stale entries thresholdMask must overwrite
		}
		if got := thresholdMask(s, maxN, make([]float64, len(s)), make([]int32, len(s)), mask); got != want {
			t.Errorf("%d scores, maxN %v: thresholdMask's threshold %v, want %v", tc.n, maxN, got, want)
		}
		for i, v := range s {
			if mask[i] != (v > want) {
				t.Fatalf("%d scores, maxN %v: mask[%d] = %v for score %v, threshold %v", tc.n, maxN, i,
					mask[i], v, want)
			}
		}
	}
}

func TestTorchSum32(t *testing.T) {
	// Distances and the float32 weight sums PyTorch recorded in reference vectors abl_01, abl_07 and abl_10;
	// the first two differ from a sequential float32 sum in the last bit.
	for _, c := range []struct {
		d    []float32
		clip float32
		want float64
	}{
		{[]float32{4, 3, 2, 3, 3, 2, 2, 2, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0}, 20, 1.1500000953674316},
		{[]float32{5, 6, 7, 2, 2, 3, 5, 6, 7, 2, 3, 4, 5, 6, 7, 3, 4, 4, 6, 6, 7, 5, 5, 5, 6, 7, 8, 6, 6, 6, 7, 8, 8,
			9, 10, 11, 7, 7, 7, 10, 11, 11, 10, 11, 11, 12, 10, 11, 11, 12, 11, 12, 12, 13}, 20, 19.799999237060547},
		{[]float32{0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 3, 3, 4, 4, 4, 5, 5, 5}, 5, 7.200000286102295},
	} {
		x := make([]float32, len(c.d))
		for i, d := range c.d {
			x[i] = min(d, c.clip) / c.clip
		}
		if got := float64(torchSum32(x)); got != c.want {
			t.Errorf("sum of %d weights = %.17g, want %.17g", len(x), got, c.want)
		}
	}
	for _, n := range []int{0, 1, 5, 8, 33, 200, 5000} {
		y := make([]float32, n)
		for i := range y {
			y[i] = 1
		}
		if got := torchSum32(y); got != float32(n) {
			t.Errorf("sum of %d ones = %v", n, got)
		}
	}
}

// TestExpNonPos compares the fast exponential with math.Exp on a dense grid and at the edges of its range.
func TestExpNonPos(t *testing.T) {
	worst := 0.0
	check := func(x float64) {
		got, want := expNonPos(x), math.Exp(x)
		if want == 0 {
			if got != 0 {
				t.Fatalf("exp(%v) = %v, want 0", x, got)
			}
			return
		}
		if e := math.Abs(got-want) / want; e > worst {
			worst = e
		}
	}
	for i := 0; i <= 2_000_000; i++ {
		check(-745 * float64(i) / 2_000_000)
	}
	for _, x := range []float64{0, -0.0, -1e-300, -1e-17, -0.5 * math.Ln2 / 32, -math.Ln2, -699.9999, -700, -700.0001,
		-745.1, -1000, math.Inf(-1)} {
		check(x)
	}
	if worst > 1e-14 {
		t.Errorf("largest relative error %g, want at most 1e-14", worst)
	}
	// The loop form used by the softmax gives the same bits.
	xs := []float64{0, -1e-300, -0.3, -5, -699.9, -700.5, -800, -3, 2}
	ms := []float64{0, 0, 0, 1, 0, 0, 0, -1, 2}
	ps, ss := make([]float64, len(xs)), make([]float64, len(xs))
	ss[0] = 1
	expShiftAccum(xs, ms, ps, ss)
	for i, x := range xs {
		want, sum := expNonPos(x-ms[i]), expNonPos(x-ms[i])
		if i == 0 {
			sum += 1
		}
		if ps[i] != want || ss[i] != sum {
			t.Errorf("expShiftAccum(%v - %v) = %v (sum %v), want %v (sum %v)", x, ms[i], ps[i], ss[i], want, sum)
		}
	}
}

// TestExpShiftAccumKernel requires expShiftAccum (vector kernel where the CPU has one) to give the bits of the
// scalar loop on random arguments of every length up to 40, some groups holding arguments below -700.
func TestExpShiftAccumKernel(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	for n := 0; n <= 40; n++ {
		for rep := range 20 {
			x, m, s := make([]float64, n), make([]float64, n), make([]float64, n)
			for i := range x {
				m[i] = rng.NormFloat64() * 3
				x[i] = m[i] - rng.ExpFloat64()*5
				if rep%4 == 1 && rng.IntN(8) == 0 {
					x[i] = m[i] - 700 - rng.Float64()*100
				}
				if rng.IntN(10) == 0 {
					x[i] = m[i]
				}
				s[i] = rng.Float64()
			}
			p1, p2 := make([]float64, n), make([]float64, n)
			s1, s2 := append([]float64(nil), s...), append([]float64(nil), s...)
			expShiftAccum(x, m, p1, s1)
			expShiftAccumGo(x, m, p2, s2)
			for i := range x {
				if math.Float64bits(p1[i]) != math.Float64bits(p2[i]) || math.Float64bits(s1[i]) != math.Float64bits(s2[i]) {
					t.Fatalf("n=%d entry %d (x-m = %v): p %v sum %v, scalar loop p %v sum %v", n, i, x[i]-m[i],
						p1[i], s1[i], p2[i], s2[i])
				}
			}
		}
	}
}
