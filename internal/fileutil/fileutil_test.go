package fileutil

import (
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
