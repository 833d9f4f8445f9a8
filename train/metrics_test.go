package train

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func near(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) < 1e-12
}

func TestConfusionMetricsHandComputed(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name        string
		k           int
		truth, pred []int32
		confusion   [][]int64
		pa, mca     float64
		miou, fwiu  float64
		acc, iou    []float64
	}{
		{
			name:  "three classes with an ignored pixel",
			k:     3,
			truth: []int32{0, 0, 0, 1, 1, 2, 255},
			pred:  []int32{0, 0, 1, 1, 2, 2, 0},
			confusion: [][]int64{
				{2, 1, 0},
				{0, 1, 1},
				{0, 0, 1},
			},
			pa: 4.0 / 6, mca: 13.0 / 18, miou: 0.5, fwiu: 19.0 / 36,
			acc: []float64{2.0 / 3, 0.5, 1}, iou: []float64{2.0 / 3, 1.0 / 3, 0.5},
		},
		{
			name:  "class predicted but absent from the truth",
			k:     3,
			truth: []int32{0, 0, 1, 1},
			pred:  []int32{0, 2, 1, 1},
			confusion: [][]int64{
				{1, 0, 1},
				{0, 2, 0},
				{0, 0, 0},
			},
			pa: 0.75, mca: 0.75, miou: 0.75, fwiu: 0.75,
			acc: []float64{0.5, 1, nan}, iou: []float64{0.5, 1, nan},
		},
		{
			name:  "perfect prediction",
			k:     2,
			truth: []int32{1, 1, 0, -1},
			pred:  []int32{1, 1, 0, 1},
			confusion: [][]int64{
				{1, 0},
				{0, 2},
			},
			pa: 1, mca: 1, miou: 1, fwiu: 1,
			acc: []float64{1, 1}, iou: []float64{1, 1},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := NewConfusion(tc.k)
			if err := c.Add(tc.truth, tc.pred); err != nil {
				t.Fatal(err)
			}
			m := c.Metrics()
			for i, row := range tc.confusion {
				for j, v := range row {
					if m.Confusion[i][j] != v {
						t.Fatalf("confusion %v, want %v", m.Confusion, tc.confusion)
					}
				}
			}
			for _, s := range []struct {
				name      string
				got, want float64
			}{{"PA", m.PA, tc.pa}, {"MCA", m.MCA, tc.mca}, {"mIoU", m.MIoU, tc.miou}, {"FWIU", m.FWIU, tc.fwiu}} {
				if !near(s.got, s.want) {
					t.Errorf("%s = %v, want %v", s.name, s.got, s.want)
				}
			}
			for i := range tc.acc {
				if !near(m.ClassAccuracy[i], tc.acc[i]) || !near(m.IoU[i], tc.iou[i]) {
					t.Errorf("class %d: accuracy %v IoU %v, want %v %v", i, m.ClassAccuracy[i], m.IoU[i], tc.acc[i], tc.iou[i])
				}
			}
		})
	}
}

func TestConfusionErrors(t *testing.T) {
	c := NewConfusion(2)
	if err := c.Add([]int32{0}, []int32{0, 1}); err == nil {
		t.Fatal("length mismatch accepted")
	}
	if err := c.Add([]int32{0}, []int32{2}); err == nil || !strings.Contains(err.Error(), "prediction 2") {
		t.Fatalf("out-of-range prediction: %v", err)
	}
	if err := c.Merge(NewConfusion(3)); err == nil {
		t.Fatal("merging 3 classes into 2 accepted")
	}
	m := NewConfusion(2).Metrics()
	if !math.IsNaN(m.PA) || m.Pixels != 0 {
		t.Fatalf("empty matrix: PA %v pixels %d", m.PA, m.Pixels)
	}
}

func TestBoundaryF1(t *testing.T) {
	// Truth: rows 0-2 class 0, rows 3-5 class 1; the boundary lies on row 2.
	truth := make([]int32, 36)
	for i := 18; i < 36; i++ {
		truth[i] = 1
	}
	shifted := make([]int32, 36) // boundary one row lower
	for i := 24; i < 36; i++ {
		shifted[i] = 1
	}
	spur := append([]int32(nil), truth...) // column 5 of rows 0-2 is class 2
	for i := 0; i < 3; i++ {
		spur[i*6+5] = 2
	}
	ignored := append([]int32(nil), truth...) // row 3 unlabelled
	for j := 0; j < 6; j++ {
		ignored[18+j] = 255
	}
	cases := []struct {
		name        string
		truth, pred []int32
		tol         int
		f1          float64
	}{
		{"exact", truth, truth, 0, 1},
		{"shifted one row, no tolerance", truth, shifted, 0, 0},
		{"shifted one row, tolerance 1", truth, shifted, 1, 1},
		// pred boundary: row 2 (6 pixels) + (0,4), (1,4): precision 6/8, recall 1.
		{"spurious contact, no tolerance", truth, spur, 0, 6.0 / 7},
		// (1,4) is one pixel from (2,4): precision 7/8.
		{"spurious contact, tolerance 1", truth, spur, 1, 14.0 / 15},
		// contacts with the unlabelled row 3 count in neither map
		{"contact with unlabelled row", ignored, truth, 0, 1},
		// only the spurious vertical contact remains, absent from the truth
		{"spurious contact, unlabelled row", ignored, spur, 2, 0},
		{"no boundary anywhere", make([]int32, 36), make([]int32, 36), 3, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := &BoundaryScore{Tolerance: tc.tol, K: 3}
			if err := b.Add(tc.truth, tc.pred, 6, 6); err != nil {
				t.Fatal(err)
			}
			if got := b.F1(); !near(got, tc.f1) {
				t.Fatalf("F1 = %v, want %v (precision %v recall %v)", got, tc.f1, b.Precision(), b.Recall())
			}
		})
	}
	if err := (&BoundaryScore{K: 2}).Add(truth, truth, 5, 6); err == nil {
		t.Fatal("wrong section size accepted")
	}
}

func TestDilateMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 50; trial++ {
		h, w, r := 1+rng.IntN(9), 1+rng.IntN(9), rng.IntN(4)
		m := make([]bool, h*w)
		for i := range m {
			m[i] = rng.IntN(7) == 0
		}
		got := dilate(m, h, w, r)
		for i := 0; i < h; i++ {
			for j := 0; j < w; j++ {
				want := false
				for a := max(0, i-r); a <= min(h-1, i+r); a++ {
					for b := max(0, j-r); b <= min(w-1, j+r); b++ {
						want = want || m[a*w+b]
					}
				}
				if got[i*w+j] != want {
					t.Fatalf("%dx%d r=%d: pixel (%d,%d) = %v, want %v", h, w, r, i, j, got[i*w+j], want)
				}
			}
		}
	}
}

func TestMetricsJSONRoundTrip(t *testing.T) {
	s := NewScorer(3, 2)
	if err := s.Add([]int32{0, 0, 1, 1}, []int32{0, 1, 1, 1}, 2, 2); err != nil {
		t.Fatal(err)
	}
	m := s.Metrics()
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"pa":`, `"mca":`, `"fwiu":`, `"miou":`, `"class_accuracy":[`, `"iou":[`,
		`"boundary_f1":`, `"confusion":[[`, `"pixels":4`, `null`} {
		if !bytes.Contains(data, []byte(key)) {
			t.Errorf("JSON %s lacks %s", data, key)
		}
	}
	var back Metrics
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !near(back.PA, m.PA) || !near(back.MIoU, m.MIoU) || !near(back.BoundaryF1, m.BoundaryF1) ||
		!math.IsNaN(back.IoU[2]) || back.Confusion[0][1] != 1 {
		t.Fatalf("round trip %+v, want %+v", back, m)
	}
	var tab strings.Builder
	if err := m.WriteTable(&tab, "val", []string{"a", "b", "c"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(tab.String(), "PA 0.7500") || !strings.Contains(tab.String(), "2 c") {
		t.Fatalf("table:\n%s", tab.String())
	}
}

func TestWriteConfusion(t *testing.T) {
	c := NewConfusion(3)
	if err := c.Add([]int32{0, 0, 1, 2, 2, 2, 255}, []int32{0, 1, 1, 2, 0, 2, 0}); err != nil {
		t.Fatal(err)
	}
	c.M[0] += 12345677 // a count of 8 digits widens every column to 10
	var b strings.Builder
	if err := c.Metrics().WriteConfusion(&b, []string{"sand", "shale"}); err != nil {
		t.Fatal(err)
	}
	want := "  confusion matrix (pixels; rows: true class, columns: predicted class)\n" +
		"  true \\ predicted               0         1         2\n" +
		"  0 sand                  12345678         1         0\n" +
		"  1 shale                        0         1         0\n" +
		"  class 2                        1         0         2\n"
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
}
