package train

import (
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestSectionImageColours(t *testing.T) {
	const h, w = 4, 3
	seis := make([]float32, h*w) // zero amplitude: mid grey
	truth := []int32{0, 0, 0, 1, 1, 1, 5, 5, 5, 255, 255, 255}
	pred := []int32{0, 0, 0, 1, 1, 1, 4, 4, 4, 4, 4, 4}
	img, err := SectionImage(Section{Title: "inline 3", Seismic: seis, Truth: truth, Pred: pred, H: h, W: w}, nil, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	const gap, top = 8, 30
	scale := 240 / h
	sx := max(scale, (textWidth("TRUE FACIES", 1)+gap+w-1)/w)
	pw := w * sx
	at := func(panel, i, j int) color.RGBA {
		return img.RGBAAt(gap+panel*(pw+gap)+j*sx+sx/2, top+i*scale+scale/2)
	}
	blend := func(c color.RGBA) color.RGBA {
		f := func(v uint8) uint8 { return uint8(0.5*127.5 + 0.5*float64(v) + 0.5) }
		return color.RGBA{f(c.R), f(c.G), f(c.B), 255}
	}
	cases := []struct {
		name        string
		panel, i, j int
		want        color.RGBA
	}{
		{"seismic is grey", 0, 2, 1, color.RGBA{128, 128, 128, 255}},
		{"true Zechstein overlay", 1, 2, 0, blend(FaciesColors[5])},
		{"unlabelled truth has no overlay", 1, 3, 2, color.RGBA{128, 128, 128, 255}},
		{"predicted Scruff overlay", 2, 3, 2, blend(FaciesColors[4])},
		{"predicted Upper North Sea", 2, 0, 0, blend(FaciesColors[0])},
	}
	for _, tc := range cases {
		if got := at(tc.panel, tc.i, tc.j); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if _, err := SectionImage(Section{Seismic: seis, Truth: truth[:5], H: h, W: w}, nil, 0.5); err == nil {
		t.Error("short labels accepted")
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
	recs := []EpochRecord{{Epoch: 1, TrainLoss: 2, PA: 0.5, MCA: 0.3}, {Epoch: 2, TrainLoss: 1, PA: 0.7, MCA: 0.5}, {Epoch: 3, TrainLoss: 0.5, PA: 0.9, MCA: math.NaN()}}
	hp := filepath.Join(dir, "h.png")
	if err := WriteHistoryPNG(hp, recs); err != nil {
		t.Fatal(err)
	}
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
		if img.Bounds().Dx() < 100 {
			t.Fatalf("%s: %v", path, img.Bounds())
		}
	}
	// The PA curve's colour must appear in the validation panel.
	img := HistoryImage(recs)
	pa := color.RGBA{31, 119, 180, 255}
	found := 0
	for y := 60; y < img.Rect.Dy(); y++ {
		for x := img.Rect.Dx() / 2; x < img.Rect.Dx(); x++ {
			if img.RGBAAt(x, y) == pa {
				found++
			}
		}
	}
	if found < 50 {
		t.Fatalf("PA curve drew %d pixels", found)
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
