package train

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"slices"
)

// FaciesColors are the conventional colours of the six F3 facies of Alaudah
// et al. (2019), classes 0 to 5 (F3_DATA.md section 1).
var FaciesColors = []color.RGBA{
	{69, 117, 180, 255},
	{145, 191, 219, 255},
	{224, 243, 248, 255},
	{254, 224, 144, 255},
	{252, 141, 89, 255},
	{215, 48, 39, 255},
}

// classColor is the colour of class c: the F3 colour for 0..5, then evenly
// spread hues.
func classColor(c int) color.RGBA {
	if c >= 0 && c < len(FaciesColors) {
		return FaciesColors[c]
	}
	h := math.Mod(float64(c)*0.381966, 1) * 6
	x := uint8(255 * (1 - math.Abs(math.Mod(h, 2)-1)))
	switch int(h) {
	case 0:
		return color.RGBA{255, x, 0, 255}
	case 1:
		return color.RGBA{x, 255, 0, 255}
	case 2:
		return color.RGBA{0, 255, x, 255}
	case 3:
		return color.RGBA{0, x, 255, 255}
	case 4:
		return color.RGBA{x, 0, 255, 255}
	}
	return color.RGBA{255, 0, x, 255}
}

// Section is one seismic section with its true and predicted facies, all
// row-major H x W (rows are depth). Truth or Pred may be nil; truth values
// outside the class range are drawn without overlay.
type Section struct {
	Title   string
	Seismic []float32
	Truth   []int32
	Pred    []int32
	H, W    int
}

var (
	white = color.RGBA{255, 255, 255, 255}
	black = color.RGBA{0, 0, 0, 255}
	grey  = color.RGBA{128, 128, 128, 255}
)

// SectionImage draws a section as panels side by side: the seismic in grey
// (clipped at the 99th percentile of the absolute amplitude), then the true
// and the predicted facies overlaid on it at the given opacity (0..1), with a
// title and a colour legend of the classes. Small sections are enlarged by
// an integer factor.
func SectionImage(s Section, names []string, opacity float64) (*image.RGBA, error) {
	n := s.H * s.W
	if s.H <= 0 || s.W <= 0 || len(s.Seismic) != n {
		return nil, fmt.Errorf("section image: %d samples for a %dx%d section", len(s.Seismic), s.H, s.W)
	}
	if (s.Truth != nil && len(s.Truth) != n) || (s.Pred != nil && len(s.Pred) != n) {
		return nil, fmt.Errorf("section image: labels of %d and %d pixels for a %dx%d section", len(s.Truth), len(s.Pred), s.H, s.W)
	}
	panels := [][]int32{nil}
	heads := []string{"SEISMIC"}
	if s.Truth != nil {
		panels, heads = append(panels, s.Truth), append(heads, "TRUE FACIES")
	}
	if s.Pred != nil {
		panels, heads = append(panels, s.Pred), append(heads, "PREDICTED")
	}
	nclass := max(len(names), len(FaciesColors))
	const gap, top = 8, 30
	// Enlarge small sections; narrow ones (a few traces) are stretched
	// sideways so that every panel is at least as wide as its title.
	scale := max(1, 240/s.H)
	sx := max(scale, (textWidth("TRUE FACIES", 1)+gap+s.W-1)/s.W)
	pw, ph := s.W*sx, s.H*scale
	legendH := 14 * ((nclass + 2) / 3)
	width := max(len(panels)*(pw+gap)+gap, 3*150+gap, textWidth(s.Title, 1)+2*gap)
	img := image.NewRGBA(image.Rect(0, 0, width, top+ph+gap+legendH+gap))
	fillRect(img, 0, 0, img.Rect.Dx(), img.Rect.Dy(), white)
	drawText(img, gap, 4, s.Title, black, 1)

	clip := amplitudeClip(s.Seismic)
	for p, lab := range panels {
		x0 := gap + p*(pw+gap)
		drawText(img, x0, 16, heads[p], black, 1)
		for i := 0; i < s.H; i++ {
			for j := 0; j < s.W; j++ {
				v := float64(s.Seismic[i*s.W+j]) / clip
				g := 127.5 * (1 + math.Max(-1, math.Min(1, v)))
				c := [3]float64{g, g, g}
				if lab != nil && lab[i*s.W+j] >= 0 && int(lab[i*s.W+j]) < nclass {
					fc := classColor(int(lab[i*s.W+j]))
					c = [3]float64{
						(1-opacity)*g + opacity*float64(fc.R),
						(1-opacity)*g + opacity*float64(fc.G),
						(1-opacity)*g + opacity*float64(fc.B),
					}
				}
				fillRect(img, x0+j*sx, top+i*scale, sx, scale,
					color.RGBA{uint8(c[0] + 0.5), uint8(c[1] + 0.5), uint8(c[2] + 0.5), 255})
			}
		}
	}
	for c := 0; c < nclass; c++ {
		x := gap + (c%3)*150
		y := top + ph + gap + 14*(c/3)
		fillRect(img, x, y, 10, 10, classColor(c))
		label := fmt.Sprint(c)
		if c < len(names) {
			label += " " + names[c]
		}
		drawText(img, x+14, y+1, label, black, 1)
	}
	return img, nil
}

// amplitudeClip is the 99th percentile of |x| (1 when x is all zero).
func amplitudeClip(x []float32) float64 {
	a := make([]float64, len(x))
	for i, v := range x {
		a[i] = math.Abs(float64(v))
	}
	slices.Sort(a)
	c := a[min(len(a)-1, int(0.99*float64(len(a))))]
	if c == 0 || math.IsNaN(c) {
		return 1
	}
	return c
}

// WriteSectionPNG draws a section (see SectionImage) to path atomically.
func WriteSectionPNG(path string, s Section, names []string) error {
	img, err := SectionImage(s, names, 0.55)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, func(w io.Writer) error { return png.Encode(w, img) })
}

// curve is one line of a plot.
type curve struct {
	name string
	col  color.RGBA
	y    []float64
}

// HistoryImage plots the training loss (left panel) and the validation
// scores PA, MCA, mIoU and boundary F1 (right panel, 0 to 1) per epoch.
func HistoryImage(h []EpochRecord) *image.RGBA {
	const pw, ph, margin = 320, 220, 44
	img := image.NewRGBA(image.Rect(0, 0, 2*pw+3*margin, ph+2*margin+30))
	fillRect(img, 0, 0, img.Rect.Dx(), img.Rect.Dy(), white)
	x := make([]float64, len(h))
	loss := make([]float64, len(h))
	val := []curve{
		{"PA", color.RGBA{31, 119, 180, 255}, nil},
		{"MCA", color.RGBA{255, 127, 14, 255}, nil},
		{"MIOU", color.RGBA{44, 160, 44, 255}, nil},
		{"BOUNDARY F1", color.RGBA{214, 39, 40, 255}, nil},
	}
	for i, r := range h {
		x[i] = float64(r.Epoch)
		loss[i] = r.TrainLoss
		val[0].y = append(val[0].y, r.PA)
		val[1].y = append(val[1].y, r.MCA)
		val[2].y = append(val[2].y, r.MIoU)
		val[3].y = append(val[3].y, r.BoundaryF1)
	}
	lo, hi := finiteRange(loss)
	if hi == lo {
		lo, hi = lo-1, hi+1
	}
	plotPanel(img, image.Rect(margin, margin, margin+pw, margin+ph), "TRAINING LOSS", x, lo, hi,
		[]curve{{"LOSS", color.RGBA{0, 0, 0, 255}, loss}})
	plotPanel(img, image.Rect(2*margin+pw, margin, 2*margin+2*pw, margin+ph), "VALIDATION", x, 0, 1, val)
	return img
}

// WriteHistoryPNG plots the history (see HistoryImage) to path atomically.
func WriteHistoryPNG(path string, h []EpochRecord) error {
	img := HistoryImage(h)
	return writeFileAtomic(path, func(w io.Writer) error { return png.Encode(w, img) })
}

func finiteRange(v []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
	}
	if lo > hi {
		return 0, 1
	}
	return lo, hi
}

// plotPanel draws axes, tick labels, a title, a legend and the curves in r.
func plotPanel(img *image.RGBA, r image.Rectangle, title string, x []float64, ylo, yhi float64, cs []curve) {
	drawText(img, r.Min.X, r.Min.Y-30, title, black, 1)
	for i := 0; i <= 4; i++ {
		y := r.Max.Y - i*r.Dy()/4
		hline(img, r.Min.X, r.Max.X, y, color.RGBA{225, 225, 225, 255})
		lab := fmt.Sprintf("%.3g", ylo+(yhi-ylo)*float64(i)/4)
		drawText(img, r.Min.X-textWidth(lab, 1)-3, y-3, lab, black, 1)
	}
	hline(img, r.Min.X, r.Max.X, r.Max.Y, black)
	fillRect(img, r.Min.X, r.Min.Y, 1, r.Dy()+1, black)
	xlo, xhi := 0.0, 1.0
	if len(x) > 0 {
		xlo, xhi = x[0], x[len(x)-1]
	}
	if xhi == xlo {
		xlo, xhi = xlo-1, xhi+1
	}
	drawText(img, r.Min.X, r.Max.Y+5, fmt.Sprintf("%g", xlo), black, 1)
	end := fmt.Sprintf("%g", xhi)
	drawText(img, r.Max.X-textWidth(end, 1), r.Max.Y+5, end, black, 1)
	drawText(img, (r.Min.X+r.Max.X)/2-textWidth("EPOCH", 1)/2, r.Max.Y+5, "EPOCH", black, 1)
	px := func(v float64) int { return r.Min.X + int(math.Round((v-xlo)/(xhi-xlo)*float64(r.Dx()))) }
	py := func(v float64) int { return r.Max.Y - int(math.Round((v-ylo)/(yhi-ylo)*float64(r.Dy()))) }
	lx := r.Min.X
	for _, c := range cs {
		fillRect(img, lx, r.Min.Y-16, 10, 8, c.col)
		lx += 24 + drawText(img, lx+14, r.Min.Y-16, c.name, black, 1)
		for i := range c.y {
			if !finite(c.y[i]) {
				continue
			}
			fillRect(img, px(x[i])-2, py(c.y[i])-2, 5, 5, c.col)
			if i > 0 && finite(c.y[i-1]) {
				line(img, px(x[i-1]), py(c.y[i-1]), px(x[i]), py(c.y[i]), c.col)
			}
		}
	}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func hline(img *image.RGBA, x0, x1, y int, c color.Color) { fillRect(img, x0, y, x1-x0+1, 1, c) }

// line draws a two-pixel-wide line from (x0,y0) to (x1,y1).
func line(img *image.RGBA, x0, y0, x1, y1 int, c color.Color) {
	n := max(abs(x1-x0), abs(y1-y0), 1)
	for s := 0; s <= n; s++ {
		x := x0 + (x1-x0)*s/n
		y := y0 + (y1-y0)*s/n
		fillRect(img, x, y, 2, 2, c)
	}
}

func abs(a int) int {
	if a < 0 {
		return -a
	}
	return a
}
