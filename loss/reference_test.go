package loss

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"
)

// refCase is one reference vector (see ../shared/reference/losses/README.md).
type refCase struct {
	ID          string `json:"id"`
	Loss        string `json:"loss"`
	Constructor struct {
		BorderParams []any  `json:"border_params"`
		IgnoreIndex  int    `json:"ignore_index"`
		Reduction    string `json:"reduction"`
		Weight       []any  `json:"weight"`
	} `json:"constructor"`
	Input struct {
		LogitsShape []int `json:"logits_shape"`
		Logits      any   `json:"logits"`
		LabelsShape []int `json:"labels_shape"`
		Labels      any   `json:"labels"`
	} `json:"input"`
	Status string `json:"status"`
	Error  struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
	Output struct {
		Kind   string `json:"kind"`
		Loss   any    `json:"loss"`
		Values any    `json:"values"`
		Grad   any    `json:"grad"`
	} `json:"output"`
	LabelsAfterCall any            `json:"labels_after_call"`
	Intermediates   map[string]any `json:"intermediates"`
}

// repoRoot walks up from the package directory to the directory holding go.mod.
func repoRoot(t testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = up
	}
}

// num converts a JSON number or one of the strings "NaN", "Infinity", "-Infinity".
func num(t testing.TB, v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case bool:
		if x {
			return 1
		}
		return 0
	case string:
		switch x {
		case "NaN":
			return math.NaN()
		case "Infinity":
			return math.Inf(1)
		case "-Infinity":
			return math.Inf(-1)
		}
	}
	t.Fatalf("not a number: %#v", v)
	return 0
}

// flat flattens nested JSON lists of numbers in row-major order.
func flat(t testing.TB, v any) []float64 {
	var out []float64
	var walk func(any)
	walk = func(v any) {
		if l, ok := v.([]any); ok {
			for _, e := range l {
				walk(e)
			}
			return
		}
		out = append(out, num(t, v))
	}
	walk(v)
	return out
}

func specFor(t testing.TB, rc *refCase) Spec {
	s := Spec{Mode: Compat, IgnoreIndex: rc.Constructor.IgnoreIndex, Reduction: rc.Constructor.Reduction}
	if rc.Constructor.IgnoreIndex == 0 {
		t.Fatalf("ignore index 0 cannot be expressed")
	}
	if rc.Constructor.Weight != nil {
		s.Weights = flat(t, rc.Constructor.Weight)
	}
	bp := rc.Constructor.BorderParams
	switch rc.Loss {
	case "DistanceTransformLoss":
		s.Name = "DistanceTransformLoss"
		s.Dilate = Int(int(num(t, bp[0])))
		s.Power, s.BorderWeight = num(t, bp[1]), num(t, bp[2])
	case "BoundaryScoreLoss":
		s.Name = "BoundaryScoreLoss"
		s.Theta0, s.Theta, s.Beta = int(num(t, bp[0])), int(num(t, bp[1])), num(t, bp[2])
	case "ActiveBoundaryLoss":
		s.Name = "ActiveBoundaryLoss"
		s.Factor = num(t, bp[0])
		s.Detach = Bool(bp[2].(bool))
		s.Smoothing = F64(num(t, bp[3]))
		s.MaxRatio, s.MaxClip = num(t, bp[4]), num(t, bp[5])
	default:
		t.Fatalf("unknown loss %q", rc.Loss)
	}
	return s
}

func relClose(got, want, rel, abs float64) bool {
	if got == want {
		return true
	}
	return math.Abs(got-want) <= rel*math.Abs(want) || math.Abs(got-want) <= abs
}

// checkFloats compares float lists entry by entry.
func checkFloats(t *testing.T, what string, got, want []float64, rel, abs float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want))
		return
	}
	bad := 0
	for i := range want {
		if !relClose(got[i], want[i], rel, abs) {
			if bad < 3 {
				t.Errorf("%s[%d] = %.17g, want %.17g", what, i, got[i], want[i])
			}
			bad++
		}
	}
	if bad > 3 {
		t.Errorf("%s: %d of %d entries differ", what, bad, len(want))
	}
}

func boolsToF(b []bool) []float64 {
	out := make([]float64, len(b))
	for i, v := range b {
		if v {
			out[i] = 1
		}
	}
	return out
}

func ints[E int | int32](v []E) []float64 {
	out := make([]float64, len(v))
	for i, e := range v {
		out[i] = float64(e)
	}
	return out
}

// checkExact compares integer or boolean intermediates exactly.
func checkExact(t *testing.T, what string, got []float64, want any) {
	t.Helper()
	checkFloats(t, what, got, flat(t, want), 0, 0)
}

func TestReferenceVectors(t *testing.T) {
	dir := os.Getenv("SEGLOSS_LOSS_VECTORS")
	if dir == "" {
		dir = filepath.Join(repoRoot(t), "..", "shared", "reference", "losses")
		if _, err := os.Stat(dir); err != nil {
			t.Skipf("reference vectors not found at %s", dir)
		}
	} else if _, err := os.Stat(dir); err != nil {
		t.Fatalf("SEGLOSS_LOSS_VECTORS=%s: %v", dir, err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no *.json reference cases in %s", dir)
	}
	sort.Strings(files)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var rc refCase
		if err := json.Unmarshal(raw, &rc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if rc.ID == "" {
			t.Fatalf("%s: no id", f)
		}
		t.Run(rc.ID, func(t *testing.T) { runRefCase(t, &rc) })
	}
}

func runRefCase(t *testing.T, rc *refCase) {
	s := specFor(t, rc)
	ls := rc.Input.LogitsShape
	sh := Shape{N: ls[0], C: ls[1], H: ls[2], W: ls[3]}
	x := flat(t, rc.Input.Logits)
	labf := flat(t, rc.Input.Labels)
	lab := make([]int32, len(labf))
	for i, v := range labf {
		lab[i] = int32(v)
	}
	orig := slices.Clone(lab)
	origX := slices.Clone(x)
	lsh := rc.Input.LabelsShape
	lh, lw := lsh[len(lsh)-2], lsh[len(lsh)-1]
	grad := make([]float64, sh.Len())
	res, err := Run(NewWorkspace(), s, Input[float64]{Logits: x, Labels: lab, Shape: sh, LabelH: lh, LabelW: lw,
		Grad: grad, Maps: true})
	if !slices.Equal(lab, orig) || !slices.Equal(x, origX) {
		t.Fatal("the inputs were modified")
	}
	// segloss fails on labels shaped [N,H,W] for DTL and ABL; that layout is ours, so those cases must work.
	layoutOnly := rc.Status == "error" && len(lsh) == 3 && rc.Error.Type == "IndexError"
	if rc.Status == "error" && !layoutOnly {
		if err == nil {
			t.Fatalf("segloss raises %s (%s); got loss %v and no error", rc.Error.Type, rc.Error.Message, res.Loss)
		}
		t.Logf("error as expected: %v", err)
		return
	}
	if layoutOnly {
		if err != nil {
			t.Fatalf("labels [N,H,W] must work: %v", err)
		}
		checkIntermediates(t, rc, res.Maps)
		return
	}
	want := math.Inf(1)
	if rc.Output.Kind == "scalar" {
		want = num(t, rc.Output.Loss)
	}
	if math.IsNaN(want) {
		if err == nil {
			t.Fatalf("segloss returns NaN; want an error, got %v", res.Loss)
		}
		t.Logf("NaN case returns an error: %v", err)
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	switch rc.Output.Kind {
	case "scalar":
		if !relClose(res.Loss, want, 1e-12, 0) {
			t.Errorf("loss = %.17g, want %.17g (rel %.3g)", res.Loss, want, math.Abs(res.Loss-want)/math.Abs(want))
		}
	case "tuple", "tensor":
		vals := flat(t, rc.Output.Values)
		checkFloats(t, "values", res.Values, vals, 1e-12, 1e-300)
	default:
		t.Fatalf("unknown output kind %q", rc.Output.Kind)
	}
	checkFloats(t, "grad", grad, flat(t, rc.Output.Grad), 1e-9, 1e-12)
	if rc.LabelsAfterCall != nil {
		checkExact(t, "labels_after_call (LabelsUsed)", ints(res.Maps.BSL.LabelsUsed), rc.LabelsAfterCall)
	}
	checkIntermediates(t, rc, res.Maps)
}

func checkIntermediates(t *testing.T, rc *refCase, m *Maps) {
	t.Helper()
	in := rc.Intermediates
	scalar := func(key string, got float64) {
		t.Helper()
		if v, ok := in[key]; ok {
			if _, isList := v.([]any); isList {
				checkFloats(t, key, []float64{got}, flat(t, v), 1e-12, 0)
				return
			}
			if w := num(t, v); !relClose(got, w, 1e-12, 0) {
				t.Errorf("%s = %.17g, want %.17g", key, got, w)
			}
		}
	}
	floats := func(key string, got []float64) {
		t.Helper()
		if v, ok := in[key]; ok {
			checkFloats(t, key, got, flat(t, v), 1e-12, 0)
		}
	}
	exact := func(key string, got []float64) {
		t.Helper()
		if v, ok := in[key]; ok {
			checkExact(t, key, got, v)
		}
	}
	switch {
	case m.DTL != nil:
		d := m.DTL
		if _, isList := in["target_loss"].([]any); isList {
			floats("target_loss", m.CEMap)
			floats("border_loss_before_power", d.Entries)
		} else {
			scalar("target_loss", m.CE)
			scalar("border_loss_before_power", m.Border)
		}
		exact("pred_argmax", ints(d.PredArgmax))
		exact("border_penalty_nonzero_count", []float64{float64(d.NonZero)})
		exact("border_penalty_shape", ints(d.PenaltyShape[:]))
		if pc, ok := in["per_class"].([]any); ok && rc.Status == "ok" {
			if len(pc) != len(d.Classes) {
				t.Errorf("%d classes looped over, want %d", len(d.Classes), len(pc))
				return
			}
			for k, e := range pc {
				cm := e.(map[string]any)
				if int32(num(t, cm["class"])) != d.Classes[k] {
					t.Errorf("class %d = %d, want %v", k, d.Classes[k], cm["class"])
				}
				checkExact(t, fmt.Sprintf("pred_contour[%d]", k), boolsToF(d.PredContour[k]), cm["pred_contour"])
				checkExact(t, fmt.Sprintf("gt_contour[%d]", k), boolsToF(d.GTContour[k]), cm["gt_contour"])
				checkExact(t, fmt.Sprintf("gt_distance[%d]", k), d.Distance[k], cm["gt_distance_after_relu"])
			}
		}
	case m.BSL != nil:
		b := m.BSL
		if _, isList := in["target_loss"].([]any); isList {
			floats("target_loss", m.CEMap)
		} else {
			scalar("target_loss", m.CE)
		}
		scalar("border_loss", m.Border)
		floats("P", b.Precision)
		floats("R", b.Recall)
		floats("BF1", b.BF1)
		exact("labels_used", ints(b.LabelsUsed))
	case m.ABL != nil:
		a := m.ABL
		floats("kl_combine", a.KL)
		scalar("max_N", a.MaxN)
		scalar("final_eps", a.Thresholds[0])
		exact("pred_boundary", boolsToF(a.PredBoundary))
		exact("pred_boundary_count", []float64{float64(a.PredBoundaryCount)})
		scalar("target_loss", m.CE)
		if _, ok := in["border_ce_sum_error"]; ok {
			return
		}
		scalar("border_loss", m.Border)
		if _, ok := in["gt_boundary"]; !ok {
			return
		}
		exact("gt_boundary", boolsToF(a.GTBoundary))
		exact("dist_map", a.Distance)
		var px []float64
		for _, p := range a.Pixels {
			px = append(px, float64(p[0]), 0, float64(p[1]), float64(p[2]))
		}
		exact("boundary_pixels_nchw", px)
		exact("direction_gt_all", ints(a.DirectionAll))
		exact("direction_gt_kept", ints(a.DirectionKept))
		var zl []float64
		for _, z := range a.DirectionLogits {
			zl = append(zl, z[:]...)
		}
		floats("direction_logits_kept", zl)
		floats("weight_ce_kept", a.DistanceKept)
		exact("num_kept", []float64{float64(len(a.Kept))})
		scalar("border_ce_sum", a.DirectionCESum)
		scalar("weight_func_sum", a.WeightSum)
	default:
		if len(in) > 0 && m.Loss != NameCE {
			t.Errorf("no intermediates recorded for %s", m.Loss)
		}
	}
}
