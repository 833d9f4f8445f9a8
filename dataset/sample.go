package dataset

import "fmt"

// SplitValidation holds out the last fraction of crosslines (holdout =
// CrosslineDir, the default) or inlines (InlineDir) as one contiguous
// validation block and returns the remaining training block and the held-out
// block as separate volumes. Patches drawn from train therefore can never
// overlap a validation section. At least one section stays on each side.
func SplitValidation(v *Volume, holdout Direction, fraction float64) (train, val *Volume, err error) {
	n := v.NumSections(holdout)
	if fraction <= 0 || fraction >= 1 {
		return nil, nil, fmt.Errorf("validation fraction %g: want 0 < f < 1", fraction)
	}
	k := int(float64(n)*fraction + 0.5)
	k = max(1, min(k, n-1))
	if n < 2 {
		return nil, nil, fmt.Errorf("volume %s: %d %ss, cannot hold out validation", v.Name, n, holdout)
	}
	cut := n - k
	if holdout == CrosslineDir {
		train, err = v.Crop(v.Name+"-train", 0, v.NI, 0, cut)
		if err == nil {
			val, err = v.Crop(v.Name+"-val", 0, v.NI, cut, n)
		}
	} else {
		train, err = v.Crop(v.Name+"-train", 0, cut, 0, v.NX)
		if err == nil {
			val, err = v.Crop(v.Name+"-val", cut, n, 0, v.NX)
		}
	}
	return train, val, err
}

// Sections returns every section of the volume in direction d.
func (v *Volume) Sections(d Direction) []Section {
	out := make([]Section, v.NumSections(d))
	for i := range out {
		out[i], _ = v.Section(d, i)
	}
	return out
}

// Patch locates a square patch: section Index in direction Dir, top-left
// corner at (Row, Col) of that section (rows = samples).
type Patch struct {
	Dir             Direction
	Index, Row, Col int
}

// PatchPositions returns the start offsets of windows of length size over
// an axis of length n, stepped by stride, with the last window flush with
// the end so the whole axis is covered. When n <= size there is a single
// window at 0 (the rest is padding).
func PatchPositions(n, size, stride int) []int {
	if n <= size {
		return []int{0}
	}
	var p []int
	for s := 0; s+size <= n; s += stride {
		p = append(p, s)
	}
	if p[len(p)-1] != n-size {
		p = append(p, n-size)
	}
	return p
}

// PatchGrid lists the patches of size x size with the given stride over
// every section of the volume in each direction of dirs (both directions
// when dirs is empty). Rows and columns both end flush with the section
// edge, so the bottom and the right of the volume are sampled.
func PatchGrid(v *Volume, size, stride int, dirs ...Direction) ([]Patch, error) {
	if size <= 0 || stride <= 0 {
		return nil, fmt.Errorf("patch size %d, stride %d: want both > 0", size, stride)
	}
	if stride > size {
		return nil, fmt.Errorf("patch stride %d > size %d would leave gaps", stride, size)
	}
	if len(dirs) == 0 {
		dirs = []Direction{InlineDir, CrosslineDir}
	}
	var out []Patch
	for _, d := range dirs {
		rows := PatchPositions(v.NS, size, stride)
		cols := PatchPositions(v.sectionWidth(d), size, stride)
		for idx := 0; idx < v.NumSections(d); idx++ {
			for _, r := range rows {
				for _, c := range cols {
					out = append(out, Patch{Dir: d, Index: idx, Row: r, Col: c})
				}
			}
		}
	}
	return out, nil
}

// ExtractPatch copies patch p (size x size, row-major) into x (seismic) and
// y (labels as int32, may be nil). Cells outside the volume are padding:
// seismic 0 and label Ignore.
func (v *Volume) ExtractPatch(p Patch, size int, x []float32, y []int32) {
	w := v.sectionWidth(p.Dir)
	for r := 0; r < size; r++ {
		for c := 0; c < size; c++ {
			o := r*size + c
			rr, cc := p.Row+r, p.Col+c
			if rr >= v.NS || cc >= w {
				x[o] = 0
				if y != nil {
					y[o] = int32(Ignore)
				}
				continue
			}
			i := v.voxel(p.Dir, p.Index, rr, cc)
			x[o] = v.Seismic[i]
			if y != nil {
				y[o] = int32(v.Labels[i])
			}
		}
	}
}
