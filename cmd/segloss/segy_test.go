package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/segloss/segloss/internal/testutil"
	"github.com/segloss/segloss/segy"
)

// segyTestdata returns the shared SEG-Y test data folder, or skips.
func segyTestdata(t *testing.T) string {
	return filepath.Dir(testutil.SharedFile(t, "testdata/segy/f3.sgy"))
}

func seq(a, b int) []int {
	var out []int
	for i := a; i <= b; i++ {
		out = append(out, i)
	}
	return out
}

func TestSegyInfoJSON(t *testing.T) {
	td := segyTestdata(t)
	cases := []struct {
		file, endian, sorting string
		format, rev           int
		inlines, crosslines   []int
		sum, sumSq            float64
	}{
		{"f3.sgy", "big", "inline", 3, 1, seq(111, 133), seq(875, 892), 780251, 144915152529},
		{"f3-lsb.sgy", "little", "inline", 3, 1, seq(111, 133), seq(875, 892), 780251, 144915152529},
		{"small.sgy", "big", "inline", 1, 0, seq(1, 5), seq(20, 24), 4025.305853843689, 15462.720037888397},
		{"Mx1.sgy", "big", "crossline", 1, 0, seq(0, 5), []int{0}, 36600.00790773312, 8582201.632553602},
	}
	for _, c := range cases {
		out, err := runCLI(t, "segy", "info", filepath.Join(td, c.file), "--json", "--stats")
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Format     int    `json:"format"`
			Endian     string `json:"endian"`
			Revision   int    `json:"revision"`
			Samples    int    `json:"samples"`
			IntervalUs int    `json:"interval_us"`
			Traces     int    `json:"traces"`
			Sorting    string `json:"sorting"`
			Inlines    []int  `json:"inlines"`
			Crosslines []int  `json:"crosslines"`
			Offsets    []int  `json:"offsets"`
			Missing    *int   `json:"missing"`
			Stats      *struct {
				Sum   float64 `json:"sum"`
				SumSq float64 `json:"sum_sq"`
				NaN   *int    `json:"nan"`
				Inf   *int    `json:"inf"`
			} `json:"stats"`
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%s: %v\n%s", c.file, err, out)
		}
		if got.Format != c.format || got.Endian != c.endian || got.Revision != c.rev || got.Sorting != c.sorting ||
			got.Missing == nil || *got.Missing != 0 || got.IntervalUs != 4000 || len(got.Offsets) == 0 ||
			!slices.Equal(got.Inlines, c.inlines) || !slices.Equal(got.Crosslines, c.crosslines) {
			t.Errorf("%s: %+v", c.file, got)
		}
		if s := got.Stats; s == nil || math.Abs(s.Sum-c.sum) > 1e-9*math.Abs(c.sum) || math.Abs(s.SumSq-c.sumSq) > 1e-9*c.sumSq || s.NaN == nil || s.Inf == nil {
			t.Errorf("%s: stats %+v", c.file, got.Stats)
		}
	}
}

func TestSegyInfoTextAndErrors(t *testing.T) {
	td := segyTestdata(t)
	out, err := runCLI(t, "segy", "info", filepath.Join(td, "shot-gather.sgy"))
	if err != nil || !strings.Contains(out, "unstructured") || !strings.Contains(out, "duplicate keys") {
		t.Fatalf("unstructured info: %v\n%s", err, out)
	}
	_, err = runCLI(t, "segy", "info", filepath.Join(td, "broken.sgy"))
	if err == nil || !strings.Contains(err.Error(), "broken.sgy") || !strings.Contains(err.Error(), "68 bytes left over") {
		t.Fatalf("broken file: %v", err)
	}
	t.Setenv("SEGLOSS_ILINE_BYTE", "9")
	out, err = runCLI(t, "segy", "info", filepath.Join(td, "f3.sgy"), "--json")
	if err != nil || !strings.Contains(out, `"iline_byte": 9`) {
		t.Fatalf("SEGLOSS_ILINE_BYTE: %v\n%s", err, out)
	}
}

func TestSegyText(t *testing.T) {
	td := segyTestdata(t)
	out, err := runCLI(t, "segy", "text", filepath.Join(td, "stanzas-known-count.sgy"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out, "\n")
	if !strings.HasPrefix(lines[0], "C 1 ") || len(lines[0]) != 80 || strings.Count(out, "--- extended textual header") != 3 {
		t.Fatalf("text output:\n%s", out[:400])
	}
}

func TestSegyHeaders(t *testing.T) {
	td := segyTestdata(t)
	out, err := runCLI(t, "segy", "headers", filepath.Join(td, "f3.sgy"), "--traces", "0-1,413", "--fields", "inline,crossline,193:4", "--csv")
	if err != nil {
		t.Fatal(err)
	}
	want := "trace,inline,crossline,193:4\n0,111,875,875\n1,111,876,876\n413,133,892,892\n"
	if out != want {
		t.Fatalf("got\n%s\nwant\n%s", out, want)
	}
	out, err = runCLI(t, "segy", "headers", filepath.Join(td, "tiny.sgy"), "--fields", "inline,crossline")
	if err != nil || strings.Count(out, "\n") != 7 {
		t.Fatalf("all traces of tiny.sgy: %v\n%s", err, out)
	}
	out, err = runCLI(t, "segy", "headers", filepath.Join(td, "f3.sgy"), "--binary")
	if err != nil || !strings.Contains(out, "format") || !strings.Contains(out, "3225") {
		t.Fatalf("binary header: %v\n%s", err, out)
	}
	for _, bad := range [][]string{{"--traces", "0-414"}, {"--traces", "x"}, {"--fields", "nonsense"}, {"--fields", "239:4"}} {
		if _, err := runCLI(t, append([]string{"segy", "headers", filepath.Join(td, "f3.sgy")}, bad...)...); err == nil {
			t.Errorf("%v should fail", bad)
		}
	}
}

func TestSegyCat(t *testing.T) {
	td := segyTestdata(t)
	out, err := runCLI(t, "segy", "cat", filepath.Join(td, "small.sgy"), "--trace", "24")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Fields(out)
	if len(lines) != 50 || lines[0] != "5.24" || lines[49] != "5.24049" {
		t.Fatalf("trace 24: %d lines, %q ... %q", len(lines), lines[0], lines[len(lines)-1])
	}
	byKey, err := runCLI(t, "segy", "cat", filepath.Join(td, "small.sgy"), "--inline", "5", "--crossline", "24")
	if err != nil || byKey != out {
		t.Fatalf("by inline/crossline: %v", err)
	}
	if _, err := runCLI(t, "segy", "cat", filepath.Join(td, "small.sgy")); err == nil {
		t.Fatal("cat without a trace must fail")
	}
	if _, err := runCLI(t, "segy", "cat", filepath.Join(td, "small.sgy"), "--trace", "25"); err == nil {
		t.Fatal("trace 25 of 25 must fail")
	}
}

func TestSegyConvertNpy(t *testing.T) {
	td := segyTestdata(t)
	out := filepath.Join(t.TempDir(), "f3.npy")
	if _, err := runCLI(t, "segy", "convert", filepath.Join(td, "f3.sgy"), out, "--quiet"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\x93NUMPY\x01\x00")) {
		t.Fatal("not a .npy file")
	}
	hl := int(binary.LittleEndian.Uint16(b[8:]))
	header := string(b[10 : 10+hl])
	if (10+hl)%64 != 0 || !strings.Contains(header, "'descr': '<f4'") || !strings.Contains(header, "'shape': (23, 18, 75)") {
		t.Fatalf("header %q", header)
	}
	f, err := segy.Open(filepath.Join(td, "f3.sgy"), segy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cube, _ := f.ReadCube()
	data := b[10+hl:]
	if len(data) != 4*len(cube) {
		t.Fatalf("%d data bytes for %d values", len(data), len(cube))
	}
	for i, v := range cube {
		if got := math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:])); got != v {
			t.Fatalf("value %d: %v, want %v", i, got, v)
		}
	}
}

func TestSegyConvertSegy(t *testing.T) {
	td := segyTestdata(t)
	dir := t.TempDir()
	cases := []struct {
		in, out string
		args    []string
		format  segy.Format
		endian  segy.Endian
	}{
		{"f3.sgy", "f3-le5.sgy", []string{"--out-format", "5", "--out-endian", "little"}, segy.FormatIEEE, segy.LittleEndian},
		{"f3-lsb.sgy", "f3-be.sgy", nil, segy.FormatInt16, segy.BigEndian},
		{"small.su", "small-su.sgy", []string{"--out-format", "1"}, segy.FormatIBM, segy.BigEndian},
	}
	for _, c := range cases {
		out := filepath.Join(dir, c.out)
		if _, err := runCLI(t, append([]string{"segy", "convert", filepath.Join(td, c.in), out, "--quiet"}, c.args...)...); err != nil {
			t.Fatal(err)
		}
		a, err := segy.Open(filepath.Join(td, c.in), segy.Options{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := segy.Open(out, segy.Options{IlineByte: a.Options().IlineByte, XlineByte: a.Options().XlineByte})
		if err != nil {
			t.Fatal(err)
		}
		if b.Format() != c.format || b.ByteOrder() != c.endian || b.NumTraces() != a.NumTraces() {
			t.Fatalf("%s: %v %v %d traces", c.out, b.Format(), b.ByteOrder(), b.NumTraces())
		}
		ca, err1 := a.ReadCube()
		cb, err2 := b.ReadCube()
		if err1 != nil || err2 != nil || len(ca) != len(cb) {
			t.Fatalf("%s: %v %v", c.out, err1, err2)
		}
		for i := range ca {
			if ca[i] != cb[i] && math.Abs(float64(ca[i]-cb[i])) > 1e-6*math.Abs(float64(ca[i])) {
				t.Fatalf("%s: value %d %v -> %v", c.out, i, ca[i], cb[i])
			}
		}
		a.Close()
		b.Close()
	}
}

// writeFloatSEGY writes one inline of three IEEE traces holding vals each.
func writeFloatSEGY(t *testing.T, path string, vals []float32) {
	t.Helper()
	w, err := segy.Create(path, segy.WriterOptions{Samples: len(vals), Interval: 4000, Format: segy.FormatIEEE})
	if err != nil {
		t.Fatal(err)
	}
	for xl := 1; xl <= 3; xl++ {
		if err := w.WriteTrace(segy.TraceHeader{Inline: 1, Crossline: xl}, vals); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestSegyConvertRefusesItsInput checks that OUT naming IN, directly, by
// another spelling or through a link, is refused and IN is unchanged.
func TestSegyConvertRefusesItsInput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.sgy")
	writeFloatSEGY(t, in, []float32{1, 2, 3})
	before, _ := os.ReadFile(in)
	link := filepath.Join(dir, "link.sgy")
	if err := os.Link(in, link); err != nil {
		t.Skip(err)
	}
	for _, out := range []string{in, filepath.Join(dir, ".", "in.sgy"), link} {
		_, err := runCLI(t, "segy", "convert", in, out, "--out-format", "1", "--quiet")
		if err == nil || !strings.Contains(err.Error(), "is the input file") {
			t.Fatalf("OUT %s: %v", out, err)
		}
	}
	if after, _ := os.ReadFile(in); !bytes.Equal(before, after) {
		t.Fatal("input changed")
	}
}

// TestSegyConvertIntegerPrecision checks the float-to-integer checks:
// fractions are refused (with the rms kept) unless --force, values out of
// range always, and whole numbers pass.
func TestSegyConvertIntegerPrecision(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name    string
		vals    []float32
		args    []string
		wantErr string
		wantOut string
		want    []float32 // samples of OUT's first trace
	}{
		{"fractions refused", []float32{0.4, -0.6, 0.2, 1}, []string{"--out-format", "3"},
			"9 of 12 samples are not whole numbers; format 3 (2-byte signed integer) keeps values as they are (no scaling), so they are rounded: rms 0.624 becomes 0.707", "", nil},
		{"fractions forced", []float32{0.4, -0.6, 0.2, 1}, []string{"--out-format", "3", "--force"},
			"", "rms 0.624 becomes 0.707 (--force)", []float32{0, -1, 0, 1}},
		{"out of int8 range", []float32{3, 200, -4, 0}, []string{"--out-format", "8", "--force"},
			"3 of 12 samples lie outside -128..127", "", nil},
		{"negative to unsigned", []float32{3, -1, 4, 0}, []string{"--out-format", "16"},
			"lie outside 0..255", "", nil},
		{"whole numbers pass", []float32{3, -100, 4, 32767}, []string{"--out-format", "3"},
			"", "", []float32{3, -100, 4, 32767}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".sgy")
			out := in + ".out.sgy"
			writeFloatSEGY(t, in, c.vals)
			got, err := runCLI(t, append([]string{"segy", "convert", in, out}, c.args...)...)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || !strings.Contains(err.Error(), "--out-format 5") {
					t.Fatalf("error %v, want %q", err, c.wantErr)
				}
				if _, err := os.Stat(out); err == nil {
					t.Fatal("refused conversion wrote OUT")
				}
				return
			}
			if err != nil || !strings.Contains(got, c.wantOut) {
				t.Fatalf("%v\n%s", err, got)
			}
			f, err := segy.Open(out, segy.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			tr, err := f.ReadTraces(0, 1)
			if err != nil || !slices.Equal(tr, c.want) {
				t.Fatalf("OUT trace %v, want %v (%v)", tr, c.want, err)
			}
		})
	}
}
