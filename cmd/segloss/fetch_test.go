package main

import (
	"archive/zip"
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segloss/segloss/dataset"
	"github.com/segloss/segloss/segy"
)

func TestFetchDataCommand(t *testing.T) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range dataset.AlaudahFiles {
		w, _ := zw.Create(f)
		w.Write([]byte(f))
	}
	zw.Close()
	sum := md5.Sum(b.Bytes())
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "data.zip", time.Time{}, bytes.NewReader(b.Bytes()))
	}))
	defer ts.Close()
	dest := t.TempDir()
	args := []string{"fetch-data", "--dest", dest, "--url", ts.URL + "/data.zip", "--md5", hex.EncodeToString(sum[:]), "--quiet"}
	got, err := runCLI(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "data.zip downloaded") || !strings.Contains(got, "6 files unpacked") || !strings.Contains(got, "terranubis") {
		t.Fatalf("output:\n%s", got)
	}
	if got, err = runCLI(t, args...); err != nil || !strings.Contains(got, "already present, MD5 verified") || !strings.Contains(got, "0 files unpacked") {
		t.Fatalf("rerun: %v\n%s", err, got)
	}
	noMD5 := append(args[:len(args):len(args)], "--md5", "")
	if got, err = runCLI(t, noMD5...); err != nil || !strings.Contains(got, "already present, MD5 check skipped") || strings.Contains(got, "verified") {
		t.Fatalf("--md5 \"\": %v\n%s", err, got)
	}
	// A data.zip with the wrong MD5 is kept aside, never deleted.
	zp := filepath.Join(dest, "data.zip")
	if err := os.WriteFile(zp, []byte("my own zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err = runCLI(t, args...)
	if err != nil || !strings.Contains(got, "kept as "+zp+".bad-md5; downloading it again") || !strings.Contains(got, "data.zip downloaded, MD5 verified") {
		t.Fatalf("bad zip: %v\n%s", err, got)
	}
	if kept, err := os.ReadFile(zp + ".bad-md5"); err != nil || string(kept) != "my own zip" {
		t.Fatalf("bad zip not kept: %q, %v", kept, err)
	}
	bad := append(args[:len(args):len(args)], "--md5", strings.Repeat("1", 32))
	os.Remove(filepath.Join(dest, "data.zip"))
	if _, err := runCLI(t, bad...); err == nil || !strings.Contains(err.Error(), "MD5") {
		t.Fatalf("bad checksum: %v", err)
	}
}

func TestFetchDataRegistersSEGY(t *testing.T) {
	root, _ := os.Getwd()
	sgy := filepath.Join(root, "..", "..", "..", "shared", "testdata", "segy", "f3.sgy")
	if _, err := os.Stat(sgy); err != nil {
		t.Skip("shared f3.sgy absent")
	}
	dest := t.TempDir()
	got, err := runCLI(t, "fetch-data", "--dest", dest, "--skip-labels", "--segy-file", sgy)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "inlines 111-133, crosslines 875-892, 75 samples") {
		t.Fatalf("output:\n%s", got)
	}
	p, err := dataset.RegisteredSEGY(dest)
	if err != nil || filepath.Base(p) != "f3.sgy" || !filepath.IsAbs(p) {
		t.Fatalf("registered %q %v", p, err)
	}
	if _, err := runCLI(t, "fetch-data", "--dest", dest, "--skip-labels", "--segy-file", filepath.Join(dest, "segy.json")); err == nil {
		t.Fatal("a non-SEG-Y file was registered")
	}
}

// writeSurvey writes a SEG-Y with one zero trace of ns samples at every
// (inline, crossline) pair of ils x xls.
func writeSurvey(t *testing.T, path string, ils, xls []int, ns int) {
	t.Helper()
	w, err := segy.Create(path, segy.WriterOptions{Samples: ns, Interval: 4000, Format: segy.FormatInt16})
	if err != nil {
		t.Fatal(err)
	}
	for _, il := range ils {
		for _, xl := range xls {
			if err := w.WriteTrace(segy.TraceHeader{Inline: il, Crossline: xl}, make([]float32, ns)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestFetchDataReportsRegisteredSEGY(t *testing.T) {
	dir := t.TempDir()
	crop := filepath.Join(dir, "crop.sgy")
	writeSurvey(t, crop, []int{111, 122, 133}, []int{875, 892}, 75)
	full := filepath.Join(dir, "full.sgy") // F3's corners only: its full extent
	writeSurvey(t, full, []int{100, 750}, []int{300, 1250}, 462)
	const notFull = "is not the full F3 survey: it covers inlines 111-133, crosslines 875-892, 75 samples, F3 has inlines 100-750, crosslines 300-1250, 462 samples"
	cases := []struct {
		name     string
		file     string
		register bool
		want     []string
		warn     bool
	}{
		{"nothing registered", "", false, []string{"F3 SEG-Y: not registered", "terranubis"}, false},
		{"register a crop", crop, true, []string{"registered " + crop + " (inlines 111-133, crosslines 875-892, 75 samples)"}, true},
		{"rerun reports the crop", "", false, []string{"F3 SEG-Y: " + crop + " (inlines 111-133, crosslines 875-892, 75 samples), registered in "}, true},
		{"register the full extent", full, true, []string{"registered " + full}, false},
		{"rerun reports the full extent", "", false, []string{"F3 SEG-Y: " + full + " (inlines 100-750, crosslines 300-1250, 462 samples)"}, false},
	}
	dest := filepath.Join(dir, "data")
	for _, tc := range cases {
		args := []string{"fetch-data", "--dest", dest, "--skip-labels", "--quiet"}
		if tc.file != "" {
			args = append(args, "--segy-file", tc.file)
		}
		got, err := runCLI(t, args...)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for _, want := range tc.want {
			if !strings.Contains(got, want) {
				t.Errorf("%s: output lacks %q:\n%s", tc.name, want, got)
			}
		}
		if strings.Contains(got, "not registered") != (tc.name == "nothing registered") {
			t.Errorf("%s: output:\n%s", tc.name, got)
		}
		if tc.warn != strings.Contains(got, "warning: "+crop+" "+notFull) || !tc.warn && strings.Contains(got, "warning") {
			t.Errorf("%s: want warning %v:\n%s", tc.name, tc.warn, got)
		}
	}
	if err := os.Remove(full); err != nil {
		t.Fatal(err)
	}
	_, err := runCLI(t, "fetch-data", "--dest", dest, "--skip-labels")
	if err == nil || !strings.Contains(err.Error(), "segy.json registers "+full+", which no longer opens") {
		t.Fatalf("registered file removed: %v", err)
	}
}
