package loss

import "math"

// CityBlock writes into dst (len h*w) the city-block (L1, 4-connected) distance from every pixel to the nearest
// pixel where feature is true, capped at limit: dst = min(limit, distance). Feature pixels get 0; without any
// feature pixel every entry is limit. It runs in linear time (two raster sweeps) and agrees with
// scipy.ndimage.distance_transform_cdt(~feature, metric='taxicab') wherever that distance is below limit.
func CityBlock(feature []bool, h, w int, limit int32, dst []int32) {
	cityBlock8(bytesOf(feature), h, w, limit, dst)
}

// cityBlock8 is CityBlock on 0/1 bytes.
func cityBlock8(feature []uint8, h, w int, limit int32, dst []int32) {
	for i := 0; i < h; i++ {
		row := dst[i*w : (i+1)*w]
		for j := range row {
			d := limit
			if feature[i*w+j] != 0 {
				d = 0
			} else {
				if i > 0 && dst[(i-1)*w+j] < d-1 {
					d = dst[(i-1)*w+j] + 1
				}
				if j > 0 && row[j-1] < d-1 {
					d = row[j-1] + 1
				}
			}
			row[j] = d
		}
	}
	for i := h - 1; i >= 0; i-- {
		row := dst[i*w : (i+1)*w]
		for j := w - 1; j >= 0; j-- {
			d := row[j]
			if i < h-1 && dst[(i+1)*w+j] < d-1 {
				d = dst[(i+1)*w+j] + 1
			}
			if j < w-1 && row[j+1] < d-1 {
				d = row[j+1] + 1
			}
			row[j] = d
		}
	}
}

// edtScratch holds the buffers of the lower-envelope pass.
type edtScratch struct {
	f, z []float64
	v    []int
	col  []int64
}

const edtInf = math.MaxInt64 / 4

// EuclideanSq writes into dst (len h*w) the squared Euclidean distance from every pixel to the nearest pixel
// where feature is true (0 on feature pixels) and reports whether any feature pixel exists; without one, dst is
// left as -1 everywhere. The algorithm is the separable exact transform of Felzenszwalb and Huttenlocher (a
// column pass, then the lower envelope of parabolas along rows), linear in h*w and exact in integers, so
// math.Sqrt of an entry equals scipy.ndimage.distance_transform_edt bit for bit.
func EuclideanSq(feature []bool, h, w int, dst []int64) bool {
	var s edtScratch
	return s.run(feature, h, w, dst)
}

func (s *edtScratch) run(feature []bool, h, w int, dst []int64) bool {
	any := false
	for _, f := range feature[:h*w] {
		if f {
			any = true
			break
		}
	}
	if !any {
		for i := range dst[:h*w] {
			dst[i] = -1
		}
		return false
	}
	// Column pass: 1-D distance to the nearest feature pixel in the same column, squared. It runs down and then
	// up the image a whole row at a time, carrying one running distance per column.
	run := grow(&s.col, w)
	for j := range run {
		run[j] = edtInf
	}
	for i := 0; i < h; i++ {
		f, out := feature[i*w:(i+1)*w], dst[i*w:(i+1)*w]
		f, run := f[:len(out)], run[:len(out)]
		for j := range out {
			d := run[j]
			if f[j] {
				d = 0
			} else if d != edtInf {
				d++
			}
			run[j], out[j] = d, d
		}
	}
	for j := range run {
		run[j] = edtInf
	}
	for i := h - 1; i >= 0; i-- {
		f, out := feature[i*w:(i+1)*w], dst[i*w:(i+1)*w]
		f, run := f[:len(out)], run[:len(out)]
		for j := range out {
			d := run[j]
			if f[j] {
				d = 0
			} else if d != edtInf {
				d++
			}
			run[j] = d
			v := min(out[j], d)
			if v != edtInf {
				v *= v
			}
			out[j] = v
		}
	}
	// Row pass: lower envelope of the parabolas (q-j)^2 + f(q).
	s.f = grow(&s.f, w)
	s.z = grow(&s.z, w+1)
	s.v = grow(&s.v, w)
	s.col = grow(&s.col, w)
	for i := 0; i < h; i++ {
		row := dst[i*w : (i+1)*w]
		k := -1
		for q := 0; q < w; q++ {
			if row[q] == edtInf {
				continue
			}
			fq := float64(row[q]) + float64(q*q)
			for k >= 0 {
				p := s.v[k]
				sp := (fq - (float64(row[p]) + float64(p*p))) / float64(2*(q-p))
				if sp <= s.z[k] {
					k--
					continue
				}
				k++
				s.v[k], s.z[k] = q, sp
				break
			}
			if k < 0 {
				k = 0
				s.v[0], s.z[0] = q, math.Inf(-1)
			}
			s.z[k+1] = math.Inf(1)
		}
		if k < 0 {
			continue // no finite entry in this row cannot happen once a feature exists, but keep rows intact
		}
		copy(s.col, row)
		kk := 0
		for q := 0; q < w; q++ {
			for s.z[kk+1] < float64(q) {
				kk++
			}
			p := s.v[kk]
			dq := int64(q - p)
			row[q] = dq*dq + s.col[p]
		}
	}
	return true
}
