package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segloss/segloss/segy"
)

// writeTestSEGY writes a 2x3 survey of 10-sample IEEE traces (inlines 5-6,
// crosslines 20-22) and returns its path and size.
func writeTestSEGY(t *testing.T, dir string) (string, int) {
	t.Helper()
	path := filepath.Join(dir, "small.sgy")
	w, err := segy.Create(path, segy.WriterOptions{Samples: 10, Interval: 4000, Format: segy.FormatIEEE})
	if err != nil {
		t.Fatal(err)
	}
	for il := 5; il <= 6; il++ {
		for xl := 20; xl <= 22; xl++ {
			if err := w.WriteTrace(segy.TraceHeader{Inline: il, Crossline: xl}, make([]float32, 10)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path, 3600 + 6*(240+40)
}

func TestSegyHeaderCommandsOpenTruncatedFiles(t *testing.T) {
	dir := t.TempDir()
	full, size := writeTestSEGY(t, dir)
	b, err := os.ReadFile(full)
	if err != nil || len(b) != size {
		t.Fatalf("%d bytes, %v", len(b), err)
	}
	cut := filepath.Join(dir, "cut.sgy")
	if err := os.WriteFile(cut, b[:size-100], 0o644); err != nil { // trace 5 keeps 180 of 280 bytes
		t.Fatal(err)
	}
	hdrOnly := filepath.Join(dir, "head.sgy")
	if err := os.WriteFile(hdrOnly, b[:3600], 0o644); err != nil {
		t.Fatal(err)
	}
	short := func(name string, n int) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	oneTrace := short("one.sgy", 3600+280+1)
	binCut := short("bincut.sgy", 3599)
	textCut := short("textcut.sgy", 3199)
	const cutWarn = "cut short: 5 whole traces of 280 bytes from byte 3600, then 180 bytes of trace 5"
	cases := []struct {
		name, path string
		headers    bool
		wantOut    []string
		notOut     string
		wantErr    string
	}{
		{"text of a complete file", full, false, []string{"C 1 "}, "", ""},
		{"text of a cut file", cut, false, []string{"C 1 "}, "", cutWarn},
		{"text of headers only", hdrOnly, false, []string{"C 1 "}, "", "the file has no traces"},
		{"text of a file cut after one trace", oneTrace, false, []string{"C 1 "}, "", "cut short: 1 whole trace of 280 bytes from byte 3600, then 1 byte of trace 1"},
		{"text of a file cut in its binary header", binCut, false, []string{"C 1 ", "C40"},
			"", "cut short: 3599 bytes, so its textual header is complete but its binary header (bytes 3201-3600) is not"},
		{"headers of a cut file", cut, true, []string{"0,5,20\n", "4,6,21\n"}, "5,6,22", cutWarn},
		{"headers of headers only", hdrOnly, true, []string{"trace,inline,crossline\n"}, "0,", "the file has no traces"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if tc.headers {
				err = runSegyHeaders(headersOptions{path: tc.path, fields: "inline,crossline", csv: true}, &out, &errOut)
			} else {
				err = runSegyText(textOptions{path: tc.path}, &out, &errOut)
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range tc.wantOut {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, out.String())
				}
			}
			if tc.notOut != "" && strings.Contains(out.String(), tc.notOut) {
				t.Errorf("output holds %q:\n%s", tc.notOut, out.String())
			}
			if tc.wantErr == "" && errOut.Len() != 0 || !strings.Contains(errOut.String(), tc.wantErr) ||
				tc.wantErr != "" && !strings.HasPrefix(errOut.String(), "warning: "+tc.path+": ") {
				t.Errorf("stderr %q, want a warning with %q", errOut.String(), tc.wantErr)
			}
		})
	}
	// A file cut inside its textual header, and the other commands, stay strict.
	if err := runSegyText(textOptions{path: textCut}, io.Discard, io.Discard); err == nil {
		t.Error("text of a 3199-byte file: no error")
	}
	if err := runSegyHeaders(headersOptions{path: binCut}, io.Discard, io.Discard); err == nil {
		t.Error("headers of a 3599-byte file: no error")
	}
	for _, args := range [][]string{{"info", cut}, {"cat", cut, "--trace", "0"}, {"convert", cut, filepath.Join(dir, "o.npy")}} {
		if _, err := runCLI(t, append([]string{"segy"}, args...)...); err == nil || !strings.Contains(err.Error(), "180 bytes left over") {
			t.Errorf("segy %v: %v, want the truncation error", args, err)
		}
	}
	if _, err := runCLI(t, "segy", "headers", cut, "--traces", "5"); err == nil || !strings.Contains(err.Error(), "the file has traces 0-4") {
		t.Errorf("cut-off trace selected: %v", err)
	}
}

func TestSegyArgumentErrors(t *testing.T) {
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"segy", "convert", "a.sgy"}, []string{"missing OUT", "usage: segloss segy convert IN OUT [flags]"}},
		{[]string{"segy", "convert"}, []string{"missing IN and OUT", "segloss segy convert --help"}},
		{[]string{"segy", "convert", "a", "b", "c"}, []string{`too many arguments: ["c"] after IN OUT`}},
		{[]string{"segy", "info"}, []string{"missing FILE", "usage: segloss segy info FILE [flags]"}},
		{[]string{"segy", "text", "a", "b"}, []string{`too many arguments: ["b"] after FILE`, "usage: segloss segy text FILE"}},
		{[]string{"segy", "headers"}, []string{"missing FILE", "usage: segloss segy headers FILE"}},
		{[]string{"segy", "cat"}, []string{"missing FILE", "usage: segloss segy cat FILE --trace N"}},
	}
	for _, tc := range cases {
		_, err := runCLI(t, tc.args...)
		for _, want := range tc.want {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%v: error %v, want %q", tc.args, err, want)
			}
		}
	}
}

func TestSegyNotSEGYHintNamesFlag(t *testing.T) {
	dir := t.TempDir()
	// A Seismic Unix file under a .sgy name: bytes 3225-3226 are samples.
	su := filepath.Join(dir, "shots.sgy")
	b := make([]byte, 20*(240+4*100))
	for i := 240; i < len(b); i += 7 {
		b[i] = 0x41
	}
	if err := os.WriteFile(su, b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"info", "text", "headers"} {
		_, err := runCLI(t, "segy", cmd, su)
		if err == nil || !strings.Contains(err.Error(), "add --su") || strings.Contains(err.Error(), "Container") {
			t.Errorf("segy %s: %v, want a hint naming --su", cmd, err)
		}
	}
}
