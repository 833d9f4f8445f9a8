package train

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Confusion is a K x K confusion matrix: M[t*K+p] counts pixels of true class
// t predicted as class p (rows are the truth, as in F3_DATA.md section 4).
type Confusion struct {
	K int
	M []int64
}

// NewConfusion returns an empty confusion matrix for k classes.
func NewConfusion(k int) *Confusion {
	return &Confusion{K: k, M: make([]int64, k*k)}
}

// Add counts the pixels of truth against pred. Truth values outside 0..K-1
// (such as the ignore label 255 or -1) are skipped; a prediction outside
// 0..K-1 on a counted pixel is an error.
func (c *Confusion) Add(truth, pred []int32) error {
	if len(truth) != len(pred) {
		return fmt.Errorf("confusion: %d labels but %d predictions", len(truth), len(pred))
	}
	k := int32(c.K)
	for i, t := range truth {
		if t < 0 || t >= k {
			continue
		}
		p := pred[i]
		if p < 0 || p >= k {
			return fmt.Errorf("confusion: prediction %d at pixel %d is not a class in 0..%d", p, i, k-1)
		}
		c.M[int(t)*c.K+int(p)]++
	}
	return nil
}

// Merge adds the counts of o, which must have the same number of classes.
func (c *Confusion) Merge(o *Confusion) error {
	if o.K != c.K {
		return fmt.Errorf("confusion: cannot merge %d classes into %d", o.K, c.K)
	}
	for i, v := range o.M {
		c.M[i] += v
	}
	return nil
}

// Total is the number of counted pixels.
func (c *Confusion) Total() int64 {
	var s int64
	for _, v := range c.M {
		s += v
	}
	return s
}

// Matrix returns the counts as rows (true class) of columns (predicted class).
func (c *Confusion) Matrix() [][]int64 {
	out := make([][]int64, c.K)
	for t := range out {
		out[t] = append([]int64(nil), c.M[t*c.K:(t+1)*c.K]...)
	}
	return out
}

// Scores is a list of per-class scores; NaN marks a class without pixels in
// the truth and is written as null in JSON.
type Scores []float64

// MarshalJSON writes NaN entries as null.
func (s Scores) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, v := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			b.WriteString("null")
			continue
		}
		b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
	}
	b.WriteByte(']')
	return b.Bytes(), nil
}

// UnmarshalJSON reads null entries as NaN.
func (s *Scores) UnmarshalJSON(data []byte) error {
	var raw []*float64
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	out := make(Scores, len(raw))
	for i, p := range raw {
		out[i] = math.NaN()
		if p != nil {
			out[i] = *p
		}
	}
	*s = out
	return nil
}

// Metrics are the scores of one evaluation. The JSON keys are those of
// `segloss eval --json` and of a run's metrics.json.
type Metrics struct {
	// PA is the pixel accuracy: trace / total.
	PA float64 `json:"pa"`
	// MCA is the mean class accuracy over the classes present in the truth.
	MCA float64 `json:"mca"`
	// FWIU is the frequency-weighted IoU: sum of row_c/total * IoU_c.
	FWIU float64 `json:"fwiu"`
	// MIoU is the mean IoU over the classes present in the truth.
	MIoU float64 `json:"miou"`
	// ClassAccuracy is M[c,c]/row_c per class (NaN/null when row_c is 0).
	ClassAccuracy Scores `json:"class_accuracy"`
	// IoU is M[c,c]/(row_c+col_c-M[c,c]) per class (NaN/null when row_c is 0).
	IoU Scores `json:"iou"`
	// BoundaryF1 is the F1 score of predicted against true facies boundaries
	// at the boundary tolerance.
	BoundaryF1 float64 `json:"boundary_f1"`
	// Confusion is the confusion matrix, rows true class, columns predicted.
	Confusion [][]int64 `json:"confusion"`
	// Pixels is the number of labelled pixels scored.
	Pixels int64 `json:"pixels"`
}

// Metrics computes PA, class accuracy, MCA, IoU, mIoU and FWIU as defined in
// F3_DATA.md section 4. Means run over the classes present in the truth
// (row_c > 0). An empty matrix gives NaN scores. BoundaryF1 is left at 0.
func (c *Confusion) Metrics() Metrics {
	k := c.K
	total := c.Total()
	m := Metrics{
		ClassAccuracy: make(Scores, k),
		IoU:           make(Scores, k),
		Confusion:     c.Matrix(),
		Pixels:        total,
	}
	var trace int64
	var sumAcc, sumIoU, fwiu float64
	present := 0
	for i := 0; i < k; i++ {
		var row, col int64
		for j := 0; j < k; j++ {
			row += c.M[i*k+j]
			col += c.M[j*k+i]
		}
		d := c.M[i*k+i]
		trace += d
		m.ClassAccuracy[i], m.IoU[i] = math.NaN(), math.NaN()
		if row == 0 {
			continue
		}
		present++
		acc := float64(d) / float64(row)
		iou := float64(d) / float64(row+col-d)
		m.ClassAccuracy[i], m.IoU[i] = acc, iou
		sumAcc += acc
		sumIoU += iou
		fwiu += float64(row) / float64(total) * iou
	}
	if total == 0 {
		nan := math.NaN()
		m.PA, m.MCA, m.MIoU, m.FWIU = nan, nan, nan, nan
		return m
	}
	m.PA = float64(trace) / float64(total)
	m.MCA = sumAcc / float64(present)
	m.MIoU = sumIoU / float64(present)
	m.FWIU = fwiu
	return m
}

// metricsJSON is the wire form of Metrics: scalar scores may be null.
type metricsJSON struct {
	PA            *float64  `json:"pa"`
	MCA           *float64  `json:"mca"`
	FWIU          *float64  `json:"fwiu"`
	MIoU          *float64  `json:"miou"`
	ClassAccuracy Scores    `json:"class_accuracy"`
	IoU           Scores    `json:"iou"`
	BoundaryF1    *float64  `json:"boundary_f1"`
	Confusion     [][]int64 `json:"confusion"`
	Pixels        int64     `json:"pixels"`
}

// MarshalJSON writes NaN scalar scores as null, so an empty evaluation still
// gives valid JSON.
func (m Metrics) MarshalJSON() ([]byte, error) {
	opt := func(v float64) *float64 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		return &v
	}
	return json.Marshal(metricsJSON{opt(m.PA), opt(m.MCA), opt(m.FWIU), opt(m.MIoU), m.ClassAccuracy, m.IoU,
		opt(m.BoundaryF1), m.Confusion, m.Pixels})
}

// UnmarshalJSON reads what MarshalJSON writes (null scores become NaN).
func (m *Metrics) UnmarshalJSON(data []byte) error {
	var p metricsJSON
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	val := func(v *float64) float64 {
		if v == nil {
			return math.NaN()
		}
		return *v
	}
	*m = Metrics{PA: val(p.PA), MCA: val(p.MCA), FWIU: val(p.FWIU), MIoU: val(p.MIoU),
		BoundaryF1: val(p.BoundaryF1), ClassAccuracy: p.ClassAccuracy, IoU: p.IoU,
		Confusion: p.Confusion, Pixels: p.Pixels}
	return nil
}

// WriteTable prints the metrics as a small human-readable table, one row per
// class followed by the summary scores. names may be nil.
func (m Metrics) WriteTable(w io.Writer, title string, names []string) error {
	var b strings.Builder
	if title != "" {
		fmt.Fprintf(&b, "%s (%d pixels)\n", title, m.Pixels)
	}
	fmt.Fprintf(&b, "  %-22s %9s %9s %12s\n", "class", "accuracy", "IoU", "pixels")
	for c := range m.ClassAccuracy {
		name := fmt.Sprintf("class %d", c)
		if c < len(names) && names[c] != "" {
			name = fmt.Sprintf("%d %s", c, names[c])
		}
		var row int64
		if c < len(m.Confusion) {
			for _, v := range m.Confusion[c] {
				row += v
			}
		}
		fmt.Fprintf(&b, "  %-22s %9s %9s %12d\n", name, fmtScore(m.ClassAccuracy[c]), fmtScore(m.IoU[c]), row)
	}
	fmt.Fprintf(&b, "  PA %s  MCA %s  FWIU %s  mIoU %s  boundary F1 %s\n",
		fmtScore(m.PA), fmtScore(m.MCA), fmtScore(m.FWIU), fmtScore(m.MIoU), fmtScore(m.BoundaryF1))
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteConfusion prints the confusion matrix: one row per true class, one
// column per predicted class, counts of pixels. names may be nil.
func (m Metrics) WriteConfusion(w io.Writer, names []string) error {
	k := len(m.Confusion)
	width := 9
	for _, row := range m.Confusion {
		for _, v := range row {
			width = max(width, len(strconv.FormatInt(v, 10))+2)
		}
	}
	label := func(c int) string {
		if c < len(names) && names[c] != "" {
			return fmt.Sprintf("%d %s", c, names[c])
		}
		return fmt.Sprintf("class %d", c)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "  confusion matrix (pixels; rows: true class, columns: predicted class)\n  %-22s", "true \\ predicted")
	for c := 0; c < k; c++ {
		fmt.Fprintf(&b, "%*d", width, c)
	}
	b.WriteByte('\n')
	for t, row := range m.Confusion {
		fmt.Fprintf(&b, "  %-22s", label(t))
		for _, v := range row {
			fmt.Fprintf(&b, "%*d", width, v)
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func fmtScore(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}

// BoundaryScore accumulates a boundary F1 score over many sections. A pixel is
// a boundary pixel when its label differs from the pixel below or to the
// right and both are labelled. A predicted boundary pixel is a hit when a true
// boundary pixel lies within Tolerance pixels (square window, Chebyshev
// distance), and a true boundary pixel is found when a predicted one lies
// within the same distance. Precision, recall and F1 are pooled over every
// added section.
type BoundaryScore struct {
	// Tolerance is the matching distance in pixels.
	Tolerance int
	// K is the number of classes; truth outside 0..K-1 is unlabelled.
	K int

	predHit, predAll, trueHit, trueAll int64
}

// Add scores one h x w section (row-major). Pixels whose truth is outside
// 0..K-1 take part in no boundary.
func (b *BoundaryScore) Add(truth, pred []int32, h, w int) error {
	if len(truth) != h*w || len(pred) != h*w {
		return fmt.Errorf("boundary score: section %dx%d needs %d pixels, got %d labels and %d predictions",
			h, w, h*w, len(truth), len(pred))
	}
	k := int32(b.K)
	valid := make([]bool, h*w)
	for i, t := range truth {
		valid[i] = t >= 0 && t < k
	}
	tb := edges(truth, valid, h, w)
	pb := edges(pred, valid, h, w)
	tn := dilate(tb, h, w, b.Tolerance)
	pn := dilate(pb, h, w, b.Tolerance)
	for i := range tb {
		if pb[i] {
			b.predAll++
			if tn[i] {
				b.predHit++
			}
		}
		if tb[i] {
			b.trueAll++
			if pn[i] {
				b.trueHit++
			}
		}
	}
	return nil
}

// Merge adds the counts of o.
func (b *BoundaryScore) Merge(o *BoundaryScore) {
	b.predHit += o.predHit
	b.predAll += o.predAll
	b.trueHit += o.trueHit
	b.trueAll += o.trueAll
}

// Precision is the fraction of predicted boundary pixels near a true one.
func (b *BoundaryScore) Precision() float64 { return ratio(b.predHit, b.predAll) }

// Recall is the fraction of true boundary pixels near a predicted one.
func (b *BoundaryScore) Recall() float64 { return ratio(b.trueHit, b.trueAll) }

// F1 is the harmonic mean of precision and recall. With no boundary in
// either the truth or the prediction it is 1 (perfect agreement); with
// boundaries in only one of them it is 0.
func (b *BoundaryScore) F1() float64 {
	switch {
	case b.predAll == 0 && b.trueAll == 0:
		return 1
	case b.predAll == 0 || b.trueAll == 0:
		return 0
	}
	p, r := b.Precision(), b.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

// edges marks pixels whose label differs from the one below or to the right,
// both labelled.
func edges(lab []int32, valid []bool, h, w int) []bool {
	out := make([]bool, h*w)
	for i := 0; i < h; i++ {
		for j := 0; j < w; j++ {
			p := i*w + j
			if !valid[p] {
				continue
			}
			if i+1 < h && valid[p+w] && lab[p+w] != lab[p] {
				out[p] = true
			}
			if j+1 < w && valid[p+1] && lab[p+1] != lab[p] {
				out[p] = true
			}
		}
	}
	return out
}

// dilate grows a mask by r pixels in a (2r+1)^2 square window, with running
// counts along rows and then columns.
func dilate(m []bool, h, w, r int) []bool {
	if r <= 0 {
		return append([]bool(nil), m...)
	}
	rows := make([]bool, h*w)
	for i := 0; i < h; i++ {
		slide(m, rows, i*w, 1, w, r)
	}
	out := make([]bool, h*w)
	for j := 0; j < w; j++ {
		slide(rows, out, j, w, h, r)
	}
	return out
}

// slide sets dst at every position within r of a true position of src along
// the line of n elements that starts at off with the given stride.
func slide(src, dst []bool, off, stride, n, r int) {
	count := 0
	for j := 0; j < n+r; j++ {
		if j < n && src[off+j*stride] {
			count++
		}
		if k := j - 2*r - 1; k >= 0 && k < n && src[off+k*stride] {
			count--
		}
		if c := j - r; c >= 0 && count > 0 {
			dst[off+c*stride] = true
		}
	}
}

// Scorer gathers the confusion matrix and the boundary score of an
// evaluation.
type Scorer struct {
	Confusion *Confusion
	Boundary  *BoundaryScore
}

// NewScorer returns a scorer for k classes with a boundary tolerance in
// pixels.
func NewScorer(k, tolerance int) *Scorer {
	return &Scorer{Confusion: NewConfusion(k), Boundary: &BoundaryScore{Tolerance: tolerance, K: k}}
}

// Add scores one h x w section.
func (s *Scorer) Add(truth, pred []int32, h, w int) error {
	if err := s.Confusion.Add(truth, pred); err != nil {
		return err
	}
	return s.Boundary.Add(truth, pred, h, w)
}

// Merge adds the counts of o.
func (s *Scorer) Merge(o *Scorer) error {
	if err := s.Confusion.Merge(o.Confusion); err != nil {
		return err
	}
	s.Boundary.Merge(o.Boundary)
	return nil
}

// Metrics returns every score, boundary F1 included.
func (s *Scorer) Metrics() Metrics {
	m := s.Confusion.Metrics()
	m.BoundaryF1 = s.Boundary.F1()
	return m
}
