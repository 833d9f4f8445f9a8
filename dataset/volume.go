package dataset

import "fmt"

// NumClasses is the number of facies classes of the F3 benchmark.
const NumClasses = 6

// Ignore is the label value that marks pixels without a label (padding,
// missing traces); losses and metrics skip it.
const Ignore uint8 = 255

// ClassNames are the F3 facies units in label order.
var ClassNames = [NumClasses]string{
	"Upper North Sea", "Middle North Sea", "Lower North Sea",
	"Rijnland/Chalk", "Scruff", "Zechstein",
}

// Volume is a dense cube with axes (inline, crossline, sample), index
// (i*NX+j)*NS+k, and its survey coordinates.
type Volume struct {
	// Name says where the volume came from ("train", "test1", ...).
	Name string
	// NI, NX and NS are the numbers of inlines, crosslines and samples.
	NI, NX, NS int
	// Inlines and Crosslines hold the survey number of every index.
	Inlines, Crosslines []int
	// T0 is the time (or depth) of sample 0 and DT the sample interval, in ms.
	T0, DT float64
	// Seismic holds NI*NX*NS amplitudes; nil for a label-only volume.
	Seismic []float32
	// Labels holds NI*NX*NS facies labels (0..5, Ignore); nil when unlabelled.
	Labels []uint8
	// Missing marks traces (index i*NX+j) absent from the source; nil when
	// every trace exists. Their seismic is 0 and their labels Ignore.
	Missing []bool
}

// NewVolume returns a volume of the given size whose survey numbers start at
// il0 and xl0 with step 1, and allocates seismic (and labels when labelled).
func NewVolume(name string, ni, nx, ns, il0, xl0 int, labelled bool) *Volume {
	v := &Volume{Name: name, NI: ni, NX: nx, NS: ns, DT: 4,
		Inlines: seq(il0, ni), Crosslines: seq(xl0, nx),
		Seismic: make([]float32, ni*nx*ns)}
	if labelled {
		v.Labels = make([]uint8, ni*nx*ns)
	}
	return v
}

func seq(start, n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = start + i
	}
	return s
}

// Index returns the offset of voxel (i, j, k) in Seismic and Labels.
func (v *Volume) Index(i, j, k int) int { return (i*v.NX+j)*v.NS + k }

// Validate checks that the sizes, coordinates and arrays agree and that
// every label is a class or Ignore; the error counts bad labels.
func (v *Volume) Validate() error {
	n := v.NI * v.NX * v.NS
	switch {
	case v.NI <= 0 || v.NX <= 0 || v.NS <= 0:
		return fmt.Errorf("volume %s: empty shape %dx%dx%d", v.Name, v.NI, v.NX, v.NS)
	case len(v.Inlines) != v.NI || len(v.Crosslines) != v.NX:
		return fmt.Errorf("volume %s: %d inline and %d crossline numbers for shape %dx%d", v.Name, len(v.Inlines), len(v.Crosslines), v.NI, v.NX)
	case v.Seismic != nil && len(v.Seismic) != n:
		return fmt.Errorf("volume %s: %d seismic values for shape %dx%dx%d", v.Name, len(v.Seismic), v.NI, v.NX, v.NS)
	case v.Labels != nil && len(v.Labels) != n:
		return fmt.Errorf("volume %s: %d labels for shape %dx%dx%d", v.Name, len(v.Labels), v.NI, v.NX, v.NS)
	case v.Missing != nil && len(v.Missing) != v.NI*v.NX:
		return fmt.Errorf("volume %s: missing-trace mask of %d for %d traces", v.Name, len(v.Missing), v.NI*v.NX)
	}
	return CheckLabels(v.Name, v.Labels)
}

// CheckLabels returns an error naming what and counting the labels that are
// neither a class (0..NumClasses-1) nor Ignore.
func CheckLabels(what string, labels []uint8) error {
	bad, first := 0, -1
	for i, l := range labels {
		if l >= NumClasses && l != Ignore {
			if bad == 0 {
				first = i
			}
			bad++
		}
	}
	if bad > 0 {
		return fmt.Errorf("%s: %d labels outside 0..%d and not %d (first %d at index %d)", what, bad, NumClasses-1, Ignore, labels[first], first)
	}
	return nil
}

// Crop returns a copy of the block of inline indices [i0,i1) and crossline
// indices [j0,j1), all samples.
func (v *Volume) Crop(name string, i0, i1, j0, j1 int) (*Volume, error) {
	if i0 < 0 || i1 > v.NI || i0 >= i1 || j0 < 0 || j1 > v.NX || j0 >= j1 {
		return nil, fmt.Errorf("volume %s: crop [%d,%d)x[%d,%d) outside %dx%d", v.Name, i0, i1, j0, j1, v.NI, v.NX)
	}
	c := &Volume{Name: name, NI: i1 - i0, NX: j1 - j0, NS: v.NS, T0: v.T0, DT: v.DT,
		Inlines:    append([]int(nil), v.Inlines[i0:i1]...),
		Crosslines: append([]int(nil), v.Crosslines[j0:j1]...)}
	if v.Seismic != nil {
		c.Seismic = make([]float32, 0, c.NI*c.NX*c.NS)
	}
	if v.Labels != nil {
		c.Labels = make([]uint8, 0, c.NI*c.NX*c.NS)
	}
	if v.Missing != nil {
		c.Missing = make([]bool, 0, c.NI*c.NX)
	}
	for i := i0; i < i1; i++ {
		a, b := v.Index(i, j0, 0), v.Index(i, j1, 0)
		if v.Seismic != nil {
			c.Seismic = append(c.Seismic, v.Seismic[a:b]...)
		}
		if v.Labels != nil {
			c.Labels = append(c.Labels, v.Labels[a:b]...)
		}
		if v.Missing != nil {
			c.Missing = append(c.Missing, v.Missing[i*v.NX+j0:i*v.NX+j1]...)
		}
	}
	return c, nil
}

// Direction selects inline or crossline sections.
type Direction int

const (
	// InlineDir sections are vol[i,:,:]: columns run along crosslines.
	InlineDir Direction = iota
	// CrosslineDir sections are vol[:,j,:]: columns run along inlines.
	CrosslineDir
)

// String returns "inline" or "crossline".
func (d Direction) String() string {
	if d == InlineDir {
		return "inline"
	}
	return "crossline"
}

// ParseDirection accepts "inline" or "crossline".
func ParseDirection(s string) (Direction, error) {
	switch s {
	case "inline", "il":
		return InlineDir, nil
	case "crossline", "xl":
		return CrosslineDir, nil
	}
	return 0, fmt.Errorf("direction %q: want inline or crossline", s)
}

// NumSections returns how many sections the volume has in direction d.
func (v *Volume) NumSections(d Direction) int {
	if d == InlineDir {
		return v.NI
	}
	return v.NX
}

// sectionWidth returns the number of columns of a section in direction d.
func (v *Volume) sectionWidth(d Direction) int {
	if d == InlineDir {
		return v.NX
	}
	return v.NI
}

// voxel returns the volume index of (row r, column c) of section idx.
func (v *Volume) voxel(d Direction, idx, r, c int) int {
	if d == InlineDir {
		return v.Index(idx, c, r)
	}
	return v.Index(c, idx, r)
}

// Section is a 2-D slice of a volume, rows = samples (depth) and columns =
// the horizontal axis, stored row-major (r*Cols+c).
type Section struct {
	// Dir and Index locate the section in its volume; Number is its survey
	// inline or crossline number.
	Dir           Direction
	Index, Number int
	// Rows (samples) and Cols (traces) give the size.
	Rows, Cols int
	// Seismic and Labels (nil when unlabelled) hold Rows*Cols values.
	Seismic []float32
	Labels  []uint8
}

// Section extracts section idx in direction d, transposed to depth rows x
// horizontal columns.
func (v *Volume) Section(d Direction, idx int) (Section, error) {
	if idx < 0 || idx >= v.NumSections(d) {
		return Section{}, fmt.Errorf("volume %s: %s section %d outside 0..%d", v.Name, d, idx, v.NumSections(d)-1)
	}
	s := Section{Dir: d, Index: idx, Rows: v.NS, Cols: v.sectionWidth(d)}
	if d == InlineDir {
		s.Number = v.Inlines[idx]
	} else {
		s.Number = v.Crosslines[idx]
	}
	if v.Seismic != nil {
		s.Seismic = make([]float32, s.Rows*s.Cols)
	}
	if v.Labels != nil {
		s.Labels = make([]uint8, s.Rows*s.Cols)
	}
	for c := 0; c < s.Cols; c++ {
		base := v.voxel(d, idx, 0, c)
		for r := 0; r < s.Rows; r++ {
			if s.Seismic != nil {
				s.Seismic[r*s.Cols+c] = v.Seismic[base+r]
			}
			if s.Labels != nil {
				s.Labels[r*s.Cols+c] = v.Labels[base+r]
			}
		}
	}
	return s, nil
}

// Pad returns the section grown to at least rows x cols (extra rows at the
// bottom, extra columns at the right) with seismic 0 and labels Ignore, so a
// network with fixed divisibility can take it; crop its output back to
// s.Rows x s.Cols.
func (s Section) Pad(rows, cols int) Section {
	rows, cols = max(rows, s.Rows), max(cols, s.Cols)
	if rows == s.Rows && cols == s.Cols {
		return s
	}
	p := Section{Dir: s.Dir, Index: s.Index, Number: s.Number, Rows: rows, Cols: cols}
	if s.Seismic != nil {
		p.Seismic = make([]float32, rows*cols)
	}
	if s.Labels != nil {
		p.Labels = make([]uint8, rows*cols)
		for i := range p.Labels {
			p.Labels[i] = Ignore
		}
	}
	for r := 0; r < s.Rows; r++ {
		if s.Seismic != nil {
			copy(p.Seismic[r*cols:], s.Seismic[r*s.Cols:(r+1)*s.Cols])
		}
		if s.Labels != nil {
			copy(p.Labels[r*cols:], s.Labels[r*s.Cols:(r+1)*s.Cols])
		}
	}
	return p
}
