package dataset

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// testVolume returns a volume whose seismic encodes its coordinates
// (i*10000 + j*100 + k) and whose labels are k*6/ns.
func testVolume(ni, nx, ns int) *Volume {
	v := NewVolume("t", ni, nx, ns, 300, 300, true)
	for i := 0; i < ni; i++ {
		for j := 0; j < nx; j++ {
			for k := 0; k < ns; k++ {
				v.Seismic[v.Index(i, j, k)] = float32(i*10000 + j*100 + k)
				v.Labels[v.Index(i, j, k)] = uint8(k * NumClasses / ns)
			}
		}
	}
	return v
}

func TestPatchPositions(t *testing.T) {
	cases := []struct {
		n, size, stride int
		want            []int
	}{
		{10, 4, 2, []int{0, 2, 4, 6}},
		{10, 4, 3, []int{0, 3, 6}},
		{11, 4, 3, []int{0, 3, 6, 7}},
		{4, 4, 2, []int{0}},
		{3, 4, 2, []int{0}},
		{255, 99, 50, []int{0, 50, 100, 150, 156}},
	}
	for _, c := range cases {
		got := PatchPositions(c.n, c.size, c.stride)
		if !slices.Equal(got, c.want) {
			t.Errorf("PatchPositions(%d,%d,%d) = %v, want %v", c.n, c.size, c.stride, got, c.want)
		}
	}
}

// TestPatchGridCoversEveryVoxel proves that patches of both directions
// reach every voxel, including the bottom and right edges.
func TestPatchGridCoversEveryVoxel(t *testing.T) {
	for _, c := range []struct{ ni, nx, ns, size, stride int }{
		{7, 9, 13, 4, 3}, {5, 3, 6, 8, 4}, {6, 11, 20, 5, 5},
	} {
		v := testVolume(c.ni, c.nx, c.ns)
		for _, d := range []Direction{InlineDir, CrosslineDir} {
			ps, err := PatchGrid(v, c.size, c.stride, d)
			if err != nil {
				t.Fatal(err)
			}
			seen := make([]bool, len(v.Seismic))
			x := make([]float32, c.size*c.size)
			y := make([]int32, c.size*c.size)
			for _, p := range ps {
				v.ExtractPatch(p, c.size, x, y)
				for o := range x {
					r, col := p.Row+o/c.size, p.Col+o%c.size
					if r >= v.NS || col >= v.sectionWidth(d) {
						if x[o] != 0 || y[o] != int32(Ignore) {
							t.Fatalf("padding (%d,%d) = %g/%d", r, col, x[o], y[o])
						}
						continue
					}
					idx := v.voxel(d, p.Index, r, col)
					if x[o] != v.Seismic[idx] || y[o] != int32(v.Labels[idx]) {
						t.Fatalf("%v patch %+v offset %d: got %g want %g", d, p, o, x[o], v.Seismic[idx])
					}
					seen[idx] = true
				}
			}
			for i, s := range seen {
				if !s {
					t.Fatalf("%+v %v: voxel %d never sampled", c, d, i)
				}
			}
		}
	}
	if _, err := PatchGrid(testVolume(2, 2, 2), 4, 5); err == nil {
		t.Fatal("stride > size accepted")
	}
}

// TestSplitNoOverlap proves no training patch touches a validation voxel.
func TestSplitNoOverlap(t *testing.T) {
	for _, d := range []Direction{CrosslineDir, InlineDir} {
		v := testVolume(12, 20, 10)
		tr, val, err := SplitValidation(v, d, 0.25)
		if err != nil {
			t.Fatal(err)
		}
		if d == CrosslineDir && (tr.NX != 15 || val.NX != 5 || tr.NI != 12 || val.Crosslines[0] != 315) {
			t.Fatalf("crossline split: train %dx%d val %dx%d from %d", tr.NI, tr.NX, val.NI, val.NX, val.Crosslines[0])
		}
		if d == InlineDir && (tr.NI != 9 || val.NI != 3 || val.Inlines[0] != 309) {
			t.Fatalf("inline split: train %d val %d", tr.NI, val.NI)
		}
		held := map[float32]bool{}
		for _, a := range val.Seismic {
			held[a] = true
		}
		ps, _ := PatchGrid(tr, 6, 2)
		x := make([]float32, 36)
		for _, p := range ps {
			tr.ExtractPatch(p, 6, x, nil)
			for o, a := range x {
				if p.Row+o/6 < tr.NS && p.Col+o%6 < tr.sectionWidth(p.Dir) && held[a] {
					t.Fatalf("%v split: training patch %+v holds validation voxel %g", d, p, a)
				}
			}
		}
		if len(tr.Seismic)+len(val.Seismic) != len(v.Seismic) {
			t.Fatal("split lost voxels")
		}
	}
	if _, _, err := SplitValidation(testVolume(2, 2, 2), CrosslineDir, 1.5); err == nil {
		t.Fatal("fraction 1.5 accepted")
	}
}

func TestSection(t *testing.T) {
	v := testVolume(3, 4, 5)
	s, err := v.Section(CrosslineDir, 2)
	if err != nil {
		t.Fatal(err)
	}
	if s.Rows != 5 || s.Cols != 3 || s.Number != 302 {
		t.Fatalf("section %dx%d number %d", s.Rows, s.Cols, s.Number)
	}
	// row = sample k, column = inline i at crossline 2
	if s.Seismic[4*3+1] != 10000+200+4 {
		t.Fatalf("section value %g", s.Seismic[4*3+1])
	}
	p := s.Pad(8, 4)
	if p.Rows != 8 || p.Cols != 4 || p.Seismic[4*4+1] != 10204 || p.Labels[7*4+3] != Ignore || p.Seismic[3] != 0 {
		t.Fatalf("pad wrong: %dx%d", p.Rows, p.Cols)
	}
	if _, err := v.Section(InlineDir, 3); err == nil {
		t.Fatal("section out of range accepted")
	}
}

func TestNormalizer(t *testing.T) {
	v := NewVolume("n", 2, 50, 100, 0, 0, false)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range v.Seismic {
		v.Seismic[i] = float32(3 + 2*rng.NormFloat64())
	}
	n, err := FitNormalizer(v, "meanstd")
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(n.Mean-3) > 0.05 || math.Abs(n.Std-2) > 0.05 {
		t.Fatalf("mean %g std %g", n.Mean, n.Std)
	}
	x := append([]float32(nil), v.Seismic...)
	n.Apply(x)
	var s, s2 float64
	for _, a := range x {
		s += float64(a)
		s2 += float64(a) * float64(a)
	}
	if m := s / float64(len(x)); math.Abs(m) > 1e-4 || math.Abs(s2/float64(len(x))-1) > 1e-3 {
		t.Fatalf("normalised mean %g var %g", m, s2/float64(len(x)))
	}
	c, err := FitNormalizer(v, "clip")
	if err != nil {
		t.Fatal(err)
	}
	// 99.5th percentile of N(3,2) = 3 + 2*2.576
	if math.Abs(c.High-8.15) > 0.3 || math.Abs(c.Low+2.15) > 0.3 {
		t.Fatalf("clip [%g,%g]", c.Low, c.High)
	}
	y := []float32{-100, float32(c.Low), float32(c.High), 100}
	c.Apply(y)
	if !slices.Equal(y, []float32{-1, -1, 1, 1}) {
		t.Fatalf("clip apply %v", y)
	}
	b, _ := json.Marshal(c)
	var c2 Normalizer
	if json.Unmarshal(b, &c2) != nil || c2 != c {
		t.Fatalf("json round trip %s -> %+v", b, c2)
	}
	if _, err := FitNormalizer(v, "zscore"); err == nil {
		t.Fatal("unknown method accepted")
	}
}

// TestNormalizerFitterPieces checks that fitting piece by piece, in
// pieces that split traces anywhere, gives FitNormalizer's result bit for
// bit, on a volume with missing traces and large enough (over 2 million
// values) that clip subsamples every other value.
func TestNormalizerFitterPieces(t *testing.T) {
	v := NewVolume("pieces", 4, 50, 10_010, 0, 0, false)
	v.Missing = make([]bool, v.NI*v.NX)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range v.Seismic {
		v.Seismic[i] = float32(rng.NormFloat64()*5 - 1)
	}
	for _, t := range []int{0, 7, 120, 199} {
		v.Missing[t] = true
		clear(v.Seismic[t*v.NS : (t+1)*v.NS])
	}
	for _, method := range []string{"none", "meanstd", "clip"} {
		want, err := FitNormalizer(v, method)
		if err != nil {
			t.Fatal(err)
		}
		for _, piece := range []int{1, 333, v.NS, 3*v.NS + 17} {
			fit, err := NewNormalizerFitter(method, len(v.Seismic))
			if err != nil {
				t.Fatal(err)
			}
			for t0 := 0; t0 < v.NI*v.NX; t0++ {
				if v.Missing[t0] {
					continue
				}
				tr := v.Seismic[t0*v.NS : (t0+1)*v.NS]
				for k := 0; k < len(tr); k += piece {
					fit.Add(t0*v.NS+k, tr[k:min(k+piece, len(tr))])
				}
			}
			if got, err := fit.Normalizer(v.Name); err != nil || got != want {
				t.Errorf("%s, pieces of %d: %+v (%v), want %+v", method, piece, got, err, want)
			}
		}
	}
	fit, _ := NewNormalizerFitter("meanstd", 10)
	if _, err := fit.Normalizer("empty"); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("nothing added: %v", err)
	}
	if _, err := NewNormalizerFitter("zscore", 10); err == nil || !strings.Contains(err.Error(), "zscore") {
		t.Errorf("unknown method: %v", err)
	}
}

func TestClassWeights(t *testing.T) {
	counts := [NumClasses]int64{50, 20, 20, 10, 0, 0}
	cases := []struct {
		method string
		want   [NumClasses]float64
	}{
		{"none", [NumClasses]float64{1, 1, 1, 1, 1, 1}},
		{"one-minus", [NumClasses]float64{0.5, 0.8, 0.8, 0.9, 0, 0}},
		{"median", [NumClasses]float64{0.4, 1, 1, 2, 0, 0}},
		{"inverse", [NumClasses]float64{8.0 / 22, 20.0 / 22, 20.0 / 22, 40.0 / 22, 0, 0}}, // 1/f scaled to mean 1
	}
	for _, c := range cases {
		w, err := ClassWeights(counts, c.method)
		if err != nil {
			t.Fatal(err)
		}
		for i := range w {
			if math.Abs(w[i]-c.want[i]) > 1e-12 {
				t.Fatalf("%s: %v want %v", c.method, w, c.want)
			}
		}
	}
	v := testVolume(2, 2, 12)
	v.Labels[0] = Ignore
	got := ClassCounts(v)
	if got != [NumClasses]int64{7, 8, 8, 8, 8, 8} {
		t.Fatalf("counts %v", got)
	}
}

func TestAugmentDeterministicAndLabelsPreserved(t *testing.T) {
	const s = 16
	x := make([]float32, s*s)
	y := make([]int32, s*s)
	for i := range x {
		x[i] = float32(i % s)
		y[i] = int32(i / s * NumClasses / s)
	}
	run := func(a Augment, seed uint64) ([]float32, []int32) {
		xx, yy := append([]float32(nil), x...), append([]int32(nil), y...)
		a.Apply(rand.New(rand.NewPCG(seed, 0)), xx, yy, s, s)
		return xx, yy
	}
	a := DefaultAugment()
	x1, y1 := run(a, 7)
	x2, y2 := run(a, 7)
	if !slices.Equal(x1, x2) || !slices.Equal(y1, y2) {
		t.Fatal("same seed gave different patches")
	}
	for _, l := range y1 {
		if (l < 0 || l >= NumClasses) && l != int32(Ignore) {
			t.Fatalf("rotation made label %d", l)
		}
	}
	// A flip alone mirrors the columns exactly.
	xf, yf := run(Augment{FlipProb: 1}, 1)
	for r := 0; r < s; r++ {
		for c := 0; c < s; c++ {
			if xf[r*s+c] != x[r*s+s-1-c] || yf[r*s+c] != y[r*s+s-1-c] {
				t.Fatal("flip wrong")
			}
		}
	}
	// A 90-degree-free small rotation keeps the centre pixel.
	xr, _ := run(Augment{MaxRotation: 10}, 3)
	if xr[8*s+8] < 6 || xr[8*s+8] > 10 {
		t.Fatalf("rotation moved the centre: %g", xr[8*s+8])
	}
	if (Augment{FlipProb: 2}).Validate() == nil {
		t.Fatal("flip probability 2 accepted")
	}
}

func TestLoaderDeterministicAndComplete(t *testing.T) {
	v := testVolume(6, 10, 20)
	ps, _ := PatchGrid(v, 8, 4)
	cfg := LoaderConfig{Volume: v, Patches: ps, PatchSize: 8, BatchSize: 5, Shuffle: true, Seed: 9,
		Augment: DefaultAugment(), Norm: Normalizer{Method: "none"}, Prefetch: 2}
	ld, err := NewLoader(cfg)
	if err != nil {
		t.Fatal(err)
	}
	collect := func(l *Loader, e int) ([]float32, []Patch) {
		var xs []float32
		var seen []Patch
		it := l.Epoch(e)
		for b, ok := it.Next(); ok; b, ok = it.Next() {
			if len(b.X) != b.N*64 || len(b.Y) != b.N*64 || b.H != 8 {
				t.Fatalf("batch sizes %d %d", len(b.X), len(b.Y))
			}
			xs = append(xs, b.X...)
			seen = append(seen, b.Patches...)
		}
		return xs, seen
	}
	a, pa := collect(ld, 0)
	b, _ := collect(ld, 0)
	c, pc := collect(ld, 1)
	if !slices.Equal(a, b) {
		t.Fatal("same seed and epoch gave different batches")
	}
	if slices.Equal(a, c) || slices.Equal(pa, pc) {
		t.Fatal("epochs 0 and 1 identical")
	}
	if len(pa) != len(ps) {
		t.Fatalf("epoch served %d of %d patches", len(pa), len(ps))
	}
	key := func(p Patch) int { return ((int(p.Dir)*100+p.Index)*100+p.Row)*100 + p.Col }
	ka, kp := make([]int, len(pa)), make([]int, len(ps))
	for i := range pa {
		ka[i], kp[i] = key(pa[i]), key(ps[i])
	}
	slices.Sort(ka)
	slices.Sort(kp)
	if !slices.Equal(ka, kp) {
		t.Fatal("epoch is not a permutation of the patches")
	}
	if ld.NumBatches() != (len(ps)+4)/5 {
		t.Fatal("NumBatches")
	}
	it := ld.Epoch(2)
	it.Next()
	it.Close()
	it.Close()
	if _, err := NewLoader(LoaderConfig{Volume: v, PatchSize: 8, BatchSize: 1}); err == nil {
		t.Fatal("loader without patches accepted")
	}
}

func BenchmarkLoader(b *testing.B) {
	v := testVolume(64, 96, 96)
	ps, _ := PatchGrid(v, 64, 16)
	norm, _ := FitNormalizer(v, "meanstd")
	ld, err := NewLoader(LoaderConfig{Volume: v, Patches: ps, PatchSize: 64, BatchSize: 16, Shuffle: true,
		Seed: 1, Augment: DefaultAugment(), Norm: norm})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	n := 0
	for n < b.N {
		it := ld.Epoch(n)
		for bt, ok := it.Next(); ok && n < b.N; bt, ok = it.Next() {
			n += bt.N
		}
		it.Close()
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "patches/s")
}
