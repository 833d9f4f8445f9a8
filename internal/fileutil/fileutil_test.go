package fileutil

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCreateTempNames(t *testing.T) {
	dir := t.TempDir()
	seen := map[string]bool{}
	for _, pattern := range []string{".a.tmp*", ".b.*.tmp", "plain"} {
		for range 50 {
			f, err := CreateTemp(dir, pattern)
			if err != nil {
				t.Fatal(err)
			}
			f.Close()
			base := filepath.Base(f.Name())
			if filepath.Dir(f.Name()) != dir || seen[base] {
				t.Fatalf("%s: name %s reused or outside %s", pattern, f.Name(), dir)
			}
			seen[base] = true
			pre, suf, _ := strings.Cut(pattern, "*")
			if !strings.HasPrefix(base, pre) || !strings.HasSuffix(base, suf) || len(base) <= len(pattern) {
				t.Errorf("pattern %q gave %q", pattern, base)
			}
		}
	}
	if _, err := CreateTemp(dir, "a/b*"); err == nil {
		t.Error("pattern with a separator accepted")
	}
	if _, err := CreateTemp(filepath.Join(dir, "absent"), "x*"); err == nil {
		t.Error("missing folder accepted")
	}
}

func TestWriteFile(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name    string
		old     string // existing content ("" = none)
		write   func(io.Writer) error
		want    string // content afterwards
		wantErr error
	}{
		{"new file", "", func(w io.Writer) error { _, err := io.WriteString(w, "hello"); return err }, "hello", nil},
		{"replace", "old", func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }, "new", nil},
		{"large", "", func(w io.Writer) error { _, err := w.Write(bytes.Repeat([]byte("x"), 3<<20)); return err }, strings.Repeat("x", 3<<20), nil},
		{"error keeps old", "old", func(w io.Writer) error { io.WriteString(w, "partial"); return boom }, "old", boom},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.bin")
			if tc.old != "" {
				if err := os.WriteFile(path, []byte(tc.old), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			err := WriteFile(path, tc.write)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name %s", err, path)
			}
			got, rerr := os.ReadFile(path)
			if rerr != nil {
				t.Fatal(rerr)
			}
			if string(got) != tc.want {
				t.Errorf("content %d bytes %.20q, want %d bytes %.20q", len(got), got, len(tc.want), tc.want)
			}
			ents, _ := os.ReadDir(dir)
			if len(ents) != 1 {
				t.Errorf("%d entries in the directory, want only the output (temporary file left behind?)", len(ents))
			}
		})
	}
	if err := WriteFile(filepath.Join(t.TempDir(), "absent", "x"), func(io.Writer) error { return nil }); err == nil || !strings.Contains(err.Error(), "absent") {
		t.Errorf("missing directory: %v", err)
	}
}

func TestAtomicFileAbortAndReuse(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out")
	a, err := CreateAtomic(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Write([]byte("data")); err != nil {
		t.Fatal(err)
	}
	a.Abort()
	a.Abort() // a second Abort is harmless
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("%d entries after Abort, want 0", len(ents))
	}
	if _, err := a.Write([]byte("x")); err == nil {
		t.Error("Write after Abort succeeded")
	}
	if err := a.Commit(); err == nil {
		t.Error("Commit after Abort succeeded")
	}
	b, err := CreateAtomic(path)
	if err != nil {
		t.Fatal(err)
	}
	b.Write([]byte("kept"))
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	b.Abort() // after Commit: no effect
	if got, err := os.ReadFile(path); err != nil || string(got) != "kept" {
		t.Errorf("content %q (%v), want kept", got, err)
	}
}
