package segy

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// testdataDir finds ../shared/testdata/segy next to the repository root
// (the directory holding go.mod), or skips the test.
func testdataDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root (go.mod) not found")
		}
		dir = parent
	}
	td := filepath.Join(dir, "..", "shared", "testdata", "segy")
	if _, err := os.Stat(filepath.Join(td, "REFERENCE.json")); err != nil {
		t.Skipf("shared SEG-Y test data not found at %s", td)
	}
	return td
}

type refFile struct {
	File       string         `json:"file"`
	Container  string         `json:"container"`
	Expected   map[string]any `json:"expected"`
	TextHeader struct {
		Encoding  string `json:"encoding_guess"`
		FirstLine string `json:"first_line_decoded"`
	} `json:"text_header"`
	IndependentDecode struct {
		ExactIntegers map[string]any `json:"exact_integers"`
	} `json:"independent_decode"`
}

func loadReference(t *testing.T) (string, []refFile) {
	td := testdataDir(t)
	b, err := os.ReadFile(filepath.Join(td, "REFERENCE.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Files []refFile `json:"files"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Files) == 0 {
		t.Fatal("REFERENCE.json lists no files")
	}
	return td, ref.Files
}

func parseFloat(t *testing.T, v any) float64 {
	t.Helper()
	s, ok := v.(string)
	if !ok {
		t.Fatalf("expected a float string, got %T %v", v, v)
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func ints(v any) []int {
	var out []int
	for _, x := range v.([]any) {
		out = append(out, int(x.(float64)))
	}
	return out
}

func closeRel(got, want, rel float64) bool {
	if got == want {
		return true
	}
	return math.Abs(got-want) <= rel*math.Max(math.Abs(want), 1e-300)
}

// TestReference opens every file of the shared test data and checks the
// values of its expected block in REFERENCE.json, or that files marked as
// broken are refused with an error naming the file.
func TestReference(t *testing.T) {
	td, files := loadReference(t)
	for _, rf := range files {
		t.Run(rf.File, func(t *testing.T) {
			exp := rf.Expected
			path := filepath.Join(td, rf.File)
			opts := Options{}
			if b, ok := exp["iline_byte"].(float64); ok {
				opts.IlineByte, opts.XlineByte = int(b), int(exp["xline_byte"].(float64))
			}
			f, err := Open(path, opts)
			if exp["from"] == "none" {
				// A reader should reject these files or flag them.
				if err == nil {
					defer f.Close()
					if len(f.Warnings()) == 0 {
						t.Fatalf("broken file opened without error or warning")
					}
					t.Logf("opened with warnings: %v", f.Warnings())
					return
				}
				var fe *FormatError
				if !errors.As(err, &fe) || !strings.Contains(err.Error(), rf.File) {
					t.Fatalf("error should be a FormatError naming the file, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if th := rf.TextHeader; th.FirstLine != "" {
				text := f.TextHeader()
				lines := strings.Split(text, "\n")
				want := strings.Map(func(r rune) rune {
					if r < 0x20 {
						return ' '
					}
					return r
				}, th.FirstLine)
				if len(text) != 3200+39 || len(lines) != 40 || lines[0] != want {
					t.Errorf("text header: %d lines, first %q, want %q", len(lines), lines[0], want)
				}
				if f.TextEncoding().String() != th.Encoding {
					t.Errorf("text encoding %v, want %s", f.TextEncoding(), th.Encoding)
				}
			}
			if got, want := f.NumTraces(), int(exp["tracecount"].(float64)); got != want {
				t.Errorf("traces %d, want %d", got, want)
			}
			if got, want := f.NumSamples(), int(exp["n_samples"].(float64)); got != want {
				t.Fatalf("samples %d, want %d", got, want)
			}
			st, err := f.Stats()
			if err != nil {
				t.Fatal(err)
			}
			if want := parseFloat(t, exp["sum"]); !closeRel(st.Sum, want, 1e-12) {
				t.Errorf("sum %v, want %v", st.Sum, want)
			}
			if want := parseFloat(t, exp["sum_sq"]); !closeRel(st.SumSq, want, 1e-12) {
				t.Errorf("sum of squares %v, want %v", st.SumSq, want)
			}
			checkSamples(t, f, exp, rf.IndependentDecode.ExactIntegers)
			if v, ok := exp["sample_interval_us"]; ok {
				want := 0.0
				if v != nil {
					want = parseFloat(t, v)
				}
				if float64(f.Interval()) != want {
					t.Errorf("interval %d µs, want %v", f.Interval(), want)
				}
			}
			// segyio 1.8.3 ignores the time scalar (215); delay-scalar.sgy
			// is checked against the scaled delay in TestDelayTimeScalar.
			if ax, ok := exp["samples_axis_first3_ms"].([]any); ok && rf.File != "delay-scalar.sgy" {
				for k, v := range ax {
					want := parseFloat(t, v)
					if got := f.Delay() + float64(k)*float64(f.Interval())/1000; got != want {
						t.Errorf("sample %d at %v ms, want %v", k, got, want)
					}
				}
			}
			structured, ok := exp["structured"].(bool)
			if !ok {
				return
			}
			g, err := f.Geometry()
			if !structured {
				if err == nil {
					t.Fatalf("unstructured file gave a geometry (%v)", g.Sorting)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, want := g.Sorting.String(), exp["sorting"].(string); got != want {
				t.Errorf("sorting %s, want %s", got, want)
			}
			for _, c := range []struct {
				name string
				got  []int
			}{{"ilines_sorted", g.Inlines}, {"xlines_sorted", g.Crosslines}, {"offsets_sorted", g.Offsets}} {
				if want := ints(exp[c.name]); !slices.Equal(c.got, want) {
					t.Errorf("%s %v, want %v", c.name, c.got, want)
				}
			}
			cube, err := f.ReadCube()
			if err != nil {
				t.Fatal(err)
			}
			var sum float64
			var a acc
			for _, v := range cube {
				a.add(float64(v))
			}
			sum = a.value()
			if f.Format().Size() <= 4 && f.Format() != FormatUint32 && f.Format() != FormatUint24 {
				if want := parseFloat(t, exp["sum"]); !closeRel(sum, want, 1e-12) {
					t.Errorf("cube sum %v, want %v", sum, want)
				}
			}
		})
	}
}

// checkSamples compares the first and last five samples of the first and
// last trace. Values are decoded as float64 (exact for all but 8-byte
// integers) and, for 8-byte integer formats, also compared as exact
// integers from the raw bytes.
func checkSamples(t *testing.T, f *File, exp map[string]any, exact map[string]any) {
	t.Helper()
	ns := f.NumSamples()
	traces := map[string]int{"trace0": 0, "last_trace": f.NumTraces() - 1}
	for prefix, tr := range traces {
		buf := make([]float64, ns)
		if err := f.ReadTrace64(tr, buf); err != nil {
			t.Fatal(err)
		}
		f32 := make([]float32, ns)
		if err := f.ReadTrace(tr, f32); err != nil {
			t.Fatal(err)
		}
		raw, err := f.RawTrace(tr)
		if err != nil {
			t.Fatal(err)
		}
		for _, part := range []string{"first5", "last5"} {
			key := prefix + "_" + part
			vals, ok := exp[key].([]any)
			if !ok {
				continue
			}
			start := 0
			if part == "last5" {
				start = ns - len(vals)
			}
			for k, v := range vals {
				want := parseFloat(t, v)
				got := buf[start+k]
				if got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
					t.Errorf("%s[%d] = %v, want %v", key, k, got, want)
				}
				if w32 := float32(want); f32[start+k] != w32 {
					t.Errorf("%s[%d] as float32 = %v, want %v", key, k, f32[start+k], w32)
				}
			}
			if ex, ok := exact[key].([]any); ok {
				size := f.Format().Size()
				for k, v := range ex {
					word := getWord(raw, (start+k)*size, size, f.Format() == FormatUint64, f.order)
					got := new(big.Int).SetInt64(word)
					if f.Format() == FormatUint64 {
						got.SetUint64(uint64(word))
					}
					if got.String() != v.(string) {
						t.Errorf("%s[%d] exact = %s, want %s", key, k, got, v)
					}
				}
			}
		}
	}
}
