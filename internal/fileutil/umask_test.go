//go:build unix

package fileutil

import (
	"os"
	"syscall"
	"testing"
)

func TestCreateTempModeFollowsUmask(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		umask int
		want  os.FileMode
	}{{0o022, 0o644}, {0o077, 0o600}, {0o002, 0o664}} {
		old := syscall.Umask(tc.umask)
		f, err := CreateTemp(dir, ".out.tmp*")
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		st, err := os.Stat(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != tc.want {
			t.Errorf("umask %03o: mode %03o, want %03o", tc.umask, got, tc.want)
		}
	}
}
