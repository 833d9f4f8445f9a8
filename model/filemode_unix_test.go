//go:build unix

package model

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestSaveModeFollowsUmask(t *testing.T) {
	m, err := New(Config{InChannels: 1, Classes: 2, Depth: 1, Base: 2}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		umask int
		want  os.FileMode
	}{{0o022, 0o644}, {0o027, 0o640}} {
		path := filepath.Join(t.TempDir(), "m.ckpt")
		old := syscall.Umask(tc.umask)
		err := m.Save(path, CheckpointInfo{}, nil)
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != tc.want {
			t.Errorf("umask %03o: checkpoint mode %03o, want %03o", tc.umask, st.Mode().Perm(), tc.want)
		}
	}
}
