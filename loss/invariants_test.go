package loss

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// perfect returns logits whose argmax is the label (ignore pixels get class 0) with a margin of scale.
func perfect(labels []int32, sh Shape, scale float64) []float64 {
	hw := sh.H * sh.W
	x := make([]float64, sh.Len())
	for n := range sh.N {
		for ij := range hw {
			if y := labels[n*hw+ij]; y >= 0 && int(y) < sh.C {
				x[(n*sh.C+int(y))*hw+ij] = scale
			}
		}
	}
	return x
}

func TestPerfectPredictionMinimisesBoundaryTerms(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sh := Shape{2, 4, 24, 24}
	_, labels := randomCase(rng, sh, false, 0, 0)
	x := perfect(labels, sh, 30)
	noisy, _ := randomCase(rng, sh, false, 0, 1)
	for _, mode := range []Mode{Default, Compat} {
		d := mustRun(t, Spec{Name: "dtl", Mode: mode, Dilate: Int(0)}, x, labels, sh, nil, true)
		if d.Maps.Border != 0 || d.Maps.DTL.NonZero != 0 {
			t.Errorf("%s dtl: perfect prediction leaves border %v (%d entries)", mode, d.Maps.Border, d.Maps.DTL.NonZero)
		}
		a := mustRun(t, Spec{Name: "abl", Mode: mode, MaxRatio: 0.2}, x, labels, sh, nil, true)
		if a.Maps.Border != 0 || a.Maps.ABL.PredBoundaryCount == 0 {
			t.Errorf("%s abl: perfect prediction gives border %v over %d boundary pixels", mode, a.Maps.Border,
				a.Maps.ABL.PredBoundaryCount)
		}
		b := mustRun(t, Spec{Name: "boundary", Mode: mode}, x, labels, sh, nil, true)
		bn := mustRun(t, Spec{Name: "boundary", Mode: mode}, noisy, labels, sh, nil, true)
		if !(b.Maps.Border < bn.Maps.Border) {
			t.Errorf("%s boundary: perfect %v not below noisy %v", mode, b.Maps.Border, bn.Maps.Border)
		}
		for i, f := range b.Maps.BSL.BF1 {
			present := false
			for _, v := range b.Maps.BSL.GTBoundary[i*sh.H*sh.W : (i+1)*sh.H*sh.W] {
				present = present || v != 0
			}
			if present && f < 1-1e-6 {
				t.Errorf("%s boundary: BF1[%d] = %v for a perfect prediction", mode, i, f)
			}
		}
	}
}

func TestOneClassAndAllIgnoredStayFinite(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	sh := Shape{2, 3, 16, 16}
	x, _ := randomCase(rng, sh, false, 0, 2)
	one := make([]int32, sh.Pixels())
	for i := range one {
		one[i] = 1
	}
	ign := make([]int32, sh.Pixels())
	for i := range ign {
		ign[i] = 255
	}
	for _, name := range []string{"ce", "dtl", "boundary", "abl"} {
		for _, lab := range [][]int32{one, ign} {
			g := make([]float64, sh.Len())
			r := mustRun(t, Spec{Name: name, MaxRatio: 0.1}, x, lab, sh, g, true)
			for i, v := range g {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("%s: grad[%d] = %v", name, i, v)
				}
			}
			switch name {
			case "boundary":
				if r.Maps.Border != 1 {
					t.Errorf("boundary: one-class border term %v, want 1", r.Maps.Border)
				}
			case "abl":
				if r.Maps.Border != 0 {
					t.Errorf("abl: one-class border term %v, want 0 (no ground-truth boundary)", r.Maps.Border)
				}
			case "dtl":
				// every predicted contour pixel costs at most the cap H+W
				bound := float64(3 * sh.Pixels() * (sh.H + sh.W))
				if r.Maps.Border > bound {
					t.Errorf("dtl: border term %v above %v", r.Maps.Border, bound)
				}
			}
			if &lab[0] == &ign[0] && name != "boundary" && r.Loss != 0 {
				t.Errorf("%s: all-ignored loss %v, want 0", name, r.Loss)
			}
		}
	}
}

func TestBatchPermutation(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	sh := Shape{3, 4, 20, 18}
	x, labels := randomCase(rng, sh, true, 1.5, 1)
	perm := []int{2, 0, 1}
	chw, hw := sh.C*sh.H*sh.W, sh.H*sh.W
	px, pl := make([]float64, len(x)), make([]int32, len(labels))
	for to, from := range perm {
		copy(px[to*chw:(to+1)*chw], x[from*chw:(from+1)*chw])
		copy(pl[to*hw:(to+1)*hw], labels[from*hw:(from+1)*hw])
	}
	for _, s := range []Spec{{Name: "ce"}, {Name: "dtl", Dilate: Int(1)}, {Name: "boundary"},
		{Name: "abl", MaxRatio: 0.05}} {
		g, gp := make([]float64, len(x)), make([]float64, len(x))
		r := mustRun(t, s, x, labels, sh, g, true)
		rp := mustRun(t, s, px, pl, sh, gp, true)
		if math.Abs(r.Loss-rp.Loss) > 1e-12*math.Abs(r.Loss) {
			t.Errorf("%s: loss %v, permuted %v", s.Name, r.Loss, rp.Loss)
		}
		for to, from := range perm {
			for i := range chw {
				if a, b := g[from*chw+i], gp[to*chw+i]; math.Abs(a-b) > 1e-12*math.Max(1, math.Abs(a)) {
					t.Fatalf("%s: grad of image %d entry %d: %v, permuted %v", s.Name, from, i, a, b)
				}
			}
			switch {
			case r.Maps.DTL != nil:
				for k := range r.Maps.DTL.Distance {
					if !slices.Equal(r.Maps.DTL.Distance[k][from*hw:(from+1)*hw], rp.Maps.DTL.Distance[k][to*hw:(to+1)*hw]) {
						t.Errorf("dtl: distance map of class %d, image %d does not follow the permutation", k, from)
					}
				}
			case r.Maps.BSL != nil:
				c := sh.C
				if !slices.Equal(r.Maps.BSL.BF1[from*c:(from+1)*c], rp.Maps.BSL.BF1[to*c:(to+1)*c]) {
					t.Errorf("boundary: BF1 of image %d does not follow the permutation", from)
				}
			case r.Maps.ABL != nil:
				if r.Maps.ABL.Thresholds[from] != rp.Maps.ABL.Thresholds[to] {
					t.Errorf("abl: threshold of image %d does not follow the permutation", from)
				}
			}
		}
	}
}

func TestInputsNeverModified(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	sh := Shape{2, 3, 12, 12}
	x, labels := randomCase(rng, sh, true, 1, 1)
	x0, l0 := slices.Clone(x), slices.Clone(labels)
	for _, mode := range []Mode{Default, Compat} {
		for _, name := range []string{"ce", "dtl", "boundary", "abl"} {
			g := make([]float64, len(x))
			if _, err := Compute(Spec{Name: name, Mode: mode}, x, labels, sh, g); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(x, x0) || !slices.Equal(labels, l0) {
				t.Fatalf("%s/%s modified its inputs", name, mode)
			}
		}
	}
}

func TestBadInputIsAnError(t *testing.T) {
	sh := Shape{1, 3, 4, 4}
	x := make([]float64, sh.Len())
	lab := make([]int32, sh.Pixels())
	badLab := slices.Clone(lab)
	badLab[5] = 7
	nanX := slices.Clone(x)
	nanX[3] = math.NaN()
	cases := []struct {
		name string
		s    Spec
		x    []float64
		lab  []int32
		sh   Shape
		grad []float64
		want string
	}{
		{"unknown loss", Spec{Name: "dice"}, x, lab, sh, nil, "unknown loss"},
		{"short logits", Spec{Name: "ce"}, x[:10], lab, sh, nil, "logits"},
		{"short labels", Spec{Name: "ce"}, x, lab[:3], sh, nil, "labels"},
		{"bad grad", Spec{Name: "ce"}, x, lab, sh, make([]float64, 3), "gradient"},
		{"label out of range", Spec{Name: "dtl"}, x, badLab, sh, nil, "label 7"},
		{"nan logit", Spec{Name: "ce"}, nanX, lab, sh, nil, "NaN"},
		{"even window", Spec{Name: "bsl", Theta0: 2}, x, lab, sh, nil, "odd"},
		{"weights length", Spec{Name: "ce", Weights: []float64{1}}, x, lab, sh, nil, "weights"},
		{"negative weight", Spec{Name: "ce", Weights: []float64{1, -1, 1}}, x, lab, sh, nil, "weight"},
		{"reduction typo", Spec{Name: "ce", Reduction: "avg"}, x, lab, sh, nil, "reduction"},
		{"none in default", Spec{Name: "dtl", Reduction: "none"}, x, lab, sh, nil, "none"},
		{"abl mean compat", Spec{Name: "abl", Mode: Compat, Reduction: "mean"}, x, lab, sh, nil, "sum"},
		{"smoothing", Spec{Name: "abl", Smoothing: F64(2)}, x, lab, sh, nil, "Smoothing"},
		{"empty shape", Spec{Name: "ce"}, nil, nil, Shape{0, 3, 4, 4}, nil, "dimension"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Compute(c.s, c.x, c.lab, c.sh, c.grad)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one mentioning %q", err, c.want)
			}
		})
	}
}

func TestParseName(t *testing.T) {
	for in, want := range map[string]string{"ce": "ce", "CrossEntropyLoss": "ce", "DTL": "dtl",
		"DistanceTransformLoss": "dtl", "boundary": "boundary", "bsl": "boundary", "boundary-score": "boundary",
		"BoundaryLoss": "boundary", "BoundaryScoreLoss": "boundary", "abl": "active-boundary",
		"active-boundary": "active-boundary", "ActiveBoundaryLoss": "active-boundary"} {
		if got, err := ParseName(in); err != nil || got != want {
			t.Errorf("ParseName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	_, err := ParseName("focal")
	if err == nil || !strings.Contains(err.Error(), "active-boundary") {
		t.Errorf("ParseName(focal) error %v should list the valid names", err)
	}
}

func TestNamedEntryPoints(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 1))
	sh := Shape{1, 3, 10, 10}
	x, labels := randomCase(rng, sh, false, 1, 1)
	for name, f := range map[string]func(Spec, []float64, []int32, Shape, []float64) (float64, error){
		"ce": CrossEntropy[float64], "dtl": DistanceTransformLoss[float64], "boundary": BoundaryLoss[float64],
		"bsl": BoundaryScoreLoss[float64], "abl": ActiveBoundaryLoss[float64]} {
		got, err := f(Spec{Name: "ignored"}, x, labels, sh, nil)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := Compute(Spec{Name: name}, x, labels, sh, nil)
		if got != want {
			t.Errorf("%s entry point: %v, Compute: %v", name, got, want)
		}
	}
}
