// Package testutil holds helpers that the tests of several packages share.
// Import it from _test.go files only. (segy's tests keep their own copy:
// segy depends on the standard library alone.)
package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// RepoRoot returns the repository root, the nearest folder at or above the
// working directory that holds go.mod, or skips t when there is none.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Skip("repository root (go.mod) not found")
		}
		dir = up
	}
}

// SharedFile returns the path of rel (slash-separated) in the shared
// folder beside the repository root (../shared from it), or skips t when
// that file is absent.
func SharedFile(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(RepoRoot(t), "..", "shared", filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared test data %s absent", p)
	}
	return p
}
