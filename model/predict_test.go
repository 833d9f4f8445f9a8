package model

import (
	"slices"
	"strings"
	"testing"
)

func TestPredictEvalMode(t *testing.T) {
	cfg := Config{InChannels: 1, Classes: 3, Depth: 2, Base: 4, BatchNorm: true}
	m, _, tr, x := trainedModel(t, cfg)
	statsOf := func() []float32 {
		var s []float32
		for _, st := range m.stats {
			s = append(s, st.mean...)
			s = append(s, st.variance...)
		}
		return s
	}
	before := statsOf()
	a, err := m.Predict(x, 2, 8, 8)
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.Predict(x, 2, 8, 8)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(before, statsOf()) {
		t.Fatal("Predict changed the batch-norm running statistics")
	}
	if !slices.Equal(a, b) {
		t.Fatal("two Predict calls differ")
	}
	// In eval mode every image is independent of the rest of its batch.
	one, err := m.Predict(x[64:], 1, 8, 8)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(one, a[3*64:]) {
		t.Fatal("the logits of an image depend on its batch: batch statistics used in eval mode")
	}
	// Training steps do change them, so the check above can fail.
	if _, err := tr.Step(x); err != nil {
		t.Fatal(err)
	}
	if slices.Equal(before, statsOf()) {
		t.Fatal("a training step left the running statistics unchanged")
	}
	c, err := m.Predict(x, 2, 8, 8)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(a, c) {
		t.Fatal("Predict does not see the trained weights")
	}
}

func TestPredictPadsAndCrops(t *testing.T) {
	m, err := New(Config{InChannels: 2, Classes: 3, Depth: 3, Base: 2}, 5)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ n, h, w int }{{1, 13, 10}, {2, 8, 8}, {1, 1, 5}, {1, 4, 17}}
	for _, tc := range cases {
		x := randomInput(int64(tc.h*100+tc.w), tc.n*2*tc.h*tc.w)
		got, err := m.Predict(x, tc.n, tc.h, tc.w)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != tc.n*3*tc.h*tc.w {
			t.Fatalf("%v: %d logits, want %d", tc, len(got), tc.n*3*tc.h*tc.w)
		}
		// The same as predicting the mirrored input of the padded size.
		ph, pw := (tc.h+3)/4*4, (tc.w+3)/4*4
		padded := make([]float32, tc.n*2*ph*pw)
		padMirror(padded, x, tc.n*2, tc.h, tc.w, ph, pw)
		full, err := m.Predict(padded, tc.n, ph, pw)
		if err != nil {
			t.Fatal(err)
		}
		for p := range tc.n * 3 {
			for y := range tc.h {
				row := full[(p*ph+y)*pw : (p*ph+y)*pw+tc.w]
				if !slices.Equal(got[(p*tc.h+y)*tc.w:(p*tc.h+y+1)*tc.w], row) {
					t.Fatalf("%v: plane %d row %d is not the crop of the padded prediction", tc, p, y)
				}
			}
		}
	}
	if len(m.infer) != 4 { // 1x16x12, 2x8x8, 1x4x8, 1x4x20
		t.Errorf("%d cached graphs, want 4 (one per padded shape)", len(m.infer))
	}
	m.ClearCache()
	if len(m.infer) != 0 {
		t.Error("ClearCache kept graphs")
	}
	if _, err := m.Predict(make([]float32, 10), 1, 3, 3); err == nil {
		t.Error("a wrong input length was accepted")
	}
}

func TestPadMirror(t *testing.T) {
	src := []float32{1, 2, 3, 4, 5, 6} // 2 x 3
	dst := make([]float32, 4*5)
	padMirror(dst, src, 1, 2, 3, 4, 5)
	want := []float32{
		1, 2, 3, 2, 1,
		4, 5, 6, 5, 4,
		1, 2, 3, 2, 1,
		4, 5, 6, 5, 4,
	}
	if !slices.Equal(dst, want) {
		t.Fatalf("got %v, want %v", dst, want)
	}
}

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		cfg  Config
		want string // "" = valid
	}{
		{Config{InChannels: 1, Classes: 6}, ""},
		{Config{InChannels: 0, Classes: 6}, "in_channels"},
		{Config{InChannels: 1, Classes: 1}, "classes"},
		{Config{InChannels: 1, Classes: 6, Depth: 9}, "depth"},
		{Config{InChannels: 1, Classes: 6, Base: -1}, "base"},
		{Config{InChannels: 1, Classes: 6, Upsample: "bilinear"}, `"bilinear"`},
	}
	for _, tc := range cases {
		_, err := New(tc.cfg, 1)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%+v: %v", tc.cfg, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%+v: error %v, want one mentioning %s", tc.cfg, err, tc.want)
		}
	}
	m, err := New(Config{InChannels: 1, Classes: 6}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Config().String(); got != "unet 1->6 16-32-64 no-bn nearest" {
		t.Errorf("defaults give %s", got)
	}
	if m.Config().Multiple() != 4 {
		t.Errorf("multiple %d, want 4", m.Config().Multiple())
	}
}
