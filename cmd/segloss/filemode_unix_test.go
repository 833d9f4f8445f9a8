//go:build unix

package main

import (
	"io/fs"
	"path/filepath"
	"syscall"
	"testing"
)

// TestOutputsFollowUmask checks that every file the synth and convert
// commands write atomically gets 0666 less the umask, not CreateTemp's 0600,
// and every directory 0777 less the umask, not MkdirTemp's 0700.
func TestOutputsFollowUmask(t *testing.T) {
	defer syscall.Umask(syscall.Umask(0o027))
	out := filepath.Join(t.TempDir(), "syn")
	if _, err := runCLI(t, "synth", "--out", out, "--size", "8x10x32", "--quiet"); err != nil {
		t.Fatal(err)
	}
	sgy := filepath.Join(out, "seismic.sgy")
	for _, conv := range []string{"c.npy", "c.sgy"} {
		if _, err := runCLI(t, "segy", "convert", sgy, filepath.Join(out, conv), "--quiet"); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		st, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			if st.Mode().Perm() != 0o750 {
				t.Errorf("%s: directory mode %03o, want 0750 under umask 027", p, st.Mode().Perm())
			}
			return nil
		}
		if st.Mode().Perm() != 0o640 {
			t.Errorf("%s: mode %03o, want 0640 under umask 027", p, st.Mode().Perm())
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 9 {
		t.Fatalf("only %d files written", n)
	}
}
