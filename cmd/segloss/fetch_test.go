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
	if got, err = runCLI(t, args...); err != nil || !strings.Contains(got, "already verified") || !strings.Contains(got, "0 files unpacked") {
		t.Fatalf("rerun: %v\n%s", err, got)
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
