package train

import (
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/segloss/segloss/dataset"
)

// blendOver is the overlay colour of facies colour c at opacity a over the
// mid grey of a zero amplitude.
func blendOver(c color.RGBA, a float64) color.RGBA {
	f := func(v uint8) uint8 { return uint8((1-a)*127.5 + a*float64(v) + 0.5) }
	return color.RGBA{f(c.R), f(c.G), f(c.B), 255}
}

func TestSectionImageColours(t *testing.T) {
	const h, w, opacity = 4, 3, 0.6
	seis := make([]float32, h*w) // zero amplitude: mid grey
	truth := []int32{0, 0, 0, 1, 1, 1, 2, 2, 5, 255, 255, 255}
	pred := []int32{0, 0, 0, 1, 1, 1, 2, 4, 4, 4, 4, 4}
	s := Section{Title: "inline 3", Seismic: seis, Truth: truth, Pred: pred, H: h, W: w, XLabel: "CROSSLINE", X: []int{300, 301, 302}}
	img, err := SectionImage(s, nil, opacity)
	if err != nil {
		t.Fatal(err)
	}
	l := layoutSection(h, w, 4, maxTickWidth(niceTicks(0, 3, 4)), 1)
	if l.sy != 100 || l.ph != 400 || l.sx < 57 || len(l.panels) != 4 {
		t.Fatalf("layout: sample %dx%d pixels, panel %dx%d, %d panels", l.sx, l.sy, l.pw, l.ph, len(l.panels))
	}
	if img.Rect.Dx() != l.width || img.Rect.Dy() < l.height {
		t.Fatalf("image %v, layout %dx%d", img.Rect, l.width, l.height)
	}
	// centre of sample (i, j) of panel p, and a pixel on its lower edge
	at := func(p, i, j int) color.RGBA {
		return img.RGBAAt(l.panels[p].Min.X+j*l.sx+l.sx/2, l.panels[p].Min.Y+i*l.sy+l.sy/2)
	}
	lower := func(p, i, j int) color.RGBA {
		return img.RGBAAt(l.panels[p].Min.X+j*l.sx+l.sx/2, l.panels[p].Min.Y+(i+1)*l.sy-1)
	}
	right := func(p, i, j int) color.RGBA {
		return img.RGBAAt(l.panels[p].Min.X+(j+1)*l.sx-1, l.panels[p].Min.Y+i*l.sy+l.sy/2)
	}
	mid := 127.5
	pale := uint8(0.3*mid + 0.7*255 + 0.5)
	cases := []struct {
		name string
		got  color.RGBA
		want color.RGBA
	}{
		{"seismic is grey", at(0, 2, 1), color.RGBA{128, 128, 128, 255}},
		{"true Upper North Sea", at(1, 0, 1), blendOver(FaciesColors[0], opacity)},
		{"true Middle North Sea", at(1, 1, 1), blendOver(FaciesColors[1], opacity)},
		{"true Lower North Sea", at(1, 2, 0), blendOver(FaciesColors[2], opacity)},
		{"true Zechstein", at(1, 2, 2), blendOver(FaciesColors[5], opacity)},
		{"unlabelled truth has no overlay", at(1, 3, 2), color.RGBA{128, 128, 128, 255}},
		{"predicted Scruff", at(2, 3, 2), blendOver(FaciesColors[4], opacity)},
		{"boundary Upper/Middle North Sea", lower(1, 0, 1), edgeColor},
		{"boundary Middle/Lower North Sea", lower(1, 1, 0), edgeColor},
		{"boundary Lower North Sea/Zechstein", right(1, 2, 1), edgeColor},
		{"no boundary inside a unit", right(1, 1, 0), blendOver(FaciesColors[1], opacity)},
		{"no boundary to unlabelled", lower(1, 2, 0), blendOver(FaciesColors[2], opacity)},
		{"predicted boundary", lower(2, 1, 1), edgeColor},
		{"no predicted boundary inside a unit", lower(2, 2, 1), blendOver(FaciesColors[4], opacity)},
		{"error: wrong prediction", at(3, 2, 1), errColor},
		{"error: right prediction", at(3, 1, 1), color.RGBA{pale, pale, pale, 255}},
		{"error: unlabelled", at(3, 3, 0), errIgnore},
		{"frame left of the seismic", img.RGBAAt(l.panels[0].Min.X-1, l.panels[0].Min.Y+50), black},
		{"tick at crossline 301", img.RGBAAt(l.panels[0].Min.X+l.sx+l.sx/2, l.panels[0].Max.Y+2), black},
		{"no tick between crosslines", img.RGBAAt(l.panels[0].Min.X+l.sx+1, l.panels[0].Max.Y+2), white},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	bad := []Section{
		{Seismic: seis, Truth: truth[:5], H: h, W: w},
		{Seismic: seis[:3], H: h, W: w},
		{Seismic: seis, H: h, W: w, X: []int{1, 2}},
	}
	for i, b := range bad {
		if _, err := SectionImage(b, nil, 0.5); err == nil {
			t.Errorf("bad section %d accepted", i)
		}
	}
}

func TestSectionImageSizes(t *testing.T) {
	cases := []struct {
		h, w, panels int
		sy, cols     int
	}{
		{96, 96, 4, 5, 2},   // the default synthetic survey: 480 px high, two rows
		{75, 18, 4, 6, 4},   // the F3 crop's crossline sections, one row
		{255, 701, 4, 2, 2}, // Alaudah inlines
		{462, 951, 1, 1, 1}, // a full F3 inline, seismic only
		{4, 3, 2, 100, 2},   // tiny
		{75, 951, 3, 6, 2},  // wide and shallow: not enlarged sideways past maxPanelW
	}
	for _, tc := range cases {
		l := layoutSection(tc.h, tc.w, tc.panels, 40, 2)
		cols := 0
		for _, r := range l.panels {
			if r.Min.Y == l.panels[0].Min.Y {
				cols++
			}
			if r.Dx() != l.pw || r.Dy() != l.ph || !r.In(image.Rect(0, 0, l.width, l.height)) {
				t.Errorf("%dx%d: panel %v outside %dx%d", tc.h, tc.w, r, l.width, l.height)
			}
		}
		if l.sy != tc.sy || l.ph < min(minSectionH, tc.h) || cols != tc.cols || l.pw > max(maxPanelW, tc.w) || l.pw < min(minPanelW, maxPanelW) {
			t.Errorf("%dx%d: %dx%d pixels a sample, panels %dx%d in %d columns; want %d pixels high in %d columns",
				tc.h, tc.w, l.sx, l.sy, l.pw, l.ph, cols, tc.sy, tc.cols)
		}
	}
}

func TestSectionOfAxes(t *testing.T) {
	v := dataset.NewVolume("val", 3, 4, 5, 120, 880, true)
	v.T0 = 4
	for _, tc := range []struct {
		d     dataset.Direction
		label string
		x     []int
	}{
		{dataset.InlineDir, "CROSSLINE", []int{880, 881, 882, 883}},
		{dataset.CrosslineDir, "INLINE", []int{120, 121, 122}},
	} {
		s, err := v.Section(tc.d, 1)
		if err != nil {
			t.Fatal(err)
		}
		ps := SectionOf(v, s, nil, "t")
		if ps.XLabel != tc.label || !slices.Equal(ps.X, tc.x) || ps.T0 != 4 || ps.DT != 4 || ps.H != 5 || len(ps.Truth) != 5*len(tc.x) || ps.Pred != nil {
			t.Errorf("%v: %+v", tc.d, ps)
		}
	}
	v.Labels = nil
	s, _ := v.Section(dataset.InlineDir, 0)
	if ps := SectionOf(v, s, nil, "t"); ps.Truth != nil {
		t.Error("unlabelled section has truth")
	}
}

func TestNiceTicks(t *testing.T) {
	cases := []struct {
		lo, hi float64
		n      int
		want   []float64
		labels []string
	}{
		{0, 380, 8, []float64{0, 50, 100, 150, 200, 250, 300, 350}, []string{"0", "50"}},
		{4, 300, 8, []float64{50, 100, 150, 200, 250, 300}, nil},
		{300, 395, 6, []float64{300, 320, 340, 360, 380}, []string{"300"}},
		{0.948, 0.992, 5, []float64{0.95, 0.96, 0.97, 0.98, 0.99}, []string{"0.95", "0.96"}},
		{-1, 1, 3, []float64{-1, 0, 1}, []string{"-1", "0"}},
		{5, 5, 4, []float64{5}, []string{"5"}},
	}
	for _, tc := range cases {
		got := niceTicks(tc.lo, tc.hi, tc.n)
		if len(got) != len(tc.want) {
			t.Errorf("niceTicks(%g, %g, %d) = %v, want %v", tc.lo, tc.hi, tc.n, got, tc.want)
			continue
		}
		for i := range got {
			if math.Abs(got[i]-tc.want[i]) > 1e-12 {
				t.Errorf("niceTicks(%g, %g, %d) = %v, want %v", tc.lo, tc.hi, tc.n, got, tc.want)
				break
			}
		}
		for i, lab := range tc.labels {
			if s := tickLabel(got[i], got); s != lab {
				t.Errorf("label of %g in %v: %q, want %q", got[i], got, s, lab)
			}
		}
	}
}

func TestHistoryAxes(t *testing.T) {
	scores := func(y ...float64) []curve { return []curve{{y: y}} }
	cases := []struct {
		name        string
		cs          []curve
		floor, ceil float64
		lo, hi      float64
	}{
		{"scores near 1 are not squashed", scores(0.95, 0.97, 0.99, math.NaN()), 0, 1, 0.94, 1},
		{"scores stay within 0..1", scores(0.02, 0.5), 0, 1, 0, 0.6},
		{"a loss keeps 0 as floor", scores(0.9, 0.05), 0, math.Inf(1), 0, 1},
		{"a loss far from 0", scores(2.31, 2.12, 2.05), 0, math.Inf(1), 2, 2.4},
		{"a flat curve", scores(0.5, 0.5), 0, 1, 0.47, 0.53},
	}
	for _, tc := range cases {
		ticks := axisTicks(tc.cs, tc.floor, tc.ceil)
		lo, hi := ticks[0], ticks[len(ticks)-1]
		if math.Abs(lo-tc.lo) > 1e-9 || math.Abs(hi-tc.hi) > 1e-9 || len(ticks) < 3 || len(ticks) > 12 {
			t.Errorf("%s: ticks %v, want %g to %g", tc.name, ticks, tc.lo, tc.hi)
		}
	}
	for _, tc := range []struct {
		lo, hi float64
		want   []float64
	}{
		{1, 23, []float64{5, 10, 15, 20}},
		{1, 2, []float64{1, 2}},
		{1, 5, []float64{1, 2, 3, 4, 5}},
		{1, 100, []float64{20, 40, 60, 80, 100}},
	} {
		if got := epochTicks(tc.lo, tc.hi, 8); !slices.Equal(got, tc.want) {
			t.Errorf("epochs %g-%g: ticks %v, want %v", tc.lo, tc.hi, got, tc.want)
		}
	}
}

func TestSectionPNGAndHistoryPNG(t *testing.T) {
	dir := t.TempDir()
	seis := make([]float32, 20*30)
	for i := range seis {
		seis[i] = float32(math.Sin(float64(i) / 7))
	}
	p := filepath.Join(dir, "s.png")
	if err := WriteSectionPNG(p, Section{Title: "x", Seismic: seis, H: 20, W: 30}, []string{"a"}); err != nil {
		t.Fatal(err)
	}
	recs := []EpochRecord{
		{Epoch: 1, TrainLoss: 2, PA: 0.95, MCA: 0.93, MIoU: 0.92, BoundaryF1: 0.94},
		{Epoch: 2, TrainLoss: 1, PA: 0.97, MCA: 0.95, MIoU: 0.94, BoundaryF1: math.NaN()},
		{Epoch: 3, TrainLoss: 0.5, PA: 0.99, MCA: math.NaN(), MIoU: 0.96, BoundaryF1: 0.96},
	}
	hp := filepath.Join(dir, "h.png")
	if err := WriteHistoryPNG(hp, recs); err != nil {
		t.Fatal(err)
	}
	decoded := map[string]image.Image{}
	for _, path := range []string{p, hp} {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		decoded[path] = img
	}
	if b := decoded[p].Bounds(); b.Dy() < 20*20 || b.Dx() < minPanelW {
		t.Fatalf("section picture %v: want at least 400 pixels of section", b)
	}
	// The PA curve (0.95 to 0.99, on an axis from 0.9 to 1) must span much of the panel's
	// height, and nothing but margin lies below the epoch axis title.
	img := HistoryImage(recs)
	pa := color.RGBA{31, 119, 180, 255}
	top, bottom, found := img.Rect.Dy(), 0, 0
	for y := 60; y < img.Rect.Dy(); y++ {
		for x := img.Rect.Dx() / 2; x < img.Rect.Dx(); x++ {
			if img.RGBAAt(x, y) == pa {
				found++
				top, bottom = min(top, y), max(bottom, y)
			}
		}
	}
	if found < 50 || bottom-top < 90 { // 0.04 of a 0-1 axis would be about 10 rows
		t.Fatalf("PA curve drew %d pixels over rows %d-%d", found, top, bottom)
	}
	lowest := 0
	for y := 0; y < img.Rect.Dy(); y++ {
		for x := 0; x < img.Rect.Dx(); x++ {
			if img.RGBAAt(x, y) != white {
				lowest = y
				break
			}
		}
	}
	if img.Rect.Dy()-1-lowest > pad+textScale { // the margin and the blank line of the font
		t.Fatalf("%d empty rows at the bottom of a %d-row plot", img.Rect.Dy()-1-lowest, img.Rect.Dy())
	}
}

func TestHistoryFiles(t *testing.T) {
	dir := t.TempDir()
	recs := []EpochRecord{{Epoch: 1, Step: 10, LR: 0.01, TrainLoss: 1.5, PA: 0.5, BoundaryF1: math.NaN()}, {Epoch: 2, Step: 20, TrainLoss: 1}}
	if err := WriteHistory(dir, recs); err != nil {
		t.Fatal(err)
	}
	back, err := ReadHistory(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != 2 || back[0].TrainLoss != 1.5 || back[0].BoundaryF1 != -1 || back[1].Step != 20 {
		t.Fatalf("history %+v", back)
	}
	csv, err := os.ReadFile(filepath.Join(dir, "history.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "epoch,step,lr,train_loss,pa,mca,fwiu,miou,boundary_f1,seconds\n1,10,0.01,1.5,0.5,"; string(csv[:len(want)]) != want {
		t.Fatalf("history.csv:\n%s", csv)
	}
}
