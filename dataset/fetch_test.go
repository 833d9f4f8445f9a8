package dataset

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// alaudahZip builds a small zip with the Alaudah layout (plus extra
// entries) and returns it with its MD5.
func alaudahZip(t *testing.T, extra map[string]string) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	zw.Create("data/")
	for i, f := range AlaudahFiles {
		w, err := zw.Create(f)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(bytes.Repeat([]byte{byte('a' + i)}, 3000+i*1000))
	}
	for name, body := range extra {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(b.Bytes())
	return b.Bytes(), hex.EncodeToString(sum[:])
}

// zipServer serves body at /data.zip (range-capable), a redirect at /old,
// and records the Range header of each request. Modes: dropFirst breaks the
// first transfer halfway; noRange ignores Range.
type zipServer struct {
	body      []byte
	dropFirst bool
	noRange   bool
	mu        sync.Mutex
	ranges    []string
}

func (s *zipServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/old":
		http.Redirect(w, r, "/records/data.zip", http.StatusFound)
		return
	case "/records/data.zip":
	default:
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	s.ranges = append(s.ranges, r.Header.Get("Range"))
	first := len(s.ranges) == 1
	s.mu.Unlock()
	if s.dropFirst && first {
		w.Header().Set("Content-Length", strconv.Itoa(len(s.body)))
		w.WriteHeader(http.StatusOK)
		w.Write(s.body[:len(s.body)/2])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // cut the connection mid-body
	}
	if s.noRange {
		w.Write(s.body)
		return
	}
	http.ServeContent(w, r, "data.zip", time.Time{}, bytes.NewReader(s.body))
}

func TestFetchInterruptedThenResumed(t *testing.T) {
	body, sum := alaudahZip(t, nil)
	srv := &zipServer{body: body, dropFirst: true}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	dest := t.TempDir()
	opts := DownloadOptions{URL: ts.URL + "/old", MD5: sum, Retries: -1}
	if _, err := FetchAlaudah(context.Background(), dest, opts); err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("want interrupted transfer, got %v", err)
	}
	st, err := os.Stat(filepath.Join(dest, "data.zip.part"))
	if err != nil || st.Size() != int64(len(body)/2) {
		t.Fatalf("partial file: %v %v", st, err)
	}
	var last int64
	opts.Progress = func(done, total int64) {
		if total != int64(len(body)) {
			t.Errorf("progress total %d", total)
		}
		last = done
	}
	res, err := FetchAlaudah(context.Background(), dest, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Download.Resumed != 1 || res.Extracted != len(AlaudahFiles) || last != int64(len(body)) {
		t.Fatalf("result %+v, progress ended at %d", res, last)
	}
	want := "bytes=" + strconv.Itoa(len(body)/2) + "-"
	if srv.ranges[1] != want {
		t.Fatalf("resume sent Range %q, want %q (through the redirect)", srv.ranges[1], want)
	}
	b, _ := os.ReadFile(filepath.Join(dest, AlaudahFiles[2]))
	if len(b) != 5000 || b[0] != 'c' {
		t.Fatalf("extracted %s: %d bytes", AlaudahFiles[2], len(b))
	}
	// A second run skips the verified zip and the unpacked files.
	res, err = FetchAlaudah(context.Background(), dest, opts)
	if err != nil || !res.Download.Skipped || res.Extracted != 0 || len(srv.ranges) != 2 {
		t.Fatalf("rerun: %+v %v, %d requests", res, err, len(srv.ranges))
	}
}

func TestFetchRetriesInternally(t *testing.T) {
	body, sum := alaudahZip(t, nil)
	srv := &zipServer{body: body, dropFirst: true}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	res, err := Download(context.Background(), DownloadOptions{URL: ts.URL + "/records/data.zip", MD5: sum,
		Path: filepath.Join(t.TempDir(), "d.zip"), RetryWait: time.Millisecond})
	if err != nil || res.Resumed != 1 || res.Bytes != int64(len(body)) {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestFetchServerIgnoresRanges(t *testing.T) {
	body, sum := alaudahZip(t, nil)
	srv := &zipServer{body: body, noRange: true}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	dir := t.TempDir()
	p := filepath.Join(dir, "d.zip")
	// A stale partial file of garbage must be discarded, not prepended.
	if err := os.WriteFile(p+".part", []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Download(context.Background(), DownloadOptions{URL: ts.URL + "/records/data.zip", MD5: sum, Path: p})
	if err != nil || res.Resumed != 0 || res.Bytes != int64(len(body)) {
		t.Fatalf("%+v %v", res, err)
	}
	if srv.ranges[0] != "bytes=7-" {
		t.Fatalf("range %q", srv.ranges[0])
	}
}

func TestFetchErrors(t *testing.T) {
	body, _ := alaudahZip(t, nil)
	ts := httptest.NewServer(&zipServer{body: body})
	defer ts.Close()
	dir := t.TempDir()
	cases := []struct {
		name, url, md5, want string
	}{
		{"bad checksum", "/records/data.zip", strings.Repeat("0", 32), "MD5"},
		{"404", "/missing.zip", "", "404"},
		{"bad md5 flag", "/records/data.zip", "xyz", "32 hex"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_"))
			_, err := Download(context.Background(), DownloadOptions{URL: ts.URL + c.url, MD5: c.md5, Path: p, RetryWait: time.Millisecond})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want error with %q, got %v", c.want, err)
			}
			if _, err := os.Stat(p + ".part"); err == nil && c.name == "bad checksum" {
				t.Fatal("corrupt partial file kept")
			}
			if _, err := os.Stat(p); err == nil {
				t.Fatal("failed download left a final file")
			}
		})
	}
}

func TestUnzipRefusesEscapes(t *testing.T) {
	for _, name := range []string{"../evil.txt", "data/../../evil.txt", "/abs/evil.txt", `..\evil.txt`} {
		t.Run(name, func(t *testing.T) {
			body, _ := alaudahZip(t, map[string]string{name: "boom"})
			dir := t.TempDir()
			zp := filepath.Join(dir, "z.zip")
			os.WriteFile(zp, body, 0o644)
			dest := filepath.Join(dir, "out")
			_, err := Unzip(zp, dest)
			if err == nil || !strings.Contains(err.Error(), "refused") {
				t.Fatalf("want refusal, got %v", err)
			}
			if _, err := os.Stat(filepath.Join(dest, AlaudahFiles[0])); err == nil {
				t.Fatal("files written before the bad entry was refused")
			}
			if _, err := os.Stat(filepath.Join(dir, "evil.txt")); err == nil {
				t.Fatal("zip-slip wrote outside the destination")
			}
		})
	}
	// A symlink entry is refused too.
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	h := &zip.FileHeader{Name: "data/link"}
	h.SetMode(os.ModeSymlink | 0o777)
	w, _ := zw.CreateHeader(h)
	w.Write([]byte("/etc/passwd"))
	zw.Close()
	zp := filepath.Join(t.TempDir(), "l.zip")
	os.WriteFile(zp, b.Bytes(), 0o644)
	if _, err := Unzip(zp, t.TempDir()); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("symlink: %v", err)
	}
}

func TestFetchNotAlaudahLayout(t *testing.T) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("other/file.txt")
	w.Write([]byte("x"))
	zw.Close()
	ts := httptest.NewServer(&zipServer{body: b.Bytes()})
	defer ts.Close()
	_, err := FetchAlaudah(context.Background(), t.TempDir(), DownloadOptions{URL: ts.URL + "/records/data.zip"})
	if err == nil || !strings.Contains(err.Error(), "train_seismic.npy") {
		t.Fatalf("want missing-layout error, got %v", err)
	}
}

func TestRegisterSEGY(t *testing.T) {
	dir := t.TempDir()
	if p, err := RegisteredSEGY(dir); p != "" || err != nil {
		t.Fatalf("empty dir: %q %v", p, err)
	}
	f := filepath.Join(dir, "f3.sgy")
	os.WriteFile(f, []byte("x"), 0o644)
	if err := RegisterSEGY(dir, f); err != nil {
		t.Fatal(err)
	}
	if p, err := RegisteredSEGY(dir); p != f || err != nil {
		t.Fatalf("registered %q %v", p, err)
	}
	if err := RegisterSEGY(dir, filepath.Join(dir, "absent.sgy")); err == nil {
		t.Fatal("absent file registered")
	}
	if FileNameFromURL("https://x.org/a/b/F3.sgy?download=1") != "F3.sgy" || FileNameFromURL("https://x.org/") != "download" {
		t.Fatal("FileNameFromURL")
	}
}

// TestFetchOfflineHint checks that a connection that cannot be made names
// the manual route, and that a hand-placed zip is then used.
func TestFetchOfflineHint(t *testing.T) {
	ln := httptest.NewServer(http.NotFoundHandler())
	url := ln.URL + "/records/data.zip"
	ln.Close() // nothing listens there now
	dest := t.TempDir()
	_, err := FetchAlaudah(context.Background(), dest, DownloadOptions{URL: url, Retries: -1})
	want := "no network? download data.zip yourself from " + url + " and put it at " + filepath.Join(dest, "data.zip")
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want hint %q", err, want)
	}
	body, sum := alaudahZip(t, nil)
	if err := os.WriteFile(filepath.Join(dest, "data.zip"), body, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := FetchAlaudah(context.Background(), dest, DownloadOptions{URL: url, MD5: sum, Retries: -1})
	if err != nil || !res.Download.Skipped || !res.Download.Verified || res.Extracted != len(AlaudahFiles) {
		t.Fatalf("hand-placed zip: %+v, %v", res, err)
	}
}

// TestFetchKeepsUnpackedLabels checks that whole unpacked labels without
// data.zip are not downloaded again, and that a cut one is.
func TestFetchKeepsUnpackedLabels(t *testing.T) {
	dest := t.TempDir()
	for _, f := range AlaudahFiles {
		if err := WriteNPYUint8(filepath.Join(dest, f), make([]uint8, 24), []int{2, 3, 4}); err != nil {
			t.Fatal(err)
		}
	}
	srv := &zipServer{}
	srv.body, _ = alaudahZip(t, nil)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	opts := DownloadOptions{URL: ts.URL + "/records/data.zip", Retries: -1}
	res, err := FetchAlaudah(context.Background(), dest, opts)
	if err != nil || !res.LabelsPresent || len(srv.ranges) != 0 {
		t.Fatalf("whole labels: %+v, %v, %d requests", res, err, len(srv.ranges))
	}
	if err := os.Truncate(filepath.Join(dest, AlaudahFiles[3]), 100); err != nil {
		t.Fatal(err)
	}
	res, err = FetchAlaudah(context.Background(), dest, opts)
	if err != nil || res.LabelsPresent || len(srv.ranges) != 1 {
		t.Fatalf("cut label file: %+v, %v, %d requests", res, err, len(srv.ranges))
	}
}

// TestDownloadKeepsBadFile checks that files at Path with the wrong MD5 are
// renamed aside under free names, never deleted.
func TestDownloadKeepsBadFile(t *testing.T) {
	body, sum := alaudahZip(t, nil)
	ts := httptest.NewServer(&zipServer{body: body})
	defer ts.Close()
	p := filepath.Join(t.TempDir(), "data.zip")
	for i, want := range []string{p + ".bad-md5", p + ".bad-md5.1"} {
		old := "old " + strconv.Itoa(i)
		if err := os.WriteFile(p, []byte(old), 0o644); err != nil {
			t.Fatal(err)
		}
		var notes []string
		res, err := Download(context.Background(), DownloadOptions{URL: ts.URL + "/records/data.zip", MD5: sum, Path: p,
			Notice: func(m string) { notes = append(notes, m) }})
		if err != nil || res.KeptAside != want || !res.Verified || len(notes) != 1 || !strings.Contains(notes[0], "kept as "+want) {
			t.Fatalf("%+v, %v, %q", res, err, notes)
		}
		if b, err := os.ReadFile(want); err != nil || string(b) != old {
			t.Fatalf("%s holds %q, %v", want, b, err)
		}
	}
}
