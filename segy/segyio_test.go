package segy

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// segyioScript prints what segyio makes of a file: line numbers, sample
// interval and every sample as float64.
const segyioScript = `
import json, sys, segyio
with segyio.open(sys.argv[1], endian=sys.argv[2]) as f:
    print(json.dumps({"ilines": [int(x) for x in f.ilines], "xlines": [int(x) for x in f.xlines],
        "dt": float(segyio.tools.dt(f)), "samples": [float(v) for t in f.trace for v in t]}))
`

// TestSegyioReadsWhatWeWrite writes small cubes in every format segyio
// 1.8.3 implements, in both byte orders, and checks segyio reads back the
// same geometry and the same samples. It needs /usr/bin/python3 with
// segyio (Debian python3-segyio) and skips otherwise.
func TestSegyioReadsWhatWeWrite(t *testing.T) {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import segyio").Run(); err != nil {
		t.Skip("python3-segyio not installed")
	}
	ils, xls := []int{5, 6, 7}, []int{30, 32}
	const ns = 6
	data := make([]float32, len(ils)*len(xls)*ns)
	for i := range data {
		data[i] = float32(i%11-5) * 2.5
	}
	for _, fm := range []Format{FormatIBM, FormatInt32, FormatInt16, FormatIEEE, FormatInt8} {
		for _, end := range []Endian{BigEndian, LittleEndian} {
			path := filepath.Join(t.TempDir(), "cube.sgy")
			vals := data
			if fm.Integer() {
				vals = make([]float32, len(data))
				for i, v := range data {
					vals[i] = float32(int(v * 2))
				}
			}
			if err := WriteCube(path, Cube{Inlines: ils, Crosslines: xls, Samples: ns, Data: vals, Interval: 2000, Format: fm, Endian: end}); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(py, "-c", segyioScript, path, end.String()).Output()
			if err != nil {
				t.Fatalf("format %d %v: segyio: %v", fm, end, err)
			}
			var got struct {
				Ilines, Xlines []int
				Dt             float64
				Samples        []float64
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Ilines, ils) || !slices.Equal(got.Xlines, xls) || got.Dt != 2000 || len(got.Samples) != len(vals) {
				t.Fatalf("format %d %v: segyio sees %v %v dt %v, %d samples", fm, end, got.Ilines, got.Xlines, got.Dt, len(got.Samples))
			}
			for i, v := range vals {
				if got.Samples[i] != float64(v) {
					t.Fatalf("format %d %v: sample %d: segyio %v, wrote %v", fm, end, i, got.Samples[i], v)
				}
			}
		}
	}
}
