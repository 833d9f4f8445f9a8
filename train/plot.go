package train

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/segloss/segloss/dataset"
	"github.com/segloss/segloss/internal/fileutil"
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
	// XLabel names the horizontal axis ("CROSSLINE", "INLINE"); "" means
	// "TRACE".
	XLabel string
	// X holds the survey number of every column (W values); nil numbers
	// the columns from 0.
	X []int
	// T0 is the time of row 0 and DT the sample interval, in ms; DT 0
	// numbers the rows as samples from 0.
	T0, DT float64
}

// SectionOf is the picture of section s of volume v with the predicted
// facies pred (nil for none): its horizontal axis is numbered by the
// survey's crossline (inline sections) or inline (crossline sections)
// numbers and its vertical axis in ms.
func SectionOf(v *dataset.Volume, s dataset.Section, pred []int32, title string) Section {
	out := Section{Title: title, Seismic: s.Seismic, Pred: pred, H: s.Rows, W: s.Cols, T0: v.T0, DT: v.DT}
	if s.Labels != nil {
		out.Truth = labels32(s.Labels)
	}
	out.XLabel, out.X = "CROSSLINE", v.Crosslines
	if s.Dir == dataset.CrosslineDir {
		out.XLabel, out.X = "INLINE", v.Inlines
	}
	if len(out.X) != s.Cols {
		out.X = nil
	}
	return out
}

// Colours of the section pictures.
var (
	white     = color.RGBA{255, 255, 255, 255}
	black     = color.RGBA{0, 0, 0, 255}
	gridGrey  = color.RGBA{225, 225, 225, 255}
	edgeColor = color.RGBA{25, 25, 25, 255}    // facies boundaries on overlays
	errColor  = color.RGBA{230, 20, 20, 255}   // wrong pixels on the error panel
	errIgnore = color.RGBA{200, 200, 200, 255} // unlabelled pixels on the error panel
)

// Sizes of the section pictures, in pixels.
const (
	minSectionH = 400  // sections are enlarged to at least this height
	minPanelW   = 170  // ... and panels to at least this width
	maxPanelW   = 1600 // wide sections are not enlarged sideways past this
	maxRowW     = 3200 // wider rows of panels wrap
	textScale   = 2    // font scale of all text
	pad         = 16   // outer margin and gap between panels
	tickLen     = 5
)

// textH is the height of a line of text at textScale.
const textH = glyphHeight * textScale

// sectionLayout places the panels of a section picture.
type sectionLayout struct {
	sx, sy        int               // enlargement of a sample: sx wide, sy high
	pw, ph        int               // panel size
	panels        []image.Rectangle // where each panel's image lies
	width, height int
	legendY       int
}

// layoutSection places n panels for an h x w section, yTickW wide tick
// labels and a legend of legendRows rows.
func layoutSection(h, w, n, yTickW, legendRows int) sectionLayout {
	var l sectionLayout
	l.sy = max(1, (minSectionH+h-1)/h)
	l.sx = min(max(l.sy, (minPanelW+w-1)/w), max(1, maxPanelW/w))
	l.pw, l.ph = w*l.sx, h*l.sy
	left := textH + 6 + yTickW + tickLen + 4 // y axis title, tick labels, ticks
	cellW := left + l.pw + pad
	top := textH + 8                                 // panel head
	cellH := top + l.ph + tickLen + 4 + 2*textH + 10 // x tick labels, x axis title
	// Columns: n, half of n or 1, whichever gives the picture the aspect
	// closest to 16:10 without passing maxRowW (when one does not).
	cols, best := 1, math.Inf(1)
	for _, c := range []int{n, (n + 1) / 2, 1} {
		rows := (n + c - 1) / c
		w, h := pad+c*cellW, rows*cellH
		score := math.Abs(math.Log(float64(w) / float64(h) / 1.6))
		if w > maxRowW && c > 1 {
			score += 100
		}
		if score < best {
			cols, best = c, score
		}
	}
	rows := (n + cols - 1) / cols
	titleH := textH + 10
	for i := 0; i < n; i++ {
		x := pad + (i%cols)*cellW + left
		y := pad + titleH + (i/cols)*cellH + top
		l.panels = append(l.panels, image.Rect(x, y, x+l.pw, y+l.ph))
	}
	l.width = pad + cols*cellW + textWidth("0000", textScale)/2 // room for the last tick label
	l.legendY = pad + titleH + rows*cellH
	l.height = l.legendY + legendRows*(textH+8) + pad
	return l
}

// panel kinds of a section picture.
const (
	panelSeismic = iota
	panelTruth
	panelPred
	panelError
)

// SectionImage draws a section as panels: the seismic in grey (clipped at
// the 99th percentile of the absolute amplitude), the true and the
// predicted facies overlaid on it at the given opacity (0..1) with the
// boundaries between facies drawn as thin dark lines, and, when both are
// given, the errors (pixels whose prediction differs from the truth, in
// red). Each panel has axes (trace or survey line number across, time or
// sample down) and the picture a title and a legend of the classes.
// Sections are enlarged by whole factors (nearest neighbour) to at least
// 400 pixels high.
func SectionImage(s Section, names []string, opacity float64) (*image.RGBA, error) {
	n := s.H * s.W
	if s.H <= 0 || s.W <= 0 || len(s.Seismic) != n {
		return nil, fmt.Errorf("section image: %d samples for a %dx%d section", len(s.Seismic), s.H, s.W)
	}
	if (s.Truth != nil && len(s.Truth) != n) || (s.Pred != nil && len(s.Pred) != n) {
		return nil, fmt.Errorf("section image: labels of %d and %d pixels for a %dx%d section", len(s.Truth), len(s.Pred), s.H, s.W)
	}
	if s.X != nil && len(s.X) != s.W {
		return nil, fmt.Errorf("section image: %d column numbers for %d columns", len(s.X), s.W)
	}
	nclass := max(len(names), len(FaciesColors))
	kinds := []int{panelSeismic}
	heads := []string{"SEISMIC"}
	if s.Truth != nil {
		kinds, heads = append(kinds, panelTruth), append(heads, "TRUE FACIES")
	}
	if s.Pred != nil {
		kinds, heads = append(kinds, panelPred), append(heads, "PREDICTED")
	}
	if s.Truth != nil && s.Pred != nil {
		wrong, labelled := 0, 0
		for i, t := range s.Truth {
			if t >= 0 && int(t) < nclass {
				labelled++
				if s.Pred[i] != t {
					wrong++
				}
			}
		}
		head := "ERRORS"
		if labelled > 0 {
			head = fmt.Sprintf("ERRORS %.1f%%", 100*float64(wrong)/float64(labelled))
		}
		kinds, heads = append(kinds, panelError), append(heads, head)
	}

	// Axes: nice ticks in survey numbers (columns) and ms or samples (rows).
	xOf := func(j int) float64 {
		if s.X != nil {
			return float64(s.X[j])
		}
		return float64(j)
	}
	xLabel := s.XLabel
	if xLabel == "" {
		xLabel = "TRACE"
	}
	yLabel, y0, dy := "SAMPLE", 0.0, 1.0
	if s.DT > 0 {
		yLabel, y0, dy = "TIME (MS)", s.T0, s.DT
	}
	yTicks := niceTicks(y0, y0+float64(s.H-1)*dy, max(2, min(8, s.H)))
	yTickW := 0
	for _, v := range yTicks {
		yTickW = max(yTickW, textWidth(tickLabel(v, yTicks), textScale))
	}

	legend := legendEntries(names, nclass, s.Truth != nil && s.Pred != nil)
	// The legend wraps to the picture's width, which needs the layout:
	// lay out once with one legend row, then with the rows it needs.
	l := layoutSection(s.H, s.W, len(kinds), yTickW, 1)
	legendCols := legendColumns(legend, l.width)
	l = layoutSection(s.H, s.W, len(kinds), yTickW, (len(legend)+legendCols-1)/legendCols)
	l.width = max(l.width, 2*pad+textWidth(s.Title, textScale))

	img := image.NewRGBA(image.Rect(0, 0, l.width, l.height))
	fillRect(img, 0, 0, l.width, l.height, white)
	drawText(img, pad, pad, s.Title, black, textScale)

	grey := seismicGrey(s.Seismic)
	for p, kind := range kinds {
		r := l.panels[p]
		drawText(img, r.Min.X, r.Min.Y-textH-6, heads[p], black, textScale)
		drawSectionPanel(img, r, l.sx, l.sy, s, kind, grey, nclass, opacity)
		drawSectionAxes(img, r, l, s, xOf, xLabel, yLabel, y0, dy, yTicks)
	}
	drawLegend(img, pad, l.legendY, legend, legendCols)
	return img, nil
}

// seismicGrey maps amplitudes to grey levels, clipped at the 99th
// percentile of |x|: -clip is black, 0 mid grey, +clip white.
func seismicGrey(x []float32) []float64 {
	clip := amplitudeClip(x)
	g := make([]float64, len(x))
	for i, v := range x {
		g[i] = 127.5 * (1 + math.Max(-1, math.Min(1, float64(v)/clip)))
	}
	return g
}

// drawSectionPanel paints one panel of kind into r, each sample an sx x sy
// block.
func drawSectionPanel(img *image.RGBA, r image.Rectangle, sx, sy int, s Section, kind int, grey []float64, nclass int, opacity float64) {
	valid := func(c int32) bool { return c >= 0 && int(c) < nclass }
	var lab []int32
	switch kind {
	case panelTruth:
		lab = s.Truth
	case panelPred:
		lab = s.Pred
	}
	for i := 0; i < s.H; i++ {
		for j := 0; j < s.W; j++ {
			k := i*s.W + j
			g := grey[k]
			var c color.RGBA
			switch {
			case kind == panelError && !valid(s.Truth[k]):
				c = errIgnore
			case kind == panelError && s.Pred[k] != s.Truth[k]:
				c = errColor
			case kind == panelError: // right: pale seismic
				v := uint8(0.3*g + 0.7*255 + 0.5)
				c = color.RGBA{v, v, v, 255}
			case lab != nil && valid(lab[k]):
				fc := classColor(int(lab[k]))
				mix := func(f uint8) uint8 { return uint8((1-opacity)*g + opacity*float64(f) + 0.5) }
				c = color.RGBA{mix(fc.R), mix(fc.G), mix(fc.B), 255}
			default:
				v := uint8(g + 0.5)
				c = color.RGBA{v, v, v, 255}
			}
			fillBlock(img, r.Min.X+j*sx, r.Min.Y+i*sy, sx, sy, c)
		}
	}
	if lab == nil {
		return
	}
	// Facies boundaries: a one-pixel dark line on the last column (row) of
	// a sample whose right (lower) neighbour is another class, so that
	// units of similar colour stay apart.
	for i := 0; i < s.H; i++ {
		for j := 0; j < s.W; j++ {
			a := lab[i*s.W+j]
			if !valid(a) {
				continue
			}
			x, y := r.Min.X+j*sx, r.Min.Y+i*sy
			if j+1 < s.W && valid(lab[i*s.W+j+1]) && lab[i*s.W+j+1] != a {
				fillBlock(img, x+sx-1, y, 1, sy, edgeColor)
			}
			if i+1 < s.H && valid(lab[(i+1)*s.W+j]) && lab[(i+1)*s.W+j] != a {
				fillBlock(img, x, y+sy-1, sx, 1, edgeColor)
			}
		}
	}
}

// fillBlock paints a w x h block inside the image (no clipping needed).
func fillBlock(img *image.RGBA, x, y, w, h int, c color.RGBA) {
	for yy := y; yy < y+h; yy++ {
		row := img.Pix[img.PixOffset(x, yy):]
		for xx := 0; xx < w; xx++ {
			row[4*xx], row[4*xx+1], row[4*xx+2], row[4*xx+3] = c.R, c.G, c.B, c.A
		}
	}
}

// drawSectionAxes draws the frame, ticks, tick labels and axis titles of a
// section panel.
func drawSectionAxes(img *image.RGBA, r image.Rectangle, l sectionLayout, s Section, xOf func(int) float64,
	xLabel, yLabel string, y0, dy float64, yTicks []float64) {
	frame(img, r.Inset(-1), black)
	// Vertical axis: row i spans [i, i+1) sy-pixel rows; a tick marks the
	// middle of the sample at that time.
	for _, v := range yTicks {
		i := (v - y0) / dy
		if i < -0.5 || i > float64(s.H)-0.5 {
			continue
		}
		y := r.Min.Y + int(math.Round((i+0.5)*float64(l.sy)))
		fillRect(img, r.Min.X-1-tickLen, y, tickLen, 1, black)
		lab := tickLabel(v, yTicks)
		drawText(img, r.Min.X-1-tickLen-3-textWidth(lab, textScale), y-textH/2+1, lab, black, textScale)
	}
	drawTextUp(img, r.Min.X-1-tickLen-3-maxTickWidth(yTicks)-8-textH, r.Min.Y+(r.Dy()+textWidth(yLabel, textScale))/2, yLabel, black, textScale)

	// Horizontal axis: ticks at nice survey numbers, on the column that
	// holds them (survey numbers need not be regular).
	maxTicks := max(3, min(10, r.Dx()/(textWidth("00000", textScale)+12)))
	lo, hi := xOf(0), xOf(s.W-1)
	for _, v := range niceTicks(min(lo, hi), max(lo, hi), maxTicks) {
		j := -1
		for c := 0; c < s.W; c++ {
			if xOf(c) == v {
				j = c
				break
			}
		}
		if j < 0 {
			continue
		}
		x := r.Min.X + j*l.sx + l.sx/2
		fillRect(img, x, r.Max.Y+1, 1, tickLen, black)
		lab := tickLabel(v, nil)
		drawText(img, x-textWidth(lab, textScale)/2, r.Max.Y+1+tickLen+3, lab, black, textScale)
	}
	drawText(img, r.Min.X+(r.Dx()-textWidth(xLabel, textScale))/2, r.Max.Y+1+tickLen+3+textH+6, xLabel, black, textScale)
}

func maxTickWidth(ticks []float64) int {
	w := 0
	for _, v := range ticks {
		w = max(w, textWidth(tickLabel(v, ticks), textScale))
	}
	return w
}

// frame draws the one-pixel outline of r.
func frame(img *image.RGBA, r image.Rectangle, c color.Color) {
	fillRect(img, r.Min.X, r.Min.Y, r.Dx(), 1, c)
	fillRect(img, r.Min.X, r.Max.Y-1, r.Dx(), 1, c)
	fillRect(img, r.Min.X, r.Min.Y, 1, r.Dy(), c)
	fillRect(img, r.Max.X-1, r.Min.Y, 1, r.Dy(), c)
}

// drawTextUp writes s reading upwards (rotated a quarter turn
// anticlockwise) with its baseline side at the left, starting at (x, y),
// the bottom left corner.
func drawTextUp(img *image.RGBA, x, y int, s string, c color.Color, scale int) {
	cy := y
	for _, r := range strings.ToUpper(s) {
		if g, ok := glyphs[r]; ok {
			for gy, row := range g {
				for gx, ch := range row {
					if ch == '#' {
						fillRect(img, x+gy*scale, cy-(gx+1)*scale, scale, scale, c)
					}
				}
			}
		}
		cy -= glyphWidth * scale
	}
}

// legendEntry is one swatch of a legend.
type legendEntry struct {
	label string
	col   color.RGBA
}

func legendEntries(names []string, nclass int, withErrors bool) []legendEntry {
	var out []legendEntry
	for c := 0; c < nclass; c++ {
		label := fmt.Sprint(c)
		if c < len(names) {
			label += " " + names[c]
		}
		out = append(out, legendEntry{label, classColor(c)})
	}
	if withErrors {
		out = append(out, legendEntry{"ERROR", errColor})
	}
	return out
}

// legendColumnWidth is the width of one legend column for entries e.
func legendColumnWidth(e []legendEntry) int {
	w := 0
	for _, x := range e {
		w = max(w, textWidth(x.label, textScale))
	}
	return textH + 8 + w + 24
}

func legendColumns(e []legendEntry, width int) int {
	return max(1, min(len(e), (width-2*pad)/legendColumnWidth(e)))
}

// drawLegend draws swatches with labels in cols columns from (x, y).
func drawLegend(img *image.RGBA, x, y int, e []legendEntry, cols int) {
	cw := legendColumnWidth(e)
	for i, en := range e {
		ex, ey := x+(i%cols)*cw, y+(i/cols)*(textH+8)
		fillRect(img, ex, ey, textH, textH, en.col)
		frame(img, image.Rect(ex, ey, ex+textH, ey+textH), black)
		drawText(img, ex+textH+8, ey+1, en.label, black, textScale)
	}
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

// sectionOpacity is the opacity of the facies overlays in run pictures.
const sectionOpacity = 0.6

// WriteSectionPNG draws a section (see SectionImage) to path atomically.
func WriteSectionPNG(path string, s Section, names []string) error {
	img, err := SectionImage(s, names, sectionOpacity)
	if err != nil {
		return err
	}
	return fileutil.WriteFile(path, func(w io.Writer) error { return png.Encode(w, img) })
}

// niceTicks returns the multiples of a round step (1, 2 or 5 times a
// power of ten) inside [lo, hi]: of the steps that give at most n of them
// (and at least 1), the smallest.
func niceTicks(lo, hi float64, n int) []float64 {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return []float64{lo}
	}
	count := func(step float64) int {
		return int(math.Floor(hi/step+1e-9) - math.Ceil(lo/step-1e-9) + 1)
	}
	step := niceStep((hi - lo) / float64(max(1, n)))
	for count(step) > max(1, n) || count(step) < 1 {
		if count(step) < 1 {
			break
		}
		step = niceStep(step * 1.5) // the next of 1, 2, 5, 10, ...
	}
	var out []float64
	for k := math.Ceil(lo/step - 1e-9); k*step <= hi+step*1e-9; k++ {
		out = append(out, roundTick(k*step, step))
	}
	return out
}

// roundTick removes the floating-point noise of k*step (0.30000000000000004
// becomes 0.3).
func roundTick(v, step float64) float64 {
	scale := math.Pow(10, 3-math.Floor(math.Log10(step)))
	v = math.Round(v*scale) / scale
	if math.Abs(v) < step*1e-9 {
		return 0
	}
	return v
}

// niceStep is the smallest of 1, 2, 5 times a power of ten that is at
// least raw.
func niceStep(raw float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// tickLabel formats v with as many decimals as the spacing of ticks needs
// (none for integers).
func tickLabel(v float64, ticks []float64) string {
	dec := 0
	if len(ticks) > 1 {
		step := math.Abs(ticks[1] - ticks[0])
		for dec < 6 && math.Abs(step*math.Pow(10, float64(dec))-math.Round(step*math.Pow(10, float64(dec)))) > 1e-6 {
			dec++
		}
	} else if v != math.Trunc(v) {
		return fmt.Sprintf("%.3g", v)
	}
	return fmt.Sprintf("%.*f", dec, v)
}

// curve is one line of a plot.
type curve struct {
	name string
	col  color.RGBA
	y    []float64
}

// HistoryImage plots the training loss (left panel) and the validation
// scores PA, MCA, mIoU and boundary F1 (right panel) per epoch. Each
// vertical axis spans its data with a margin, rounded out to tick values
// (the scores are kept within 0 to 1).
func HistoryImage(h []EpochRecord) *image.RGBA {
	const pw, ph = 420, 280
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
	lossCurves := []curve{{"LOSS", color.RGBA{0, 0, 0, 255}, loss}}
	lossFloor := math.Inf(-1)
	if lo, _ := finiteRange(loss); lo >= 0 {
		lossFloor = 0 // a non-negative loss keeps its axis at 0 or above
	}
	lossTicks := axisTicks(lossCurves, lossFloor, math.Inf(1))
	valTicks := axisTicks(val, 0, 1)
	lw, vw := maxTickWidth(lossTicks), maxTickWidth(valTicks)

	// Rows from the top: panel titles, legends, the panels, epoch tick
	// labels and the axis title.
	top := pad + textH + 8 + textH + 10
	left1 := pad + lw + tickLen + 6
	left2 := left1 + pw + 2*pad + vw + tickLen + 6
	r1 := image.Rect(left1, top, left1+pw, top+ph)
	r2 := image.Rect(left2, top, left2+pw, top+ph)
	width := max(r2.Max.X+pad, left2+legendWidth(val)+pad)
	img := image.NewRGBA(image.Rect(0, 0, width, r1.Max.Y+tickLen+3+textH+6+textH+pad))
	fillRect(img, 0, 0, img.Rect.Dx(), img.Rect.Dy(), white)
	plotPanel(img, r1, "TRAINING LOSS", x, lossTicks, lossCurves)
	plotPanel(img, r2, "VALIDATION", x, valTicks, val)
	return img
}

// WriteHistoryPNG plots the history (see HistoryImage) to path atomically.
func WriteHistoryPNG(path string, h []EpochRecord) error {
	img := HistoryImage(h)
	return fileutil.WriteFile(path, func(w io.Writer) error { return png.Encode(w, img) })
}

// axisTicks returns the ticks of a value axis for the curves: their finite
// range widened by 8% on each side (a flat curve by a small amount),
// clamped to [floor, ceil], and rounded out to nice ticks (still within
// floor and ceil). The first and last tick are the axis ends.
func axisTicks(cs []curve, floor, ceil float64) []float64 {
	var all []float64
	for _, c := range cs {
		all = append(all, c.y...)
	}
	lo, hi := finiteRange(all)
	if span := hi - lo; span > 0 {
		lo, hi = lo-0.08*span, hi+0.08*span
	} else {
		d := math.Max(math.Abs(lo)*0.05, 0.01)
		lo, hi = lo-d, hi+d
	}
	lo, hi = math.Max(floor, lo), math.Min(ceil, hi)
	step := niceStep((hi - lo) / 6)
	k0, k1 := math.Floor(lo/step+1e-9), math.Ceil(hi/step-1e-9)
	var out []float64
	for k := k0; k <= k1; k++ {
		out = append(out, math.Max(floor, math.Min(ceil, roundTick(k*step, step))))
	}
	return out
}

func finiteRange(v []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range v {
		if finite(x) {
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
	}
	if lo > hi {
		return 0, 1
	}
	return lo, hi
}

// legendWidth is the width plotPanel's legend row takes.
func legendWidth(cs []curve) int {
	w := 0
	for _, c := range cs {
		w += textH + 6 + textWidth(c.name, textScale) + 18
	}
	return w
}

// plotPanel draws a title, a legend, axes with grid lines and tick labels
// (ticks[0] to ticks[len-1] span the vertical axis; epochs get nice integer
// ticks) and the curves in r.
func plotPanel(img *image.RGBA, r image.Rectangle, title string, x []float64, ticks []float64, cs []curve) {
	drawText(img, r.Min.X, r.Min.Y-2*textH-18, title, black, textScale)
	ylo, yhi := ticks[0], ticks[len(ticks)-1]
	if yhi <= ylo {
		ylo, yhi = ylo-1, ylo+1
	}
	py := func(v float64) int { return r.Max.Y - int(math.Round((v-ylo)/(yhi-ylo)*float64(r.Dy()))) }
	for _, v := range ticks {
		y := py(v)
		hline(img, r.Min.X, r.Max.X, y, gridGrey)
		fillRect(img, r.Min.X-tickLen, y, tickLen, 1, black)
		lab := tickLabel(v, ticks)
		drawText(img, r.Min.X-tickLen-4-textWidth(lab, textScale), y-textH/2+1, lab, black, textScale)
	}
	// Epochs: integer ticks, several of them; the data sit 12 pixels
	// inside the frame so that end points are not on the axes.
	xlo, xhi := 0.0, 1.0
	if len(x) > 0 {
		xlo, xhi = slices.Min(x), slices.Max(x)
	}
	if xhi == xlo {
		xlo, xhi = xlo-1, xhi+1
	}
	const inset = 12
	px := func(v float64) int {
		return r.Min.X + inset + int(math.Round((v-xlo)/(xhi-xlo)*float64(r.Dx()-2*inset)))
	}
	for _, v := range epochTicks(xlo, xhi, max(2, min(8, r.Dx()/(textWidth("0000", textScale)+16)))) {
		xx := px(v)
		fillRect(img, xx, r.Min.Y, 1, r.Dy(), gridGrey)
		fillRect(img, xx, r.Max.Y, 1, tickLen, black)
		lab := fmt.Sprintf("%d", int(v))
		drawText(img, xx-textWidth(lab, textScale)/2, r.Max.Y+tickLen+3, lab, black, textScale)
	}
	drawText(img, (r.Min.X+r.Max.X-textWidth("EPOCH", textScale))/2, r.Max.Y+tickLen+3+textH+6, "EPOCH", black, textScale)
	frame(img, r.Inset(-1), black)
	lx := r.Min.X
	for _, c := range cs {
		fillRect(img, lx, r.Min.Y-textH-10, textH, textH-4, c.col)
		lx += textH + 6
		lx += drawText(img, lx, r.Min.Y-textH-10, c.name, black, textScale) + 18
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

// epochTicks returns about n (at least 2 when the range allows) whole
// epochs in [lo, hi] at a nice spacing.
func epochTicks(lo, hi float64, n int) []float64 {
	t := niceTicks(lo, hi, n)
	if len(t) > 1 && t[1]-t[0] < 1 {
		t = niceTicks(lo, hi, int(hi-lo)+1)
	}
	if len(t) < 2 && hi-lo >= 1 { // a nice step wider than the range
		t = niceTicks(lo, hi, int(hi-lo)+1)
	}
	return slices.DeleteFunc(t, func(v float64) bool { return v != math.Trunc(v) })
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
