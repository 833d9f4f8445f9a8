package testutil

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRepoRootHoldsThisModule(t *testing.T) {
	root := RepoRoot(t)
	b, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil || !strings.HasPrefix(string(b), "module github.com/segloss/segloss\n") {
		t.Fatalf("%s/go.mod: %v %.40q", root, err, b)
	}
	if _, err := os.Stat(filepath.Join(root, "internal", "testutil", "testutil.go")); err != nil {
		t.Errorf("root %s does not hold this package: %v", root, err)
	}
}

func TestSharedFile(t *testing.T) {
	tests := []struct {
		rel         string
		wantSkipped bool
	}{
		{"no/such/file-anywhere.bin", true},
		{"testdata/segy/f3.sgy", false},
	}
	for _, tc := range tests {
		var sub *testing.T
		var got string
		t.Run(tc.rel, func(t *testing.T) {
			sub = t
			got = SharedFile(t, tc.rel)
		})
		want := filepath.Join(RepoRoot(t), "..", "shared", filepath.FromSlash(tc.rel))
		_, statErr := os.Stat(want)
		switch {
		case tc.wantSkipped && !sub.Skipped():
			t.Errorf("%s: not skipped, got %s", tc.rel, got)
		case !tc.wantSkipped && statErr == nil && (sub.Skipped() || got != want):
			t.Errorf("%s: %q (skipped %v), want %q", tc.rel, got, sub.Skipped(), want)
		case !tc.wantSkipped && statErr != nil && !sub.Skipped():
			t.Errorf("%s: absent here but not skipped", tc.rel)
		}
	}
}
